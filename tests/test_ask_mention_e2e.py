"""`@RaceBot <question>` in a channel is `ask <question>`, through the real
bot against the loopback Discord simulator; a mention that is exactly a
command runs that command; `!<question>` that is no command is read too."""
from __future__ import annotations

import pytest

try:
    from tests.test_discord_e2e import World, ask, engine, running, sim, world  # noqa: F401 (fixtures)
except ImportError:  # tests/ itself on sys.path
    from test_discord_e2e import World, ask, engine, running, sim, world  # noqa: F401

pytestmark = pytest.mark.e2e


async def test_mention_with_a_question_is_read_and_says_how(sim, world: World, engine) -> None:
    async with running(world.settings(), engine):
        me = sim.bot_user.id
        reply = await ask(sim, world.channel, world.member, f"<@{me}> best model from france? 🇫🇷")
    assert reply.text().startswith("Read as: `!top 1 France`")
    assert "France" in reply.text() and "United States" not in reply.text().split("```")[1]
    assert reply.allowed_mentions == {"parse": []}


async def test_mention_that_is_exactly_a_command_runs_it(sim, world: World, engine) -> None:
    async with running(world.settings(), engine):
        me = sim.bot_user.id
        reply = await ask(sim, world.channel, world.member, f"<@{me}> top 3 open china")
    assert not reply.text().startswith("Read as")
    assert "Top 3 open China models" in reply.text()


async def test_mention_unsure_offers_buttons(sim, world: World, engine) -> None:
    async with running(world.settings(), engine):
        me = sim.bot_user.id
        reply = await ask(sim, world.channel, world.member, f"<@!{me}> what is the meaning of life")
    assert reply.text().startswith("I'm not sure what you're asking")
    assert 1 <= len(reply.buttons()) <= 3


async def test_prefixed_question_that_is_no_command_is_read(sim, world: World, engine) -> None:
    async with running(world.settings(), engine):
        reply = await ask(sim, world.channel, world.member, "!what's the best chinese model right now")
    assert reply.text().startswith("Read as: `!top 1 China`")
