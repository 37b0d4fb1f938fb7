"""Issue #13 items 1 and 9: a timed-out change is never applied after the
user was told it failed; a retried undo undoes once; undo is the caller's own
change, an audited change itself, refused over later changes unless forced;
redo exists."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from bot.engine import Caller
from bot.tickets import Ticket

MOD = Caller(user_id="1", name="mod", is_moderator=True)
MOD2 = Caller(user_id="2", name="other mod", is_moderator=True)


class LockHolder:
    """Another process (as `racebot import` would be) holding the database's write lock until released."""

    def __init__(self, path: str):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(f"""
                import sqlite3, sys
                c = sqlite3.connect({path!r}, isolation_level=None)
                c.execute("BEGIN IMMEDIATE")
                print("locked", flush=True)
                sys.stdin.readline()
                c.execute("ROLLBACK")
                print("released", flush=True)
            """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "released"

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(30)


def _in_thread(fn):
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("r", fn()))
    t.start()
    return t, box


def _wait_inside_change(store, ceiling: float = 60.0) -> None:
    """Until another thread holds the store's write lock, i.e. is inside
    ``Store.change`` waiting for the database's lock (BEGIN IMMEDIATE)."""
    import time

    end = time.monotonic() + ceiling
    while time.monotonic() < end:
        if not store._write_lock.acquire(blocking=False):
            return
        store._write_lock.release()
        time.sleep(0.01)
    pytest.fail("the change never started")


def _live_batches(store):
    return [r["batch"] for r in store.query("SELECT DISTINCT batch FROM audit WHERE undone = 0 ORDER BY batch")]


def test_ticket_decides_once():
    t = Ticket()
    assert t.begin_commit() and not t.cancel()  # committing: too late to cancel, and cancel says so
    t.end_commit()
    assert t.cancel() and t.cancelled and not t.begin_commit()


def test_a_cancelled_change_is_never_applied(fresh_engine):
    """The review's case: the write waits for a lock, the user is told it took
    too long; when the lock frees, the change must not happen."""
    e = fresh_engine
    e.store.write_wait = 60
    before = e.store.dump()
    holder = LockHolder(e.store.path)
    try:
        ticket = Ticket()
        t, box = _in_thread(lambda: e.handle("set deepseek r1 params 70B", MOD, ticket=ticket))
        _wait_inside_change(e.store)  # it waits for the other process's lock ...
        assert ticket.cancel()  # ... when the adapter's COMMAND_TIMEOUT cancels it
        holder.release()
        t.join(120)
    finally:
        holder.close()
    assert "nothing was changed" in box["r"].text and box["r"].data.get("cancelled")
    assert e.store.dump() == before


def test_a_retried_undo_undoes_once(fresh_engine):
    e = fresh_engine
    e.store.write_wait = 60
    assert e.handle("set deepseek r1 params 70B", MOD).status == "ok"
    assert e.handle("set o3 country france", MOD).status == "ok"
    live = _live_batches(e.store)
    holder = LockHolder(e.store.path)
    try:
        first = Ticket()
        t1, b1 = _in_thread(lambda: e.handle("undo", MOD, ticket=first))
        _wait_inside_change(e.store)
        assert first.cancel()                      # "That took too long"
        second = Ticket()
        t2, b2 = _in_thread(lambda: e.handle("undo", MOD, ticket=second))   # the retry
        holder.release()
        t1.join(120)
        t2.join(120)
    finally:
        holder.close()
    assert b1["r"].data.get("cancelled")
    assert b2["r"].status == "ok", b2["r"].text
    undone = [r["batch"] for r in e.store.query("SELECT DISTINCT batch FROM audit WHERE undone = 1")]
    assert undone == [live[-1]]                    # one change undone, the newest
    assert e.handle("model o3").data["model"]["country"] != "France"
    assert e.handle("model deepseek r1").data["model"]["parameters"] == 70e9


def test_undo_is_the_callers_own_change(fresh_engine):
    e = fresh_engine
    assert e.handle("set deepseek r1 params 70B", MOD).status == "ok"
    assert e.handle("set o3 country france", MOD2).status == "ok"   # B's change is newer
    r = e.handle("undo", MOD)
    assert r.status == "ok" and "deepseek" in r.text.lower(), r.text
    assert e.handle("model deepseek r1").data["model"]["parameters"] == 671e9
    assert e.handle("model o3").data["model"]["country"] == "France"   # B's change stays
    assert e.handle("undo", Caller(user_id="9", name="new mod", is_moderator=True)).text.startswith("Nothing to undo")


def test_undo_by_id_refuses_over_later_changes_and_names_them(fresh_engine):
    e = fresh_engine
    assert e.handle("set deepseek r1 params 70B", MOD).status == "ok"
    first = _live_batches(e.store)[-1]
    assert e.handle("set deepseek r1 params 80B", MOD2).status == "ok"
    second = _live_batches(e.store)[-1]
    before = e.store.dump()
    r = e.handle(f"undo {first}", MOD)
    assert r.status == "refused" and f"#{second}" in r.text and "other mod (2)" in r.text and "force" in r.text, r.text
    assert e.store.dump() == before
    r = e.handle(f"undo {first} force", MOD)
    assert r.status == "ok" and f"#{second}" in r.text, r.text
    assert e.handle("model deepseek r1").data["model"]["parameters"] == 671e9


def test_undo_and_redo_are_audited_changes(fresh_engine):
    e = fresh_engine
    assert e.handle("set deepseek r1 params 70B", MOD).status == "ok"
    batch = _live_batches(e.store)[-1]
    assert e.handle("undo", MOD).status == "ok"
    actions = [r["action"] for r in e.store.query("SELECT DISTINCT action FROM audit WHERE batch > ?", [batch])]
    assert f"undo #{batch}" in actions
    hist = e.handle("history deepseek r1", MOD).text
    assert f"undo #{batch}" in hist
    r = e.handle("redo", MOD)
    assert r.status == "ok", r.text
    assert e.handle("model deepseek r1").data["model"]["parameters"] == 70e9
    assert any(a == f"redo #{batch}" for (a,) in e.store.db.execute("SELECT action FROM audit").fetchall())
    assert e.handle("redo", MOD).text.startswith("Nothing to redo")
    # and undoing again works from the redone state
    assert e.handle("undo", MOD).status == "ok"
    assert e.handle("model deepseek r1").data["model"]["parameters"] == 671e9


@pytest.mark.parametrize("line", ["undo lots", "undo last 99", "undo -1", "undo ١٢", "redo x y"])
def test_undo_usage(fresh_engine, line):
    before = fresh_engine.store.dump()
    assert fresh_engine.handle(line, MOD).status == "usage"
    assert fresh_engine.store.dump() == before
