"""`small` (the date a score reached a threshold; unknown sizes named) and
`depth` (countries in the Arena top n), checked against the raw snapshots."""
from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from bot.engine import Caller
from bot.domain.comparable import comparable
from bot.domain.counted_boards import counted_boards
import raw_arena

MEMBER = Caller(user_id="42", name="member")


def _snapshots(shared: Path) -> dict[str, list[tuple[str, float]]]:
    out = {}
    for p in sorted((shared / "arena" / "snapshots").glob("arena-text-*.csv")):
        day = re.search(r"(\d{4}-\d{2}-\d{2})", p.name)[1]
        with p.open(newline="", encoding="utf-8") as fh:
            out[day] = [(r["model"], float(r.get("arena_score") or r.get("arena_elo"))) for r in csv.DictReader(fh)]
    return out


def _name_to_model(engine) -> dict[str, int]:
    return {r["alias"]: r["model_id"] for r in engine.store.query("SELECT alias, model_id FROM aliases")}


@pytest.mark.parametrize("threshold", [1250, 1300, 1350])
def test_small_arena_matches_the_raw_boards(engine, shared, threshold):
    """Expected from the raw files of every board the chain reads (history,
    CSV snapshots, catalog releases), names linked by the aliases table."""
    link = _name_to_model(engine)
    models = engine.read_model().models
    first: dict[int, tuple[str, float]] = {}
    for b in engine.read_model().chain():
        for row in raw_arena.board(shared, b.source, b.date):
            mid = link.get(row["name"])
            if mid is not None and not models[mid]["hidden"] and mid not in first and row["score"] >= threshold:
                first[mid] = (b.date, row["score"])
    sized = sorted((d, models[m]["parameters"], models[m]["name"]) for m, (d, _s) in first.items()
                   if models[m]["parameters"])
    record = []
    for d, size, name in sized:
        if not record or size < record[-1][2]:
            record.append([d, name, size])
    r = engine.handle(f"small {threshold} arena all", MEMBER)  # every listed rating, as the raw files list them
    assert [x[:3] for x in r.data["record"]] == record
    for d, name, _size, score in r.data["record"]:
        mid = next(m for m in first if models[m]["name"] == name)
        assert d == first[mid][0] and score == pytest.approx(first[mid][1], abs=0.01)  # the score that reached it
    unknown = {models[m]["name"] for m in first if not models[m]["parameters"]}
    assert {u[1] for u in r.data["unknown_size"]} == unknown
    if unknown:
        assert "size unknown" in r.text
        earliest = min(r.data["unknown_size"])
        assert earliest[1] in r.text  # named, never skipped silently


def test_small_on_a_benchmark_names_unknown_sizes(engine):
    r = engine.handle("small 40% gpqa", MEMBER)
    rows = engine.store.query(
        """SELECT m.name, m.parameters, MIN(COALESCE(s.date, m.release_date)) AS d FROM benchmark_scores s
           JOIN models m ON m.id = s.model_id WHERE s.benchmark = 'GPQA diamond' AND s.value >= 0.4
           AND m.hidden = 0 GROUP BY m.id""")
    assert {u[1] for u in r.data["unknown_size"]} == {x["name"] for x in rows if not x["parameters"]}
    sized = {x["name"]: x["d"] for x in rows if x["parameters"]}
    for d, name, _size, score in r.data["record"]:
        assert sized[name] == d and score >= 40


def test_small_is_linear_in_the_data(engine):
    """One pass over the boards: the handler never asks for a model's history."""
    read = engine.read_model()
    calls = []
    original = type(read).model_history

    def counting(self, mid):
        calls.append(mid)
        return original(self, mid)
    type(read).model_history = counting
    try:
        assert engine.handle("small 1300 arena", MEMBER).status == "ok"
    finally:
        type(read).model_history = original
    assert calls == []


def _country_of(engine) -> dict[str, str]:
    rows = engine.store.query(
        """SELECT a.alias, COALESCE(m.country, o.country) AS country FROM aliases a JOIN models m ON m.id = a.model_id
           LEFT JOIN organizations o ON o.id = m.org_id""")
    return {r["alias"]: r["country"] or "unknown" for r in rows}


@pytest.mark.parametrize("day", ["2024-06-19", "2025-02-12", "2025-08-06"])
def test_depth_all_equals_an_independent_count_of_the_raw_board(engine, shared, day):
    raw = sorted(_snapshots(shared)[day], key=lambda x: -x[1])
    country = _country_of(engine)
    r = engine.handle(f"depth all {day}", MEMBER)
    for n in (10, 20, 50):
        if raw[n - 1][1] == raw[n][1]:
            continue  # a tie across the cut: either model could be n-th
        want = Counter(country[name] for name, _s in raw[:n])
        assert r.data["now"][str(n)] == dict(want), n


def test_depth_leaves_retired_models_out_like_the_other_series(engine, shared):
    snaps = _snapshots(shared)
    days = sorted(snaps)
    day = "2025-02-12"
    nxt = {re.sub(r"[^a-z0-9]", "", n.lower()) for n, _ in snaps[days[days.index(day) + 1]]}
    raw = sorted((x for x in snaps[day] if re.sub(r"[^a-z0-9]", "", x[0].lower()) in nxt), key=lambda x: -x[1])
    country = _country_of(engine)
    r = engine.handle(f"depth 20 {day}", MEMBER)
    assert r.data["now"]["20"] == dict(Counter(country[n] for n, _ in raw[:20]))
    assert "retired models left out" in r.method and "retired" not in r.text  # the rule: on request


def test_depth_series_and_chart(engine):
    r = engine.handle("depth 10", MEMBER)
    read = engine.read_model()
    view = counted_boards(read)
    # every counted board of 10, but a board behind its date (drawn: left out, named in left_out)
    cmp = comparable(read)
    dates = [d for d in view.dates if len(view.by_date[d]) >= 10]
    assert r.data["dates"] == [d for d in dates[:-1] if not cmp.flagged(d)] + dates[-1:]
    assert {f["date"] for f in r.data["left_out"]} == {d for d in dates if cmp.flagged(d)}
    for i in range(len(r.data["dates"])):
        assert sum(v[i] for v in r.data["counts"].values()) == 10
    png = engine.charts.render(r)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_depth_routes(engine):
    a = engine.handle("ask how many Chinese models are in the top 20?", MEMBER)
    assert a.data.get("n") == 20 and a.chart.kind == "depth"
    b = engine.handle("race depth 10 2025-01", MEMBER)
    assert b.data["n"] == 10 and b.data["as_of"] <= "2025-01-31"
    bad = engine.handle("depth lots", MEMBER)
    assert bad.status == "usage"


@pytest.mark.parametrize("threshold", [1300, 1400])
def test_small_without_all_leaves_out_never_public_builds_and_boards_behind_their_date(engine, threshold):
    """The same computation on the boards records read: no rating of a never-public build, no board behind its date."""
    read = engine.read_model()
    cmp = comparable(read)
    first: dict[int, str] = {}
    for d in read.dates:
        if cmp.flagged(d):
            continue
        for x in read.by_date[d]:
            if not cmp.never_public(x) and x.score >= threshold and x.model_id not in first:
                first[x.model_id] = d
    r = engine.handle(f"small {threshold} arena", MEMBER)
    a = engine.handle(f"small {threshold} arena all", MEMBER)
    got = {u[1]: u[0] for u in r.data["unknown_size"]} | {x[1]: x[0] for x in r.data["record"]}
    names = {read.models[m]["name"]: d for m, d in first.items()}
    for name, d in got.items():
        assert names[name] == d, name
    assert r.data["all_listed"] is False and a.data["all_listed"] is True
    assert "never-public" in r.method and "never-public" not in (a.method or "")  # the rule: on request
    never = {read.models[x.model_id]["name"] for d in read.dates for x in read.by_date[d]
             if cmp.never_public(x) and x.score >= threshold} - set(names)
    listed_all = {u[1] for u in a.data["unknown_size"]} | {x[1] for x in a.data["record"]}
    assert not never & set(got) and never <= listed_all | {p[0] for p in a.data["points"]}


@pytest.mark.parametrize("line", ["small 60% math level 5", "small math level 5 60%", "small 60 math level 5", "small 60 on math level 5"])
def test_a_benchmark_named_with_a_number_keeps_its_number(engine, line):
    """'math level 5': the 5 is the benchmark's name, never the threshold, in any order."""
    r = engine.handle(line)
    assert r.status == "ok", r.text
    assert r.data["benchmark"] == "MATH level 5" and r.data["threshold"] == 60, r.data.get("threshold")
