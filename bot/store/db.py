"""The store: one SQLite file (WAL mode) behind sqlite-utils.

Reads use a connection per thread, so worker threads answer in parallel;
writes go through :meth:`Store.change`, one transaction at a time, and every
row they touch is written to the audit log with its values before and after,
which is what makes :meth:`Store.undo` exact.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections import deque
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import sqlite_utils

from bot.store.schema import ENSURE_INDEXES, MIGRATIONS, PRIMARY_KEYS, SCHEMA_VERSION

REPO_ROOT = Path(__file__).resolve().parents[2]


class StoreError(Exception):
    """A problem with the database file that a person can act on."""


class ReadOnlyError(StoreError):
    pass


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _models_of(table: str, key: dict, before: dict | None, after: dict | None) -> tuple[int | None, int | None]:
    """The model an audited row concerns after the change, and before it when
    that differs (the audit's model_id and was_model_id columns)."""
    if table == "models":
        return key.get("id"), None
    now = (after or {}).get("model_id", key.get("model_id", (before or {}).get("model_id")))
    was = (before or {}).get("model_id")
    return now, (was if was is not None and was != now else None)


class Change:
    """One audited change (a batch): everything in it commits or nothing does."""

    def __init__(self, store: "Store", db: sqlite_utils.Database, actor: str, action: str, audit: bool):
        self.store = store
        self.db = db
        self.actor = actor
        self.action = action
        self.audit = audit
        self.batch: int | None = None
        self.count = 0
        self.touched: dict[str, set[tuple]] = {}  # table -> primary keys written (what a refresh reloads)

    def touch(self, table: str, key: dict[str, Any]) -> None:
        """Note that the row `key` of `table` was written (its key in PRIMARY_KEYS order)."""
        cols = PRIMARY_KEYS.get(table) or tuple(sorted(key))
        self.touched.setdefault(table, set()).add(tuple(key.get(c) for c in cols))

    # -- audited primitives -------------------------------------------------
    def _key(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        return {k: row[k] for k in PRIMARY_KEYS[table]}

    def get(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        where = " AND ".join(f"[{k}] = ?" for k in key)
        cur = self.db.execute(f"SELECT * FROM [{table}] WHERE {where}", list(key.values()))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row))

    def _log(self, table: str, key: dict[str, Any], before: dict | None, after: dict | None) -> None:
        self.count += 1
        self.touch(table, key)
        if not self.audit:
            return
        if self.batch is None:
            prev = self.db.execute("SELECT COALESCE(MAX(batch), 0) FROM audit").fetchone()[0]
            self.batch = prev + 1
        model_id, was_model_id = _models_of(table, key, before, after)
        self.db.execute(
            "INSERT INTO audit (ts, actor, action, batch, tbl, row_key, before, after, model_id, was_model_id) "
            "VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                _now(), self.actor, self.action, self.batch, table,
                json.dumps(key, sort_keys=True),
                None if before is None else json.dumps(before, sort_keys=True),
                None if after is None else json.dumps(after, sort_keys=True),
                model_id, was_model_id,
            ],
        )

    def upsert(self, table: str, row: dict[str, Any]) -> str:
        """Insert or update one row by its primary key.

        Returns ``added``, ``updated`` or ``unchanged``. Columns missing from
        ``row`` keep their values."""
        key = self._key(table, row)
        before = self.get(table, key)
        if before is None:
            cols = list(row)
            self.db.execute(
                f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) VALUES ({', '.join('?' for _ in cols)})",
                [row[c] for c in cols],
            )
            self._log(table, key, None, self.get(table, key) if self.audit else None)
            return "added"
        changed = {c: v for c, v in row.items() if c not in key and before.get(c) != v}
        if not changed:
            return "unchanged"
        sets = ", ".join(f"[{c}] = ?" for c in changed)
        where = " AND ".join(f"[{k}] = ?" for k in key)
        self.db.execute(f"UPDATE [{table}] SET {sets} WHERE {where}", [*changed.values(), *key.values()])
        after = {**before, **changed}
        self._log(table, key, before, after)
        return "updated"

    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert a row whose primary key the database assigns; returns it."""
        cols = list(row)
        cur = self.db.execute(
            f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [row[c] for c in cols],
        )
        rowid = cur.lastrowid
        assert rowid is not None  # an INSERT always sets it
        pk = PRIMARY_KEYS[table]
        if pk == ("id",):
            key = {"id": rowid}
        else:
            key = self._key(table, row)
        self._log(table, key, None, self.get(table, key) if self.audit else None)
        return rowid

    def delete(self, table: str, key: dict[str, Any]) -> bool:
        before = self.get(table, key)
        if before is None:
            return False
        where = " AND ".join(f"[{k}] = ?" for k in key)
        self.db.execute(f"DELETE FROM [{table}] WHERE {where}", list(key.values()))
        self._log(table, key, before, None)
        return True


class Store:
    """The bot's database. ``Store.open(path)`` creates it the first time and
    migrates it to the current schema on later opens."""

    def __init__(self, path: str | os.PathLike, *, readonly: bool = False):
        self.path = str(path)
        self.readonly = readonly
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._listeners: list = []
        self._version_cache: int | None = None
        # (data version after, {table: keys written}) of the latest changes made through this object
        self._changes: deque[tuple[int, dict[str, set[tuple]]]] = deque(maxlen=256)

    # -- connections --------------------------------------------------------
    def _connect(self) -> sqlite_utils.Database:
        if self.path == ":memory:":
            raise StoreError("use a file path; an in-memory database is not shared between threads")
        if self.readonly:
            uri = f"file:{Path(self.path).resolve()}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
        else:
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        db = sqlite_utils.Database(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        return db

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
        return db

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        cur = self.db.execute(sql, params)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return row[0] if row else None

    # -- life cycle ---------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike, *, seeder: Callable[["Store"], Any] | None = None,
             readonly: bool = False) -> "Store":
        """Open (and if needed create and migrate) the database at `path`;
        an empty one is filled by ``seeder(store)`` when given
        (:func:`bot.store.seed.open_store` passes the seed loader)."""
        p = Path(path)
        if readonly:
            if not p.exists():
                raise StoreError(f"database {p} does not exist")
            store = cls(p, readonly=True)
            store.check_readable()
            return store
        p.parent.mkdir(parents=True, exist_ok=True)
        store = cls(p)
        store.check_readable()
        if not store.writable():
            store = cls(p, readonly=True)
            store.check_readable()
            return store
        store.migrate()
        if seeder is not None and store.is_empty():
            seeder(store)
        return store

    def check_readable(self) -> None:
        try:
            self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"the database file {self.path} cannot be read ({exc}). It may be corrupt: "
                "move it aside and restore a backup (`racebot backup` writes them), or delete it "
                "and it is rebuilt from data/seed on the next start."
            ) from None

    def writable(self) -> bool:
        if self.readonly:
            return False
        if not os.access(self.path, os.W_OK) or not os.access(Path(self.path).resolve().parent, os.W_OK):
            return False
        return True

    def migrate(self) -> int:
        db = self.db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"database schema {version} is newer than this bot ({SCHEMA_VERSION})")
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        with self._write_lock:
            for i in range(version, SCHEMA_VERSION):
                db.conn.executescript("BEGIN;\n" + MIGRATIONS[i] + f"\nPRAGMA user_version = {i + 1};\nCOMMIT;")
            for sql in ENSURE_INDEXES:
                db.execute(sql)
        return SCHEMA_VERSION

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def is_empty(self) -> bool:
        return not self.scalar("SELECT count(*) FROM models")

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # -- changes ------------------------------------------------------------
    @contextmanager
    def change(self, actor: str = "system", action: str = "change", *, audit: bool = True) -> Iterator[Change]:
        """An atomic, audited change. Any exception rolls everything back."""
        if self.readonly:
            raise ReadOnlyError("the database is read-only: answers work, changes are refused")
        with self._write_lock:
            db = self.db
            ch = Change(self, db, actor, action, audit)
            try:
                with db.atomic():
                    yield ch
                    if ch.count:
                        db.execute(
                            "INSERT INTO meta (key, value) VALUES ('data_version', '1') "
                            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
                        )
                        version = int(db.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])
            except sqlite3.OperationalError as exc:
                if "readonly" in str(exc) or "read-only" in str(exc):
                    raise ReadOnlyError("the database is read-only: answers work, changes are refused") from None
                raise
        if ch.count:
            self._version_cache = None
            self._changes.append((version, ch.touched))
            for fn in list(self._listeners):
                fn()

    def changes_between(self, old: int, new: int) -> dict[str, set[tuple]] | None:
        """The tables (and their keys) written by the changes that took the data
        from version `old` to `new`, or None when they are not all known here
        (another process changed the file, or too many changes ago)."""
        if new < old:
            return None
        found = [t for v, t in list(self._changes) if old < v <= new]
        if len(found) != new - old:
            return None
        merged: dict[str, set[tuple]] = {}
        for touched in found:
            for table, keys in touched.items():
                merged.setdefault(table, set()).update(keys)
        return merged

    def on_change(self, fn: Callable[[], None]) -> None:
        """Call `fn()` after every committed change (cache invalidation, watches)."""
        self._listeners.append(fn)

    def off_change(self, fn: Callable[[], None]) -> None:
        """Stop calling `fn` (a bot that closes while the engine lives on)."""
        if fn in self._listeners:
            self._listeners.remove(fn)

    @property
    def data_version(self) -> int:
        """Grows by one with every committed change; caches key on it."""
        v = self.scalar("SELECT value FROM meta WHERE key = 'data_version'")
        return int(v or 0)

    def get_meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", [key])

    # -- audit: history and undo --------------------------------------------
    def history(self, *, model_id: int | None = None, limit: int = 20) -> list[dict[str, Any]]:
        if model_id is None:
            return self.query("SELECT * FROM audit WHERE scope = 'data' ORDER BY id DESC LIMIT ?", [limit])
        return self.query(  # by index: the audit log's model columns (no scan of its JSON)
            "SELECT * FROM audit WHERE id IN (SELECT id FROM audit WHERE model_id = ? "
            "UNION SELECT id FROM audit WHERE was_model_id = ?) AND scope = 'data' ORDER BY id DESC LIMIT ?",
            [model_id, model_id, limit],
        )

    def undo(self, n: int = 1, actor: str = "system") -> list[dict[str, Any]]:
        """Revert the last `n` batches that are not undone yet, newest first.

        Returns the batches undone (batch, action, actor, rows). The undo is
        itself one transaction; it is not audited as a new batch, so `undo`
        twice reverts two different changes. Only data changes are undone:
        server settings and watches (audit scope 'server', written by
        :mod:`bot.store.servers`) belong to each server's managers."""
        undone = []
        with self.change(actor, f"undo {n}", audit=False) as ch:
            batches = ch.db.execute(
                "SELECT batch, MIN(action), MIN(actor), COUNT(*) FROM audit WHERE undone = 0 AND scope = 'data' "
                "GROUP BY batch ORDER BY batch DESC LIMIT ?", [n]).fetchall()
            for batch, action, who, rows in batches:
                entries = ch.db.execute(
                    "SELECT id, tbl, row_key, before, after FROM audit WHERE batch = ? ORDER BY id DESC",
                    [batch]).fetchall()
                for _id, tbl, row_key, before, _after in entries:
                    key = json.loads(row_key)
                    where = " AND ".join(f"[{k}] = ?" for k in key)
                    if before is None:  # was inserted -> delete
                        ch.db.execute(f"DELETE FROM [{tbl}] WHERE {where}", list(key.values()))
                    else:
                        row = json.loads(before)
                        cols = list(row)
                        # update in place when the row is there (no REPLACE: that deletes, and a
                        # delete cascades), insert it back when it was deleted
                        exists = ch.db.execute(f"SELECT 1 FROM [{tbl}] WHERE {where}", list(key.values())).fetchone()
                        if exists:
                            ch.db.execute(f"UPDATE [{tbl}] SET {', '.join(f'[{c}] = ?' for c in cols)} WHERE {where}",
                                          [*(row[c] for c in cols), *key.values()])
                        else:
                            ch.db.execute(f"INSERT INTO [{tbl}] ({', '.join(f'[{c}]' for c in cols)}) "
                                          f"VALUES ({', '.join('?' for _ in cols)})", [row[c] for c in cols])
                    ch.count += 1
                    ch.touch(tbl, key)
                ch.db.execute("UPDATE audit SET undone = 1 WHERE batch = ?", [batch])
                undone.append({"batch": batch, "action": action, "actor": who, "rows": rows})
        return undone

    # -- backup ---------------------------------------------------------------
    def backup(self, dest: str | os.PathLike) -> Path:
        """A consistent copy through SQLite's online backup API."""
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(str(dest))
        try:
            with self._write_lock:
                self.db.conn.backup(target)
        finally:
            target.close()
        return dest

    def integrity_check(self) -> str:
        return self.scalar("PRAGMA integrity_check")

    def dump(self) -> list[str]:
        """Every row of every table as SQL text (tests compare dumps)."""
        return list(self.db.conn.iterdump())
