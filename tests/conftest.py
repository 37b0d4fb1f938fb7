"""Shared fixtures: the real seed, the raw public data when it is there.

Keeping the suite fast (CONTRIBUTING.md, "Keeping the suite fast"):

* ``seeded_db``: the database built from ``data/seed`` ONCE per test run (and
  shared between pytest-xdist workers through a file lock), never written to.
* ``seed_copy(path)``: a private copy of it at ``path`` (a file copy, a
  millisecond, instead of a seconds-long import from the seed). Use it for any
  test that writes or needs its own engine.
* ``engine``: one engine on the seed for the whole session: read-only by
  convention. ``fresh_engine``: an engine on a private copy, free to change.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

import pytest

from bot.engine import Engine
from bot.store import Store
from bot.store.seed import DEFAULT_SEED_DIR, open_store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
# "today" for the shared engines (their clock): a year after the seed's newest Arena board, so answers
# about now carry the data's age; tests that need another day build an engine with their own clock
TODAY = date(2026, 12, 7)


def _seed_fingerprint() -> str:
    """Changes when any seed file changes, so a stale shared build is never reused."""
    parts = []
    for p in sorted(Path(DEFAULT_SEED_DIR).rglob("*")):
        if p.is_file():
            st = p.stat()
            parts.append(f"{p.name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.blake2b("|".join(parts).encode(), digest_size=8).hexdigest()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not here (CI has it)")
    return SHARED


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built once from data/seed; copy it (``seed_copy``) for tests that write.

    Under pytest-xdist every worker has its own base temp dir below one shared
    parent: the first worker to take the lock builds the database there, the
    others wait and reuse the file.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # not under xdist
        root = tmp_path_factory.mktemp("seed")
    else:
        root = tmp_path_factory.getbasetemp().parent
    path = root / f"seed-{_seed_fingerprint()}.db"
    with open(root / "seed.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            store = open_store(tmp)
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            store.db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to copy
            store.close()
            os.replace(tmp, path)
    return path


@pytest.fixture(scope="session")
def seed_copy(seeded_db: Path) -> Callable[[Path], Path]:
    """``seed_copy(dest)``: a private copy of the seeded database at ``dest``; returns ``dest``."""

    def copy(dest: Path) -> Path:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(seeded_db, dest)
        return dest

    return copy


@pytest.fixture(scope="session")
def engine(seed_copy, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A read-only-by-convention engine on the seed, shared by the session (on this
    worker's own copy, so the shared build is never opened for writing)."""
    e = Engine.open(seed_copy(tmp_path_factory.mktemp("engine") / "seed.db"), clock=lambda: TODAY)
    yield e
    e.close()


@pytest.fixture
def fresh_engine(seed_copy, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a private copy of the seeded database, free to change."""
    e = Engine.open(seed_copy(tmp_path / "fresh.db"), clock=lambda: TODAY)
    yield e
    e.close()


@pytest.fixture
def empty_store(tmp_path: Path) -> Store:
    return open_store(tmp_path / "empty.db", seed_dir=None)
