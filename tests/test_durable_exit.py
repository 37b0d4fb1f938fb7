"""Issue 27: a confirmed change made through the CLI lived only in the
``-wal`` file after exit. The CLI and the bot checkpoint the WAL when they
stop, so the database file alone holds every confirmed change."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.engine import Engine

ROOT = Path(__file__).resolve().parents[1]


def _params_in_file_alone(db: Path, tmp: Path) -> float | None:
    """The change as the database file alone shows it (copied without its -wal and -shm)."""
    alone = tmp / "alone.db"
    shutil.copyfile(db, alone)
    conn = sqlite3.connect(alone)
    try:
        return conn.execute("SELECT parameters FROM models WHERE name = 'DeepSeek-R1'").fetchone()[0]
    finally:
        conn.close()


def test_a_cli_change_is_in_the_database_file_after_exit(tmp_path, seed_copy):
    db = seed_copy(tmp_path / "cli.db")
    env = {**os.environ, "DATABASE_PATH": str(db), "DISCORD_TOKEN": "", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "bot", "ask", "set", "deepseek", "r1", "params", "7B"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    wal = Path(f"{db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # checkpointed and truncated
    assert _params_in_file_alone(db, tmp_path) == 7e9


def test_closing_the_engine_checkpoints(tmp_path, seed_copy):
    db = seed_copy(tmp_path / "bot.db")
    engine = Engine.open(db)
    assert engine.handle("set deepseek r1 params 9B").status == "ok"
    assert Path(f"{db}-wal").stat().st_size > 0  # the change is in the WAL ...
    engine.close()
    assert Path(f"{db}-wal").stat().st_size == 0  # ... and after close in the file
    assert _params_in_file_alone(db, tmp_path) == 9e9
