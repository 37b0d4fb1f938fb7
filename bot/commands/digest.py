"""What changed on the boards: ``changes [since date]`` and the weekly ``digest``.

Both compare two Chatbot Arena boards of the data: the latest snapshot and
the latest one on or before a day (``since``; for the digest, seven days of
data before the latest snapshot). They say which snapshots they compare, so
the answer stays true when the data has not moved for a while.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.commands import methods
from bot.commands.context import Args, Context, Usage
from bot.commands.registry import Param, command
from bot.render.text import elo
from bot.reply import Chart, Field, Reply
from bot.commands.sides import frontier_series, gap_series, resolve_side
from bot.domain.comparable import comparable
from bot.domain.counted_boards import CountedBoards, counted_boards
from bot.store.readmodel import Rating

ARENA = "arena-csv"  # named when the read model does not know a board's source
MOVES = 5


def _board(view: CountedBoards, day: str) -> list[Rating]:
    """One row per model (its best counted Arena entry), best first."""
    seen: set[int] = set()
    out = []
    for r in view.board(day):
        if r.model_id not in seen:
            seen.add(r.model_id)
            out.append(r)
    return out


GAPS = (("US vs China", "United States", "China"), ("Closed vs open", "closed", "open"))


def _gap_at(series: list[dict], day: str) -> tuple[float, str, str] | None:
    p = next((p for p in series if p["date"] == day), None)
    return None if p is None else (p["pct"], p["a_arena"], p["b_arena"])


def usable_before(ctx: Context, view: CountedBoards, day: str | None) -> tuple[str | None, dict | None]:
    """The latest board on or before `day` that changes may compare, and the
    flag of the board skipped for it (a board behind its date: see
    :mod:`bot.domain.comparable`), if any."""
    cmp = comparable(ctx.read)
    d = view.snapshot_on(day)
    skipped = None
    while d is not None and (flag := cmp.flagged(d)) is not None:
        skipped = skipped or flag.as_data()
        i = view.dates.index(d)
        d = view.dates[i - 1] if i else None
    return d, skipped


def compare_boards(ctx: Context, then: str, now: str) -> dict[str, Any]:
    """New entries, biggest rises and falls (in Elo), #1, gaps and the spread at
    two boards: the counted boards, the gap and spread computed as `gap` and
    `frontier` compute them. Rises and falls only between boards on one rating
    scale (none across a seam)."""
    view = counted_boards(ctx.read)
    cmp = comparable(ctx.read)
    b0, b1 = _board(view, then), _board(view, now)
    place0 = {r.model_id: i for i, r in enumerate(b0, 1)}
    place1 = {r.model_id: i for i, r in enumerate(b1, 1)}
    new = [r for r in b1 if r.model_id not in place0]
    score0 = {r.model_id: r.score for r in b0}
    comparable_scale = cmp.same_scale(then, now)
    moves = sorted(((r.score - score0[r.model_id], r) for r in b1 if r.model_id in place0), key=lambda m: -m[0]) \
        if comparable_scale else []
    rises = [(d, r) for d, r in moves if d > 0][:MOVES]
    falls = [(d, r) for d, r in reversed(moves) if d < 0][:MOVES]
    # across a seam, places are what compares: the biggest climbs and drops in places instead
    shifts = [] if comparable_scale else sorted(
        ((place0[r.model_id] - place1[r.model_id], r) for r in b1 if r.model_id in place0),
        key=lambda m: (-m[0], place1[m[1].model_id]))
    climbs = [(d, r) for d, r in shifts if d > 0][:MOVES]
    drops = sorted(((d, r) for d, r in shifts if d < 0), key=lambda m: (m[0], place1[m[1].model_id]))[:MOVES]
    gaps = {}
    for label, x, y in GAPS:
        a, b = resolve_side(ctx, x), resolve_side(ctx, y)
        series = gap_series(ctx, a, b, now, view) if a and b else []
        gaps[label] = (_gap_at(series, then), _gap_at(series, now))
    spread = {p["date"]: p["spread_pct"] for p in frontier_series(view, 10, now) if p["date"] in (then, now)}
    return {"then": then, "now": now, "b0": b0, "b1": b1, "new": new, "rises": rises, "falls": falls, "climbs": climbs, "drops": drops,
            "place0": place0, "place1": place1, "gaps": gaps, "spread": spread, "same_scale": comparable_scale,
            "seams": cmp.seams_between(then, now), "left_out": cmp.flag_data(then, now), "rule": view.rule}


def _gap_line(label: str, pair: tuple) -> str:
    def one(g):
        return "n/a" if g is None else f"{g[0]:+.2f}% ({g[1]} vs {g[2]})"
    return f"{label}: {one(pair[0])} → {one(pair[1])}"


def changes_reply(ctx: Context, then: str, now: str, *, title: str, digest: bool = False,
                  skipped: dict | None = None) -> Reply:
    c = compare_boards(ctx, then, now)
    b0, b1 = c["b0"], c["b1"]
    lines = [f"**Chatbot Arena, {then} → {now}**" + ("" if then != now else " (no newer snapshot in that time)") + "."]
    lines += [f"The {d} board is a {ctx.read.board_note(d)} since." for d in dict.fromkeys((then, now))
              if ctx.read.board_note(d)]
    if b0 and b1:
        if b0[0].model_id != b1[0].model_id:
            lines.append(f"New #1: **{b1[0].arena_name}** ({elo(b1[0].score)} Elo), was {b0[0].arena_name} "
                         f"({elo(b0[0].score)}).")
        elif c["same_scale"]:
            lines.append(f"#1 unchanged: {b1[0].arena_name} ({elo(b0[0].score)} → {elo(b1[0].score)} Elo).")
        else:
            lines.append(f"#1 unchanged: {b1[0].arena_name}.")
    fields: list[Field] = []
    if c["new"]:
        fields.append(Field(f"New on the board ({len(c['new'])})", "\n".join(
            f"#{c['place1'][r.model_id]} {r.arena_name} ({elo(r.score)})" for r in c["new"][:8])
            + (f"\n… and {len(c['new']) - 8} more" if len(c["new"]) > 8 else ""), inline=False))
    else:
        lines.append("No new models on the board.")
    def move(d: float, r: Rating, unit: str) -> str:
        amount = f"{d:+.0f} Elo" if unit == "Elo" else f"{d:+d} places"
        return f"{r.arena_name}: {amount} (#{c['place0'][r.model_id]} → #{c['place1'][r.model_id]})"

    for key, name, unit in (("rises", "Biggest rises", "Elo"), ("falls", "Biggest falls", "Elo"),
                            ("climbs", "Biggest climbs (places)", "places"),
                            ("drops", "Biggest drops (places)", "places")):
        if c[key]:
            fields.append(Field(name, "\n".join(move(d, r, unit) for d, r in c[key])))
    gap_lines = [_gap_line(label, pair) for label, pair in c["gaps"].items()]
    fields.append(Field("Gaps then → now", "\n".join(gap_lines), inline=False))
    if digest and c["spread"]:
        fields.append(Field("Frontier spread (#1 vs #10)", " → ".join(
            f"{v:.2f}% ({d})" for d, v in c["spread"].items()), inline=False))
    src_then, src_now = ctx.read.source_of(then) or ARENA, ctx.read.source_of(now) or ARENA
    if not c["same_scale"]:  # a difference across a seam is not a change: no rises and falls
        lines.append("The two boards are on different rating scales (" + "; ".join(
            f"{s.date}: {s.label}" for s in c["seams"]) + "), so Elo rises and falls between them are not changes "
            "and none are shown; places (climbs and drops), gaps and the spread are within each board.")
    if skipped:
        lines.append(f"The {skipped['date']} board is left out ({skipped['label']}): compared with the board "
                     "before it.")
    rows = b1[:10]
    top0 = b0[:10]
    shown = {r.model_id for r in rows}
    score0 = {r.model_id: r.score for r in b0}
    score1 = {r.model_id: r.score for r in b1}
    scales_differ = (ctx.read.scale_of(then) or ARENA) != (ctx.read.scale_of(now) or ARENA)
    return Reply(
        text="\n".join(lines), title=title, fields=fields, footer=ctx.footer(src_then, src_now, as_of=now),
        method=methods.join("Rises and falls are Elo changes of models on both boards (places by score, one entry "
                            "per model); gaps are (x − y) ÷ y of the best of each side." if c["same_scale"] else None,
                            methods.GAP, methods.boards(c["rule"])),
        color_key=b1[0].country if b1 else None, chart=Chart("changes") if rows else None,
        data={"as_of": now, "since": then, "metric": "Arena Elo", "filters": [],
              "new": [r.arena_name for r in c["new"]],
              "rises": [[r.arena_name, round(d, 1), c["place0"][r.model_id], c["place1"][r.model_id]]
                        for d, r in c["rises"]],
              "falls": [[r.arena_name, round(d, 1), c["place0"][r.model_id], c["place1"][r.model_id]]
                        for d, r in c["falls"]],
              "climbs": [[r.arena_name, d, c["place0"][r.model_id], c["place1"][r.model_id]] for d, r in c["climbs"]],
              "drops": [[r.arena_name, d, c["place0"][r.model_id], c["place1"][r.model_id]] for d, r in c["drops"]],
              "gaps": {k: [None if g is None else round(g[0], 3) for g in pair] for k, pair in c["gaps"].items()},
              "spread": {d: round(v, 3) for d, v in c["spread"].items()},
              "same_scale": c["same_scale"], "seams": [x.as_data() for x in c["seams"]], "left_out": c["left_out"],
              "skipped": skipped, "rule": c["rule"],
              "rows": [{"rank": i, "model": r.arena_name, "score": r.score, "ci_plus": r.ci_plus,
                        "ci_minus": r.ci_minus, "organization": r.organization, "country": r.country,
                        "open": r.open, "before_rank": c["place0"].get(r.model_id),
                        "before_score": score0.get(r.model_id)} for i, r in enumerate(rows, 1)],
              "left": [{"model": r.arena_name, "before_rank": i, "before_score": r.score,
                        "rank": c["place1"].get(r.model_id), "score": score1.get(r.model_id), "country": r.country}
                       for i, r in enumerate(top0, 1) if r.model_id not in shown],
              "scales_differ": scales_differ})


def week_before(day: str) -> str:
    return (date.fromisoformat(day) - timedelta(days=7)).isoformat()


def digest_reply(ctx: Context, last: str | None = None) -> Reply:
    """The weekly digest: the last seven days of data (latest snapshot vs seven days before it). With
    `last` (the day of the last digest posted) and no board newer than it, one line says so instead
    of the same comparison again."""
    now = counted_boards(ctx.read).latest
    if now is None:
        return Reply(text="There is no Arena data yet.", data={"rows": []})
    if last is not None and now <= last:
        age = ctx.data_age()
        return Reply(text=f"No new Arena board since the last digest ({last}): the newest is still the {now} board"
                          + (f" ({age.words})." if age is not None else "."),
                     title=f"Weekly AI race digest: no new board since {last}",
                     data={"no_news": True, "since": last, "as_of": now, "rows": []})
    view = counted_boards(ctx.read)
    then, skipped = usable_before(ctx, view, last if last is not None else week_before(now))
    then = then or view.dates[0]  # with `last`: everything since the last digest's newest board
    return changes_reply(ctx, then, now, title=f"Weekly AI race digest: the {then} board → the {now} board",
                         digest=True, skipped=skipped)


@command("changes", summary="What changed between two Arena boards: new entries, rises and falls, leaders and gaps.",
         usage="changes [since date]", example="changes since 2025-06", aliases=("changed", "diff"), chart=True,
         params=(Param("since", "date", "compare with the board on this day (default: 7 days of data before the latest)"),))
def changes(ctx: Context, args: Args) -> Reply:
    rest = args.text.strip().lower()
    if rest not in ("", "since", "from"):
        raise Usage(f"`changes` takes only a date, like `changes since 2025-06`; I don't understand {args.text!r}.")
    view = counted_boards(ctx.read)
    now = view.latest
    if now is None:
        return Reply(text="There is no Arena data yet.", data={"rows": []})
    since = args.when.start if args.when else week_before(now)
    then, skipped = usable_before(ctx, view, since)
    if then is None:
        raise Usage(f"The first Arena snapshot is {view.dates[0]}; pick a date on or after it.")
    return changes_reply(ctx, then, now, title=f"What changed on Chatbot Arena since {then}", skipped=skipped)


@command("digest", summary="The weekly digest now: new models, the #1, the US-China and open-closed gaps, the spread.",
         usage="digest [since date]", example="digest", aliases=("weekly",), chart=True,
         params=(Param("since", "date", "the day of the last digest: only what came after it (one line if nothing)"),))
def digest(ctx: Context, args: Args) -> Reply:
    rest = args.text.strip().lower()
    if rest not in ("", "since") or (rest == "since" and args.when is None):
        raise Usage("`digest` takes at most `since <date>`; `changes since <date>` compares any two boards.")
    return digest_reply(ctx, args.when.start if args.when else None)
