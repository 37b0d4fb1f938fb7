"""Models, organisations and countries: what one is, and how several compare."""
from __future__ import annotations

from collections import Counter

from bot.domain.categories import OVERALL, label as cat_label, take_category
from bot.commands import methods
from bot.commands.context import Args, Context, NotFound, Usage
from bot.commands import identity
from bot.commands.grammar import split_models, words
from bot.commands.prices import PRICES, blended, price_for
from bot.commands.difference import difference
from bot.commands.thin import board_sources
from bot.commands.params import bind
from bot.commands.registry import Param, command
from bot.lookup import Entry, Index, Match
from bot.render.text import clean, elo, flop, params, score, usd
from bot.reply import Chart, Field, Reply
from bot.store import queries
from bot.domain.comparable import comparable
from bot.domain.counted_boards import counted_boards
from bot.domain.ties import interval, tied
from bot.domain.measures import pct_gap
from bot.domain.regions import in_region, model_in


def _rating_like(a: dict):
    from types import SimpleNamespace

    return SimpleNamespace(score=a["score"], ci_plus=a.get("ci_plus"), ci_minus=a.get("ci_minus"))


def arena_verdict(a: dict, b: dict) -> str:
    """leads / tied / unknown for two Arena summaries of the same board."""
    t = tied(_rating_like(a), _rating_like(b))
    return "unknown" if t is None else "tied" if t else "leads"


def arena_interval(a: dict) -> str:
    return interval(_rating_like(a))

ARENA = "arena-csv"


def _read_as(m: Match) -> str:
    if m.status == "fuzzy":
        return f"(I read '{clean(m.query)}' as {m.entry.name}.) "
    if m.status == "family" and m.others:
        # "llama 3.1": several models answer to it; say which one this is, and the others
        others = ", ".join(o.name for o in m.others[:4]) + (f" and {len(m.others) - 4} more" if len(m.others) > 4 else "")
        return f"('{clean(m.query)}' names {len(m.others) + 1} models; this is {m.entry.name}. Also: {others}.) "
    return ""


def _rating(ctx: Context, model_id: int, until: str | None):
    """The rating a card shows: the newest on the boards the rule picks, else
    the newest on any source's board (the card names it)."""
    return ctx.read.latest_rating(model_id, until) or ctx.read.latest_any_rating(model_id, until)


def _arena_line(ctx: Context, model_id: int, until: str | None) -> tuple[str, object]:
    r = _rating(ctx, model_id, until)
    if r is None:
        return "not on the Arena leaderboard", None
    chain = ctx.read.source_of(r.date) == getattr(r, "source", None)
    note = ctx.read.board_note(r.date)
    where = f", {note}" if note else "" if chain else f", on {ctx.read.source(r.source).get('title', r.source)}"
    return f"{elo(r.score)} Elo, rank {r.rank} ({r.date}{where}, as {r.arena_name})", r


def model_summary(ctx: Context, model_id: int, until: str | None = None) -> dict:
    m = ctx.read.models[model_id]
    rating = _rating(ctx, model_id, until)
    return {
        "id": model_id, "name": m["name"], "organization": m["organization"] or m["org_name"],
        "country": m["country"] or m["org_country"],
        "release_date": m["release_date"], "released": identity.released(m), "parameters": m["parameters"],
        "parameters_note": m.get("parameters_note"), "training_compute": m["training_compute"],
        "training_cost": m["training_cost"], "access": m["access"], "domain": m["domain"], "source": m["source_id"],
        "arena": None if rating is None else {"date": rating.date, "score": rating.score, "rank": rating.rank,
                                              "name": rating.arena_name, "ci_plus": rating.ci_plus,
                                              "ci_minus": rating.ci_minus},
        "scores": {s["benchmark"]: s["value"] for s in ctx.read.scores(model_id)},
    }


def _model_in_category(ctx: Context, m: Match, category: str, until: str | None) -> Reply:
    """A model on one Arena category's board: its place, score and 95% interval, and its best there."""
    s = model_summary(ctx, m.entry.id, until)
    view = counted_boards(ctx.read, False, category)
    day = view.snapshot_on(until)
    board = view.board(day) if day else []
    here = next(((i + 1, r) for i, r in enumerate(board) if r.model_id == m.entry.id), None)
    where = f"Chatbot Arena{cat_label(category)}"
    head = f"{_read_as(m)}**{s['name']}** by {s['organization'] or 'unknown'} ({s['country'] or 'country unknown'})"
    if here is None:
        text = f"{head} is not on the {day or 'latest'} board of {where}."
        return Reply(text=text, title=s["name"], data={"model": s, "category": category, "in_category": None})
    place, r = here
    top = board[0]
    text = (f"{head}: **#{place} of {len(board)} on {where}** ({day}), {interval(r)} Elo"
            + (f"; #1 there: {top.model} ({elo(top.score)})." if place != 1 else "."))
    history = [[x.date, x.score] for d in view.dates if not until or d <= until
               for x in view.board(d) if x.model_id == m.entry.id]
    best = max(history, key=lambda h: h[1], default=None)
    if best and best[0] != day:
        text += f" Its best there: {elo(best[1])} ({best[0]})."
    data = {"model": s, "category": category, "as_of": day,
            "in_category": {"place": place, "score": r.score, "ci_plus": r.ci_plus, "ci_minus": r.ci_minus,
                            "of": len(board), "leader": top.model}}
    return Reply(text=text, title=f"{s['name']}{cat_label(category)}",
                 footer=ctx.footer(ctx.board_source(day, category, r) or ARENA, as_of=day),
                 color_key=s["organization"] or s["country"], data=data)


@command("model", summary="What a model is: maker, country, size, compute, access, Arena score, benchmarks.",
         usage="model <name> [category] [as of date]", example="model deepseek r1", aliases=("m", "info", "about-model"),
         chart=True, params=(Param("name", "model", "the model", True),))
def model(ctx: Context, args: Args) -> Reply:
    name = args.text
    if not name:
        raise Usage("Which model?")
    rest, category = take_category(ctx.read, words(name))
    whole = ctx.models.resolve(name)
    if category != OVERALL and rest and not (whole.found and whole.status == "exact"):
        m = ctx.model(" ".join(rest), rebuild="model {} " + category.replace("_", " "))
        return _model_in_category(ctx, m, category, args.until)
    m = ctx.model(name, rebuild="model {}")
    s = model_summary(ctx, m.entry.id, args.until)
    row = ctx.read.models[m.entry.id]
    arena, rating = _arena_line(ctx, m.entry.id, args.until)
    origin = {"epoch": "Epoch AI notable model", "arena": "known from LMArena", "hub": "Epoch Benchmarking Hub",
              "moderator": "added by moderators"}.get(row["origin"], row["origin"])
    # the release date from its source (a model known only from LMArena has none: its first rating)
    released = identity.released(row)
    source = identity.SOURCE_OF_RELEASE.get(row["origin"])
    note = identity.entry_note(row, rating.key if rating else None)
    fam = ctx.read.models[row["variant_of"]] if row.get("variant_of") else None
    kin, kin_data = identity.siblings_line(ctx.read, m.entry.id, args.until)
    text = (f"{_read_as(m)}**{s['name']}** by {s['organization'] or 'unknown'} "
            f"({s['country'] or 'country unknown'}), {released}{f' ({note})' if note else ''}. "
            + (f"A variant of {fam['name']} (released {identity.released(fam)}). " if fam else "")
            + f"{identity.size(row, names=ctx.read.aliases(m.entry.id))}; "
            f"Arena: {arena}." + (f"\nOther variants on the Arena: {kin}." if kin else ""))
    first = ctx.read.first_rated(m.entry.id)
    fields = [
        Field("Organisation", f"{s['organization'] or 'unknown'}\n{s['country'] or ''}".strip()),
        Field("Released", released + (f" ({source})" if source and row["release_date"] else "")
              + (f"; {note}" if note else "")),
        *([Field("First rated", first)] if first and row["origin"] != "arena" else []),
        *([Field("Variant of", f"{fam['name']} (released {identity.released(fam)})")] if fam else []),
        Field("Access", (s["access"] or "unknown") + (f"; licence: {row['licence']} (LMArena, reviewed curation)"
                                                    if row.get("licence") and s["access"] else "")),
        Field("Parameters", identity.size(row, missing="not disclosed", names=ctx.read.aliases(m.entry.id))),
        Field("Training compute", flop(s["training_compute"]) if s["training_compute"] else "not disclosed"),
    ]
    if s["training_cost"]:
        fields.append(Field("Training cost", usd(s["training_cost"]) + " (2023 USD)"))
    fields.append(Field("Listed by", origin))
    fields.append(Field("Chatbot Arena", arena, inline=False))
    if s["scores"]:
        fields.append(Field("Benchmarks (Epoch AI)", "\n".join(f"{b}: {score(v)}" for b, v in s["scores"].items()),
                            inline=False))
    if kin:
        fields.append(Field("Other variants on the Arena", kin, inline=False))
    if m.others:
        fields.append(Field("Other versions", ", ".join(o.name for o in m.others[:8]), inline=False))
    aliases = [a for a in ctx.read.aliases(m.entry.id) if a != s["name"]]
    if aliases:
        fields.append(Field("Also known as", ", ".join(aliases[:10]), inline=False))
    history = [[r.date, r.score, r.rank] for r in ctx.read.model_history(m.entry.id)
               if not args.until or r.date <= args.until]
    neighbours = _neighbours(ctx, m.entry.id, history[-1][0]) if len(history) == 1 else []
    sources = [row["source_id"] or "epoch-notable"] + ([ctx.board_source(rating.date, rating=rating) or ARENA]
                                                       if rating else []) + (["epoch-hub"] if s["scores"] else [])
    as_of = rating.date if rating else (ctx.read.source(row["source_id"] or "").get("as_of"))
    return Reply(text=text, title=s["name"], fields=fields, footer=ctx.footer(*sources, as_of=as_of),
                 color_key=s["organization"] or s["country"], chart=Chart("model") if history else None,
                 data={"model": s, "history": history, "others": [o.name for o in m.others],
                       "variant_of": fam["name"] if fam else None, "variants": kin_data,
                       "board_sources": board_sources(ctx.read, [h[0] for h in history]),
                       "seams": seams_of(ctx, [h[0] for h in history]),
                       "neighbours": neighbours, "match": m.status})


NEIGHBOURS = 4  # models shown above and below a model on its only board (its chart's card)


def _neighbours(ctx: Context, model_id: int, day: str) -> list[dict]:
    """The model and the models around it on the board of `day` (one entry per model), best first."""
    seen: set[int] = set()
    board = []
    for r in ctx.read.board(day):
        if r.model_id not in seen:
            seen.add(r.model_id)
            board.append(r)
    at = next((i for i, r in enumerate(board) if r.model_id == model_id), None)
    if at is None:
        return []
    lo = max(0, min(at - NEIGHBOURS, len(board) - 2 * NEIGHBOURS - 1))
    return [{"rank": r.rank, "model": r.arena_name, "score": r.score, "ci_plus": r.ci_plus, "ci_minus": r.ci_minus,
             "organization": r.organization, "country": r.country, "self": r.model_id == model_id}
            for r in board[lo:lo + 2 * NEIGHBOURS + 1]]


@command("compare", summary="Two to six models side by side, and who leads where.",
         usage="compare <model> vs <model> [vs ...] [as of date]", example="compare gpt-4o vs deepseek r1",
         aliases=("c", "cmp", "versus"), chart=True,
         params=(Param("models", "models", "two to six models, separated by vs or commas", True),))
def compare(ctx: Context, args: Args) -> Reply:
    rest, category = take_category(ctx.read, words(args.text))
    names = split_models(" ".join(rest) if category != OVERALL else args.text)
    if len(names) < 2:
        raise Usage("Name at least two models, separated by `vs`.")
    if len(names) > 6:
        raise Usage(f"At most six models at once (you named {len(names)}).")
    matches = []
    for i, n in enumerate(names):
        rebuild = "compare " + " vs ".join(x if j != i else "{}" for j, x in enumerate(names))
        matches.append(ctx.model(n, rebuild=rebuild))
    ids = list(dict.fromkeys(m.entry.id for m in matches))
    if len(ids) < 2:
        raise Usage(f"Those names are all {matches[0].entry.name}; name different models.")
    sums = [model_summary(ctx, i, args.until) for i in ids]
    notes = "".join(_read_as(m) for m in matches if m.status == "fuzzy")
    lines = [notes.strip()] if notes else []
    # which model a name several models answer to was read as: after the answer's own lines
    several = "".join(_read_as(m) for m in matches if m.status == "family").strip()
    in_category = _compare_in_category(ctx, ids, category, args.until) if category != OVERALL else None
    if in_category is not None:
        lines.append(in_category["line"])
    rated = [s for s in sums if s["arena"]]
    leads: dict[str, str] = {}
    if in_category is not None:
        pass  # a category asked: its board answers, not the overall one
    elif len(rated) >= 2:
        best = max(rated, key=lambda s: s["arena"]["score"])
        rest = sorted((s for s in rated if s is not best), key=lambda s: -s["arena"]["score"])
        runner = rest[0]
        same_board = runner["arena"]["date"] == best["arena"]["date"]
        v = arena_verdict(best["arena"], runner["arena"]) if same_board else "leads"
        if v == "tied":
            lines.append(f"**{best['name']} and {runner['name']} are statistically tied on Chatbot Arena** "
                         f"({best['arena']['date']}): {arena_interval(best['arena'])} vs "
                         f"{arena_interval(runner['arena'])}, the 95% intervals overlap" +
                         ("; then " + ", ".join(f"{s['name']} ({elo(s['arena']['score'])}, {s['arena']['date']})"
                                                for s in rest[1:]) if rest[1:] else "") + ".")
            leads["Chatbot Arena"] = "tied: " + ", ".join([best["name"], runner["name"]])
        else:
            lines.append(f"**{best['name']} {'leads' if v == 'leads' else 'is highest'} on Chatbot Arena"
                         f"{' overall' if category != OVERALL else ''}** with "
                         f"{elo(best['arena']['score'])} Elo ({best['arena']['date']}), ahead of " +
                         ", ".join(f"{s['name']} ({elo(s['arena']['score'])}, {s['arena']['date']})" for s in rest) +
                         ("." if same_board else " (latest ratings from different boards).") +
                         (f" Lead over {runner['name']}: {best['arena']['score'] - runner['arena']['score']:.0f} Elo "
                          f"({pct_gap(best['arena']['score'], runner['arena']['score']):.2f}%)." if same_board else "") +
                         (" This source gives no 95% intervals, so no claim of significance." if v == "unknown" else ""))
            leads["Chatbot Arena"] = best["name"]
    elif rated:
        lines.append(f"Only {rated[0]['name']} is on Chatbot Arena ({elo(rated[0]['arena']['score'])} Elo).")
    else:
        lines.append("None of these is on Chatbot Arena.")
    benches = sorted({b for s in sums for b in s["scores"]})
    for b in benches:
        have = [s for s in sums if b in s["scores"]]
        if len(have) >= 2:
            w = max(have, key=lambda s: s["scores"][b])
            leads[b] = w["name"]
            lines.append(f"{b}: {w['name']} leads.")  # the scores are the embed's table
    prices = _prices(ctx, sums)
    if prices:
        cheap = min(prices, key=lambda name: prices[name])
        lines.append(f"Cheapest: {cheap} ({usd(prices[cheap])} per million tokens, blended 3:1); "
                     + ", ".join(f"{n} {usd(c)}" for n, c in prices.items() if n != cheap)
                     + (f"; no price listed for {', '.join(s['name'] for s in sums if s['name'] not in prices)}"
                        if len(prices) < len(sums) else "") + " (LMArena's price list).")
    sized = [s for s in sums if s["parameters"]]
    if len(sized) >= 2:
        small = min(sized, key=lambda s: s["parameters"])
        lines.append(f"Smallest: {small['name']} ({params(small['parameters'])}).")
    fields = []
    for s in sums:
        v = [f"{s['organization'] or '?'} · {s['country'] or '?'}",
             _arena_field(s, in_category),
             f"Released: {s['released']}",
             f"Size: {identity.size(ctx.read.models[s['id']], missing='n/d', names=ctx.read.aliases(s['id']))}",
             f"Access: {s['access'] or '?'}"]
        v += [f"{b}: {score(x)}" for b, x in s["scores"].items()]
        fields.append(Field(s["name"], "\n".join(v)))
    history = {s["name"]: [[r.date, r.score] for r in ctx.read.model_history(s["id"])
                           if not args.until or r.date <= args.until] for s in sums}
    as_of = max((s["arena"]["date"] for s in rated), default=None)
    # the sources of the boards the compared scores come from (each card's own board)
    boards_used = [ctx.board_source(x["arena"]["date"], rating=_rating(ctx, x["id"], args.until)) or ARENA
                   for x in rated]
    if in_category and in_category.get("date"):
        boards_used.append(ctx.board_source(in_category["date"], category) or ARENA)
    sources = ["epoch-notable", *dict.fromkeys(boards_used)] + (["epoch-hub"] if benches else []) + \
        ([PRICES] if prices else [])
    if several:
        lines.append(several)
    return Reply(text="\n".join(lines), title=" vs ".join(s["name"] for s in sums)[:250], fields=fields,
                 footer=ctx.footer(*sources, as_of=as_of), color_key=(rated and max(rated, key=lambda s: s["arena"]["score"])["organization"]) or None,
                 chart=Chart("compare"), method=methods.join(methods.TIES, methods.PRICES if prices else None),
                 data={"models": sums, "benchmarks": benches, "leads": leads, "history": history, "as_of": as_of,
                       "board_sources": board_sources(ctx.read, [p[0] for h in history.values() for p in h]),
                       "seams": seams_of(ctx, [p[0] for h in history.values() for p in h]),
                       "category": category, "in_category": in_category and in_category["rows"], "prices": prices})


def _prices(ctx: Context, sums: list[dict]) -> dict[str, float]:
    """Each compared model's blended price (the price list `price` and `cheapest` read), when listed."""
    out = {}
    for s in sums:
        p = price_for(ctx, s["id"], _rating(ctx, s["id"], None) if s["arena"] else None)
        c = blended(p) if p else None
        if c is not None:
            out[s["name"]] = c
    return out


def _arena_field(s: dict, in_category: dict | None) -> str:
    """A compared model's Arena place, overall or in the category asked (its rating is the text's:
    the embed never says a number twice)."""
    if in_category is not None:
        row = next((r for r in in_category["rows"] if r["id"] == s["id"]), None)
        return f"Arena{cat_label(in_category['category'])}: " + (f"#{row['place']}" if row else "n/a")
    return f"Arena: {'#' + str(s['arena']['rank']) if s['arena'] else 'n/a'}"


def _compare_in_category(ctx: Context, ids: list, category: str, until: str | None) -> dict:
    """The models on one Arena category's board (the latest on or before `until`):
    who leads there, and whether the 95% intervals overlap."""
    view = counted_boards(ctx.read, False, category)
    day = view.snapshot_on(until)
    board = view.board(day) if day else []
    place = {r.model_id: (i + 1, r) for i, r in enumerate(board)}
    here = sorted((place[i] for i in ids if i in place), key=lambda x: x[0])
    where = f"Chatbot Arena{cat_label(category)}"
    rows = [{"id": r.model_id, "name": r.model, "score": r.score, "place": n, "ci_plus": r.ci_plus,
             "ci_minus": r.ci_minus} for n, r in here]
    missing = [ctx.read.models[i]["name"] for i in ids if i not in place]
    if len(here) >= 2:
        best, runner = here[0][1], here[1][1]
        line = f"{difference(best.model, runner.model, best, runner)} on {where} ({day}): " + ", ".join(
            f"{r.model} #{n} ({elo(r.score)})" for n, r in here) + "."
    elif here:
        line = f"Only {here[0][1].model} is on {where} ({day}): #{here[0][0]} ({elo(here[0][1].score)})."
    else:
        line = f"None of these is on {where}" + (f" ({day})." if day else ".")
    if missing and here:
        line += " Not on that board: " + ", ".join(missing) + "."
    return {"line": line, "rows": rows, "date": day, "category": category}


def seams_of(ctx: Context, dates: list[str]) -> list[dict]:
    """The rating-scale seams inside a dated history (a chart draws them as breaks, never a rise)."""
    return comparable(ctx.read).seam_data(min(dates), max(dates)) if dates else []


def _models_where(ctx: Context, pred) -> list[dict]:
    return sorted((m for m in ctx.read.visible_models() if pred(m)),
                  key=lambda m: m["release_date"] or "", reverse=True)


def _best_history(ctx: Context, side: tuple, until: str | None) -> list[list]:
    """The best model of a side (``("org", id)``, ``("country", name)``) in each snapshot, up to `until`."""
    return ctx.read.points(side, until=until)


@command("org", summary="An organisation: country, sector, its models and its best on Arena.",
         usage="org <name> [as of date]", example="org deepseek", aliases=("organisation", "organization", "lab", "company"),
         chart=True, params=(Param("name", "org", "the organisation", True, rest=True), Param("date", "date", "as of this day, month or year")))
def org(ctx: Context, args: Args) -> Reply:
    bind(ctx, args)
    if not args.text:
        raise Usage("Which organisation?")
    m = ctx.org(args.text, rebuild="org {}")
    oid = m.entry.id
    o = queries.organization(ctx.store, oid)
    models = _models_where(ctx, lambda x: x["org_id"] == oid and (not args.until or (x["release_date"] or "") <= args.until))
    notable = [x for x in models if x["origin"] in ("epoch", "moderator")]
    history = _best_history(ctx, ("org", oid), args.until)
    lines = [f"{_read_as(m)}**{o['name']}** ({o['country'] or 'country unknown'}, {o['sector'] or 'sector unknown'}): "
             f"{len(notable)} notable models in Epoch AI's data, {len(models)} models in all."]
    if history:
        d, sc, name = history[-1]
        lines.append(f"Best on Chatbot Arena as of {d}: {name} at {elo(sc)} Elo.")
    fields = []  # country, sector and counts are the text's; the embed adds the latest models
    if models:
        fields.append(Field("Latest models", "\n".join(f"{x['name']} ({identity.released(x)})" for x in models[:8]),
                            inline=False))
    return Reply(text="\n".join(lines), title=o["name"], fields=fields,
                 footer=ctx.footer("epoch-notable", *([ctx.board_source(history[-1][0]) or ARENA] if history else []),
                                   as_of=history[-1][0] if history else None),
                 color_key=o["name"], chart=Chart("org") if history or models else None,
                 data={"name": o["name"], "country": o["country"], "sector": o["sector"],
                       "models": [[x["name"], x["release_date"], x["parameters"], x["training_compute"]] for x in models],
                       "history": history, "board_sources": board_sources(ctx.read, [h[0] for h in history]),
                       "seams": seams_of(ctx, [h[0] for h in history])})


@command("country", summary="A country: its notable models, top organisations and best on Arena.",
         usage="country <name> [as of date]", example="country china", aliases=("nation",), chart=True,
         params=(Param("name", "country", "the country", True, rest=True), Param("date", "date", "as of this day, month or year")))
def country(ctx: Context, args: Args) -> Reply:
    bind(ctx, args)
    if not args.text:
        raise Usage("Which country?")
    c = ctx.country(args.text)
    if not c:
        idx = Index([Entry(k, k) for k in ctx.known_countries()])
        raise NotFound("country", idx.resolve(args.text), rebuild="country {}")
    notable = _models_where(ctx, lambda x: in_region(x["country"], c) and x["origin"] in ("epoch", "moderator")
                            and (not args.until or (x["release_date"] or "") <= args.until))
    per_year = Counter((x["release_date"] or "?")[:4] for x in notable)
    orgs = Counter(x["org_name"] for x in notable if x["org_name"])
    history = _best_history(ctx, ("country", c), args.until)
    lines = [f"**{c}**: {len(notable)} notable models in Epoch AI's data"
             + (f", {per_year.get(max(per_year), 0)} in {max(k for k in per_year if k != '?')}." if per_year else ".")]
    if history:
        d, sc, name = history[-1]
        lines.append(f"Best on Chatbot Arena as of {d}: {name} at {elo(sc)} Elo.")
    years = sorted(k for k in per_year if k != "?")[-6:]
    fields = [Field("Notable models by year", "\n".join(f"{y}: {per_year[y]}" for y in years) or "none"),
              Field("Top organisations", "\n".join([f"{o}: {n}" for o, n in orgs.most_common(6)] + (
                  [f"others: {sum(n for _o, n in orgs.most_common()[6:])}"] if len(orgs) > 6 else [])) or "none")]
    return Reply(text="\n".join(lines), title=c, fields=fields,
                 footer=ctx.footer("epoch-notable", *([ctx.board_source(history[-1][0]) or ARENA] if history else []),
                                   as_of=history[-1][0] if history else None),
                 color_key=c, chart=Chart("country"),
                 data={"name": c, "per_year": dict(sorted(per_year.items())), "top_orgs": orgs.most_common(10),
                       "history": history, "board_sources": board_sources(ctx.read, [h[0] for h in history]),
                       "seams": seams_of(ctx, [h[0] for h in history])})


@command("timeline", summary="Notable model releases over time, for everyone, an organisation or a country.",
         usage="timeline [organisation|country] [date]", example="timeline openai", aliases=("releases", "history-of"),
         chart=True, params=(Param("who", "text", "an organisation or a country", rest=True), Param("date", "date", "as of this day, month or year")))
def timeline(ctx: Context, args: Args) -> Reply:
    bind(ctx, args)
    label, pred = "all organisations", (lambda x: True)
    key = None
    if args.text:
        c = ctx.country(args.text)
        if c:
            label, key, pred = c, c, model_in(c)
        else:
            m = ctx.org(args.text, rebuild="timeline {}")
            oid = m.entry.id
            label, key, pred = m.entry.name, m.entry.name, (lambda x, oid=oid: x["org_id"] == oid)
    models = _models_where(ctx, lambda x: pred(x) and x["origin"] in ("epoch", "moderator") and x["release_date"]
                           and (not args.until or x["release_date"] <= args.until))
    if not models:
        return Reply(text=f"No notable models for {label}.", data={"events": []})
    frontier = [x for x in models if x["frontier"]]
    shown = (frontier or models)[:12]
    lines = [f"**{len(models)} notable models** from {label}, newest {models[0]['name']} ({models[0]['release_date']})."]
    text_rows = "\n".join(f"{x['release_date']}  {x['name']}" + (f" ({x['org_name']})" if not key or key != x['org_name'] else "")
                          for x in shown)
    lines.append(("Frontier models:" if frontier else "Latest:") + "\n" + text_rows)
    return Reply(text="\n".join(lines), title=f"Timeline: {label}", footer=ctx.footer("epoch-notable", as_of=models[0]["release_date"]),
                 color_key=key, chart=Chart("timeline"),
                 data={"label": label, "events": [[x["release_date"], x["name"], x["org_name"], x["country"],
                                                   x["training_compute"], bool(x["frontier"])] for x in models]})
