"""Cluster mode: several bot processes split the shards and share one SQLite file.

Two real ``python -m bot run`` processes (SHARD_COUNT=4, SHARD_IDS 0-1 and
2-3) against the simulator: every guild is served by exactly one of them, and
a moderator's change made through one process is answered by the other at
once, because the store checks SQLite's ``PRAGMA data_version`` before
answering.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.store import Store
from tests.test_discord_e2e import READY_TIMEOUT, ask, bot_process, sim  # noqa: F401  (sim is a fixture)

pytestmark = pytest.mark.e2e


def test_a_change_by_another_connection_is_seen_at_once(seeded_db, tmp_path) -> None:
    """Two engines on one file, as two processes would be: B's caches follow A's change (once B has
    rebuilt its read model, in the background: its readers never wait for it)."""
    db = tmp_path / "shared.db"
    shutil.copy(seeded_db, db)
    a, b = Engine.open(db), Engine.open(db)
    try:
        before = b.store.data_version
        assert b.store.data_version == before  # cached: nothing changed
        assert (b.handle("model whalebot").data.get("model") or {}).get("name") != "DeepSeek-R1"
        with a.store.change("test", "alias") as ch:
            ch.upsert("aliases", {"alias": "whalebot", "model_id": a.handle("model deepseek r1").data["model"]["id"],
                                  "kind": "alias", "reviewed": 1, "source_id": None})
        assert b.store.data_version == before + 1  # seen without B committing anything
        b.handle("model whalebot")  # B's readers never wait: this one starts B's rebuild in the background
        b.refresh()  # (waits for it)
        reply = b.handle("model whalebot")
        assert reply.status == "ok" and reply.data["model"]["name"] == "DeepSeek-R1"
    finally:
        a.close()
        b.close()


def test_store_data_version_reads_meta_only_after_a_commit_elsewhere(seeded_db, tmp_path) -> None:
    db = tmp_path / "v.db"
    shutil.copy(seeded_db, db)
    a, b = Store.open(db), Store.open(db)
    try:
        v = b.data_version
        traced: list[str] = []
        b.db.set_trace_callback(traced.append)
        assert b.data_version == v and not any("FROM meta" in t for t in traced)  # only the PRAGMA
        with a.change("test", "touch") as ch:
            ch.upsert("aliases", {"alias": "zzz-test", "model_id": 1, "kind": "alias", "reviewed": 1, "source_id": None})
        assert b.data_version == v + 1 and any("FROM meta" in t for t in traced)
        b.db.set_trace_callback(None)
    finally:
        a.close()
        b.close()


def test_leases_space_claims_across_connections_and_hand_over(tmp_path) -> None:
    """Two processes' views of one file: a spaced slot is claimed once per spacing, a held lease has one
    holder until it runs out, and a read-only copy says it cannot take any."""
    import sqlite3

    from bot.store.leases import Leases, ReadOnlyLeases

    db = tmp_path / "l.db"
    sqlite3.connect(db).close()
    now = [1000.0]
    a, b = Leases(db, clock=lambda: now[0]), Leases(db, clock=lambda: now[0])
    assert a.take_slot("identify:0", 5.5) == 0.0
    assert b.take_slot("identify:0", 5.5) == pytest.approx(5.5)  # the other process waits its turn
    assert b.take_slot("identify:1", 5.5) == 0.0  # another rate-limit key is free
    now[0] += 5.5
    assert b.take_slot("identify:0", 5.5) == 0.0
    assert a.hold("primary", "a", 30) and not b.hold("primary", "b", 30) and b.holder("primary") == "a"
    now[0] += 10
    assert a.hold("primary", "a", 30)  # renewed
    now[0] += 31
    assert b.hold("primary", "b", 30) and a.holder("primary") == "b"  # a stopped renewing: b took over
    b.release("primary", "b")
    assert a.holder("primary") is None
    with pytest.raises(ReadOnlyLeases):  # as a published read-only copy is opened
        Leases(f"file:{db}?mode=ro").take_slot("identify:0", 5.5)


async def test_two_processes_split_four_shards_and_share_changes(sim, tmp_path: Path, seeded_db: Path) -> None:
    sim.message_content_intent = True
    # Most bots have max_concurrency 1: one IDENTIFY per window for the whole application, whichever
    # process sends it. The window is shrunk (1 s for Discord's 5 s) and the bots' spacing with it.
    sim.max_concurrency = 1
    sim.identify_window = 1.0
    guilds = [sim.create_guild(f"Cluster {i}", shard=(i, 4)) for i in range(4)]
    mod = sim.create_user("mod-mia")
    for g in guilds:
        sim.add_member(g, mod)
    db = tmp_path / "cluster.db"
    shutil.copy(seeded_db, db)
    root = Path(__file__).resolve().parents[1]
    base_env = {
        **os.environ,
        "DISCORD_TOKEN": sim.token,
        "DISCORD_ADDRESS": sim.address,
        "DISCORD_CA_FILE": sim.ca_file,
        "DATABASE_PATH": str(db),
        "SHARD_COUNT": "4",
        "ADMIN_USER_IDS": str(mod.id),
        "COOLDOWN_RATE": "100",
        "IDENTIFY_SPACING": "1.5",
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
        "MPLBACKEND": "Agg",
    }
    logs: dict[str, list[str]] = {"a": [], "b": []}
    ready = {k: asyncio.Event() for k in logs}

    def watcher(k: str):
        return lambda line: "ready in" in line and ready[k].set()

    # one primary takes the changes (configured here; PRIMARY=auto elects one by a lease)
    async with bot_process({**base_env, "SHARD_IDS": "0-1", "PRIMARY": "yes"}, tmp_path, logs["a"],
                           on_line=watcher("a")) as pa, \
            bot_process({**base_env, "SHARD_IDS": "2-3", "PRIMARY": "no"}, tmp_path, logs["b"],
                        on_line=watcher("b")) as pb:
        await asyncio.wait_for(asyncio.gather(ready["a"].wait(), ready["b"].wait()), READY_TIMEOUT)
        await sim.wait_for_ready_sessions(4)
        assert sorted(tuple(i["shard"]) for i in sim.identifies) == [(0, 4), (1, 4), (2, 4), (3, 4)]
        assert sim.concurrency_refusals == []  # no op 9: the processes took turns through the database
        for g in guilds:  # each guild answered exactly once (ask() checks no second answer follows)
            reply = await ask(sim, sim.text_channel(g), mod, "!race")
            assert reply.embed is not None
        changed = await ask(sim, sim.text_channel(guilds[0]), mod, "!alias deepseek r1 whalebot")  # process A
        assert "now means" in changed.text()
        refused = await ask(sim, sim.text_channel(guilds[2]), mod, "!alias deepseek r1 whaleboat")  # B: no
        assert "changes are made through the primary bot process" in refused.text().lower()
        # process B: its readers never wait for a rebuild, so an asker right after A's change may get the
        # model before it while B rebuilds in the background (the first reader starts it); the answer follows
        # as soon as B's new read model is swapped in
        for _ in range(20):
            answer = await ask(sim, sim.text_channel(guilds[2]), mod, "!model whalebot")
            if "DeepSeek-R1" in answer.text():
                break
        assert "DeepSeek-R1" in answer.text()
        assert pa.returncode is None and pb.returncode is None
    assert all("Traceback" not in line for line in logs["a"] + logs["b"])


@contextlib.asynccontextmanager
async def _in_process(settings, engine, shard_ids):
    """One process of a cluster, in this one: a bot holding only `shard_ids`."""
    from bot.adapters.discord.launch import create_bot

    bot = create_bot(settings, engine, shard_ids=shard_ids)
    task = asyncio.create_task(bot.start(settings.discord_token))
    try:
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()
        assert ready in done
        yield bot
    finally:
        await bot.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)


async def test_a_primary_and_a_read_only_copy_on_two_machines(sim, tmp_path: Path, seeded_db: Path) -> None:
    """Two machines as the docs describe them: the primary on its database, another process on a
    read-only copy (a LiteFS replica or a published copy). Only the primary syncs the commands, takes
    changes and posts watch alerts, also for a server the other process's shard holds (over REST by
    channel id); the copy answers and refuses changes naming where they are made."""
    from bot.caller import Caller
    from bot.config import Settings

    sim.message_content_intent = True
    g0, g1 = sim.create_guild("On the primary", shard=(0, 2)), sim.create_guild("On the copy", shard=(1, 2))
    mod = sim.create_user("mod-mo")
    member = sim.create_user("member-mae")
    for g in (g0, g1):
        sim.add_member(g, mod)
        sim.add_member(g, member)
    news = sim.create_channel(g1, "race-news")
    primary_db, copy_db = tmp_path / "primary.db", tmp_path / "copy.db"
    shutil.copy(seeded_db, primary_db)
    primary = Engine.open(primary_db)
    # the copy's server set a watch earlier (through the primary, where changes are made)
    manager = Caller(user_id="9", name="manager", guild_id=str(g1.id), channel_id=str(news.id),
                     can_manage_guild=True, channels=((str(news.id), "race-news"),))
    assert primary.handle("settings channel #race-news", manager).ok
    assert primary.handle("settings charts off", manager).ok
    assert "Watch #" in primary.handle("watch top", manager).text
    shutil.copy(primary_db, copy_db)
    copy = Engine(Store.open(copy_db, readonly=True))
    settings = Settings(discord_token=sim.token, discord_address=sim.address, discord_ca_file=Path(sim.ca_file),
                        admin_user_ids=frozenset({mod.id}),
                        shard_count=2, watch_poll_seconds=3600.0, cooldown_rate=50)
    try:
        async with _in_process(settings, primary, [0]) as p, _in_process(settings, copy, [1]) as r:
            assert p.is_primary and not r.is_primary
            assert len(sim.calls("PUT", r"/applications/\d+/commands$")) == 1  # the primary's sync only
            answer = await ask(sim, sim.text_channel(g1), member, "!race")  # the copy answers
            assert answer.embed is not None
            refused = await ask(sim, sim.text_channel(g1), mod, "!elo DeepSeek-R1 1600")
            assert "changes are made through the primary bot process" in refused.text().lower()
            assert "refused" in refused.text()
            changed = await ask(sim, sim.text_channel(g0), mod, "!elo DeepSeek-R1 1600")  # on the primary
            assert "1,600" in changed.text()
            [alert] = await sim.wait_for_messages(news, 1, timeout=60)  # the copy's server, posted by the primary
            assert "DeepSeek-R1" in alert.text() and alert.allowed_mentions == {"parse": []}
    finally:
        primary.close()
        copy.close()
