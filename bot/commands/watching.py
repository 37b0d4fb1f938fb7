"""Watches: which ones fire when the data changes. Pure: no store, no Discord.

A *race view* is the part of the read model watches look at: the latest
Chatbot Arena board, one row per model (its best-scored Arena entry), at one
data version. :func:`race_view` builds it from the read model; the store keeps
it (``race_views``) so any process, before or after a restart, compares the
same two views. :func:`evaluate` takes a watch and the views before and after
a data change and returns the :class:`Alert` to post, or None.

Kinds (``spec`` is what :mod:`bot.commands.server` stores):

* ``gap``: ``{"a": side, "b": side, "below": pct | None, "above": pct | None}``
  fires when the leader between the two sides changes, or the gap (the
  leader's lead, in percent of the other's score, as ``gap`` measures it)
  crosses ``below`` downwards or ``above`` upwards. A side is
  ``{"kind": country|org|open|closed, "key": ..., "label": ...}``.
* ``top``: ``{}``: a new #1; ``{"category": "coding"}``: a new #1 of that
  Arena category (the view keeps each category's latest board's #1).
* ``model``: ``{"model_id", "name", "by"}``: its place on the board moves by
  at least ``by``, or it enters the top 10, or it joins or leaves the board.
* ``country``: ``{"country"}``: its best model changes.

An alert's ``key`` names the change (the data version it was seen at and
what happened), so posting it can be claimed once across processes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.domain.categories import spelling
from bot.render.text import elo
from bot.domain.regions import EUROPE
from bot.domain.measures import pct_gap

ARENA_SOURCE = "arena-csv"  # the source named when the view does not know its board's
TOP_N = 10

# a board row: [model_id, model name, arena name, score, country, org_id, organisation, open]
ID, NAME, ARENA, SCORE, COUNTRY, ORG, ORG_NAME, OPEN = range(8)


@dataclass
class Alert:
    watch_id: int
    key: str                 # "v<version>:<what happened>": one post per change
    title: str
    text: str
    chart_line: str | None   # the command whose chart goes with it ("gap United States vs China")
    footer: str
    data: dict[str, Any] = field(default_factory=dict)


def race_view(read: Any, day: str | None = None, back: int = 0) -> dict[str, Any]:
    """The latest Arena board of the read model (or the one dated `day`; its categories' boards
    `back` boards before their latest), one row per model, best first."""
    day = day or read.latest
    board: list[list[Any]] = []
    seen: set[int] = set()
    for r in read.board(day) if day else []:
        if r.model_id in seen:
            continue
        seen.add(r.model_id)
        board.append([r.model_id, r.model, r.arena_name, r.score, r.country, r.org_id, r.organization, r.open])
    sid = (read.source_of(day) if day else None) or ARENA_SOURCE
    source = read.source(sid).get("title") or sid
    return {"version": read.version, "date": day, "source": source, "board": board,
            "categories": category_tops(read, back)}


def category_tops(read: Any, back: int = 0) -> dict[str, dict[str, Any]]:
    """{category: {"date", "source", "top": row}}: the #1 of each Arena category's latest board
    (`back` boards before it; categories other than the overall one; each board is one source's,
    as published)."""
    out: dict[str, dict[str, Any]] = {}
    for cat in read.categories():
        chain = read.chain(cat) if cat != "full" else []
        if len(chain) <= back:
            continue
        last = chain[-1 - back]
        rows = read.board_rows(last.source, last.date, cat)
        if rows:
            r = rows[0]
            out[cat] = {"date": last.date, "source": read.source(last.source).get("title") or last.source,
                        "top": [r.model_id, r.model, r.arena_name, r.score, r.country, r.org_id, r.organization,
                                r.open]}
    return out


# ---------------------------------------------------------------------------- reading a view
def _matches(row: list[Any], side: dict[str, Any]) -> bool:
    kind, key = side["kind"], side["key"]
    if kind == "open":
        return bool(row[OPEN])
    if kind == "closed":
        return not row[OPEN]
    if kind == "org":
        return row[ORG] == key
    if key == "Europe":
        return row[COUNTRY] in EUROPE
    return row[COUNTRY] == key


def best(view: dict[str, Any], side: dict[str, Any]) -> list[Any] | None:
    return next((r for r in view["board"] if _matches(r, side)), None)


def place(view: dict[str, Any], model_id: int) -> int | None:
    """The model's place on the board by score (1 = best), None when absent."""
    for i, r in enumerate(view["board"], 1):
        if r[ID] == model_id:
            return i
    return None


def gap_state(view: dict[str, Any], a: dict, b: dict) -> tuple[str, float, list, list] | None:
    """(leader key, lead in percent, leader row, other row), or None when a side is missing."""
    ra, rb = best(view, a), best(view, b)
    if ra is None or rb is None:
        return None
    if ra[SCORE] >= rb[SCORE]:
        return ("a" if ra[SCORE] > rb[SCORE] else "level"), pct_gap(ra[SCORE], rb[SCORE]), ra, rb
    return "b", pct_gap(rb[SCORE], ra[SCORE]), rb, ra


def footer(view: dict[str, Any]) -> str:
    return f"Source: {view.get('source') or ARENA_SOURCE} · as of {view.get('date')}"


# ---------------------------------------------------------------------------- the evaluator
def evaluate(watch: Any, before: dict[str, Any] | None, after: dict[str, Any]) -> Alert | None:
    """The alert `watch` posts for the change from `before` to `after`, or None.

    `watch` has ``id``, ``kind``, ``spec`` and ``label``. Without a `before`
    (the first look) nothing fires."""
    if before is None or not after.get("board") or not before.get("board"):
        return None
    fn = {"gap": _gap, "top": _top, "model": _model, "country": _country}.get(watch.kind)
    if fn is None:
        return None
    found = fn(watch.spec, before, after)
    if found is None:
        return None
    event, title, text, chart_line, data = found
    return Alert(watch.id, f"v{after['version']}:{event}", title, text, chart_line, footer(after),
                 {"watch": watch.label, **data})


def _gap(spec: dict, before: dict, after: dict):
    a, b = spec["a"], spec["b"]
    was, now = gap_state(before, a, b), gap_state(after, a, b)
    if now is None:
        return None
    lead_now, pct_now, lr, orow = now
    labels = {"a": a["label"], "b": b["label"]}
    chart = f"gap {_side_words(a)} vs {_side_words(b)}"
    data = {"leader": labels.get(lead_now, "level"), "gap_pct": round(pct_now, 3), "as_of": after["date"]}
    scores = f"{lr[ARENA]} {elo(lr[SCORE])} vs {orow[ARENA]} {elo(orow[SCORE])}"
    if was is not None and was[0] != lead_now:
        if lead_now == "level":
            text = f"{a['label']} and {b['label']} are now level on Chatbot Arena: {scores}."
        else:
            other = labels["b" if lead_now == "a" else "a"]
            text = (f"**{_cap(labels[lead_now])} now leads {other}** on Chatbot Arena by {pct_now:.2f}%: {scores}. "
                    + (f"Before, {labels[was[0]]} led by {was[1]:.2f}." if was[0] in labels else "Before, they were level."))
        return f"leader:{lead_now}", f"Lead change: {a['label']} vs {b['label']}", text, chart, data
    if was is None:
        return None
    pct_was = was[1]
    below, above = spec.get("below"), spec.get("above")
    who = labels.get(lead_now, "neither side")
    if below is not None and pct_was >= below > pct_now:
        text = (f"The gap between {a['label']} and {b['label']} fell below {below:g}%: now {pct_now:.2f}% "
                f"({who} ahead), was {pct_was:.2f}%. {scores}.")
        return f"below:{below:g}", f"Gap below {below:g}%: {a['label']} vs {b['label']}", text, chart, data
    if above is not None and pct_was <= above < pct_now:
        text = (f"The gap between {a['label']} and {b['label']} rose above {above:g}%: now {pct_now:.2f}% "
                f"({who} ahead), was {pct_was:.2f}%. {scores}.")
        return f"above:{above:g}", f"Gap above {above:g}%: {a['label']} vs {b['label']}", text, chart, data
    return None


def _top(spec: dict, before: dict, after: dict):
    cat = spec.get("category")
    if cat:  # a category's #1: a view from before categories were kept has none, and nothing fires
        was, now = (before.get("categories") or {}).get(cat), (after.get("categories") or {}).get(cat)
        if not was or not now:
            return None
        old, new = was["top"], now["top"]
        board = f" Board of {now['date']} ({now['source']})."
    else:
        old, new = before["board"][0], after["board"][0]
        board = ""
    if old[ID] == new[ID]:
        return None
    where = "Chatbot Arena" + (f" ({spelling(cat)} category)" if cat else "")
    by = f" ({new[ORG_NAME]}, {new[COUNTRY]})" if new[ORG_NAME] and new[COUNTRY] else ""
    text = (f"**New #1 on {where}: {new[ARENA]}**{by} at {elo(new[SCORE])} Elo, "
            f"taking the top spot from {old[ARENA]} ({elo(old[SCORE])} then)."
            + board)
    return (f"top:{cat + ':' if cat else ''}{new[ID]}", f"New #1 on {where}", text,
            f"top 10 {spelling(cat)}" if cat else "top 10", {"model": new[NAME], "score": new[SCORE]})


def _model(spec: dict, before: dict, after: dict):
    mid, name, by = spec["model_id"], spec["name"], int(spec.get("by") or 3)
    was, now = place(before, mid), place(after, mid)
    if was == now:
        return None
    chart = f"model {name}"
    data = {"model": name, "was": was, "now": now}
    if now is None:
        return f"left:{mid}", f"{name} left the board", f"**{name}** is no longer on the Chatbot Arena board (it was #{was}).", chart, data
    row = after["board"][now - 1]
    if was is None:
        return (f"joined:{now}", f"{name} joined the board",
                f"**{name}** is on the Chatbot Arena board at #{now} ({elo(row[SCORE])} Elo).", chart, data)
    if was > TOP_N >= now:
        return (f"top{TOP_N}:{now}", f"{name} entered the top {TOP_N}",
                f"**{name}** entered the top {TOP_N} on Chatbot Arena: #{was} → #{now} ({elo(row[SCORE])} Elo).",
                chart, data)
    if abs(now - was) >= by:
        verb = "rose" if now < was else "fell"
        return (f"moved:{was}-{now}", f"{name} {verb} {abs(now - was)} places",
                f"**{name}** {verb} from #{was} to #{now} on Chatbot Arena ({elo(row[SCORE])} Elo).", chart, data)
    return None


def _country(spec: dict, before: dict, after: dict):
    c = spec["country"]
    side = {"kind": "country", "key": c, "label": c}
    old, new = best(before, side), best(after, side)
    if new is None or (old is not None and old[ID] == new[ID]):
        return None
    text = f"**{c}'s best model on Chatbot Arena is now {new[ARENA]}** ({elo(new[SCORE])} Elo)" + (
        f", replacing {old[ARENA]} ({elo(old[SCORE])} then)." if old else ".")
    return f"best:{c}:{new[ID]}", f"{c}: a new best model", text, f"country {c}", {"model": new[NAME]}


def state(kind: str, spec: dict, view: dict[str, Any]) -> str:
    """Where a watch's subject stands on `view`'s board, in one sentence (for a preview)."""
    if kind == "gap":
        now = gap_state(view, spec["a"], spec["b"])
        if now is None:
            return "One of the two sides is not on the latest board."
        lead, pct, lr, orow = now
        who = {"a": spec["a"]["label"], "b": spec["b"]["label"]}.get(lead)
        return (f"Now: {_cap(who)} leads by {pct:.2f}% ({lr[ARENA]} {elo(lr[SCORE])} vs {orow[ARENA]} "
                f"{elo(orow[SCORE])})." if who else f"Now: level ({elo(lr[SCORE])} each).")
    if kind == "top":
        cat = spec.get("category")
        row = ((view.get("categories") or {}).get(cat) or {}).get("top") if cat else (view["board"] or [None])[0]
        return f"Now #1: {row[ARENA]} ({elo(row[SCORE])} Elo)." if row else "No board for it yet."
    if kind == "model":
        at = place(view, spec["model_id"])
        return f"Now: {spec['name']} is #{at}." if at else f"Now: {spec['name']} is not on the board."
    if kind == "country":
        row = best(view, {"kind": "country", "key": spec["country"], "label": spec["country"]})
        return (f"Now: {spec['country']}'s best is {row[ARENA]} ({elo(row[SCORE])} Elo)." if row
                else f"Now: {spec['country']} has no model on the board.")
    return ""


def _side_words(side: dict) -> str:
    """How a side is typed again for the chart's command line."""
    return side["kind"] if side["kind"] in ("open", "closed") else side["label"]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]
