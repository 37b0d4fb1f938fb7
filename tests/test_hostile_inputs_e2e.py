"""No input can hold the process (issue 27): pathological inputs through every
entry a member reaches (prefix commands, slash options, a mention,
autocomplete, a suggestion button) while another member asks. The other
member gets a real answer, every hostile input gets a short reply, and the
gateway heartbeat keeps beating: no RESUME, no new IDENTIFY, discord.py never
reports a blocked heartbeat, and heartbeats keep arriving afterwards.

Before the fix, ``above 1e999999999999 elo`` made the reader compute
``10 ** int(...)`` with the GIL held (it never returned) and ``gap`` with two
long arguments tried every split point with fuzzy lookups (minutes)."""
from __future__ import annotations

import logging
from typing import AsyncIterator

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

try:
    from tests.discord_sim import DiscordSimulator
    from tests.test_discord_e2e import WAIT, World, engine, running  # noqa: F401 (fixture)
except ImportError:  # tests/ itself on sys.path
    from discord_sim import DiscordSimulator
    from test_discord_e2e import WAIT, World, engine, running  # noqa: F401

pytestmark = pytest.mark.e2e

HUGE = "1e999999999999"
LONG_WORDS = " ".join(["united", "open", "gpt", "china", "anthropic", "x"] * 160)[:1990]

PREFIX_LINES = [
    "!ask above 1e20000000 elo",
    f"!above {HUGE} elo models",
    f"!top {'9' * 1990}",
    f"!cheapest {'٣' * 1900}",
    f"!depth {'²' * 100}",
    f"!small {HUGE}% gpqa",
    f"!gap {LONG_WORDS}",
    "!compare " + "[" * 1900,
    "!race " + "a" * 5000,  # over Discord's 2,000 (a Nitro message): refused before parsing
    f"!modle {HUGE}",  # an unknown command: its suggestion is clicked below
]


@pytest.fixture
async def fast_beat_sim() -> AsyncIterator[DiscordSimulator]:
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    async with DiscordSimulator(message_content_intent=True, heartbeat_interval_ms=250) as s:
        try:
            yield s
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved


def _short_and_honest(text: str) -> None:
    assert text, "an empty reply"
    assert "went wrong" not in text, text[:200]
    assert "took too long" not in text, text[:200]
    assert "Traceback" not in text


async def test_hostile_inputs_on_every_entry_never_hold_the_bot(
    fast_beat_sim: DiscordSimulator, engine, caplog: pytest.LogCaptureFixture,
) -> None:
    sim = fast_beat_sim
    world = World(sim)
    bob = sim.create_user("bob")
    sim.add_member(world.guild, bob)
    calm = sim.create_channel(world.guild, "calm")
    caplog.set_level(logging.WARNING, logger="discord.gateway")
    async with running(world.settings(), engine) as bot:
        me = bot.user.id
        conn = sim.connections[-1]
        beats_before = conn.heartbeats
        # the attack: one channel per line so each answer is matched to its line
        sent = []
        for i, line in enumerate(PREFIX_LINES + [f"<@{me}> above {HUGE} elo and 1e20000000 flop"]):
            ch = sim.create_channel(world.guild, f"attack-{i}")
            sent.append((ch, sim.send_user_message(ch, world.member, line), line))
        slash = [
            sim.send_slash_command("gap", {"x": "open " * 1200, "y": "china " * 1000},
                                   user=world.member, channel=world.channel),
            sim.send_slash_command("ask", {"question": f"models above {HUGE} elo with 1e20000000 flop"},
                                   user=world.member, channel=world.channel),
        ]
        complete = sim.send_autocomplete("compare", {"models": "gpt-4o vs " + "deepsek " * 700}, "models",
                                         user=world.member, channel=world.channel)
        # meanwhile, another member asks an ordinary question
        question = sim.send_user_message(calm, bob, "!top 3")
        [answer] = await sim.wait_for_messages(calm, 1, WAIT, after=question)
        assert "Top 3" in answer.text(), answer.text()[:200]

        for ch, msg, _line in sent:
            [reply] = await sim.wait_for_messages(ch, 1, WAIT, after=msg)
            _short_and_honest(reply.text())
            assert len(reply.text()) <= 2000
        for inter in slash:
            _short_and_honest((await sim.wait_for_answer(inter, WAIT)).text())
        await sim.wait_for_response(complete, WAIT)
        assert complete.response_type == 8 and len(complete.choices) <= 25

        # the suggestion button of the unknown command with a huge number runs it, bounded too
        ch, msg, _line = sent[PREFIX_LINES.index(f"!modle {HUGE}")]
        [prompt] = sim.messages_in(ch, after=msg)[:1]
        assert prompt.buttons(), prompt.text()
        click = sim.click_button(prompt, prompt.buttons()[0]["custom_id"], user=world.member)
        await sim.wait_for_response(click, WAIT)
        before = prompt.text()
        await sim.wait_for_edit(prompt, timeout=WAIT, until=lambda m: m.text() != before)  # the suggestion's answer
        _short_and_honest(prompt.text())

        # and the heartbeat kept beating: it still beats, the session was never resumed or re-identified
        await sim.wait_until(lambda: conn.heartbeats >= beats_before + 3, WAIT, "heartbeats after the attack")
        assert len(sim.identifies) == 1 and not sim.resumes
    assert not [r for r in caplog.records if "heartbeat blocked" in r.getMessage()]


def test_a_prefix_needs_a_character_that_is_no_letter_or_digit(fresh_engine) -> None:
    from bot.engine import Caller

    mgr = Caller(user_id="2", name="mgr", guild_id="9", can_manage_guild=True)
    for p in ("a", "rb", "42", "ünï"):
        r = fresh_engine.handle(f"settings prefix {p}", mgr)
        assert r.status == "usage" and "not a letter or a digit" in r.text, (p, r.text)
    for p in ("?", "rb!", "$"):
        assert fresh_engine.handle(f"settings prefix {p}", mgr).status == "ok", p


async def test_a_mention_always_reads_as_the_bots_prefix(fast_beat_sim: DiscordSimulator, engine) -> None:
    """A one-letter prefix stored before the rule (`a`) is not used: `ask me` in chat
    gets no answer; `@RaceBot ask ...` (with or without a space) is a question."""
    sim = fast_beat_sim
    world = World(sim)
    engine.store.db.execute(  # as an older version stored it
        "INSERT INTO guild_settings (guild_id, prefix) VALUES (?, 'a') "
        "ON CONFLICT(guild_id) DO UPDATE SET prefix = 'a'", [str(world.guild.id)])
    engine.store.db.commit()
    try:
        async with running(world.settings(), engine) as bot:
            me = bot.user.id
            chat = sim.send_user_message(world.channel, world.member, "ask me anything, this is just chat")
            for text in (f"<@{me}> who leads in coding?", f"<@{me}>who leads in coding?"):
                msg = sim.send_user_message(world.channel, world.member, text)
                [reply] = await sim.wait_for_messages(world.channel, 1, WAIT, after=msg)
                assert reply.text().startswith("Read as"), reply.text()[:200]
            last = sim.send_user_message(world.channel, world.member, "!top 1")
            await sim.wait_for_messages(world.channel, 1, WAIT, after=last)
        answered = [m for m in sim.messages_in(world.channel, after=chat) if m.author_id == me]
        assert len(answered) == 3  # the two mentions and `!top 1`: the chat line got nothing
    finally:
        engine.store.db.execute("DELETE FROM guild_settings WHERE guild_id = ?", [str(world.guild.id)])
        engine.store.db.commit()
