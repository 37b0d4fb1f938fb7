"""Who asks: a Discord user (and their roles in the guild) as an engine :class:`~bot.caller.Caller`."""
from __future__ import annotations

from typing import Any

import discord

from bot.caller import Caller
from bot.config import Settings


# ---------------------------------------------------------------------------- callers
def make_caller(user: discord.abc.User, guild: discord.Guild | None, settings: Settings, channel: Any = None,
                prefix: str | None = None) -> "Caller":
    """The person behind a message or an interaction. Data moderator: listed,
    or (in a server) holding a listed role. Server manager: Manage Server in
    this server. ``prefix``: the server's own, for the engine's usage lines."""
    role_ids = frozenset(str(r.id) for r in getattr(user, "roles", []) if guild is not None and r.id != guild.id)
    is_mod = user.id in settings.admin_user_ids
    if guild is not None and not is_mod:
        is_mod = any(int(r) in settings.admin_role_ids for r in role_ids)
    return Caller(
        user_id=str(user.id),
        name=getattr(user, "display_name", None) or user.name,
        role_ids=role_ids,
        is_moderator=is_mod,
        prefix=prefix if prefix and prefix != settings.command_prefix else None,
        **guild_caller_fields(user, guild, channel),
    )


def _sees(user: Any, channel: Any) -> bool:
    """Whether `user` (a member) has View Channel in `channel`."""
    try:
        return bool(channel.permissions_for(user).view_channel)
    except Exception:  # noqa: BLE001 - not a member (a user object in a DM): no server channels
        return False


def guild_caller_fields(user: Any, guild: discord.Guild | None, channel: Any = None) -> dict[str, Any]:
    """What a :class:`~bot.caller.Caller` needs to know about the server: its id,
    whether the user has Manage Server there, the channel, the text channels."""
    if guild is None:
        return {}
    perms = getattr(user, "guild_permissions", None)
    return {
        "guild_id": str(guild.id),
        "can_manage_guild": bool(perms and perms.manage_guild),
        "channel_id": str(channel.id) if channel is not None else None,
        # only the channels this person can see: a manager cannot point the bot at a channel hidden from them
        "channels": tuple((str(c.id), c.name) for c in getattr(guild, "text_channels", ()) if _sees(user, c)),
    }

