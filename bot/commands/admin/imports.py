"""Imports from chat: ``import`` (an attached CSV) and ``sync`` (the Epoch AI
CSV fetched from its URL). Each runs as a dry run first; the real import
waits in the engine's :class:`bot.commands.pending.PendingActions` until its
author presses Confirm."""
from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable

from bot.commands.admin.changes import announcements, race_state
from bot.commands.admin.values import actor
from bot.commands.context import Args, Context, Usage
from bot.commands.grammar import words
from bot.commands.registry import Param, command
from bot.render.text import clean
from bot.reply import Reply
from bot.store.importers import (
    IMPORTERS,
    ImportFailed,
    ImportReport,
    chat_importers,
)
from bot.store.normalize import fold

MAX_UPLOAD = 25 * 1024 * 1024


def _dry_run_reply(ctx: Context, kind: str, run: Callable[..., ImportReport], label: str) -> Reply:
    """Run the import as a dry run; keep the real one pending until its author confirms."""
    try:
        report = run(dry_run=True)
    except ImportFailed as exc:
        return Reply(text=f"{exc}", status="error", data={"import": kind})

    def apply(confirming: Context) -> Reply:
        before = race_state(confirming.read)
        done = run(dry_run=False, actor=actor(confirming))
        after = race_state(confirming.fresh())
        return Reply(text=f"Imported {label}: {done.added} added, {done.updated} changed, "
                          f"{done.unchanged} unchanged, {done.skipped} skipped. `undo` reverts it.",
                     changed=True, data={"report": done.as_dict()}, announcements=announcements(before, after))

    token = ctx.pending.add(ctx.caller.user_id, label, apply)
    preview = "\n".join(clean(c, 120) for c in report.changes[:15])
    text = (f"Dry run of {label}: **{report.added} added, {report.updated} changed, {report.unchanged} unchanged, "
            f"{report.skipped} skipped, 0 removed** (imports never delete).\n"
            + (f"```\n{preview}\n```\n" if preview else "")
            + "Press Confirm within 5 minutes to apply it; only you can.")
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


@command("import", summary="Import a CSV attachment (dry run first, then Confirm).",
         usage="import <epoch|arena|figures|project> (with the CSV attached)", example="import arena", admin=True,
         params=(Param("kind", "text", "epoch, arena, figures or project", True),
                 Param("file", "attachment", "the CSV file", True)))
def import_(ctx: Context, args: Args) -> Reply:
    ws = words(args.raw)
    kind = fold(ws[0]).replace(" ", "-") if ws else ""
    importer = chat_importers().get(kind)
    if importer is None:
        raise Usage("Kinds: " + ", ".join(f"{i.name} ({i.summary})" for i in chat_importers().values()) + ".")
    if len(args.attachments) != 1:
        raise Usage("Attach exactly one CSV file to the message.")
    fname, data = args.attachments[0]
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(fname).name)[:100] or "upload.csv"
    if len(data) > MAX_UPLOAD:
        return Reply(text=f"That file is {len(data) / 1e6:.1f} MB; the limit is 25 MB. Nothing was imported.",
                     status="error")
    if not safe_name.lower().endswith((".csv", ".txt")):
        return Reply(text="Only .csv files can be imported. Nothing was imported.", status="error")
    date = ws[1] if len(ws) > 1 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", ws[1]) else None
    store = ctx.store

    def run(dry_run: bool, actor: str = actor(ctx)) -> ImportReport:
        kw: dict[str, Any] = {"name": safe_name, "dry_run": dry_run, "actor": actor}
        if importer.snapshot_date and date:
            kw["snapshot_date"] = date
        return importer.run(store, data, **kw)

    return _dry_run_reply(ctx, kind, run, f"{kind} {safe_name}")


@command("sync", summary="Fetch the current Epoch AI notable models CSV and import it (dry run first).",
         usage="sync epoch", example="sync epoch", admin=True,
         params=(Param("what", "text", "epoch", True),))
def sync(ctx: Context, args: Args) -> Reply:
    if fold(args.raw) != "epoch":
        raise Usage("Only `sync epoch` is supported.")
    url = ctx.settings.epoch_csv_url
    timeout = ctx.settings.sync_timeout
    try:
        data = download(url, timeout=timeout, limit=MAX_UPLOAD)
    except DownloadError as exc:
        return Reply(text=f"Could not fetch the Epoch AI CSV: {exc}. Nothing was imported.", status="error")
    store = ctx.store
    name = Path(url.split("?")[0]).name or "notable_ai_models.csv"
    epoch = IMPORTERS["epoch"]
    who = actor(ctx)
    return _dry_run_reply(ctx, "epoch",
                          lambda dry_run: epoch.run(store, data, name=name, dry_run=dry_run, actor=who),
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
