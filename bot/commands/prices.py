"""Prices: what a model costs, and the cheapest model at or above an Arena score.

Prices come from LMArena's price list (scatterplot-data: input and output
USD per million tokens, each with where LMArena took it from), one list dated
2025-12-17. A model's price is compared by a blended price, 3 input tokens
to 1 output token (a common convention; both prices are shown). "How that
fell" reads every Arena board: on each, the cheapest priced model rated at or
above the score on that board (so new, cheaper models show the fall; the
prices are the list's, not those of the board's date - the reply says so).
Beside it, the AI Index's 280-fold fall in the price of GPT-3.5-level
performance (from its figures table).
"""
from __future__ import annotations


import bisect
import math
from typing import Any

from bot.commands import methods
from bot.commands.context import Args, Context, Usage
from bot.commands.params import bind
from bot.commands.registry import Param, at_refresh, command
from bot.render.text import elo
from bot.reply import Reply
from bot.store import queries
from bot.domain.counted_boards import counted_boards

PRICES = "arena-prices"
BLEND = "blended price: 3 input tokens to 1 output token, USD per million tokens"
DEFAULT_SCORE = 1300.0


def blended(p: dict[str, Any]) -> float | None:
    if p["input_price"] is None or p["output_price"] is None:
        return None
    return (3 * p["input_price"] + p["output_price"]) / 4


def cost(p: dict[str, Any]) -> float:
    """The blended price to compare by; a price list row without one sorts last."""
    v = blended(p)
    return math.inf if v is None else v


def usd(v: float | None) -> str:
    """A price per million tokens: cents always shown ($0.30, $2.50), finer digits
    kept below a dollar where the list has them ($0.2625, $0.075)."""
    if v is None:
        return "n/a"
    if v >= 1:
        return f"${v:,.2f}"
    places = max(4, 1 - math.floor(math.log10(v))) if v > 0 else 2  # a tiny price keeps two significant digits
    digits = f"{v:.{places}f}".rstrip("0")
    return "$" + (digits if len(digits.split(".")[1]) >= 2 else f"{v:.2f}")


def price_rows(ctx: Context) -> list[dict[str, Any]]:
    return queries.price_list(ctx.store, PRICES)


def price_index(ctx: Context) -> tuple[dict[str, dict], dict[int, dict]]:
    """The newest price per Arena name and per model (the cheapest if a model
    has several), once per data version (built by the refresh: see _tables_at_refresh)."""
    return _prices_of(ctx.read)


def _prices_of(read: Any) -> tuple[dict[str, dict], dict[int, dict]]:
    return read.memo(("price index",), lambda: _price_index(queries.price_list(read.store, PRICES)))


@at_refresh
def _tables_at_refresh(read: Any, previous: Any) -> None:
    """The price index and the cheapest-by-board table of the next read model, before anyone
    asks; a board the change left as it was (the same rows) keeps its row of the table when
    the prices are the same."""
    by_name, by_model = _prices_of(read)
    view = counted_boards(read)
    known: dict[str, tuple] = {}
    if previous is not None and previous.__dict__.get("_memo", {}).get(("price index",)) == (by_name, by_model):
        old = previous._views.get(("boards", False, view.category))
        table = old.__dict__.get("_memo", {}).get(("cheapest by board",)) if old is not None else None
        known = {d: t for d, t in (table or {}).items() if view.by_date.get(d) is old.by_date.get(d) is not None}
    view.memo(("cheapest by board",), lambda: cheapest_from(view, by_name, by_model, known))


def _price_index(rows: list[dict[str, Any]]) -> tuple[dict[str, dict], dict[int, dict]]:
    by_name: dict[str, dict] = {}
    by_model: dict[int, dict] = {}
    for p in rows:
        if blended(p) is None:
            continue
        by_name[p["arena_name"]] = p
        if p["model_id"] is not None:
            cur = by_model.get(p["model_id"])
            if cur is None or cur["as_of"] < p["as_of"] or (cur["as_of"] == p["as_of"] and cost(p) < cost(cur)):
                by_model[p["model_id"]] = p
    return by_name, by_model


def cheapest_from(view: Any, by_name: dict, by_model: dict,
                  known: dict[str, tuple] | None = None) -> dict[str, tuple[list[float], list[tuple]]]:
    """Per board date, the priced ratings best first as (negated scores, the
    cheapest so far): the cheapest model rated at or above any score is one
    bisection away. Built once per boards and price list (`known`: boards'
    rows already built, for the same rows and prices)."""
    out: dict[str, tuple[list[float], list[tuple]]] = {}
    for d in view.dates:
        if known and d in known:
            out[d] = known[d]
            continue
        neg: list[float] = []
        best: list[tuple] = []
        for r in view.by_date[d]:  # best first
            q = _price_of(r, by_name, by_model)
            if q is None:
                continue
            c = cost(q)
            neg.append(-r.score)
            best.append((c, r, q) if not best or c < best[-1][0] else best[-1])
        out[d] = (neg, best)
    return out


def _price_of(r: Any, by_name: dict, by_model: dict) -> dict | None:
    return by_name.get(r.key or r.arena_name) or by_name.get(r.arena_name) or by_model.get(r.model_id)


def price_for(ctx: Context, model_id: Any, rating: Any = None) -> dict | None:
    """The price of a variant, the one computation `price`, `cheapest` and `compare` share: the
    price list's row for the Arena entry rated (its key, then its display name), else the model's
    own row (the newest, the cheapest of several); None when it has no blended price."""
    by_name, by_model = price_index(ctx)
    if rating is not None:
        return _price_of(rating, by_name, by_model)
    return by_model.get(model_id)


def ai_index_fall(ctx: Context) -> str | None:
    f = queries.figure_row(ctx.store, "inference_cost_reduction")
    a = queries.figure_row(ctx.store, "inference_cost_2022")
    b = queries.figure_row(ctx.store, "inference_cost_2024")
    if not f:
        return None
    text = f"AI Index 2025: the price of GPT-3.5-level performance (MMLU 64.8) fell {f['value']:.0f}-fold"
    if a and b:
        text += f", from ${a['value']:g} ({a['period']}) to ${b['value']:g} per million tokens ({b['subject']}, {b['period']})"
    return text + "."


@command("price", summary="What a model costs per million tokens (LMArena's price list), beside its Arena score.",
         usage="price <model>", example="price deepseek v3", aliases=("cost", "prices"),
         params=(Param("model", "model", "the model", True),))
def price(ctx: Context, args: Args) -> Reply:
    if not args.text:
        raise Usage("Which model?")
    m = ctx.model(args.text, rebuild="price {}")
    entry = m.entry
    assert entry is not None  # ctx.model raises NotFound when nothing matches
    mid, name = entry.id, entry.name
    rows = [p for p in price_rows(ctx) if p["model_id"] == mid]
    if not rows:
        return Reply(text=f"LMArena's price list has no price for {name}.", data={"model": name, "prices": []},
                     footer=ctx.footer(PRICES, as_of=ctx.read.source(PRICES).get("as_of")))
    view = counted_boards(ctx.read)
    day = view.latest
    board = view.board(day) if day else []
    rating = next((r for r in board if r.model_id == mid), None)
    # the price of the entry that is rated (as `cheapest` prices it), else the model's own
    p = price_for(ctx, mid, rating) or price_for(ctx, mid) or min(
        rows, key=lambda x: (blended(x) is None, blended(x) or 0))
    lines = [f"**{p['display_name'] or name}: {usd(p['input_price'])} input, {usd(p['output_price'])} output** per "
             f"million tokens (LMArena's price list of {p['as_of']}, from {p['price_url'] or 'no source given'})."]
    if rating is not None and blended(p) is not None:
        by_name, by_model = price_index(ctx)
        cheaper = [(cost(q), r) for r in board if r.score >= rating.score
                   and (q := _price_of(r, by_name, by_model)) and cost(q) < cost(p)]
        lines.append(f"Arena {elo(rating.score)} ({day}, as {rating.arena_name}); blended {usd(blended(p))}. "
                     + (f"{len(cheaper)} model{'s' * (len(cheaper) != 1)} rated as high or higher cost less, the "
                        f"cheapest {min(cheaper, key=lambda x: x[0])[1].arena_name} ({usd(min(cheaper, key=lambda x: x[0])[0])})."
                        if cheaper else "Nothing rated as high or higher costs less."))
    fall = ai_index_fall(ctx)
    if fall:
        lines.append(fall)
    return Reply(text="\n".join(lines), title=f"Price: {name}", method=methods.PRICES,
                 # the prices are the text's; the embed adds the source, never the same numbers again
                 footer=ctx.footer(PRICES, *([src] if rating and day and (src := view.source_on(day)) else []),
                                   *(["ai-index-2025"] if fall else []), as_of=p["as_of"]),
                 data={"model": name, "prices": rows, "blended": blended(p),
                       "arena": None if rating is None else {"date": day, "score": rating.score}})


def _cheapest_series(view: Any, threshold: float, by_name: dict, by_model: dict) -> list[dict[str, Any]]:
    """On each board, the cheapest priced model rated `threshold` or more."""
    table = view.memo(("cheapest by board",), lambda: cheapest_from(view, by_name, by_model))
    series = []
    for d in view.dates:
        neg, best = table[d]
        n = bisect.bisect_right(neg, -threshold)  # the priced ratings at or above the threshold
        if n:
            c, r, q = best[n - 1]
            series.append({"date": d, "source": view.source_on(d), "model": r.arena_name,
                           "key": r.key or r.arena_name, "model_id": r.model_id, "score": r.score,
                           "blended": c, "input": q["input_price"], "output": q["output_price"]})
    return series


def _cheapest_n(view: Any, day: str, threshold: float, n: int, by_name: dict, by_model: dict) -> list[dict]:
    """The n cheapest priced models rated `threshold` or more on one board, cheapest first."""
    out: dict[str, dict] = {}
    for r in view.board(day):
        if r.score < threshold:
            break  # best first
        p = _price_of(r, by_name, by_model)
        c = blended(p) if p else None
        if c is not None and r.arena_name not in out:
            out[r.arena_name] = {"model": r.arena_name, "score": r.score, "blended": c}
    return sorted(out.values(), key=lambda x: (x["blended"], -x["score"], x["model"]))[:n]


@command("cheapest", summary="The cheapest model at or above an Arena score, and how that fell over time.",
         usage="cheapest [score] [top n]", example="cheapest 1300", aliases=("cheap",),
         params=(Param("score", "score", f"an Arena score (default {DEFAULT_SCORE:.0f})"),
                 Param("n", "count", "how many models at each step (top n, 1 to 25)", words=("top",)),
                 Param("filler", "word", "", words=("elo", "arena", "score", "at", "above", "least")),
                 Param("date", "date", "as of this day, month or year")))
def cheapest(ctx: Context, args: Args) -> Reply:
    v = bind(ctx, args, score=DEFAULT_SCORE, n=1)
    threshold, n = v.score, v.n
    if not 1 <= n <= 25:
        raise Usage("`top` takes a number from 1 to 25.")
    if v.date and v.date.since:
        raise Usage("`cheapest` answers as of a date (`cheapest 1300 2025-01`), not since one.")
    if not 500 <= threshold <= 3000:
        raise Usage("An Arena score is a number such as 1300.")
    by_name, by_model = price_index(ctx)
    if not by_name:
        return Reply(text="No prices in the data.", data={"series": []})
    view = counted_boards(ctx.read)
    series = view.dated(("cheapest", threshold), lambda: _cheapest_series(view, threshold, by_name, by_model),
                        args.until, lambda p: p["date"])
    if not series:
        as_of = ctx.read.source(PRICES).get("as_of")
        when = f" up to {args.until}" if args.until else ""
        rated = any(r.score >= threshold for d in view.dates if not args.until or d <= args.until
                    for r in view.by_date[d][:1])
        text = (f"No model rated {elo(threshold)} or more on Chatbot Arena{when} has a price in LMArena's price "
                f"list{' of ' + as_of if as_of else ''}." if rated
                else f"No model was rated {elo(threshold)} or more on Chatbot Arena{when}.")
        return Reply(text=text,
                     data={"threshold": threshold, "series": [], "rated": rated},
                     footer=ctx.footer(PRICES, as_of=as_of))
    last, first = series[-1], series[0]
    lines = [f"**The cheapest model rated {elo(threshold)} or more on Chatbot Arena as of {last['date']}: "
             f"{last['model']}** ({elo(last['score'])}), {usd(last['input'])} input, {usd(last['output'])} output "
             f"per million tokens (blended {usd(last['blended'])})."]
    cheap_n = _cheapest_n(view, last["date"], threshold, n, by_name, by_model) if n > 1 else []
    if cheap_n:
        lines.append(f"The {len(cheap_n)} cheapest rated {elo(threshold)} or more on {last['date']}: " + "; ".join(
            f"{i + 1}. {x['model']} {usd(x['blended'])} ({elo(x['score'])})" for i, x in enumerate(cheap_n)) + ".")
    if first["blended"] > last["blended"]:
        lines.append(f"First board with a priced model at that level: {first['date']}, {first['model']} at blended "
                     f"{usd(first['blended'])}: {first['blended'] / last['blended']:.0f}× the price today.")
    changes = [p for i, p in enumerate(series) if i == 0 or p["model_id"] != series[i - 1]["model_id"]]
    if len(changes) > 1:
        lines.append("Cheapest over time: " + " → ".join(f"{p['model']} {usd(p['blended'])} ({p['date']})"
                                                         for p in changes[-5:]) + ".")
    fall = ai_index_fall(ctx)
    if fall:
        lines.append(fall)
    as_of = ctx.read.source(PRICES).get("as_of")
    return Reply(text="\n".join(lines), title=f"Cheapest model at Arena {elo(threshold)}+",
                 method=methods.join(f"Prices: LMArena's price list of {as_of} (today's prices, applied to every "
                                     f"board; a model counts on a board where it is rated {elo(threshold)} or more). "
                                     f"Compared by the {BLEND}.", methods.boards(view.rule)),
                 footer=ctx.footer(PRICES, *dict.fromkeys(p["source"] for p in series if p["source"]),
                                   *(["ai-index-2025"] if fall else []), as_of=last["date"]),
                 data={"threshold": threshold, "series": series, "as_of": last["date"], "prices_as_of": as_of,
                       "cheapest_n": cheap_n})
