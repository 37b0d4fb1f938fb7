"""The engine: one object the adapters talk to.

``Engine.handle(line, caller)`` parses a command line (prefix optional), runs
its handler against the store and returns a :class:`bot.reply.Reply` within
Discord's limits. It is synchronous and thread-safe; adapters call
``await engine.ahandle(...)``, which runs the query and the chart render in
worker threads so the event loop stays free.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Caller:
    """Who asks. Adapters fill it in; the engine decides what they may do."""

    user_id: str = "local"
    name: str = "local"
    role_ids: frozenset[str] = field(default_factory=frozenset)
    in_dm: bool = False
    is_moderator: bool = False  # decided by the adapter from ADMIN_USER_IDS / ADMIN_ROLE_IDS


LOCAL_OPERATOR = Caller(user_id="local", name="local operator", is_moderator=True)
