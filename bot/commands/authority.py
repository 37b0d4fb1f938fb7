"""Who may run what: the permission a command is registered with, checked
by the engine before its handler runs (in the style of Red-DiscordBot's
permission decorators, declared once on ``@command``).

* ``None``: everyone, anywhere.
* ``"moderator"``: data moderators (the shared data: ``set``, ``import``, ``undo``).
* ``"manage_server"``: members with Manage Server in the server the command is
  typed in (that server's settings and watches). A data moderator without
  Manage Server is refused too; in direct messages there is no server.
* ``"in_server"``: everyone, but only in a server (e.g. listing its watches).
"""
from __future__ import annotations

from typing import Any

from bot.caller import Caller
from bot.reply import Reply

PERMISSIONS = (None, "moderator", "manage_server", "in_server")


def refusal(info: Any, caller: Caller, prefix: str) -> Reply | None:
    """The refusal for `caller` running `info`, or None when they may."""
    perm = getattr(info, "permission", None) or ("moderator" if getattr(info, "admin", False) else None)
    name = f"`{prefix}{info.name}`"
    data = {"command": info.name, "permission": perm}
    if perm == "moderator" and not caller.is_moderator:
        return Reply(text=f"{name} is for moderators only. Nothing was changed.", status="refused", data=data)
    if perm in ("manage_server", "in_server") and caller.guild_id is None:
        return Reply(text=f"{name} works in a server, not here: each server has its own settings and watches. "
                          "Nothing was changed.", status="refused", data=data)
    if perm == "manage_server" and not caller.can_manage_guild:
        extra = (" Data moderators change the shared data, not a server's settings."
                 if caller.is_moderator else "")
        return Reply(text=f"{name} is for this server's managers (the Manage Server permission).{extra} "
                          "Nothing was changed.", status="refused", data=data)
    return None


def may_see(info: Any, caller: Caller) -> bool:
    """Whether `help` and "did you mean" show the command to `caller`."""
    return not (getattr(info, "admin", False) and not caller.is_moderator)
