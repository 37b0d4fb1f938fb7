"""Every server its own: settings, watches, digest state and posting notes.

Server managers change these for their own server; they are not the shared
data. So they never go through :meth:`Store.change`: they do not bump
``data_version`` (no cache is invalidated, no watch is re-evaluated by a
settings change), and their audit rows carry ``scope = 'server'`` and the
guild id, which keeps them out of the moderators' ``history`` and ``undo``
(a data moderator cannot undo a server's settings, and a server manager's
change is never reverted by someone else's ``undo``). :meth:`ServerStore.log`
is a server's own history.

Everything that must happen once across processes (two shards' processes
share one SQLite file) is a compare-and-set ``UPDATE ... WHERE`` inside one
``BEGIN IMMEDIATE`` transaction: the watch baseline a server moves from, the
change a watch posts, the week a digest is posted for.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Iterator

from bot import tickets
from bot.store.errors import explain, ReadOnlyError, StoreError
from bot.store.db import Store

MAX_WATCHES = 25
ALERT_WINDOW = 1800.0  # seconds after a post in which a flip back (undo/redo) posts nothing more
_BACK = " <- "  # in last_fired_key: the key, then the event a flip back would be
SERVER_LOG_LIMIT = 500  # a server's own audit trail keeps its newest entries, no more (it grew without bound)
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SETTING_COLUMNS = ("prefix", "channel_id", "digest", "digest_day", "charts")
# digest modes that post: 'weekly' (one line when no new board arrived) and 'news' (skipped then)
DIGEST_ON = "('weekly', 'news')"


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _age(iso: str) -> float:
    """Seconds since the UTC time `iso` (a stored timestamp); very old when unreadable."""
    try:
        then = datetime.fromisoformat(iso)
    except ValueError:
        return float("inf")
    if then.tzinfo is None:
        then = then.replace(tzinfo=timezone.utc)
    return (datetime.now(timezone.utc) - then).total_seconds()


class TooManyWatches(StoreError):
    """A server already has :data:`MAX_WATCHES` watches."""


@dataclass(frozen=True)
class GuildSettings:
    guild_id: str
    prefix: str | None = None
    channel_id: str | None = None
    digest: str = "off"
    digest_day: int = 0
    charts: bool = True
    digest_week: str | None = None
    baseline_version: int | None = None
    post_error: str | None = None
    post_error_at: str | None = None
    updated_at: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "GuildSettings":
        return cls(**{**row, "charts": bool(row["charts"])})

    @property
    def day_name(self) -> str:
        return DAYS[self.digest_day % 7].capitalize()

    def last_digest_day(self) -> str | None:
        """The day (ISO) of the last digest posted, from the week it was claimed for and the digest day."""
        if not self.digest_week:
            return None
        try:
            year, week = self.digest_week.split("-W")
            return date.fromisocalendar(int(year), int(week), self.digest_day % 7 + 1).isoformat()
        except ValueError:
            return None


@dataclass(frozen=True)
class Watch:
    id: int
    guild_id: str
    kind: str
    spec: dict[str, Any]
    label: str
    channel_id: str | None
    origin_channel_id: str | None
    created_by: str
    created_at: str
    last_fired_key: str | None = None
    last_fired_at: str | None = None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Watch":
        return cls(**{**row, "spec": json.loads(row["spec"])})


class ServerStore:
    """Server settings and watches in the bot's database (schema step 2)."""

    def __init__(self, store: Store):
        self.store = store

    # -- plumbing -------------------------------------------------------------
    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE), so a read
        inside it and the write that follows see the same state even when
        another process writes the same file.

        The time-out is honest here too (:mod:`bot.tickets`): a request cancelled
        while it waited for the lock, or before COMMIT, commits nothing, so
        "took too long ... nothing was changed" is true for ``settings``,
        ``watch`` and ``unwatch`` as it is for the data."""
        if self.store.changes_refused:
            raise ReadOnlyError(self.store.changes_refused)
        if self.store.readonly:
            raise ReadOnlyError("the database is read-only: server settings cannot be changed")
        ticket = tickets.current()
        if ticket is not None:
            ticket.check()
        with self.store.writing("the server's change"):
            conn = self.store.db
            try:
                self.store.begin_immediate(conn)
            except sqlite3.OperationalError as exc:
                if "readonly" in str(exc) or "read-only" in str(exc):
                    raise ReadOnlyError("the database is read-only: server settings cannot be changed") from None
                raise explain(exc, self.store.path, doing="the server's change") from None
            try:
                if ticket is not None:
                    ticket.check()  # cancelled while waiting for the lock
                yield conn
                if ticket is not None and not ticket.begin_commit():
                    raise tickets.Cancelled()  # the user was told it failed: it must not happen
            except BaseException:
                conn.rollback()
                raise
            else:
                try:
                    conn.execute("COMMIT")
                finally:
                    if ticket is not None:
                        ticket.end_commit()

    @staticmethod
    def _row(conn: sqlite3.Connection, sql: str, params: Any = ()) -> dict[str, Any] | None:
        cur = conn.execute(sql, params)
        row = cur.fetchone()
        return None if row is None else dict(zip([d[0] for d in cur.description], row))

    @staticmethod
    def _audit(conn: sqlite3.Connection, guild_id: str, actor: str, action: str, table: str, key: dict,
               before: dict | None, after: dict | None, batch: int | None = None) -> int:
        """One audit row with scope 'server': who changed which server's what."""
        if batch is None:
            batch = conn.execute("SELECT COALESCE(MAX(batch), 0) + 1 FROM audit").fetchone()[0]
        conn.execute(
            "INSERT INTO audit (ts, actor, action, batch, tbl, row_key, before, after, scope, guild_id) "
            "VALUES (?,?,?,?,?,?,?,?, 'server', ?)",
            [_now(), actor, action, batch, table, json.dumps(key, sort_keys=True),
             None if before is None else json.dumps(before, sort_keys=True),
             None if after is None else json.dumps(after, sort_keys=True), guild_id])
        conn.execute(  # bounded: the oldest of this server's entries beyond the limit go (audit_scope index)
            "DELETE FROM audit WHERE scope = 'server' AND guild_id = ? AND id <= (SELECT id FROM audit WHERE "
            "scope = 'server' AND guild_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
            [guild_id, guild_id, SERVER_LOG_LIMIT])
        return batch

    def _ensure(self, conn: sqlite3.Connection, guild_id: str) -> dict[str, Any]:
        row = self._row(conn, "SELECT * FROM guild_settings WHERE guild_id = ?", [guild_id])
        if row is None:
            conn.execute("INSERT INTO guild_settings (guild_id) VALUES (?)", [guild_id])
            row = self._row(conn, "SELECT * FROM guild_settings WHERE guild_id = ?", [guild_id])
        return row  # type: ignore[return-value]

    # -- settings ---------------------------------------------------------------
    def get(self, guild_id: str | int) -> GuildSettings:
        """The server's settings (the defaults when it never changed any)."""
        row = self.store.one("SELECT * FROM guild_settings WHERE guild_id = ?", [str(guild_id)])
        return GuildSettings.from_row(row) if row else GuildSettings(str(guild_id))

    def prefixes(self) -> dict[str, str]:
        """{guild id: prefix} for the servers that set one."""
        return {r["guild_id"]: r["prefix"] for r in self.store.query(
            "SELECT guild_id, prefix FROM guild_settings WHERE prefix IS NOT NULL")}

    def update(self, guild_id: str | int, actor: str, action: str, **values: Any) -> tuple[GuildSettings, bool]:
        """Change settings; audited with the guild id and actor. Returns the
        settings after and whether anything changed."""
        bad = set(values) - set(SETTING_COLUMNS)
        if bad:
            raise ValueError(f"not a server setting: {', '.join(sorted(bad))}")
        gid = str(guild_id)
        with self._tx() as conn:
            before = self._ensure(conn, gid)
            changed = {k: v for k, v in values.items() if before.get(k) != v}
            if changed:
                changed["updated_at"] = _now()
                if "channel_id" in changed:  # a new channel: the old posting problem no longer applies
                    changed.update(post_error=None, post_error_at=None)
                sets = ", ".join(f"[{k}] = ?" for k in changed)
                conn.execute(f"UPDATE guild_settings SET {sets} WHERE guild_id = ?", [*changed.values(), gid])
                after = self._row(conn, "SELECT * FROM guild_settings WHERE guild_id = ?", [gid])
                assert after is not None  # the row this transaction just updated
                self._audit(conn, gid, actor, action, "guild_settings", {"guild_id": gid},
                            {k: before[k] for k in SETTING_COLUMNS}, {k: after[k] for k in SETTING_COLUMNS})
        return self.get(gid), bool(changed)

    def drop_guild(self, guild_id: str | int, actor: str, reason: str) -> int:
        """Forget a server (the bot was removed from it): its settings and
        watches go, each row audited. Returns how many rows were dropped."""
        gid = str(guild_id)
        with self._tx() as conn:
            settings = self._row(conn, "SELECT * FROM guild_settings WHERE guild_id = ?", [gid])
            if settings is None:
                return 0
            watches = [dict(zip([d[0] for d in cur.description], r)) for cur in
                       [conn.execute("SELECT * FROM watches WHERE guild_id = ?", [gid])] for r in cur.fetchall()]
            batch = None
            for w in watches:
                batch = self._audit(conn, gid, actor, reason, "watches", {"id": w["id"]}, w, None, batch)
            self._audit(conn, gid, actor, reason, "guild_settings", {"guild_id": gid}, settings, None, batch)
            conn.execute("DELETE FROM watches WHERE guild_id = ?", [gid])
            conn.execute("DELETE FROM guild_settings WHERE guild_id = ?", [gid])
        return 1 + len(watches)

    def log(self, guild_id: str | int, limit: int = 10) -> list[dict[str, Any]]:
        """This server's own change history (newest first)."""
        return self.store.query("SELECT * FROM audit WHERE scope = 'server' AND guild_id = ? ORDER BY id DESC LIMIT ?",
                                [str(guild_id), limit])

    # -- posting notes ------------------------------------------------------------
    def note_post_error(self, guild_id: str | int, error: str | None) -> bool:
        """Record why posting failed (None: it worked). Returns whether the
        note changed, so the caller logs a failure once, not on every try."""
        gid = str(guild_id)
        with self._tx() as conn:
            row = self._ensure(conn, gid)
            if row["post_error"] == error:
                return False
            conn.execute("UPDATE guild_settings SET post_error = ?, post_error_at = ? WHERE guild_id = ?",
                         [error, _now() if error else None, gid])
        return True

    # -- watches --------------------------------------------------------------------
    def watches(self, guild_id: str | int | None = None) -> list[Watch]:
        if guild_id is None:
            rows = self.store.query("SELECT * FROM watches ORDER BY guild_id, id")
        else:
            rows = self.store.query("SELECT * FROM watches WHERE guild_id = ? ORDER BY id", [str(guild_id)])
        return [Watch.from_row(r) for r in rows]

    def watched_guilds(self) -> list[str]:
        return [r["guild_id"] for r in self.store.query("SELECT DISTINCT guild_id FROM watches")]

    def add_watch(self, guild_id: str | int, actor: str, *, kind: str, spec: dict[str, Any], label: str,
                  channel_id: str | None, origin_channel_id: str | None, baseline_version: int) -> Watch:
        """A new watch (at most :data:`MAX_WATCHES` a server), audited. The
        server's baseline starts at `baseline_version` if it had none."""
        gid = str(guild_id)
        with self._tx() as conn:
            self._ensure(conn, gid)
            n = conn.execute("SELECT count(*) FROM watches WHERE guild_id = ?", [gid]).fetchone()[0]
            if n >= MAX_WATCHES:
                raise TooManyWatches(f"This server already has {MAX_WATCHES} watches, the most it can have; "
                                     "`unwatch <id>` one first.")
            wid = self._next_watch_id(conn)
            conn.execute(
                "INSERT INTO watches (id, guild_id, kind, spec, label, channel_id, origin_channel_id, created_by, "
                "created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                [wid, gid, kind, json.dumps(spec, sort_keys=True), label, channel_id, origin_channel_id, actor, _now()])
            row = self._row(conn, "SELECT * FROM watches WHERE id = ?", [wid])
            conn.execute("UPDATE guild_settings SET baseline_version = ? WHERE guild_id = ? AND baseline_version IS NULL",
                         [baseline_version, gid])
            self._audit(conn, gid, actor, f"watch {label}", "watches", {"id": wid}, None, row)
        return Watch.from_row(row)  # type: ignore[arg-type]

    @staticmethod
    def _next_watch_id(conn: sqlite3.Connection) -> int:
        """A watch id never used before, even after deletes (``unwatch 3`` never
        removes a later watch that took the number 3): the last id handed out is
        kept in ``meta`` (what AUTOINCREMENT would keep, with no table rebuild);
        the first time, it starts above every id the table or its audit trail holds."""
        row = conn.execute("SELECT value FROM meta WHERE key = 'watch_last_id'").fetchone()
        last = int(row[0]) if row else int(conn.execute(
            "SELECT MAX(COALESCE((SELECT MAX(id) FROM watches), 0), COALESCE((SELECT MAX(CAST(json_extract("
            "row_key, '$.id') AS INTEGER)) FROM audit WHERE tbl = 'watches'), 0))").fetchone()[0])
        wid = max(last, int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM watches").fetchone()[0])) + 1
        conn.execute("INSERT INTO meta (key, value) VALUES ('watch_last_id', ?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [str(wid)])
        return wid

    def remove_watch(self, guild_id: str | int, watch_id: int, actor: str) -> Watch | None:
        """Delete one of this server's watches (another server's id is not found)."""
        gid = str(guild_id)
        with self._tx() as conn:
            row = self._row(conn, "SELECT * FROM watches WHERE id = ? AND guild_id = ?", [watch_id, gid])
            if row is None:
                return None
            conn.execute("DELETE FROM watches WHERE id = ?", [watch_id])
            self._audit(conn, gid, actor, f"unwatch {watch_id}", "watches", {"id": watch_id}, row, None)
        return Watch.from_row(row)

    # -- once across processes ------------------------------------------------------
    def advance_baseline(self, guild_id: str | int, old: int | None, new: int) -> bool:
        """Move the server's baseline from `old` to `new`; False when another
        process already moved it (so it evaluates that change, not us)."""
        with self._tx() as conn:
            cur = conn.execute("UPDATE guild_settings SET baseline_version = ? WHERE guild_id = ? "
                               "AND baseline_version IS ?", [new, str(guild_id), old])
            return cur.rowcount == 1

    def claim_fire(self, watch_id: int, key: str, *, back: str | None = None,
                   window: float = ALERT_WINDOW) -> bool:
        """Claim posting change `key` (``v<version>:<event>``) for a watch: True
        for exactly one caller, however many processes evaluate the same change.

        Hysteresis: within `window` seconds of the watch's last post, the same
        event again or the flip back to before it (`back` as recorded with that
        post) is not posted: ten undo/redo flips of a new #1 post once."""
        stored = key + (_BACK + back if back else "")
        event = key.split(":", 1)[1] if ":" in key else key
        with self._tx() as conn:
            row = conn.execute("SELECT last_fired_key, last_fired_at FROM watches WHERE id = ?", [watch_id]).fetchone()
            if row is None or row[0] == stored:
                return False
            last_key, last_at = row
            if last_key and last_at and _age(last_at) < window:
                last_event, _sep, last_back = (last_key.split(":", 1)[1] if ":" in last_key else last_key).partition(_BACK)
                if event in (last_event, last_back):
                    return False
            conn.execute("UPDATE watches SET last_fired_key = ?, last_fired_at = ? WHERE id = ?",
                         [stored, _now(), watch_id])
            return True

    def claim_digest(self, guild_id: str | int, week: str) -> bool:
        """Claim this ISO week's digest for a server: at most once a week."""
        with self._tx() as conn:
            cur = conn.execute("UPDATE guild_settings SET digest_week = ? WHERE guild_id = ? AND digest IN "
                               f"{DIGEST_ON} "
                               "AND (digest_week IS NULL OR digest_week != ?)", [week, str(guild_id), week])
            return cur.rowcount == 1

    def pending_guilds(self, guild_ids: list[str], version: int) -> list[tuple[str, int | None]]:
        """(guild id, baseline) of the given servers with watches whose baseline is not `version`."""
        if not guild_ids:
            return []
        marks = ",".join("?" for _ in guild_ids)
        return [(r["guild_id"], r["baseline_version"]) for r in self.store.query(
            f"SELECT guild_id, baseline_version FROM guild_settings WHERE guild_id IN ({marks}) "
            "AND baseline_version IS NOT ? AND EXISTS (SELECT 1 FROM watches w WHERE w.guild_id = guild_settings.guild_id)",
            [*guild_ids, version])]

    def digest_guilds(self) -> list[GuildSettings]:
        return [GuildSettings.from_row(r) for r in self.store.query(
            f"SELECT * FROM guild_settings WHERE digest IN {DIGEST_ON}")]

    # -- race views: what the watches compare -----------------------------------------
    def save_view(self, version: int, view: dict[str, Any]) -> None:
        with self._tx() as conn:
            conn.execute("INSERT OR IGNORE INTO race_views (version, view, created_at) VALUES (?,?,?)",
                         [version, json.dumps(view, sort_keys=True), _now()])
            # keep only the views some server still compares against, and the newest
            conn.execute("DELETE FROM race_views WHERE version < ? AND version NOT IN "
                         "(SELECT baseline_version FROM guild_settings WHERE baseline_version IS NOT NULL)",
                         [version])

    def view(self, version: int | None) -> dict[str, Any] | None:
        if version is None:
            return None
        raw = self.store.scalar("SELECT view FROM race_views WHERE version = ?", [version])
        return json.loads(raw) if raw else None
