"""The store: one SQLite file (WAL mode) behind sqlite-utils.

Reads use a connection per thread, so worker threads answer in parallel;
writes go through :meth:`Store.change`, one transaction at a time, and every
row they touch is written to the audit log with its values before and after,
which is what makes :meth:`Store.undo` exact.
"""
from __future__ import annotations

import errno
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import quote

import sqlite_utils

from bot import tickets
from bot.reply import Reply, ReplyError
from bot.store.schema import MIGRATIONS, PRIMARY_KEYS, SCHEMA_VERSION, applied_steps

REPO_ROOT = Path(__file__).resolve().parents[2]

log = logging.getLogger("racebot.store")


class StoreError(ReplyError):
    """A problem with the database file that a person can act on. The message
    names the file, says what happened and what to do."""

    def to_reply(self, ctx: Any = None, command: Any = None) -> Reply:
        return Reply(text=str(self), status=self.status, data={"store_error": type(self).__name__})


class ReadOnlyError(StoreError):
    """The database can be read but not changed (a read-only file or file system). Answered as a
    refusal; the message is a sentence's tail, ended with a full stop unless it ends in a bracket."""

    status = "refused"

    def to_reply(self, ctx: Any = None, command: Any = None) -> Reply:
        reply = super().to_reply(ctx, command)
        if not reply.text.endswith((".", ")")):
            reply.text += "."
        return reply


class UndoRefused(StoreError):
    """An undo or redo that would overwrite a later change (or has nothing to do)."""


_UNDO_OF = re.compile(r"^(undo|redo) #(\d+)$")


def _conflict_text(verb: str, batch: int, action: str, conflicts: list[dict[str, Any]]) -> str:
    shown = "; ".join(f"#{c['batch']} {c['action']} by {c['actor']}" for c in conflicts[:5])
    more = f" and {len(conflicts) - 5} more" if len(conflicts) > 5 else ""
    return (f"Change #{batch} ({action}) was not {verb}ne: later changes touched the same rows ({shown}{more}). "
            f"`{verb} {batch} force` {verb}es it anyway and overwrites them; nothing was changed.")


class CorruptError(StoreError):
    """Part of the file is damaged (SQLITE_CORRUPT / NOTADB)."""


class DiskFullError(StoreError):
    """The disk (or the database's size limit) is full (SQLITE_FULL)."""


class BusyError(StoreError):
    """Another process holds the write lock longer than we wait (SQLITE_BUSY)."""


READ_ONLY_TEXT = "the database is read-only: answers work, changes are refused"


def explain(exc: BaseException, path: str, *, doing: str = "the change") -> StoreError:
    """A SQLite error as a :class:`StoreError` a person can act on: which
    file, what happened, what to do. Never advises deleting a file that may
    be healthy or recoverable."""
    if isinstance(exc, StoreError):
        return exc
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    low = text.lower()
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in low or "not a database" in low:
        return CorruptError(
            f"The database file {path} cannot be read in full: it is damaged (SQLite: {text}). "
            f"{doing[:1].upper() + doing[1:]} did not happen. What to do: stop the bot and keep the file "
            f"(`sqlite3 {path} .recover` can often save its rows); restore the newest copy from the backups "
            "folder (`racebot backup` writes them), or set DATABASE_PATH to a new file, which is built from "
            "data/seed on the next start.")
    if name.startswith("SQLITE_FULL") or "disk is full" in low:
        return DiskFullError(
            f"The disk holding the database file {path} is full: {doing} was not saved and the data is as it "
            "was. Free some disk space, then try again.")
    if name.startswith("SQLITE_READONLY") or "readonly" in low or "read-only" in low:
        return ReadOnlyError(f"{READ_ONLY_TEXT} (the file {path} or its folder cannot be written)")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in low:
        return BusyError(
            f"Another process is writing to the database file {path} (for example `racebot import`): "
            f"{doing} was not made and nothing changed. Try again when it has finished.")
    if name.startswith("SQLITE_IOERR") or "i/o error" in low:
        return StoreError(
            f"The database file {path} could not be read or written (SQLite: {text}); {doing} did not "
            "happen. Check the disk and the file system (dmesg), then try again.")
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")) or "unable to open" in low:
        return StoreError(
            f"The database file {path} cannot be opened (SQLite: {text}). Check that the path exists and "
            "that the bot may read it and its folder.")
    return StoreError(f"The database file {path} gave an error (SQLite: {text}); {doing} did not happen.")


def _remove_with_sidecars(path: Path) -> list[Path]:
    """Remove a database file and the files SQLite makes beside it (``-journal``,
    ``-wal``, ``-shm``); return those still there (the message must not claim
    none was left when one was)."""
    left = []
    for p in (path, *(Path(f"{path}{s}") for s in ("-journal", "-wal", "-shm"))):
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass
        if p.exists():
            left.append(p)
    return left


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

    # how long a write waits for another process's write lock before a clear "busy" refusal
    write_wait: float = 10.0
    # how long a read waits (WAL readers rarely wait at all)
    read_wait: float = 30.0

    def __init__(self, path: str | os.PathLike, *, readonly: bool = False, immutable: bool = False):
        self.path = str(path)
        self.readonly = readonly or immutable
        # set by a process that is not the primary: every change is refused with this text
        self.changes_refused: str | None = None
        self.immutable = immutable
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._listeners: list = []
        self._commits = 0  # changes committed through this Store (any thread)

    # -- connections --------------------------------------------------------
    def _connect(self) -> sqlite_utils.Database:
        if self.path == ":memory:":
            raise StoreError("use a file path; an in-memory database is not shared between threads")
        if self.readonly:
            # mode=ro still needs the WAL's -shm file; on a read-only file system it cannot be made,
            # and immutable=1 (no locks, no WAL) is the only way to read the file at all.
            uri = f"file:{quote(str(Path(self.path).resolve()))}?mode=ro" + ("&immutable=1" if self.immutable else "")
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
        else:
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        db = sqlite_utils.Database(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(self.read_wait * 1000)}")
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

    def stream(self, sql: str, params: Any = (), size: int = 1000) -> Iterator[dict[str, Any]]:
        """The rows of `sql` as dicts, fetched `size` at a time: for results too
        large to hold as one list (making and freeing it would each hold the
        GIL for the whole list)."""
        cur = self.db.execute(sql, params)
        cols = [d[0] for d in cur.description]
        while batch := cur.fetchmany(size):
            for r in batch:
                yield dict(zip(cols, r))

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
        (:func:`bot.store.seed.open_store` passes the seed loader).

        A file that cannot be written (read-only file, folder or file system)
        opens read-only: answers work, changes are refused with a clear
        message. A damaged file raises :class:`CorruptError` naming it."""
        p = Path(path)
        if readonly:
            if not p.exists():
                raise StoreError(f"The database file {p} does not exist.")
            return cls._open_read_only(p)
        if not p.exists():
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"The folder for the database file {p} cannot be created ({exc.strerror}).") from None
        store = cls(p)
        if not store.writable():
            return cls._open_read_only(p)
        try:
            store.check_readable()
            store.migrate()
        except ReadOnlyError:
            store.close()
            return cls._open_read_only(p)
        except StoreError:
            store.close()
            raise
        if seeder is not None and store.is_empty():
            seeder(store)
        return store

    @classmethod
    def _open_read_only(cls, p: Path) -> "Store":
        store = cls(p, readonly=True)
        try:
            store.check_readable()
            return store
        except CorruptError:
            raise
        except StoreError:
            store.close()
        log.warning("%s: read-only file system, opening it immutable (changes in its WAL are not seen)", p)
        store = cls(p, immutable=True)
        store.check_readable()
        return store

    def check_readable(self) -> None:
        """Read the schema and run ``PRAGMA quick_check``: a file whose header
        is intact but whose pages are damaged is found now, with a clear
        message, not later in the middle of an answer."""
        try:
            self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            result = [r[0] for r in self.db.execute("PRAGMA quick_check(5)").fetchall()]
        except sqlite3.Error as exc:
            raise explain(exc, self.path, doing="opening it") from None
        if result != ["ok"]:
            raise CorruptError(
                f"The database file {self.path} cannot be read in full: it is damaged (SQLite quick_check: "
                f"{'; '.join(str(r) for r in result)[:300]}). What to do: stop the bot and keep the file "
                f"(`sqlite3 {self.path} .recover` can often save its rows); restore the newest copy from the "
                "backups folder (`racebot backup` writes them), or set DATABASE_PATH to a new file, which is "
                "built from data/seed on the next start.")

    def writable(self) -> bool:
        if self.readonly:
            return False
        p = Path(self.path)
        if p.exists() and not os.access(p, os.W_OK):
            return False
        return os.access(p.resolve().parent, os.W_OK)  # WAL needs its -wal and -shm files beside it

    def migrate(self) -> int:
        try:
            return self._migrate()
        except sqlite3.Error as exc:
            raise explain(exc, self.path, doing="preparing it (WAL mode, schema migrations)") from None

    def _migrate(self) -> int:
        db = self.db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"database schema {version} is newer than this bot ({SCHEMA_VERSION})")
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        with self._write_lock:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            columns = {r[1] for r in db.execute("PRAGMA table_info(arena_ratings)")}
            audit_columns = {r[1] for r in db.execute("PRAGMA table_info(audit)")}
            done = applied_steps(version, tables, columns, audit_columns)
            for i in range(SCHEMA_VERSION):
                if i in done:
                    continue
                done.add(i)
                # the version is the number of leading steps applied (all of them, in the end)
                reached = next((k for k in range(SCHEMA_VERSION) if k not in done), SCHEMA_VERSION)
                db.conn.executescript("BEGIN;\n" + MIGRATIONS[i] + f"\nPRAGMA user_version = {reached};\nCOMMIT;")
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

    def checkpoint(self) -> bool:
        """Copy every committed change from the ``-wal`` file into the database
        file and empty the WAL (``PRAGMA wal_checkpoint(TRUNCATE)``), so the file
        alone holds every confirmed change: the CLI and the bot call it when
        they stop. True when the checkpoint was complete (a reader still
        inside a transaction elsewhere can hold part of it back: then the WAL
        stays and SQLite still finds the changes there). Never raises."""
        if self.readonly:
            return False
        try:
            with self.writing("the checkpoint"):
                conn = sqlite3.connect(self.path, timeout=self.write_wait)
                try:
                    busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                finally:
                    conn.close()
            return busy == 0
        except (sqlite3.Error, StoreError, tickets.Cancelled) as exc:
            log.warning("checkpoint of %s at exit did not complete: %s", self.path, exc)
            return False

    # -- changes ------------------------------------------------------------
    @contextmanager
    def snapshot(self) -> Iterator["Store"]:
        """A private copy of the database as it is now, for work that only
        looks (an import's dry run): made with SQLite's online backup (a read:
        under WAL it waits for no writer and no writer waits for it), in a
        temporary folder beside the file, removed afterwards. A long dry run
        on it holds no lock of the real database, so nobody's settings, watches
        or changes queue behind it; only the short apply takes the write lock."""
        if self.readonly:
            raise ReadOnlyError(READ_ONLY_TEXT)
        folder = tempfile.mkdtemp(prefix=".racebot-snapshot-", dir=Path(self.path).resolve().parent)
        try:
            path = Path(folder) / "snapshot.db"
            try:
                dst = sqlite3.connect(path)
                try:
                    self.db.conn.backup(dst)
                finally:
                    dst.close()
            except sqlite3.Error as exc:
                raise explain(exc, self.path, doing="the dry run") from None
            snap = Store(path)
            snap.write_wait = self.write_wait
            try:
                yield snap
            finally:
                snap.close()
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    @contextmanager
    def writing(self, doing: str = "the change") -> Iterator[None]:
        """This process's write lock (one writer thread at a time), waited for
        at most :attr:`write_wait`, and never past the request's cancellation:
        a request whose time is up stops waiting (:class:`tickets.Cancelled`), so a
        write queued behind a long one can never commit after its user was told
        it failed. Re-entrant."""
        ticket = tickets.current()
        deadline = time.monotonic() + self.write_wait
        while not self._write_lock.acquire(timeout=0.1):
            if ticket is not None:
                ticket.check()
            if time.monotonic() > deadline:
                raise BusyError(f"Another change to the database file {self.path} is still being made: {doing} "
                                "was not made and nothing changed. Try again in a moment.")
        try:
            yield
        finally:
            self._write_lock.release()

    @contextmanager
    def change(self, actor: str = "system", action: str = "change", *, audit: bool = True) -> Iterator[Change]:
        """An atomic, audited change. Any exception rolls everything back.

        The transaction starts with ``BEGIN IMMEDIATE``: the write lock is
        taken at once, waiting up to :attr:`write_wait` for another process
        (a deferred transaction that upgrades to a write later under WAL gets
        SQLITE_BUSY at once, without the busy timeout). SQLite errors become
        :class:`StoreError` subclasses with a clear message."""
        if self.changes_refused:
            raise ReadOnlyError(self.changes_refused)
        if self.readonly:
            raise ReadOnlyError(READ_ONLY_TEXT)
        ticket = tickets.current()
        if ticket is not None:
            ticket.check()
        with self.writing(f"the change ({action[:80]})"):
            db = self.db
            conn = db.conn
            ch = Change(self, db, actor, action, audit)
            nested = conn.in_transaction
            savepoint = f"change_{id(ch)}"
            try:
                if nested:
                    conn.execute(f"SAVEPOINT {savepoint}")
                else:
                    conn.execute(f"PRAGMA busy_timeout = {int(self.write_wait * 1000)}")
                    try:
                        conn.execute("BEGIN IMMEDIATE")
                    finally:
                        conn.execute(f"PRAGMA busy_timeout = {int(self.read_wait * 1000)}")
                try:
                    if ticket is not None:
                        ticket.check()  # cancelled while waiting for the lock
                    yield ch
                    if ch.count:
                        db.execute(
                            "INSERT INTO meta (key, value) VALUES ('data_version', '1') "
                            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
                        )
                    if not nested and ticket is not None and not ticket.begin_commit():
                        raise tickets.Cancelled()  # the user was told it failed: it must not happen
                except BaseException:
                    if conn.in_transaction:
                        if nested:
                            conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                            conn.execute(f"RELEASE SAVEPOINT {savepoint}")
                        else:
                            conn.rollback()
                    raise
                if nested:
                    conn.execute(f"RELEASE SAVEPOINT {savepoint}")
                else:
                    try:
                        conn.commit()
                    finally:
                        if ticket is not None:
                            ticket.end_commit()
            except sqlite3.Error as exc:
                if conn.in_transaction and not nested:
                    try:
                        conn.rollback()
                    except sqlite3.Error:
                        pass
                raise explain(exc, self.path, doing=f"the change ({action[:80]})") from None
        if ch.count:
            self._commits += 1
            for fn in list(self._listeners):
                fn()

    def on_change(self, fn: Callable[[], None]) -> None:
        """Call `fn()` after every committed change (cache invalidation, watches)."""
        self._listeners.append(fn)

    def off_change(self, fn: Callable[[], None]) -> None:
        """Stop calling `fn` (a bot that closes while the engine lives on)."""
        if fn in self._listeners:
            self._listeners.remove(fn)

    @property
    def data_version(self) -> int:
        """Grows by one with every committed change; caches key on it.

        Several processes may share the file (cluster mode): a change committed
        by any of them must be seen at once. SQLite's ``PRAGMA data_version``
        tells, per connection and without reading a table, whether another
        connection committed since we last looked; only then is the counter in
        ``meta`` read again. Our own commits bump ``_commits``."""
        local = self._local
        pragma = self.db.execute("PRAGMA data_version").fetchone()[0]
        seen = getattr(local, "version", None)
        if seen is not None and seen[0] == pragma and seen[1] == self._commits:
            return seen[2]
        v = int(self.scalar("SELECT value FROM meta WHERE key = 'data_version'") or 0)
        local.version = (pragma, self._commits, v)
        return v

    def get_meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM meta WHERE key = ?", [key])

    # -- audit: history and undo --------------------------------------------
    def history(self, *, model_id: int | None = None, limit: int = 20) -> list[dict[str, Any]]:
        """The newest audit entries, or those about one model: its own row, and
        rows whose key or values name it. Matched on the JSON value itself
        (model 10 is not model 100)."""
        if model_id is None:
            return self.query("SELECT * FROM audit WHERE scope = 'data' ORDER BY id DESC LIMIT ?", [limit])
        return self.query(
            # by index: the audit log's model columns (schema step 5), no scan of its JSON
            "SELECT * FROM audit WHERE id IN (SELECT id FROM audit WHERE model_id = :m "
            "UNION SELECT id FROM audit WHERE was_model_id = :m) AND scope = 'data' ORDER BY id DESC LIMIT :n",
            {"m": model_id, "n": limit},
        )

    # -- undo and redo: audited changes themselves -----------------------------
    def own_batches(self, user_id: str, *, limit: int = 1) -> list[int]:
        """The caller's newest live changes (not undone, not an undo), newest first.
        Actors are written ``name (user id)``; the id is what identifies them."""
        return [r["batch"] for r in self.query(
            "SELECT batch, MIN(actor) AS actor, MIN(action) AS action FROM audit WHERE undone = 0 AND scope = 'data' "
            "GROUP BY batch HAVING substr(actor, -length(:tail)) = :tail AND action NOT LIKE 'undo #%' "
            "ORDER BY batch DESC LIMIT :n", {"tail": f"({user_id})", "n": limit})]

    def own_undone(self, user_id: str) -> int | None:
        """The change the caller undid most recently and has not redone."""
        for r in self.query(
                "SELECT batch, MIN(action) AS action FROM audit WHERE undone = 0 AND scope = 'data' "
                "AND action LIKE 'undo #%' "
                "GROUP BY batch HAVING substr(MIN(actor), -length(:tail)) = :tail ORDER BY batch DESC",
                {"tail": f"({user_id})"}):
            m = _UNDO_OF.match(r["action"])
            if m and self.scalar("SELECT MAX(undone) FROM audit WHERE batch = ?", [int(m.group(2))]):
                return int(m.group(2))
        return None

    def _later_conflicts(self, db: Any, batch: int, since: int) -> list[dict[str, Any]]:
        """Live changes after batch `since` that touched a row `batch` touched
        (an undo of a later change that is itself undone cancels out)."""
        rows = db.execute(
            "SELECT batch, MIN(action), MIN(actor) FROM audit WHERE batch > ? AND undone = 0 AND scope = 'data' AND EXISTS "
            "(SELECT 1 FROM audit a WHERE a.batch = ? AND a.tbl = audit.tbl AND a.row_key = audit.row_key) "
            "GROUP BY batch ORDER BY batch", [since, batch]).fetchall()
        out = []
        for b, action, who in rows:
            m = _UNDO_OF.match(action or "")
            if m and m.group(1) == "undo" and int(m.group(2)) > batch:
                continue
            out.append({"batch": b, "action": action, "actor": who})
        return out

    def _apply_values(self, ch: "Change", entries: list, use: str) -> None:
        """Put every row of a batch back to its `before` (undo) or `after` (redo) values."""
        for _id, tbl, row_key, before, after in entries:
            key = json.loads(row_key)
            values = before if use == "before" else after
            if values is None:
                ch.delete(tbl, key)
            else:
                ch.upsert(tbl, json.loads(values))

    @staticmethod
    def _batch(db: Any, batch: int, *, newest_first: bool) -> tuple[list, str, str, int]:
        """The audited data rows of change `batch` (in the order to apply them),
        its action, its actor and whether it is undone; refused when there is no such change."""
        entries = db.execute("SELECT id, tbl, row_key, before, after FROM audit WHERE batch = ? AND scope = 'data' "
                             f"ORDER BY id {'DESC' if newest_first else 'ASC'}", [batch]).fetchall()
        if not entries:
            raise UndoRefused(f"There is no change #{batch} (`history` lists them).")
        action, who, undone = db.execute("SELECT MIN(action), MIN(actor), MAX(undone) FROM audit WHERE batch = ? "
                                         "AND scope = 'data'", [batch]).fetchone()
        return entries, action, who, undone

    def undo_batch(self, batch: int, actor: str = "system", *, force: bool = False) -> dict[str, Any]:
        """Revert change `batch` exactly, as a new audited change (``undo #batch``)
        that `redo` can reverse. Refused (:class:`UndoRefused`, naming the
        conflict) when a later live change touched the same rows, unless `force`."""
        with self.change(actor, f"undo #{batch}") as ch:
            entries, action, who, undone = self._batch(ch.db, batch, newest_first=True)
            if undone:
                raise UndoRefused(f"Change #{batch} ({action}) is already undone; `redo {batch}` applies it again.")
            m = _UNDO_OF.match(action or "")
            if m and m.group(1) == "undo":
                raise UndoRefused(f"Change #{batch} is itself an undo of #{m.group(2)}: `redo {m.group(2)}` "
                                  "applies that change again.")
            conflicts = self._later_conflicts(ch.db, batch, batch)
            if conflicts and not force:
                raise UndoRefused(_conflict_text("undo", batch, action, conflicts))
            self._apply_values(ch, entries, "before")
            ch.db.execute("UPDATE audit SET undone = 1 WHERE batch = ?", [batch])
            ch.count += 1
        return {"batch": batch, "action": action, "actor": who, "rows": len(entries), "undo_batch": ch.batch,
                "forced_over": [c["batch"] for c in conflicts]}

    def redo_batch(self, batch: int, actor: str = "system", *, force: bool = False) -> dict[str, Any]:
        """Apply undone change `batch` again (its `after` values), as a new
        audited change (``redo #batch``); refused when a later live change
        touched the same rows since it was undone, unless `force`."""
        with self.change(actor, f"redo #{batch}") as ch:
            entries, action, who, undone = self._batch(ch.db, batch, newest_first=False)
            if not undone:
                raise UndoRefused(f"Change #{batch} ({action}) is not undone; there is nothing to redo.")
            undo_of = ch.db.execute("SELECT MAX(batch) FROM audit WHERE action = ? AND undone = 0",
                                    [f"undo #{batch}"]).fetchone()[0] or batch
            conflicts = [c for c in self._later_conflicts(ch.db, batch, undo_of) if c["batch"] != undo_of]
            if conflicts and not force:
                raise UndoRefused(_conflict_text("redo", batch, action, conflicts))
            self._apply_values(ch, entries, "after")
            ch.db.execute("UPDATE audit SET undone = 0 WHERE batch = ?", [batch])
            ch.db.execute("UPDATE audit SET undone = 1 WHERE batch = ?", [undo_of])
            ch.count += 1
        return {"batch": batch, "action": action, "actor": who, "rows": len(entries), "redo_batch": ch.batch}

    # -- backup ---------------------------------------------------------------
    def backup(self, dest: str | os.PathLike) -> Path:
        """A consistent copy through SQLite's online backup API.

        It is written to a temporary name in the same folder and renamed into
        place only when complete, so a failure (a full disk) leaves no
        partial or empty file behind; the error says what happened."""
        dest = Path(dest)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".partial", dir=dest.parent)
            os.close(fd)
        except OSError as exc:
            raise StoreError(f"The backup {dest} cannot be written ({exc.strerror}); the database is unchanged.") from None
        tmp = Path(tmp_name)
        try:
            target = sqlite3.connect(str(tmp))
            try:
                with self._write_lock:
                    self.db.conn.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
            os.replace(tmp, dest)
        except (sqlite3.Error, OSError) as exc:
            left = _remove_with_sidecars(tmp)
            if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
                exc = sqlite3.OperationalError("database or disk is full")
            err = explain(exc, str(dest), doing="the backup")
            note = ("No backup file was left behind" if not left else
                    "These partial files could not be removed: " + ", ".join(p.name for p in left))
            raise type(err)(f"{err} ({note}; the database itself is unchanged.)") from None
        except BaseException:
            _remove_with_sidecars(tmp)
            raise
        return dest

    def integrity_check(self) -> str:
        return self.scalar("PRAGMA integrity_check")

    def dump(self) -> list[str]:
        """Every row of every table as SQL text (tests compare dumps); the processes'
        leases (bot/store/leases.py: coordination, not data) left out."""
        return [line for line in self.db.conn.iterdump()
                if not line.startswith(('INSERT INTO "leases"', "CREATE TABLE leases"))]
