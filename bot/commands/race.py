"""The race on Chatbot Arena: leaderboards, who leads, gaps and the frontier."""
from __future__ import annotations

from collections import Counter

import statistics

from bot.domain.categories import OVERALL, label as cat_label
from bot.commands.depth import depth as depth_command
from bot.commands.context import Args, Context, Usage
from bot.commands.grammar import words
from bot.commands.params import bind, bind_top_n
from bot.commands.registry import Param, at_refresh, command, find
from bot.commands.thin import source_runs, thin
from bot.render.text import clip_name, elo, month, params, pct, score, table
from bot.reply import Chart, Field, Reply
from bot.commands.difference import difference, verdict
from bot.store import queries
from bot.store.importers.figures import edition_label
from bot.domain.comparable import RECORDS_RULE, comparable, record_boards
from bot.domain.counted_boards import counted_boards, CountedBoards
from bot.domain.ties import interval, shared_ranks
from bot.domain.normalize import fold
from bot.domain.measures import monthly_median, pct_gap, reversed_gap
from bot.domain.regions import region_pred
from bot.store.readmodel import Rating
from bot.commands import methods
from bot.commands.sides import (Side, changes_line, frontier_series, gap_changes, gap_series, only,
                                resolve_side, take_access, two_sides)

ARENA = "arena-csv"
HOW_GAP = methods.GAP

# a table's name column: 40 characters keep all but 3 of the 650 Arena names whole (the rest clip in the middle)
NAME_WIDTH = 40


def _sources(series: list[dict]) -> list[str]:
    """The Arena sources a series read, oldest first (for the footer)."""
    return list(dict.fromkeys(p.get("source") or ARENA for p in series))


def _public(series: list[dict]) -> list[dict]:
    """The series without the rating objects (reply data is plain JSON)."""
    return [{k: v for k, v in p.items() if not k.startswith("_")} for p in series]


def _gap_digest(view: CountedBoards, a: Side, b: Side, full: list[dict]) -> tuple[list[dict], dict[str, float], Counter]:
    """The whole gap series as reply data, its monthly medians and snapshots
    per month: once per boards and pair of sides (a request slices them)."""
    def build() -> tuple[list[dict], dict[str, float], Counter]:
        return (_public(full), monthly_median([(p["date"], p["pct"]) for p in full]),
                Counter(p["date"][:7] for p in full))
    if a.index is None or b.index is None:
        return build()
    return view.memo(("gap digest", a.index, b.index), build)


REFERENCE_TOPICS = {("United States", "China"): "us-vs-china", ("closed", "open"): "open-vs-closed"}


def references(ctx: Context, a: Side, b: Side) -> list[dict]:
    """AI Index figures that measure the same gap (recomputed on the other base if the sides are reversed).
    A side narrowed to its open or closed models is another gap than the
    report's (its figures compare each side's best model of any kind): none."""
    if "filtered" in (a.kind, b.kind):
        return []
    for (x, y), topic in REFERENCE_TOPICS.items():
        sign = 1 if (a.key, b.key) == (x, y) else -1 if (a.key, b.key) == (y, x) else 0
        if sign:
            rows = queries.arena_gap_figures(ctx.store, topic)
            # the other direction is recomputed on the other side's base, never only negated
            # (a gap in percent of the trailer's score; a gap in points is only negated)
            return [{**r, "value": r["value"] if sign == 1 else round(reversed_gap(r["value"]), 4)
                     if r.get("unit") in (None, "%", "percent") else -r["value"]} for r in rows]
    return []


@command("gap", summary="The lead of one side over another on Chatbot Arena, now and over time.",
         usage="gap <x> <y> [open|closed] [category] [all] [date]", example="gap us china 2025-02", aliases=("lead",), chart=True,
         params=(Param("x", "text", "a country, an organisation, open or closed", True, rest=True),
                 Param("y", "text", "the other side", True),  # x and y: the words the others leave, read as two sides
                 Param("category", "category", "an Arena category: coding, math, creative writing, chinese prompts ..."),
                 Param("all", "flag", "every listed model, the retired too"),
                 Param("date", "date", "as of this day, month or year")),
         details="x and y are countries (`us`, `china`), organisations (`openai`, `deepseek`) or "
                 "`open` and `closed`. " + HOW_GAP)
def gap(ctx: Context, args: Args) -> Reply:
    v = bind(ctx, args, category=OVERALL)
    category, everything = v.category, bool(v.all)
    start, until = (v.date.start, v.date.until) if v.date else (None, None)
    rest = words(args.text)
    if not rest and category == OVERALL:
        raise Usage("Which two sides?")
    sides, access = take_access(ctx, rest)
    try:
        a, b = two_sides(ctx, " ".join(sides))
    except Usage:
        if category == OVERALL:
            raise
        a, b = two_sides(ctx, " ".join(rest + v.spent["category"].split()))  # a side after all ("gap us chinese")
        category = OVERALL
    if access:
        a, b = only(a, access), only(b, access)
    view = counted_boards(ctx.read, everything, category)
    cut = gap_series(ctx, a, b, until, view)
    series = [p for p in cut if not start or p["date"] >= start]
    if not series:
        return Reply(text=f"No Arena board{cat_label(category)}{' up to ' + args.when.raw if args.when else ''} "
                          f"rates both {a.label} and {b.label}.", status="ok",
                     data={"x": a.label, "y": b.label, "series": []})
    # the whole history, whatever the date asked: the AI Index's months are compared with it
    full = gap_series(ctx, a, b, None, view)
    last = series[-1]
    ra, rb = last["_a"], last["_b"]
    leader, trailer, rl, rt = (a, b, ra, rb) if last["elo"] >= 0 else (b, a, rb, ra)
    public, monthly, per_month = _gap_digest(view, a, b, full)
    refs = references(ctx, a, b) if category == OVERALL else []
    cap = leader.label[:1].upper() + leader.label[1:]
    lines = [f"{difference(cap, trailer.label, rl, rt)} on Chatbot Arena{cat_label(category)} as of {last['date']}: "
             f"{rl.arena_name} {elo(rl.score)} vs {rt.arena_name} {elo(rt.score)}."]
    if args.when and not start and (args.when.is_month or args.when.is_year):
        period = args.when.raw[:7]
        pts = [p["pct"] for p in series if p["date"].startswith(period)]
        if pts:
            tied_n = sum(1 for p in series if p["date"].startswith(period) and p["verdict"] == "tied")
            lines.append(f"Across the {len(pts)} snapshots of {args.when.raw}, {a.label} vs {b.label}: "
                         f"median {statistics.median(pts):+.2f}% (from {min(pts):+.2f}% to {max(pts):+.2f}%)"
                         + (f"; statistically tied on {tied_n} of them." if tied_n else "."))
    cmp = comparable(ctx.read, category)
    # the trend reads boards changes may use (a board behind its date is left out, unless it is the one asked)
    changes = gap_changes([p for p in cut[:-1] if everything or not cmp.flagged(p["date"])] + cut[-1:])
    if changes:
        lines.append(changes_line(a, b, changes, cut[-1]["pct"]))
    first = series[0] if start else full[0]
    lines.append(f"{'From' if start else 'First snapshot'} ({first['date']}): {pct(first['pct'], 2)} for {a.label}.")
    said: list[str] = []  # the AI Index's figures beside ours, on one line
    for r in refs:
        n_month = per_month.get(r["period"], 0)
        ours = (f"ours {pct(monthly[r['period']], 2)}, median of {n_month} snapshot"
                f"{'s' * (n_month != 1)}" if r["period"] in monthly
                else "before our first snapshot" if r["period"] < full[0]["date"][:7]
                else "after our latest snapshot" if r["period"] > full[-1]["date"][:7]
                else "no snapshot of ours that month")
        said.append(f"{edition_label(r['source_id'])}: {pct(r['value'], 2)} in {r['period']} ({ours})")
    if said:
        lines.append("; ".join(said) + ".")
    if cmp.note(last["date"]):
        lines.append(cmp.note(last["date"]))
    # the embed adds the chart (and the source); the figures are the text's, said once
    title = f"{a.label} vs {b.label}".replace("the best ", "")
    return Reply(
        text="\n".join(lines), title=f"{title[:1].upper() + title[1:]} on Chatbot Arena{cat_label(category)}",
        method=methods.join(HOW_GAP, methods.TIES, methods.boards(view.rule), methods.ONE_BOARD),
        footer=ctx.footer(*_sources(series), *dict.fromkeys(r["source_id"] for r in refs), as_of=last["date"]),
        color_key=leader.key, chart=Chart("gap"),
        data={"x": a.label, "y": b.label, "x_key": a.key, "y_key": b.key, "as_of": last["date"],
              "latest": public[len(cut) - 1],
              "series": thin(public[len(cut) - len(series):len(cut)] if everything
                             else cmp.drawn(public[len(cut) - len(series):len(cut)]), _pct_of, source=_source_of),
              "monthly_median_pct": dict(monthly),
              "reference": refs, "leader": leader.label, "verdict": last["verdict"], "category": category,
              "changes": changes, "access": access,
              "all_listed": everything, "rule": view.rule,
              "seams": cmp.seam_data(series[0]["date"], last["date"]),
              "left_out": cmp.flag_data(series[0]["date"], last["date"])})


def _pct_of(p: dict) -> float:
    return p["pct"]


def _spread_of(p: dict) -> float:
    return p["spread_pct"]


def _source_of(p: dict) -> str | None:
    return p.get("source")


def _score_of(p: list) -> float:
    return p[1]


@at_refresh
def _comparable(read, previous) -> None:
    """The overall boards' scales, seams and flags, and the boards records read, before anyone
    asks (race, gap, frontier, depth, records and digest read them)."""
    comparable(read)
    record_boards(read)
    record_boards(read, public=False)


@at_refresh
def _country_bests(read, previous) -> None:
    """Each country's best model on every counted board, before anyone asks (race, gap and
    country read them); a patched model's boards that did not change keep theirs."""
    view = counted_boards(read)
    for d in view.dates:
        view.country_best(d)


@command("race", summary="Who leads the AI race, by country, now and how it changed.",
         usage="race [category] [all] [date]", example="race 2025-01", aliases=("leader", "leaders", "who"),
         chart=True,
         params=(Param("category", "category", "an Arena category: coding, math, creative writing, chinese prompts ..."),
                 Param("all", "flag", "every listed model, the retired too"),
                 Param("date", "date", "as of this day, month or year")))
def race(ctx: Context, args: Args) -> Reply:
    ws = words(args.raw)
    if ws and fold(ws[0]) == "depth":  # `race depth [n] [date]` is `depth`
        return depth_command(ctx, Args(find("depth"), " ".join(ws[1:]), args.text, args.when, args.attachments))
    v = bind(ctx, args, category=OVERALL)
    category, everything = v.category, bool(v.all)
    view = counted_boards(ctx.read, everything, category)
    day = view.snapshot_on(args.until)
    if day is None:
        return Reply(text=f"No Arena snapshot{cat_label(category)} that early.", data={"series": {}})
    board = view.board(day)
    best: dict[str, Rating] = {}
    for r in board:
        if r.country and r.country not in best:
            best[r.country] = r
    ranking = sorted(best.values(), key=lambda r: -r.score)
    countries = [r.country for r in ranking[:6]]
    series = {c: view.dated(("points", c), lambda c=c: [[p.date, p.score, p.arena_name] for p in view.country_series(c)],
                            day, lambda p: p[0]) for c in countries}
    lead, second = ranking[0], ranking[1] if len(ranking) > 1 else None
    # leadership history: who led at each snapshot
    def lead_changes() -> list[list]:  # [date, country, model] each time the leading country changed
        out: list[list] = []
        for d in view.dates:
            top = next((r for r in view.by_date[d] if r.country), None)
            if top and (not out or out[-1][1] != top.country):
                out.append([d, top.country, top.arena_name])
        return out

    leaders = view.dated(("leaders",), lead_changes, day, lambda p: p[0])
    v = verdict(lead, second) if second else "leads"
    if v == "tied":
        lines = [f"**{lead.country} and {second.country} are statistically tied** at the top of Chatbot Arena as of "
                 f"{day}{ctx.board_label(day)}{cat_label(category)}: {lead.arena_name} ({lead.organization}) {interval(lead)} vs {second.arena_name} "
                 f"({second.organization}) {interval(second)}; the 95% intervals overlap."]
    else:
        lines = [f"**{lead.country} leads** on Chatbot Arena{cat_label(category)} as of {day}{ctx.board_label(day)} with {lead.arena_name} "
                 f"({lead.organization}, {elo(lead.score)} Elo)."]
        if second:
            lines.append(f"Next: {second.country}, {second.arena_name} at {elo(second.score)} "
                         f"({lead.score - second.score:.0f} Elo, {pct(pct_gap(lead.score, second.score), 2)} behind"
                         + ("; no intervals from this source, so no claim of significance)." if v == "unknown" else ")."))
    us, cn = best.get("United States"), best.get("China")
    if us and cn:
        g = pct_gap(us.score, cn.score)
        first = gap_series(ctx, resolve_side(ctx, "us"), resolve_side(ctx, "china"), day, view)
        was = first[0] if first else None
        hi, lo = (us, cn) if us.score >= cn.score else (cn, us)
        lines.append(f"US vs China: {'+' if g >= 0 else ''}{g:.2f}%"
                     + (" (statistically tied)" if verdict(hi, lo) == "tied" else "")
                     + (f" (was {was['pct']:+.2f}% on {was['date']})." if was else "."))
    if len(leaders) > 1:
        lines.append("Lead changes: " + ", ".join(f"{c} ({d})" for d, c, _ in leaders[-4:]) + ".")
    # the embed adds the countries the text does not name (the first two are said above)
    named = 2 if second else 1
    fields = [Field(f"{i}. {r.country}", f"{r.arena_name}\n{elo(r.score)} Elo")
              for i, r in enumerate(ranking[:6], 1) if i > named]
    shown = [{"date": d, "source": view.source_on(d)} for d in view.dates if d <= day]
    used = list(dict.fromkeys(p["source"] or ARENA for p in shown))
    return Reply(text="\n".join(lines), title=f"The AI race on Chatbot Arena{cat_label(category)}, {month(day)}",
                 fields=fields, footer=ctx.footer(*used, as_of=day), color_key=lead.country,
                 chart=Chart("race"), method=methods.join(methods.boards(view.rule), methods.TIES, methods.ONE_BOARD),
                 data={"as_of": day, "board_note": ctx.read.board_note(day), "countries": countries,
                       "series": {c: thin(ps, _score_of) for c, ps in series.items()}, "leader": lead.country,
                       "verdict": v, "all_listed": everything, "rule": view.rule, "category": category,
                       "board_sources": source_runs(shown),
                       "ranking": [[r.country, r.score, r.arena_name, r.organization, r.key or r.arena_name]
                                   for r in ranking],
                       "leaders": leaders,
                       "seams": comparable(ctx.read, category).seam_data(view.dates[0], day)})


@command("frontier", summary="How close is the frontier: the spread between rank 1 and rank n, over time.",
         usage="frontier [n] [category] [all] [date]", example="frontier 10 2025-02", aliases=("spread", "tight"),
         chart=True,
         params=(Param("n", "count", "compare rank 1 with rank n (default 10)"),
                 Param("category", "category", "an Arena category: coding, math, creative writing, chinese prompts ..."),
                 Param("all", "flag", "every listed model, the retired too"),
                 Param("date", "date", "as of this day, month or year")))
def frontier(ctx: Context, args: Args) -> Reply:
    n, category, everything, start, until = bind_top_n(ctx, args, n=10, least=2)
    view = counted_boards(ctx.read, everything, category)
    day = view.snapshot_on(until)
    if day is None:
        return Reply(text=f"No Arena snapshot{cat_label(category)} that early.", data={"series": []})
    series = [p for p in frontier_series(view, n, day) if not start or p["date"] >= start]
    if not series:
        return Reply(text=f"No snapshot has {n} models.", data={"series": []})
    full_series = series
    if n == 10 and category == OVERALL:  # the AI Index's months are compared with the whole history, whatever the date asked
        full_series = frontier_series(view, 10)
    last = series[-1]
    cmp = comparable(ctx.read, category)
    # records: among public builds, on boards not behind their date (`all`: every listed rating, every board)
    record = [p for p in frontier_series(record_boards(ctx.read, everything, category), n, day)
              if not start or p["date"] >= start] or series
    tightest = min(record, key=lambda p: p["spread_pct"])
    widest = max(record, key=lambda p: p["spread_pct"])
    now_rec = record[-1] if record[-1]["date"] == last["date"] else None
    refs = queries.frontier_figures(ctx.store) if category == OVERALL else []
    b = view.by_date[last["date"]]
    lines = [f"{difference('Rank 1', f'rank {n}', b[0], b[n - 1], digits=1)} on Chatbot Arena{cat_label(category)} "
             f"as of {last['date']}; "
             f"{difference(f'rank 1 ({b[0].arena_name})', f'rank 2 ({b[1].arena_name})', b[0], b[1], bold=False)}.",
             f"Tightest in this data: {pct(tightest['spread_pct'])} ({tightest['date']}); widest: "
             f"{pct(widest['spread_pct'])} ({widest['date']}).",
             "Tighter than ever? " + ("yes: the spread is at its lowest." if now_rec and now_rec["spread_pct"]
                                       <= tightest["spread_pct"] else f"no: it was tighter on {tightest['date']}.")]
    if n == 10 and refs:
        def trend(prefix: str) -> str:
            rs = sorted((r for r in refs if r["id"].startswith(prefix)), key=lambda r: r["id"])
            return " → ".join(f"{pct(r['value'])} ({r['period']})" for r in rs)
        lines.append(f"AI Index 2025: rank 1 vs 10 {trend('frontier_top1_top10')}; "
                     f"rank 1 vs 2 {trend('frontier_top1_top2')}.")
        ours = []
        for year in sorted({r["period"][-4:] for r in refs if r["period"][-4:].isdigit()}):
            jan = [p for p in full_series if p["date"].startswith(f"{year}-01")]
            if jan:
                ours.append(f"January {year}: " + ", ".join(f"{pct(p['spread_pct'])} ({p['date'][5:]})" for p in jan))
        if ours:
            lines.append("Our boards (rank 1 vs 10) in " + "; ".join(ours) + ".")
    if cmp.note(last["date"]):
        lines.append(cmp.note(last["date"]))
    # the embed adds the two ratings (the spread is the text's)
    fields = [Field("Rank 1", f"{last['top1_model']}\n{elo(last['top1'])}"),
              Field(f"Rank {n}", f"{last['topn_model']}\n{elo(last['topn'])}")]
    used = list(dict.fromkeys(view.source_on(p["date"]) or ARENA for p in series))
    return Reply(text="\n".join(lines), title=f"The frontier: rank 1 vs rank {n}{cat_label(category)}", fields=fields,
                 footer=ctx.footer(*used, *(["ai-index-2025"] if refs else []), as_of=last["date"]),
                 chart=Chart("frontier"), method=methods.join(
                     f"Spread: rank 1's rating over rank {n}'s, (r1 − r{n}) ÷ r{n}, on each board.",
                     None if everything else f"Tightest and widest: {RECORDS_RULE}.",
                     methods.boards(view.rule), methods.ONE_BOARD),
                 data={"n": n, "as_of": last["date"],
                       "series": thin(series if everything else cmp.drawn(series), _spread_of, source=_source_of),
                       "all_listed": everything, "rule": view.rule,
                       "category": category,
                       "reference": refs if n == 10 else [], "tightest": tightest, "widest": widest,
                       "seams": cmp.seam_data(series[0]["date"], last["date"]),
                       "left_out": cmp.flag_data(series[0]["date"], last["date"])})


@command("top", summary="A leaderboard: Chatbot Arena by default, or a benchmark; with filters.",
         usage="top [n] [benchmark|category] [open|closed] [country|region] [organisation] [under|over size] [all] [date]",
         example="top 5 open china", aliases=("leaderboard", "lb", "rank", "ranking"), chart=True,
         params=(Param("n", "count", "how many (default 10, at most 25)"),
                 Param("benchmark", "benchmark", "a benchmark (GPQA Diamond, FrontierMath ...) instead of Arena"),
                 Param("category", "category", "an Arena category: coding, math, creative writing, chinese prompts ..."),
                 Param("access", "access", "open or closed weights"),
                 Param("country", "country", "a country or a region"),
                 Param("org", "org", "an organisation"),
                 Param("size", "size", "under or over a size: under 10B, over 100B"),
                 Param("min_elo", "threshold", "Arena scores at or above: above 1400"),
                 Param("arena", "word", "", words=("arena", "elo", "lmarena", "chatbot", "on")),
                 Param("all", "flag", "every listed model, the retired too"),
                 Param("date", "date", "as of this day, month or year")))
def top(ctx: Context, args: Args) -> Reply:
    v = bind(ctx, args, n=10, category=OVERALL)
    n, bench, access, country, org, category = max(1, min(25, v.n)), v.benchmark, v.access, v.country, v.org, v.category
    size = (v.size.op, v.size.value) if v.size else None  # ("<=" or ">=", parameters)
    min_elo, everything = v.min_elo, bool(v.all)
    filters = [x for x in (access, country, org.name if org else None) if x]
    if size:
        filters.append(("under " if size[0] == "<=" else "over ") + params(size[1]).replace(" parameters", ""))
    if min_elo is not None:
        if bench:
            raise Usage("A minimum Elo is for the Arena board, not a benchmark.")
        filters.append(f"at {elo(min_elo)}+ Elo")
    if bench and category != OVERALL:
        raise Usage(f"Name either a benchmark ({bench}) or an Arena category ({category}), not both.")
    if bench:
        return _top_benchmark(ctx, args, n, bench, access, country, org, filters, size)
    view = counted_boards(ctx.read, everything, category)
    day = view.snapshot_on(args.until)
    if day is None:
        return Reply(text=f"No Arena snapshot{cat_label(category)} that early"
                          + (" (categories start with LMArena's first catalog release)." if category != OVERALL else "."),
                     data={"rows": []})

    in_region = region_pred(country) if country else None
    sizes = {mid: m["parameters"] for mid, m in ctx.read.models.items()} if size else {}

    def keep(r: Rating) -> bool:
        if min_elo is not None and r.score < min_elo:
            return False
        if size:
            p = sizes.get(r.model_id)
            if not p or (p > size[1] if size[0] == "<=" else p < size[1]):
                return False
        return ((access is None or r.open == (access == "open")) and (in_region is None or in_region(r))
                and (org is None or r.org_id == org.id))

    full = view.board(day)
    shared = shared_ranks(full)
    rows = [r for r in full if keep(r)][:n]
    label = " ".join(filters)
    if not rows:
        return Reply(text=f"No {label + ' ' if label else ''}models on Chatbot Arena{cat_label(category)} as of {day}.",
                     data={"as_of": day, "rows": []})

    def shown_rank(r: Rating) -> str:
        return f"={r.rank}" if r.rank in shared else str(r.rank)

    body = table([[shown_rank(r), clip_name(r.arena_name, NAME_WIDTH), elo(r.score), _ci(r), (r.country or "?")[:14]] for r in rows],
                 ["#", "model", "Elo", "95% CI", "country"])
    ties = sorted({r.rank for r in rows if r.rank in shared})
    left = len(view.left_out(day)) if not everything else 0
    text = (f"**Top {len(rows)} {label + ' ' if label else ''}model{'s' * (len(rows) > 1)} on Chatbot Arena"
            f"{cat_label(category)}** as of {day}{ctx.board_label(day)}:\n{body}"
            + (f"\nShared ranks (statistically tied): {', '.join('=' + str(k) for k in ties)}." if ties else "")
            + ("\nSizes as Epoch AI reports them; models of unknown size are left out." if size else "")
            + (f"\n{note}" if (note := comparable(ctx.read, category).note(day)) else ""))
    rule = methods.boards(view.rule)
    if left:
        rule = f"{rule[:-1]} ({left} retired left out on this board)."
    return Reply(text=text, title=f"Chatbot Arena top {len(rows)}{cat_label(category)}{' · ' + label if label else ''}",
                 method=methods.join(methods.RANKS, rule, methods.TIES),
                 footer=ctx.footer(view.source_on(day) or ARENA, as_of=day), color_key=rows[0].country,
                 chart=Chart("top"),
                 data={"as_of": day, "metric": "Arena Elo", "filters": filters, "all_listed": everything,
                       "board_note": ctx.read.board_note(day),
                       "category": category, "source": view.source_on(day),
                       "rule": view.rule, "left_out": left,
                       "rows": [{"rank": r.rank, "shared_rank": r.rank in shared, "model": r.arena_name,
                                 "key": r.key or r.arena_name,
                                 "score": r.score, "ci_plus": r.ci_plus,
                                 "ci_minus": r.ci_minus, "organization": r.organization, "country": r.country,
                                 "open": r.open} for r in rows]})


def _ci(r: Rating) -> str:
    if r.ci_plus is None or r.ci_minus is None:
        return "n/a"
    return f"+{r.ci_plus:.0f}/-{r.ci_minus:.0f}"


def _top_benchmark(ctx, args, n, bench, access, country, org, filters, size=None) -> Reply:
    rows = queries.top_benchmark_scores(ctx.store, bench, n, until=args.until, country=country,
                                        org_id=org.id if org else None, access=access, size=size)
    if not rows:
        return Reply(text=f"No {bench} scores match.", data={"benchmark": bench, "rows": []})
    as_of = max((r["date"] or "") for r in rows) or None
    body = table([[str(i), clip_name(r["name"], NAME_WIDTH), score(r["value"]), (r["country"] or "?")[:14]]
                  for i, r in enumerate(rows, 1)], ["#", "model", "score", "country"])
    label = f" {' '.join(filters)} models" if filters else ""
    return Reply(text=f"**Top {len(rows)}{label} on {bench}** (Epoch AI Benchmarking Hub):\n{body}\nScores as Epoch AI measured them.",
                 title=f"{bench} top {len(rows)}", footer=ctx.footer("epoch-hub", as_of=as_of),
                 color_key=rows[0]["country"], chart=Chart("top"),
                 data={"as_of": as_of, "metric": bench, "filters": filters,
                       "rows": [{"rank": i, "model": r["name"], "score": r["value"] * 100, "country": r["country"],
                                 "organization": r["organization"], "open": r["access"] == "open weights"}
                                for i, r in enumerate(rows, 1)]})
