"""Firsts, records and "ever", from the whole Arena history.

* ``records`` alone: the longest reigns at #1, by organisation and by model.
* ``records <side> [top n]``: when a country, organisation, open or closed
  models first reached the top n and #1, whether they ever led, for how long,
  and their best place.
* ``records <x> <y> [within p%]``: a gap's history: who led when, how often
  the lead changed, its widest and narrowest, and the first board it was
  within p% (and the last board it was wider).

Every figure is read from the same counted boards as ``top``, ``gap`` and
``race`` (retired models left out unless ``all``), overall or in a category,
without boards behind their date (:func:`bot.domain.comparable.record_boards`;
``all`` counts them). Builds LMArena listed count (an anonymous build that led
was #1 on the board); "tighter than ever" and ``small`` leave never-public
builds out.
"""
from __future__ import annotations

import re

from dataclasses import dataclass
from datetime import date as Date
from typing import Any, Callable

from bot.domain.categories import OVERALL, label as cat_label
from bot.commands import methods
from bot.commands.context import Args, Context, Usage
from bot.commands.grammar import words
from bot.commands.sides import Side, gap_series, only, resolve_side, two_sides
from bot.commands.params import bind
from bot.commands.registry import Param, command
from bot.render.text import elo, pct
from bot.reply import Field, Reply
from bot.domain.comparable import record_boards, used_sources
from bot.domain.counted_boards import CountedBoards
from bot.domain.validate import parse_number
from bot.domain.normalize import fold

def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass
class Reign:
    holder: str
    start: str   # the first board it led
    end: str     # the first board it no longer led (or the latest board, still leading)
    boards: int
    current: bool

    @property
    def days(self) -> int:
        return (Date.fromisoformat(self.end) - Date.fromisoformat(self.start)).days

def reigns(view: CountedBoards, holder: Callable[[Any], str | None], until: str | None = None,
           among: Callable[[Any], bool] | None = None) -> list[Reign]:
    """Stretches of consecutive boards that the same holder led (the #1's
    organisation, model, country ...; among the models `among` keeps), oldest first."""
    out: list[Reign] = []
    for d in view.dates:
        if until and d > until:
            break
        top = view.best(d, among) if among is not None else next(iter(view.by_date.get(d, ())), None)
        who = holder(top) if top is not None else None
        if out and out[-1].current and out[-1].holder == who:
            out[-1].boards += 1
            out[-1].end = d
            continue
        if out and out[-1].current:
            out[-1].current = False
            out[-1].end = d
        if who is not None:
            out.append(Reign(who, d, d, 1, True))
    return out

def side_history(view: CountedBoards, side: Side, n: int, until: str | None = None,
                 among: Callable[[Any], bool] | None = None) -> dict[str, Any]:
    """A side's firsts on the boards up to `until` (places among the models
    `among` keeps: "among open-weight models"): its first board in the top n
    and at #1 (with the model), its boards at #1, its best place."""
    first_n = first_1 = None
    at_top: list[str] = []
    best_place: tuple[int, str, str] | None = None
    seen = 0
    for d in view.dates:
        if until and d > until:
            break
        board = view.board(d, among)
        place = next((i for i, r in enumerate(board) if side.pred(r)), None)
        if place is None:
            continue
        seen += 1
        r = board[place]
        if place < n and first_n is None:
            first_n = {"date": d, "model": r.arena_name, "place": place + 1}
        if place == 0:
            at_top.append(d)
            if first_1 is None:
                first_1 = {"date": d, "model": r.arena_name}
        if best_place is None or place + 1 < best_place[0]:
            best_place = (place + 1, d, r.arena_name)
    led = reigns(view, lambda r: side.key if side.pred(r) else "", until, among)
    mine = [x for x in led if x.holder == side.key]
    longest = max(mine, key=lambda x: (x.days, x.boards), default=None)
    return {"side": side.label, "n": n, "boards": seen, "first_top_n": first_n, "first_1": first_1,
            "boards_at_1": len(at_top), "reigns": len(mine),
            "of_boards": sum(1 for d in view.dates if not until or d <= until),
            "longest": None if longest is None else {"from": longest.start, "to": longest.end, "days": longest.days,
                                                     "current": longest.current},
            "best_place": None if best_place is None else {"place": best_place[0], "date": best_place[1],
                                                           "model": best_place[2]}}

def model_side(ctx: Context, text: str) -> Side | None:
    """One model as a side ("records deepseek r1"), when the words name it for sure."""
    m = ctx.models.resolve(text)
    if not (m.found and m.entry is not None and m.status in ("exact", "family")):
        return None
    mid, name = m.entry.id, m.entry.name

    def is_it(r: Any) -> bool:
        return r.model_id == mid
    return Side(name, is_it, "model", name, None)


def _within(ws: list[str]) -> tuple[list[str], float | None]:
    """`within 2%` / `within 2` off the words: (the rest, the percentage)."""
    for i, w in enumerate(ws):
        if fold(w) == "within" and i + 1 < len(ws):
            try:
                v = parse_number(ws[i + 1].rstrip("%"))
            except ValueError:
                v = None
            if v is not None and 0 < v < 100:
                return ws[:i] + ws[i + 2:], float(v)
            raise Usage(f"`within` takes a percentage, like `within 2%` (not {ws[i + 1]!r}).")
    return ws, None

def _top_n(ws: list[str]) -> tuple[list[str], int]:
    for i, w in enumerate(ws):
        if fold(w) == "top" and i + 1 < len(ws) and re.fullmatch(r"[0-9]{1,4}", ws[i + 1]):
            n = int(ws[i + 1])
            if not 1 <= n <= 100:
                raise Usage("`top` takes a number from 1 to 100.")
            return ws[:i] + ws[i + 2:], n
    return ws, 10

def _reigns_reply(ctx: Context, view: CountedBoards, category: str, until: str | None) -> Reply:
    by_org = reigns(view, lambda r: r.organization or r.model, until)
    by_model = reigns(view, lambda r: r.model, until)
    if not by_org:
        return Reply(text=f"No Arena board{cat_label(category)} to read.", data={"reigns": []})
    last = view.snapshot_on(until) or by_org[-1].end

    def top3(rs: list[Reign]) -> list[Reign]:
        return sorted(rs, key=lambda x: (-x.days, -x.boards, x.start))[:3]

    def show(x: Reign) -> str:
        return f"{x.holder}: {x.days} days, {x.boards} boards ({x.start} to {'now' if x.current else x.end})"

    orgs, models = top3(by_org), top3(by_model)
    lines = [f"**Longest reign at #1 on Chatbot Arena{cat_label(category)}: {orgs[0].holder}**, "
             f"{orgs[0].days} days from {orgs[0].start}" + (" (still #1)" if orgs[0].current else f" to {orgs[0].end}")
             + f"; the longest by one model: {models[0].holder}, {models[0].days} days.",
             f"The #1 changed organisation {len(by_org) - 1} times and model {len(by_model) - 1} times from "
             f"{view.dates[0]} to {last}.",
             "A reign runs from the first board a holder leads to the first board it no longer does."]
    fields = [Field("Organisations", "\n".join(show(x) for x in orgs), inline=False),
              Field("Models", "\n".join(show(x) for x in models), inline=False)]
    return Reply(text="\n".join(lines), title=f"Records at #1{cat_label(category)}", fields=fields,
                 footer=ctx.footer(*used_sources(view, last), as_of=last),
                 data={"reigns": {"organisation": [vars(x) | {"days": x.days} for x in orgs],
                                  "model": [vars(x) | {"days": x.days} for x in models]},
                       "changes": {"organisation": len(by_org) - 1, "model": len(by_model) - 1},
                       "category": category, "as_of": last})

def _side_reply(ctx: Context, view: CountedBoards, side: Side, n: int, category: str, until: str | None,
                access: str | None = None) -> Reply:
    among = None if access is None else (lambda r: r.open) if access == "open" else (lambda r: not r.open)
    h = side_history(view, side, n, until, among)
    where = f"Chatbot Arena{cat_label(category)}" + (
        f" among {'open-weight' if access == 'open' else 'closed'} models" if access else "")
    name = _cap(side.label)
    if not h["boards"]:
        return Reply(text=f"No board of {where} rates {side.label}.", data={"history": h, "category": category})
    lines = []
    if h["first_1"]:
        lines.append(f"**Yes: {name} has been #1** on {where}: first on {h['first_1']['date']} "
                     f"({h['first_1']['model']}), on {h['boards_at_1']} of {h['of_boards']} boards"
                     + (f", longest for {h['longest']['days']} days from {h['longest']['from']}"
                        + (" (still #1)" if h["longest"]["current"] else "") if h["longest"] else "") + ".")
    else:
        bp = h["best_place"]
        lines.append(f"**No: {name} has never been #1** on {where}; its best place was #{bp['place']} "
                     f"({bp['model']}, first on {bp['date']}).")
    if n > 1:
        if h["first_top_n"]:
            f = h["first_top_n"]
            lines.append(f"First in the top {n}: {f['date']} ({f['model']}, #{f['place']}).")
        else:
            lines.append(f"Never in the top {n}.")
    day = view.snapshot_on(until)
    now = next(iter(view.board(day, among)), None) if day else None
    if now is not None and not side.pred(now):
        lines.append(f"#1 on {day}: {now.model} ({now.organization or now.country or 'unknown'}, {elo(now.score)}).")
    return Reply(text="\n".join(lines), title=f"{name}: records on {where}",
                 method=methods.join(f"Rated on {h['boards']} boards from {view.dates[0]}"
                                     + (f" up to {until}" if until else "")
                                     + "; places count the listed models, best first.", methods.boards(view.rule)),
                 footer=ctx.footer(*used_sources(view, view.snapshot_on(until)), as_of=view.snapshot_on(until)),
                 data={"history": h, "category": category, "as_of": view.snapshot_on(until), "among": access})

def _gap_reply(ctx: Context, view: CountedBoards, a: Side, b: Side, within: float | None, category: str,
               until: str | None) -> Reply:
    series = gap_series(ctx, a, b, until, view)
    where = f"Chatbot Arena{cat_label(category)}"
    if not series:
        return Reply(text=f"No board of {where} rates both {a.label} and {b.label}.", data={"series": []})
    leads = [p["elo"] >= 0 for p in series]
    changes = sum(1 for x, y in zip(leads, leads[1:]) if x != y)
    widest = max(series, key=lambda p: abs(p["pct"]))
    narrowest = min(series, key=lambda p: abs(p["pct"]))
    b_led = [p for p in series if p["elo"] < 0]
    lines = []
    data: dict[str, Any] = {"x": a.label, "y": b.label, "category": category, "changes": changes,
                            "boards": len(series), "within": within}
    if within is not None:
        first = next((p for p in series if abs(p["pct"]) <= within), None)
        data["first_within"] = first and {"date": first["date"], "pct": first["pct"]}
        if first:
            lines.append(f"**{_cap(a.label)} vs {b.label} first came within {within:g}% on {first['date']}** "
                         f"({pct(first['pct'], 2)}: {first['a_arena']} {elo(first['a'])} vs "
                         f"{first['b_arena']} {elo(first['b'])}) on {where}; "
                         f"within {within:g}% on {sum(abs(p['pct']) <= within for p in series)} of {len(series)} "
                         f"boards since.")
        else:
            lines.append(f"**{_cap(a.label)} vs {b.label} has never been within {within:g}%** on {where}; "
                         f"the narrowest was {pct(narrowest['pct'], 2)} on {narrowest['date']}.")
    b_name = _cap(b.label)
    lines.append((f"{b_name} led {a.label} on {len(b_led)} of {len(series)} boards (first on {b_led[0]['date']})"
                  if b_led else f"{b_name} has never led {a.label} ({len(series)} boards)")
                 + f"; the lead changed hands {changes} times.")
    lines.append(f"Widest: {pct(widest['pct'], 2)} on {widest['date']}; narrowest: {pct(narrowest['pct'], 2)} on "
                 f"{narrowest['date']} (positive: {a.label} ahead).")
    data.update(widest={"date": widest["date"], "pct": widest["pct"]},
                narrowest={"date": narrowest["date"], "pct": narrowest["pct"]}, y_led=len(b_led),
                as_of=series[-1]["date"])
    return Reply(text="\n".join(lines), title=f"{a.label} vs {b.label}: records on {where}",
                 footer=ctx.footer(*used_sources(view, series[-1]["date"]), as_of=series[-1]["date"]), data=data)

@command("records", summary="Firsts, records and 'ever' from the whole Arena history: reigns at #1, a side's firsts, "
                            "a gap's history.",
         usage="records [side [vs side]] [open|closed] [top n] [within p%] [category] [all] [date]",
         example="records china top 10", aliases=("record", "ever", "firsts"),
         params=(Param("sides", "text", "a country, organisation, open or closed; two for a gap's history", rest=True),
                 Param("category", "category", "an Arena category"),
                 Param("all", "flag", "every listed model, the retired too"),
                 Param("date", "date", "up to this day, month or year")),
         details="`records` alone: the longest reigns at #1. `records china top 10`: when China first reached "
                 "the top 10 and #1, and whether it ever led. `records closed open within 2%`: when the gap "
                 "first came within 2%, and how often the lead changed hands.")
def records(ctx: Context, args: Args) -> Reply:
    v = bind(ctx, args, category=OVERALL)
    if v.date and v.date.since:
        raise Usage("`records` reads the whole history up to a date (`records china 2025-01`), not since one.")
    everything, category = bool(v.all), v.category
    rest, within = _within(words(args.text))
    rest, n = _top_n(rest)
    view = record_boards(ctx.read, everything, category, public=False)
    until = v.date.until if v.date else None
    if not rest:
        if within is not None:
            raise Usage("`within` needs two sides: `records closed open within 2%`.")
        return _reigns_reply(ctx, view, category, until)
    access = None
    if len(rest) > 1 and fold(rest[-1]) in ("open", "closed") and fold(rest[0]) not in ("open", "closed") and \
            fold(rest[-2]) not in ("vs", "versus", "v", "and", "or", "against"):
        rest, access = rest[:-1], fold(rest[-1])  # "records china open": China among open-weight models
    one = resolve_side(ctx, " ".join(rest)) or (model_side(ctx, " ".join(rest)) if not access else None)
    if one is not None and within is None:
        return _side_reply(ctx, view, one, n, category, until, access)
    a, b = two_sides(ctx, " ".join(rest))
    if access:
        a, b = only(a, access), only(b, access)
    return _gap_reply(ctx, view, a, b, within, category, until)
