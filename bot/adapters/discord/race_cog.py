"""The bot's own cog: lifecycle listeners (ready, resumed) and the answer to a command that
failed before the engine saw it (a bad option, a check, a cooldown, an unknown command word: the
engine reads that as a question)."""
from __future__ import annotations

import logging
import re
import time
from typing import Any

from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.gateway import invite_url

RaceBot = Any  # the bot (bot.adapters.discord.bot.RaceBot); not imported: it imports this module

log = logging.getLogger("racebot.discord")


class RaceCog(commands.Cog, name="AI Race"):
    """Error handling and lifecycle listeners; the commands come from the engine."""

    def __init__(self, bot: RaceBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self.bot.ready_seconds is None:
            self.bot.ready_seconds = time.monotonic() - self.bot.started_at
            log.info(
                "ready in %.2f s as %s (%d guilds, %d shard(s))", self.bot.ready_seconds, self.bot.user,
                len(self.bot.guilds), self.bot.shard_count or 1,
            )
            if self.bot.application_id:
                log.info("invite link: %s", invite_url(self.bot.application_id))

    @commands.Cog.listener()
    async def on_resumed(self) -> None:
        log.info("gateway session resumed")

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context, error: commands.CommandError) -> None:
        # A slash command's error arrives wrapped (HybridCommandError around the app command's own)
        inner: Exception = error.original if isinstance(error, commands.HybridCommandError) else error
        if isinstance(inner, app_commands.CommandInvokeError):
            inner = inner.original
        if isinstance(inner, (app_commands.TransformerError, commands.UserInputError)):
            await self.bot.safe_send(ctx, f"I couldn't read that: {inner}"[:300], ephemeral=True)
            return
        if isinstance(inner, (app_commands.CheckFailure, commands.CheckFailure, commands.DisabledCommand)):
            await self.bot.safe_send(ctx, "You can't use that command here.", ephemeral=True)
            return
        if isinstance(error, commands.CommandNotFound):
            # Let the engine answer: it knows the command list and suggests close matches.
            # Only for something that looks like a command word, not "!!!" or "! lol".
            line = ctx.message.content[len(ctx.prefix or ""):].strip()
            if ctx.interaction is None and re.match(r"[^\W\d_][\w'’-]*([\s?!.,]|$)", line):
                # "!what's the best model" is no command but a question: `ask` reads it
                await self.bot.run_command(ctx, self.bot.engine.as_question(line, ""))
            return
        if isinstance(error, commands.CommandOnCooldown):
            if self.bot.cooldown_notice_due(ctx, error.retry_after):
                await self.bot.safe_send(ctx, f"Easy there — try again in {error.retry_after:.0f} s.", ephemeral=True)
            return
        if isinstance(error, (commands.CheckFailure, commands.DisabledCommand)):
            await self.bot.safe_send(ctx, "You can't use that command here.", ephemeral=True)
            return
        original = getattr(inner, "original", inner)
        log.error("command %s failed: %s", ctx.command, original, exc_info=original)
        await self.bot.safe_send(ctx, self.bot.FRIENDLY_ERROR, ephemeral=True)
