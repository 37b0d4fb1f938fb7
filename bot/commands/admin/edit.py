"""Editing models: add, set, score, elo, alias, unalias, rename, merge, remove, restore."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from bot.commands.admin.changes import changed
from bot.commands.admin.values import (
    FIELDS, exact_model, model_name, parse_value, split_model_and_rest, stored_text,
)
from bot.commands.context import Args, Context, Usage
from bot.commands.grammar import take_date, unquote, words
from bot.commands.registry import Param, command
from bot.render.text import clean, elo, flop, params as fmt_params, usd
from bot.reply import Reply
from bot.store import queries
from bot.store.importers import SOURCE_MODERATOR, OrgIndex, rerank_snapshot
from bot.domain.validate import parse_number
from bot.domain.normalize import fold

KV = re.compile(r'(\w+)\s*=\s*("([^"]*)"|\S+)')


@command("add", summary="Add a model: add model <name> org=... country=... date=... params=... compute=... access=...",
         usage="add model <name> org=<org> country=<country> date=<YYYY-MM-DD> [params=70B] [compute=3.8e25] [access=open]",
         example="add model Falcon 3 org=TII country=uae date=2024-12-17 params=10B access=open", admin=True,
         params=(Param("what", "text", "model <name> key=value ...", True),))
def add(ctx: Context, args: Args) -> Reply:
    m = re.match(r"^\s*model\s+(.*)$", args.raw, re.I | re.S)
    if not m:
        raise Usage("Only models can be added: `add model <name> org=... country=... date=...`.")
    body = m.group(1)
    first_kv = KV.search(body)
    name = stored_text(body[: first_kv.start()] if first_kv else body, limit=120, what="the model's name")
    values: dict[str, Any] = {}
    for k, raw, quoted in KV.findall(body):
        col = FIELDS.get(k.lower())
        if not col:
            raise Usage(f"Unknown field {k!r}. Fields: org, country, date, params, compute, cost, access, domain.")
        values[col] = parse_value(ctx, col, quoted or raw)
    for need in ("organization", "country", "release_date"):
        if need not in values:
            raise Usage(f"{need.replace('_', ' ')} is required.")
    if queries.model_id_named(ctx.store, name):
        raise Usage(f"There is already a model named {name!r}; change it with `set`.")

    def do(ch):
        orgs = OrgIndex(ch)
        org = orgs.ensure(values["organization"], country=values["country"], source_id=SOURCE_MODERATOR)
        row = {"name": name, **values, "organization": org["name"], "org_id": org["id"], "countries": values["country"],
               "sector": org.get("sector"), "origin": "moderator", "source_id": SOURCE_MODERATOR,
               "domain": values.get("domain", "Language")}
        ch.insert("models", row)
        return f"Added **{name}** ({org['name']}, {values['country']}, {values['release_date']})."

    return changed(ctx, f"add model {name}", do)


@command("set", summary="Change one field of a model.", usage="set <model> <field> <value>",
         example="set deepseek r1 params 671B", admin=True,
         params=(Param("model", "model", "the model", True), Param("field", "text", "org, country, date, params, compute, cost, access, domain", True),
                 Param("value", "text", "the new value", True)))
def set_(ctx: Context, args: Args) -> Reply:
    ws = words(args.raw)
    idx = max((i for i, w in enumerate(ws) if fold(w).replace(" ", "_") in FIELDS and 0 < i < len(ws) - 1), default=None)
    if idx is None:
        raise Usage("Say which field: org, country, date, params, compute, cost, access, domain, licence or sector.")
    mid = exact_model(ctx, " ".join(ws[:idx]))
    col = FIELDS[fold(ws[idx]).replace(" ", "_")]
    value = parse_value(ctx, col, " ".join(ws[idx + 1:]))
    name = model_name(ctx, mid)

    def do(ch):
        row: dict[str, Any] = {"id": mid, col: value}
        if col == "organization":
            org = OrgIndex(ch).ensure(value, source_id=SOURCE_MODERATOR)
            row.update(organization=org["name"], org_id=org["id"])
        before = ch.get("models", {"id": mid})
        if ch.upsert("models", row) == "unchanged":
            return f"{name}: {col.replace('_', ' ')} is already {value}; nothing changed."
        return f"{name}: {col.replace('_', ' ')} {show(col, before[col])} → {show(col, row[col])}."

    return changed(ctx, f"set {name} {col}", do)


def show(col: str, v: Any) -> str:
    """A field value as a person reads it."""
    if v is None:
        return "(none)"
    if col == "parameters":
        return fmt_params(v)
    if col == "training_compute":
        return flop(v)
    if col == "training_cost":
        return usd(v)
    return str(v)


def _score_value(raw: str) -> float:
    r = raw.strip()
    pctv = r.endswith("%")
    try:
        v = parse_number(r.rstrip("%"), units=False)
    except ValueError:
        v = None
    if v is None:
        raise Usage(f"'{clean(raw, 40)}' is not a score (use 0.72 or 72%).")
    if pctv or v > 1:
        v /= 100
    if not 0 <= v <= 1:
        raise Usage("A benchmark score is between 0 and 100%.")
    return v


@command("score", summary="Record a benchmark score for a model.", usage="score <model> <benchmark> <value> [date]",
         example="score deepseek r1 GPQA diamond 71.5% 2025-01-20", admin=True,
         params=(Param("model", "model", "the model", True), Param("benchmark", "benchmark", "the benchmark", True),
                 Param("value", "text", "0.715 or 71.5%", True), Param("date", "date", "when it was measured")))
def score_(ctx: Context, args: Args) -> Reply:
    rest, when = take_date(args.raw)
    today = ctx.today.isoformat()
    if when is not None and when.start > today:  # a board or score dated 2099 would read "as of 2099"
        raise Usage(f"{when.start} is after today ({today}): a score is dated the day it was measured. "
                    "Nothing was changed.")
    ws = words(rest)
    if len(ws) < 3:
        raise Usage()
    value = _score_value(ws[-1])
    mid, bench_text = split_model_and_rest(ctx, " ".join(ws[:-1]))
    bench = next((b for b in ctx.read.benchmarks if fold(b) == fold(bench_text)), None)
    if bench is None:
        bench = ctx.benchmark(bench_text) or stored_text(bench_text, limit=80, what="the benchmark's name")
    name = model_name(ctx, mid)
    date = when.start if when else datetime.now(timezone.utc).date().isoformat()

    def do(ch):
        outcome = ch.upsert("benchmark_scores", {"model_id": mid, "benchmark": bench, "version": "moderator",
                                                 "value": value, "date": date, "source_id": SOURCE_MODERATOR})
        return f"{name}: {bench} = {value * 100:.1f}% ({date}), {outcome}."

    return changed(ctx, f"score {name} {bench}", do)


@command("elo", summary="Record a Chatbot Arena score (without a date: today, on a moderator board of its own).",
         usage="elo <model> <score> [date]",
         example="elo deepseek r1 1400 2025-08-06", admin=True,
         params=(Param("model", "model", "the model", True), Param("score", "int", "Arena Elo", True),
                 Param("date", "date", "the day it was measured (default: today)")))
def elo_(ctx: Context, args: Args) -> Reply:
    rest, when = take_date(args.raw)
    ws = words(rest)
    if len(ws) < 2:
        raise Usage()
    try:
        value = parse_number(ws[-1], units=False)
    except ValueError:
        value = None
    if value is None:
        raise Usage(f"'{clean(ws[-1], 40)}' is not an Elo score.")
    if not 100 <= value <= 5000:
        raise Usage("An Arena score is between 100 and 5000.")
    mid = exact_model(ctx, " ".join(ws[:-1]))
    name = model_name(ctx, mid)
    today = ctx.today.isoformat()
    day = when.start if when else today  # a score without a date is dated the day it is entered
    if day > today:
        raise Usage(f"{day} is after today ({today}): a score is dated the day it was measured.")
    released = ctx.read.models[mid]["release_date"] if mid in ctx.read.models else None
    if released and day < released[:10]:
        raise Usage(f"{name} was released on {released[:10]}; a score dated {day} is before that. "
                    "Give the date the score was measured.")
    shown = ctx.read.board_for(day)  # the published board the rule picks for that day
    if shown is not None and shown.date in ctx.read.moderator_bases:  # a moderator board: the published one under it
        shown = ctx.read.moderator_bases[shown.date]
    if shown is None:
        raise Usage(f"There is no Arena board on or before {day} for this score to amend.")
    own_board = shown.date != day  # not a published board's own date: a moderator board of its own

    def do(ch):
        m = ch.get("models", {"id": mid})
        board = queries.snapshot_scores(ch.db, shown.source, shown.date)
        rank = 1 + sum(1 for n, s in board if s > value and n != name)
        outcome = ch.upsert("arena_ratings", {
            "snapshot_date": day, "category": "full", "arena_name": name, "model_id": mid, "rank": rank,
            "score": value,
            "organization": m["organization"], "licence": m["licence"] or ("Proprietary" if m["access"] != "open weights" else "Open"),
            "source_id": SOURCE_MODERATOR})
        if own_board:  # the published board stays as it was published
            return (f"{name}: Arena {elo(value)} Elo on the moderator board of {day} (the {shown.date} board with "
                    f"moderators' scores; about rank {rank}), {outcome}. The published {shown.date} board is unchanged.")
        # a correction of a published board: the others' ranks on it follow (audited, so undo puts them back)
        moved = rerank_snapshot(ch, shown.date, shown.source, overlay_day=day)
        rank = ch.get("arena_ratings", {"source_id": SOURCE_MODERATOR, "snapshot_date": day, "category": "full",
                                        "arena_name": name})["rank"]
        also = f"; {moved} other rank{'s' * (moved != 1)} in that snapshot updated" if moved > 1 else ""
        return f"{name}: Arena {elo(value)} Elo in the {day} snapshot (a correction of that board; rank {rank}), {outcome}{also}."

    return changed(ctx, f"elo {name} {day}", do)


@command("alias", summary="Another name for a model.", usage="alias <model> <alias>", example="alias deepseek r1 r1",
         admin=True, params=(Param("model", "model", "the model", True), Param("alias", "text", "the other name", True)))
def alias(ctx: Context, args: Args) -> Reply:
    mid, new = split_model_and_rest(ctx, args.raw)
    if not unquote(new):
        raise Usage()
    new = stored_text(new, limit=100, what="the alias")
    owner = queries.alias_owner(ctx.store, new)
    if owner:
        raise Usage(f"{new!r} already names {model_name(ctx, owner)}; `unalias` it first.")
    clash = queries.model_id_named(ctx.store, new, other_than=mid)
    if clash:
        raise Usage(f"{new!r} is the name of another model.")
    name = model_name(ctx, mid)
    return changed(ctx, f"alias {name} {new}", lambda ch: (
        ch.upsert("aliases", {"alias": new, "model_id": mid, "kind": "alias", "reviewed": 1, "source_id": SOURCE_MODERATOR}),
        f"{new!r} now means **{name}**.")[1])


@command("unalias", summary="Remove an alias.", usage="unalias <alias>", example="unalias r1", admin=True,
         params=(Param("alias", "text", "the alias", True),))
def unalias(ctx: Context, args: Args) -> Reply:
    a = unquote(args.raw)
    row = queries.alias(ctx.store, a)
    if not row:
        raise Usage(f"There is no alias '{clean(a)}'.")
    if queries.arena_rating_count(ctx.store, row["alias"]):
        raise Usage(f"{row['alias']!r} is an Arena leaderboard name with ratings; `merge` or `rename` instead.")
    return changed(ctx, f"unalias {row['alias']}", lambda ch: (
        ch.delete("aliases", {"alias": row["alias"]}), f"Removed the alias {row['alias']!r}.")[1])


@command("rename", summary="Rename a model (the old name stays as an alias).", usage="rename <model> to <new name>",
         example="rename deepseek r1 to DeepSeek-R1 (Jan 2025)", admin=True,
         params=(Param("model", "model", "the model", True), Param("new", "text", "the new name", True)))
def rename(ctx: Context, args: Args) -> Reply:
    if re.search(r"\s+to\s+", args.raw, re.I):
        old, new = re.split(r"\s+to\s+", args.raw, maxsplit=1, flags=re.I)
        mid = exact_model(ctx, unquote(old))
    else:
        mid, new = split_model_and_rest(ctx, args.raw)
    if not unquote(new):
        raise Usage()
    new = stored_text(new, limit=120, what="the new name")
    if queries.model_id_named(ctx.store, new):
        raise Usage(f"There is already a model named '{clean(new)}'; `merge` them instead.")
    # the new name must not shadow another model's alias or spelling: lookups would change meaning
    owner = queries.alias_owner(ctx.store, new)
    same = ctx.models.resolve(new)
    if owner is None and same.found and same.status == "exact" and same.entry is not None and same.entry.id != mid:
        owner = int(same.entry.id)
    if owner is not None and owner != mid:
        raise Usage(f"'{clean(new)}' already finds **{clean(model_name(ctx, owner))}** (an alias or spelling of it); "
                    f"renaming to it would hide that model. `unalias {clean(new)}` first, or pick another name.")
    old_name = model_name(ctx, mid)

    def do(ch):
        ch.upsert("models", {"id": mid, "name": new})
        if ch.get("aliases", {"alias": old_name}) is None:
            ch.upsert("aliases", {"alias": old_name, "model_id": mid, "kind": "alias", "reviewed": 1,
                                  "source_id": SOURCE_MODERATOR})
        return f"Renamed **{old_name}** to **{new}** (the old name still finds it)."

    return changed(ctx, f"rename {old_name}", do)


@command("merge", summary="Merge a duplicate into a model: its scores and aliases move, the duplicate goes.",
         usage="merge <duplicate> into <model>", example="merge GPT-4o-2024-05-13 into GPT-4o (May 2024)", admin=True,
         params=(Param("duplicate", "model", "the duplicate", True), Param("model", "model", "the model that stays", True)))
def merge(ctx: Context, args: Args) -> Reply:
    parts = re.split(r"\s+into\s+", args.raw, maxsplit=1, flags=re.I)
    if len(parts) != 2:
        raise Usage()
    dup, keep = exact_model(ctx, unquote(parts[0])), exact_model(ctx, unquote(parts[1]))
    if dup == keep:
        raise Usage("Those are the same model.")
    dname, kname = model_name(ctx, dup), model_name(ctx, keep)

    def do(ch):
        moved = 0
        for r in queries.ratings_of(ch.db, dup):
            ch.upsert("arena_ratings", {"source_id": r[0], "snapshot_date": r[1], "category": r[2],
                                        "arena_name": r[3], "model_id": keep})
            moved += 1
        for r in queries.prices_of(ch.db, dup):
            ch.upsert("prices", {"arena_name": r[0], "as_of": r[1], "model_id": keep})
        for r in queries.scores_of(ch.db, dup):
            ch.delete("benchmark_scores", {"model_id": dup, "benchmark": r[0], "version": r[1]})
            if ch.get("benchmark_scores", {"model_id": keep, "benchmark": r[0], "version": r[1]}) is None:
                ch.upsert("benchmark_scores", {"model_id": keep, "benchmark": r[0], "version": r[1], "value": r[2],
                                               "date": r[3], "source_id": r[4]})
            moved += 1
        for a in queries.aliases_of(ch.db, dup):
            ch.upsert("aliases", {"alias": a, "model_id": keep})
            moved += 1
        ch.delete("models", {"id": dup})
        if ch.get("aliases", {"alias": dname}) is None:
            ch.upsert("aliases", {"alias": dname, "model_id": keep, "kind": "alias", "reviewed": 1,
                                  "source_id": SOURCE_MODERATOR})
        return f"Merged **{dname}** into **{kname}**: {moved} ratings, scores and aliases moved; {dname!r} is now an alias."

    return changed(ctx, f"merge {dname} into {kname}", do)


@command("remove", summary="Hide a model from answers (it can be restored).", usage="remove <model>",
         example="remove Gemini-Exp-1114", admin=True, params=(Param("model", "model", "the model", True),))
def remove(ctx: Context, args: Args) -> Reply:
    mid = exact_model(ctx, unquote(args.raw))
    name = model_name(ctx, mid)
    return changed(ctx, f"remove {name}", lambda ch: (ch.upsert("models", {"id": mid, "hidden": 1}),
                                                      f"**{name}** is hidden from answers; `restore {name}` brings it back.")[1])


@command("restore", summary="Bring back a removed model.", usage="restore <model>", example="restore Gemini-Exp-1114",
         admin=True, params=(Param("model", "text", "the removed model", True),))
def restore(ctx: Context, args: Args) -> Reply:
    name = unquote(args.raw)
    row = queries.hidden_model(ctx.store, name)
    if row is None:
        hidden = queries.hidden_model_names(ctx.store, 10)
        raise Usage(f"No removed model named '{clean(name)}'." + (" Removed: " + ", ".join(hidden) if hidden else ""))
    return changed(ctx, f"restore {row['name']}", lambda ch: (ch.upsert("models", {"id": row["id"], "hidden": 0}),
                                                              f"**{row['name']}** is back.")[1])
