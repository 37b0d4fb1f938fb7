"""Data faults: a corrupt database file, a read-only one, a missing seed."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine import Caller, Engine
from bot.store import StoreError
from bot.store.seed import open_store

MOD = Caller(user_id="1", name="mod", is_moderator=True)
ROOT = Path(__file__).resolve().parents[1]


def test_corrupt_database_gives_a_clear_error_and_how_to_restore(tmp_path):
    db = tmp_path / "racebot.db"
    db.write_bytes(b"SQLite format 3\x00" + os.urandom(8192))
    with pytest.raises(StoreError) as exc:
        open_store(db)
    msg = str(exc.value)
    assert "cannot be read" in msg and "backup" in msg and "data/seed" in msg
    # and through the command line: a clear message, exit 1, no traceback
    proc = subprocess.run([sys.executable, "-m", "bot", "--db", str(db), "ask", "race"], capture_output=True,
                          text=True, cwd=ROOT)
    assert proc.returncode == 1
    assert "cannot be read" in proc.stderr and "Traceback" not in proc.stderr


def test_a_backup_restores_a_broken_database(fresh_engine, tmp_path):
    r = fresh_engine.handle("backup", MOD)
    backup = Path(r.data["backup"])
    db = tmp_path / "restored.db"
    shutil.copy(backup, db)
    e = Engine.open(db)
    assert e.handle("race").status == "ok"
    assert e.store.integrity_check() == "ok"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions; see the read-only mode test below")
def test_read_only_file_permissions(seeded_db, tmp_path):  # pragma: no cover - CI runs as root
    db = tmp_path / "ro.db"
    shutil.copy(seeded_db, db)
    db.chmod(stat.S_IRUSR)
    tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        e = Engine.open(db)
        assert e.handle("race").status == "ok"
        assert e.handle("set deepseek r1 params 1B", MOD).status == "refused"
    finally:
        tmp_path.chmod(stat.S_IRWXU)


def test_read_only_database_answers_and_refuses_changes(seeded_db, tmp_path):
    db = tmp_path / "ro.db"
    shutil.copy(seeded_db, db)
    store = open_store(db, readonly=True)
    e = Engine(store)
    before = store.dump()
    assert e.handle("race").status == "ok"
    assert e.handle("compare gpt-4o vs deepseek r1").status == "ok"
    for line in ("set deepseek r1 params 1B", "alias o3 three", "undo", "elo o3 1500"):
        r = e.handle(line, MOD)
        assert r.status == "refused" and "read-only" in r.text.lower(), (line, r.text)
    assert store.dump() == before


def test_missing_database_is_built_from_the_seed(tmp_path):
    e = Engine.open(tmp_path / "new" / "racebot.db")
    assert e.store.scalar("SELECT count(DISTINCT snapshot_date) FROM arena_ratings") >= 89
    assert e.store.integrity_check() == "ok"
