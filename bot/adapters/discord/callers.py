"""Who asks: a Discord user (and their roles in the guild) as an engine :class:`~bot.caller.Caller`."""
from __future__ import annotations

import discord

from bot.caller import Caller
from bot.config import Settings


# ---------------------------------------------------------------------------- callers
def make_caller(user: discord.abc.User, guild: discord.Guild | None, settings: Settings) -> "Caller":
    role_ids = frozenset(str(r.id) for r in getattr(user, "roles", []) if guild is not None and r.id != guild.id)
    is_mod = user.id in settings.admin_user_ids
    if guild is not None and not is_mod:
        is_mod = any(int(r) in settings.admin_role_ids for r in role_ids)
    return Caller(
        user_id=str(user.id),
        name=getattr(user, "display_name", None) or user.name,
        role_ids=role_ids,
        in_dm=guild is None,
        is_moderator=is_mod,
    )
