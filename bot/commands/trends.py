"""Long-run trends from Epoch AI's notable models: counts, compute, small models."""
from __future__ import annotations

import math
import re
from typing import Any
from collections import Counter, defaultdict

from bot.commands import methods
from bot.commands.context import Args, Context, NotFound, Usage
from bot.commands.grammar import words
from bot.commands.params import bind
from bot.commands.registry import Param, at_refresh, command
from bot.render.text import elo, params
from bot.reply import Chart, Field, Reply
from bot.store import queries
from bot.store.importers.figures import edition_label
from bot.domain.comparable import RECORDS_RULE, comparable
from bot.domain.counted_boards import wants_all
from bot.domain.regions import in_region, model_in
from bot.domain.normalize import fold
from bot.domain.validate import small_float

NOTABLE = ("epoch", "moderator")


@command("count", summary="How many notable AI models, per year and by country, organisation or sector.",
         usage="count [year] [country|organisation] [by country|organisation|sector]", example="count 2024 by country",
         aliases=("models", "how-many", "n"), chart=True,
         params=(Param("year", "date", "one year"),
                 Param("who", "text", "only this country, region or organisation", rest=True),
                 Param("by", "text", "country, organisation or sector")))
def count(ctx: Context, args: Args) -> Reply:
    by = None
    when = bind(ctx, args).year  # the words left (who, by ...) are args.text
    if when and when.since:
        raise Usage("`count` counts one year (`count 2024`) or every year, not since one.")
    year = when.when.raw[:4] if when else None
    rest = [w for w in words(args.text) if fold(w) not in ("by", "in", "per", "from")]
    who_words: list[str] = []
    for w in rest:
        f = fold(w)
        if f in ("country", "countries", "nation"):
            by = "country"
        elif f in ("org", "orgs", "organisation", "organization", "organisations", "organizations", "lab", "company"):
            by = "organization"
        elif f in ("sector", "sectors", "industry", "academia"):
            by = "sector"
        else:
            who_words.append(w)
    label, keep = "", (lambda m: True)
    if who_words:
        who = " ".join(who_words)
        c = ctx.country(who)
        o = None if c else ctx.orgs.resolve(who)
        if c:
            label = c
            keep = model_in(c)
        elif o is not None and o.found and o.status != "ambiguous":
            label = o.entry.name
            keep = lambda m, oid=o.entry.id: m["org_id"] == oid  # noqa: E731
        else:
            raise Usage(f"I don't understand {who!r}: name a country or an organisation, or group "
                        "`by country`, `by organisation` or `by sector`.")
    by = by or ("organization" if label else "country")
    col = {"country": "country", "organization": "org_name", "sector": "sector"}[by]
    models = [m for m in ctx.read.visible_models() if m["origin"] in NOTABLE and m["release_date"] and keep(m)]
    where = f" from {label}" if label else ""
    per: dict[str, Counter] = defaultdict(Counter)
    for m in models:
        per[m["release_date"][:4]][m[col] or "unknown"] += 1
    years = sorted(per)
    if year and year not in per:
        return Reply(text=f"No notable models{where} in {year} in Epoch AI's data.",
                     data={"year": year, "groups": {}, "who": label or None})
    if year:
        counts = per[year]
        total = sum(counts.values())
        ranked = counts.most_common()
        lines = [f"**{total} notable AI model{'' if total == 1 else 's'}{where} in {year}** (Epoch AI), by {by}: " +
                 ", ".join(f"{g} {n}" for g, n in ranked[:6]) + others(ranked, 6, by) + "."]
        refs = queries.notable_model_counts(ctx.store, year) if by == "country" or label else []
        if label:
            refs = [r for r in refs if r["subject"] == label]
        if refs:
            def ours(subject: str) -> int:  # Epoch AI's count for what the report counted (a region: its countries)
                if by != "country":
                    return sum(counts.values())
                return sum(n for g, n in counts.items() if in_region(g, subject))

            for sid in dict.fromkeys(r["source_id"] for r in refs):  # each edition that counted this year
                rs = sorted((r for r in refs if r["source_id"] == sid), key=lambda r: -r["value"])
                lines.append(f"The {edition_label(sid)} counted " + ", ".join(
                    f"{r['subject']} {r['value']:.0f} (Epoch AI now: {ours(r['subject'])})" for r in rs) +
                    "; the report's counts (Epoch AI has revised its data since).")
        shown_years = years[-10:]
        top_groups = [g for g, _ in ranked[:6]]
        named = set(top_groups)  # the text gives these counts: the embed does not repeat them
    else:
        shown_years = years[-10:]
        total_counts = Counter()
        for y in shown_years:
            total_counts.update(per[y])
        top_groups = [g for g, _ in total_counts.most_common(6)]
        last = shown_years[-1]
        lines = [f"**Notable AI models{where} per year** (Epoch AI), by {by}, {shown_years[0]}–{last}. "
                 f"{last}: {sum(per[last].values())} models, led by " +
                 ", ".join(f"{g} {n}" for g, n in per[last].most_common(3)) + others(per[last].most_common(), 3, by) + "." +
                 (f" In all: {sum(sum(c.values()) for c in per.values()):,} notable models"
                  f"{where} from {years[0]} to {years[-1]}." if years else "")]
        refs = []
        named = {g for g, _n in per[last].most_common(3)}
    groups = {g: [per[y].get(g, 0) for y in shown_years] for g in top_groups}
    groups["other"] = [sum(per[y].values()) - sum(per[y].get(g, 0) for g in top_groups) for y in shown_years]
    if not any(groups["other"]):
        del groups["other"]
    focus = year or shown_years[-1]
    fields = [Field(g, str(per[focus].get(g, 0))) for g in top_groups if per[focus].get(g, 0) and g not in named]
    rest = sum(n for g, n in per[focus].items() if g not in top_groups)
    if rest and not year:  # the groups neither the text nor a field above names
        fields.append(Field(f"Other {PLURAL[by]}", str(rest)))
    return Reply(text="\n".join(lines), title=f"Notable AI models{where}{' in ' + year if year else ''} by {by}",
                 method=f"Counted by the first {by} Epoch AI lists for each model.",
                 fields=fields, footer=ctx.footer("epoch-notable", *dict.fromkeys(r["source_id"] for r in refs),
                                                   as_of=ctx.read.source("epoch-notable").get("as_of")),
                 color_key=top_groups[0] if top_groups else None, chart=Chart("count"),
                 data={"by": by, "year": year, "years": shown_years, "groups": groups, "who": label or None,
                       "total": sum(per[year].values()) if year else None, "reference": refs})


PLURAL = {"country": "countries", "organization": "organisations", "sector": "sectors"}


def others(ranked: list[tuple[str, int]], shown: int, by: str) -> str:
    """', others: n (from k more countries)' after the first `shown` groups of a breakdown: none is
    dropped silently, and the count of models is not mistaken for the count of groups."""
    rest = ranked[shown:]
    if not rest:
        return ""
    groups = PLURAL.get(by, "groups") if len(rest) > 1 else by.replace("organization", "organisation")
    return f", others: {sum(n for _g, n in rest)} (from {len(rest)} more {groups})"


def fit_doubling(points: list[tuple[float, float]]) -> dict | None:
    """Least-squares fit of log10(compute) against time in years; the
    doubling time in months is 12·log10(2)/slope."""
    if len(points) < 3:
        return None
    n = len(points)
    xs = [p[0] for p in points]
    ys = [math.log10(p[1]) for p in points]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    intercept = my - slope * mx
    return {"slope_log10_per_year": slope, "intercept": intercept,
            "doubling_months": 12 * math.log10(2) / slope if slope > 0 else None, "n": n}


def year_fraction(d: str) -> float:
    y, m, day = int(d[:4]), int(d[5:7] or 1), int(d[8:10] or 1)
    return y + (m - 1) / 12 + (day - 1) / 365


@command("compute", summary="Training compute of notable models over time, and how fast it doubles.",
         usage="compute [country|organisation] [since year]", example="compute china",
         aliases=("flop", "scale", "doubling"), chart=True,
         params=(Param("who", "text", "a country or an organisation", rest=True),
                 Param("date", "date", "as of a date, or since a year: since 2020")))
def compute(ctx: Context, args: Args) -> Reply:
    when = bind(ctx, args).date
    label, pred, key = "all notable models", (lambda m: True), None
    text = args.text
    if text:
        c = ctx.country(text)
        if c:
            label, key, pred = c, c, model_in(c)
        else:
            mt = ctx.org(text, rebuild="compute {}")
            oid = mt.entry.id
            label, key, pred = mt.entry.name, mt.entry.name, (lambda m, oid=oid: m["org_id"] == oid)
    since = when.start if when and when.since else "2010-01-01"
    until = when.until if when else None
    models = [m for m in ctx.read.visible_models()
              if m["origin"] in NOTABLE and m["training_compute"] and m["release_date"] and pred(m)
              and m["release_date"] >= since and (not until or m["release_date"] <= until)]
    if len(models) < 3:
        return Reply(text=f"Too few notable models with known training compute for {label}.",
                     data={"points": [], "label": label})
    fit = fit_doubling([(year_fraction(m["release_date"]), m["training_compute"]) for m in models])
    recent = [m for m in models if m["release_date"] >= "2020-01-01"]
    fit_recent = fit_doubling([(year_fraction(m["release_date"]), m["training_compute"]) for m in recent])
    biggest = max(models, key=lambda m: m["training_compute"])
    lines = [f"**Training compute of {label} doubles every {fit['doubling_months']:.1f} months** "
             f"(least-squares fit over {fit['n']} models since {min(m['release_date'] for m in models)[:4]}, Epoch AI)."
             if fit and fit["doubling_months"] else f"No growth trend for {label}."]
    if fit_recent and fit_recent["doubling_months"]:
        lines.append(f"Since 2020: every {fit_recent['doubling_months']:.1f} months ({fit_recent['n']} models).")
    lines.append(f"Largest: {biggest['name']} ({biggest['org_name']}, {biggest['release_date']}) at "
                 f"{biggest['training_compute']:.1e} FLOP.")
    ref = queries.figure(ctx.store, "compute_doubling")
    if ref and not key:
        lines.append(f"The AI Index 2025 reports a doubling about every {ref['value']:.0f} months.")
    pts = [[m["name"], m["release_date"], m["training_compute"], m["country"], m["org_name"]] for m in models]
    return Reply(text="\n".join(lines), title=f"Training compute: {label}",
                 fields=[Field("Doubling time", f"{fit['doubling_months']:.1f} months" if fit and fit["doubling_months"] else "n/a"),
                         Field("Models", str(len(models))),
                         Field("Largest", f"{biggest['name']}\n{biggest['training_compute']:.1e} FLOP")],
                 footer=ctx.footer("epoch-notable", *(["ai-index-2025"] if ref and not key else []),
                                   as_of=max(m["release_date"] for m in models)),
                 color_key=key, chart=Chart("compute"),
                 data={"label": label, "points": pts, "fit": fit, "fit_since_2020": fit_recent,
                       "reference_months": ref["value"] if ref and not key else None})


DEFAULT_SMALL = ("GPQA diamond", 0.5)


SMALL_WORDS = ("arena", "elo", "lmarena", "on", "above", "at", "least", "reach", "reaches", "score")


def _rival(ctx: Context, raw: str) -> tuple[str, float, str] | None:
    """``small gpt-4 [benchmark]``: the model whose best score is the bar,
    as (benchmark or "arena", its best score there, its name); None when the
    words name no model (they are a threshold and a benchmark)."""
    ws = words(raw)
    while ws and fold(ws[0]) in ("as", "good", "like", "than", "beat", "beats", "match", "matches", "rival"):
        ws = ws[1:]  # "small as good as gpt-4o": the model is the bar
    bench = None
    whole = ctx.models.resolve(" ".join(ws)) if ws else None
    named = whole is not None and whole.found and whole.status == "exact"  # "GPT-4o (Mar 2025)": no benchmark in it
    if len(ws) > 1 and not named and (fold(ws[-1]) in ("arena", "elo", "lmarena") or (
            ctx.benchmark(ws[-1]) and not re.fullmatch(r"[\d.]+", ws[-1]))):  # ("claude opus 5": a version)
        bench = "arena" if fold(ws[-1]) in ("arena", "elo", "lmarena") else ctx.benchmark(ws[-1])
        ws = ws[:-1]
    if not ws or all(re.fullmatch(r"[\d.]+%?", w) for w in ws):
        return None
    m = ctx.models.resolve(" ".join(ws))
    # words that are no threshold, benchmark or filler are a name; one the data lacks (a version after it,
    # one that never was) is unknown, never another model's bar
    glued = [w for w in ws if re.search(r"[a-z]", w.lower()) and re.search(r"\d", w)]  # "glm-5", "blip-2.1"
    named_words = [w for w in ws if not re.fullmatch(r"[\d.]+%?", w) and fold(w) not in SMALL_WORDS
                   and (w in glued or not ctx.benchmark(w))]
    modelish = bool(glued) or any(
        w in named_words and re.fullmatch(r"v?\d{1,2}(\.\d+)?", v) for w, v in zip(ws, ws[1:]))  # "blip-2.1", "glm 5"
    if not m.found and named_words and (m.suggestions or modelish):
        raise NotFound("model", m, "small {}" + (f" {bench}" if bench else ""))
    if not m.found or m.status not in ("exact", "family") or (len(ws) == 1 and ctx.benchmark(ws[0])):
        return None
    mid, name = m.entry.id, m.entry.name
    if bench in (None, "arena"):
        hist = ctx.read.model_history(mid)
        if not hist:
            raise Usage(f"{name} is not on the Arena leaderboard, so it sets no bar there; name a benchmark.")
        return "arena", max(r.score for r in hist), name
    got = [s["value"] for s in ctx.read.scores(mid) if s["benchmark"] == bench]
    if not got:
        raise Usage(f"Epoch AI has no {bench} score for {name}.")
    return bench, got[0] * 100, name


def _benchmark_named(ctx: Context, ws: list[str]) -> tuple[list[str], str | None]:
    """A benchmark whose name is several words, written whole ("math level 5"), taken out of the
    words first: its number is part of its name, never a threshold (`small 60% math level 5`)."""
    folded = [fold(w) for w in ws]
    for b in sorted(ctx.read.benchmarks, key=len, reverse=True):
        parts = fold(b).split()
        if len(parts) < 2:
            continue
        for i in range(len(folded) - len(parts) + 1):
            if folded[i:i + len(parts)] == parts:
                return ws[:i] + ws[i + len(parts):], b
    return ws, None


@command("small", summary="The smallest model that reaches a score, over time: small models rival the behemoths.",
         usage="small [threshold|model] [benchmark|arena] [all]", example="small 40% gpqa", aliases=("smallest", "tiny"),
         chart=True, params=(Param("threshold", "text", "a score (40% for a benchmark, 1300 for Arena Elo) or a model to match"),
                             Param("benchmark", "benchmark", "a benchmark, or arena")))
def small(ctx: Context, args: Args) -> Reply:
    bench, threshold = None, None
    ws, everything = wants_all(words(args.raw))
    rest, named = _benchmark_named(ctx, ws)
    rest = [w for w in rest if fold(w) not in SMALL_WORDS] if named else rest  # "60 on" math level 5
    # a model as the bar ("small gpt-4o", "small as good as claude 3 opus gpqa"), read from the words
    # without a benchmark named whole (whose number is no threshold: "small 60 on math level 5")
    rival = _rival(ctx, " ".join(rest)) if named and rest else None if named else _rival(ctx, " ".join(ws))
    if rival is not None and named:
        rival = _rival(ctx, " ".join(ws))  # a model and a benchmark named whole: read together, as before
    if rival is not None:
        bench, threshold, _name = rival
    else:
        ws, bench = rest, named or bench
    for w in ([] if rival is not None else ws):
        f = w.rstrip("%")
        try:
            value = small_float(f)
            if value is None:
                raise ValueError(f)
            threshold = value
            continue
        except ValueError:
            pass
        if fold(w) in ("arena", "elo", "lmarena"):
            bench = "arena"
        elif ctx.benchmark(w):
            bench = ctx.benchmark(w)
        elif fold(w) in SMALL_WORDS:
            continue
        else:
            raise Usage(f"I don't know the benchmark {w!r}. Known: arena, " + ", ".join(ctx.read.benchmarks) + ".")
    if bench is None:
        bench = "arena" if threshold and threshold > 100 else DEFAULT_SMALL[0]
    if bench == "arena":
        threshold = threshold or 1250
        reached, best = arena_reach(arena_boards(ctx, everything), threshold, ctx.read, everything)
        unit, fmt = "Elo", elo
    else:
        threshold = DEFAULT_SMALL[1] * 100 if threshold is None else threshold
        if threshold > 100:
            raise Usage("A benchmark threshold is a percentage from 0 to 100.")
        reached, best = benchmark_reach(ctx, bench, threshold)
        unit, fmt = "%", (lambda v: f"{v:.1f}%")
    models = ctx.read.models
    visible = {mid for mid, m in models.items() if not m["hidden"]}
    reached = {mid: v for mid, v in reached.items() if mid in visible}
    best = {mid: v for mid, v in best.items() if mid in visible}
    # every point: a model's reaching score (or its best, if it never reached the threshold)
    points = []
    for mid, (sc, d, _as_name) in {**best, **reached}.items():
        m = models[mid]
        if m["parameters"]:
            points.append([m["name"], m["parameters"], sc, d, m["country"]])
    sized = sorted(((d, models[mid]["parameters"], models[mid]["name"], sc, as_name)
                    for mid, (sc, d, as_name) in reached.items() if models[mid]["parameters"]),
                   key=lambda x: (x[0], x[1]))
    record = []
    for d, size, name, sc, _as in sized:
        if not record or size < record[-1][2]:
            record.append([d, name, size, sc])
    unknown = sorted(([d, models[mid]["name"], sc, as_name]
                      for mid, (sc, d, as_name) in reached.items() if not models[mid]["parameters"]),
                     key=lambda x: (x[0], x[1]))
    where = "Chatbot Arena" if bench == "arena" else bench
    refs = queries.small_model_figures(ctx.store)
    # the sources of the boards the points come from (never a default source)
    used = sorted({p[3] for p in points}) if bench == "arena" else []
    src = ["epoch-notable", *(dict.fromkeys(ctx.read.scale_of(d) or "arena-csv" for d in used) if bench == "arena"
                              else ["epoch-hub"])] + (["ai-index-2025"] if refs else [])
    data = {"benchmark": bench, "threshold": threshold, "unit": unit, "points": points, "record": record,
            "unknown_size": unknown, "reference": refs, "rival": rival[2] if rival else None,
            "all_listed": everything, "seams": comparable(ctx.read).seam_data() if bench == "arena" else []}
    bar = f"{rival[2]}'s best, {fmt(threshold)}," if rival else fmt(threshold)
    as_of = max([p[3] for p in points] + [u[0] for u in unknown], default=None)
    if not record:
        text = f"No model with a known size reaches {bar} on {where}."
        if unknown:
            text += " " + _unknown_line(unknown, fmt, before=len(unknown))
        return Reply(text=text, data=data, footer=ctx.footer(*src, as_of=as_of))
    first, last = record[0], record[-1]
    lines = [f"**The smallest model reaching {bar} on {where}: {last[1]}** "
             f"({params(last[2])}), since {last[0]} (scoring {fmt(last[3])} that day)."]
    if len(record) > 1:
        lines.append(f"The first model of known size to get there was {first[1]} ({params(first[2])}, {first[0]}, "
                     f"{fmt(first[3])}): {first[2] / last[2]:.0f}× larger.")
    elif len(sized) > 1:
        lines.append(f"It was also the first model of known size to get there; {len(sized) - 1} larger ones followed.")
    if unknown:
        lines.append(_unknown_line(unknown, fmt, before=sum(1 for u in unknown if u[0] < first[0])))
    fold_ref = next((r for r in refs if r["unit"] == "fold"), None)
    if fold_ref:
        lines.append(f"AI Index 2025: for 60% on MMLU, from PaLM (540B, 2022) to Phi-3-mini (3.8B, 2024), "
                     f"{fold_ref['value']:.0f}× smaller.")
    notes = []  # how it is measured: said on request (Reply.method)
    if bench == "arena":
        seams = comparable(ctx.read).seams
        parts = ([f"an Elo bar is read on each board's own rating scale (the scale changes on "
                  f"{', '.join(x.date for x in seams)})"] if seams else []) + ([] if everything else [RECORDS_RULE])
        if parts:
            text = "; ".join(parts)
            notes.append(text[:1].upper() + text[1:] + ".")
    return Reply(text="\n".join(lines), title=f"Smallest model reaching {fmt(threshold)} ({bench})",
                 method=methods.join("The date is the first " + ("Arena board" if bench == "arena" else "result")
                                     + " on which the model's score reached the threshold. Sizes are total "
                                     "parameters as listed (mixtures of experts count all experts).", *notes),
                 fields=[Field(f"{r[0]}", f"{r[1]}\n{params(r[2])}, {fmt(r[3])}") for r in record[-6:]],
                 footer=ctx.footer(*src, as_of=as_of), chart=Chart("small"), data=data)


def _unknown_line(unknown: list[list], fmt, *, before: int, shown: int = 8) -> str:
    """'Also reached it, size unknown: A (date, score), ...' - never dropped silently."""
    names = ", ".join(f"{u[1]} ({u[0]}, {fmt(u[2])})" for u in unknown[:shown])
    more = f" and {len(unknown) - shown} more" if len(unknown) > shown else ""
    when = (f" ({before} of the {len(unknown)} before the first model of known size)" if before else "")
    return f"Also reached it, size unknown{when}: {names}{more}."


def arena_records(by_date: dict[str, list]) -> dict[int, list[tuple]]:
    """One pass over every Arena board: per model, each rating that beat its
    own best so far, in date order ({model_id: [(score, date, arena name)]}).
    The first record at or above a threshold is the rating that reached it."""
    return _extend_records({}, by_date, sorted(by_date))


@at_refresh
def _records_at_refresh(read: Any, previous: Any) -> None:
    """What `small` reads on Arena, built for the next read model before anyone asks: the
    boards without never-public builds and boards behind their date, and each model's
    records on them (built whole: which builds and boards are left out reads every board)."""
    arena_reach(_small_boards(read), math.inf, read)


def _extend_records(records: dict[int, list[tuple]], by_date: dict[str, list], dates: list[str]) -> dict[int, list[tuple]]:
    """`records` (built over the boards before `dates`) extended with the boards of `dates`."""
    for d in dates:
        for r in by_date[d]:
            rec = records.get(r.model_id)
            if rec is None:
                records[r.model_id] = [(r.score, d, r.arena_name)]
            elif r.score > rec[-1][0]:
                rec.append((r.score, d, r.arena_name))
    return records


def arena_boards(ctx: Context, everything: bool = False) -> dict[str, list]:
    """The boards `small` reads: every listed rating (`all`), else without
    never-public builds and boards behind their date (records: :mod:`bot.domain.comparable`)."""
    return ctx.read.by_date if everything else _small_boards(ctx.read)


def _small_boards(read: Any) -> dict[str, list]:
    cmp = comparable(read)
    return read.view(("small boards",), lambda: {
        d: [r for r in rows if not cmp.never_public(r)] for d, rows in read.by_date.items() if not cmp.flagged(d)})


def arena_reach(by_date: dict[str, list], threshold: float, read: Any = None,
                everything: bool = False) -> tuple[dict, dict]:
    """Per model, the first rating at or above `threshold` ({model_id: (score,
    date, arena name)}) and the best rating. Linear in the ratings once per
    data version (cached on `read`), then linear in the models."""
    records = (read.view(("arena records", everything), lambda: arena_records(by_date)) if read is not None
               else arena_records(by_date))
    reached: dict[int, tuple] = {}
    best: dict[int, tuple] = {}
    for mid, rec in records.items():
        best[mid] = rec[-1]
        hit = next((x for x in rec if x[0] >= threshold), None)
        if hit is not None:
            reached[mid] = hit
    return reached, best


def benchmark_reach(ctx: Context, bench: str, threshold: float) -> tuple[dict, dict]:
    """The same for a benchmark: each model's earliest result at or above
    `threshold` (percent), dated by the result (else the model's release)."""
    rows = queries.benchmark_results(ctx.store, bench)
    reached: dict[int, tuple] = {}
    best: dict[int, tuple] = {}
    for r in rows:
        if not r["date"]:
            continue
        mid = r["model_id"]
        if mid not in reached and r["value"] >= threshold - 1e-9:
            reached[mid] = (r["value"], r["date"], r["version"])
        b = best.get(mid)
        if b is None or r["value"] > b[0]:
            best[mid] = (r["value"], r["date"], r["version"])
    return reached, best
