"""End to end: every server its own, through the real bot and the loopback Discord.

Server settings, watches that post when a moderator's change or an import
moves the race (once, in the right channel of the right server), the weekly
digest on a fake clock, posting skipped and explained when a channel denies
Send Messages, settings dropped when the bot is removed, and two processes
(shards 0 and 1 of one cluster, one SQLite file) that never post twice.
"""
from __future__ import annotations

import asyncio
import logging
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import pytest

from bot.adapters.discord.server_cog import ServerCog
from bot.engine import Engine
from bot.store.server_state import ServerStore

try:
    from tests.discord_sim import PNG_MAGIC, DiscordSimulator, SimMessage
    from tests.discord_sim.models import MANAGE_GUILD, SEND_MESSAGES
    from tests.test_discord_e2e import ARENA_CSV, NEW_DAY, World, ask, running, sim  # noqa: F401  (the sim fixture)
except ImportError:  # tests/ itself on sys.path
    from discord_sim import PNG_MAGIC, DiscordSimulator, SimMessage
    from discord_sim.models import MANAGE_GUILD, SEND_MESSAGES
    from test_discord_e2e import ARENA_CSV, NEW_DAY, World, ask, running, sim  # noqa: F401

pytestmark = pytest.mark.e2e
CEILING = 120.0  # a ceiling, not a wait: only a broken bot waits this long (an import under load rebuilds the read model and draws three charts)


async def until(predicate: Callable[[], Any], what: str, timeout: float = CEILING) -> Any:
    """Wait for bot-side state (the simulator's own waits only wake on its events)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)


@pytest.fixture
def engine_copy(seeded_db: Path, tmp_path: Path):
    """Engines on private copies of the seeded database (these tests change data)."""
    made: list[Engine] = []

    def make(path: Path | None = None) -> Engine:
        p = path or tmp_path / f"servers-{len(made)}.db"
        if not p.exists():
            shutil.copy(seeded_db, p)
        e = Engine.open(p)
        made.append(e)
        return e

    yield make
    for e in made:
        e.close()


class Server(World):
    """A World plus a server manager (Manage Server, not a data moderator) and #race-news."""

    def __init__(self, sim: DiscordSimulator, guild=None, name: str = "manager") -> None:
        super().__init__(sim, guild)
        self.manage_role = sim.create_role(self.guild, "Server staff", permissions=MANAGE_GUILD)
        self.manager = sim.create_user(name)
        sim.add_member(self.guild, self.manager, roles=[self.manage_role])
        self.news = sim.create_channel(self.guild, "race-news")


async def say(sim: DiscordSimulator, channel, user, text: str) -> SimMessage:
    """Type a setup command and return its answer (without `ask`'s quiet period)."""
    msg = sim.send_user_message(channel, user, text)
    [reply] = await sim.wait_for_messages(channel, 1, CEILING, after=msg)
    return reply


def cog(bot) -> ServerCog:
    c = bot.get_cog("Servers")
    assert isinstance(c, ServerCog)
    return c


def bot_posts(sim: DiscordSimulator, channel, after: int = 0) -> list[SimMessage]:
    return [m for m in sim.messages_in(channel, after=after) if m.interaction_id is None]


async def settle(bot, sim: DiscordSimulator, passes: int = 2) -> None:
    """Let the watch loop run `passes` more evaluations (so a duplicate would have shown up)."""
    c = cog(bot)
    start = c.evaluations
    for _ in range(passes):
        c.data_changed()
        await until(lambda n=c.evaluations: c.evaluations > n, "a watch evaluation")
    assert c.evaluations >= start + passes


# ----------------------------------------------------------------------------- watches
async def test_watch_fires_once_in_the_right_server(sim: DiscordSimulator, engine_copy) -> None:
    engine = engine_copy()
    a, b = Server(sim), Server(sim, sim.create_guild("Other server"), name="other-manager")
    # no poll within the test: an alert must come from the change itself waking the watches
    settings = a.settings(watch_poll_seconds=3600.0)
    async with running(settings, engine) as bot:
        r = await say(sim, a.channel, a.manager, "!settings channel #race-news")
        assert "#race-news" in r.text()
        for line in ("!watch top", "!watch gap us china", "!watch model DeepSeek-R1 by 3"):
            r = await say(sim, a.channel, a.manager, line)
            assert "Watch #" in r.text(), r.text()
        # the other server watches something this change does not move, in its own channel
        r = await say(sim, b.channel, b.manager, "!watch country france")
        assert "Watch #" in r.text()
        mark = max(sim.messages) if sim.messages else 0

        # a moderator's edit makes a Chinese model #1: new #1, China leads, DeepSeek-R1 rises
        r = await ask(sim, a.channel, a.mod, "!elo DeepSeek-R1 1600")
        assert "1,600" in r.text(), r.text()
        posts = await sim.wait_for_messages(a.news, 3, timeout=CEILING, after=mark)
        await settle(bot, sim)
        posts = bot_posts(sim, a.news, after=mark)
        assert len(posts) == 3, [p.text()[:80] for p in posts]
        text = "\n".join(p.text() for p in posts)
        assert "New #1 on Chatbot Arena: DeepSeek-R1" in text
        assert "China now leads United States" in text, text
        assert "DeepSeek-R1** rose from" in text or "entered the top 10" in text
        for p in posts:
            assert p.allowed_mentions == {"parse": []}
            assert p.attachments and p.attachments[0].data.startswith(PNG_MAGIC)
            assert "as of" in p.embed["footer"]["text"]
        # nothing anywhere else: not in A's other channel, not in the other server
        assert bot_posts(sim, b.channel, after=mark) == [] and bot_posts(sim, b.news, after=mark) == []
        assert [m for m in bot_posts(sim, a.channel, after=mark) if m.id > posts[0].id] == []

        # an import of a new (two-model) snapshot: a new #1, and DeepSeek-R1 is not on that board;
        # the gap watch stays quiet (no Chinese model in the snapshot: no gap to compare)
        mark = max(sim.messages)
        m = sim.send_user_message(a.channel, a.mod, f"!import arena {NEW_DAY}",
                                  attachments=[(f"arena-text-{NEW_DAY}.csv", ARENA_CSV)])
        [dry] = await sim.wait_for_messages(a.channel, 1, after=m, timeout=CEILING)
        sim.click_button_labelled(dry, "Confirm", user=a.mod)
        await sim.wait_for_edit(dry, until=lambda x: "imported" in x.text().lower(), timeout=CEILING)
        await sim.wait_for_messages(a.news, 2, timeout=CEILING, after=mark)
        await settle(bot, sim)
        news = bot_posts(sim, a.news, after=mark)
        assert len(news) == 2, [p.text()[:80] for p in news]
        assert "New #1 on Chatbot Arena: Sim-Model-X" in news[0].text() + news[1].text()
        assert "DeepSeek-R1** is no longer on the Chatbot Arena board" in news[0].text() + news[1].text()
        assert bot_posts(sim, b.channel, after=mark) == []
        # the watches list says when each last posted
        listing = await ask(sim, a.channel, a.member, "!watches")
        assert "3 of 25" in listing.text() and "last posted" in listing.text()


async def test_posting_skipped_and_explained_when_channel_denies_send(
    sim: DiscordSimulator, engine_copy, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="racebot.servers")
    engine = engine_copy()
    a = Server(sim)
    async with running(a.settings(watch_poll_seconds=30.0), engine) as bot:
        await say(sim, a.channel, a.manager, "!settings channel #race-news")
        await say(sim, a.channel, a.manager, "!watch top")
        sim.set_overwrite(a.news, sim.bot_user, deny=SEND_MESSAGES)
        await until(lambda: not bot.get_channel(a.news.id).permissions_for(bot.get_guild(a.guild.id).me).send_messages,
                    "the overwrite to reach the bot")
        before = cog(bot).evaluations
        await ask(sim, a.channel, a.mod, "!elo DeepSeek-R1 1600")
        await until(lambda: cog(bot).evaluations > before, "the watch evaluation")
        await ask(sim, a.channel, a.mod, "!elo Qwen3-235B-A22B-Instruct-2507 1700")  # a second failure: logged once
        await settle(bot, sim)
        shown = await ask(sim, a.channel, a.manager, "!settings")
        assert "Posting failed" in shown.text() and "Send Messages" in shown.text(), shown.text()
    assert bot_posts(sim, a.news) == []
    assert not [c for c in sim.calls("POST", rf"/channels/{a.news.id}/messages$")]  # checked before sending
    assert len([r for r in caplog.records if "lacks Send Messages" in r.getMessage()]) == 1


async def test_bot_removed_from_server_drops_its_settings(sim: DiscordSimulator, engine_copy) -> None:
    engine = engine_copy()
    a = Server(sim)
    servers = ServerStore(engine.store)
    async with running(a.settings(), engine) as bot:
        await say(sim, a.channel, a.manager, "!settings prefix ?")
        r = await ask(sim, a.channel, a.manager, "?watch top")  # the server's own prefix works at once
        assert "Watch #" in r.text()
        assert servers.watches(a.guild.id)
        sim.remove_bot_from_guild(a.guild)
        await until(lambda: bot.get_guild(a.guild.id) is None and not servers.watches(a.guild.id)
                    and servers.get(a.guild.id).prefix is None, "settings dropped")
    log = servers.log(a.guild.id)
    assert {r["tbl"] for r in log[:2]} == {"watches", "guild_settings"}
    assert all(r["actor"] == "discord" and "removed" in r["action"] for r in log[:2])
    assert engine.store.history() == [] or all(h["scope"] == "data" for h in engine.store.history())


# ----------------------------------------------------------------------------- digest
class FakeClock:
    def __init__(self, when: datetime) -> None:
        self.now = when

    def __call__(self) -> datetime:
        return self.now


async def test_weekly_digest_posts_on_its_day_once(sim: DiscordSimulator, engine_copy) -> None:
    engine = engine_copy()
    a = Server(sim)
    clock = FakeClock(datetime(2026, 3, 3, 13, 0, tzinfo=timezone.utc))  # a Tuesday
    async with running(a.settings(), engine) as bot:
        c = cog(bot)
        c.clock = clock
        await say(sim, a.channel, a.manager, "!settings channel #race-news")
        r = await say(sim, a.channel, a.manager, "!settings digest weekly wednesday")
        assert "Wednesdays" in r.text()

        async def at(when: datetime) -> list[SimMessage]:
            clock.now = when
            n = c.digest_passes
            c.wake_digests()
            await until(lambda: c.digest_passes > n, "a digest pass")
            return bot_posts(sim, a.news)

        assert await at(datetime(2026, 3, 3, 13, 0, tzinfo=timezone.utc)) == []   # Tuesday
        assert await at(datetime(2026, 3, 4, 11, 0, tzinfo=timezone.utc)) == []   # Wednesday morning
        posts = await at(datetime(2026, 3, 4, 12, 5, tzinfo=timezone.utc))        # Wednesday, midday
        assert len(posts) == 1
        digest = posts[0]
        assert "digest" in digest.text().lower() and "US vs China" in digest.text()
        assert digest.attachments and digest.attachments[0].data.startswith(PNG_MAGIC)
        assert digest.allowed_mentions == {"parse": []}
        assert len(await at(datetime(2026, 3, 4, 20, 0, tzinfo=timezone.utc))) == 1  # same day: not again
        assert len(await at(datetime(2026, 3, 6, 12, 0, tzinfo=timezone.utc))) == 1  # Friday: not again
        await say(sim, a.channel, a.manager, "!settings charts off")
        latest = engine.read_model().latest
        assert f"the {latest} board" in digest.text()  # the title names the boards it compares
        posts = await at(datetime(2026, 3, 11, 12, 30, tzinfo=timezone.utc))      # next Wednesday
        assert len(posts) == 2 and not posts[1].attachments
        # no new board since the last digest: one line that says so, not the same comparison again
        assert f"No new Arena board since the last digest (2026-03-04): the newest is still the {latest} board" \
            in posts[1].text() and "US vs China" not in posts[1].text()
        r = await say(sim, a.channel, a.manager, "!settings digest weekly wednesday skip")
        assert "skipped" in r.text()
        assert len(await at(datetime(2026, 3, 18, 12, 30, tzinfo=timezone.utc))) == 2  # skipped: nothing new
        assert c.digest_passes and engine.store.scalar(
            "SELECT digest_week FROM guild_settings WHERE guild_id = ?", [str(a.guild.id)]) == "2026-W12"
        # on demand, anyone, any day
        now = await ask(sim, a.channel, a.member, "!digest")
        assert "US vs China" in now.text()


# ----------------------------------------------------------------------------- cluster mode
async def test_two_processes_never_post_the_same_alert_twice(sim: DiscordSimulator, engine_copy, tmp_path) -> None:
    """Shards 0 and 1 in two bots (two engines, one SQLite file): each server's
    alert is posted by the process holding its shard, exactly once, including
    the server whose process did not make the change (it notices by polling)."""
    path = tmp_path / "cluster.db"
    e0, e1 = engine_copy(path), engine_copy(path)
    g0, g1 = sim.create_guild("Shard zero", shard=(0, 2)), sim.create_guild("Shard one", shard=(1, 2))
    s0, s1 = Server(sim, g0), Server(sim, g1, name="manager-1")
    base = dict(shard_count=2, watch_poll_seconds=0.1)
    async with _cluster(s0.settings(**base), e0, [0]) as p0, _cluster(s1.settings(**base), e1, [1]) as p1:
        assert {g.id for g in p0.guilds} == {g0.id} and {g.id for g in p1.guilds} == {g1.id}
        for s in (s0, s1):
            await say(sim, s.channel, s.manager, "!settings channel #race-news")
            await say(sim, s.channel, s.manager, "!settings charts off")  # this test is about posting once
            r = await say(sim, s.channel, s.manager, "!watch top")
            assert "Watch #" in r.text()
        await ask(sim, s0.channel, s0.mod, "!elo DeepSeek-R1 1600")  # made in process 0
        await sim.wait_for_messages(s0.news, 1, timeout=CEILING)
        await sim.wait_for_messages(s1.news, 1, timeout=CEILING)      # process 1 noticed it
        # both processes now evaluate the same change again and again: nothing more
        await asyncio.gather(cog(p0).check_watches(), cog(p1).check_watches(),
                             cog(p0).check_watches(), cog(p1).check_watches())
        await settle(p0, sim)
        await settle(p1, sim)
    for s in (s0, s1):
        posts = bot_posts(sim, s.news)
        assert len(posts) == 1 and "DeepSeek-R1" in posts[0].text()


def _cluster(settings, engine, shard_ids):
    """One process of the cluster: an auto-sharded bot holding only `shard_ids`."""
    import contextlib

    from bot.adapters.discord.launch import create_bot

    @contextlib.asynccontextmanager
    async def go():
        bot = create_bot(settings, engine, shard_ids=shard_ids)
        task = asyncio.create_task(bot.start(settings.discord_token))
        try:
            ready = asyncio.create_task(bot.wait_until_ready())
            done, _ = await asyncio.wait({ready, task}, timeout=CEILING, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                task.result()
            assert ready in done
            yield bot
        finally:
            await bot.close()
            try:
                await asyncio.wait_for(task, 5)
            except Exception:
                pass

    return go()


# ----------------------------------------------------------------------------- the two authorities
async def test_permission_matrix_prefix_and_slash_in_servers_and_dms(sim: DiscordSimulator, engine_copy) -> None:
    """Server managers change only their server's settings; data moderators only the
    shared data; neither acts for the other; in DMs there are no server settings."""
    engine = engine_copy()
    a = Server(sim)
    datamod = sim.create_user("data-dora")
    both = sim.create_user("both-bo")
    sim.add_member(a.guild, datamod)
    sim.add_member(a.guild, both, roles=[a.manage_role])
    settings = a.settings(admin_user_ids=frozenset({datamod.id, both.id}), admin_role_ids=frozenset())
    SERVER_OK, SERVER_NO, DATA_OK, DATA_NO, NO_DM = (
        "charts with watch alerts", "for this server's managers", "nothing to undo", "for moderators only",
        "works in a server")
    matrix = [  # (user, may change server settings, may change data)
        (a.member, False, False), (a.manager, True, False), (datamod, False, True), (both, True, True)]
    version = engine.store.data_version

    async def slash(user, channel, name, options) -> str:
        # Discord hides these from members without Manage Server, but a server admin may
        # grant any command to anyone (command permissions): the bot must check itself.
        sim.allow_command(a.guild, name, user)
        inter = sim.send_slash_command(name, options, user=user, channel=channel)
        return (await sim.wait_for_answer(inter, timeout=CEILING)).text().lower()

    async with running(settings, engine):
        synced = {c["name"]: c for c in sim.global_commands}
        assert synced["settings"]["default_member_permissions"] == str(MANAGE_GUILD)
        assert synced["watches"]["default_member_permissions"] is None
        for user, server_ok, data_ok in matrix:
            for form in ("prefix", "slash"):
                if form == "prefix":
                    s_text = (await say(sim, a.channel, user, "!settings charts off")).text().lower()
                    d_text = (await say(sim, a.channel, user, "!undo")).text().lower()
                else:
                    s_text = await slash(user, a.channel, "settings", {"change": "charts off"})
                    d_text = await slash(user, a.channel, "undo", {})
                who = f"{user.username} ({form})"
                assert (SERVER_OK if server_ok else SERVER_NO) in s_text, (who, s_text)
                assert (DATA_OK if data_ok else DATA_NO) in d_text, (who, d_text)
                if user is datamod:
                    assert "data moderators change the shared data" in s_text
            # in DMs: no server settings for anyone; the data authority of listed users stands
            dm = sim.dm_channel(user)
            assert NO_DM in (await say(sim, dm, user, "!settings")).text().lower()
            assert NO_DM in (await say(sim, dm, user, "!watch top")).text().lower()
            with pytest.raises(PermissionError):  # /settings is guild-only: Discord does not offer it in DMs
                sim.send_slash_command("settings", {}, user=user, channel=dm)
            assert (DATA_OK if data_ok else DATA_NO) in (await say(sim, dm, user, "!undo")).text().lower()
    assert engine.store.data_version == version  # nothing to undo: the data never changed
    audit = ServerStore(engine.store).log(a.guild.id, limit=50)
    # one audited change: the manager's first `charts off`; the refused ones and the repeats wrote nothing
    assert [(r["action"], r["actor"], r["guild_id"]) for r in audit] == [
        ("settings charts off", f"{a.manager.username} ({a.manager.id})", str(a.guild.id))]


async def test_server_prefix_is_its_own(sim: DiscordSimulator, engine_copy) -> None:
    """`settings prefix ?` applies at once, in that server only, and the usage lines say `?`."""
    engine = engine_copy()
    a, b = Server(sim), Server(sim, sim.create_guild("Other server"), name="other-manager")
    async with running(a.settings(), engine):
        await say(sim, a.channel, a.manager, "!settings prefix ?")
        usage = await ask(sim, a.channel, a.member, "?compare")
        assert "Usage: `?compare" in usage.text(), usage.text()
        other = await ask(sim, b.channel, b.member, "!help")  # the other server keeps `!`
        assert "`!race`" in other.text()
        quiet = sim.send_user_message(a.channel, a.member, "!help")  # `!` no longer answers in the first
        probe = await ask(sim, a.channel, a.member, "?help")
        assert [m.id for m in sim.messages_in(a.channel, after=quiet)] == [probe.id]
