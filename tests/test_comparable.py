"""Boards that can be compared (issue 21): rating scales and their seams,
boards behind their date, never-public builds, and one computation per
figure. The rules are tested on generated boards (any names, dates and
sizes), then on the real seed against the boards read directly."""
from __future__ import annotations

import random
import re
import statistics
from datetime import date, timedelta

import pytest

from bot.commands.context import short_name

from bot.engine import Caller
from bot.domain.board_chain import BoardKey
from bot.domain.categories import OVERALL
from bot.domain.comparable import (BURST_MIN, HOLE_MIN, SCALE_STEP, Comparable, comparable, experiment_named,
                                  record_boards)
from bot.domain.counted_boards import counted_boards as boards
from bot.domain.measures import pct_gap
from bot.store.readmodel import Rating

MEMBER = Caller(user_id="42", name="member")


def run(engine, line):
    reply = engine.handle(line, MEMBER)
    assert reply.status == "ok", reply.text
    return reply


# ---------------------------------------------------------------------------
# the rules on generated boards
# ---------------------------------------------------------------------------
class FakeRead:
    """What Comparable reads of a read model, over generated boards: {(source, date): {name: (score, licence)}}."""

    def __init__(self, boards_: dict[tuple[str, str], dict[str, tuple[float, str]]], chain: list[BoardKey]):
        self._boards = boards_
        self._chain = chain
        self.moderator_bases: dict = {}
        self._ids: dict[str, int] = {}
        self._views: dict = {}

    def board_keys(self, category=OVERALL):
        return sorted((BoardKey(s, d) for s, d in self._boards), key=lambda b: (b.date, b.source))

    def chain(self, category=OVERALL):
        return list(self._chain)

    def source(self, sid):
        return {"id": sid, "title": f"Source {sid} (some/repo)"}

    def view(self, key, build):
        if key not in self._views:
            self._views[key] = build()
        return self._views[key]

    def board_scores(self, category=OVERALL):
        return {(s, d): [(r.model_id, r.score, r.key, r.arena_name, r.licence) for r in self.board_rows(s, d)]
                for s, d in self._boards}

    def board_rows(self, source, day, category=OVERALL):
        rows = []
        for name, (score, licence) in self._boards[(source, day)].items():
            mid = self._ids.setdefault(name, len(self._ids) + 1)
            rows.append(Rating(day, name, mid, name, 0, score, None, None, None, None, None, None, licence,
                               source=source, key=name))
        return sorted(rows, key=lambda r: -r.score)


def _days(start: str, *offsets: int) -> list[str]:
    d0 = date.fromisoformat(start)
    return [(d0 + timedelta(days=o)).isoformat() for o in offsets]


def _series(seed: int, n_models: int, dates: list[str], new_per_board: int = 2) -> list[dict[str, float]]:
    """Boards of one source: models drift by a point or two, a few new ones each board."""
    rnd = random.Random(seed)
    scores = {f"m{seed}-{i}": rnd.uniform(1000, 1300) for i in range(n_models)}
    out = []
    k = n_models
    for _ in dates:
        scores = {m: s + rnd.uniform(-2, 2) for m, s in scores.items()}
        for _ in range(new_per_board):
            scores[f"m{seed}-{k}"] = rnd.uniform(1000, 1300)
            k += 1
        out.append(dict(scores))
    return out


def _read_parts(per_source: dict[str, tuple[list[str], list[dict[str, float]]]], licence: str = "Proprietary"):
    boards_ = {(s, d): {m: (v, licence) for m, v in b.items()}
               for s, (dates, bs) in per_source.items() for d, b in zip(dates, bs)}
    chain = sorted((BoardKey(s, d) for s, d in boards_), key=lambda b: b.date)
    return boards_, chain


@pytest.mark.parametrize("seed", [1, 7, 23])
def test_a_source_moving_every_rating_by_the_scale_step_starts_a_new_scale(seed):
    rnd = random.Random(seed)
    dates = _days("2031-02-01", *range(0, 120, 10))
    bs = _series(seed, 60, dates)
    cut = rnd.randrange(3, len(dates) - 2)
    step = rnd.choice([-1, 1]) * rnd.uniform(SCALE_STEP + 5, SCALE_STEP * 5)
    bs = [b if i < cut else {m: v + step for m, v in b.items()} for i, b in enumerate(bs)]
    read = FakeRead(*_read_parts({"src-a": (dates, bs)}))
    c = Comparable(read)  # type: ignore[arg-type]
    assert [(s["from"], s["to"]) for s in c.scales] == [(dates[0], dates[cut - 1]), (dates[cut], dates[-1])]
    assert [s.date for s in c.seams] == [dates[cut]]
    assert c.seams[0].shift == pytest.approx(step, abs=3)
    assert not c.same_scale(dates[cut - 1], dates[cut]) and c.same_scale(dates[0], dates[cut - 1])
    assert c.seam_data()[0]["label"] and c.flags == {}


def test_a_change_of_source_is_a_seam_even_when_the_ratings_agree():
    d1 = _days("2030-01-01", 0, 7, 14)
    d2 = _days("2030-01-21", 0, 7)
    a = _series(3, 40, d1, new_per_board=0)
    b = [dict(a[-1]) for _ in d2]
    read = FakeRead(*_read_parts({"one": (d1, a), "two": (d2, b)}))
    c = Comparable(read)  # type: ignore[arg-type]
    assert [(s.date, s.source_before, s.source_after) for s in c.seams] == [(d2[0], "one", "two")]
    assert abs(c.seams[0].shift or 0) < 1


def test_ordinary_drift_is_one_scale():
    dates = _days("2029-05-01", *range(0, 300, 6))
    read = FakeRead(*_read_parts({"s": (dates, _series(11, 80, dates))}))
    c = Comparable(read)  # type: ignore[arg-type]
    assert c.seams == [] and len(c.scales) == 1 and c.flags == {}


@pytest.mark.parametrize("size", [60, 200])
def test_a_release_whose_next_release_days_later_brings_many_models_that_existed_is_behind_its_date(size):
    dates = _days("2032-03-01", 0, 20, 40, 41, 70)
    bs = _series(5, size, dates)
    # the release of day 40 lacks models the release one day later has, none of them ever rated before
    old = {f"late-{i}": 1200.0 + i for i in range(max(BURST_MIN, size // 10))}
    bs[3] = {**bs[3], **old}
    bs[4] = {**bs[4], **{m: v + 1 for m, v in old.items()}}
    read = FakeRead(*_read_parts({"s": (dates, bs)}))
    c = Comparable(read)  # type: ignore[arg-type]
    flag = c.flagged(dates[2])
    # the burst, and the two models every release of this series adds
    assert flag is not None and flag.reason == "behind" and flag.count == len(old) + 2
    assert [d for d in dates if c.flagged(d)] == [dates[2]]
    assert c.usable(dates) == [d for d in dates if d != dates[2]]


def test_a_release_that_lacks_what_the_releases_around_it_rate_is_flagged():
    dates = _days("2033-01-01", 0, 10, 20, 30)
    bs = _series(9, 100, dates)
    dropped = sorted(bs[1])[: HOLE_MIN + 5]
    bs[2] = {m: v for m, v in bs[2].items() if m not in dropped}
    read = FakeRead(*_read_parts({"s": (dates, bs)}))
    c = Comparable(read)  # type: ignore[arg-type]
    flag = c.flagged(dates[2])
    assert flag is not None and flag.reason == "hole" and flag.count == len(dropped)
    assert [d for d in dates if c.flagged(d)] == [dates[2]]


def test_experiment_named_builds_are_never_public_unless_every_listing_is_open():
    dates = _days("2034-01-01", 0, 10)
    base = _series(2, 30, dates)
    boards_ = {("s", d): {**{m: (v, "Proprietary") for m, v in b.items()},
                          "zeta-exp-0101": (1400.0, "Proprietary"),
                          "open-model-exp": (1390.0, "MIT"),
                          "mixed-Experimental": (1380.0, "N/A" if i else "Llama")}
               for i, (d, b) in enumerate(zip(dates, base))}
    read = FakeRead(boards_, [BoardKey("s", d) for d in dates])
    c = Comparable(read)  # type: ignore[arg-type]
    rows = {r.arena_name: r for r in read.board_rows("s", dates[0])}
    assert c.never_public(rows["zeta-exp-0101"]) and c.never_public(rows["mixed-Experimental"])
    assert not c.never_public(rows["open-model-exp"])
    assert not any(c.never_public(r) for n, r in rows.items() if not experiment_named(r))


# ---------------------------------------------------------------------------
# the real seed
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def read(engine):
    return engine.read_model()


def _median_shift(a, b) -> float | None:
    sa, sb = {}, {}
    for r in a:
        sa.setdefault(r.model_id, r.score)
    for r in b:
        sb.setdefault(r.model_id, r.score)
    shared = [m for m in sa if m in sb]
    return statistics.median(sb[m] - sa[m] for m in shared) if len(shared) >= 5 else None


def test_every_seam_of_the_chain_is_a_change_of_source_or_scale_and_nothing_else_is(read):
    c = comparable(read)
    chain = [b for b in read.chain() if b.source != "moderators"]
    seams = {s.date for s in c.seams}
    for prev, cur in zip(chain, chain[1:]):
        shift = _median_shift(read.board_rows(*prev), read.board_rows(*cur))
        jump = prev.source != cur.source or (shift is not None and abs(shift) >= SCALE_STEP)
        assert (cur.date in seams) == jump, (prev, cur, shift)
    # the history file changes scale inside itself: recorded as two scales of that source
    hist = [s for s in c.scales if s["source"] == "arena-history"]
    assert len(hist) >= 1 and all(s["from"] <= s["to"] for s in hist)


def test_changes_across_a_seam_reports_no_elo_moves_and_names_the_seam(engine, read):
    c = comparable(read)
    seam = c.seams[0]
    r = run(engine, f"changes since {seam.before}")
    assert r.data["same_scale"] is False and r.data["rises"] == [] and r.data["falls"] == []
    assert seam.date in r.text and "not changes" in r.text
    assert any(s["date"] == seam.date for s in r.data["seams"])
    # places compare across a seam: climbs and drops are the differences of places, biggest first
    moves = r.data["climbs"] + r.data["drops"]
    assert moves and all(d == p0 - p1 for _n, d, p0, p1 in moves)
    assert [m[1] for m in r.data["drops"]] == sorted(m[1] for m in r.data["drops"])
    assert all(d > 0 for _n, d, _a, _b in r.data["climbs"]) and all(d < 0 for _n, d, _a, _b in r.data["drops"])


def test_changes_on_one_scale_are_the_score_differences_of_the_counted_boards(engine, read):
    view = boards(read)
    c = comparable(read)
    now = view.latest
    then = next(d for d in reversed(view.dates[:-1]) if c.same_scale(d, now) and not c.flagged(d))
    r = run(engine, f"changes since {then}")
    assert r.data["since"] == then and r.data["same_scale"] is True
    s0 = {}
    for x in view.board(then):
        s0.setdefault(x.model_id, x.score)
    s1 = {}
    for x in view.board(now):
        s1.setdefault(x.model_id, (x.score, x.arena_name))
    moves = sorted((v - s0[m] for m, (v, _n) in s1.items() if m in s0), reverse=True)
    assert [m[1] for m in r.data["rises"]] == [round(v, 1) for v in moves if v > 0][:len(r.data["rises"])]


def test_changes_skip_a_board_behind_its_date_for_the_one_before(engine, read):
    c = comparable(read)
    flagged = sorted(d for d in c.chain_flags)
    if not flagged:
        pytest.skip("no board behind its date in this data")
    day = flagged[0]
    r = run(engine, f"changes since {day}")
    view = boards(read)
    before = view.dates[view.dates.index(day) - 1]
    assert r.data["since"] == before and r.data["skipped"]["date"] == day and day in r.text


def test_digest_changes_frontier_and_gap_give_one_figure(engine):
    d = run(engine, "digest")
    now, then = d.data["as_of"], d.data["since"]
    f = run(engine, "frontier")
    assert f.data["as_of"] == now
    assert d.data["spread"][now] == pytest.approx(f.data["series"][-1]["spread_pct"], abs=1e-3)
    shown = f"{f.data['series'][-1]['spread_pct']:.2f}% ({now})"
    assert any(shown in x.value for x in d.fields), [x.value for x in d.fields]
    for label, line in (("US vs China", "gap us china"), ("Closed vs open", "gap closed open")):
        g = run(engine, f"{line} {now}")
        assert d.data["gaps"][label][1] == pytest.approx(g.data["latest"]["pct"], abs=1e-3)
        g0 = run(engine, f"{line} {then}")
        if g0.data["latest"]["date"] == then:
            assert d.data["gaps"][label][0] == pytest.approx(g0.data["latest"]["pct"], abs=1e-3)
    c = run(engine, f"changes since {then}")
    assert c.data["spread"] == d.data["spread"] and c.data["gaps"] == d.data["gaps"]


def test_tighter_than_ever_reads_public_builds_on_boards_not_behind_their_date(engine, read):
    r = run(engine, "frontier")
    view = record_boards(read)
    c = comparable(read)
    spreads = {d: pct_gap(b[0].score, b[9].score) for d in view.dates if len(b := view.board(d)) >= 10}
    tightest = min(spreads, key=lambda d: spreads[d])
    assert r.data["tightest"]["date"] == tightest
    assert r.data["tightest"]["spread_pct"] == pytest.approx(spreads[tightest], abs=1e-3)
    assert not c.flagged(tightest)
    top10 = view.board(tightest)[:10]
    assert not any(c.never_public(x) for x in top10)
    # `all` reads every listed rating of every board: its tightest is never wider
    a = run(engine, "frontier all")
    assert a.data["tightest"]["spread_pct"] <= r.data["tightest"]["spread_pct"]


def test_charts_get_the_seams_of_the_range_they_draw(engine, read):
    c = comparable(read)
    for line in ("gap us china", "frontier", "race", "depth"):
        r = run(engine, line)
        seams = r.data["seams"]
        assert [s["date"] for s in seams] == [s.date for s in c.seams
                                              if s.date <= (r.data.get("as_of") or "9999")], line
        assert all(s["label"] for s in seams)


def test_records_footer_names_the_sources_of_the_boards_read(engine, read):
    r = run(engine, "records")
    used = {b.source for b in read.chain() if b.source != "moderators"}
    for sid in used:
        assert short_name(read.source(sid)) in r.footer


# ---------------------------------------------------------------------------
# one figure, one computation: footers, directions, breakdowns, regions
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("line", ["model {name}", "org {org}", "country {country}"])
def test_footers_name_the_source_of_the_board_the_score_came_from(engine, read, line):
    board = boards(read)
    day = board.latest
    top = board.board(day)[0]
    r = run(engine, line.format(name=top.model, org=top.organization, country=top.country))
    used = read.scale_of(day)
    assert short_name(read.source(used)) in r.footer
    others = {b.source for b in read.chain()} - {used, "moderators"}
    assert not any(short_name(read.source(s)) in r.footer for s in others), r.footer


def test_compare_footer_names_each_cards_board(engine, read):
    board = boards(read)
    a, b = board.board(board.latest)[:2]
    r = run(engine, f"compare {a.model} vs {b.model}")
    srcs = {read.scale_of(m["arena"]["date"]) for m in r.data["models"] if m["arena"]}
    for s in srcs:
        assert short_name(read.source(s)) in r.footer
    old = {x.source for x in read.chain()} - srcs - {"moderators"}
    assert not any(short_name(read.source(s)) in r.footer for s in old), r.footer


def test_the_other_direction_of_an_ai_index_gap_is_recomputed_on_the_other_base(engine):
    us = run(engine, "gap us china")
    cn = run(engine, "gap china us")
    for a, b in zip(us.data["reference"], cn.data["reference"]):
        assert a["period"] == b["period"]
        # the same two scores: US = CN (1 + a/100), so China's gap on the US base is -a / (1 + a/100)
        assert b["value"] == pytest.approx(-a["value"] / (1 + a["value"] / 100), abs=1e-3)
        assert f"{b['value']:.2f}%" in cn.text


def test_a_breakdown_ends_with_the_others(engine, read):
    r = run(engine, "count 2024")
    groups = {}
    for m in read.visible_models():
        if m["origin"] in ("epoch", "moderator") and (m["release_date"] or "").startswith("2024"):
            groups[m["country"] or "unknown"] = groups.get(m["country"] or "unknown", 0) + 1
    shown = r.text.split(":", 1)[1]
    listed = sum(int(n) for n in re.findall(r" (\d+)(?:,|\.| \()", shown.split("others")[0]))
    rest = sum(groups.values()) - listed
    assert rest > 0 and f"others: {rest} (from " in r.text
    # the embed adds no second 'others' figure that disagrees with the text's
    assert not any(f.name.lower().startswith("other") and f.value != str(rest) for f in r.fields)
    # per year: the latest year's text names three countries and the others; the embed's fields name
    # more of them and end with the rest, so text and fields together account for every model once
    per_year = run(engine, "count")
    last = max(m["release_date"][:4] for m in read.visible_models()
               if m["origin"] in ("epoch", "moderator") and m["release_date"])
    total = sum(1 for m in read.visible_models()
                if m["origin"] in ("epoch", "moderator") and (m["release_date"] or "").startswith(last))
    head = per_year.text.split(f"{last}:", 1)[1].split("others")[0]
    named = sum(int(n) for n in re.findall(r" (\d+)(?:,|\.| \()", head.split("led by", 1)[1]))
    in_fields = sum(int(f.value) for f in per_year.fields)
    assert named + in_fields == total
    assert f"others: {total - named} (from " in per_year.text


def test_a_region_counts_its_countries_everywhere(engine, read):
    from bot.domain.regions import EUROPE
    notable = [m for m in read.visible_models() if m["origin"] in ("epoch", "moderator") and m["country"] in EUROPE]
    assert notable
    r = run(engine, "country europe")
    assert f"{len(notable)} notable models" in r.text
    top = run(engine, "top 5 europe")
    c = run(engine, "count europe")
    assert f"In all: {len(notable)} notable models" in c.text
    assert all(row["country"] in EUROPE for row in top.data["rows"])


def test_price_cheapest_and_compare_price_a_variant_alike(engine, read):
    """Every priced model on the latest board: `price` shows the blended price `cheapest` uses for that entry."""
    c = run(engine, "cheapest 1000 top 25")
    checked = 0
    for row in c.data["cheapest_n"]:
        r = engine.handle(f"price {row['model']}", MEMBER)
        if r.status != "ok" or not r.data.get("arena") or r.data["arena"]["score"] != row["score"]:
            continue  # a display name that resolves to another entry is the identity work's (i21v), not the price's
        assert r.data["blended"] == pytest.approx(row["blended"], abs=1e-9), row
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("line", ["gap us china {d}", "top 5 {d}", "frontier {d}", "depth {d}"])
def test_an_answer_read_off_a_board_behind_its_date_says_so_and_its_chart_leaves_it_out(engine, read, line):
    c = comparable(read)
    if not c.chain_flags:
        pytest.skip("no board behind its date in this data")
    day = min(c.chain_flags)
    r = run(engine, line.format(d=day))
    assert r.data["as_of"] == day and f"The {day} board is left out of changes and records" in r.text
    latest = run(engine, line.format(d=read.latest))
    assert f"The {day} board is left out" not in latest.text
    if "series" in latest.data:
        assert day not in [p["date"] if isinstance(p, dict) else p[0] for p in latest.data["series"]]
        assert any(f["date"] == day for f in latest.data["left_out"])


def test_board_scores_are_the_boards_as_read(read):
    """The one query the seams read gives every published board's ratings, as board_rows reads them."""
    table = read.board_scores()
    keys = [b for b in read.board_keys() if b.source != "moderators"]
    assert set(table) == set(keys)
    for b in keys[:: max(1, len(keys) // 12)]:
        rows = read.board_rows(b.source, b.date)
        assert sorted((r.model_id, r.score, r.key, r.licence) for r in rows) == \
            sorted((m, s, k, lic) for m, s, k, _shown, lic in table[b])


def test_footers_keep_every_source_apart(read):
    """A footer's short name of a source never names two sources (two LMArena files once both read 'LMArena')."""
    shorts = [short_name(s) for s in read.sources.values()]
    assert len(shorts) == len(set(shorts)) and len(shorts) >= 5, shorts
