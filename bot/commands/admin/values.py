"""What moderators type, checked: field names, values, and the model a change is about."""
from __future__ import annotations

import re
from typing import Any

from bot.commands.context import Context, NotFound, Usage
from bot.commands.grammar import unquote, words
from bot.render.text import clean
from bot.store import queries
from bot.domain.validate import Invalid, not_future, parse_date, parse_number, safe_name
from bot.domain.normalize import ACCESS_ALIASES, COUNTRY_ALIASES, fold

FIELDS = {  # what moderators type -> (column, parser)
    "org": "organization", "organisation": "organization", "organization": "organization", "maker": "organization",
    "country": "country", "date": "release_date", "released": "release_date", "release": "release_date",
    "release_date": "release_date", "params": "parameters", "parameters": "parameters", "size": "parameters",
    "compute": "training_compute", "flop": "training_compute", "training_compute": "training_compute",
    "cost": "training_cost", "training_cost": "training_cost", "access": "access", "domain": "domain",
    "licence": "licence", "license": "licence", "sector": "sector",
}


def actor(ctx: Context) -> str:
    return f"{ctx.caller.name} ({ctx.caller.user_id})"


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------
def parse_value(ctx: Context, column: str, raw: str) -> Any:
    raw = unquote(raw)
    if column in ("parameters", "training_compute", "training_cost"):
        try:
            v = parse_number(raw.replace("$", "").replace("FLOP", "").replace("flop", ""))
        except ValueError:
            raise Usage(f"'{clean(raw, 40)}' is not a finite number (try 70B, 1.2T or 3.8e25).") from None
        if v is None or v <= 0:
            raise Usage(f"{column.replace('_', ' ')} must be a positive number.")
        return v
    if column == "release_date":
        try:
            day = parse_date(raw)
            return not_future(day, raw) if day else day
        except ValueError as exc:
            raise Usage(str(exc)) from None
    if column == "country":
        c = ctx.country(raw) or (COUNTRY_ALIASES.get(fold(raw)))
        if not c:
            raise Usage(f"{raw!r} is not a country I know. Known: " + ", ".join(ctx.known_countries()[:30]) + ", ...")
        return c
    if column == "access":
        a = ACCESS_ALIASES.get(fold(raw).replace(" ", "-")) or ACCESS_ALIASES.get(fold(raw))
        if not a:
            raise Usage("access is one of: open (weights), API, hosted, unreleased.")
        return a
    return stored_text(raw, limit=200, what=column)


def stored_text(raw: str, *, limit: int, what: str) -> str:
    """Text a moderator types to be stored (a name, an alias, a field): one
    line, no control or invisible characters, at most `limit` characters, no
    mention, link or fence: the same rule as every importer's (``safe_name``).
    Stored as typed (display cleaning happens when it is shown)."""
    try:
        return safe_name(unquote(raw), limit=limit, what=what)
    except Invalid as exc:
        raise Usage(str(exc)[:1].upper() + str(exc)[1:] + ".") from None


def exact_model(ctx: Context, name: str) -> int:
    m = ctx.models.resolve(name)
    if not m.found:
        raise NotFound("model", m)
    if m.status == "family" and m.others:
        raise Usage(f"{name!r} names several models ({m.entry.name}, {m.others[0].name}, ...): give the exact name.")
    return m.entry.id


def split_model_and_rest(ctx: Context, text: str, *, min_rest: int = 1) -> tuple[int, str]:
    """``"deepseek r1 something"`` -> (model id, "something"): the longest
    leading words that name a model exactly (or a quoted name)."""
    text = text.strip()
    m = re.match(r'^\s*"([^"]+)"\s*(.*)$', text)
    if m:
        return exact_model(ctx, m.group(1)), m.group(2).strip()
    ws = words(text)
    for k in range(len(ws) - min_rest, 0, -1):
        cand = " ".join(ws[:k])
        mt = ctx.models.resolve(cand)
        if mt.found and mt.status == "exact":
            return mt.entry.id, " ".join(ws[k:])
    for k in range(len(ws) - min_rest, 0, -1):
        mt = ctx.models.resolve(" ".join(ws[:k]))
        if mt.found and (mt.status != "family" or not mt.others):
            return mt.entry.id, " ".join(ws[k:])
    raise NotFound("model", ctx.models.resolve(" ".join(ws[: max(1, len(ws) - min_rest)])))




def model_name(ctx: Context, mid: int) -> str:
    return queries.model_name(ctx.store, mid) or f"model {mid}"
