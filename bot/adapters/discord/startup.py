"""Starting the Discord connection the way Discord asks: intents, shards, session starts.

* The Message Content intent is privileged. With ``MESSAGE_CONTENT=auto`` the
  bot asks for it only when the application flags (read at login) say the app
  has it; otherwise it runs on slash commands, DMs and messages that mention it,
  and says so once. Discord closes the gateway with 4014 when a bot asks for an
  intent the app lacks (https://discord.com/developers/docs/events/gateway#privileged-intents).
* ``SHARD_COUNT=auto`` takes Discord's recommended shard count from
  ``GET /gateway/bot``; ``SHARD_IDS`` with ``SHARD_COUNT`` runs some of the shards
  in this process, so several processes (cluster mode) split them.
* Every IDENTIFY counts against the session start limit (1,000 a day for most
  bots); past it Discord resets the token. Before connecting the bot checks
  ``session_start_limit`` and, when too few starts are left, waits for the reset
  with a clear log line instead of connecting (and, under a supervisor, instead
  of a crash loop that would burn the rest).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

import discord

from bot.config import Settings

log = logging.getLogger("racebot.discord")

NO_MESSAGE_CONTENT_LINE = (
    "Message Content intent not enabled for this app: answering slash commands, DMs and messages that "
    "mention me (@RaceBot race); '%s' prefix commands in servers need the intent (Developer Portal > Bot > "
    "Message Content Intent, then MESSAGE_CONTENT=auto or on)"
)
MAX_SESSION_WAITS = 48  # re-checks of the limit before giving up (each waits for Discord's reset)


def app_has_message_content(flags: Any) -> bool:
    """Whether the application flags grant the Message Content intent (either
    the verified-bot flag or the "limited" one of bots in under 100 servers)."""
    if flags is None or flags is discord.utils.MISSING:
        return True  # unknown: ask, and let a 4014 decide
    return bool(getattr(flags, "gateway_message_content", False) or getattr(flags, "gateway_message_content_limited", False))


def sharding_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for the bot class: none for one shard, ``shard_count``
    (``None`` = ask Discord) and, in cluster mode, ``shard_ids``."""
    if settings.shard_ids is not None:
        return {"shard_count": settings.shard_count, "shard_ids": list(settings.shard_ids)}
    if settings.shard_count is None:
        return {"shard_count": None}
    if settings.shard_count > 1:
        return {"shard_count": settings.shard_count}
    return {}


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{max(seconds, 1)} s"


async def wait_for_session_starts(
    http: Any, limit: dict[str, Any], starting: int, *,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> int:
    """Wait until ``starting`` sessions may be started; returns how many times it waited.

    ``limit`` is the ``session_start_limit`` object of ``GET /gateway/bot``;
    after each wait the limit is read again."""
    waits = 0
    starting = max(1, starting)
    while True:
        remaining = int(limit.get("remaining", starting))
        if remaining >= starting:
            if waits:
                log.info("session start limit reset: %d session starts available, connecting", remaining)
            return waits
        if waits >= MAX_SESSION_WAITS:
            raise RuntimeError("Discord's session start limit did not reset; not connecting")
        reset_after = max(0.0, float(limit.get("reset_after", 0)) / 1000.0)
        log.warning(
            "Discord's session start limit is used up (%d of %d left today, %d needed to connect): waiting "
            "%s for it to reset before connecting - connecting anyway would get the bot token reset",
            remaining, int(limit.get("total", 0)), starting, _duration(reset_after),
        )
        await sleep(reset_after + 0.5)
        waits += 1
        _shards, _url, limit = await http.get_bot_gateway()
