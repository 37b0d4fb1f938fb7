"""Every server its own, on Discord: per-server prefixes, watch alerts, weekly digests.

:class:`ServerCog` is added by the bot at start. It

* keeps each server's prefix in memory (loaded at start off the loop,
  updated when ``settings prefix`` answers), for ``command_prefix``;
* evaluates watches after every data change: the store's change event (an
  import, a sync, a moderator's edit in this process) wakes it at once, and a
  cheap poll of ``data_version`` catches changes other processes made to the
  same database; the evaluation runs off the loop (:class:`bot.commands.alerts.AlertPlanner`);
* posts a weekly digest on each server's day, on an injectable clock;
* runs in the primary process only (:mod:`bot.adapters.discord.primary`),
  for every server with watches or a digest, posting over REST by channel
  id, so a server another process's shard holds is served too; where this
  process holds the server, only where the bot may (channel permissions
  checked first); a failure is recorded once, so ``settings`` shows why;
  never pinging anyone, charts only if the server has them on;
* forgets a server's settings and watches when the bot is removed from it
  (audited).
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Callable

import discord
from discord.ext import commands

from bot.adapters.discord import fit
from bot.adapters.discord.embeds import NO_MENTIONS, render
from bot.caller import Caller
from bot.commands.alerts import AlertPlanner, Outgoing
from bot.commands.server import valid_prefix
from bot.render.text import fit_reply
from bot.reply import Reply

log = logging.getLogger("racebot.servers")

POLL_SECONDS = 15.0  # how often other processes' data changes are looked for
PUBLIC = Caller(user_id="racebot", name="racebot")  # renders alert charts and digests: no authority


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class ServerCog(commands.Cog, name="Servers"):
    def __init__(self, bot: commands.Bot, *, clock: Callable[[], datetime] = utcnow,
                 poll_seconds: float | None = None) -> None:
        self.bot = bot
        self.engine = bot.engine  # type: ignore[attr-defined]
        self.planner = AlertPlanner(self.engine.store, self.engine.refresh)
        self.clock = clock
        self.poll_seconds = poll_seconds or float(getattr(bot.settings, "watch_poll_seconds", POLL_SECONDS))  # type: ignore[attr-defined]
        self.prefixes: dict[int, str] = {}
        self._changed = asyncio.Event()
        self._digest_wake = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self.posted: list[tuple[int, str]] = []  # (channel id, what) for logs and tests
        self.evaluations = 0  # watch passes done (tests wait on these)
        self.digest_passes = 0

    # -- life cycle --------------------------------------------------------------------
    async def cog_load(self) -> None:
        rows = await asyncio.to_thread(self.planner.servers.prefixes)
        self.prefixes = {int(g): p for g, p in rows.items()}
        loop = asyncio.get_running_loop()

        def changed() -> None:  # called in the writer's thread
            try:
                loop.call_soon_threadsafe(self._changed.set)
            except RuntimeError:  # the loop is closed: this bot is gone
                pass

        self._listener = changed
        self.engine.store.on_change(changed)
        self._tasks = [asyncio.create_task(self._watch_loop(), name="racebot-watches"),
                       asyncio.create_task(self._digest_loop(), name="racebot-digests")]

    async def cog_unload(self) -> None:
        self.engine.store.off_change(getattr(self, "_listener", None))
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            try:
                await t
            except (asyncio.CancelledError, Exception):
                pass

    def data_changed(self) -> None:
        """Evaluate watches now, as the store's change listener does (the tests call it)."""
        self._changed.set()

    def wake_digests(self) -> None:
        """Look at the clock again now (tests move a fake clock, then call this)."""
        self._digest_wake.set()

    async def owned(self) -> list[int]:
        """The servers this process posts for: every server with watches or a digest when
        it is the primary (posting needs no gateway shard), none otherwise."""
        if not getattr(self.bot, "is_primary", True):
            return []
        held = {g.id for g in self.bot.guilds}
        return sorted(held | await asyncio.to_thread(self._servers_with_work))

    def _servers_with_work(self) -> set[int]:
        servers = self.planner.servers
        return {int(g) for g in servers.watched_guilds()} | {int(s.guild_id) for s in servers.digest_guilds()}

    # -- prefixes ----------------------------------------------------------------------
    def prefix_for(self, guild: discord.abc.Snowflake | None) -> str:
        default = self.bot.settings.command_prefix  # type: ignore[attr-defined]
        own = self.prefixes.get(guild.id) if guild is not None else None
        return own if own and valid_prefix(own) else default  # a letters-only prefix stored before the rule: not used

    def note_reply(self, guild_id: int | None, reply: Reply) -> None:
        """Keep the prefix cache right after a ``settings`` answer in this server."""
        s = reply.data.get("settings") if isinstance(reply.data, dict) else None
        if guild_id is None or not isinstance(s, dict) or "prefix" not in s:
            return
        if s["prefix"]:
            self.prefixes[guild_id] = s["prefix"]
        else:
            self.prefixes.pop(guild_id, None)

    # -- watches -----------------------------------------------------------------------
    async def _watch_loop(self) -> None:
        await self.bot.wait_until_ready()
        while not self.bot.is_closed():
            try:
                await asyncio.wait_for(self._changed.wait(), self.poll_seconds)
            except asyncio.TimeoutError:
                pass
            self._changed.clear()
            try:
                await self.check_watches()
            except Exception:
                log.exception("watch evaluation failed")

    async def check_watches(self) -> list[Outgoing]:
        """Evaluate and post the alerts of the servers this process holds."""
        owned = await self.owned()
        if not owned:
            return []
        out = await asyncio.to_thread(self.planner.alerts, owned)
        self.evaluations += 1
        for o in out:
            await self.post_alert(o)
        return out

    async def post_alert(self, o: Outgoing) -> None:
        a = o.alert
        what = f"watch #{a.watch_id}"
        channel = await self.target(int(o.guild_id), o.channel_id, what)
        if channel is None:  # checked before any chart is drawn
            return
        reply = Reply(title=a.title, description=a.text, footer=a.footer, data=a.data)
        perms = fit.permissions_in(channel, getattr(getattr(channel, "guild", None), "me", None))
        if o.charts and a.chart_line and (perms is None or perms.attach_files):
            chart = await self.engine.ahandle(a.chart_line, PUBLIC)
            reply.files = [f for f in chart.files if f.content_type.startswith("image/")][:1]
            reply.color_key = chart.color_key
        await self.post(int(o.guild_id), o.channel_id, reply, what=what)

    # -- digests -----------------------------------------------------------------------
    async def _digest_loop(self) -> None:
        await self.bot.wait_until_ready()
        while not self.bot.is_closed():
            try:
                await self.post_due_digests()
                owned = await self.owned()
                wait = await asyncio.to_thread(self.planner.seconds_until_next_digest, owned, self.clock())
            except Exception:
                log.exception("digest scheduling failed")
                wait = 60.0
            try:
                await asyncio.wait_for(self._digest_wake.wait(), wait)
            except asyncio.TimeoutError:
                pass
            self._digest_wake.clear()

    async def post_due_digests(self) -> int:
        owned = await self.owned()
        due = await asyncio.to_thread(self.planner.due_digests, owned, self.clock())
        for s in due:
            if await self.target(int(s.guild_id), s.channel_id, "digest") is None:
                continue
            last = s.last_digest_day()  # the digest before this one: only what came after it
            reply = await self.engine.ahandle(f"digest since {last}" if last else "digest", PUBLIC, render=s.charts)
            if s.digest == "news" and reply.data.get("no_news"):
                continue  # this server skips a week without a new board
            await self.post(int(s.guild_id), s.channel_id, reply, what="digest")
        self.digest_passes += 1
        return len(due)

    # -- posting -----------------------------------------------------------------------
    async def target(self, guild_id: int, channel_id: str | None, what: str) -> Any:
        """The channel to post in, if this process holds the server and the bot
        may post there; otherwise None, and the reason recorded (once)."""
        guild = self.bot.get_guild(guild_id)
        if guild is None:  # another process's shard holds it: post by the channel's id, Discord decides
            if not channel_id:
                await self._problem(guild_id, f"Could not post the {what}: no channel is set: a server manager "
                                              "can pick one with `settings channel #name`.")
                return None
            return self.bot.get_partial_messageable(int(channel_id), guild_id=guild_id)
        # a thread is not among the server's channels: a watch made in a thread posts in that thread
        channel = guild.get_channel_or_thread(int(channel_id)) if channel_id else None
        if channel is None or not isinstance(channel, discord.abc.Messageable):
            why = ("no channel is set: a server manager can pick one with `settings channel #name`" if not channel_id
                   else f"the channel {channel_id} no longer exists or is not a text channel")
            await self._problem(guild_id, f"Could not post the {what}: {why}.")
            return None
        perms = channel.permissions_for(guild.me)
        send = ("Send Messages in Threads", perms.send_messages_in_threads) if isinstance(channel, discord.Thread) \
            else ("Send Messages", perms.send_messages)
        missing = [n for n, ok in (("View Channel", perms.view_channel), send) if not ok]
        if missing:
            await self._problem(guild_id, f"Could not post the {what} in #{channel.name}: the bot lacks "
                                          f"{' and '.join(missing)} there.")
            return None
        return channel

    async def post(self, guild_id: int, channel_id: str | None, reply: Reply, *, what: str) -> bool:
        """Send `reply` to the channel if the bot may; otherwise record why (once).
        Alerts carry names from the data: they are fitted and made inert
        (mentions, masked links, line-start markdown, fences) like every reply."""
        channel = await self.target(guild_id, channel_id, what)
        if channel is None:
            return False
        reply = fit_reply(reply)
        guild = getattr(channel, "guild", None)  # None: another shard's server, known by id only
        perms = fit.permissions_in(channel, getattr(guild, "me", None))
        # the same words as plain text without Embed Links; an alert is one message, its first page
        limit = getattr(guild, "filesize_limit", None) or fit.DEFAULT_UPLOAD_LIMIT
        reply = fit.for_channel(reply, perms, limit)
        kw = fit.fit(render(reply), perms)
        try:
            await channel.send(content=kw["content"], embeds=kw["embeds"], files=kw["files"],
                               allowed_mentions=NO_MENTIONS)
        except discord.Forbidden as exc:
            await self._problem(guild_id, f"Could not post the {what} in #{getattr(channel, 'name', channel.id)}: "
                                          f"Discord refused "
                                          f"({exc.text or exc.status}).")
            return False
        except discord.HTTPException as exc:
            log.warning("posting the %s in guild %s failed: %s", what, guild_id, exc)
            return False
        self.posted.append((channel.id, what))
        await asyncio.to_thread(self.planner.servers.note_post_error, guild_id, None)
        return True

    async def _problem(self, guild_id: int, why: str) -> None:
        changed = await asyncio.to_thread(self.planner.servers.note_post_error, guild_id, why)
        if changed:  # log a problem once, not on every try
            log.warning("guild %s: %s", guild_id, why)

    # -- the bot leaves a server ----------------------------------------------------------
    def _mine(self, guild_id: int) -> bool:
        """Whether this process's shards hold `guild_id` (Discord's rule: (id >> 22) % shard count)."""
        count = getattr(self.bot, "shard_count", None) or 1
        ids = getattr(self.bot, "shard_ids", None) or [getattr(self.bot, "shard_id", None) or 0]
        return (guild_id >> 22) % count in set(ids)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Servers that removed the bot while it was offline: READY lists every
        server the bot is in (unavailable ones too), so a server of ours with
        settings or watches that READY does not list is gone; its rows are
        dropped, each audited, as when the removal happens while online."""
        present = {g.id for g in self.bot.guilds}
        servers = self.planner.servers
        stored = await asyncio.to_thread(
            lambda: {int(r["guild_id"]) for r in servers.store.query(
                "SELECT guild_id FROM guild_settings UNION SELECT guild_id FROM watches")})
        for gid in sorted(stored - present):
            if not self._mine(gid):
                continue  # another process's shard holds it
            n = await asyncio.to_thread(servers.drop_guild, gid, "discord",
                                        "the bot was no longer in the server when it started")
            self.prefixes.pop(gid, None)
            if n:
                log.info("guild %s left while the bot was offline: its settings and %d watch(es) dropped (audited)",
                         gid, n - 1)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        n = await asyncio.to_thread(self.planner.servers.drop_guild, guild.id, "discord",
                                    "the bot was removed from the server")
        self.prefixes.pop(guild.id, None)
        if n:
            log.info("removed from guild %s: its settings and %d watch(es) dropped (audited)", guild.id, n - 1)


def command_prefix(bot: commands.Bot, message: discord.Message) -> list[str]:
    """``command_prefix`` for discord.py: the server's own prefix, or the default; a mention always works.

    The mention comes first, with or without a space after it (``<@bot>ask``
    and ``<@bot>\nask`` too): a mention always reads as the bot's own prefix,
    whatever the server's prefix is."""
    cog = bot.get_cog("Servers")
    prefix = cog.prefix_for(message.guild) if isinstance(cog, ServerCog) else bot.settings.command_prefix  # type: ignore[attr-defined]
    me = bot.user.id if bot.user else None
    mentions = [f"<@{me}> ", f"<@!{me}> ", f"<@{me}>", f"<@!{me}>"] if me else []
    return [*mentions, prefix]
