"""The store: one SQLite file (WAL mode) through the standard library's sqlite3,
read and inspected with sqlite-utils (:attr:`Store.tables`: table names,
columns, counts and rows, its documented table API).

Reads use a connection per thread, so worker threads answer in parallel;
writes go through :meth:`Store.change`, one transaction at a time, and every
row they touch is written to the audit log with its values before and after
(:mod:`bot.store.change`), which is what makes an undo exact
(:mod:`bot.store.audit`). A statement outside a change commits on its own
(the connections run in autocommit mode; a change opens its transaction with
``BEGIN IMMEDIATE``). What can go wrong with the file is :mod:`bot.store.errors`.
"""
from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import quote

import sqlite_utils

from bot import tickets
from bot.store.audit import AuditTrail
from bot.store.change import Change
from bot.store.errors import READ_ONLY_TEXT, BusyError, CorruptError, ReadOnlyError, StoreError, explain
from bot.store.schema import MIGRATIONS, SCHEMA_VERSION, applied_steps

REPO_ROOT = Path(__file__).resolve().parents[2]

log = logging.getLogger("racebot.store")


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


class Store(AuditTrail):
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
    def _connect(self) -> sqlite3.Connection:
        if self.path == ":memory:":
            raise StoreError("use a file path; an in-memory database is not shared between threads")
        if self.readonly:
            # mode=ro still needs the WAL's -shm file; on a read-only file system it cannot be made,
            # and immutable=1 (no locks, no WAL) is the only way to read the file at all.
            uri = f"file:{quote(str(Path(self.path).resolve()))}?mode=ro" + ("&immutable=1" if self.immutable else "")
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30, isolation_level=None)
        else:
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30, isolation_level=None)
        # isolation_level=None: no implicit transactions; a write outside a change commits at once
        conn.execute("PRAGMA recursive_triggers = ON")  # a REPLACE's implicit delete fires the delete triggers
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(self.read_wait * 1000)}")
        return conn

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
        return db

    @property
    def tables(self) -> sqlite_utils.Database:
        """sqlite-utils' view of this thread's connection, for reading and
        inspecting tables (``table_names()``, ``[name].columns_dict``,
        ``[name].count``, ``[name].rows``, ``.indexes``). Writes do not go
        through it: every write is an audited :class:`~bot.store.change.Change`
        (its before and after rows are what make an undo exact), which
        sqlite-utils' ``insert``/``upsert`` would bypass."""
        return sqlite_utils.Database(self.db, recursive_triggers=False, execute_plugins=False)

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
            found = self.tables
            tables = set(found.table_names())
            columns = set(found["arena_ratings"].columns_dict)
            audit_columns = set(found["audit"].columns_dict)
            done = applied_steps(version, tables, columns, audit_columns)
            for i in range(SCHEMA_VERSION):
                if i in done:
                    continue
                done.add(i)
                # the version is the number of leading steps applied (all of them, in the end)
                reached = next((k for k in range(SCHEMA_VERSION) if k not in done), SCHEMA_VERSION)
                db.executescript("BEGIN;\n" + MIGRATIONS[i] + f"\nPRAGMA user_version = {reached};\nCOMMIT;")
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
                    self.db.backup(dst)
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

    def begin_immediate(self, conn: sqlite3.Connection) -> None:
        """``BEGIN IMMEDIATE`` on `conn`, waiting up to :attr:`write_wait` for another
        process's write (reads keep their shorter :attr:`read_wait`)."""
        conn.execute(f"PRAGMA busy_timeout = {int(self.write_wait * 1000)}")
        try:
            conn.execute("BEGIN IMMEDIATE")
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self.read_wait * 1000)}")

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
            conn = self.db
            ch = Change(conn, actor, action, audit)
            nested = conn.in_transaction
            savepoint = f"change_{id(ch)}"
            try:
                if nested:
                    conn.execute(f"SAVEPOINT {savepoint}")
                else:
                    self.begin_immediate(conn)
                try:
                    if ticket is not None:
                        ticket.check()  # cancelled while waiting for the lock
                    yield ch
                    if ch.count:
                        conn.execute(
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
                    self.db.backup(target)
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
        return [line for line in self.db.iterdump()
                if not line.startswith(('INSERT INTO "leases"', "CREATE TABLE leases"))]
