"""Data faults: a corrupt database file, a read-only one, a missing seed."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
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
                          text=True, cwd=ROOT, timeout=120)
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


# --------------------------------------------------------------------------- issue #13, item 7
def _no_delete_advice(text: str) -> None:
    low = text.lower()
    assert "delete" not in low and "rm " not in low, text
    assert "Traceback" not in text


def _damage_pages(db: Path, first_page: int = 40, pages: int = 60) -> None:
    """Garbage over pages in the middle of the file; the header (page 1) stays intact."""
    size = db.stat().st_size
    with open(db, "r+b") as f:
        page = 4096
        start = min(first_page * page, size - pages * page)
        assert start > page
        f.seek(start)
        f.write(os.urandom(pages * page))


def test_corrupt_pages_behind_an_intact_header_are_named_at_open(seeded_db, tmp_path):
    from bot.store.errors import CorruptError

    db = tmp_path / "damaged.db"
    shutil.copy(seeded_db, db)
    _damage_pages(db)
    assert db.read_bytes()[:16] == b"SQLite format 3\x00"
    with pytest.raises(CorruptError) as exc:
        open_store(db)
    msg = str(exc.value)
    assert str(db) in msg and "damaged" in msg and "backup" in msg and ".recover" in msg
    _no_delete_advice(msg)
    proc = subprocess.run([sys.executable, "-m", "bot", "--db", str(db), "ask", "race"], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 1 and "damaged" in proc.stderr
    _no_delete_advice(proc.stderr)


def test_corruption_found_while_running_is_named_in_the_reply(seeded_db, tmp_path):
    """The file is damaged after the bot opened it: the answer that meets the
    damage names the file and what to do, not "something went wrong"."""
    db = tmp_path / "later.db"
    shutil.copy(seeded_db, db)
    e = Engine.open(db)
    e.store.close()
    _damage_pages(db, first_page=2, pages=(db.stat().st_size // 4096) - 3)
    results = []

    def ask():  # a new thread: a new connection with a cold page cache
        e.invalidate()
        results.append(e.handle("history", MOD))

    t = threading.Thread(target=ask)
    t.start()
    t.join(120)
    r = results[0]
    assert r.status == "error" and str(db) in r.text and "damaged" in r.text, r.text
    _no_delete_advice(r.text)


def _can_mount() -> bool:
    if not shutil.which("unshare") or not shutil.which("mount"):
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


needs_mount = pytest.mark.skipif(not _can_mount(), reason="needs unshare and mount (a private mount namespace)")


def _in_mount_namespace(shell: str, script: str, tmp_path: Path, timeout: float = 240) -> subprocess.CompletedProcess:
    """Run `script` (python) after `shell` (mount commands) in a private mount
    namespace: the mounts vanish with the process, whatever happens."""
    (tmp_path / "script.py").write_text(script)
    cmd = f"{shell} && cd {ROOT} && PYTHONPATH={ROOT} {sys.executable} {tmp_path / 'script.py'}"
    return subprocess.run(["unshare", "-m", "sh", "-c", cmd], capture_output=True, text=True, timeout=timeout)


@needs_mount
def test_a_read_only_file_system_answers_and_refuses_changes_clearly(seeded_db, tmp_path):
    """A real read-only mount (root ignores file modes, not a read-only file
    system): the WAL database opens, answers, and refuses changes saying so."""
    mnt = tmp_path / "ro"
    mnt.mkdir()
    script = f"""
import json
from bot.engine import Caller, Engine
mod = Caller(user_id="1", name="mod", is_moderator=True)
e = Engine.open({str(mnt / 'racebot.db')!r})
out = {{"readonly": e.store.readonly, "race": e.handle("race").status,
       "set": [e.handle(l, mod).status for l in ("set deepseek r1 params 1B", "undo", "alias o3 three")],
       "text": e.handle("set deepseek r1 params 1B", mod).text}}
print(json.dumps(out))
"""
    room = Path(seeded_db).stat().st_size // 2**20 + 16  # the seed database and room to spare
    proc = _in_mount_namespace(f"mount -t tmpfs -o size={room}m tmpfs {mnt} && cp {seeded_db} {mnt}/racebot.db "
                               f"&& mount -o remount,ro {mnt}", script, tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["readonly"] and out["race"] == "ok"
    assert out["set"] == ["refused"] * 3
    assert "read-only" in out["text"]
    _no_delete_advice(out["text"] + proc.stderr)


def test_a_write_waits_for_another_process_holding_the_lock(fresh_engine):
    """`racebot import` in another process holds the write lock for a moment:
    a moderator's change waits for it (BEGIN IMMEDIATE with the busy timeout)
    instead of failing at once."""
    path = fresh_engine.store.path
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sqlite3, sys, time
            c = sqlite3.connect({path!r}, isolation_level=None)
            c.execute("BEGIN IMMEDIATE")
            c.execute("INSERT INTO meta (key, value) VALUES ('held', '1') ON CONFLICT(key) DO UPDATE SET value = '1'")
            print("locked", flush=True)
            sys.stdin.readline()
            time.sleep(1.0)
            c.execute("COMMIT")
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        fresh_engine.store.write_wait = 60
        fresh_engine.store.db.execute("SELECT count(*) FROM models").fetchone()  # a read first, as handlers do
        holder.stdin.write("go\n")
        holder.stdin.flush()
        r = fresh_engine.handle("set deepseek r1 params 70B", MOD)
        assert r.status == "ok", r.text
        assert fresh_engine.store.scalar("SELECT value FROM meta WHERE key = 'held'") == "1"
    finally:
        holder.kill()
        holder.wait(30)


def test_a_write_lock_held_too_long_is_a_clear_refusal(fresh_engine):
    path = fresh_engine.store.path
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sqlite3, sys
            c = sqlite3.connect({path!r}, isolation_level=None)
            c.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            sys.stdin.readline()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        fresh_engine.store.write_wait = 0.3
        before = fresh_engine.store.dump()
        r = fresh_engine.handle("set deepseek r1 params 70B", MOD)
        assert r.status == "error" and "Another process is writing" in r.text and path in r.text, r.text
        assert "nothing changed" in r.text
    finally:
        holder.kill()
        holder.wait(30)
    assert fresh_engine.store.dump() == before


def _many_figures(n: int) -> bytes:
    lines = ["id,topic,metric,subject,period,value,unit"]
    lines += [f"fig-{i},topic,metric number {i} {'x' * 60},subject,2024,{i},%" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


def test_disk_full_is_a_clear_message_and_changes_nothing(fresh_engine):
    """SQLITE_FULL through a size limit (PRAGMA max_page_count) on the bot's
    own connection: the import is refused with a clear message, the data is
    exactly as it was."""
    from bot.store.errors import DiskFullError
    from bot.store.importers import import_figures

    store = fresh_engine.store
    before = store.dump()
    pages = store.scalar("PRAGMA page_count")
    store.db.execute(f"PRAGMA max_page_count = {pages + 5}")
    with pytest.raises(DiskFullError) as exc:
        import_figures(store, _many_figures(5000), name="figures.csv")
    assert "full" in str(exc.value) and store.path in str(exc.value) and "as it was" in str(exc.value)
    _no_delete_advice(str(exc.value))
    assert store.dump() == before and store.integrity_check() == "ok"


@needs_mount
def test_disk_full_on_a_real_small_disk_cli_and_backup(seeded_db, tmp_path):
    """A file system 3 MB larger than the database on it: the CLI import fails
    with a clear line (exit 1, no traceback), the data is intact, and a backup
    that does not fit leaves no file behind."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    (tmp_path / "figures.csv").write_bytes(_many_figures(40000))
    script = f"""
import json, os, subprocess, sys
db = {str(mnt / 'racebot.db')!r}
from bot.store.seed import open_store as _open
s = _open(db); before = s.dump(); s.close()
imp = subprocess.run([sys.executable, "-m", "bot", "--db", db, "import", "figures", {str(tmp_path / 'figures.csv')!r}],
                     capture_output=True, text=True, timeout=180)
s = _open(db)
# fill what is left of the disk, then try a backup onto it
with open({str(mnt / 'filler')!r}, "wb") as f:
    try:
        while True:
            f.write(b"x" * 65536)
    except OSError:
        pass
err = None
try:
    s.backup({str(mnt / 'backups' / 'b.db')!r})
except Exception as exc:
    err = type(exc).__name__ + ": " + str(exc)
left = sorted(os.listdir({str(mnt / 'backups')!r})) if os.path.isdir({str(mnt / 'backups')!r}) else []
print(json.dumps({{"rc": imp.returncode, "stderr": imp.stderr, "same": s.dump() == before,
                  "ok": s.integrity_check(), "backup_error": err, "left": left}}))
"""
    small = Path(seeded_db).stat().st_size // 2**20 + 3  # the seed database and a little more: the import fills it
    proc = _in_mount_namespace(f"mount -t tmpfs -o size={small}m tmpfs {mnt} && cp {seeded_db} {mnt}/racebot.db",
                               script, tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["rc"] == 1 and "full" in out["stderr"] and "Traceback" not in out["stderr"], out["stderr"]
    assert out["same"] and out["ok"] == "ok"
    assert out["backup_error"] and "DiskFullError" in out["backup_error"] and "No backup file" in out["backup_error"]
    assert out["left"] == []
