"""Issue 27: the honest time-out holds for server settings and watches too
(``watch top``, ``settings digest weekly friday`` and ``unwatch 1`` were
applied after "took too long ... nothing was changed"), and watch ids are
never reused after a delete."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.engine import Caller
from bot.store.server_state import ServerStore
from bot.tickets import Ticket

try:
    from tests.test_timeouts_undo import LockHolder, _in_thread, _wait_inside_change
except ImportError:  # tests/ itself on sys.path
    from test_timeouts_undo import LockHolder, _in_thread, _wait_inside_change

MOD = Caller(user_id="1", name="mod", is_moderator=True)
MGR = Caller(user_id="2", name="mgr", guild_id="9", can_manage_guild=True, channel_id="70",
             channels=(("70", "general"), ("71", "news")))


def _server_state(store) -> tuple:
    servers = ServerStore(store)
    return servers.get(9), [(w.id, w.label) for w in servers.watches(9)], len(servers.log(9, limit=1000))


@pytest.mark.parametrize("line", ["watch top", "settings digest weekly friday", "unwatch 1", "settings prefix ?"])
def test_a_cancelled_server_change_waiting_for_another_process_is_never_applied(fresh_engine, line):
    e = fresh_engine
    e.store.write_wait = 60
    assert e.handle("watch gap us china", MGR).status == "ok"  # watch #1, for unwatch
    before = _server_state(e.store)
    holder = LockHolder(e.store.path)
    try:
        ticket = Ticket()
        t, box = _in_thread(lambda: e.handle(line, MGR, ticket=ticket))
        _wait_inside_change(e.store)  # inside the transaction, waiting for the other process's lock ...
        assert ticket.cancel()  # ... when the adapter's COMMAND_TIMEOUT cancels it
        holder.release()
        t.join(120)
    finally:
        holder.close()
    assert box["r"].data.get("cancelled") and "nothing was changed" in box["r"].text
    assert _server_state(e.store) == before
    assert e.handle(line, MGR).status == "ok"  # and done again, it is made once


def test_a_server_change_queued_behind_a_long_write_stops_waiting_when_cancelled(fresh_engine):
    """Another thread of this process holds the write lock (a long change): the
    queued `settings` gives up when its time is up, and never commits later."""
    e = fresh_engine
    e.store.write_wait = 60
    before = _server_state(e.store)
    released = threading.Event()
    held = threading.Event()

    def long_write() -> None:
        with e.store.writing():
            held.set()
            released.wait(120)

    holder = threading.Thread(target=long_write)
    holder.start()
    try:
        assert held.wait(60)
        ticket = Ticket()
        t, box = _in_thread(lambda: e.handle("settings digest weekly friday", MGR, ticket=ticket))
        assert ticket.cancel()
        t.join(120)  # returns while the lock is still held: it stopped waiting
        assert not t.is_alive() and box["r"].data.get("cancelled")
    finally:
        released.set()
        holder.join(60)
    assert _server_state(e.store) == before


def test_watch_ids_are_never_reused(fresh_engine):
    e = fresh_engine
    for w in ("top", "gap us china", "country france"):
        assert e.handle(f"watch {w}", MGR).status == "ok"
    ids = [ServerStore(e.store).watches(9)[i].id for i in range(3)]
    assert e.handle(f"unwatch {ids[-1]}", MGR).status == "ok"
    assert e.handle(f"unwatch {ids[0]}", MGR).status == "ok"
    e.handle("watch top", MGR)
    e.handle("watch country france", MGR)
    now = [w.id for w in ServerStore(e.store).watches(9)]
    assert len(now) == 3 and len(set(now)) == 3
    assert min(set(now) - {ids[1]}) > ids[-1]  # new watches take new numbers, never a removed one's
    # and after every watch is gone, still new numbers
    for wid in now:
        e.handle(f"unwatch {wid}", MGR)
    e.handle("watch top", MGR)
    [last] = ServerStore(e.store).watches(9)
    assert last.id > max(now)


def test_a_long_dry_run_holds_no_lock_and_leaves_no_snapshot(fresh_engine):
    """While a moderator's dry run is under way, a manager's `settings` and
    another moderator's change go through at once (the dry run works on a
    snapshot); the dry run then reports the file as it was and changes nothing."""
    from bot.store.importers import IMPORTERS

    e = fresh_engine
    e.store.write_wait = 60
    rows = "".join(f"dry-{i},topic,metric,subject,2024,{i}.5,%\n" for i in range(600))
    data = ("id,topic,metric,subject,period,value,unit\n" + rows).encode()
    meanwhile: dict = {}

    def progress(done: int, total: int) -> None:
        if meanwhile:
            return
        for line, who in (("settings digest weekly friday", MGR), ("set deepseek r1 params 70B", MOD)):
            t, box = _in_thread(lambda line=line, who=who: e.handle(line, who))
            t.join(60)  # a hang bound: with the dry run holding the lock, this waited for all of it
            meanwhile[line] = box.get("r")

    before_dump_figures = e.store.query("SELECT count(*) AS n FROM figures")[0]["n"]
    report = IMPORTERS["figures"].run(e.store, data, name="figures.csv", dry_run=True, progress=progress)
    assert report.added == 600
    assert len(meanwhile) == 2 and all(r is not None and r.status == "ok" for r in meanwhile.values()), meanwhile
    assert ServerStore(e.store).get(9).digest == "weekly"
    assert e.store.query("SELECT count(*) AS n FROM figures")[0]["n"] == before_dump_figures  # a dry run
    folder = Path(e.store.path).resolve().parent
    assert not list(folder.glob(".racebot-snapshot-*"))  # the snapshot is gone
