"""Issue 27 through the real bot against the loopback Discord: a watch made in
a thread posts in that thread; servers that removed the bot while it was
offline are pruned at READY (audited); suggestion buttons count against the
cooldown; a manager cannot point the bot at a channel hidden from them."""
from __future__ import annotations

import pytest

from bot.store.server_state import ServerStore

try:
    from tests.discord_sim import DiscordSimulator
    from tests.discord_sim.models import VIEW_CHANNEL
    from tests.test_discord_e2e import WAIT, World, ask, running, sim  # noqa: F401 (the sim fixture)
    from tests.test_servers_e2e import Server, bot_posts, engine_copy, say, settle  # noqa: F401
except ImportError:  # tests/ itself on sys.path
    from discord_sim import DiscordSimulator
    from discord_sim.models import VIEW_CHANNEL
    from test_discord_e2e import WAIT, World, ask, running, sim  # noqa: F401
    from test_servers_e2e import Server, bot_posts, engine_copy, say, settle  # noqa: F401

pytestmark = pytest.mark.e2e


async def test_a_watch_made_in_a_thread_posts_in_that_thread(sim: DiscordSimulator, engine_copy) -> None:
    engine = engine_copy()
    a = Server(sim)
    thread = sim.create_thread(a.channel, "race talk")
    async with running(a.settings(watch_poll_seconds=3600.0), engine) as bot:
        r = await say(sim, thread, a.manager, "!watch top")
        assert "Watch #" in r.text(), r.text()
        mark = max(sim.messages)
        await ask(sim, a.channel, a.mod, "!elo DeepSeek-R1 1600")
        [post] = await sim.wait_for_messages(thread, 1, WAIT, after=mark)
        await settle(bot, sim)
        assert "New #1 on Chatbot Arena: DeepSeek-R1" in post.text()
        assert len(bot_posts(sim, thread, after=mark)) == 1
        assert not ServerStore(engine.store).get(a.guild.id).post_error


async def test_servers_gone_while_offline_are_pruned_at_ready(sim: DiscordSimulator, engine_copy) -> None:
    engine = engine_copy()
    a = Server(sim)
    servers = ServerStore(engine.store)
    gone = 4242  # a server whose settings and watch remain from before; the bot is no longer in it
    servers.update(gone, "mgr", "settings prefix ?", prefix="?")
    servers.add_watch(gone, "mgr", kind="top", spec={}, label="top", channel_id=None, origin_channel_id="1",
                      baseline_version=1)
    servers.update(a.guild.id, "mgr", "settings prefix ?", prefix="?")  # a server the bot is in keeps its own
    async with running(a.settings(), engine):
        await sim.wait_until(lambda: not servers.watches(gone) and servers.get(gone).prefix is None, WAIT,
                             "the gone server's rows pruned", poll=0.05)
    assert servers.get(a.guild.id).prefix == "?"
    log = servers.log(gone)
    assert {r["tbl"] for r in log[:2]} == {"watches", "guild_settings"}
    assert all(r["actor"] == "discord" and "no longer in the server" in r["action"] for r in log[:2])


async def test_suggestion_buttons_count_against_the_cooldown(sim: DiscordSimulator, engine_copy) -> None:
    engine = engine_copy()
    world = World(sim)
    async with running(world.settings(cooldown_rate=1, cooldown_per=600.0), engine):
        prompt = await ask(sim, world.channel, world.member, "!compare gpt-4o vs deepsek r9")  # the one allowed
        assert prompt.buttons(), prompt.text()
        click = sim.click_button(prompt, prompt.buttons()[0]["custom_id"], user=world.member)
        await sim.wait_for_response(click, WAIT)
    assert click.callbacks[0]["type"] == 4 and click.callbacks[0]["data"]["flags"] == 64
    assert "Easy there" in click.callbacks[0]["data"]["content"]
    assert prompt.edits == 0  # the suggestion did not run


async def test_a_manager_cannot_point_the_bot_at_a_channel_hidden_from_them(sim: DiscordSimulator, engine_copy) -> None:
    engine = engine_copy()
    a = Server(sim)
    secret = sim.create_channel(a.guild, "mods-only")
    sim.set_overwrite(secret, a.manage_role, deny=VIEW_CHANNEL)
    async with running(a.settings(), engine) as bot:
        await sim.wait_until(lambda: any(getattr(t, "id", None) == a.manage_role.id
                                         for t in bot.get_channel(secret.id).overwrites), WAIT,
                             "the overwrite to reach the bot")
        for line in ("!settings channel #mods-only", f"!settings channel <#{secret.id}>",
                     f"!watch top in <#{secret.id}>"):
            r = await say(sim, a.channel, a.manager, line)
            assert "Channel set" not in r.text() and "Watch #" not in r.text(), (line, r.text())
        ok = await say(sim, a.channel, a.manager, "!settings channel #race-news")
        assert "#race-news" in ok.text()
    s = ServerStore(engine.store)
    assert s.get(a.guild.id).channel_id == str(a.news.id) and s.watches(a.guild.id) == []
