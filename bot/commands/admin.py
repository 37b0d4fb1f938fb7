"""Moderators keep the data right: every change audited, undoable, announced.

Every handler here is registered with ``admin=True``: the engine refuses
them for anyone who is not a moderator before they run. Each change is one
transaction (``store.change``) that writes an audit entry per row with its
values before and after, so ``undo`` reverts it exactly.
"""
from __future__ import annotations

import re
import secrets
import statistics
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from bot.commands.context import Args, Context, NotFound, Usage
from bot.commands.grammar import take_date, unquote, words
from bot.commands.registry import Param, command
from bot.render.text import clean, elo, params as fmt_params
from bot.reply import Attachment, Field, Reply
from bot.store.importers import (
    IMPORTERS, SOURCE_MODERATOR, ImportFailed, ImportReport, ensure_sources, import_arena, import_epoch_hub,
    import_epoch_notable, import_figures,
)
from bot.store.normalize import ACCESS_ALIASES, COUNTRY_ALIASES, fold, parse_date, parse_number
from bot.store.queries import pct_gap

MAX_UPLOAD = 25 * 1024 * 1024
CONFIRM_SECONDS = 300
DEFAULT_EPOCH_URL = "https://epoch.ai/data/notable_ai_models.csv"

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
            raise Usage(f"{raw!r} is not a number (try 70B, 1.2T or 3.8e25).") from None
        if v is None or v <= 0:
            raise Usage(f"{column.replace('_', ' ')} must be a positive number.")
        return v
    if column == "release_date":
        try:
            return parse_date(raw)
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
    if not raw or len(raw) > 200:
        raise Usage(f"{column} must be 1 to 200 characters.")
    return clean(raw, 200)


def _exact_model(ctx: Context, name: str) -> int:
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
        return _exact_model(ctx, m.group(1)), m.group(2).strip()
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


# ---------------------------------------------------------------------------
# the change wrapper: audit, invalidation, announcements
# ---------------------------------------------------------------------------
def race_state(ctx_facts) -> dict[str, Any]:
    f = ctx_facts
    day = f.latest
    if not day:
        return {}
    board = f.board(day)
    us = f.best(day, lambda r: r.country == "United States")
    cn = f.best(day, lambda r: r.country == "China")
    lead = None
    if us and cn:
        lead = "United States" if us.score > cn.score else "China" if cn.score > us.score else "level"
    return {"rank1": board[0].arena_name if board else None, "rank1_score": board[0].score if board else None,
            "us_china": lead, "us_pct": pct_gap(us.score, cn.score) if us and cn else None, "date": day}


def changed(ctx: Context, action: str, fn: Callable[[Any], str], *, audit: bool = True) -> Reply:
    """Run `fn(change)` as one audited transaction; reply with its summary
    and any announcement the change causes."""
    before = race_state(ctx.facts)
    with ctx.store.change(actor(ctx), action, audit=audit) as ch:
        ensure_sources(ch, SOURCE_MODERATOR)
        summary = fn(ch)
    after = race_state(ctx.engine.facts()) if ctx.engine else {}
    reply = Reply(text=summary, changed=True, data={"change": action})
    reply.announcements = announcements(before, after)
    return reply


def announcements(before: dict, after: dict) -> list[str]:
    out = []
    if before.get("rank1") and after.get("rank1") and before["rank1"] != after["rank1"]:
        out.append(f"New #1 on Chatbot Arena: **{after['rank1']}** ({elo(after['rank1_score'])} Elo) takes the top spot "
                   f"from {before['rank1']} (as of {after['date']}).")
    if before.get("us_china") and after.get("us_china") and before["us_china"] != after["us_china"]:
        out.append(f"The lead on Chatbot Arena between the US and China changed: now **{after['us_china']}** "
                   f"(as of {after['date']}).")
    return out


def _row_label(ctx: Context, mid: int) -> str:
    return ctx.store.scalar("SELECT name FROM models WHERE id = ?", [mid]) or f"model {mid}"


# ---------------------------------------------------------------------------
# models
# ---------------------------------------------------------------------------
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
    name = unquote(body[: first_kv.start()] if first_kv else body)
    if not name or len(name) > 120:
        raise Usage("Give the model's name (at most 120 characters).")
    values: dict[str, Any] = {}
    for k, raw, quoted in KV.findall(body):
        col = FIELDS.get(k.lower())
        if not col:
            raise Usage(f"Unknown field {k!r}. Fields: org, country, date, params, compute, cost, access, domain.")
        values[col] = parse_value(ctx, col, quoted or raw)
    for need in ("organization", "country", "release_date"):
        if need not in values:
            raise Usage(f"{need.replace('_', ' ')} is required.")
    if ctx.store.scalar("SELECT id FROM models WHERE name = ?", [name]):
        raise Usage(f"There is already a model named {name!r}; change it with `set`.")

    def do(ch):
        from bot.store.importers import OrgIndex

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
    mid = _exact_model(ctx, " ".join(ws[:idx]))
    col = FIELDS[fold(ws[idx]).replace(" ", "_")]
    value = parse_value(ctx, col, " ".join(ws[idx + 1:]))
    name = _row_label(ctx, mid)

    def do(ch):
        row: dict[str, Any] = {"id": mid, col: value}
        if col == "organization":
            from bot.store.importers import OrgIndex

            org = OrgIndex(ch).ensure(value, source_id=SOURCE_MODERATOR)
            row.update(organization=org["name"], org_id=org["id"])
        before = ch.get("models", {"id": mid})
        if ch.upsert("models", row) == "unchanged":
            return f"{name}: {col.replace('_', ' ')} is already {value}; nothing changed."
        return f"{name}: {col.replace('_', ' ')} {show(col, before[col])} → {show(col, row[col])}."

    return changed(ctx, f"set {name} {col}", do)


def show(col: str, v: Any) -> str:
    """A field value as a person reads it."""
    from bot.render.text import flop, usd

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
        v = float(r.rstrip("%"))
    except ValueError:
        raise Usage(f"{raw!r} is not a score (use 0.72 or 72%).") from None
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
    ws = words(rest)
    if len(ws) < 3:
        raise Usage()
    value = _score_value(ws[-1])
    mid, bench_text = split_model_and_rest(ctx, " ".join(ws[:-1]))
    bench = next((b for b in ctx.facts.benchmarks if fold(b) == fold(bench_text)), None)
    if bench is None:
        from bot.commands.race import _benchmark

        bench = _benchmark(ctx, bench_text) or clean(unquote(bench_text), 80)
    name = _row_label(ctx, mid)
    date = when.start if when else datetime.now(timezone.utc).date().isoformat()

    def do(ch):
        outcome = ch.upsert("benchmark_scores", {"model_id": mid, "benchmark": bench, "version": "moderator",
                                                 "value": value, "date": date, "source_id": SOURCE_MODERATOR})
        return f"{name}: {bench} = {value * 100:.1f}% ({date}), {outcome}."

    return changed(ctx, f"score {name} {bench}", do)


@command("elo", summary="Record a Chatbot Arena score for a model in a snapshot.", usage="elo <model> <score> [date]",
         example="elo deepseek r1 1400 2025-08-06", admin=True,
         params=(Param("model", "model", "the model", True), Param("score", "int", "Arena Elo", True),
                 Param("date", "date", "the snapshot (default: the latest)")))
def elo_(ctx: Context, args: Args) -> Reply:
    rest, when = take_date(args.raw)
    ws = words(rest)
    if len(ws) < 2:
        raise Usage()
    try:
        value = float(ws[-1])
    except ValueError:
        raise Usage(f"{ws[-1]!r} is not an Elo score.") from None
    if not 100 <= value <= 5000:
        raise Usage("An Arena score is between 100 and 5000.")
    mid = _exact_model(ctx, " ".join(ws[:-1]))
    name = _row_label(ctx, mid)
    day = when.start if when else ctx.facts.latest

    def do(ch):
        m = ch.get("models", {"id": mid})
        shown = ctx.facts.board_for(day)  # the rating joins the board the rule picks for that day
        board = ch.db.execute("SELECT arena_name, score FROM arena_ratings WHERE source_id = ? AND snapshot_date = ? "
                              "AND category = 'full' ORDER BY score DESC",
                              [shown.source, shown.date] if shown else ["", day]).fetchall()
        rank = 1 + sum(1 for n, s in board if s > value and n != name)
        outcome = ch.upsert("arena_ratings", {
            "snapshot_date": day, "category": "full", "arena_name": name, "model_id": mid, "rank": rank,
            "score": value,
            "organization": m["organization"], "licence": m["licence"] or ("Proprietary" if m["access"] != "open weights" else "Open"),
            "source_id": SOURCE_MODERATOR})
        return f"{name}: Arena {elo(value)} Elo in the {day} snapshot (rank {rank}), {outcome}."

    return changed(ctx, f"elo {name} {day}", do)


@command("alias", summary="Another name for a model.", usage="alias <model> <alias>", example="alias deepseek r1 r1",
         admin=True, params=(Param("model", "model", "the model", True), Param("alias", "text", "the other name", True)))
def alias(ctx: Context, args: Args) -> Reply:
    mid, new = split_model_and_rest(ctx, args.raw)
    new = clean(unquote(new), 100)
    if not new:
        raise Usage()
    owner = ctx.store.one("SELECT model_id FROM aliases WHERE alias = ?", [new])
    if owner:
        raise Usage(f"{new!r} already names {_row_label(ctx, owner['model_id'])}; `unalias` it first.")
    clash = ctx.store.scalar("SELECT id FROM models WHERE name = ? AND id != ?", [new, mid])
    if clash:
        raise Usage(f"{new!r} is the name of another model.")
    name = _row_label(ctx, mid)
    return changed(ctx, f"alias {name} {new}", lambda ch: (
        ch.upsert("aliases", {"alias": new, "model_id": mid, "kind": "alias", "reviewed": 1, "source_id": SOURCE_MODERATOR}),
        f"{new!r} now means **{name}**.")[1])


@command("unalias", summary="Remove an alias.", usage="unalias <alias>", example="unalias r1", admin=True,
         params=(Param("alias", "text", "the alias", True),))
def unalias(ctx: Context, args: Args) -> Reply:
    a = unquote(args.raw)
    row = ctx.store.one("SELECT * FROM aliases WHERE alias = ?", [a]) or ctx.store.one(
        "SELECT * FROM aliases WHERE lower(alias) = lower(?)", [a])
    if not row:
        raise Usage(f"There is no alias {clean(a)!r}.")
    if ctx.store.scalar("SELECT count(*) FROM arena_ratings WHERE arena_name = ?", [row["alias"]]):
        raise Usage(f"{row['alias']!r} is an Arena leaderboard name with ratings; `merge` or `rename` instead.")
    return changed(ctx, f"unalias {row['alias']}", lambda ch: (
        ch.delete("aliases", {"alias": row["alias"]}), f"Removed the alias {row['alias']!r}.")[1])


@command("rename", summary="Rename a model (the old name stays as an alias).", usage="rename <model> to <new name>",
         example="rename deepseek r1 to DeepSeek-R1 (Jan 2025)", admin=True,
         params=(Param("model", "model", "the model", True), Param("new", "text", "the new name", True)))
def rename(ctx: Context, args: Args) -> Reply:
    if re.search(r"\s+to\s+", args.raw, re.I):
        old, new = re.split(r"\s+to\s+", args.raw, maxsplit=1, flags=re.I)
        mid = _exact_model(ctx, unquote(old))
    else:
        mid, new = split_model_and_rest(ctx, args.raw)
    new = clean(unquote(new), 120)
    if not new:
        raise Usage()
    if ctx.store.scalar("SELECT id FROM models WHERE name = ?", [new]):
        raise Usage(f"There is already a model named {new!r}; `merge` them instead.")
    old_name = _row_label(ctx, mid)

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
    dup, keep = _exact_model(ctx, unquote(parts[0])), _exact_model(ctx, unquote(parts[1]))
    if dup == keep:
        raise Usage("Those are the same model.")
    dname, kname = _row_label(ctx, dup), _row_label(ctx, keep)

    def do(ch):
        moved = 0
        for r in ch.db.execute("SELECT source_id, snapshot_date, category, arena_name FROM arena_ratings "
                               "WHERE model_id = ?", [dup]).fetchall():
            ch.upsert("arena_ratings", {"source_id": r[0], "snapshot_date": r[1], "category": r[2],
                                        "arena_name": r[3], "model_id": keep})
            moved += 1
        for r in ch.db.execute("SELECT arena_name, as_of FROM prices WHERE model_id = ?", [dup]).fetchall():
            ch.upsert("prices", {"arena_name": r[0], "as_of": r[1], "model_id": keep})
        for r in ch.db.execute("SELECT benchmark, version, value, date, source_id FROM benchmark_scores WHERE model_id = ?",
                               [dup]).fetchall():
            ch.delete("benchmark_scores", {"model_id": dup, "benchmark": r[0], "version": r[1]})
            if ch.get("benchmark_scores", {"model_id": keep, "benchmark": r[0], "version": r[1]}) is None:
                ch.upsert("benchmark_scores", {"model_id": keep, "benchmark": r[0], "version": r[1], "value": r[2],
                                               "date": r[3], "source_id": r[4]})
            moved += 1
        for (a,) in ch.db.execute("SELECT alias FROM aliases WHERE model_id = ?", [dup]).fetchall():
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
    mid = _exact_model(ctx, unquote(args.raw))
    name = _row_label(ctx, mid)
    return changed(ctx, f"remove {name}", lambda ch: (ch.upsert("models", {"id": mid, "hidden": 1}),
                                                      f"**{name}** is hidden from answers; `restore {name}` brings it back.")[1])


@command("restore", summary="Bring back a removed model.", usage="restore <model>", example="restore Gemini-Exp-1114",
         admin=True, params=(Param("model", "text", "the removed model", True),))
def restore(ctx: Context, args: Args) -> Reply:
    name = unquote(args.raw)
    row = ctx.store.one("SELECT id, name FROM models WHERE hidden = 1 AND lower(name) = lower(?)", [name])
    if row is None:
        hidden = [r["name"] for r in ctx.store.query("SELECT name FROM models WHERE hidden = 1 ORDER BY name LIMIT 10")]
        raise Usage(f"No removed model named {clean(name)!r}." + (" Removed: " + ", ".join(hidden) if hidden else ""))
    return changed(ctx, f"restore {row['name']}", lambda ch: (ch.upsert("models", {"id": row["id"], "hidden": 0}),
                                                              f"**{row['name']}** is back.")[1])


# ---------------------------------------------------------------------------
# history and undo
# ---------------------------------------------------------------------------
@command("undo", summary="Revert the last n changes exactly.", usage="undo [n]", example="undo", admin=True,
         params=(Param("n", "int", "how many changes (default 1)"),))
def undo(ctx: Context, args: Args) -> Reply:
    n = 1
    if args.raw.strip():
        if not args.raw.strip().isdigit() or not 1 <= int(args.raw) <= 50:
            raise Usage("n is a number from 1 to 50.")
        n = int(args.raw)
    before = race_state(ctx.facts)
    done = ctx.store.undo(n, actor=actor(ctx))
    if not done:
        return Reply(text="Nothing to undo.", data={"undone": []})
    after = race_state(ctx.engine.facts()) if ctx.engine else {}
    lines = [f"Undid {len(done)} change{'s' * (len(done) > 1)}:"] + [
        f"• {clean(d['action'], 120)} (by {clean(d['actor'], 60)}, {d['rows']} rows)" for d in done]
    return Reply(text="\n".join(lines), changed=True, data={"undone": done},
                 announcements=announcements(before, after))


@command("history", summary="Who changed what, when, from what to what.", usage="history [model]",
         example="history deepseek r1", admin=True, params=(Param("model", "model", "one model"),))
def history(ctx: Context, args: Args) -> Reply:
    import json

    mid = _exact_model(ctx, unquote(args.raw)) if args.raw.strip() else None
    rows = ctx.store.history(model_id=mid, limit=15)
    if not rows:
        return Reply(text="No changes recorded" + (f" for {_row_label(ctx, mid)}." if mid else "."), data={"history": []})
    lines = []
    for r in rows:
        b = json.loads(r["before"]) if r["before"] else None
        a = json.loads(r["after"]) if r["after"] else None
        if b and a:
            diff = ", ".join(f"{k}: {b[k]!r} → {a[k]!r}" for k in a if b.get(k) != a.get(k))
        elif a:
            diff = "added"
        else:
            diff = "deleted"
        lines.append(f"#{r['batch']} {r['ts'][:16]} {clean(r['actor'], 40)}: {clean(r['action'], 60)} — "
                     f"{r['tbl']} {clean(diff, 160)}" + (" (undone)" if r["undone"] else ""))
    return Reply(text="\n".join(lines), title="History" + (f": {_row_label(ctx, mid)}" if mid else ""),
                 data={"history": rows})


# ---------------------------------------------------------------------------
# import, sync, export, backup, stats
# ---------------------------------------------------------------------------
@dataclass
class Pending:
    token: str
    user_id: str
    expires: float
    description: str
    run: Callable[[str], ImportReport]


PENDING: dict[str, Pending] = {}
_PENDING_LOCK = threading.Lock()

IMPORT_KINDS = {"epoch": import_epoch_notable, "arena": import_arena, "figures": import_figures,
                "project": None, "epoch-hub": None, "arena-history": IMPORTERS["arena-history"],
                "arena-catalog": IMPORTERS["arena-catalog"], "arena-prices": IMPORTERS["arena-prices"]}
JSON_KINDS = ("arena-catalog", "arena-prices")  # the kinds whose files are JSON


def _importer(kind: str):
    from bot.store.seed import import_project

    if kind == "project":
        return import_project
    if kind == "epoch-hub":
        def hub(store, data, *, name=None, **kw):
            return import_epoch_hub(store, None, runs=data, versions=kw.pop("versions"), **kw)
        return hub
    return IMPORT_KINDS[kind]


def _dry_run_reply(ctx: Context, kind: str, files: list[tuple[str, bytes]], run: Callable[..., ImportReport],
                   label: str) -> Reply:
    try:
        report = run(dry_run=True)
    except ImportFailed as exc:
        return Reply(text=f"{exc}", status="error", data={"import": kind})
    token = secrets.token_urlsafe(12)
    with _PENDING_LOCK:
        now = time.time()
        for k in [k for k, p in PENDING.items() if p.expires < now]:
            del PENDING[k]
        PENDING[token] = Pending(token, ctx.caller.user_id, now + CONFIRM_SECONDS, label,
                                 lambda who: run(dry_run=False, actor=who))
    preview = "\n".join(clean(c, 120) for c in report.changes[:15])
    text = (f"Dry run of {label}: **{report.added} added, {report.updated} changed, {report.unchanged} unchanged, "
            f"{report.skipped} skipped, 0 removed** (imports never delete).\n"
            + (f"```\n{preview}\n```\n" if preview else "")
            + "Press Confirm within 5 minutes to apply it; only you can.")
    return Reply(text=text, status="confirm", confirm_token=token,
                 data={"import": kind, "report": report.as_dict(), "dry_run": True})


@command("import", summary="Import a CSV attachment (dry run first, then Confirm).",
         usage="import <epoch|arena|arena-history|arena-catalog|arena-prices|figures|project> (with the file attached)",
         example="import arena", admin=True,
         params=(Param("kind", "text", "epoch, arena, arena-history, arena-catalog, arena-prices, figures or project",
                       True),
                 Param("file", "attachment", "the CSV (or, for arena-catalog and arena-prices, JSON) file", True)))
def import_(ctx: Context, args: Args) -> Reply:
    ws = words(args.raw)
    kind = fold(ws[0]).replace(" ", "-") if ws else ""
    if kind not in ("epoch", "arena", "arena-history", "arena-catalog", "arena-prices", "figures", "project"):
        raise Usage("Kinds: epoch (notable models CSV), arena (a leaderboard snapshot CSV), arena-history (the "
                    "rating history CSV), arena-catalog (a leaderboard-text JSON release), arena-prices "
                    "(scatterplot-data JSON), figures, project.")
    if len(args.attachments) != 1:
        raise Usage("Attach exactly one file to the message.")
    fname, data = args.attachments[0]
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(fname).name)[:100] or "upload.csv"
    if len(data) > MAX_UPLOAD:
        return Reply(text=f"That file is {len(data) / 1e6:.1f} MB; the limit is 25 MB. Nothing was imported.",
                     status="error")
    if kind in JSON_KINDS and not safe_name.lower().endswith(".json"):
        return Reply(text=f"`import {kind}` takes a .json file. Nothing was imported.", status="error")
    if kind not in JSON_KINDS and not safe_name.lower().endswith((".csv", ".txt")):
        return Reply(text="Only .csv files can be imported. Nothing was imported.", status="error")
    date = ws[1] if len(ws) > 1 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", ws[1]) else None
    fn = _importer(kind)
    store = ctx.store

    def run(dry_run: bool, actor: str = actor(ctx)) -> ImportReport:
        kw = {"name": safe_name, "dry_run": dry_run, "actor": actor}
        if kind in ("arena", "arena-catalog", "arena-prices") and date:
            kw["snapshot_date"] = date
        return fn(store, data, **kw)

    return _dry_run_reply(ctx, kind, args.attachments, run, f"{kind} {safe_name}")


@command("sync", summary="Fetch the current Epoch AI notable models CSV and import it (dry run first).",
         usage="sync epoch", example="sync epoch", admin=True,
         params=(Param("what", "text", "epoch", True),))
def sync(ctx: Context, args: Args) -> Reply:
    if fold(args.raw) != "epoch":
        raise Usage("Only `sync epoch` is supported.")
    url = getattr(ctx.settings, "epoch_csv_url", None) or DEFAULT_EPOCH_URL
    timeout = float(getattr(ctx.settings, "sync_timeout", 20) or 20)
    try:
        data = download(url, timeout=timeout, limit=MAX_UPLOAD)
    except DownloadError as exc:
        return Reply(text=f"Could not fetch the Epoch AI CSV: {exc}. Nothing was imported.", status="error")
    store = ctx.store
    name = Path(url.split("?")[0]).name or "notable_ai_models.csv"
    return _dry_run_reply(ctx, "epoch", [(name, data)],
                          lambda dry_run, actor=actor(ctx): import_epoch_notable(store, data, name=name, dry_run=dry_run,
                                                                                 actor=actor),
                          f"epoch (synced from {url})")


class DownloadError(Exception):
    pass


def download(url: str, *, timeout: float, limit: int) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise DownloadError("the URL must be http(s)")
    req = urllib.request.Request(url, headers={"User-Agent": "ai-race-bot"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            if resp.status != 200:
                raise DownloadError(f"the server answered {resp.status}")
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise DownloadError(f"the file is {int(declared) / 1e6:.1f} MB, over the {limit // 2**20} MB limit")
            data = resp.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"the server answered {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"the download failed ({clean(str(reason), 100)})") from None
    if len(data) > limit:
        raise DownloadError(f"the file is over the {limit // 2**20} MB limit")
    return data


def cancel(token: str, caller) -> Reply:
    """The Cancel button: the pending import is dropped at once."""
    with _PENDING_LOCK:
        p = PENDING.get(token)
        if p is not None and caller.user_id == p.user_id:
            del PENDING[token]
            return Reply(text="Cancelled; nothing was changed.", data={"cancelled": True})
    return Reply(text="Nothing to cancel; nothing was changed.", status="refused")


def confirm(engine, token: str, caller) -> Reply:
    """The Confirm button of a pending import: same moderator, within 5 minutes."""
    with _PENDING_LOCK:
        p = PENDING.get(token)
        if p is None:
            return Reply(text="That import is no longer pending (already done or cancelled). Nothing changed.",
                         status="refused")
        if not caller.is_moderator or caller.user_id != p.user_id:
            return Reply(text="Only the moderator who started this import can confirm it. Nothing changed.",
                         status="refused")
        if time.time() > p.expires:
            del PENDING[token]
            return Reply(text="This import expired (5 minutes); run it again. Nothing changed.", status="refused")
        del PENDING[token]
    ctx = engine.context(caller)
    before = race_state(ctx.facts)
    try:
        report = p.run(f"{caller.name} ({caller.user_id})")
    except ImportFailed as exc:
        return Reply(text=str(exc), status="error")
    after = race_state(engine.facts())
    return Reply(text=f"Imported {p.description}: {report.added} added, {report.updated} changed, "
                      f"{report.unchanged} unchanged, {report.skipped} skipped. `undo` reverts it.",
                 changed=True, data={"report": report.as_dict()}, announcements=announcements(before, after))


@command("export", summary="The data as CSV tables, one JSON file or a SQLite copy.", usage="export [csv|json|sqlite]",
         example="export csv", admin=True, params=(Param("format", "text", "csv, json or sqlite"),))
def export_(ctx: Context, args: Args) -> Reply:
    from bot.store.exporter import FORMATS, export

    fmt = fold(args.raw) or "csv"
    if fmt not in FORMATS:
        raise Usage("Formats: csv, json, sqlite.")
    files = export(ctx.store, fmt)
    total = sum(len(d) for _n, d in files)
    if total > MAX_UPLOAD:
        return Reply(text=f"The export is {total / 1e6:.1f} MB, over Discord's upload limit; use `racebot export` "
                          "on the server.", status="error")
    mime = {"csv": "text/csv", "json": "application/json", "sqlite": "application/vnd.sqlite3"}[fmt]
    return Reply(text=f"Export ({fmt}): {', '.join(n for n, _ in files)}. Cells a spreadsheet would run as "
                      "formulas are escaped with a leading apostrophe; `import project` reads these back.",
                 files=[Attachment(n, d, mime) for n, d in files], data={"export": fmt, "files": [n for n, _ in files]})


@command("backup", summary="A consistent copy of the database (SQLite's backup API).", usage="backup",
         example="backup", admin=True)
def backup(ctx: Context, args: Args) -> Reply:
    folder = Path(getattr(ctx.settings, "backup_dir", None) or Path(ctx.store.path).resolve().parent / "backups")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    dest = ctx.store.backup(folder / f"racebot-{stamp}.db")
    size = dest.stat().st_size
    return Reply(text=f"Backup written: `{dest.name}` ({size / 1e6:.1f} MB) in the bot's backups folder.",
                 data={"backup": str(dest)})


@command("stats", summary="Uptime, commands served, latency and data as-of dates.", usage="stats", example="stats",
         admin=True)
def stats(ctx: Context, args: Args) -> Reply:
    e = ctx.engine
    up = time.time() - e.started
    lat = sorted(e.latencies)
    p50 = statistics.median(lat) * 1000 if lat else 0.0
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else 0.0
    as_of = {r["title"]: r["as_of"] for r in ctx.store.query("SELECT title, as_of FROM sources ORDER BY id")}
    served = sum(e.served.values())
    fields = [Field("Uptime", f"{up / 3600:.1f} h"), Field("Commands served", f"{served:,}"),
              Field("Latency", f"p50 {p50:.1f} ms · p99 {p99:.1f} ms"),
              Field("Data as of", "\n".join(f"{k}: {v or '-'}" for k, v in as_of.items()), inline=False)]
    return Reply(text=f"Up {up / 3600:.1f} h, {served:,} commands served.", title="Bot stats", fields=fields,
                 data={"uptime_s": up, "served": dict(e.served), "p50_ms": p50, "p99_ms": p99, "as_of": as_of})
