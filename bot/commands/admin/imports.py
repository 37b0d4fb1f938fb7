"""Imports from chat: ``import`` (an attached CSV) and ``sync`` (the Epoch AI
CSV fetched from its URL). Each runs as a dry run first; the real import
waits in the engine's :class:`bot.commands.pending.PendingActions` until its
author presses Confirm."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from bot import tickets
from bot.commands.admin.changes import announcements, race_state
from bot.commands import sync_arena
from bot.commands.admin.values import actor
from bot.commands.context import Args, Context, Usage
from bot.commands.grammar import words
from bot.commands.pending import ANY_MODERATOR
from bot.commands.registry import Param, command
from bot.render.text import clean, code_block
from bot.reply import Reply
from bot.store.fetch import FetchError, fetch
from bot.store.importers import (
    IMPORTERS,
    ImportFailed,
    ImportReport,
    chat_importers,
)
from bot.store.importers.leaderboard import parse_mapping
from bot.store.synclog import SyncLog
from bot.domain.normalize import fold

MAX_UPLOAD = 25 * 1024 * 1024
JSON_KINDS = ("arena-catalog", "arena-prices")  # the kinds whose files are JSON
EITHER_KINDS = ("leaderboard",)  # CSV or JSON


def _mapping(raw: str) -> dict[str, str]:
    """The column mapping on a command line (``model=Model score="Arena Score"``), checked."""
    try:
        return parse_mapping(raw)
    except ValueError as exc:
        raise Usage(f"The mapping: {exc}.") from None


def progress_of(what: str) -> Callable[[int, int], None]:
    """An importer's progress callback that reports through this request's
    ticket (the adapter shows it, throttled): ``dry run of arena x.csv: 12,000 of 60,000 rows``."""
    def show(done: int, total: int) -> None:
        if done == total or done % 250 == 0:
            tickets.report(f"{what}: {done:,} of {total:,} rows")
            tickets.check()  # stop early once the request was cancelled

    return show


def _dry_run_reply(ctx: Context, kind: str, run: Callable[..., ImportReport], label: str, *,
                   owner: str | None = None) -> Reply:
    """Run the import as a dry run; keep the real one pending until its author (`owner`:
    the caller by default, ANY_MODERATOR for a scheduled sync) confirms.
    Dry runs are long work: not bounded by COMMAND_TIMEOUT, they report progress."""
    try:
        report = run(dry_run=True, progress=progress_of(f"dry run of {label}"))
    except ImportFailed as exc:
        return Reply(text=f"{exc}", status="error", data={"import": kind})

    def apply(confirming: Context) -> Reply:
        before = race_state(confirming.read)
        done = run(dry_run=False, actor=actor(confirming), progress=progress_of(f"importing {label}"))
        after = race_state(confirming.fresh())
        return Reply(text=f"Imported {label}: {done.added} added, {done.updated} changed, "
                          f"{done.unchanged} unchanged, {done.skipped} skipped. `undo` reverts it.",
                     changed=True, data={"report": done.as_dict()}, announcements=announcements(before, after))

    token = ctx.pending.add(owner or ctx.caller.user_id, label, apply)
    preview = "\n".join(clean(c, 120) for c in report.changes[:15])
    text = (f"Dry run of {label}: **{report.added} added, {report.updated} changed, {report.unchanged} unchanged, "
            f"{report.skipped} skipped, 0 removed** (imports never delete).\n"
            + (code_block(preview.split("\n")) + "\n" if preview else "")
            + ("Press Confirm within 5 minutes to apply it; any moderator can." if owner == ANY_MODERATOR else
               "Press Confirm within 5 minutes to apply it; only you can."))
    return Reply(text=text, status="confirm", confirm_token=token,
                 data={"import": kind, "report": report.as_dict(), "dry_run": True})


def confirm_pending(ctx: Context, token: str) -> Reply:
    """The Confirm button: run the pending action if `ctx.caller` started it and it has not expired."""
    action = ctx.pending.take(token, ctx.caller)
    if isinstance(action, Reply):
        return action
    try:
        return action.run(ctx)
    except ImportFailed as exc:
        return Reply(text=str(exc), status="error")


@command("import", summary="Import an attached file (dry run first, then Confirm).",
         usage="import <epoch|arena|arena-history|arena-catalog|arena-prices|figures|leaderboard [mapping]|project> "
               "(with the file attached)",
         example="import arena", admin=True,
         params=(Param("kind", "text", "epoch, arena, arena-history, arena-catalog, arena-prices, figures, leaderboard "
                       "or project",
                       True),
                 Param("file", "attachment", "the CSV (or, for arena-catalog and arena-prices, JSON) file", True)),
         long=True)
def import_(ctx: Context, args: Args) -> Reply:
    ws = words(args.raw)
    kind = fold(ws[0]).replace(" ", "-") if ws else ""
    importer = chat_importers().get(kind)
    if importer is None:
        raise Usage("Kinds: " + ", ".join(f"{i.name} ({i.summary})" for i in chat_importers().values()) + ".")
    if len(args.attachments) != 1:
        raise Usage("Attach exactly one file to the message.")
    fname, data = args.attachments[0]
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(fname).name)[:100] or "upload.csv"
    if len(data) > MAX_UPLOAD:
        return Reply(text=f"That file is {len(data) / 1e6:.1f} MB; the limit is 25 MB. Nothing was imported.",
                     status="error")
    if kind in EITHER_KINDS and not safe_name.lower().endswith((".json", ".csv", ".txt")):
        return Reply(text=f"`import {kind}` takes a .csv or .json file. Nothing was imported.", status="error")
    if kind in JSON_KINDS and not safe_name.lower().endswith(".json"):
        return Reply(text=f"`import {kind}` takes a .json file. Nothing was imported.", status="error")
    if kind not in JSON_KINDS + EITHER_KINDS and not safe_name.lower().endswith((".csv", ".txt")):
        return Reply(text="Only .csv files can be imported. Nothing was imported.", status="error")
    date = next((w for w in ws[1:] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", w)), None)
    mapping = _mapping(args.raw) if importer.mapping else None
    store = ctx.store

    def run(dry_run: bool, actor: str = actor(ctx), progress: Callable[[int, int], None] | None = None) -> ImportReport:
        kw: dict[str, Any] = {"name": safe_name, "dry_run": dry_run, "actor": actor, "progress": progress}
        if importer.snapshot_date and date:
            kw["snapshot_date"] = date
        if mapping is not None:
            kw["mapping"] = mapping
        return importer.run(store, data, **kw)

    return _dry_run_reply(ctx, kind, run, f"{kind} {safe_name}")


@command("sync", summary="Fetch Epoch AI's CSV, LMArena's leaderboard or any leaderboard and import it (dry run first).",
         usage="sync <epoch|arena|leaderboard <url> [mapping]>", example="sync arena", admin=True,
         params=(Param("what", "text", "epoch, arena, or leaderboard <url> model=<column> score=<column> ...",
                       True),), long=True)
def sync(ctx: Context, args: Args) -> Reply:
    if fold(args.raw) in ("arena", "lmarena", "arena catalog", "catalog"):
        return sync_arena.prepare(ctx, owner=ctx.caller.user_id, fetch=_fetcher(ctx), register=_register)
    ws = args.raw.split()
    if ws and fold(ws[0]) == "leaderboard":
        return _sync_leaderboard(ctx, args.raw.split(None, 1)[1] if len(ws) > 1 else "")
    if fold(args.raw) != "epoch":
        raise Usage("`sync epoch` (Epoch AI's notable models), `sync arena` (LMArena's published leaderboard) or "
                    "`sync leaderboard <url> model=<column> score=<column> ...` (any leaderboard, CSV or JSON).")
    url = ctx.settings.epoch_csv_url
    data = _download(ctx, url, "the Epoch AI CSV")
    if isinstance(data, Reply):
        return data
    store = ctx.store
    name = _file_name(url, 100) or "notable_ai_models.csv"
    epoch = IMPORTERS["epoch"]
    who = actor(ctx)
    return _dry_run_reply(ctx, "epoch",
                          lambda dry_run, actor=who, progress=None: epoch.run(
                              store, data, name=name, dry_run=dry_run, actor=actor, progress=progress),
                          f"epoch (synced from {clean(url, 200)})")


def _download(ctx: Context, url: str, what: str) -> bytes | Reply:
    """The vetted download of a sync, or the reply that says it failed (nothing imported)."""
    try:
        return fetch(url, settings=ctx.settings, max_bytes=MAX_UPLOAD)
    except FetchError as exc:
        return Reply(text=f"Could not fetch {what}: {exc}. Nothing was imported.", status="error",
                     data={"fetch_error": exc.kind})


def _file_name(url: str, limit: int) -> str:
    """A safe file name from a URL's last path part (for the import's name and audit)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", Path(url.split("?")[0]).name)[:limit]


def _sync_leaderboard(ctx: Context, rest: str) -> Reply:
    """`sync leaderboard <url> [mapping]`: fetch any leaderboard (the vetted download), dry run, Confirm."""
    parts = rest.split(None, 1)
    if parts and fold(rest) in ("stop", "unfollow", "stop following"):
        stopped = SyncLog(ctx.store).unfollow("leaderboard", actor(ctx), datetime.now(timezone.utc))
        return Reply(text="The scheduler no longer follows a leaderboard." if stopped else
                     "No leaderboard is followed.", data={"followed": None})
    follow = bool(parts) and fold(rest.split()[-1]) == "follow"
    if follow:
        rest = rest.rsplit(None, 1)[0]
        parts = rest.split(None, 1)
    if not parts or not parts[0].lower().startswith(("http://", "https://")):
        raise Usage("`sync leaderboard <url> model=<column> score=<column> [interval=...] [votes=...] "
                    "[organisation=...] [licence=...] [date=...] [follow]`, or `sync leaderboard stop`")
    url, mapping = parts[0], _mapping(parts[1] if len(parts) > 1 else "")
    data = _download(ctx, url, "the leaderboard")
    if isinstance(data, Reply):
        return data
    store = ctx.store
    base = _file_name(url, 80) or "leaderboard"
    name = base if base.lower().endswith((".csv", ".json")) else base + ".json"
    day = ctx.today.isoformat()
    who = actor(ctx)
    reply = _dry_run_reply(ctx, "leaderboard",
                           lambda dry_run, actor=who, progress=None: IMPORTERS["leaderboard"].run(
                               store, data, name=name, mapping=mapping, snapshot_date=day, dry_run=dry_run,
                               actor=actor, progress=progress),
                           f"leaderboard (synced from {clean(url, 200)})")
    if follow and reply.status == "confirm":  # the file reads with this mapping: the scheduler follows it
        SyncLog(ctx.store).follow("leaderboard", url, mapping, who, datetime.now(timezone.utc))
        reply.text += ("\nFollowed: the scheduler syncs this URL every ARENA_CHECK_HOURS with the same checks "
                       "(`sync leaderboard stop` stops it).")
        reply.data["followed"] = url
    return reply


def _fetcher(ctx: Context) -> Callable[[str, float], bytes]:
    """The vetted download (:mod:`bot.store.fetch`: https, public addresses only, a
    total deadline, a size cap) with this context's settings, for `sync arena`."""
    def get(url: str, timeout: float) -> bytes:
        return fetch(url, settings=ctx.settings, deadline=timeout, max_bytes=MAX_UPLOAD)

    return get


def _register(ctx: Context, kind: str, run: Callable[..., ImportReport], label: str, owner: str) -> Reply:
    return _dry_run_reply(ctx, kind, run, label, owner=owner)
