"""Each source's health and every step of every scheduled sync.

The scheduler (:mod:`bot.commands.scheduler`) records here, per source: the
last attempt, the last success, the last failure and its reason, and the
newest board a silence report was made for. Each step (fetched, checked,
applied, held, failed, silent) is an audit row with ``scope = 'sync'``, so
it shows who did what when without ever being a change ``undo`` reverts
(the applied import is a data change of its own, audited and undoable as
any other). The state lives in ``meta`` (``sync:<source>``): recording it
never bumps the data version, so no read model is rebuilt for it.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from typing import Any

from bot.store.errors import ReadOnlyError
from bot.store.db import Store

STEPS = ("fetched", "unchanged", "applied", "held", "failed", "silent", "followed", "unfollowed")


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class SyncLog:
    def __init__(self, store: Store):
        self.store = store

    def get(self, source: str) -> dict[str, Any]:
        raw = self.store.get_meta(f"sync:{source}")
        try:
            value = json.loads(raw) if raw else {}
        except ValueError:
            value = {}
        return value if isinstance(value, dict) else {}

    def all(self) -> dict[str, dict[str, Any]]:
        rows = self.store.query("SELECT key, value FROM meta WHERE key LIKE 'sync:%' ORDER BY key")
        out = {}
        for r in rows:
            try:
                out[r["key"][5:]] = json.loads(r["value"])
            except ValueError:
                continue
        return out

    def record(self, source: str, step: str, when: datetime, detail: str = "", **state: Any) -> dict[str, Any]:
        """One step of a source's sync: audited (scope 'sync') and its state updated in one transaction."""
        if step not in STEPS:
            raise ValueError(f"unknown sync step {step!r}")
        if self.store.readonly:
            raise ReadOnlyError("the database is read-only: the sync cannot be recorded")
        at = when.astimezone(timezone.utc).replace(microsecond=0).isoformat()
        with self.store._write_lock:
            conn = self.store.db
            conn.execute("BEGIN IMMEDIATE")
            try:
                cur = conn.execute("SELECT value FROM meta WHERE key = ?", [f"sync:{source}"]).fetchone()
                before = json.loads(cur[0]) if cur and cur[0] else {}
                after = {**before, **state, "last_attempt": at, "last_step": step}
                if step in ("unchanged", "applied"):
                    after["last_success"] = at
                if step == "failed":
                    after["last_failure"] = at
                    after["failure_reason"] = detail
                conn.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                             "value = excluded.value", [f"sync:{source}", json.dumps(after, sort_keys=True)])
                batch = conn.execute("SELECT COALESCE(MAX(batch), 0) + 1 FROM audit").fetchone()[0]
                conn.execute(
                    "INSERT INTO audit (ts, actor, action, batch, tbl, row_key, before, after, scope) "
                    "VALUES (?,?,?,?,?,?,?,?, 'sync')",
                    [_now(), "scheduled sync", f"sync {source}: {step}", batch, "sources",
                     json.dumps({"id": source}), json.dumps(before, sort_keys=True),
                     json.dumps({"step": step, "detail": detail[:500], "at": at}, sort_keys=True)])
            except (sqlite3.Error, ValueError):
                conn.rollback()
                raise
            else:
                conn.execute("COMMIT")
        return after

    def feed(self, source: str) -> dict[str, Any] | None:
        """The URL and column mapping a moderator follows for `source`, if any."""
        feed = self.get(source).get("feed")
        return feed if isinstance(feed, dict) and feed.get("url") else None

    def follow(self, source: str, url: str, mapping: dict[str, str], actor: str, when: datetime) -> None:
        """Follow `url` (with its column mapping) as `source`: the scheduler syncs it from now on."""
        self.record(source, "followed", when, f"{url} by {actor}", feed={"url": url, "mapping": mapping, "by": actor})

    def unfollow(self, source: str, actor: str, when: datetime) -> bool:
        if self.feed(source) is None:
            return False
        self.record(source, "unfollowed", when, f"by {actor}", feed=None)
        return True

    def steps(self, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """The audited steps, newest first."""
        if source is None:
            return self.store.query("SELECT * FROM audit WHERE scope = 'sync' ORDER BY id DESC LIMIT ?", [limit])
        return self.store.query("SELECT * FROM audit WHERE scope = 'sync' AND row_key = ? ORDER BY id DESC LIMIT ?",
                                [json.dumps({"id": source}), limit])
