"""Who asks: the adapters describe the person, the engine decides what they may do.

Two kinds of authority, kept apart:

* data moderators (``is_moderator``: ``ADMIN_USER_IDS`` / ``ADMIN_ROLE_IDS``)
  change the shared data (``set``, ``import``, ``undo``, ...);
* server managers (``can_manage_guild``: Manage Server in the server the
  command was typed in, ``guild_id``) change that server's settings and
  watches, and nothing else.

Neither implies the other. In direct messages there is no server, so no
server settings.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Caller:
    user_id: str = "local"
    name: str = "local"
    role_ids: frozenset[str] = field(default_factory=frozenset)
    is_moderator: bool = False  # decided by the adapter from ADMIN_USER_IDS / ADMIN_ROLE_IDS
    guild_id: str | None = None  # the server the command came from (None: DMs, console, CLI)
    can_manage_guild: bool = False  # Manage Server in that server, decided by the adapter
    channel_id: str | None = None  # the channel the command came from
    channels: tuple[tuple[str, str], ...] = ()  # (id, name) of the server's text channels, for `settings channel`
    prefix: str | None = None  # the server's own prefix, for usage lines (None: the bot's)


# the console and `racebot ask`: whoever holds the database file is a moderator
LOCAL_OPERATOR = Caller(user_id="local", name="local operator", is_moderator=True)
