"""Long work on Discord: a message that shows its progress, and the done-callback for work whose
answer is no longer wanted."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import discord
from discord.ext import commands

from bot.adapters.discord.embeds import NO_MENTIONS
from bot.render.text import clean

log = logging.getLogger("racebot.discord")


def quietly(task: "asyncio.Future[Any]") -> None:
    """Done-callback for work whose answer is no longer wanted: retrieve its
    outcome so asyncio does not log "exception was never retrieved"."""
    if not task.cancelled():
        task.exception()


PROGRESS_EVERY = 2.0  # seconds between progress edits (Discord rate-limits edits)


class ProgressNote:
    """A message that shows the progress of long work (an import's dry run),
    edited at most every PROGRESS_EVERY seconds. ``report`` may be called from
    any thread (the engine's worker reports through the request's ticket)."""

    def __init__(self, ctx: commands.Context, every: float = PROGRESS_EVERY) -> None:
        self.ctx = ctx
        self.every = every
        self.loop = asyncio.get_running_loop()
        self.message: discord.Message | None = None
        self.latest = ""
        self.last = time.monotonic()  # quick work shows no progress message at all
        self.task: asyncio.Task | None = None
        self.shown = 0

    def report(self, text: str) -> None:
        now = time.monotonic()
        if now - self.last < self.every:
            return
        self.last = now
        self.loop.call_soon_threadsafe(self._schedule, text)

    def _schedule(self, text: str) -> None:
        self.latest = text
        if self.task is None or self.task.done():
            self.task = self.loop.create_task(self._show())

    async def _show(self) -> None:
        content = f"Working: {clean(self.latest, 300)}"
        try:
            if self.message is None:
                self.message = await self.ctx.send(content, allowed_mentions=NO_MENTIONS)
            else:
                await self.message.edit(content=content, allowed_mentions=NO_MENTIONS)
            self.shown += 1
        except discord.HTTPException as exc:
            log.warning("progress message failed: %s", exc)

    async def finish(self) -> None:
        if self.task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.task, 10)
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(content=f"Done: {clean(self.latest, 300)}", allowed_mentions=NO_MENTIONS)
