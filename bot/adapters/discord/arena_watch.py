"""The scheduled check of LMArena's published leaderboard, on Discord.

Every ``ARENA_CHECK_HOURS`` (0 = off) the bot runs
:func:`bot.commands.admin.imports.arena_check` in a worker thread; when LMArena
published something new it posts "new data: N models, new #1 ..." with the
dry run and Confirm/Cancel buttons to ``MODERATOR_CHANNEL_ID``. Any moderator
may press Confirm (nobody else); nothing is imported before that. The first
check runs one interval after start, never at start-up.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

from bot.adapters.discord import fit
from bot.adapters.discord.callers import make_caller
from bot.adapters.discord.embeds import NO_MENTIONS, render
from bot.adapters.discord.views import ReplyView
from bot.commands.admin.imports import arena_check
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


async def check_once(bot: RaceBot) -> bool:
    """One check; True when something was posted."""
    cid = bot.settings.moderator_channel_id
    if not cid or not bot.is_primary:  # one process checks and posts: the primary
        return False
    reply = await asyncio.to_thread(arena_check, bot.engine)
    if reply is None:
        return False
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
    return True


async def watch(bot: RaceBot) -> None:
    hours = float(bot.settings.arena_check_hours or 0)
    while hours > 0 and not bot.is_closed():
        await asyncio.sleep(hours * 3600)
        try:
            await check_once(bot)
        except Exception as exc:  # a failed check never stops the bot; the next one runs as planned
            log.warning("scheduled Arena check failed: %s", exc)


def configured(settings: Settings) -> bool:
    """Whether the scheduled check runs: a positive interval and a moderators' channel
    (the interval defaults to 24 hours, the channel to none, so it is off unless configured)."""
    return float(settings.arena_check_hours or 0) > 0 and bool(settings.moderator_channel_id)


def start(bot: RaceBot) -> asyncio.Task | None:
    """Start the scheduled check when it is configured (interval and channel)."""
    if not configured(bot.settings):
        return None
    return asyncio.get_running_loop().create_task(watch(bot), name="arena-check")
