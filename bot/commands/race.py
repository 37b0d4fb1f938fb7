"""The race on Chatbot Arena: leaderboards, who leads, gaps and the frontier."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from bot.commands.context import Args, Context, Usage
from bot.commands.grammar import split_models, words
from bot.commands.registry import Param, command
from bot.render.text import elo, month, params, pct, score, table
from bot.reply import Chart, Field, Reply
from bot.store import queries
from bot.store.normalize import fold, parse_number
from bot.store.readmodel import Rating, monthly_median, pct_gap, region_pred

ARENA = "lmarena"
HOW_GAP = ("How it's measured: the best-rated model of each side in the same Arena snapshot; "
           "gap = (x − y) ÷ y, the way the AI Index 2025 reports Arena gaps.")


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
    if m.found and m.status in ("exact", "family", "fuzzy"):
        oid = m.entry.id
        return Side(m.entry.name, lambda r, oid=oid: r.org_id == oid, "org", m.entry.name, ("org", oid))
    return None


def leader_country(ctx: Context, besides: str | None = None) -> str | None:
    """The country with the best-rated model in the latest snapshot (other than `besides`)."""
    day = ctx.read.latest
    for r in ctx.read.board(day) if day else []:
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


def two_sides(ctx: Context, text: str) -> tuple[Side, Side]:
    ws = words(text)
    if ws and fold(ws[0]) == "leader" and len(ws) > 1:  # "gap leader china" (from ask)
        side = resolve_side(ctx, " ".join(ws[1:]))
        lead = leader_country(ctx, besides=side.key if side else None)
        if side and lead:
            return resolve_side(ctx, lead), side
    parts = split_models(text)
    if len(parts) == 2:
        a, b = resolve_side(ctx, parts[0]), resolve_side(ctx, parts[1])
        if a and b:
            return a, b
        bad = parts[0] if not a else parts[1]
        raise Usage(f"I don't know {bad!r} as a country, an organisation, `open` or `closed`.")
    for i in range(1, len(ws)):
        a, b = resolve_side(ctx, " ".join(ws[:i])), resolve_side(ctx, " ".join(ws[i:]))
        if a and b:
            return a, b
    one = resolve_side(ctx, text)
    other = other_side(ctx, one) if one else None
    if one and other:
        return (other, one) if one.kind == "open" or one.key != other.key and one.kind in ("country", "org") and \
            _leads(ctx, other) else (one, other)
    raise Usage("Name two sides: countries (`us china`), organisations (`openai google`) or `closed open`.")


def gap_series(ctx: Context, a: Side, b: Side, until: str | None) -> list[dict]:
    """Each snapshot that rates both sides: their best models and the gap.
    Built once per read model and pair of sides from the per-side series it
    keeps (linear in the snapshots), then cut at `until`."""
    def build() -> list[dict]:
        if a.index is not None and b.index is not None:
            best_a = {r.date: r for r in ctx.read.series(a.index)}
            pairs = [(best_a[rb.date], rb) for rb in ctx.read.series(b.index) if rb.date in best_a]
        else:
            pairs = []
            for d in ctx.read.dates:
                ra, rb = ctx.read.best(d, a.pred), ctx.read.best(d, b.pred)
                if ra and rb:
                    pairs.append((ra, rb))
        return [{"date": ra.date, "a": ra.score, "b": rb.score, "a_model": ra.model, "b_model": rb.model,
                 "a_arena": ra.arena_name, "b_arena": rb.arena_name,
                 "elo": ra.score - rb.score, "pct": round(pct_gap(ra.score, rb.score), 3)} for ra, rb in pairs]

    if a.index is None or b.index is None:
        return [p for p in build() if not until or p["date"] <= until]
    return ctx.read.dated(("gap", a.index, b.index), build, until, lambda p: p["date"])


REFERENCE_TOPICS = {("United States", "China"): "us-vs-china", ("closed", "open"): "open-vs-closed"}


def references(ctx: Context, a: Side, b: Side) -> list[dict]:
    """AI Index figures that measure the same gap (sign flipped if the sides are)."""
    for (x, y), topic in REFERENCE_TOPICS.items():
        sign = 1 if (a.key, b.key) == (x, y) else -1 if (a.key, b.key) == (y, x) else 0
        if sign:
            rows = queries.arena_gap_figures(ctx.store, topic)
            return [{**r, "value": sign * r["value"]} for r in rows]
    return []


@command("gap", summary="The lead of one side over another on Chatbot Arena, now and over time.",
         usage="gap <x> <y> [date]", example="gap us china 2025-02", aliases=("lead",), chart=True,
         params=(Param("x", "text", "a country, an organisation, open or closed", True),
                 Param("y", "text", "the other side", True),
                 Param("date", "date", "as of this day, month or year")),
         details="x and y are countries (`us`, `china`), organisations (`openai`, `deepseek`) or "
                 "`open` and `closed`. " + HOW_GAP)
def gap(ctx: Context, args: Args) -> Reply:
    if not args.text:
        raise Usage("Which two sides?")
    a, b = two_sides(ctx, args.text)
    series = gap_series(ctx, a, b, args.until)
    if not series:
        return Reply(text=f"No Arena snapshot{' up to ' + args.when.raw if args.when else ''} rates both "
                          f"{a.label} and {b.label}.", status="ok",
                     data={"x": a.label, "y": b.label, "series": []})
    last = series[-1]
    leader, trailer = (a, b) if last["elo"] >= 0 else (b, a)
    lead_pct = abs(last["pct"]) if last["elo"] >= 0 else abs(pct_gap(last["b"], last["a"]))
    monthly = monthly_median([(p["date"], p["pct"]) for p in series])
    refs = references(ctx, a, b)
    verb = "leads" if last["elo"] else "is level with"
    text = (f"**{leader.label[:1].upper() + leader.label[1:]} {verb} {trailer.label} by {abs(last['elo']):.0f} Elo ({pct(lead_pct, 2)})** "
            f"on Chatbot Arena as of {last['date']}: " +
            (f"{last['a_arena']} {elo(last['a'])} vs {last['b_arena']} {elo(last['b'])}." if leader is a else
             f"{last['b_arena']} {elo(last['b'])} vs {last['a_arena']} {elo(last['a'])}."))
    lines = [text]
    if args.when and (args.when.is_month or args.when.is_year):
        period = args.when.raw[:7]
        pts = [p["pct"] for p in series if p["date"].startswith(period)]
        if pts:
            med = sorted(pts)[len(pts) // 2] if len(pts) % 2 else sum(sorted(pts)[len(pts)//2 - 1:len(pts)//2 + 1]) / 2
            lines.append(f"Across the {len(pts)} snapshots of {args.when.raw}, {a.label} vs {b.label}: "
                         f"median {med:+.2f}% (from {min(pts):+.2f}% to {max(pts):+.2f}%).")
    first = series[0]
    lines.append(f"First snapshot ({first['date']}): {pct(first['pct'], 2)} for {a.label}.")
    for r in refs:
        ours = (f"our median for that month: {pct(monthly[r['period']], 2)}" if r["period"] in monthly
                else "before our first snapshot" if series and r["period"] < series[0]["date"][:7] else "no snapshot then")
        lines.append(f"AI Index 2025: {pct(r['value'], 2)} in {r['period']} ({ours}).")
    lines.append(HOW_GAP)
    fields = [Field(a.label, f"{last['a_arena']}\n{elo(last['a'])} Elo"),
              Field(b.label, f"{last['b_arena']}\n{elo(last['b'])} Elo"),
              Field("Gap", f"{last['elo']:+.0f} Elo\n{last['pct']:+.2f}%")]
    title = f"{a.label} vs {b.label}".replace("the best ", "")
    return Reply(
        text="\n".join(lines), title=f"{title[:1].upper() + title[1:]} on Chatbot Arena", fields=fields,
        footer=ctx.footer(ARENA, "ai-index-2025", as_of=last["date"]) if refs else ctx.footer(ARENA, as_of=last["date"]),
        color_key=leader.key, chart=Chart("gap"),
        data={"x": a.label, "y": b.label, "x_key": a.key, "y_key": b.key, "as_of": last["date"],
              "latest": last, "series": series, "monthly_median_pct": monthly, "reference": refs,
              "leader": leader.label})


@command("race", summary="Who leads the AI race, by country, now and how it changed.",
         usage="race [date]", example="race 2025-01", aliases=("leader", "leaders", "who"), chart=True,
         params=(Param("date", "date", "as of this day, month or year"),))
def race(ctx: Context, args: Args) -> Reply:
    if args.text:
        raise Usage(f"`race` takes only a date; I don't understand {args.text!r}.")
    day = ctx.read.snapshot_on(args.until)
    if day is None:
        return Reply(text="No Arena snapshot that early.", data={"series": {}})
    board = ctx.read.board(day)
    best: dict[str, Rating] = {}
    for r in board:
        if r.country and r.country not in best:
            best[r.country] = r
    ranking = sorted(best.values(), key=lambda r: -r.score)
    countries = [r.country for r in ranking[:6]]
    series = {c: ctx.read.points(("country", c), until=day) for c in countries}
    lead, second = ranking[0], ranking[1] if len(ranking) > 1 else None
    # leadership history: who led at each snapshot
    leaders: list[list] = []
    for d in ctx.read.dates:
        if d > day:
            break
        top = next((r for r in ctx.read.by_date[d] if r.country), None)
        if top and (not leaders or leaders[-1][1] != top.country):
            leaders.append([d, top.country, top.arena_name])
    lines = [f"**{lead.country} leads** on Chatbot Arena as of {day} with {lead.arena_name} "
             f"({lead.organization}, {elo(lead.score)} Elo)."]
    if second:
        lines.append(f"Next: {second.country}, {second.arena_name} at {elo(second.score)} "
                     f"({lead.score - second.score:.0f} Elo, {pct(pct_gap(lead.score, second.score), 2)} behind).")
    us, cn = best.get("United States"), best.get("China")
    if us and cn:
        g = pct_gap(us.score, cn.score)
        first = gap_series(ctx, resolve_side(ctx, "us"), resolve_side(ctx, "china"), day)
        was = first[0] if first else None
        lines.append(f"US vs China: {'+' if g >= 0 else ''}{g:.2f}%"
                     + (f" (was {was['pct']:+.2f}% on {was['date']})." if was else "."))
    if len(leaders) > 1:
        lines.append("Lead changes: " + ", ".join(f"{c} ({d})" for d, c, _ in leaders[-4:]) + ".")
    fields = [Field(f"{i}. {r.country}", f"{r.arena_name}\n{elo(r.score)} Elo") for i, r in enumerate(ranking[:6], 1)]
    return Reply(text="\n".join(lines), title=f"The AI race on Chatbot Arena, {month(day)}", fields=fields,
                 footer=ctx.footer(ARENA, as_of=day), color_key=lead.country, chart=Chart("race"),
                 data={"as_of": day, "countries": countries, "series": series, "leader": lead.country,
                       "ranking": [[r.country, r.score, r.arena_name, r.organization] for r in ranking],
                       "leaders": leaders})


@command("frontier", summary="How close is the frontier: the spread between rank 1 and rank n, over time.",
         usage="frontier [n] [date]", example="frontier 10 2025-02", aliases=("spread", "tight"), chart=True,
         params=(Param("n", "int", "compare rank 1 with rank n (default 10)"),
                 Param("date", "date", "as of this day, month or year")))
def frontier(ctx: Context, args: Args) -> Reply:
    n = 10
    for w in words(args.text):
        if w.isdigit() and 2 <= int(w) <= 100:
            n = int(w)
        else:
            raise Usage(f"I don't understand {w!r}: give n as a number from 2 to 100.")
    day = ctx.read.snapshot_on(args.until)
    if day is None:
        return Reply(text="No Arena snapshot that early.", data={"series": []})
    def spreads() -> list[dict]:  # every snapshot's, once per read model and n
        out = []
        for d in ctx.read.dates:
            b = ctx.read.by_date[d]
            if len(b) >= n:
                t1, t2, tn = b[0].score, b[1].score, b[n - 1].score
                out.append({"date": d, "top1": t1, "top2": t2, "topn": tn,
                            "spread_pct": round(pct_gap(t1, tn), 3), "top2_pct": round(pct_gap(t1, t2), 3),
                            "top1_model": b[0].arena_name, "topn_model": b[n - 1].arena_name})
        return out

    series = ctx.read.dated(("frontier", n), spreads, day, lambda p: p["date"])
    if not series:
        return Reply(text=f"No snapshot has {n} models.", data={"series": []})
    last = series[-1]
    tightest = min(series, key=lambda p: p["spread_pct"])
    widest = max(series, key=lambda p: p["spread_pct"])
    refs = queries.frontier_figures(ctx.store)
    lines = [f"**Rank 1 leads rank {n} by {last['top1'] - last['topn']:.0f} Elo ({pct(last['spread_pct'])})** "
             f"on Chatbot Arena as of {last['date']}; rank 1 leads rank 2 by {pct(last['top2_pct'], 2)}.",
             f"Tightest in this data: {pct(tightest['spread_pct'])} ({tightest['date']}); widest: "
             f"{pct(widest['spread_pct'])} ({widest['date']}).",
             "Tighter than ever? " + ("yes: the spread is at its lowest." if last["spread_pct"] <= tightest["spread_pct"]
                                       else f"no: it was tighter on {tightest['date']}.")]
    if n == 10 and refs:
        def trend(prefix: str) -> str:
            rs = sorted((r for r in refs if r["id"].startswith(prefix)), key=lambda r: r["id"])
            return " → ".join(f"{pct(r['value'])} ({r['period']})" for r in rs)
        lines.append(f"AI Index 2025: rank 1 vs 10 {trend('frontier_top1_top10')}; "
                     f"rank 1 vs 2 {trend('frontier_top1_top2')}.")
    fields = [Field("Rank 1", f"{last['top1_model']}\n{elo(last['top1'])}"),
              Field(f"Rank {n}", f"{last['topn_model']}\n{elo(last['topn'])}"),
              Field("Spread", f"{pct(last['spread_pct'])} (1 vs {n})\n{pct(last['top2_pct'], 2)} (1 vs 2)")]
    return Reply(text="\n".join(lines), title=f"The frontier: rank 1 vs rank {n}", fields=fields,
                 footer=ctx.footer(ARENA, "ai-index-2025", as_of=last["date"]), chart=Chart("frontier"),
                 data={"n": n, "as_of": last["date"], "series": series,
                       "reference": refs if n == 10 else [], "tightest": tightest, "widest": widest})


SIZE_WORDS = {"under": "<=", "below": "<=", "max": "<=", "over": ">=", "above": ">=", "min": ">="}


def _size(word: str) -> float | None:
    """``10B`` -> 1e10: a parameter count with its unit (a bare number is not a size)."""
    if not re.fullmatch(r"\d+(\.\d+)?\s*[kmbt]", word.strip(), re.I):
        return None
    return parse_number(word)


@command("top", summary="A leaderboard: Chatbot Arena by default, or a benchmark; with filters.",
         usage="top [n] [benchmark] [open|closed] [country|region] [organisation] [under|over size] [date]",
         example="top 5 open china", aliases=("leaderboard", "lb", "rank", "ranking"), chart=True,
         params=(Param("n", "int", "how many (default 10, at most 25)"),
                 Param("filters", "text", "a benchmark, open/closed, a country or an organisation"),
                 Param("date", "date", "as of this day, month or year")))
def top(ctx: Context, args: Args) -> Reply:
    n, bench, access, country, org = 10, None, None, None, None
    size: tuple[str, float] | None = None  # ("<=" or ">=", parameters)
    min_elo: float | None = None
    rest = words(args.text)
    i = 0
    while i < len(rest):
        w = rest[i]
        two = " ".join(rest[i:i + 2])
        if w.isdigit():
            n = max(1, min(25, int(w)))
        elif fold(w) in {"arena", "elo", "lmarena", "chatbot"}:
            pass
        elif fold(w) in SIZE_WORDS and i + 1 < len(rest) and _size(rest[i + 1]):
            size = (SIZE_WORDS[fold(w)], _size(rest[i + 1]))
            i += 1
        elif fold(w) in ("above", "over", "min") and i + 1 < len(rest) and re.fullmatch(r"\d{3,4}", rest[i + 1]):
            min_elo = float(rest[i + 1])  # "top 25 above 1400": Arena scores at or above
            i += 1
        elif fold(two) in {fold(x) for x in OPEN_WORDS | CLOSED_WORDS} and " " in two:
            access = "open" if fold(two) in {fold(x) for x in OPEN_WORDS} else "closed"
            i += 1
        elif fold(w) in {fold(x) for x in OPEN_WORDS}:
            access = "open"
        elif fold(w) in {fold(x) for x in CLOSED_WORDS}:
            access = "closed"
        elif " " in two and ctx.country(two):
            country = ctx.country(two)
            i += 1
        elif ctx.country(w):
            country = ctx.country(w)
        elif ctx.benchmark(two) and " " in two:
            bench = ctx.benchmark(two)
            i += 1
        elif ctx.benchmark(w):
            bench = ctx.benchmark(w)
        else:
            # an organisation, of up to three words ("Mistral AI", "Google DeepMind")
            for k in (3, 2, 1):
                if i + k > len(rest):
                    continue
                m = ctx.orgs.resolve(" ".join(rest[i:i + k]))
                if m.found and m.status != "ambiguous" and (k == 1 or m.status == "exact"):
                    org = m.entry
                    i += k - 1
                    break
            else:
                raise Usage(f"I don't know {w!r} as a benchmark, a country, an organisation, `open` or `closed`.")
        i += 1
    filters = [x for x in (access, country, org.name if org else None) if x]
    if size:
        filters.append(("under " if size[0] == "<=" else "over ") + params(size[1]).replace(" parameters", ""))
    if min_elo is not None:
        if bench:
            raise Usage("A minimum Elo is for the Arena board, not a benchmark.")
        filters.append(f"at {elo(min_elo)}+ Elo")
    if bench:
        return _top_benchmark(ctx, args, n, bench, access, country, org, filters, size)
    day = ctx.read.snapshot_on(args.until)
    if day is None:
        return Reply(text="No Arena snapshot that early.", data={"rows": []})

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

    rows = ctx.read.board(day, keep)[:n]
    label = " ".join(filters)
    if not rows:
        return Reply(text=f"No {label + ' ' if label else ''}models on Chatbot Arena as of {day}.",
                     data={"as_of": day, "rows": []})
    body = table([[str(r.rank), r.arena_name[:34], elo(r.score), (r.country or "?")[:14]] for r in rows],
                 ["#", "model", "Elo", "country"])
    text = (f"**Top {len(rows)} {label + ' ' if label else ''}model{'s' * (len(rows) > 1)} on Chatbot Arena** "
            f"as of {day}:\n{body}\n"
            "`#` is Arena's rank among all models (ties share a rank)."
            + (" Sizes as Epoch AI reports them; models of unknown size are left out." if size else ""))
    return Reply(text=text, title=f"Chatbot Arena top {len(rows)}{' · ' + label if label else ''}",
                 footer=ctx.footer(ARENA, as_of=day), color_key=rows[0].country, chart=Chart("top"),
                 data={"as_of": day, "metric": "Arena Elo", "filters": filters,
                       "rows": [{"rank": r.rank, "model": r.arena_name, "score": r.score, "ci_plus": r.ci_plus,
                                 "ci_minus": r.ci_minus, "organization": r.organization, "country": r.country,
                                 "open": r.open} for r in rows]})


def _top_benchmark(ctx, args, n, bench, access, country, org, filters, size=None) -> Reply:
    rows = queries.top_benchmark_scores(ctx.store, bench, n, until=args.until, country=country,
                                        org_id=org.id if org else None, access=access, size=size)
    if not rows:
        return Reply(text=f"No {bench} scores match.", data={"benchmark": bench, "rows": []})
    as_of = max((r["date"] or "") for r in rows) or None
    body = table([[str(i), r["name"][:34], score(r["value"]), (r["country"] or "?")[:14]]
                  for i, r in enumerate(rows, 1)], ["#", "model", "score", "country"])
    label = f" {' '.join(filters)} models" if filters else ""
    return Reply(text=f"**Top {len(rows)}{label} on {bench}** (Epoch AI Benchmarking Hub):\n{body}\nScores as Epoch AI measured them.",
                 title=f"{bench} top {len(rows)}", footer=ctx.footer("epoch-hub", as_of=as_of),
                 color_key=rows[0]["country"], chart=Chart("top"),
                 data={"as_of": as_of, "metric": bench, "filters": filters,
                       "rows": [{"rank": i, "model": r["name"], "score": r["value"] * 100, "country": r["country"],
                                 "organization": r["organization"], "open": r["access"] == "open weights"}
                                for i, r in enumerate(rows, 1)]})
