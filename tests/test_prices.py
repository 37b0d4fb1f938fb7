"""`price` and `cheapest`, checked against the raw price list and catalog board."""
from __future__ import annotations

import json

import pytest
import raw_arena

from bot.engine import Caller
from bot.domain.counted_boards import counted_boards

MEMBER = Caller(user_id="42", name="member")


def _raw_prices(shared):
    path = next((shared / "arena" / "catalog").glob("scatterplot-data-*.json"))
    out = {}
    for r in json.loads(path.read_text(encoding="utf-8")):
        try:
            out[r["model_api_name"]] = (float(r["input_token_price"]), float(r["output_token_price"]), r)
        except (TypeError, ValueError):
            continue
    return out


def test_price_of_a_model_is_the_raw_list(engine, shared):
    raw = _raw_prices(shared)
    link = {r["alias"]: r["model_id"] for r in engine.store.query("SELECT alias, model_id FROM aliases")}
    checked = 0
    for key in list(raw)[::15]:
        mid = link.get(key)
        if mid is None:
            continue
        name = engine.read_model().models[mid]["name"]
        r = engine.handle(f'price "{name}"', MEMBER)
        assert r.status == "ok", r.text
        # the model may have several priced keys: the reply shows its cheapest, which is one of the raw rows
        mine = [(a, b) for k, (a, b, _r) in raw.items() if link.get(k) == mid]
        assert any(f"${a:,.2f}" in r.text or f"${a:g}" in r.text for a, _b in mine), (name, r.text)
        assert "280-fold" in r.text and r.footer and "as of" in r.footer
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("threshold", [1300, 1400])
def test_cheapest_on_the_latest_board_matches_the_raw_files(engine, shared, threshold):
    raw_prices = _raw_prices(shared)
    view = counted_boards(engine.read_model())
    day = view.latest
    counted = {r.key or r.arena_name for r in view.board(day)}
    src = view.source_on(day)
    rows = [x for x in raw_arena.board(shared, src, day) if x["score"] >= threshold and x["name"] in counted
            and x["name"] in raw_prices]
    want = min((3 * raw_prices[x["name"]][0] + raw_prices[x["name"]][1]) / 4 for x in rows)
    r = engine.handle(f"cheapest {threshold}", MEMBER)
    last = r.data["series"][-1]
    assert last["date"] == day
    assert last["blended"] <= want + 1e-9  # a model priced through its linked model may be cheaper still
    if last["key"] in raw_prices:
        assert last["blended"] == pytest.approx(want)
    assert "280-fold" in r.text and "price list of" in r.method
    blends = [p["blended"] for p in r.data["series"]]
    assert blends[-1] <= blends[0]


def test_cheapest_refuses_nonsense(engine):
    assert engine.handle("cheapest banana", MEMBER).status == "usage"
    assert engine.handle("cheapest 99999", MEMBER).status == "usage"
    none = engine.handle("cheapest 2900", MEMBER)
    assert none.status == "ok" and none.text.startswith("No model was rated 2,900") and not none.data["rated"]


def test_cheapest_says_whether_nothing_was_rated_or_nothing_rated_was_priced(engine):
    """An empty answer says which: no model that high by that date, or models
    that high but none on the price list (not "no priced model is rated")."""
    view = counted_boards(engine.read_model())
    series = engine.handle("cheapest 1250", MEMBER).data["series"]
    first_priced = series[0]["date"]
    # a date before the first priced board at 1,250 where some model was already rated 1,250+
    rated_days = [d for d in view.dates if d < first_priced and view.by_date[d][0].score >= 1250]
    assert rated_days, "the seed should have an unpriced model at 1,250+ before the first priced one"
    r = engine.handle(f"cheapest 1250 {rated_days[-1]}", MEMBER)
    assert r.status == "ok" and r.data["series"] == [] and r.data["rated"]
    assert "has a price in LMArena's price list" in r.text and rated_days[-1] in r.text


@pytest.mark.parametrize("threshold", [1000, 1250, 1300, 1360, 1450])
def test_cheapest_on_every_board_is_the_cheapest_priced_model_at_or_above(engine, threshold):
    """Every point of the series against a plain scan of that board."""
    from bot.commands.prices import _price_of, cost

    r = engine.handle(f"cheapest {threshold}", MEMBER)
    view = counted_boards(engine.read_model())
    by_name, by_model = _indexes(engine)
    want = {}
    for d in view.dates:
        priced = [(cost(q), -x.score, x) for x in view.by_date[d]
                  if x.score >= threshold and (q := _price_of(x, by_name, by_model)) is not None]
        if priced:
            c, _s, x = min(priced, key=lambda t: (t[0], t[1]))
            want[d] = (x.arena_name, c)
    got = {p["date"]: (p["model"], p["blended"]) for p in r.data.get("series", [])}
    assert got == want
    cut = view.dates[len(view.dates) // 2]
    r2 = engine.handle(f"cheapest {threshold} {cut}", MEMBER)
    assert {p["date"]: (p["model"], p["blended"]) for p in r2.data.get("series", [])} == \
        {d: v for d, v in want.items() if d <= cut}


def _indexes(engine):
    from bot.commands.prices import blended, cost
    from bot.store import queries

    by_name, by_model = {}, {}
    for p in queries.price_list(engine.store, "arena-prices"):
        if blended(p) is None:
            continue
        by_name[p["arena_name"]] = p
        cur = by_model.get(p["model_id"])
        if p["model_id"] is not None and (cur is None or (cur["as_of"], -cost(cur)) < (p["as_of"], -cost(p))):
            by_model[p["model_id"]] = p
    return by_name, by_model


@pytest.mark.parametrize("value, shown", [(0.3, "$0.30"), (2.5, "$2.50"), (0.2625, "$0.2625"), (0.075, "$0.075"),
                                          (1234.5, "$1,234.50"), (0.000123, "$0.00012"), (None, "n/a")])
def test_a_price_shows_its_cents_and_never_rounds_to_nothing(value, shown):
    from bot.commands.prices import usd
    assert usd(value) == shown
