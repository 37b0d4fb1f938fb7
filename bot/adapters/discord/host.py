"""What the views and the slash commands need from the bot that hosts them.

A Protocol, so ``views`` and ``slash`` depend on this small surface and
not on :mod:`bot.adapters.discord.bot` (which imports them): no circle.
"""
from __future__ import annotations

from typing import Awaitable, Callable, Protocol, Sequence

import discord
from discord import app_commands
from discord.ext import commands

from bot.config import Settings
from bot.engine import Engine
from bot.reply import Reply


class Host(Protocol):
    """The surface of :class:`bot.adapters.discord.bot.RaceBot` that views and commands use."""
    engine: Engine
    settings: Settings

    def make_autocomplete(self, kind: str) -> Callable[..., Awaitable[list[app_commands.Choice[str]]]]: ...

    async def run_engine(self, job: Callable[[], Awaitable[Reply]], what: str) -> Reply: ...

    async def run_command(self, ctx: commands.Context, line: str,
                          files: Sequence[discord.Attachment] = ()) -> None: ...

    async def announce(self, reply: Reply) -> None: ...

    async def send_friendly_interaction(self, interaction: discord.Interaction) -> None: ...
