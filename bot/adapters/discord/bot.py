"""The bot: the cog that answers, the client, its start and clean shutdown."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from types import SimpleNamespace
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, Sequence

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord import fit
from bot.adapters.discord.arena_watch import start as start_arena_check
from bot.adapters.discord.callers import make_caller
from bot.adapters.discord.embeds import NO_MENTIONS, render
from bot.adapters.discord.metrics import Metrics
from bot.adapters.discord.gateway import HOLDER, IdentifyGate, command_shape, database_of, invite_url, wanted_intents
from bot.adapters.discord.primary import Primary
from bot.adapters.discord.progress import ProgressNote, quietly
from bot.adapters.discord.race_cog import RaceCog
from bot.adapters.discord.pacing import RestPace, count_requests
from bot.adapters.discord.server_cog import ServerCog, command_prefix
from bot.adapters.discord.slash import AUTOCOMPLETE_TIMEOUT, make_command
from bot.adapters.discord.startup import (
    NO_MESSAGE_CONTENT_LINE,
    app_has_message_content,
    sharding_options,
    wait_for_session_starts,
)
from bot.adapters.discord.views import PERSISTENT_BUTTONS, TOKEN_LIFETIME, ReplyView
from bot.config import Settings
from bot.engine import Engine, Plan
from bot.render.charts.service import default_workers
from bot.render.text import clip
from bot.reply import Reply
from bot.tickets import Ticket

log = logging.getLogger("racebot.discord")


MAX_UPLOAD_BYTES = 25 * 2**20  # the engine's import limit
TYPING_AFTER = 0.4  # seconds of work before "is typing…" is shown
RENDERS_PER_WORKER = 2  # new charts rendering at once per chart worker (their own limit, not the work slots)


class RaceBot(commands.Bot):
    """The bot. Built by :func:`create_bot`; :class:`ShardedRaceBot` when SHARD_COUNT > 1."""

    FRIENDLY_ERROR = "Sorry — something went wrong on my side. Please try again in a moment."

    def __init__(self, settings: Settings, engine: "Engine", **kwargs: Any) -> None:
        intents = wanted_intents(settings.message_content != "off")
        sharding = sharding_options(settings)
        names: dict[str, str] = {}
        for info in getattr(engine, "commands", []):
            names.update({a: info.name for a in (info.name, *info.aliases)})
        self.command_names = names  # a command word or alias -> its command (the metrics' labels)
        self.metrics = Metrics(set(names.values()))
        if settings.metrics_port is not None:
            kwargs.setdefault("http_trace", self.metrics.trace())  # every REST answer counted (429s too)
        super().__init__(
            command_prefix=command_prefix,  # the server's own prefix (settings prefix), else COMMAND_PREFIX
            intents=intents,
            allowed_mentions=NO_MENTIONS,
            help_command=None if "help" in names else commands.DefaultHelpCommand(),
            case_insensitive=True,
            strip_after_prefix=True,
            max_messages=200,
            chunk_guilds_at_startup=False,
            guild_ready_timeout=settings.guild_ready_timeout,
            heartbeat_timeout=settings.gateway_timeout,  # a zombie connection (no ACK, nothing) is replaced
            **sharding,
            **kwargs,
        )
        # discord.py keeps the Intents object it was given and reads it at each IDENTIFY: the one
        # place to stop asking for Message Content once the app flags say the app lacks it
        self.requested_intents = intents
        self.live_views: dict[int, ReplyView] = {}  # message id -> the view answering its buttons
        self.settings = settings
        self.engine = engine
        self.started_at = time.monotonic()
        self.ready_seconds: float | None = None
        self.work = asyncio.Semaphore(settings.max_concurrency)
        self.renders = asyncio.Semaphore(RENDERS_PER_WORKER * (settings.chart_workers or default_workers()))
        self.rest_pace = RestPace()
        count_requests(self.http, self.rest_pace)
        self.cooldown = commands.CooldownMapping.from_cooldown(
            settings.cooldown_rate, settings.cooldown_per, commands.BucketType.user
        )
        self._cooldown_told: dict[int, float] = {}  # user id -> end of the window they were told about
        self.complete_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="racebot-complete")
        self.identify_gate = IdentifyGate(database_of(engine), settings.identify_spacing)
        self.primary = Primary(settings.primary, database_of(engine), HOLDER)
        self.primary.on_change.append(self._role_changed)
        self.metrics.primary = lambda: self.primary.is_primary
        self._max_concurrency = 1
        self.silence = fit.SilenceLog()
        self.message_content_enabled = intents.message_content
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
        # IDENTIFY concurrency and the session start limit come from GET /gateway/bot.
        if self.settings.message_content == "auto" and self.requested_intents.message_content:
            if not app_has_message_content(self.application_flags):
                self.use_message_content(False)
        if not self.message_content_enabled:
            log.warning(NO_MESSAGE_CONTENT_LINE, self.settings.command_prefix)  # once, at start
        try:
            shards, _url, limit = await self.http.get_bot_gateway()
            self._max_concurrency = max(1, int(limit.get("max_concurrency", 1)))
            # Never start more sessions than Discord allows today: wait instead (a
            # crash loop past the limit gets the token reset).
            starting = len(self.settings.shard_ids or ()) or self.settings.shard_count or shards
            await wait_for_session_starts(self.http, limit, starting)
        except discord.DiscordException as exc:  # pragma: no cover - Discord itself down
            log.warning("GET /gateway/bot failed (%s); using the default gateway", exc)
        self.tree.error(self.on_app_command_error)
        self.add_dynamic_items(*PERSISTENT_BUTTONS)  # buttons whose view is gone (a restart) still answer
        if self.settings.metrics_port is not None:
            self.metrics.shards = self.shard_states
            self.metrics.start(self.settings.metrics_host, self.settings.metrics_port)
            self.data_age_task = asyncio.create_task(self._watch_data_age(), name="racebot-data-age")
        await self.add_cog(RaceCog(self))
        await self.add_cog(ServerCog(self))
        for info in self.engine.commands:
            try:
                self.add_command(make_command(self, info))
            except (commands.CommandRegistrationError, TypeError, ValueError) as exc:
                log.warning("command %s not registered: %s", info.name, exc)
        await self.primary.check()
        await self._role_changed(self.primary.is_primary)
        self.primary_task = asyncio.create_task(self.primary.run(), name="racebot-primary")
        self.arena_check_task = start_arena_check(self)  # LMArena's new releases, for a moderator's Confirm
        await self.warm_up  # built while the above ran; no command is read before the gateway connects

    def use_message_content(self, enabled: bool) -> None:
        """Ask (or stop asking) for the Message Content intent from the next IDENTIFY on."""
        self.requested_intents.message_content = enabled
        self.message_content_enabled = self.intents.message_content

    def warm_engine(self) -> None:
        """Build the engine's read model and start its chart workers (in a
        thread: both take a while, neither needs the event loop). Started
        first thing in ``setup_hook``, awaited at its end: the bot accepts
        no command before the read model is built."""
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
            await self._warn_global_commands_too(gid)
        local = [c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)]
        where = f"dev guild {gid}" if gid else "global"
        if not force:
            try:
                app_id = self.application_id
                remote = await (self.http.get_guild_commands(app_id, gid) if gid else self.http.get_global_commands(app_id))
                if command_shape(remote) == command_shape(local):
                    log.info("%d %s slash commands already up to date", len(local), where)
                    self.metrics.sync("unchanged")
                    return False
            except discord.HTTPException as exc:
                log.warning("could not read the registered slash commands (%s); syncing", exc)
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.Forbidden as exc:
            self.metrics.sync("failed")
            if gid is None:
                raise
            log.error(
                "DEV_GUILD_ID %s: cannot register slash commands there (%s). Is the bot in that server, "
                "invited with the applications.commands scope? Continuing without slash commands; "
                "invite link: %s", gid, exc.text or exc.status, invite_url(self.application_id or 0),
            )
            return False
        log.info("synced %d %s slash commands", len(synced), where)
        self.metrics.sync("synced")
        return True

    async def _warn_global_commands_too(self, gid: int) -> None:
        """With DEV_GUILD_ID the commands go to that guild only; global ones left
        from an earlier run would show twice there. Say so (never delete them:
        production may share the application)."""
        try:
            remote = await self.http.get_global_commands(self.application_id)  # type: ignore[arg-type]
        except discord.HTTPException:
            return
        if remote:
            log.warning("DEV_GUILD_ID %s: %d global slash commands are registered too, so the dev server lists "
                        "them twice; use a separate application for development", gid, len(remote))

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # Discord allows `max_concurrency` IDENTIFYs per 5 s, bucketed by shard_id % max_concurrency,
        # for the whole application: every process sharing the database takes its turn there.
        key = (shard_id or 0) % self._max_concurrency
        where = self.settings.discord_address or "discord"
        await self.identify_gate.wait_turn(f"{self.application_id}@{where}:{key}")

    @property
    def is_primary(self) -> bool:
        return self.primary.is_primary

    async def _role_changed(self, primary: bool) -> None:
        """The primary syncs the commands and takes changes; any other process refuses them."""
        self.engine.store.changes_refused = None if primary else await asyncio.to_thread(self.primary.refusal)
        if not primary:
            log.info("not the primary: answering only (commands, watches, digests and changes are the primary's)")
            self.metrics.sync("skipped")
        elif self.settings.sync_commands:
            try:
                await self.sync_commands()
            except discord.HTTPException as exc:
                if not self.is_ready() and not self.primary_task_started():
                    raise
                log.error("syncing the slash commands failed: %s", exc)
                self.metrics.sync("failed")

    def primary_task_started(self) -> bool:
        return getattr(self, "primary_task", None) is not None

    async def close(self) -> None:
        for name in ("data_age_task", "primary_task"):
            task = getattr(self, name, None)
            if task is not None:
                task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self.primary.release)
        await super().close()
        self.metrics.stop()
        self.complete_pool.shutdown(wait=False, cancel_futures=True)

    def shard_states(self) -> list[tuple[int, float, bool]]:
        """(shard id, heartbeat latency, connected) for each shard of this process."""
        shards = getattr(self, "shards", None)
        if isinstance(shards, dict):
            return [(sid, info.latency, not info.is_closed()) for sid, info in shards.items()]
        return [(self.shard_id or 0, self.latency, self.is_ready() and not self.is_closed())]

    async def _watch_data_age(self, every: float = 60.0) -> None:
        """Keep the data-age gauge current (read in a thread, once a minute)."""
        from bot.store import queries

        while True:
            try:
                dates = await asyncio.to_thread(queries.source_dates, self.engine.store)
                self.metrics.data_dates(dates)
            except Exception as exc:  # metrics never take the bot down
                log.debug("data age not read: %s", exc)
            await asyncio.sleep(every)

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

    async def run_engine(self, job: Callable[[], Awaitable["Reply"]], what: str, *, ticket: Ticket | None = None,
                         long: bool = False, interim: Callable[[str], Awaitable[None]] | None = None) -> "Reply":
        """Run an engine call under the work semaphore and a time limit; never raises.

        The time-out is honest (:mod:`bot.tickets`): when the time is up the
        request's `ticket` is cancelled, and a cancelled request never commits
        a change, so "stopped, nothing was changed" is true. If its change was
        already being committed, the reply says so (`interim`) and the real
        result follows. Long work (imports) gets ``IMPORT_TIMEOUT`` instead of
        ``COMMAND_TIMEOUT`` and shows progress meanwhile."""
        limit = self.settings.import_timeout if long else self.settings.command_timeout
        try:
            async with self.work:
                task = asyncio.ensure_future(job())
                done, _ = await asyncio.wait({task}, timeout=limit)
                if task in done:
                    return task.result()
                if ticket is None or ticket.cancel():
                    task.add_done_callback(quietly)  # it stops at its next check; its answer is dropped
                    log.warning("command %r stopped after %.0f s", what, limit)
                    return Reply(text="That took too long and was stopped; nothing was changed. Please try again "
                                      "(a narrower question answers faster).", status="error", data={"cancelled": True})
                log.warning("command %r is past %.0f s but already saving its change; waiting for it", what, limit)
                if interim is not None:
                    await interim("That took a while: the change is being saved now. The result follows.")
                return await task
        except Exception as exc:
            log.error("command %r failed: %s", what, exc, exc_info=exc)
            return Reply(text=self.FRIENDLY_ERROR, status="error")

    def retry_after(self, ctx: commands.Context) -> float | None:
        bucket = self.cooldown.get_bucket(ctx.message)
        return bucket.update_rate_limit() if bucket is not None else None

    def retry_after_click(self, user: discord.abc.User) -> float | None:
        """The same per-user cooldown for a button that runs a command (a
        suggestion): every path that makes the engine work counts."""
        bucket = self.cooldown.get_bucket(SimpleNamespace(author=user))
        return bucket.update_rate_limit() if bucket is not None else None

    def upload_problem(self, plan: Plan, files: Sequence[discord.Attachment]) -> "Reply | None":
        """Why the attached files will not be read (a reply), or None when the
        one file may be downloaded. Nothing is downloaded for a command that
        takes no file, for anyone who may not run it (the permission check
        comes first), for more than one file, or for a file whose size, as
        Discord reports it, is over the limit."""
        if not files or not plan.upload:
            return None
        if len(files) != 1:
            return Reply(text="Attach exactly one CSV file. Nothing was read or imported.", status="usage")
        if files[0].size > MAX_UPLOAD_BYTES:
            return Reply(text=f"That file is {files[0].size / 2**20:.1f} MB; the limit is "
                              f"{MAX_UPLOAD_BYTES // 2**20} MB. Nothing was read or imported.", status="usage")
        return None

    def cooldown_notice_due(self, ctx: commands.Context, wait: float) -> bool:
        """One cooldown notice per window, then silence: a user hammering the
        bot gets one "Easy there", not one per message. Slash commands
        always get theirs (only the user sees it, and Discord wants an answer)."""
        if ctx.interaction is not None:
            return True
        now = time.monotonic()
        until = self._cooldown_told.get(ctx.author.id)
        if until is not None and now < until:
            return False
        if len(self._cooldown_told) > 10_000:  # forget windows that are over
            self._cooldown_told = {k: v for k, v in self._cooldown_told.items() if v > now}
        self._cooldown_told[ctx.author.id] = now + wait
        return True

    def channel_permissions(self, ctx: commands.Context) -> discord.Permissions | None:
        """The bot's permissions where ``ctx`` happened (None: DMs, or an interaction,
        whose answers go through the interaction and need no channel permission)."""
        if ctx.interaction is not None:
            return None
        return fit.permissions_in(ctx.channel, ctx.me)

    def may_send(self, ctx: commands.Context) -> bool:
        """Whether the bot may post in ``ctx``'s channel; if not, one INFO line and silence."""
        perms = self.channel_permissions(ctx)
        if fit.can_send(ctx.channel, perms):
            return True
        self.silence.note(ctx.channel, fit.missing_send_permission(ctx.channel))
        return False

    async def run_command(self, ctx: commands.Context, line: str, files: Sequence[discord.Attachment] = ()) -> None:
        """The whole life of one command: cooldown, typing/defer, engine, reply."""
        if not self.may_send(ctx):
            return
        wait = self.retry_after(ctx)
        if wait:
            if self.cooldown_notice_due(ctx, wait):
                await self.safe_send(ctx, f"Easy there — you can ask again in {wait:.0f} s.", ephemeral=True)
            return
        servers = self.get_cog("Servers")
        own_prefix = servers.prefix_for(ctx.guild) if isinstance(servers, ServerCog) else None
        caller = make_caller(ctx.author, ctx.guild, self.settings, ctx.channel, own_prefix)
        plan = self.engine.plan(line, caller)  # read once: the upload, the time limit and the answer follow it
        refusal = self.upload_problem(plan, files)
        wanted = list(files) if files and refusal is None and plan.upload else []

        started = time.monotonic()
        long = plan.long
        note = ProgressNote(ctx, self.settings.progress_every) if long else None
        ticket = Ticket(on_progress=note.report if note else None)

        chart_key: list[tuple | None] = [None]

        async def job() -> "Reply":  # the answer in a work slot; its chart is rendered after, in its own slots
            if refusal is not None:
                return refusal
            uploads = [(wanted[0].filename, await wanted[0].read())] if wanted else None
            reply, chart_key[0] = await self.engine.aanswer(plan, caller, attachments=uploads, ticket=ticket)
            return reply

        async def interim(text: str) -> None:
            await self.safe_send(ctx, text, ephemeral=True)

        if ctx.interaction is not None:
            await ctx.defer()  # at once: Discord wants an answer within 3 s, the engine may take longer
            ctx.interaction.extras["public_defer"] = True
            reply = await self.run_engine(job, line, ticket=ticket, long=long, interim=interim)
        else:
            reply = await self.typing_while(ctx, self.run_engine(job, line, ticket=ticket, long=long, interim=interim))
        reply = await self.engine.arender(reply, chart_key[0], self.renders)  # no typing: the answer is on its way
        if note is not None:
            await note.finish()
        words = line.split(maxsplit=1)
        self.metrics.command(self.command_names.get(words[0].lower(), "other") if words else "other", reply.status,
                             time.monotonic() - started)
        await self.send_reply(ctx, reply)
        if isinstance(servers, ServerCog) and ctx.guild is not None:
            servers.note_reply(ctx.guild.id, reply)
        await self.announce(reply)

    async def typing_while(self, ctx: commands.Context, work: Awaitable["Reply"]) -> "Reply":
        """Await ``work``, showing "RaceBot is typing…" only if it takes longer than
        ``TYPING_AFTER``. Most answers take milliseconds; a typing call for each
        would be a second REST request per command against Discord's 50 requests
        per second for the whole bot, halving what it can answer under load.
        Skipped, too, when the global REST bucket is low (``pacing``): the
        answer itself needs those requests.
        (run_command checked the bot may send here; typing needs that too.)"""
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=TYPING_AFTER)
        if done:
            return task.result()
        if self.rest_pace.low(self.http):
            return await task
        try:
            async with ctx.typing():
                return await task
        except discord.HTTPException as exc:  # the typing call itself failed: the answer still matters
            log.info("typing indicator failed: %s", exc)
            return await task

    async def send_reply(self, ctx: commands.Context, reply: "Reply") -> None:
        perms = self.channel_permissions(ctx)
        reply = await fit.shape(reply, perms, fit.upload_limit(ctx))
        view = ReplyView(self, reply, ctx.author.id) if ReplyView.needed(reply) else None
        kw = fit.fit(view.render_page() if view else render(reply), perms)
        if reply.ephemeral and ctx.interaction is not None:
            await self._drop_public_defer(ctx.interaction)  # the private answer then goes out as its own follow-up
        extra: dict[str, Any] = {"ephemeral": reply.ephemeral} if ctx.interaction is not None else {}
        try:
            msg: Any
            if ctx.interaction is not None and ctx.interaction.extras.get("public_defer"):
                # the answer to a deferred command replaces its "thinking" message
                msg = await ctx.interaction.edit_original_response(
                    content=kw["content"], embeds=kw["embeds"], attachments=kw["files"],
                    view=view if view is not None else discord.utils.MISSING, allowed_mentions=NO_MENTIONS,
                )
            else:
                msg = await ctx.send(
                    content=kw["content"], embeds=kw["embeds"], files=kw["files"], view=view,  # type: ignore[arg-type]
                    allowed_mentions=NO_MENTIONS, **extra,
                )
        except discord.HTTPException as exc:
            log.error("sending the reply failed: %s", exc)
            self.metrics.error("send")
            await self.safe_send(ctx, self.FRIENDLY_ERROR, ephemeral=True)
            return
        if ctx.interaction is not None:
            ctx.interaction.extras.pop("public_defer", None)
        if view is not None:
            view.remember(msg)
            if ctx.interaction is not None:
                view.token_expires = time.monotonic() + TOKEN_LIFETIME - _age(ctx.interaction)

    async def _drop_public_defer(self, interaction: discord.Interaction) -> bool:
        """After a public defer, the first follow-up replaces the public "thinking"
        message and cannot be private. To answer privately, delete that message
        first; the follow-up is then a message of its own, ephemeral as asked."""
        if not interaction.extras.pop("public_defer", False):
            return False
        try:
            await interaction.delete_original_response()
        except discord.HTTPException as exc:
            log.debug("could not remove the thinking message: %s", exc)
        return True

    async def announce(self, reply: "Reply") -> None:
        """Post the reply's announcements in ANNOUNCE_CHANNEL_ID, over REST by the channel's id:
        the channel may be in a server another process's shard holds (Discord then decides)."""
        cid = self.settings.announce_channel_id
        if not cid or not reply.announcements:
            return
        channel: Any = self.get_channel(cid)
        if channel is None:  # not in this process's cache: another shard's server, or gone
            channel = self.get_partial_messageable(cid)
        elif not hasattr(channel, "send"):
            log.warning("ANNOUNCE_CHANNEL_ID %s is not a channel I can post in", cid)
            return
        guild = getattr(channel, "guild", None)
        if not fit.can_send(channel, fit.permissions_in(channel, guild.me if guild else None)):
            self.silence.note(channel, fit.missing_send_permission(channel))
            return
        for text in reply.announcements:
            try:
                await channel.send(clip(text, 2000), allowed_mentions=NO_MENTIONS)  # type: ignore[union-attr]
            except discord.HTTPException as exc:
                log.warning("announcement failed: %s", exc)

    async def safe_send(self, ctx: commands.Context, text: str, *, ephemeral: bool = False) -> None:
        if not self.may_send(ctx):
            return
        try:
            if ctx.interaction is not None:
                if ephemeral:
                    await self._drop_public_defer(ctx.interaction)
                elif ctx.interaction.extras.pop("public_defer", False):
                    await ctx.interaction.edit_original_response(content=text, allowed_mentions=NO_MENTIONS)
                    return
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

    async def on_app_command_error(self, interaction: discord.Interaction,
                                   error: app_commands.AppCommandError) -> None:
        """Errors of slash commands that never reach a command (an old command set
        after a deploy, a failed check): a short private answer, never silence."""
        if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
            text = "That command changed or is gone; it will be up to date in a moment. Please try again."
        elif isinstance(error, app_commands.TransformerError):
            text = f"I couldn't read that: {error}"[:300]
        elif isinstance(error, app_commands.CheckFailure):
            text = "You can't use that command here."
        else:
            log.error("slash command failed: %s", error, exc_info=getattr(error, "original", error))
            text = self.FRIENDLY_ERROR
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as exc:
            log.debug("could not answer a failed slash command: %s", exc)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        self.metrics.error("event")
        log.exception("unhandled error in %s", event_method)


def _age(interaction: discord.Interaction) -> float:
    """Seconds since Discord created ``interaction`` (its token's age)."""
    return max(0.0, (discord.utils.utcnow() - interaction.created_at).total_seconds())
