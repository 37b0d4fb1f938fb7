"""The sides of a race on Chatbot Arena (a country, an organisation, open or
closed models) and the gap between two of them on every board: what `gap`,
`race`, `records` and the watches share.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from typing import Callable

from bot import tickets
from bot.commands.context import Context, Usage
from bot.commands.grammar import split_models, words
from bot.commands.difference import verdict
from bot.domain.counted_boards import counted_boards, CountedBoards
from bot.domain.normalize import fold
from bot.domain.measures import pct_gap
from bot.domain.regions import region_pred
from bot.store.readmodel import Rating


# ---------------------------------------------------------------------------
# sides: a country, an organisation, open or closed
# ---------------------------------------------------------------------------
@dataclass
class Side:
    label: str
    pred: Callable[[Rating], bool]
    kind: str  # country | org | open | closed
    key: str   # colour key / stable id
    index: tuple | None = None  # the read model's key for this side's best per snapshot (see side_keys)


OPEN_WORDS = {"open", "open weights", "open weight", "open-weight", "open-weights", "open source",
              "open-source", "opensource", "oss"}
CLOSED_WORDS = {"closed", "proprietary", "closed weights", "closed-weight", "closed source", "api"}


def resolve_side(ctx: Context, text: str) -> Side | None:
    t = fold(text)
    if not t:
        return None
    if t in {fold(w) for w in OPEN_WORDS}:
        return Side("the best open-weight model", lambda r: r.open, "open", "open", ("open", True))
    if t in {fold(w) for w in CLOSED_WORDS}:
        return Side("the best closed model", lambda r: not r.open, "closed", "closed", ("open", False))
    c = ctx.country(text)
    if c:
        return Side(c, region_pred(c), "country", c, ("country", c))
    m = ctx.orgs.resolve(text)
    if m.found and m.entry is not None and m.status in ("exact", "family", "fuzzy"):
        oid, name = m.entry.id, m.entry.name

        def made_by(r: Rating) -> bool:
            return r.org_id == oid
        return Side(name, made_by, "org", name, ("org", oid))
    return None


def leader_country(ctx: Context, besides: str | None = None) -> str | None:
    """The country with the best-rated model in the latest snapshot (other than `besides`)."""
    view = counted_boards(ctx.read)
    day = view.latest
    for r in view.board(day) if day else []:
        if r.country and r.country != besides:
            return r.country
    return None


def other_side(ctx: Context, side: Side) -> Side | None:
    """What one side is naturally measured against: open vs closed, a country
    vs the leading country (or the runner-up, for the leader)."""
    if side.kind in ("open", "closed"):
        return resolve_side(ctx, "closed" if side.kind == "open" else "open")
    if side.kind == "country":
        lead = leader_country(ctx)
        other = leader_country(ctx, besides=side.key) if lead == side.key else lead
        return resolve_side(ctx, other) if other else None
    if side.kind == "org":  # the organisation with the best-rated model (the runner-up, for the leader)
        day = ctx.read.latest
        other = next((r.organization for r in (ctx.read.board(day) if day else [])
                      if r.organization and r.organization != side.key), None)
        return resolve_side(ctx, other) if other else None
    return None


def _leads(ctx: Context, side: Side) -> bool:
    """Whether `side` has the best-rated model of the latest snapshot."""
    day = ctx.read.latest
    top = next(iter(ctx.read.board(day)), None) if day else None
    return bool(top and side.pred(top))


MAX_SIDE_WORDS = 8  # the longest name of a side in words (countries, organisations, "open weights")


def splits(n: int) -> range:
    """Where `n` words may split into two sides: every point leaving each side at most
    MAX_SIDE_WORDS words. At most 2 x MAX_SIDE_WORDS lookups whatever the length of the text
    (trying every split of 6,000 characters with fuzzy lookups took minutes)."""
    return range(max(1, n - MAX_SIDE_WORDS), min(n, MAX_SIDE_WORDS + 1))


def two_sides(ctx: Context, text: str) -> tuple[Side, Side]:
    ws = words(text)
    if ws and fold(ws[0]) == "leader" and len(ws) > 1:  # "gap leader china" (from ask)
        side = resolve_side(ctx, " ".join(ws[1:]))
        lead = leader_country(ctx, besides=side.key if side else None)
        leader = resolve_side(ctx, lead) if side and lead else None
        if side and leader:
            return leader, side
    parts = split_models(text)
    if len(parts) == 2:
        a, b = resolve_side(ctx, parts[0]), resolve_side(ctx, parts[1])
        if a and b:
            return a, b
        bad = parts[0] if not a else parts[1]
        raise Usage(f"I don't know {bad!r} as a country, an organisation, `open` or `closed`.")
    # a country named in several words ("United States") is one side, not two halves of a name
    whole = ctx.country(text) if len(ws) > 1 else None
    for i in ([] if whole else splits(len(ws))):
        tickets.check()
        a, b = resolve_side(ctx, " ".join(ws[:i])), resolve_side(ctx, " ".join(ws[i:]))
        if a and b:
            return a, b
    one = resolve_side(ctx, text)
    other = other_side(ctx, one) if one else None
    if one and other:
        return (other, one) if one.kind == "open" or one.key != other.key and one.kind in ("country", "org") and \
            _leads(ctx, other) else (one, other)
    raise Usage("Name two sides: countries (`us china`), organisations (`openai google`) or `closed open`.")


def only(side: Side, access: str) -> Side:
    """A side's open-weight (or closed) models only: "the US and China, open models"."""
    want, pred = access == "open", side.pred

    def kept(r: Rating) -> bool:
        return pred(r) and r.open == want
    return Side(f"{side.label} ({'open-weight' if want else 'closed'} models)", kept, "filtered", side.key,
                None if side.index is None else (*side.index, "open", want))


def take_access(ctx: Context, ws: list[str]) -> tuple[list[str], str | None]:
    """An open/closed word that filters two other sides ("gap us china open"):
    (the words without it, "open" or "closed"); (ws, None) when there is none
    or when open/closed is itself a side ("gap closed open", "gap china open")."""
    for k in (2, 1):
        for part, rest in ((ws[-k:], ws[:-k]), (ws[:k], ws[k:])):
            if len(ws) <= k:
                continue
            t = fold(" ".join(part))
            access = "open" if t in {fold(w) for w in OPEN_WORDS} else "closed" if t in {
                fold(w) for w in CLOSED_WORDS} else None
            if access is None:
                continue
            try:
                a, b = two_sides(ctx, " ".join(rest))
            except Usage:
                continue
            if a.kind in ("open", "closed") or b.kind in ("open", "closed") or not _named_both(ctx, rest):
                continue
            return rest, access
    return ws, None


def _named_both(ctx: Context, ws: list[str]) -> bool:
    """Whether the words name two sides themselves (not one side and the one it is measured against)."""
    parts = split_models(" ".join(ws))
    if len(parts) == 2:
        return True
    return any(resolve_side(ctx, " ".join(ws[:i])) and resolve_side(ctx, " ".join(ws[i:])) for i in splits(len(ws)))


CHANGE_MONTHS = (3, 6, 12)


LATE_BOARD_DAYS = 45  # a period's board this much before its start is named by its own span


def gap_changes(series: list[dict]) -> list[dict]:
    """How the gap moved to the last point of `series` over 3, 6 and 12 months:
    for each, the board closest to that many months earlier (on or before it),
    its gap and the change in points of x's lead; and whether the gap (its
    size, whoever leads) widened or narrowed. Where the boards are sparse, a
    board already given for a shorter period is not repeated, and a board
    well before the period's start is named by its real span ("over 7 months")."""
    if not series:
        return []
    last = series[-1]
    now = date.fromisoformat(last["date"])
    out: list[dict] = []
    dates = [p["date"] for p in series]
    for m in CHANGE_MONTHS:
        y, mo = divmod(now.month - 1 - m, 12)
        then = now.replace(year=now.year + y, month=mo + 1, day=min(now.day, 28)).isoformat()
        i = bisect.bisect_right(dates, then) - 1
        if i < 0:
            break
        p = series[i]
        if out and out[-1]["date"] == p["date"]:
            continue  # no board between: the longer period would repeat the shorter one's
        span = m
        if (date.fromisoformat(then) - date.fromisoformat(p["date"])).days > LATE_BOARD_DAYS:
            # the nearest board is well before the period's start (sparse boards): say how long it really is
            span = max(m, round((now - date.fromisoformat(p["date"])).days / 30.44))
        change = last["pct"] - p["pct"]
        trend = "narrowed" if abs(last["pct"]) < abs(p["pct"]) - 0.005 else \
            "widened" if abs(last["pct"]) > abs(p["pct"]) + 0.005 else "held"
        out.append({"months": span, "date": p["date"], "pct": p["pct"], "change": round(change, 3), "trend": trend})
    return out


def changes_line(a: Side, b: Side, changes: list[dict], now: float) -> str:
    """'Trend: over 3 months the gap widened (from 2.51% on 2025-08-06); ...'."""
    ahead = a if now >= 0 else b

    def then(c: dict) -> str:
        other = "" if (c["pct"] >= 0) == (now >= 0) or c["pct"] == 0 else f", {(b if now >= 0 else a).label} ahead then"
        return f"from {abs(c['pct']):.2f}% on {c['date']}{other}"

    parts = [f"over {c['months']} months it {c['trend']} ({then(c)})" for c in changes]
    return f"Trend of the gap ({ahead.label} ahead now): " + "; ".join(parts) + "."


def gap_series(ctx: Context, a: Side, b: Side, until: str | None, view: CountedBoards | None = None) -> list[dict]:
    """The gap on every board both sides are rated on (up to `until`), each
    with its verdict: `leads`, `tied` (95% intervals overlap) or `unknown`.
    Built once per boards and pair of sides, then cut at `until` (the points
    are shared: callers copy what they change)."""
    view = view or counted_boards(ctx.read)

    def build() -> list[dict]:
        out = []
        for d in view.dates:
            ra, rb = _best(view, d, a), _best(view, d, b)
            if ra and rb:
                hi, lo = (ra, rb) if ra.score >= rb.score else (rb, ra)
                out.append({"date": d, "source": view.source_on(d), "a": ra.score, "b": rb.score,
                            "a_model": ra.model, "b_model": rb.model,
                            "a_arena": ra.arena_name, "b_arena": rb.arena_name,
                            "a_key": ra.key or ra.arena_name, "b_key": rb.key or rb.arena_name,
                            "a_ci": [ra.ci_minus, ra.ci_plus], "b_ci": [rb.ci_minus, rb.ci_plus],
                            "verdict": verdict(hi, lo), "_a": ra, "_b": rb,
                            "elo": ra.score - rb.score, "pct": round(pct_gap(ra.score, rb.score), 3)})
        return out

    if a.index is None or b.index is None:
        return [p for p in build() if not until or p["date"] <= until]
    return view.dated(("gap", a.index, b.index), build, until, lambda p: p["date"])


def _best(view: CountedBoards, date: str, side: Side) -> Rating | None:
    """A side's best model on a board (a country's from the board's cached map)."""
    if side.kind == "country" and side.key != "Europe":
        return view.country_best(date).get(side.key)
    return view.best(date, side.pred)


def frontier_series(view: CountedBoards, n: int, until: str | None = None) -> list[dict]:
    """Rank 1 against rank 2 and rank n on every board that rates n models, up
    to `until`: built once per boards and n, then cut (points are shared). The
    one computation of the spread (`frontier`, `digest`, `changes`; records
    read it on :func:`bot.domain.comparable.record_boards`)."""
    def build() -> list[dict]:
        out = []
        for d in view.dates:
            b = view.by_date[d]
            if len(b) >= n:
                t1, t2, tn = b[0].score, b[1].score, b[n - 1].score
                out.append({"date": d, "source": view.source_on(d), "top1": t1, "top2": t2, "topn": tn,
                            "spread_pct": round(pct_gap(t1, tn), 3), "top2_pct": round(pct_gap(t1, t2), 3),
                            "top2_verdict": verdict(b[0], b[1]), "topn_verdict": verdict(b[0], b[n - 1]),
                            "top1_model": b[0].arena_name, "top2_model": b[1].arena_name,
                            "topn_model": b[n - 1].arena_name})
        return out
    return view.dated(("frontier", n), build, until, lambda p: p["date"])
