"""Staying current: `sync arena` reads LMArena's published leaderboard.

`sync arena` (moderators) fetches LMArena's leaderboard JSON from
``ARENA_CATALOG_URL`` (default: ``data/leaderboard-text.json`` in LMArena's
public repository lmarena/arena-catalog), compares it with the newest
catalog release already imported, and shows a dry run with a Confirm button,
exactly like `sync epoch`. The scheduled syncs (:mod:`bot.commands.scheduler`,
run by the Discord adapter's primary process when ``MODERATOR_CHANNEL_ID`` is
set) read the same release and post what changed to the moderators.

The fetched release is dated the day it was fetched (UTC): the file itself
carries no date. A release identical to the newest imported one is "no new
data" and leaves nothing pending.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from typing import Callable

from bot.commands.context import Context
from bot.reply import Reply
from bot.store import queries
from bot.store.importers import ImportFailed
from bot.store.importers.arena_sources import import_arena_catalog, parse_catalog

DEFAULT_CATALOG_URL = "https://raw.githubusercontent.com/lmarena/arena-catalog/main/data/leaderboard-text.json"
SOURCE = "arena-catalog"


def catalog_url(settings: Any) -> str:
    return (getattr(settings, "arena_catalog_url", None) or DEFAULT_CATALOG_URL).strip()


def today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def _top(board: dict[str, tuple[float, float, float]]) -> str | None:
    return max(board, key=lambda k: board[k][0]) if board else None


def news(read: Any, name: str, raw: bytes) -> dict[str, Any]:
    """What a fetched release brings, against the newest imported catalog
    release: its size, new model keys, the new #1, and whether anything changed.
    Raises ImportFailed when the file is not a leaderboard release."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFailed(name, None, f"not JSON ({exc.__class__.__name__})") from None
    boards = parse_catalog(name, data)
    full = boards["full"]
    latest = max((b for b in read.board_keys("full") if b.source == SOURCE), key=lambda b: b.date, default=None)
    before: dict[str, float] = {}
    before_cats: dict[str, dict[str, float]] = {}
    if latest is not None:
        before = {(r.key or r.arena_name): r.score for r in read.board_rows(SOURCE, latest.date, "full")}
        for cat in boards:
            if cat != "full":
                before_cats[cat] = {(r.key or r.arena_name): r.score
                                    for r in read.board_rows(SOURCE, latest.date, cat)}
    known = {alias for alias, _mid in queries.model_spellings(read.store)}
    new_keys = sorted(k for k in full if k not in before and k not in known)
    same = latest is not None and {k: round(v[0], 3) for k, v in full.items()} == \
        {k: round(v, 3) for k, v in before.items()} and all(
            {k: round(v[0], 3) for k, v in boards[c].items()} == {k: round(v, 3) for k, v in before_cats.get(c, {}).items()}
            for c in boards if c != "full")
    top_now = _top(full)
    top_before = max(before, key=lambda k: before[k]) if before else None
    return {"models": len(full), "categories": sorted(boards), "new_keys": new_keys, "unchanged": same,
            "top": top_now, "top_rating": full[top_now][0] if top_now else None,
            "previous_top": top_before, "previous_date": latest.date if latest else None}


def news_text(n: dict[str, Any], url: str) -> str:
    parts = [f"new data from LMArena: {n['models']} models in the overall board, {len(n['categories'])} categories"]
    if n["top"] and n["top"] != n["previous_top"]:
        parts.append(f"new #1 {n['top']} ({n['top_rating']:,.0f})"
                     + (f", was {n['previous_top']} on {n['previous_date']}" if n["previous_top"] else ""))
    elif n["top"]:
        parts.append(f"#1 still {n['top']} ({n['top_rating']:,.0f})")
    if n["new_keys"]:
        shown = ", ".join(n["new_keys"][:8]) + (f" and {len(n['new_keys']) - 8} more" if len(n["new_keys"]) > 8 else "")
        parts.append(f"{len(n['new_keys'])} new model{'s' * (len(n['new_keys']) != 1)}: {shown}")
    return "; ".join(parts) + f" (fetched from {url}, dated {today()})."


def prepare(ctx: Context, *, owner: str, fetch: Callable[[str, float], bytes],
            register: Callable[..., Reply]) -> Reply:
    """Fetch, compare and dry-run; a pending import for `owner` (a moderator's
    user id, or ANY_MODERATOR for the scheduled check). `fetch(url, timeout)`
    downloads (raising with a readable message); `register(ctx, kind, run,
    label, owner)` makes the dry run and the pending import (both from
    :mod:`bot.commands.admin.imports`, the same as `sync epoch`)."""
    url = catalog_url(ctx.settings)
    timeout = float(getattr(ctx.settings, "sync_timeout", 20) or 20)
    try:
        raw = fetch(url, timeout)
    except Exception as exc:  # the download's own error says what went wrong
        return Reply(text=f"Could not fetch LMArena's leaderboard: {exc}. Nothing was imported.", status="error",
                     data={"sync": "arena", "url": url})
    name = f"leaderboard-text-{today()}.json"
    try:
        n = news(ctx.read, name, raw)
    except ImportFailed as exc:
        return Reply(text=f"{exc} Nothing was imported.", status="error", data={"sync": "arena", "url": url})
    if n["unchanged"]:
        return Reply(text=f"No new data: LMArena's published leaderboard is the release of {n['previous_date']} "
                          f"already imported ({n['models']} models). Nothing to import.",
                     data={"sync": "arena", "news": n, "url": url})
    store = ctx.store

    def run(dry_run: bool, actor: str = "dry run", progress=None):  # the Confirm passes the confirming moderator
        return import_arena_catalog(store, raw, name=name, snapshot_date=today(), dry_run=dry_run, actor=actor,
                                    progress=progress)

    reply = register(ctx, "arena-catalog", run, f"arena catalog (synced from {url})", owner)
    if reply.status == "confirm":
        head = news_text(n, url)
        reply.text = head[:1].upper() + head[1:] + "\n" + reply.text
        reply.data["news"] = n
        reply.data["sync"] = "arena"
    return reply
