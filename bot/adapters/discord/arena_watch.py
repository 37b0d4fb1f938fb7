"""The scheduler of the sources, on Discord: the bot's own loop, no cron.

Each source is synced every ``ARENA_CHECK_HOURS`` (0 = off) by
:meth:`bot.engine.Engine.run_due` in a worker thread, on the cog's
injectable clock. What it reports goes to ``MODERATOR_CHANNEL_ID``: a sync
applied at once (its diff and an `undo` button), a sync held for a
moderator's Confirm (the reason, the dry run, Confirm/Cancel for any
moderator), a failure, a source gone silent. Only the primary process runs it.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any

import discord

from bot.adapters.discord import fit
from bot.adapters.discord.callers import make_caller
from bot.adapters.discord.embeds import NO_MENTIONS, render
from bot.adapters.discord.views import ReplyView
from bot.config import Settings

RaceBot = Any  # the running bot (bot.adapters.discord.bot.RaceBot); not imported: it imports this module

log = logging.getLogger("racebot.arena_watch")


class ModeratorsView(ReplyView):
    """Confirm/Cancel under the check's post: any moderator may press them."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if make_caller(interaction.user, interaction.guild, self.bot.settings).is_moderator:
            return True
        await interaction.response.send_message("Only moderators can confirm an import.", ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)
        return False


async def _post(bot: RaceBot, cid: int, reply: Any) -> None:
    channel: Any = bot.get_channel(cid)
    if channel is None:
        channel = await bot.fetch_channel(cid)
    guild = getattr(channel, "guild", None)
    perms = fit.permissions_in(channel, guild.me if guild is not None else None)
    reply = fit.for_channel(reply, perms, guild.filesize_limit if guild is not None else fit.DEFAULT_UPLOAD_LIMIT)
    view = ModeratorsView(bot, reply, owner_id=0) if ReplyView.needed(reply) else None
    kw = fit.fit(view.render_page() if view else render(reply), perms)
    msg = await channel.send(content=kw["content"], embeds=kw["embeds"], view=view, allowed_mentions=NO_MENTIONS)
    if view is not None:
        view.remember(msg)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


async def sync_once(bot: RaceBot, now: datetime | None = None) -> list[Any]:
    """One pass of the scheduler: every due source synced, each report posted to the moderators."""
    cid = bot.settings.moderator_channel_id
    if not cid or not bot.is_primary:
        return []
    when = now or getattr(bot, "sync_clock", utc_now)()
    outcomes = await asyncio.to_thread(bot.engine.run_due, when)
    for o in outcomes:
        if o.reply is not None:
            await _post(bot, cid, o.reply)
    bot.sync_passes = getattr(bot, "sync_passes", 0) + 1
    return outcomes


async def watch(bot: RaceBot) -> None:
    while float(bot.settings.arena_check_hours or 0) > 0 and not bot.is_closed():
        try:
            await sync_once(bot)
            clock = getattr(bot, "sync_clock", utc_now)
            wait = await asyncio.to_thread(bot.engine.seconds_until_due, clock())
        except Exception as exc:  # a failed pass never stops the bot; the next one runs as planned
            log.warning("scheduled sync failed: %s", exc)
            wait = 300.0
        wake = getattr(bot, "sync_wake", None)
        if wake is None:
            wake = bot.sync_wake = asyncio.Event()
        try:
            await asyncio.wait_for(wake.wait(), max(1.0, wait))
        except asyncio.TimeoutError:
            pass
        wake.clear()


def configured(settings: Settings) -> bool:
    """Whether the scheduled check runs: a positive interval and a moderators' channel
    (the interval defaults to 24 hours, the channel to none, so it is off unless configured)."""
    return float(settings.arena_check_hours or 0) > 0 and bool(settings.moderator_channel_id)


def start(bot: RaceBot) -> asyncio.Task | None:
    """Start the scheduled check when it is configured (interval and channel)."""
    if not configured(bot.settings):
        return None
    return asyncio.get_running_loop().create_task(watch(bot), name="arena-check")
