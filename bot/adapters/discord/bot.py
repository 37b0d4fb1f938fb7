"""The bot: the cog that answers, the client, its start and clean shutdown."""
from __future__ import annotations

import asyncio
import logging
import re
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, Iterable, Sequence

import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.discord.callers import make_caller
from bot.adapters.discord.embeds import NO_MENTIONS, render
from bot.adapters.discord.logs import install_redaction, setup_logging
from bot.adapters.discord.servers import ServerCog, command_prefix
from bot.adapters.discord.slash import AUTOCOMPLETE_TIMEOUT, make_command
from bot.adapters.discord.views import EXPIRED_BUTTON_GRACE, OUR_BUTTON_PREFIXES, ReplyView
from bot.config import DEFAULT_API_BASE, Settings
from bot.engine import Engine
from bot.render.text import clip
from bot.reply import Reply

log = logging.getLogger("racebot.discord")


MAX_UPLOAD_BYTES = 25 * 2**20  # the engine's import limit


# ---------------------------------------------------------------------------- the bot
class RaceCog(commands.Cog, name="AI Race"):
    """Error handling and lifecycle listeners; the commands come from the engine."""

    def __init__(self, bot: "RaceBot") -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if self.bot.ready_seconds is None:
            self.bot.ready_seconds = time.monotonic() - self.bot.started_at
            log.info(
                "ready in %.2f s as %s (%d guilds, %d shard(s))", self.bot.ready_seconds, self.bot.user,
                len(self.bot.guilds), self.bot.shard_count or 1,
            )
            if self.bot.application_id:
                log.info("invite link: %s", invite_url(self.bot.application_id))

    @commands.Cog.listener()
    async def on_resumed(self) -> None:
        log.info("gateway session resumed")

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Buttons whose view is gone (timed out, or the bot restarted) would
        show Discord's "This interaction failed"; say what happened instead."""
        if interaction.type is not discord.InteractionType.component:
            return
        custom_id = str((interaction.data or {}).get("custom_id", ""))
        if not custom_id.startswith(OUR_BUTTON_PREFIXES):
            return
        await asyncio.sleep(EXPIRED_BUTTON_GRACE)  # a live view answers (or defers) well within this
        if interaction.response.is_done():
            return
        try:
            await interaction.response.send_message(
                "These buttons have expired — run the command again.", ephemeral=True, allowed_mentions=NO_MENTIONS,
            )
        except discord.HTTPException:
            pass

    @commands.Cog.listener()
    async def on_command_error(self, ctx: commands.Context, error: commands.CommandError) -> None:
        if isinstance(error, commands.CommandNotFound):
            # Let the engine answer: it knows the command list and suggests close matches.
            # Only for something that looks like a command word, not "!!!" or "! lol".
            line = ctx.message.content[len(ctx.prefix or ""):].strip()
            if ctx.interaction is None and re.match(r"[^\W\d_][\w'’-]*([\s?!.,]|$)", line):
                # "!what's the best model" is no command but a question: `ask` reads it
                await self.bot.run_command(ctx, self.bot.engine.as_question(line, ""))
            return
        if isinstance(error, commands.CommandOnCooldown):
            await self.bot.safe_send(ctx, f"Easy there — try again in {error.retry_after:.0f} s.", ephemeral=True)
            return
        if isinstance(error, (commands.CheckFailure, commands.DisabledCommand)):
            await self.bot.safe_send(ctx, "You can't use that command here.", ephemeral=True)
            return
        if isinstance(error, (commands.UserInputError, app_commands.TransformerError)):
            await self.bot.safe_send(ctx, f"I couldn't read that: {error}"[:300], ephemeral=True)
            return
        original = getattr(error, "original", error)
        log.error("command %s failed: %s", ctx.command, original, exc_info=original)
        await self.bot.safe_send(ctx, self.bot.FRIENDLY_ERROR, ephemeral=True)


class RaceBot(commands.Bot):
    """The bot. Built by :func:`create_bot`; :class:`ShardedRaceBot` when SHARD_COUNT > 1."""

    FRIENDLY_ERROR = "Sorry — something went wrong on my side. Please try again in a moment."

    def __init__(self, settings: Settings, engine: "Engine", **kwargs: Any) -> None:
        intents = discord.Intents.default()
        intents.message_content = True  # prefix commands read message text (enable it in the Developer Portal)
        sharding: dict[str, Any] = {}
        if settings.shard_count > 1:
            sharding = {"shard_count": settings.shard_count}
        super().__init__(
            command_prefix=command_prefix,  # the server's own prefix (settings prefix), else COMMAND_PREFIX
            intents=intents,
            allowed_mentions=NO_MENTIONS,
            help_command=None if _engine_has(engine, "help") else commands.DefaultHelpCommand(),
            case_insensitive=True,
            strip_after_prefix=True,
            max_messages=200,
            chunk_guilds_at_startup=False,
            **sharding,
            **kwargs,
        )
        self._connection.guild_ready_timeout = settings.guild_ready_timeout
        self.settings = settings
        self.engine = engine
        self.started_at = time.monotonic()
        self.ready_seconds: float | None = None
        self.work = asyncio.Semaphore(settings.max_concurrency)
        self.cooldown = commands.CooldownMapping.from_cooldown(
            settings.cooldown_rate, settings.cooldown_per, commands.BucketType.user
        )
        self.complete_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="racebot-complete")
        self._last_identify: dict[int, float] = {}
        self._max_concurrency = 1
        self.warm_up: asyncio.Future[None] | None = None

    async def process_commands(self, message: discord.Message) -> None:
        """``@RaceBot who leads in coding?`` is ``ask who leads in coding?``
        (ask runs it as a command when it is exactly one); a message with
        files, or without the mention, goes the usual command way."""
        if message.author.bot:
            return
        ctx = await self.get_context(message)
        me = self.user.id if self.user else None
        mention = (ctx.prefix or "").strip() in (f"<@{me}>", f"<@!{me}>")
        line = message.content[len(ctx.prefix or ""):].strip() if mention else ""
        if mention and line and not message.attachments:
            await self.run_command(ctx, f"ask {line}")
            return
        await self.invoke(ctx)

    async def setup_hook(self) -> None:
        # The read model and the chart workers start while the gateway connects, so neither the
        # first answer nor the first chart pays for them.
        self.warm_up = asyncio.get_running_loop().run_in_executor(None, self.warm_engine)
        # The gateway URL and IDENTIFY concurrency come from GET /gateway/bot, as Discord recommends.
        try:
            _shards, url, limit = await self.http.get_bot_gateway()
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
            self._max_concurrency = max(1, int(limit.get("max_concurrency", 1)))
        except discord.DiscordException as exc:  # pragma: no cover - Discord itself down
            log.warning("GET /gateway/bot failed (%s); using the default gateway", exc)
        await self.add_cog(RaceCog(self))
        await self.add_cog(ServerCog(self))
        for info in self.engine.commands:
            try:
                self.add_command(make_command(self, info))
            except (commands.CommandRegistrationError, TypeError, ValueError) as exc:
                log.warning("command %s not registered: %s", info.name, exc)
        if self.settings.sync_commands:
            await self.sync_commands()

    def warm_engine(self) -> None:
        """Build the engine's read model and start its chart workers (in a
        thread: both take a while, neither needs the event loop)."""
        try:
            read_model = getattr(self.engine, "read_model", None)
            if callable(read_model):
                read_model()
            charts = getattr(self.engine, "charts", None)
            if charts is not None and hasattr(charts, "warm"):
                charts.warm()
        except Exception:  # a failed warm-up costs speed, not answers: the first command retries
            log.warning("warming the engine up failed", exc_info=True)

    async def sync_commands(self, *, force: bool = False) -> bool:
        """Register the slash commands with Discord, only when they changed.

        Discord rate-limits command registration (and a crash loop would hit
        it), so the registered set is fetched first (one GET) and the bulk
        overwrite (PUT) happens only on a difference. Returns whether it synced.
        """
        gid = self.settings.dev_guild_id
        guild = discord.Object(id=gid) if gid else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        local = [c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)]
        where = f"dev guild {gid}" if gid else "global"
        if not force:
            try:
                app_id = self.application_id
                remote = await (self.http.get_guild_commands(app_id, gid) if gid else self.http.get_global_commands(app_id))
                if _command_shape(remote) == _command_shape(local):
                    log.info("%d %s slash commands already up to date", len(local), where)
                    return False
            except discord.HTTPException as exc:
                log.warning("could not read the registered slash commands (%s); syncing", exc)
        synced = await self.tree.sync(guild=guild)
        log.info("synced %d %s slash commands", len(synced), where)
        return True

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Discord allows `max_concurrency` IDENTIFYs per 5 s, bucketed by shard_id % max_concurrency.
        key = (shard_id or 0) % self._max_concurrency
        last = self._last_identify.get(key)
        if last is not None:
            wait = 5.0 - (time.monotonic() - last)
            if wait > 0:
                await asyncio.sleep(wait)
        self._last_identify[key] = time.monotonic()

    async def close(self) -> None:
        await super().close()
        self.complete_pool.shutdown(wait=False, cancel_futures=True)

    # ----- work
    def make_autocomplete(self, kind: str) -> Callable[..., Awaitable[list[app_commands.Choice[str]]]]:
        async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            loop = asyncio.get_running_loop()
            try:
                found = await asyncio.wait_for(
                    loop.run_in_executor(self.complete_pool, self.engine.complete, kind, current or "", 25),
                    AUTOCOMPLETE_TIMEOUT,
                )
            except Exception as exc:
                log.warning("autocomplete %s %r failed: %s", kind, current, exc)
                return []
            out: list[app_commands.Choice[str]] = []
            for item in found:
                value = str(item)[:100]
                if value and value not in (c.value for c in out):
                    out.append(app_commands.Choice(name=value, value=value))
            return out[:25]

        return complete

    async def run_engine(self, job: Callable[[], Awaitable["Reply"]], what: str) -> "Reply":
        """Run an engine call under the work semaphore and a timeout; never raises."""
        try:
            async with self.work:
                return await asyncio.wait_for(job(), self.settings.command_timeout)
        except asyncio.TimeoutError:
            log.warning("command %r timed out after %.0f s", what, self.settings.command_timeout)
            return Reply(text="That took too long — please try again with a narrower question.", status="error")
        except Exception as exc:
            log.error("command %r failed: %s", what, exc, exc_info=exc)
            return Reply(text=self.FRIENDLY_ERROR, status="error")

    def retry_after(self, ctx: commands.Context) -> float | None:
        bucket = self.cooldown.get_bucket(ctx.message)
        return bucket.update_rate_limit() if bucket is not None else None

    async def read_attachments(self, files: Sequence[discord.Attachment]) -> list[tuple[str, bytes]] | None:
        """The bytes of uploaded files (for admin imports); too big -> None."""
        out = []
        for a in files[:5]:
            if a.size > MAX_UPLOAD_BYTES:
                return None
            out.append((a.filename, await a.read()))
        return out

    async def run_command(self, ctx: commands.Context, line: str, files: Sequence[discord.Attachment] = ()) -> None:
        """The whole life of one command: cooldown, typing/defer, engine, reply."""
        wait = self.retry_after(ctx)
        if wait:
            await self.safe_send(ctx, f"Easy there — you can ask again in {wait:.0f} s.", ephemeral=True)
            return
        servers = self.get_cog("Servers")
        own_prefix = servers.prefix_for(ctx.guild) if isinstance(servers, ServerCog) else None
        caller = make_caller(ctx.author, ctx.guild, self.settings, ctx.channel, own_prefix)

        async def job() -> "Reply":
            uploads = await self.read_attachments(files) if files else None
            if files and uploads is None:
                return Reply(text=f"That file is too big (the limit is {MAX_UPLOAD_BYTES // 2**20} MB).", status="usage")
            if uploads:
                return await self.engine.ahandle(line, caller, attachments=uploads)
            return await self.engine.ahandle(line, caller)

        if ctx.interaction is not None:
            await ctx.defer()
            reply = await self.run_engine(job, line)
        else:
            async with ctx.typing():
                reply = await self.run_engine(job, line)
        await self.send_reply(ctx, reply)
        if isinstance(servers, ServerCog) and ctx.guild is not None:
            servers.note_reply(ctx.guild.id, reply)
        await self.announce(reply)

    async def send_reply(self, ctx: commands.Context, reply: "Reply") -> None:
        view = ReplyView(self, reply, ctx.author.id) if ReplyView.needed(reply) else None
        kw = view.render_page() if view else render(reply)
        extra: dict[str, Any] = {"ephemeral": reply.ephemeral} if ctx.interaction is not None else {}
        try:
            msg = await ctx.send(
                content=kw["content"], embeds=kw["embeds"], files=kw["files"], view=view,  # type: ignore[arg-type]
                allowed_mentions=NO_MENTIONS, **extra,
            )
        except discord.HTTPException as exc:
            log.error("sending the reply failed: %s", exc)
            await self.safe_send(ctx, self.FRIENDLY_ERROR, ephemeral=True)
            return
        if view is not None:
            view.message = msg

    async def announce(self, reply: "Reply") -> None:
        cid = self.settings.announce_channel_id
        if not cid or not reply.announcements:
            return
        channel = self.get_channel(cid)
        if channel is None or not hasattr(channel, "send"):
            log.warning("ANNOUNCE_CHANNEL_ID %s is not a channel I can see", cid)
            return
        for text in reply.announcements:
            try:
                await channel.send(clip(text, 2000), allowed_mentions=NO_MENTIONS)  # type: ignore[union-attr]
            except discord.HTTPException as exc:
                log.warning("announcement failed: %s", exc)

    async def safe_send(self, ctx: commands.Context, text: str, *, ephemeral: bool = False) -> None:
        try:
            if ctx.interaction is not None:
                await ctx.send(text, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
            else:
                await ctx.send(text, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.warning("could not send a reply: %s", exc)

    async def send_friendly_interaction(self, interaction: discord.Interaction) -> None:
        try:
            if interaction.response.is_done():
                await interaction.followup.send(self.FRIENDLY_ERROR, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(self.FRIENDLY_ERROR, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            pass

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        log.exception("unhandled error in %s", event_method)


class ShardedRaceBot(RaceBot, commands.AutoShardedBot):
    """The same bot over several gateway shards (SHARD_COUNT > 1)."""


_SHAPE_KEYS = ("name", "description", "type", "required", "autocomplete", "choices", "min_value", "max_value",
               "min_length", "max_length", "channel_types", "default_member_permissions", "nsfw", "options")


def _command_shape(commands_payload: Iterable[dict[str, Any]]) -> list[Any]:
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


def _engine_has(engine: Any, name: str) -> bool:
    try:
        return any(c.name == name or name in c.aliases for c in engine.commands)
    except Exception:
        return False


def configure_api_base(api_base: str) -> None:
    """Point discord.py's REST at ``api_base`` (the gateway then comes from /gateway/bot)."""
    Route.BASE = api_base.rstrip("/") if api_base else DEFAULT_API_BASE


def create_bot(settings: Settings, engine: "Engine", **kwargs: Any) -> RaceBot:
    """A ready-to-start bot: ``await bot.start(settings.discord_token)``."""
    configure_api_base(settings.discord_api_base)
    install_redaction(settings.discord_token)
    cls = ShardedRaceBot if settings.shard_count > 1 else RaceBot
    return cls(settings, engine, **kwargs)




async def run_bot(settings: Settings, engine: "Engine | None" = None) -> None:
    """Run until SIGINT/SIGTERM, then close the gateway and HTTP session cleanly."""
    if not settings.discord_token:
        raise SystemExit("DISCORD_TOKEN is not set (see .env.example)")
    own_engine = engine is None
    if engine is None:
        engine = Engine.open(settings.database_path, settings=settings)
    bot = create_bot(settings, engine)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            pass
    runner = asyncio.create_task(bot.start(settings.discord_token))
    stopper = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done:
            runner.result()  # re-raise a login/connection failure
        else:
            log.info("shutting down")
    finally:
        await bot.close()
        stopper.cancel()
        if not runner.done():
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
        log.error("enable the Message Content intent for the bot in the Discord Developer Portal")
        return 1
    return 0
