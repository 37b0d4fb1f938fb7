"""Starting the bot: the client built for the settings (sharded or not, Discord or the address
of a simulator), run until SIGINT/SIGTERM, then closed cleanly."""
from __future__ import annotations

import asyncio
import logging
import signal
import socket
import ssl
from typing import Any

import aiohttp
import aiohttp.abc
import discord
from discord.ext import commands

from bot.adapters.discord.bot import RaceBot
from bot.adapters.discord.logs import install_redaction, setup_logging
from bot.config import Settings
from bot.engine import Engine

log = logging.getLogger("racebot.discord")


class ShardedRaceBot(RaceBot, commands.AutoShardedBot):
    """The same bot over several gateway shards (SHARD_COUNT > 1)."""


DISCORD_DOMAINS = ("discord.com", "discord.gg", "discordapp.com", "discordapp.net")


class DiscordAddress(aiohttp.abc.AbstractResolver):
    """aiohttp's resolver (discord.py's ``connector`` option): every Discord host name
    resolves to one host:port (the tests' simulator); any other name as usual."""

    def __init__(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        self.host, self.port = host, int(port)
        self.fallback = aiohttp.ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[Any]:
        if host == "discord.com" or host.endswith(tuple("." + d for d in DISCORD_DOMAINS)) or host in DISCORD_DOMAINS:
            return [{"hostname": host, "host": self.host, "port": self.port, "family": socket.AF_INET,
                     "proto": 0, "flags": socket.AI_NUMERICHOST}]
        return await self.fallback.resolve(host, port, family)

    async def close(self) -> None:
        await self.fallback.close()


def discord_connector(settings: Settings) -> aiohttp.TCPConnector | None:
    """The HTTP connector for DISCORD_ADDRESS / DISCORD_CA_FILE (None: Discord itself, aiohttp's defaults).
    REST and the gateway keep Discord's own URLs; only where they connect, and whom TLS trusts, change."""
    if not settings.discord_address:
        return None
    context = ssl.create_default_context()
    if settings.discord_ca_file:
        context.load_verify_locations(cafile=str(settings.discord_ca_file))
    return aiohttp.TCPConnector(resolver=DiscordAddress(settings.discord_address), ssl=context)


def create_bot(settings: Settings, engine: "Engine", **kwargs: Any) -> RaceBot:
    """A ready-to-start bot: ``await bot.start(settings.discord_token)`` (in a running event loop)."""
    install_redaction(settings.discord_token)
    connector = discord_connector(settings)
    if connector is not None:
        kwargs.setdefault("connector", connector)
    sharded = settings.shard_count is None or settings.shard_count > 1 or settings.shard_ids is not None
    cls = ShardedRaceBot if sharded else RaceBot
    return cls(settings, engine, **kwargs)


async def run_bot(settings: Settings, engine: "Engine | None" = None) -> None:
    """Run until SIGINT/SIGTERM, then close the gateway and HTTP session cleanly."""
    if not settings.discord_token:
        raise SystemExit("DISCORD_TOKEN is not set (see .env.example)")
    own_engine = engine is None
    if engine is None:
        engine = Engine.open(settings.database_path, settings=settings)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            pass
    stopper = asyncio.create_task(stop.wait())
    bot: RaceBot | None = None
    runner: asyncio.Task | None = None
    try:
        while True:
            bot = create_bot(settings, engine)
            runner = asyncio.create_task(bot.start(settings.discord_token))
            done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if runner not in done:
                log.info("shutting down")
                break
            try:
                runner.result()  # re-raise a login/connection failure
            except discord.PrivilegedIntentsRequired:
                if settings.message_content != "auto" or not bot.message_content_enabled:
                    raise
                # Discord refused the intent (4014) although the app flags said yes: once more without it.
                await bot.close()
                settings = settings.with_(message_content="off")  # the next bot logs why, once
                continue
            except discord.ConnectionClosed as exc:
                if exc.code != 4011 or settings.shard_ids is not None or settings.shard_count is None:
                    raise
                # 4011 Sharding required: a shard would hold more than 2,500 guilds.
                log.warning("Discord requires more shards (4011: over 2,500 servers a shard); reconnecting with "
                            "Discord's recommended shard count (SHARD_COUNT=auto)")
                await bot.close()
                settings = settings.with_(shard_count=None)
                continue
            break
    finally:
        if bot is not None:
            await bot.close()
        stopper.cancel()
        if runner is not None and not runner.done():
            try:
                await asyncio.wait_for(runner, 10)
            except (asyncio.TimeoutError, asyncio.CancelledError, Exception):
                pass
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError):  # pragma: no cover
                pass
        if own_engine:
            engine.close()
        log.info("bye")


def main(settings: Settings | None = None) -> int:
    settings = settings or Settings.from_env()
    setup_logging(settings)
    try:
        asyncio.run(run_bot(settings))
    except discord.LoginFailure:
        log.error("Discord refused the token (DISCORD_TOKEN)")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error("Discord refused the Message Content intent: enable it for the bot in the Developer Portal, "
                  "or set MESSAGE_CONTENT=auto (or off) to run on slash commands and @mentions")
        return 1
    return 0
