"""Shared fixtures: the real seed, the raw public data when it is there."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.store import Store
from bot.store.seed import open_store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not here (CI has it)")
    return SHARED


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory) -> Path:
    """A database built once from data/seed; copy it for tests that write."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    store = open_store(path)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture(scope="session")
def engine(seeded_db) -> Engine:
    """A read-only-by-convention engine on the seed, shared by the session."""
    return Engine.open(seeded_db)


@pytest.fixture
def fresh_engine(seeded_db, tmp_path) -> Engine:
    """An engine on a private copy of the seeded database, free to change."""
    dest = tmp_path / "fresh.db"
    shutil.copy(seeded_db, dest)
    e = Engine.open(dest)
    yield e
    e.close()


@pytest.fixture
def empty_store(tmp_path) -> Store:
    return open_store(tmp_path / "empty.db", seed_dir=None)
