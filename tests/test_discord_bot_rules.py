"""The bot against the strict simulator: each Discord rule, and what the bot does about it.

Intents (slash commands and @mentions without Message Content), channel
permissions (text instead of embeds, a note instead of files, silence where
it may not speak, threads), interactions (acknowledged at once, private
answers really private, expired buttons, tokens never used past 15 minutes),
command contexts, a guarded dev-guild sync, shard counts and the session
start limit.
"""
from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.adapters.discord.views import EXPIRED_BUTTONS, ReplyView
from bot.engine import Engine
from bot.reply import Reply
from tests.test_discord_e2e import WAIT, World, ask, long_command, running  # noqa: F401  (fixture)

try:
    from tests.discord_sim import DiscordSimulator
    from tests.discord_sim.models import ATTACH_FILES, EMBED_LINKS, SEND_MESSAGES
except ImportError:  # tests/ itself on sys.path
    from discord_sim import DiscordSimulator
    from discord_sim.models import ATTACH_FILES, EMBED_LINKS, SEND_MESSAGES

from discord.gateway import DiscordWebSocket
from discord.http import Route

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def engine(tmp_path_factory, seeded_db) -> Engine:
    import shutil

    db = tmp_path_factory.mktemp("rules") / "r.db"
    shutil.copy(seeded_db, db)
    e = Engine.open(db)
    yield e
    e.close()


@pytest.fixture
async def sim():
    """Strict, and the app has *no* Message Content intent unless a test enables it."""
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    async with DiscordSimulator(max_concurrency=4) as s:
        try:
            yield s
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved


# ----------------------------------------------------------------------------- intents
async def test_without_message_content_it_answers_mentions_and_slash_and_says_so_once(
    sim: DiscordSimulator, engine: Engine, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    world = World(sim)
    async with running(world.settings(), engine) as bot:  # MESSAGE_CONTENT=auto (the default)
        assert not bot.message_content_enabled
        assert not sim.refused_identifies  # never asked for it: no 4014, no wasted session start
        assert not sim.identifies[0]["intents"] & (1 << 15)
        typed = sim.send_user_message(world.channel, world.member, "!race")  # arrives with empty content
        reply = await ask(sim, world.channel, world.member, f"{sim.bot_user.mention} race")
        assert reply.embed is not None and "race" in reply.text().lower()
        assert sim.messages_in(world.channel, after=typed) == [reply]  # the unreadable !race got nothing
        inter = sim.send_slash_command("race", {}, user=world.member, channel=world.channel)
        assert (await sim.wait_for_answer(inter)).embed is not None
    lines = [r.getMessage() for r in caplog.records if "Message Content intent not enabled" in r.getMessage()]
    assert len(lines) == 1 and "@RaceBot race" in lines[0]


async def test_message_content_on_without_the_app_intent_fails_clearly(sim: DiscordSimulator, engine: Engine) -> None:
    import discord

    from bot.adapters.discord.launch import run_bot

    world = World(sim)
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await asyncio.wait_for(run_bot(world.settings(message_content="on"), engine), WAIT)
    assert sim.refused_identifies == [{"close": 4014, "intents": ["MESSAGE_CONTENT"]}]


# ----------------------------------------------------------------------------- permissions
async def test_replies_fit_the_channel_permissions(sim: DiscordSimulator, engine: Engine, caplog) -> None:
    sim.message_content_intent = True
    world = World(sim)
    no_embeds = sim.create_channel(world.guild, "no-embeds")
    no_files = sim.create_channel(world.guild, "no-files")
    read_only = sim.create_channel(world.guild, "read-only")
    sim.set_overwrite(no_embeds, world.guild, deny=EMBED_LINKS)
    sim.set_overwrite(no_files, world.guild, deny=ATTACH_FILES)
    sim.set_overwrite(read_only, world.guild, deny=SEND_MESSAGES)
    caplog.set_level(logging.INFO, logger="racebot.discord")
    async with running(world.settings(), engine):
        text = await ask(sim, no_embeds, world.member, "!compare gpt-4o vs deepseek r1")
        assert text.embeds == [] and "GPT-4o" in text.content and "-# " in text.content  # the source line kept
        assert text.attachments  # files are still allowed there
        plain = await ask(sim, no_files, world.member, "!compare gpt-4o vs deepseek r1")
        assert plain.embed is not None and not plain.attachments and "Attach Files" in plain.content
        silent = sim.send_user_message(read_only, world.member, "!race")
        marker = await ask(sim, world.channel, world.member, "!race")  # handled after the silent one
        assert marker.embed is not None
        # slash commands still work in the read-only channel: interactions need no channel permission
        inter = sim.send_slash_command("race", {}, user=world.member, channel=read_only)
        assert (await sim.wait_for_answer(inter)).embed is not None
    assert sim.messages_in(read_only, after=silent) == [sim.messages[inter.original_message_id]]
    assert not sim.calls("POST", rf"/channels/{read_only.id}/(typing|messages)$")  # no 403 asked for
    assert sim.invalid_request_count() == 0
    silence = [r for r in caplog.records if "not answering in #read-only" in r.getMessage()]
    assert len(silence) == 1 and silence[0].levelno == logging.INFO


async def test_help_without_embed_links_is_one_message_within_2000_for_members_and_moderators(
        sim: DiscordSimulator, engine: Engine) -> None:
    """help in a channel without Embed Links was one 2,959-character message (4,567 for moderators): a 400.
    Now help is by role and every page is one message within Discord's 2,000 characters, nothing left
    out: the members' commands in `help`, the moderators' in `help moderators`."""
    sim.message_content_intent = True
    world = World(sim)
    no_embeds = sim.create_channel(world.guild, "no-embeds")
    sim.set_overwrite(no_embeds, world.guild, deny=EMBED_LINKS)
    async with running(world.settings(), engine):
        for who, line, names in (
                (world.member, "!help", [c.name for c in engine.commands if c.group == "community"]),
                (world.mod, "!help", [c.name for c in engine.commands if c.group == "community"]),
                (world.mod, "!help moderators", [c.name for c in engine.commands if c.admin]),
                (world.member, "!help server", [c.name for c in engine.commands if c.group == "server"])):
            page = await ask(sim, no_embeds, who, line)
            assert page.embeds == [] and "something went wrong" not in page.content.lower()
            assert not [b for b in page.buttons() if b["custom_id"].startswith("page:")], line
            assert 0 < len(page.content) <= 2000
            assert all(f"!{n}`" in page.content for n in names), [n for n in names if f"!{n}`" not in page.content]
    bad = [c for c in sim.rest_calls if c.status >= 400]
    assert not bad, [(c.method, c.path, c.status) for c in bad]


async def test_an_export_over_the_upload_limit_says_how_to_get_it(sim: DiscordSimulator, engine: Engine) -> None:
    """Discord's upload limit is the channel's (10 MiB, more when boosted; an interaction's
    attachment_size_limit): an export over it is compressed when that fits, else refused with the command line."""
    world = World(sim)
    sim.attachment_size_limit = 4096  # the seed's exports are bigger than this even compressed
    async with running(world.settings(), engine):
        inter = sim.send_slash_command("export", {"format": "json"}, user=world.mod, channel=world.channel)
        answer = await sim.wait_for_answer(inter)
    assert not answer.attachments and "racebot export json" in answer.content and "upload limit" in answer.content
    assert not sim.refused_uploads and "went wrong" not in answer.content


async def test_threads_and_forum_posts_are_answered_in_place(sim: DiscordSimulator, engine: Engine) -> None:
    sim.message_content_intent = True
    world = World(sim)
    forum = sim.create_channel(world.guild, "questions", type=15)
    async with running(world.settings(), engine):
        thread = sim.create_thread(world.channel, "race talk", owner=world.member)
        reply = await ask(sim, thread, world.member, "!race")
        assert reply.channel_id == thread.id and reply.embed is not None
        post = sim.create_thread(forum, "who leads?", owner=world.member, first_message="!gap us china")
        [answer] = await sim.wait_for_messages(post, 1)
        assert answer.text()


# ----------------------------------------------------------------------------- interactions
async def test_private_answer_after_a_public_defer_is_really_private(
    sim: DiscordSimulator, engine: Engine, monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World(sim)

    async def private(*a, **k) -> tuple[Reply, None]:
        return Reply(text="only for you", ephemeral=True), None

    async with running(world.settings(), engine):
        monkeypatch.setattr(engine, "aanswer", private)
        inter = sim.send_slash_command("race", {}, user=world.member, channel=world.channel)
        await sim.wait_until(lambda: inter.followup_ids and sim.messages[inter.followup_ids[-1]].content,
                             what="the private answer")
    assert inter.response_type == 5  # deferred at once
    thinking = sim.messages[inter.original_message_id]
    assert thinking.deleted  # the public "thinking" message was removed...
    answer = sim.messages[inter.followup_ids[-1]]
    assert answer.ephemeral and answer.content == "only for you"  # ...and the answer is private
    assert not inter.refused


async def test_buttons_after_a_restart_still_answer_and_live_ones_are_not_raced(
    sim: DiscordSimulator, engine: Engine, long_command: str,
) -> None:
    """Persistent buttons (discord.py's DynamicItem): a "did you mean" button holds its command line
    and runs it after a restart, privately for whoever pressed it; a page button, whose pages lived in
    the view, says at once that it expired; a live view's click is never answered twice."""
    sim.message_content_intent = True
    world = World(sim)
    async with running(world.settings(), engine):
        prompt = await ask(sim, world.channel, world.member, "!compare gpt-4o vs deepsek r9")
        pages = await ask(sim, world.channel, world.member, "!longlist 300")
    async with running(world.settings(), engine):  # a restart: the views are gone
        button = prompt.buttons()[0]
        assert button["custom_id"].startswith("rb:suggest:")
        click = sim.click_button(prompt, button["custom_id"], user=world.member)
        answer = await sim.wait_for_answer(click)
        assert click.response_type == 5 and answer.ephemeral  # deferred at once, answered privately
        assert "GPT-4o" in answer.text() and "DeepSeek" in answer.text()
        turn = sim.click_button(pages, "page:next", user=world.member)
        await sim.wait_for_response(turn)
        assert turn.callbacks[0]["data"]["content"] == EXPIRED_BUTTONS
        assert turn.callbacks[0]["data"]["flags"] == 64
        # a live view's slow handler is never answered "expired" behind its back
        prompt2 = await ask(sim, world.channel, world.member, "!compare gpt-4o vs deepsek r9")
        live = sim.click_button(prompt2, prompt2.buttons()[0]["custom_id"], user=world.member)
        await sim.wait_for_edit(prompt2, until=lambda m: m.attachments)
    assert [c["type"] for c in live.callbacks] == [7] and not live.refused


async def test_view_timeout_never_uses_a_token_older_than_15_minutes(
    sim: DiscordSimulator, engine: Engine, long_command: str,
) -> None:
    world = World(sim)
    async with running(world.settings(), engine) as bot:
        inter = sim.send_slash_command("longlist", {"n": 300}, user=world.member, channel=world.channel)
        answer = await sim.wait_for_answer(inter)
        [view] = [v for v in bot.live_views.values() if isinstance(v, ReplyView)]
        sim.advance_time(16 * 60)  # Discord's clock: the token is dead
        view.token_expires = time.monotonic() - 1  # and the bot's own reckoning agrees
        before = len(sim.calls("PATCH"))
        await view.on_timeout()
        edits = sim.calls("PATCH")[before:]
    assert [c.path for c in edits] == [f"/channels/{world.channel.id}/messages/{answer.id}"]
    assert edits[0].status == 200 and all(b["disabled"] for b in answer.buttons())
    assert not inter.refused  # the interaction token was not used after it expired


async def test_admin_commands_only_in_servers(sim: DiscordSimulator, engine: Engine) -> None:
    world = World(sim)
    async with running(world.settings(), engine):
        synced = {c["name"]: c for c in sim.global_commands}
    admin = [c for c in engine.commands if c.admin and c.name in synced]
    assert admin
    for info in admin:
        cmd = synced[info.name]
        assert cmd["contexts"] == [0] and cmd["dm_permission"] is False
        assert cmd["default_member_permissions"] == str(1 << 5)
        assert cmd["integration_types"] == [0]
    assert synced["race"]["contexts"] == [0, 1]
    with pytest.raises(PermissionError):  # Discord does not offer it in DMs, even to a moderator
        sim.send_slash_command(admin[0].name, {}, user=world.mod, channel=sim.dm_channel(world.mod))


# ----------------------------------------------------------------------------- start
async def test_dev_guild_the_bot_is_not_in_is_a_clear_log_not_a_crash(
    sim: DiscordSimulator, engine: Engine, caplog: pytest.LogCaptureFixture,
) -> None:
    world = World(sim)
    caplog.set_level(logging.INFO)
    elsewhere = 4242424242424242
    async with running(world.settings(dev_guild_id=elsewhere), engine) as bot:
        assert bot.is_ready()
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(f"DEV_GUILD_ID {elsewhere}" in e and "Is the bot in that server" in e for e in errors)
    assert sim.global_commands == []  # and nothing registered globally behind the developer's back


async def test_shard_count_auto_follows_discords_recommendation(sim: DiscordSimulator, engine: Engine) -> None:
    sim.guilds_per_recommended_shard = 1  # 1,000 guilds a shard, scaled down
    w0 = World(sim, sim.create_guild("A", shard=(0, 2)))
    World(sim, sim.create_guild("B", shard=(1, 2)))
    async with running(w0.settings(shard_count=None), engine) as bot:
        assert bot.shard_count == 2
    assert sorted(tuple(i["shard"]) for i in sim.identifies) == [(0, 2), (1, 2)]


async def test_session_start_limit_is_waited_for_not_exceeded(
    sim: DiscordSimulator, engine: Engine, caplog: pytest.LogCaptureFixture,
) -> None:
    sim.session_start_total = 1
    sim.session_start_window = 2.0  # a day, scaled down
    sim.use_session_starts(1)  # a crash loop used today's starts
    caplog.set_level(logging.INFO)
    world = World(sim)
    async with running(world.settings(), engine):
        pass
    assert sim.token_resets == 0 and not sim.refused_identifies and len(sim.identifies) == 1
    waits = [r.getMessage() for r in caplog.records if "session start limit is used up" in r.getMessage()]
    assert waits and "waiting" in waits[0]


async def test_dev_guild_warns_when_global_commands_would_show_twice(
    sim: DiscordSimulator, engine: Engine, caplog: pytest.LogCaptureFixture,
) -> None:
    world = World(sim)
    sim.global_commands = [{"id": "1", "name": "race", "description": "old global", "type": 1}]
    caplog.set_level(logging.WARNING)
    async with running(world.settings(dev_guild_id=world.guild.id), engine):
        assert "race" in {c["name"] for c in sim.guild_commands[world.guild.id]}
    assert sim.global_commands[0]["description"] == "old global"  # left alone
    assert any("lists them twice" in r.getMessage() for r in caplog.records)


async def test_sharding_required_4011_reconnects_with_the_recommended_count(
    sim: DiscordSimulator, engine: Engine, caplog: pytest.LogCaptureFixture,
) -> None:
    from bot.adapters.discord.launch import run_bot

    sim.max_guilds_per_shard = 1  # 2,500, scaled down
    sim.guilds_per_recommended_shard = 1
    w0 = World(sim, sim.create_guild("A", shard=(0, 2)))
    World(sim, sim.create_guild("B", shard=(1, 2)))
    caplog.set_level(logging.WARNING)
    task = asyncio.create_task(run_bot(w0.settings(shard_count=1), engine))
    try:
        await sim.wait_until(lambda: len(sim.live_sessions()) == 2 or task.done(), what="two shards")
        assert not task.done(), task.exception()
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert sim.refused_identifies[0]["close"] == 4011
    assert sorted(tuple(i["shard"]) for i in sim.identifies) == [(0, 2), (1, 2)]
    assert any("Discord requires more shards" in r.getMessage() for r in caplog.records)


async def test_a_zombie_connection_is_noticed_and_replaced_losing_nothing(sim: DiscordSimulator, engine: Engine) -> None:
    """https://discord.com/developers/docs/events/gateway#sending-heartbeats: "If a client does not receive a
    heartbeat ACK between its attempts at sending heartbeats, this may be due to a failed or 'zombied'
    connection. The client should immediately terminate the connection ... then reconnect and attempt to
    Resume." The interval is scaled down (0.2 s for Discord's 41.25 s) and GATEWAY_TIMEOUT with it."""
    sim.message_content_intent = True
    sim.heartbeat_interval_ms = 200
    world = World(sim)
    async with running(world.settings(gateway_timeout=1.0), engine):
        assert (await ask(sim, world.channel, world.member, "!race")).embed is not None
        assert sim.make_zombie() == 1
        asked = sim.send_user_message(world.channel, world.member, "!race")  # sent into the silent socket
        [answer] = await sim.wait_for_messages(world.channel, 1, WAIT, after=asked)
        assert answer.embed is not None
    assert len(sim.resumes) >= 1 and len(sim.identifies) == 1  # resumed, no new session spent


async def test_metrics_are_served_on_loopback_and_count_what_happened(sim: DiscordSimulator, engine: Engine) -> None:
    """METRICS_PORT: Prometheus text on 127.0.0.1, scraped and parsed: commands by name and status with
    their latency histogram, Discord's 429s, shard state and gateway latency, sync results, data age."""
    import aiohttp
    from prometheus_client.parser import text_string_to_metric_families

    sim.message_content_intent = True
    world = World(sim)
    async with running(world.settings(metrics_port=0), engine) as bot:
        assert bot.metrics.enabled and bot.metrics.server.server_address[0] == "127.0.0.1"
        await ask(sim, world.channel, world.member, "!race")
        await ask(sim, world.channel, world.member, "!leader")  # an alias: counted as race
        await ask(sim, world.channel, world.member, "!model gpt-4o")
        sim.rate_limit_next(1, retry_after=0.3, method="POST", path_contains=f"/channels/{world.channel.id}/messages")
        await ask(sim, world.channel, world.member, "!race")
        await sim.wait_until(lambda: bot.metrics._data_age, WAIT, "the data age read once")
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{bot.metrics.port}/metrics") as r:
                assert r.status == 200
                text = await r.text()
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for fam in text_string_to_metric_families(text) for s in fam.samples}

    def value(name: str, **labels: str) -> float:
        return samples.get((name, tuple(sorted(labels.items()))), 0.0)

    assert value("racebot_commands_total", command="race", status="ok") == 3
    assert value("racebot_commands_total", command="model", status="ok") == 1
    assert value("racebot_command_seconds_count", command="race") == 3
    limited = sum(v for (name, _), v in samples.items() if name == "racebot_rate_limited_total")
    assert limited == 1 and value("racebot_rest_responses_total", status="429") == 1
    assert value("racebot_shard_up", shard="0") == 1 and ("racebot_gateway_latency_seconds", (("shard", "0"),)) in samples
    assert value("racebot_command_syncs_total", result="synced") == 1
    ages = [v for (name, _), v in samples.items() if name == "racebot_data_age_seconds"]
    assert ages and all(v > 0 for v in ages)


async def test_a_slash_command_the_bot_no_longer_has_gets_a_private_answer(sim: DiscordSimulator, engine: Engine) -> None:
    """A rolling deploy: Discord still offers a command the running code dropped (or whose options changed).
    discord.py's CommandTree refuses it (CommandNotFound); tree.on_error answers privately instead of
    leaving Discord's "The application did not respond"."""
    world = World(sim)
    async with running(world.settings(), engine):
        race = next(c for c in sim.global_commands if c["name"] == "race")  # one every member is offered
        sim.global_commands.append({**race, "id": "4242", "name": "retired", "options": []})
        inter = sim.send_slash_command("retired", {}, user=world.member, channel=world.channel)
        await sim.wait_for_response(inter)
    [callback] = inter.callbacks
    assert callback["type"] == 4 and callback["data"]["flags"] == 64
    assert "changed or is gone" in callback["data"]["content"]


async def test_a_deferred_slash_answer_edits_the_original_response(sim: DiscordSimulator, engine: Engine) -> None:
    """https://discord.com/developers/docs/interactions/receiving-and-responding#edit-original-interaction-response:
    after a deferred response (type 5) the answer is an edit of @original, not a follow-up."""
    world = World(sim)
    async with running(world.settings(), engine):
        inter = sim.send_slash_command("race", {}, user=world.member, channel=world.channel)
        answer = await sim.wait_for_answer(inter)
    assert inter.response_type == 5 and answer.embed is not None and answer.id == inter.original_message_id
    token_calls = [c for c in sim.rest_calls if c.path.startswith("/webhooks/") and inter.token in c.path]
    assert [c.method for c in token_calls] == ["PATCH"] and token_calls[0].path.endswith("/messages/@original")
    assert not inter.followup_ids



@pytest.mark.parametrize("command,options,user", [
    ("top", [{"name": "n", "type": 4, "value": "ten"}], "member"),  # an integer option that is no integer
    ("import", [{"name": "kind", "type": 3, "value": "arena"},
                {"name": "file", "type": 11, "value": "999999999999"}], "mod"),  # an attachment not in `resolved`
])
async def test_a_forged_slash_option_gets_the_commands_own_usage_answer(
        sim: DiscordSimulator, engine: Engine, caplog: pytest.LogCaptureFixture,
        command: str, options: list, user: str) -> None:
    """Interactions Discord itself would never send (it types options before they reach a bot): discord.py
    passes such values through untransformed, so the engine must still answer with the command's usage,
    never the generic error nor an ERROR log line with a traceback."""
    world = World(sim)
    async with running(world.settings(), engine):
        cmd = next(c for c in sim.global_commands if c["name"] == command)
        assert {o["name"]: o["type"] for o in cmd["options"]}.items() >= {(o["name"], o["type"]) for o in options}
        inter, data = sim._interaction_base(2, getattr(world, user), world.channel)
        data["data"] = {"id": cmd["id"], "name": command, "type": 1, "guild_id": str(world.channel.guild_id),
                        "options": options}
        with caplog.at_level(logging.ERROR):
            sim._dispatch("INTERACTION_CREATE", data, guild_id=world.channel.guild_id)
            answer = await sim.wait_for_answer(inter)
    assert f"Usage: `!{command}" in answer.text(), answer.text()
    assert "went wrong" not in answer.text() and "Traceback" not in answer.text()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
