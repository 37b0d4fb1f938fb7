"""Leases in the shared SQLite file: what several bot processes must agree on.

Two kinds, one table (``leases``: name, holder, until; wall-clock seconds, as
every process on the machine, or every machine of a LiteFS cluster, reads the
same clock closely enough for seconds-long leases):

* **Spaced slots** (:meth:`Leases.take_slot`): at most one claim of a name per
  ``spacing`` seconds across all processes. Discord allows ``max_concurrency``
  IDENTIFYs per 5 s, one per rate-limit key (``shard_id % max_concurrency``);
  processes that each spaced only their own IDENTIFYs collided on every boot.
* **Held leases** (:meth:`Leases.hold`): one holder at a time, renewed before
  ``until``; another process takes over when the holder stops renewing (the
  primary that syncs commands, posts alerts and digests, takes changes).

The table is coordination, not data: it is created on first use outside the
schema steps, its rows never appear in exports, and a database that cannot be
written (a read-only copy) answers :class:`ReadOnlyLeases` so the caller falls
back to what one process can do alone.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Callable

CREATE = "CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until REAL NOT NULL)"


class ReadOnlyLeases(Exception):
    """The database cannot be written here: no lease can be taken in it."""


class BusyLeases(Exception):
    """Another connection held the database's write lock for longer than the lease's wait."""


class Leases:
    """Leases in the SQLite file at ``path`` (its own short connections, so any thread may call)."""

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time, wait: float = 2.0) -> None:
        self.path = str(path)
        self.clock = clock
        self.wait = wait  # seconds to wait for the write lock (a long import may hold it): then BusyLeases
        self._ready = False

    def _write(self, work: Callable[[sqlite3.Connection, float], float | bool]) -> float | bool:
        """Run ``work(conn, now)`` in one immediate transaction (one process decides at a
        time); it commits by returning. A database that cannot be written: ReadOnlyLeases."""
        try:
            conn = sqlite3.connect(self.path, timeout=self.wait, isolation_level=None, uri=self.path.startswith("file:"))
        except sqlite3.OperationalError as exc:
            raise ReadOnlyLeases(str(exc)) from None
        try:
            if not self._ready:
                conn.execute(CREATE)
                self._ready = True
            conn.execute("BEGIN IMMEDIATE")
            out = work(conn, self.clock())
            conn.execute("COMMIT")
            return out
        except sqlite3.OperationalError as exc:
            if "readonly" in str(exc) or "read-only" in str(exc) or "attempt to write" in str(exc):
                raise ReadOnlyLeases(str(exc)) from None
            if "locked" in str(exc) or "busy" in str(exc):
                raise BusyLeases(str(exc)) from None
            raise
        finally:
            conn.close()

    def take_slot(self, name: str, spacing: float, holder: str = "") -> float:
        """Claim ``name`` when its last claim is ``spacing`` seconds old or more:
        0.0 (claimed now), else the seconds to wait before asking again."""
        def work(conn: sqlite3.Connection, now: float) -> float:
            row = conn.execute("SELECT until FROM leases WHERE name = ?", (name,)).fetchone()
            if row is not None and row[0] > now:
                return float(row[0] - now)
            conn.execute("INSERT OR REPLACE INTO leases (name, holder, until) VALUES (?, ?, ?)",
                         (name, holder, now + spacing))
            return 0.0

        return float(self._write(work))

    def hold(self, name: str, holder: str, ttl: float) -> bool:
        """Take or renew the lease ``name`` for ``holder`` until ``ttl`` seconds from now;
        False while another holder's lease runs."""
        def work(conn: sqlite3.Connection, now: float) -> bool:
            row = conn.execute("SELECT holder, until FROM leases WHERE name = ?", (name,)).fetchone()
            if row is not None and row[0] != holder and row[1] > now:
                return False
            conn.execute("INSERT OR REPLACE INTO leases (name, holder, until) VALUES (?, ?, ?)",
                         (name, holder, now + ttl))
            return True

        return bool(self._write(work))

    def release(self, name: str, holder: str) -> None:
        """Give the lease up at once (a clean shutdown), if ``holder`` holds it."""
        def work(conn: sqlite3.Connection, now: float) -> bool:
            conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))
            return True

        try:
            self._write(work)
        except (ReadOnlyLeases, BusyLeases):
            pass

    def holder(self, name: str) -> str | None:
        """Who holds ``name`` now (None: nobody, or the lease ran out)."""
        try:
            uri = self.path if self.path.startswith("file:") else f"file:{Path(self.path).resolve()}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=30)
        except sqlite3.OperationalError:
            return None
        try:
            row = conn.execute("SELECT holder, until FROM leases WHERE name = ?", (name,)).fetchone()
        except sqlite3.OperationalError:  # no table yet
            return None
        finally:
            conn.close()
        return str(row[0]) if row is not None and row[1] > self.clock() else None
