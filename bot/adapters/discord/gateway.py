"""The bot and Discord's gateway and application: the intents it asks for, turns to IDENTIFY
shared by every process on the database, the shape of the registered slash commands (to sync
only on a change) and the invite link."""
from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

import discord

from bot.store.leases import BusyLeases, Leases, ReadOnlyLeases

log = logging.getLogger("racebot.discord")

HOLDER = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"  # this process, in the leases


def wanted_intents(message_content: bool) -> discord.Intents:
    """Only what the bot uses: guilds (channels, roles, permissions), messages in
    servers and in DMs, and the privileged Message Content when prefix commands
    are on. No typing, reactions, voice states, members or presences."""
    return discord.Intents(guilds=True, guild_messages=True, dm_messages=True, message_content=message_content)


def database_of(engine: Any) -> str | None:
    """The engine's database for the leases; a store opened read-only (a replica, a
    published copy) as a read-only URI, so this process takes no lease in it."""
    store = getattr(engine, "store", None)
    path = getattr(store, "path", None)
    if not path or path == ":memory:":
        return None
    if getattr(store, "readonly", False):
        return f"file:{quote(str(Path(path).resolve()))}?mode=ro"
    return str(path)


class IdentifyGate:
    """Turns to IDENTIFY, per rate-limit key, ``spacing`` seconds apart across every
    process that shares the database (a lease there: :class:`bot.store.leases.Leases`).
    A database that cannot be written (a read-only copy) spaces this process's own."""

    def __init__(self, database: str | None, spacing: float) -> None:
        self.leases = Leases(database) if database else None
        self.spacing = spacing
        self._local: dict[str, float] = {}

    async def wait_turn(self, key: str) -> None:
        while True:
            wait = await asyncio.to_thread(self._try, key)
            if wait <= 0:
                return
            await asyncio.sleep(wait)

    def _try(self, key: str) -> float:
        if self.leases is not None:
            try:
                return self.leases.take_slot(f"identify:{key}", self.spacing, holder=HOLDER)
            except ReadOnlyLeases:
                self.leases = None
                log.info("the database is read-only here: IDENTIFYs are spaced within this process only")
            except BusyLeases:
                log.warning("the database stayed locked: this IDENTIFY is spaced within this process only")
        now = time.monotonic()
        last = self._local.get(key)
        if last is not None and now - last < self.spacing:
            return self.spacing - (now - last)
        self._local[key] = now
        return 0.0


_SHAPE_KEYS = ("name", "description", "type", "required", "autocomplete", "choices", "min_value", "max_value",
               "min_length", "max_length", "channel_types", "default_member_permissions", "nsfw", "options",
               "contexts", "integration_types")


def command_shape(commands_payload: Iterable[dict[str, Any]]) -> list[Any]:
    """What matters when comparing registered and local commands: names,
    descriptions, options and permissions; defaults (False/None/[]) dropped,
    permissions as strings (Discord answers strings, discord.py sends ints)."""
    def norm(obj: Any) -> Any:
        if isinstance(obj, dict):
            out = {}
            for k in _SHAPE_KEYS:
                v = obj.get(k)
                if v in (None, False, [], ""):
                    continue
                if k == "default_member_permissions":
                    v = str(v)
                out[k] = norm(v)
            return out
        if isinstance(obj, list):
            return [norm(x) for x in obj]
        return obj

    return sorted((norm(c) for c in commands_payload), key=lambda c: str(c.get("name")))


BOT_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, send_messages_in_threads=True, embed_links=True,
    attach_files=True, read_message_history=True,
)


def invite_url(application_id: int) -> str:
    """The link that adds the bot to a server with the permissions it needs."""
    return discord.utils.oauth_url(application_id, permissions=BOT_PERMISSIONS,
                                   scopes=("bot", "applications.commands"))
