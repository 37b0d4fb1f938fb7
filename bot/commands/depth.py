"""Depth, not only the leader: how many of each country's models are in the Arena top 10, 20 and 50.

The AI Index's first claim about China is about the *number and quality* of
high-performing models, which the leader alone does not show. `depth`
counts, on every board, each country's models among the first n rated
(best first, after the retired-model rule of :mod:`bot.domain.counted_boards`).
"""
from __future__ import annotations

from collections import Counter

from bot.domain.categories import label as cat_label
from bot.commands import methods
from bot.commands.context import Args, Context
from bot.commands.params import bind_top_n
from bot.commands.registry import Param, command
from bot.render.text import month
from bot.reply import Chart, Field, Reply
from bot.domain.comparable import comparable
from bot.domain.counted_boards import counted_boards, CountedBoards

TIERS = (10, 20, 50)
UNKNOWN = "unknown"
SHOWN = 5  # countries drawn one by one; the rest are "other"


def depth_counts(board: list, n: int) -> Counter:
    """{country: how many of the board's first `n` ratings} ('unknown' when
    the organisation's country is not known). `board` is best first."""
    return Counter((r.country or UNKNOWN) for r in board[:n])


def depth_series(view: CountedBoards, n: int, until: str | None = None) -> list[tuple[str, Counter]]:
    """(date, counts in the top n) for every board with at least n models, up to `until`.

    Counted once per set of boards (one data version, category and rule) and
    n, then cut at `until` by bisect (:meth:`Boards.dated`): the counters are
    shared between answers, so callers must not change them."""
    def build() -> list[tuple[str, Counter]]:
        return [(d, depth_counts(b, n)) for d in view.dates if len(b := view.by_date[d]) >= n]

    return view.dated(("depth", n), build, until, lambda p: p[0])


@command("depth", summary="How many of each country's models are in the Arena top 10, 20 and 50, over time.",
         usage="depth [n] [category] [all] [date]", example="depth 20 2025-02", aliases=("bench-depth", "top-countries"),
         chart=True,
         params=(Param("n", "count", "the top n to chart (default 20; the table gives 10, 20 and 50)"),
                 Param("category", "category", "an Arena category: coding, math, chinese prompts ..."),
                 Param("all", "flag", "every listed model, the retired too"),
                 Param("filler", "word", "", words=("top", "in", "the", "models")),
                 Param("date", "date", "as of this day, month or year")),
         details="Counts each country's models among the first n on every Chatbot Arena board (one board per "
                 "date), after the retired-model rule; `all` counts every listed model.")
def depth(ctx: Context, args: Args) -> Reply:
    n, category, everything, start, until = bind_top_n(ctx, args, n=20, least=1)
    view = counted_boards(ctx.read, everything, category)
    day = view.snapshot_on(until)
    if day is None:
        return Reply(text=f"No Arena snapshot{cat_label(category)} that early.", data={"series": []})
    board = view.by_date[day]
    tiers = sorted(set(TIERS) | {n})
    now = {t: depth_counts(board, t) for t in tiers if len(board) >= t}
    if n not in now:
        return Reply(text=f"The Arena board of {day} rates only {len(board)} models; ask for a smaller top n.",
                     data={"series": [], "as_of": day})
    series = [p for p in depth_series(view, n, day) if not start or p[0] >= start]
    totals: Counter = Counter()
    for _d, c in series:
        totals.update(c)
    countries = [c for c, _k in totals.most_common() if c != UNKNOWN][:SHOWN]
    counts = {c: [s.get(c, 0) for _d, s in series] for c in countries}
    rest_counts = [n - sum(s.get(c, 0) for c in countries) for _d, s in series]
    if any(rest_counts):
        counts["other"] = rest_counts
    first_d, first_c = series[0]
    cur = now[n]
    ranked = sorted(cur.items(), key=lambda kv: (-kv[1], kv[0] == UNKNOWN, kv[0]))
    leader = ranked[0][0]
    level = [c for c, k in ranked if k == cur[leader]]
    china = cur.get("China", 0)
    if len(level) > 1:
        head = f"**{' and '.join(level)} have {cur[leader]} each of the Arena top {n}{cat_label(category)}** as of {day}."
    else:
        head = (f"**{leader} has {cur[leader]} of the Arena top {n}{cat_label(category)}** as of {day}"
                + (f"; China has {china}." if leader != "China" else "."))
    lines = [head]  # the tiers' counts are the embed's table (said once)
    focus = [c for c in ("United States", "China") if c in counts] or countries[:2]
    cmp = comparable(ctx.read, category)
    # records: boards behind their date are left out (see bot.domain.comparable)
    usable = [i for i, (d, _c) in enumerate(series) if everything or not cmp.flagged(d)] or list(range(len(series)))
    for country in focus:
        vals = counts[country]
        peak = max(usable, key=lambda i: (vals[i], series[i][0]))
        lines.append(f"{country} in the top {n}: {first_c.get(country, 0)} on {first_d} → {cur.get(country, 0)} on {day} "
                     f"(most: {vals[peak]}, {series[peak][0]}).")
    # the chart leaves out boards behind their date (a one-day swing that is not one), not the one asked
    drawn = list(range(len(series))) if everything else [
        i for i in range(len(series) - 1) if not cmp.flagged(series[i][0])] + [len(series) - 1]
    if cmp.note(day):
        lines.append(cmp.note(day))
    sources = sorted({view.source_on(d) or "arena-csv" for d, _c in series})
    def tier(counts: Counter) -> str:
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        return "\n".join([f"{c}: {k}" for c, k in ranked[:6]]
                         + ([f"others: {sum(k for _c, k in ranked[6:])}"] if len(ranked) > 6 else []))
    fields = [Field(f"Top {t}", tier(now[t])) for t in tiers if t in now]
    return Reply(text="\n".join(lines), title=f"Depth: countries in the Arena top {n}{cat_label(category)}, {month(day)}",
                 fields=fields, footer=ctx.footer(*sources, as_of=day), color_key=leader, chart=Chart("depth"),
                 method=methods.join(f"Counted on {len(series)} boards, {first_d} to {day}, each board from one "
                                     f"source; the top {n} is the first {n} rated on that board.",
                                     methods.boards(view.rule), methods.ONE_BOARD),
                 data={"n": n, "as_of": day, "dates": [series[i][0] for i in drawn],
                       "counts": {c: [v[i] for i in drawn] for c, v in counts.items()},
                       "now": {str(t): dict(c) for t, c in now.items()}, "all_listed": everything,
                       "rule": view.rule, "sources": sources, "category": category,
                       "seams": cmp.seam_data(first_d, day), "left_out": cmp.flag_data(first_d, day)})
