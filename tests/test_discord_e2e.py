"""End to end: the real bot (discord.py + adapter + engine) against the loopback Discord.

Every test starts the simulator on 127.0.0.1, the bot pointed at it through
``DISCORD_ADDRESS`` and ``DISCORD_CA_FILE``: discord.py keeps Discord's own
URLs, its connector resolves them to the simulator and trusts its certificate
(no monkeypatching, no private attribute), and drives it the way users do:
typing prefix commands, running slash commands, clicking buttons. Timeouts
bound every wait, so a broken bot fails fast instead of hanging.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, AsyncIterator

import discord
import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.discord.bot import RaceBot
from bot.adapters.discord.launch import create_bot
from bot.config import Settings
from bot.engine import Engine
from bot.reply import Reply

try:
    from tests.discord_sim import PNG_MAGIC, DiscordSimulator, SimGuild, SimMessage, SimUser
except ImportError:  # tests/ itself on sys.path (pytest's default rootdir insertion)
    from discord_sim import PNG_MAGIC, DiscordSimulator, SimGuild, SimMessage, SimUser

pytestmark = pytest.mark.e2e

log = logging.getLogger("tests.e2e")
READY_TIMEOUT = 60.0  # a ceiling for hangs, generous for a loaded machine
WAIT = 60.0  # every wait is on an event; this only bounds a broken bot
QUIET = 0.4  # how long "nothing else arrives" is watched for


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, seed_copy) -> Engine:
    eng = Engine.open(seed_copy(tmp_path_factory.mktemp("e2e") / "race.db"))
    eng.charts.warm(wait=True)  # chart workers up before the first test waits on a chart
    yield eng
    eng.close()


@pytest.fixture
async def sim() -> AsyncIterator[DiscordSimulator]:
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    async with DiscordSimulator(max_concurrency=2, message_content_intent=True) as s:
        try:
            yield s
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved


class World:
    """A guild with a channel, a member, a moderator (by role) and the settings that know them."""

    def __init__(self, sim: DiscordSimulator, guild: SimGuild | None = None) -> None:
        self.sim = sim
        self.guild = guild or sim.create_guild("AI Race Fans")
        self.channel = sim.text_channel(self.guild)
        self.member = sim.create_user("alice")
        sim.add_member(self.guild, self.member)
        self.mod_role = sim.create_moderator_role(self.guild)
        self.mod = sim.create_user("mod-marie")
        sim.add_member(self.guild, self.mod, roles=[self.mod_role])

    def settings(self, **overrides: Any) -> Settings:
        base = Settings(
            discord_token=self.sim.token,
            discord_address=self.sim.address,  # discord.com resolves to the simulator, its certificate trusted
            discord_ca_file=Path(self.sim.ca_file),
            admin_role_ids=frozenset({self.mod_role.id}),
            guild_ready_timeout=0.3,
            cooldown_rate=50,
            cooldown_per=1.0,
        )
        return base.with_(**overrides)


@pytest.fixture
async def world(sim: DiscordSimulator) -> World:
    return World(sim)


@contextlib.asynccontextmanager
async def running(settings: Settings, engine: Engine) -> AsyncIterator[RaceBot]:
    """Start the bot, wait for on_ready, and always close it."""
    t0 = time.monotonic()
    bot = create_bot(settings, engine)
    task = asyncio.create_task(bot.start(settings.discord_token), name="racebot")
    try:
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()  # the bot died while starting: show why
        assert ready in done, f"bot not ready within {READY_TIMEOUT}s"
        bot.test_ready_s = time.monotonic() - t0  # type: ignore[attr-defined]
        yield bot
    finally:
        await bot.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)


async def ask(sim: DiscordSimulator, channel, user: SimUser, text: str, *, timeout: float = WAIT) -> SimMessage:
    """Type ``text``; return the bot's single answer (and check no second one follows)."""
    msg = sim.send_user_message(channel, user, text)
    [reply] = await sim.wait_for_messages(channel, 1, timeout, after=msg)
    await asyncio.sleep(QUIET)
    answers = sim.messages_in(channel, after=msg)
    assert answers == [reply], f"expected exactly one answer to {text!r}, got {[a.text()[:80] for a in answers]}"
    return reply


@contextlib.asynccontextmanager
async def bot_process(
    env: dict[str, str], cwd: Path, lines: list[str], *, on_line: Any = None, hard_timeout: float = 120.0,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m bot run`` as a real process in its own process group.

    Its output is collected into ``lines`` (``on_line`` sees each line). The
    body of the ``async with`` gets ``hard_timeout`` seconds in all; whatever
    happens, the whole process group is killed and reaped on the way out, so a
    hung bot can never hang the test run.
    """
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, start_new_session=True,
    )

    async def pump() -> None:
        assert proc.stdout is not None
        async for raw in proc.stdout:
            line = raw.decode(errors="replace")
            lines.append(line)
            if on_line is not None:
                on_line(line)

    reader = asyncio.create_task(pump())
    try:
        async with asyncio.timeout(hard_timeout):
            yield proc
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        else:  # the bot exited by itself: still make sure nothing it started lingers
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(proc.wait(), 10)
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(reader, 5)
        reader.cancel()


def needs_command(engine: Engine, name: str) -> None:
    if name not in {c.name for c in engine.commands}:
        pytest.skip(f"the engine has no {name!r} command yet")


def assert_chart(reply: SimMessage) -> None:
    assert reply.attachments, "no attachment"
    png = reply.attachments[0]
    assert png.data.startswith(PNG_MAGIC), "attachment is not a PNG"
    assert len(png.data) > 1000
    assert reply.embed is not None
    assert reply.embed.get("image", {}).get("url") == f"attachment://{png.filename}"


# ----------------------------------------------------------------------------- the tests
async def test_prefix_compare_one_embed_with_chart(sim: DiscordSimulator, world: World, engine: Engine) -> None:
    async with running(world.settings(), engine) as bot:
        log.info("start-to-ready: %.3f s (on_ready after %.3f s)", bot.test_ready_s, bot.ready_seconds)
        assert bot.ready_seconds is not None and bot.ready_seconds < READY_TIMEOUT
        reply = await ask(sim, world.channel, world.member, "!compare gpt-4o vs deepseek r1")
    text = reply.text().lower()
    assert "gpt-4o" in text and "deepseek" in text
    assert reply.embed and reply.embed.get("footer", {}).get("text"), "footer (source, as-of) missing"
    assert_chart(reply)
    assert reply.allowed_mentions == {"parse": []}
    # every send carried allowed_mentions
    posts = sim.calls("POST", r"/channels/\d+/messages$")
    assert posts and all(p.json is not None for p in posts)
    assert all(p.json.get("allowed_mentions") == {"parse": []} for p in posts)


async def test_typing_only_while_slow_work_runs(
    sim: DiscordSimulator, world: World, engine: Engine, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Typing is a REST call against the 50 requests/s of the whole bot: shown
    only when the answer takes a while (here the engine takes a second)."""
    real = engine.aanswer

    async def slow(*a: Any, **k: Any) -> Any:
        await asyncio.sleep(1.0)  # the engine being slow, not the test waiting
        return await real(*a, **k)

    async with running(world.settings(), engine):
        monkeypatch.setattr(engine, "aanswer", slow)
        reply = await ask(sim, world.channel, world.member, "!race")
    assert reply.embed is not None
    [typing] = sim.calls("POST", rf"/channels/{world.channel.id}/typing$")
    [post] = sim.calls("POST", rf"/channels/{world.channel.id}/messages$")
    assert typing.at < post.at


async def test_no_typing_when_the_global_bucket_is_low(
    sim: DiscordSimulator, world: World, engine: Engine, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With most of the bot's 50 requests/s spent (the bot counts its own), a
    slow answer goes out without the typing call: the answers need the bucket."""
    real = engine.aanswer

    async def slow(*a: Any, **k: Any) -> Any:
        await asyncio.sleep(1.0)
        return await real(*a, **k)

    async with running(world.settings(), engine) as bot:
        monkeypatch.setattr(engine, "aanswer", slow)
        bot.rest_pace.clock = lambda: 0.0  # frozen: the requests noted below stay "in the last second"
        for _ in range(30):
            bot.rest_pace.note()
        assert bot.rest_pace.low(bot.http)
        reply = await ask(sim, world.channel, world.member, "!race")
    assert reply.embed is not None and reply.attachments
    assert not sim.calls("POST", rf"/channels/{world.channel.id}/typing$")


async def test_start_up_warms_the_read_model_and_the_chart_workers(sim: DiscordSimulator, world: World,
                                                                    tmp_path) -> None:
    """The first answer and the first chart on Discord do not pay for building the
    read model or starting matplotlib: the adapter starts both while it connects."""
    fresh = Engine.open(tmp_path / "warm.db")  # nothing warmed yet
    try:
        assert fresh._current is None and fresh._charts is None
        async with running(world.settings(), fresh) as bot:
            assert bot.warm_up is not None and bot.warm_up.done()  # before the bot accepted anything
            assert fresh._current is not None  # the read model is built
            pool = fresh.charts._process_pool()
            assert pool is not None and len(pool._processes) == fresh.charts.workers  # the workers are started
            reply = await ask(sim, world.channel, world.member, "!race")
            assert reply.attachments and reply.attachments[0].data.startswith(PNG_MAGIC)
    finally:
        fresh.close()


async def test_slash_command_with_autocomplete(sim: DiscordSimulator, world: World, engine: Engine) -> None:
    async with running(world.settings(), engine):
        synced = {c["name"]: c for c in sim.global_commands}
        assert {"compare", "top", "race", "help"} <= set(synced)
        opt = synced["compare"]["options"][0]
        assert opt["autocomplete"] is True

        ac = sim.send_autocomplete("compare", {"models": "gpt-4o vs deeps"}, "models", user=world.member, channel=world.channel)
        await sim.wait_for_response(ac)
        assert ac.response_type == 8
        names = [c["name"] for c in ac.choices]
        assert 0 < len(names) <= 25
        assert all(n.startswith("gpt-4o vs ") for n in names)
        assert any("deepseek-r1" in n.lower() for n in names)

        inter = sim.send_slash_command("compare", {"models": "gpt-4o vs DeepSeek-R1"}, user=world.member, channel=world.channel)
        answer = await sim.wait_for_answer(inter)
    assert inter.response_type == 5  # deferred while the engine and chart worked
    assert "deepseek" in answer.text().lower()
    assert_chart(answer)
    assert answer.allowed_mentions == {"parse": []}


async def test_did_you_mean_button_runs_the_suggestion(sim: DiscordSimulator, world: World, engine: Engine) -> None:
    async with running(world.settings(), engine):
        prompt = await ask(sim, world.channel, world.member, "!compare gpt-4o vs deepsek r9")
        labels = [b["label"] for b in prompt.buttons()]
        assert any("DeepSeek-R1" in label for label in labels), labels
        # someone else can't press it
        other = sim.create_user("bob")
        sim.add_member(world.guild, other)
        stranger = sim.click_button_labelled(prompt, "compare gpt-4o vs DeepSeek-R1", user=other)
        await sim.wait_for_response(stranger)
        assert stranger.callbacks[0]["data"]["flags"] == 64  # an ephemeral note, the message untouched
        assert prompt.edits == 0
        # the asker can
        sim.click_button_labelled(prompt, "compare gpt-4o vs DeepSeek-R1", user=world.member)
        await sim.wait_for_edit(prompt, 1)
        assert all(b["disabled"] for b in prompt.buttons())  # greyed out at once: no double runs
        with pytest.raises((ValueError, KeyError)):  # disabled, or already replaced by the answer
            sim.click_button_labelled(prompt, "compare gpt-4o vs DeepSeek-R1", user=world.member)
        await sim.wait_for_edit(prompt, until=lambda m: m.attachments)
    assert "deepseek-r1" in prompt.text().lower()
    assert_chart(prompt)
    assert [b["label"] for b in prompt.buttons()] == ["How is this measured?"]  # the answer's own button


async def test_how_is_this_measured_answers_privately(sim: DiscordSimulator, world: World, engine: Engine) -> None:
    """The method is not in the answer; its button says it privately, to anyone, and leaves the answer as
    it is; after a restart the button says to ask again."""
    async with running(world.settings(), engine):
        answer = await ask(sim, world.channel, world.member, "!gap us china")
        assert "gap = (x − y) ÷ y" not in answer.text() and "retired models left out" not in answer.text()
        [how] = [b for b in answer.buttons() if b["label"] == "How is this measured?"]
        other = sim.create_user("carol")
        sim.add_member(world.guild, other)
        click = sim.click_button(answer, how["custom_id"], user=other)
        await sim.wait_for_response(click)
        said = click.callbacks[0]["data"]
        assert said["flags"] == 64 and "gap = (x − y) ÷ y" in said["content"]
        assert "retired models left out" in said["content"] and len(said["content"]) <= 2000
        assert answer.edits == 0
    async with running(world.settings(), engine):  # a new process: the view and its method are gone
        late = sim.click_button(answer, how["custom_id"], user=world.member)
        await sim.wait_for_response(late)
    assert late.callbacks[0]["data"]["flags"] == 64 and "help method" in late.callbacks[0]["data"]["content"]


@pytest.fixture
def long_command():
    """A command registered in the core for this test only: proves the adapter
    needs no change for a new command, and gives a paged answer."""
    from bot.commands import registry
    from bot.commands.registry import Param, command

    @command("longlist", summary="A long list (test only).", usage="longlist [n]", example="longlist 300",
             params=(Param("n", "int", "how many lines"),))
    def longlist(ctx, args) -> Reply:
        n = int(args.raw) if args.raw.strip().isdigit() else 300
        return Reply(text="\n".join(f"line {i:03d} of the long list" for i in range(n)), title="Long list")

    yield "longlist"
    registry.REGISTRY.pop("longlist", None)


async def test_paging_buttons(sim: DiscordSimulator, world: World, engine: Engine, long_command: str) -> None:
    async with running(world.settings(), engine):
        assert "longlist" in {c["name"] for c in sim.global_commands}
        first = await ask(sim, world.channel, world.member, "!longlist 300")
        ids = [b["custom_id"] for b in first.buttons()]
        assert "page:next" in ids and "page:prev" in ids
        assert "line 000" in first.content and len(first.content) <= 2000
        sim.click_button(first, "page:next", user=world.member)
        await sim.wait_for_edit(first)
        assert "line 000" not in first.content and "line" in first.content
        assert "2/" in next(b["label"] for b in first.buttons() if b["custom_id"] == "page:count")
        # the slash form pages the same way
        inter = sim.send_slash_command("longlist", {"n": 300}, user=world.member, channel=world.channel)
        answer = await sim.wait_for_answer(inter)
        assert "page:next" in [b["custom_id"] for b in answer.buttons()]


async def test_rate_limit_is_honoured(sim: DiscordSimulator, world: World, engine: Engine) -> None:
    async with running(world.settings(), engine):
        sim.rate_limit_next(1, retry_after=0.6, method="POST", path_contains=f"/channels/{world.channel.id}/messages")
        reply = await ask(sim, world.channel, world.member, "!race")
    assert reply.embed is not None
    posts = sim.calls("POST", rf"/channels/{world.channel.id}/messages$")
    assert [p.status for p in posts] == [429, 200]
    assert posts[1].at - posts[0].at >= 0.55, "retried before Retry-After"


async def test_server_errors_are_retried(sim: DiscordSimulator, world: World, engine: Engine) -> None:
    async with running(world.settings(), engine):
        sim.inject_fault(502, count=1, method="POST", path_contains=f"/channels/{world.channel.id}/messages")
        reply = await ask(sim, world.channel, world.member, "!help")
    assert reply.text()
    assert [p.status for p in sim.calls("POST", rf"/channels/{world.channel.id}/messages$")] == [502, 200]


@pytest.mark.parametrize("code", [4000, None], ids=["close-4000", "abnormal"])
async def test_gateway_drop_resumes_without_double_answers(
    sim: DiscordSimulator, world: World, engine: Engine, code: int | None
) -> None:
    async with running(world.settings(), engine) as bot:
        resumed = asyncio.ensure_future(bot.wait_for("resumed", timeout=WAIT))
        await asyncio.sleep(0)
        assert sim.drop_gateway(code) == 1
        # a command typed while the bot is away is replayed on RESUME and answered once
        away = sim.send_user_message(world.channel, world.member, "!help")
        await resumed
        [a1] = await sim.wait_for_messages(world.channel, 1, after=away)
        reply = await ask(sim, world.channel, world.member, "!race")
        assert reply.embed is not None
        assert sim.messages_in(world.channel, after=away) == [a1, reply]
    assert len(sim.identifies) == 1 and len(sim.resumes) == 1
    assert sim.connections[-1].path == "/resume-gateway"


async def test_invalid_session_reidentifies(sim: DiscordSimulator, world: World, engine: Engine) -> None:
    async with running(world.settings(), engine):
        assert sim.drop_gateway(4009) == 1  # session timed out: RESUME gets op 9, the bot IDENTIFYs again
        await sim.wait_until(lambda: len(sim.identifies) == 2 and sim.live_sessions(), what="a new session")
        reply = await ask(sim, world.channel, world.member, "!race")
    assert reply.embed is not None
    assert len(sim.resumes) == 1


async def test_two_shards_answer_their_guilds(sim: DiscordSimulator, engine: Engine) -> None:
    g0 = sim.create_guild("Shard zero", shard=(0, 2))
    g1 = sim.create_guild("Shard one", shard=(1, 2))
    w0, w1 = World(sim, g0), World(sim, g1)
    async with running(w0.settings(shard_count=2), engine) as bot:
        assert bot.shard_count == 2
        assert sorted(tuple(i["shard"]) for i in sim.identifies) == [(0, 2), (1, 2)]
        r0 = await ask(sim, w0.channel, w0.member, "!compare gpt-4o vs deepseek r1")
        r1 = await ask(sim, w1.channel, w1.member, "!compare gpt-4o vs deepseek r1")
        inter = sim.send_slash_command("race", {}, user=w1.member, channel=w1.channel)
        await sim.wait_for_answer(inter)
    assert_chart(r0)
    assert_chart(r1)
    # each guild's events went to its own shard only
    for sess in sim.sessions.values():
        guild_ids = {p["d"].get("guild_id") for p in sess.buffer if p["t"] == "MESSAGE_CREATE"}
        mine = str(g0.id if sess.shard_id == 0 else g1.id)
        assert guild_ids == {mine}


async def test_member_cannot_run_admin_commands(sim: DiscordSimulator, world: World, engine: Engine) -> None:
    admin = [c for c in engine.commands if c.admin]
    if not admin:
        pytest.skip("the engine has no admin commands yet")
    info = admin[0]
    before = engine.store.data_version
    async with running(world.settings(), engine):
        synced = {c["name"]: c for c in sim.global_commands}
        # hidden from members by default: only Manage Server sees it
        assert synced[info.name]["default_member_permissions"] == str(1 << 5)
        reply = await ask(sim, world.channel, world.member, f"!{info.example or info.name}")
        assert "moderator" in reply.text().lower()
        assert not [b for b in reply.buttons() if b["custom_id"].startswith("confirm:")]
    assert engine.store.data_version == before


async def test_cooldown_friendly_reply(sim: DiscordSimulator, world: World, engine: Engine) -> None:
    async with running(world.settings(cooldown_rate=1, cooldown_per=60.0), engine):
        first = await ask(sim, world.channel, world.member, "!help")
        second = await ask(sim, world.channel, world.member, "!help")
    assert first.embed is not None or first.content
    assert "again in" in second.content


async def test_unknown_command_suggests_and_token_never_logged(
    sim: DiscordSimulator, world: World, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running(world.settings(), engine):
        logging.getLogger("racebot.test").warning("leak attempt: %s", sim.token)
        reply = await ask(sim, world.channel, world.member, "!comapre gpt-4o vs deepseek r1")
    assert "compare" in reply.text()
    assert any(b["label"].startswith("compare ") for b in reply.buttons())
    assert sim.token not in caplog.text
    assert "[REDACTED]" in caplog.text


async def test_engine_failure_is_a_friendly_reply(
    sim: DiscordSimulator, world: World, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def boom(*a: Any, **k: Any) -> Reply:
        raise RuntimeError("database on fire")

    async with running(world.settings(), engine):
        monkeypatch.setattr(engine, "aanswer", boom)
        reply = await ask(sim, world.channel, world.member, "!race")
    assert "something went wrong" in reply.content.lower()
    assert "Traceback" not in reply.content and "database on fire" not in reply.content


# a new Arena snapshot: newer than every board (a moderator's `elo` is dated today), and no later than
# the latest day importers accept (tomorrow, UTC: time zones ahead)
NEW_DAY = (datetime.now(timezone.utc).date() + timedelta(days=1)).isoformat()
NEXT_DAY = datetime.now(timezone.utc).date().isoformat()
ARENA_CSV = (
    b"rank,model,arena_score,organization,license\n"
    b"1,Sim-Model-X,1500,OpenAI,Proprietary\n"
    b"2,GPT-4o-2024-05-13,1290,OpenAI,Proprietary\n"
)


async def test_moderator_import_confirm_and_announce(sim: DiscordSimulator, world: World, tmp_path, seed_copy) -> None:
    """A moderator's import: dry run with Confirm/Cancel; only they can confirm;
    Confirm applies it and the new Arena #1 is announced."""
    fresh = Engine.open(seed_copy(tmp_path / "import.db"))  # this test changes data: its own database
    announce = sim.create_channel(world.guild, "race-news")
    try:
        needs_command(fresh, "import")
        async with running(world.settings(announce_channel_id=announce.id), fresh):
            before = fresh.store.data_version
            # a member's attempt is refused and changes nothing
            m = sim.send_user_message(world.channel, world.member, f"!import arena {NEW_DAY}",
                                      attachments=[(f"arena-text-{NEW_DAY}.csv", ARENA_CSV)])
            [refused] = await sim.wait_for_messages(world.channel, 1, after=m)
            assert "moderator" in refused.text().lower() and not refused.buttons()

            m = sim.send_user_message(world.channel, world.mod, f"!import arena {NEW_DAY}",
                                      attachments=[(f"arena-text-{NEW_DAY}.csv", ARENA_CSV)])
            [dry] = await sim.wait_for_messages(world.channel, 1, after=m)
            assert "dry run" in dry.text().lower()
            assert [b["label"] for b in dry.buttons()] == ["Confirm", "Cancel"]
            assert fresh.store.data_version == before

            nosy = sim.click_button_labelled(dry, "Confirm", user=world.member)
            await sim.wait_for_response(nosy)
            assert nosy.callbacks[0]["data"]["flags"] == 64 and dry.edits == 0

            sim.click_button_labelled(dry, "Confirm", user=world.mod)
            await sim.wait_for_edit(dry, until=lambda m: "imported" in m.text().lower())
            assert "imported" in dry.text().lower()
            assert fresh.store.data_version > before
            [news] = await sim.wait_for_messages(announce, 1)
            assert "Sim-Model-X" in news.content
            assert news.allowed_mentions == {"parse": []}

            # Cancel leaves everything as it was
            m = sim.send_user_message(world.channel, world.mod, f"!import arena {NEXT_DAY}",
                                      attachments=[(f"arena-text-{NEXT_DAY}.csv", ARENA_CSV)])
            [dry2] = await sim.wait_for_messages(world.channel, 1, after=m)
            version = fresh.store.data_version
            cancel = sim.click_button_labelled(dry2, "Cancel", user=world.mod)
            await sim.wait_for_edit(dry2, until=lambda m: "cancelled" in m.content.lower())
            assert cancel.response_type == 7  # acknowledged at once (buttons greyed), then the answer
            assert "cancelled" in dry2.content.lower() and not dry2.buttons()
            assert fresh.store.data_version == version
    finally:
        fresh.close()


async def test_dev_guild_sync_and_start_to_ready(sim: DiscordSimulator, world: World, engine: Engine) -> None:
    """DEV_GUILD_ID syncs to that guild only; start-to-ready with the default settings is measured."""
    settings = world.settings(dev_guild_id=world.guild.id, guild_ready_timeout=Settings().guild_ready_timeout)
    assert sim.global_commands == []
    t0 = time.monotonic()
    async with running(settings, engine) as bot:
        elapsed = time.monotonic() - t0
        print(f"\nstart-to-ready: {elapsed:.3f} s (on_ready logged {bot.ready_seconds:.3f} s)")
        log.info("start-to-ready: %.3f s", elapsed)
        assert sim.global_commands == []
        assert "compare" in {c["name"] for c in sim.guild_commands[world.guild.id]}
        inter = sim.send_slash_command("race", {}, user=world.member, channel=world.channel)
        answer = await sim.wait_for_answer(inter)
    assert answer.embed is not None
    assert elapsed < READY_TIMEOUT  # the < 2 s target belongs to the benchmark; this only catches hangs


async def test_direct_message_prefix_command(sim: DiscordSimulator, world: World, engine: Engine) -> None:
    dm = sim.dm_channel(world.member)
    admin = [c for c in engine.commands if c.admin]
    async with running(world.settings(), engine):
        reply = await ask(sim, dm, world.member, "!compare gpt-4o vs deepseek r1")
        if admin:
            refused = await ask(sim, sim.dm_channel(world.mod), world.mod, f"!{admin[0].example}")
            assert "moderator" in refused.text().lower()  # a moderator role does not count in DMs
    assert_chart(reply)


async def test_a_suggestion_after_a_restart_is_answered_privately(sim: DiscordSimulator, world: World,
                                                                   engine: Engine) -> None:
    async with running(world.settings(), engine):
        prompt = await ask(sim, world.channel, world.member, "!compare gpt-4o vs deepsek r9")
    async with running(world.settings(), engine):  # a new process: the old views are gone
        click = sim.click_button(prompt, prompt.buttons()[0]["custom_id"], user=world.mod)  # anyone may
        answer = await sim.wait_for_answer(click)
    assert click.callbacks[0]["type"] == 5 and answer.ephemeral and "DeepSeek" in answer.text()
    assert prompt.edits == 0  # the asker's message is left as it was


async def test_process_answers_and_stops_cleanly_on_sigterm(sim: DiscordSimulator, world: World, tmp_path: Path,
                                                            seed_copy) -> None:
    """`python -m bot run` as a real process: configured only through the environment,
    answers, logs "ready in", never logs the token, exits 0 on SIGTERM."""
    root = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "DISCORD_TOKEN": sim.token,
        "DISCORD_ADDRESS": sim.address,
        "DISCORD_CA_FILE": sim.ca_file,
        "DATABASE_PATH": str(seed_copy(tmp_path / "proc.db")),  # a copy: the process need not import the seed
        "LOG_LEVEL": "DEBUG",
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
        "MPLBACKEND": "Agg",
    }
    lines: list[str] = []
    ready = asyncio.Event()
    async with bot_process(env, tmp_path, lines, on_line=lambda line: "ready in" in line and ready.set()) as proc:
        await asyncio.wait_for(ready.wait(), READY_TIMEOUT)
        reply = await ask(sim, world.channel, world.member, "!race")
        assert reply.embed is not None
        proc.send_signal(signal.SIGTERM)
        # proc.wait() (Python 3.11) also waits for the output pipe to close, which a process the bot
        # left behind could hold open: watch the exit status itself, under a generous ceiling
        async with asyncio.timeout(WAIT):
            while proc.returncode is None:
                await asyncio.sleep(0.05)
        rc = proc.returncode
    output = "".join(lines)
    assert rc == 0, output[-2000:]
    assert "shutting down" in output and "bye" in output
    assert "ready in" in output
    assert sim.token not in output


async def test_slash_import_with_an_attachment_option(sim: DiscordSimulator, world: World, tmp_path: Path,
                                                      seed_copy) -> None:
    fresh = Engine.open(seed_copy(tmp_path / "slash-import.db"))
    try:
        needs_command(fresh, "import")
        async with running(world.settings(), fresh):
            synced = {c["name"]: c for c in sim.global_commands}
            assert [o["type"] for o in synced["import"]["options"]] == [3, 11]  # string, attachment
            inter = sim.send_slash_command(
                "import", {"kind": f"arena {NEW_DAY}", "file": (f"arena-text-{NEW_DAY}.csv", ARENA_CSV)},
                user=world.mod, channel=world.channel,
            )
            dry = await sim.wait_for_answer(inter)
            assert "dry run" in dry.text().lower(), dry.text()
            assert [b["label"] for b in dry.buttons()] == ["Confirm", "Cancel"]
    finally:
        fresh.close()


async def test_burst_of_users_each_answered_once(sim: DiscordSimulator, world: World, engine: Engine) -> None:
    users = []
    for i in range(6):
        u = sim.create_user(f"fan{i}")
        sim.add_member(world.guild, u)
        users.append(u)
    lines = ["!race", "!top 5", "!gap us china", "!compare gpt-4o vs deepseek r1", "!frontier", "!help"]
    async with running(world.settings(max_concurrency=2), engine):
        first = sim.send_user_message(world.channel, world.member, "!help")
        asked = [sim.send_user_message(world.channel, u, line) for u, line in zip(users, lines)]
        await sim.wait_for_messages(world.channel, len(asked) + 1, after=first.id - 1)
        await asyncio.sleep(QUIET)
    answers = sim.messages_in(world.channel, after=first.id - 1)
    assert len(answers) == len(asked) + 1
    assert all(a.allowed_mentions == {"parse": []} for a in answers)


async def test_commands_are_synced_only_when_they_change(sim: DiscordSimulator, world: World, engine: Engine) -> None:
    def puts() -> list:
        return [c for c in sim.calls("PUT") if c.path.endswith("/commands")]

    async with running(world.settings(), engine):
        pass
    assert len(puts()) == 1
    async with running(world.settings(), engine):  # a restart with the same commands: one GET, no PUT
        pass
    assert len(puts()) == 1
    assert sim.calls("GET", r"/applications/\d+/commands$")
    sim.global_commands = [c for c in sim.global_commands if c["name"] != "race"]  # someone deleted one
    async with running(world.settings(), engine):
        inter = sim.send_slash_command("race", {}, user=world.member, channel=world.channel)
        await sim.wait_for_answer(inter)
    assert len(puts()) == 2


async def test_wrong_token_fails_fast_and_is_not_logged(
    sim: DiscordSimulator, world: World, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.adapters.discord import run_bot

    caplog.set_level(logging.DEBUG)
    bad = world.settings(discord_token="definitely-not-the-token")
    with pytest.raises(discord.LoginFailure):
        await asyncio.wait_for(run_bot(bad, engine), 10)
    assert sim.sessions == {}  # never reached the gateway
    assert "definitely-not-the-token" not in caplog.text


# --------------------------------------------------------------------------- issue #13: floods and downloads
async def test_a_cooldown_flood_gets_one_notice_then_silence(sim: DiscordSimulator, world: World, engine: Engine) -> None:
    """30 commands from one member with 2 allowed per minute: 2 answers and
    one "Easy there", not 28 of them."""
    async with running(world.settings(cooldown_rate=2, cooldown_per=60.0), engine):
        first = sim.send_user_message(world.channel, world.member, "!help")
        for _ in range(29):
            sim.send_user_message(world.channel, world.member, "!help")
        await sim.wait_for_messages(world.channel, 3, after=first, timeout=20)
        # a sentinel from someone else: when its (slower) answer is in, every cooldown check is long done
        probe = sim.send_user_message(world.channel, world.mod, "!race")
        await sim.wait_for_messages(world.channel, 1, after=probe, timeout=20)
        bot_msgs = [m for m in sim.messages_in(world.channel, after=first) if m.author_id != world.member.id
                    and m.author_id != world.mod.id]
    notices = [m for m in bot_msgs if "Easy there" in (m.content or "")]
    assert len(notices) == 1, [m.content for m in bot_msgs]
    assert len(bot_msgs) == 2 + 1 + 1  # two answers, one notice, the sentinel's answer


async def test_attachments_are_read_only_for_a_moderators_import(sim: DiscordSimulator, world: World,
                                                                  tmp_path: Path) -> None:
    """Members never make the bot download: not with !help, not with !import.
    A moderator's import reads one file, after the permission check, and a
    file Discord says is too big is refused before any byte is fetched."""
    fresh = Engine.open(tmp_path / "uploads.db")
    try:
        async with running(world.settings(), fresh):
            big = {f"arena-text-{NEW_DAY}.csv": 20 * 2**20}
            for user, line in ((world.member, "!help"), (world.member, "!import arena"), (world.member, "!race")):
                m = sim.send_user_message(world.channel, user, line,
                                          attachments=[(f"arena-text-{NEW_DAY}.csv", ARENA_CSV)], declared_sizes=big)
                await sim.wait_for_messages(world.channel, 1, after=m, timeout=15)
            assert sim.attachment_downloads == []
            # a moderator: two files -> refused, nothing read
            m = sim.send_user_message(world.channel, world.mod, "!import arena",
                                      attachments=[(f"a-{NEW_DAY}.csv", ARENA_CSV), (f"b-{NEW_DAY}.csv", ARENA_CSV)])
            [two] = await sim.wait_for_messages(world.channel, 1, after=m, timeout=15)
            assert "exactly one" in two.text().lower()
            # one file Discord reports as 30 MB -> refused from the metadata, nothing read
            m = sim.send_user_message(world.channel, world.mod, "!import arena",
                                      attachments=[(f"arena-text-{NEW_DAY}.csv", ARENA_CSV)],
                                      declared_sizes={f"arena-text-{NEW_DAY}.csv": 30 * 2**20})
            [huge] = await sim.wait_for_messages(world.channel, 1, after=m, timeout=15)
            assert "limit" in huge.text().lower() and not huge.buttons()
            assert sim.attachment_downloads == []
            # one proper file: read once, a dry run with Confirm
            m = sim.send_user_message(world.channel, world.mod, "!import arena",
                                      attachments=[(f"arena-text-{NEW_DAY}.csv", ARENA_CSV)])
            [dry] = await sim.wait_for_messages(world.channel, 1, after=m, timeout=15)
            assert "dry run" in dry.text().lower()
            assert len(sim.attachment_downloads) == 1
    finally:
        fresh.close()


# --------------------------------------------------------------------------- issue #13: honest time-outs
def _figures_csv(n: int) -> bytes:
    lines = ["id,topic,metric,subject,period,value,unit"] + [f"fig-{i},topic,metric {i},s,2024,{i},%" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


async def test_a_timed_out_change_is_never_applied_and_a_retry_applies_once(
        sim: DiscordSimulator, world: World, tmp_path: Path, seeded_db: Path) -> None:
    import shutil
    import textwrap

    db = tmp_path / "timeout.db"
    shutil.copy(seeded_db, db)
    fresh = Engine.open(db)
    fresh.store.write_wait = 60
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sqlite3, sys
        c = sqlite3.connect({str(db)!r}, isolation_level=None)
        c.execute("BEGIN IMMEDIATE"); print("locked", flush=True)
        sys.stdin.readline(); c.execute("ROLLBACK"); print("released", flush=True)
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        async with running(world.settings(command_timeout=1.0), fresh) as bot:
            m = sim.send_user_message(world.channel, world.mod, "!set deepseek r1 params 70B")
            [r] = await sim.wait_for_messages(world.channel, 1, after=m, timeout=30)
            assert "took too long" in r.text().lower() and "nothing was changed" in r.text().lower()
            holder.stdin.write("go\n")
            holder.stdin.flush()
            assert holder.stdout.readline().strip() == "released"
            # the stopped worker gets the lock, finds its ticket cancelled and rolls back
            for _ in range(3000):  # up to 30 s, usually at once
                if fresh.store._write_lock.acquire(blocking=False):
                    fresh.store._write_lock.release()
                    break
                await asyncio.sleep(0.01)
            assert fresh.handle("model deepseek r1").data["model"]["parameters"] == 671e9
            bot.settings = bot.settings.with_(command_timeout=60.0)  # the retry, on a busy machine too
            m = sim.send_user_message(world.channel, world.mod, "!set deepseek r1 params 70B")
            [r] = await sim.wait_for_messages(world.channel, 1, after=m, timeout=30)
            assert "671B parameters → 70B parameters" in r.text(), r.text()
        assert fresh.store.scalar("SELECT count(DISTINCT batch) FROM audit") == 1
    finally:
        holder.kill()
        holder.wait(30)
        fresh.close()


async def test_a_long_dry_run_shows_progress_and_ends_in_a_confirm(
        sim: DiscordSimulator, world: World, tmp_path: Path) -> None:
    """A dry run far longer than COMMAND_TIMEOUT (1 s here) is not cut: it
    reports progress and ends with its Confirm button, which applies it."""
    fresh = Engine.open(tmp_path / "long.db")
    try:
        async with running(world.settings(command_timeout=1.0, progress_every=0.05), fresh):
            m = sim.send_user_message(world.channel, world.mod, "!import figures",
                                      attachments=[("figures.csv", _figures_csv(15000))])
            dry = await sim.wait_until(
                lambda: next((x for x in sim.messages_in(world.channel, after=m) if x.buttons()), None), 120,
                "the dry run's Confirm")
            assert "dry run" in dry.text().lower() and "15,000 added" in dry.text().replace("15000", "15,000")
            shown = [x.content for x in sim.messages_in(world.channel, after=m) if x.content and
                     x.content.startswith(("Working:", "Done:"))]
            assert shown and "rows" in shown[0], shown
            sim.click_button_labelled(dry, "Confirm", user=world.mod)
            await sim.wait_for_edit(dry, until=lambda x: "imported" in x.text().lower(), timeout=120)
        assert fresh.store.scalar("SELECT count(*) FROM figures WHERE id LIKE 'fig-%'") == 15000
    finally:
        fresh.close()
