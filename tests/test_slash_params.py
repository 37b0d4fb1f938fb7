"""The slash commands come from the same Param declarations the engine reads
(bot.adapters.discord.slash, bot.commands.params): real discord.py app commands,
built with no generated source, within Discord's limits, and the line a slash
command sends back parses to the options it was given."""
from __future__ import annotations

import re

import discord
import pytest
from discord.ext import commands

from bot.adapters.discord.slash import build_line, make_command, options
from bot.commands.params import KINDS, placements
from bot.commands.registry import REGISTRY
from bot.config import Settings
from bot.engine import LOCAL_OPERATOR

TYPES = {"str": 3, "int": 4, "bool": 5, "attachment": 11}  # Discord's application command option types


class _Host:
    settings = Settings()

    def make_autocomplete(self, kind):
        async def complete(interaction, current):
            return []
        return complete


@pytest.fixture(scope="module")
def tree():
    return commands.Bot(command_prefix="!", intents=discord.Intents.none(), help_command=None).tree


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_each_commands_options_are_its_declared_params_within_discords_limits(tree, name) -> None:
    info = REGISTRY[name]
    cmd = make_command(_Host(), info)
    assert isinstance(cmd, commands.HybridCommand) and cmd.app_command is not None
    opts = cmd.app_command.to_dict(tree).get("options", [])
    declared = options(info)
    assert [o["type"] for o in opts] == [TYPES[KINDS[p.kind].slash] for p in declared]
    assert len(opts) <= 25
    for o, p in zip(opts, declared):
        assert re.fullmatch(r"[a-z0-9_-]{1,32}", o["name"]), o["name"]
        assert 1 <= len(o["description"]) <= 100
        assert o.get("required", False) == p.required
        assert o.get("autocomplete", False) == KINDS[p.kind].autocomplete
    required = [o.get("required", False) for o in opts]
    assert required == sorted(required, reverse=True)  # required options first
    # a filler word (no slash type) is no option; every other parameter is one
    assert {p.name for p in info.params} - {p.name for p in declared} == {
        p.name for p in info.params if not KINDS[p.kind].slash}


def _slash_value(ctx, kind: str):
    """A value a Discord user could give an option of `kind`, from the seed's data."""
    read = ctx.read
    return {"date": "2025-02", "count": 7, "flag": True, "access": "open", "size": "under 10B",
            "threshold": 1350, "category": "coding", "country": sorted(read.countries)[0],
            "benchmark": sorted(read.benchmarks)[0]}.get(kind)


@pytest.mark.parametrize("name", ["top", "race", "frontier", "depth"])
def test_the_line_a_slash_command_sends_parses_to_its_options(engine, name) -> None:
    ctx = engine.context(LOCAL_OPERATOR)
    info = REGISTRY[name]
    given = {p.name: v for p in options(info) if (v := _slash_value(ctx, p.kind)) is not None}
    if name == "top":
        given.pop("category")  # a benchmark or a category, not both
    line = build_line(info, given)
    got = placements(ctx, info.params, line.split()[1:])
    assert set(got) == set(given), line
    assert got.get("n", 7) == 7 and got.get("min_elo", 1350) == 1350 and got.get("all", True) is True
    assert got["date"].when.raw == "2025-02"
