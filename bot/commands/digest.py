"""What changed on the boards: ``changes [since date]`` and the weekly ``digest``.

Both compare two Chatbot Arena boards of the data: the latest snapshot and
the latest one on or before a day (``since``; for the digest, seven days of
data before the latest snapshot). They say which snapshots they compare, so
the answer stays true when the data has not moved for a while.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.commands.context import Args, Context, Usage
from bot.commands.registry import Param, command
from bot.render.text import elo
from bot.reply import Chart, Field, Reply
from bot.domain.measures import pct_gap
from bot.store.readmodel import Rating

ARENA = "arena-csv"  # named when the read model does not know a board's source
MOVES = 5


def _board(ctx: Context, day: str) -> list[Rating]:
    """One row per model (its best Arena entry), best first."""
    seen: set[int] = set()
    out = []
    for r in ctx.read.board(day):
        if r.model_id not in seen:
            seen.add(r.model_id)
            out.append(r)
    return out


def _gap(board: list[Rating], a, b) -> tuple[float, Rating, Rating] | None:
    ra, rb = next((r for r in board if a(r)), None), next((r for r in board if b(r)), None)
    return (pct_gap(ra.score, rb.score), ra, rb) if ra and rb else None


GAPS = (("US vs China", lambda r: r.country == "United States", lambda r: r.country == "China"),
        ("Closed vs open", lambda r: not r.open, lambda r: r.open))


def compare_boards(ctx: Context, then: str, now: str) -> dict[str, Any]:
    """New entries, biggest rises and falls (in Elo), #1 and gaps at two snapshots."""
    b0, b1 = _board(ctx, then), _board(ctx, now)
    place0 = {r.model_id: i for i, r in enumerate(b0, 1)}
    place1 = {r.model_id: i for i, r in enumerate(b1, 1)}
    new = [r for r in b1 if r.model_id not in place0]
    score0 = {r.model_id: r.score for r in b0}
    moves = sorted(((r.score - score0[r.model_id], r) for r in b1 if r.model_id in place0), key=lambda m: -m[0])
    rises = [(d, r) for d, r in moves if d > 0][:MOVES]
    falls = [(d, r) for d, r in reversed(moves) if d < 0][:MOVES]
    gaps = {}
    for label, a, b in GAPS:
        g0, g1 = _gap(b0, a, b), _gap(b1, a, b)
        gaps[label] = (g0, g1)
    spread = {}
    for day, board in ((then, b0), (now, b1)):
        if len(board) >= 10:
            spread[day] = pct_gap(board[0].score, board[9].score)
    return {"then": then, "now": now, "b0": b0, "b1": b1, "new": new, "rises": rises, "falls": falls,
            "place0": place0, "place1": place1, "gaps": gaps, "spread": spread}


def _gap_line(label: str, pair: tuple) -> str:
    def one(g):
        return "n/a" if g is None else f"{g[0]:+.2f}% ({g[1].arena_name} vs {g[2].arena_name})"
    return f"{label}: {one(pair[0])} → {one(pair[1])}"


def changes_reply(ctx: Context, then: str, now: str, *, title: str, digest: bool = False) -> Reply:
    c = compare_boards(ctx, then, now)
    b0, b1 = c["b0"], c["b1"]
    lines = [f"**Chatbot Arena, {then} → {now}**" + ("" if then != now else " (no newer snapshot in that time)") + "."]
    lines += [f"The {d} board is a {ctx.read.board_note(d)} since." for d in dict.fromkeys((then, now))
              if ctx.read.board_note(d)]
    if b0 and b1:
        if b0[0].model_id != b1[0].model_id:
            lines.append(f"New #1: **{b1[0].arena_name}** ({elo(b1[0].score)} Elo), was {b0[0].arena_name} "
                         f"({elo(b0[0].score)}).")
        else:
            lines.append(f"#1 unchanged: {b1[0].arena_name} ({elo(b0[0].score)} → {elo(b1[0].score)} Elo).")
    fields: list[Field] = []
    if c["new"]:
        fields.append(Field(f"New on the board ({len(c['new'])})", "\n".join(
            f"#{c['place1'][r.model_id]} {r.arena_name} ({elo(r.score)})" for r in c["new"][:8])
            + (f"\n… and {len(c['new']) - 8} more" if len(c["new"]) > 8 else ""), inline=False))
    else:
        lines.append("No new models on the board.")
    def move(d: float, r: Rating) -> str:
        return f"{r.arena_name}: {d:+.0f} Elo (#{c['place0'][r.model_id]} → #{c['place1'][r.model_id]})"

    if c["rises"]:
        fields.append(Field("Biggest rises", "\n".join(move(d, r) for d, r in c["rises"])))
    if c["falls"]:
        fields.append(Field("Biggest falls", "\n".join(move(d, r) for d, r in c["falls"])))
    gap_lines = [_gap_line(label, pair) for label, pair in c["gaps"].items()]
    fields.append(Field("Gaps then → now", "\n".join(gap_lines), inline=False))
    if digest and c["spread"]:
        fields.append(Field("Frontier spread (#1 vs #10)", " → ".join(
            f"{v:.2f}% ({d})" for d, v in c["spread"].items()), inline=False))
    lines.append("Rises and falls are Elo changes of models on both boards (places by score, one entry per model); "
                 "gaps are (x − y) ÷ y of the best of each side.")
    src_then, src_now = ctx.read.source_of(then) or ARENA, ctx.read.source_of(now) or ARENA
    if (ctx.read.scale_of(then) or ARENA) != (ctx.read.scale_of(now) or ARENA):  # each source its own scale: say so
        lines.append(f"The two boards come from different sources ({ctx.read.source(src_then).get('title', src_then)}, "
                     f"{ctx.read.source(src_now).get('title', src_now)}), each on its own rating scale: Elo rises "
                     "and falls include the difference between the scales; places and gaps are within each board.")
    rows = b1[:10]
    return Reply(
        text="\n".join(lines), title=title, fields=fields, footer=ctx.footer(src_then, src_now, as_of=now),
        color_key=b1[0].country if b1 else None, chart=Chart("top") if rows else None,
        data={"as_of": now, "since": then, "metric": "Arena Elo", "filters": [],
              "new": [r.arena_name for r in c["new"]],
              "rises": [[r.arena_name, round(d, 1), c["place0"][r.model_id], c["place1"][r.model_id]]
                        for d, r in c["rises"]],
              "falls": [[r.arena_name, round(d, 1), c["place0"][r.model_id], c["place1"][r.model_id]]
                        for d, r in c["falls"]],
              "gaps": {k: [None if g is None else round(g[0], 3) for g in pair] for k, pair in c["gaps"].items()},
              "spread": {d: round(v, 3) for d, v in c["spread"].items()},
              "rows": [{"rank": i, "model": r.arena_name, "score": r.score, "ci_plus": r.ci_plus,
                        "ci_minus": r.ci_minus, "organization": r.organization, "country": r.country,
                        "open": r.open} for i, r in enumerate(rows, 1)]})


def week_before(day: str) -> str:
    return (date.fromisoformat(day) - timedelta(days=7)).isoformat()


def digest_reply(ctx: Context, last: str | None = None) -> Reply:
    """The weekly digest: the last seven days of data (latest snapshot vs seven days before it). With
    `last` (the day of the last digest posted) and no board newer than it, one line says so instead
    of the same comparison again."""
    now = ctx.read.latest
    if now is None:
        return Reply(text="There is no Arena data yet.", data={"rows": []})
    if last is not None and now <= last:
        age = ctx.data_age()
        return Reply(text=f"No new Arena board since the last digest ({last}): the newest is still the {now} board"
                          + (f" ({age.words})." if age is not None else "."),
                     title=f"Weekly AI race digest: no new board since {last}",
                     data={"no_news": True, "since": last, "as_of": now, "rows": []})
    then = ctx.read.snapshot_on(week_before(now)) or ctx.read.dates[0]
    if last is not None:  # everything since the last digest's newest board
        then = ctx.read.snapshot_on(last) or then
    return changes_reply(ctx, then, now, title=f"Weekly AI race digest: the {then} board → the {now} board",
                         digest=True)


@command("changes", summary="What changed between two Arena boards: new entries, rises and falls, leaders and gaps.",
         usage="changes [since date]", example="changes since 2025-06", aliases=("changed", "diff"), chart=True,
         params=(Param("since", "date", "compare with the board on this day (default: 7 days of data before the latest)"),))
def changes(ctx: Context, args: Args) -> Reply:
    rest = args.text.strip().lower()
    if rest not in ("", "since", "from"):
        raise Usage(f"`changes` takes only a date, like `changes since 2025-06`; I don't understand {args.text!r}.")
    now = ctx.read.latest
    if now is None:
        return Reply(text="There is no Arena data yet.", data={"rows": []})
    since = args.when.start if args.when else week_before(now)
    then = ctx.read.snapshot_on(since)
    if then is None:
        raise Usage(f"The first Arena snapshot is {ctx.read.dates[0]}; pick a date on or after it.")
    return changes_reply(ctx, then, now, title=f"What changed on Chatbot Arena since {then}")


@command("digest", summary="The weekly digest now: new models, the #1, the US-China and open-closed gaps, the spread.",
         usage="digest [since date]", example="digest", aliases=("weekly",), chart=True,
         params=(Param("since", "date", "the day of the last digest: only what came after it (one line if nothing)"),))
def digest(ctx: Context, args: Args) -> Reply:
    rest = args.text.strip().lower()
    if rest not in ("", "since") or (rest == "since" and args.when is None):
        raise Usage("`digest` takes at most `since <date>`; `changes since <date>` compares any two boards.")
    return digest_reply(ctx, args.when.start if args.when else None)
