"""A loopback Discord: REST (API v10) and gateway websocket on 127.0.0.1.

The real discord.py client connects to it over real sockets: point
``discord.http.Route.BASE`` at :attr:`DiscordSimulator.api_base` and the
gateway URL comes from ``GET /gateway/bot``. Tests drive it through Python
methods (create guilds, type messages, run slash commands, click buttons,
inject faults) and assert on what it recorded.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import os
import re
import secrets
import shutil
import ssl
import subprocess
import tempfile
import time
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from aiohttp import WSMsgType, web

from .models import (
    APP_FLAG_GATEWAY_GUILD_MEMBERS_LIMITED,
    APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED,
    APP_FLAG_GATEWAY_PRESENCE_LIMITED,
    ATTACH_FILES,
    EMBED_LINKS,
    EVERYONE_PERMISSIONS,
    GUILD_FORUM,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILD_PRESENCES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    MANAGE_GUILD,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
    SimOverwrite,
    Fault,
    GatewaySession,
    RestCall,
    SimAttachment,
    SimChannel,
    SimGuild,
    SimInteraction,
    SimMember,
    SimMessage,
    SimRole,
    SimUser,
    SnowflakeFactory,
    dumps,
    iso,
)

try:  # optional: discord.py asks for zstd-stream when a zstd module is importable
    import zstandard as _zstd  # type: ignore
except ImportError:  # pragma: no cover - depends on the environment
    _zstd = None

log = logging.getLogger("discord_sim")

# fire-and-forget tasks (closing or writing to a socket) are held here until they finish:
# the event loop keeps only weak references, so an unheld task may vanish mid-way
_BACKGROUND: set[asyncio.Future[Any]] = set()


def _spawn(aw: Any) -> None:
    fut = asyncio.ensure_future(aw)
    _BACKGROUND.add(fut)
    fut.add_done_callback(_BACKGROUND.discard)

API_PREFIX = "/api/v10"
DISCORD_GATEWAY = "wss://gateway.discord.gg"
TLS_NAMES = ("discord.com", "gateway.discord.gg", "*.discord.gg", "*.discord.com", "cdn.discordapp.com")


def _make_certificate(folder: str) -> str:
    """A self-signed certificate for Discord's host names (EC P-256, two days); returns its path."""
    cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    names = ",".join(f"DNS:{n}" for n in TLS_NAMES)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=discord.com",
                    "-addext", f"subjectAltName={names}"], check=True, capture_output=True, timeout=30)
    return cert

# Gateway opcodes
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE, OP_VOICE = 0, 1, 2, 3, 4
OP_RESUME, OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION = 6, 7, 8, 9
OP_HELLO, OP_HEARTBEAT_ACK = 10, 11

# Close codes after which the session cannot be resumed (the client gets op 9 on RESUME).
NON_RESUMABLE_CODES = {4007, 4009}


CALL_KEY = web.RequestKey("call", RestCall)

# How long the wait_* helpers wait by default. Every wait is on an event, so a
# working bot never gets near it; it only bounds a broken one, and it is
# generous so that a loaded machine (``make test-stress``) cannot fail a test.
DEFAULT_WAIT = 60.0


@dataclass
class RateBucket:
    """One fixed-window rate limit, as Discord's headers describe it: ``limit``
    requests per ``window`` seconds, the window starting with the first request."""

    name: str
    limit: int
    window: float
    remaining: int = 0
    reset_at: float = 0.0

    def take(self, now: float) -> float | None:
        """Count one request; the seconds to wait when the bucket is empty."""
        if now >= self.reset_at:
            self.remaining, self.reset_at = self.limit, now + self.window
        if self.remaining <= 0:
            return self.reset_at - now
        self.remaining -= 1
        return None


# Per-route limits the simulator applies (method regex, route template regex,
# limit, window s). Discord says not to hard-code its limits; these are the
# commonly observed ones and give the bot realistic headers to follow:
# creating messages is 5 per 5 s per channel.
ROUTE_LIMITS: list[tuple[str, str, int, float]] = [
    ("POST", r"/channels/\{id\}/messages", 5, 5.0),
    ("PATCH|DELETE", r"/channels/\{id\}/messages/\{id\}", 5, 5.0),
    ("POST", r"/channels/\{id\}/typing", 5, 5.0),
    (".*", r"/webhooks/\{id\}/\{token\}.*", 5, 2.0),
]
GLOBAL_LIMIT = (50, 1.0)  # requests per second for a bot, interaction endpoints excepted
INVALID_STATUSES = {401, 403, 429}


class SimTimeout(AssertionError):
    """A wait_* helper ran out of time (an AssertionError so pytest shows it plainly)."""


class GatewayConnection:
    """One websocket: compression, send, and what it has seen."""

    def __init__(self, sim: "DiscordSimulator", ws: web.WebSocketResponse, request: web.Request) -> None:
        self.sim = sim
        self.ws = ws
        self.request = request
        self.path = request.path
        self.compress = request.query.get("compress")
        self.encoding = request.query.get("encoding", "json")
        self.version = request.query.get("v")
        self._zlib = zlib.compressobj() if self.compress == "zlib-stream" else None
        self._zstd = None
        if self.compress == "zstd-stream" and _zstd is not None:
            self._zstd = _zstd.ZstdCompressor().compressobj()
        self.session: GatewaySession | None = None
        self.received: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.raw_bytes = 0
        self.wire_bytes = 0
        self.heartbeats = 0
        self.heartbeat_requests = 0  # op 1 sent by the simulator to this connection
        self.received_at: list[float] = []  # monotonic times of the client's payloads (120 a minute)
        self.zombie = False  # a half-open connection: nothing reaches the client any more, not even ACKs
        self.closed = False
        self._send_lock = asyncio.Lock()

    async def send(self, payload: dict[str, Any]) -> None:
        await self.send_many([payload])

    async def send_many(self, payloads: list[dict[str, Any]]) -> None:
        async with self._send_lock:
            for payload in payloads:
                await self._send_locked(payload)

    async def _send_locked(self, payload: dict[str, Any]) -> None:
        if self.ws.closed or self.zombie:
            return
        raw = dumps(payload).encode()
        self.sent.append(payload)
        self.raw_bytes += len(raw)
        if self._zlib is not None:
            data = self._zlib.compress(raw) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        elif self._zstd is not None:
            data = self._zstd.compress(raw) + self._zstd.flush(_zstd.COMPRESSOBJ_FLUSH_BLOCK)
        else:
            self.wire_bytes += len(raw)
            await self.ws.send_str(raw.decode())
            return
        self.wire_bytes += len(data)
        await self.ws.send_bytes(data)


class DiscordSimulator:
    """The simulated Discord. Use as ``async with DiscordSimulator() as sim:``."""

    def __init__(
        self,
        *,
        token: str = "sim-token.XXXX.secret",
        bot_name: str = "RaceBot",
        heartbeat_interval_ms: int = 41250,
        recommended_shards: int | None = None,
        max_concurrency: int = 1,
        request_log_limit: int = 10000,
        message_content_intent: bool = False,
        members_intent: bool = False,
        presences_intent: bool = False,
        rate_limits: bool = True,
        interaction_deadline: float = 3.0,
        token_lifetime: float = 15 * 60.0,
        session_start_total: int = 1000,
        session_start_window: float = 24 * 3600.0,
        max_guilds_per_shard: int = 2500,
        guilds_per_recommended_shard: int = 1000,
        invalid_request_limit: int = 10000,
        invalid_request_window: float = 600.0,
        ban_seconds: float = 3600.0,
        attachment_size_limit: int = 10 * 2**20,
        command_creates_per_day: int = 200,
        gateway_sends_per_minute: int = 120,
        identify_window: float = 5.0,
    ) -> None:
        """Strict by default: the app has no privileged intents enabled, REST
        calls are rate limited (per route and globally) and checked against
        channel permissions, interactions must be answered within 3 s and their
        tokens die after 15 minutes, IDENTIFY counts against the session start
        limit. The keyword arguments are the app's settings in the Developer
        Portal (the intents) or Discord's own numbers, which a test may shrink
        (a 2 s session start window instead of 24 h) to exercise a rule quickly.
        ``rate_limits=False`` is the one leniency, for tests that measure
        something else at a volume Discord would slow down."""
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.recommended_shards = recommended_shards  # None: one per 1,000 guilds, as Discord recommends
        self.max_concurrency = max_concurrency  # session_start_limit.max_concurrency of /gateway/bot
        self.request_log_limit = request_log_limit
        self.message_content_intent = message_content_intent
        self.members_intent = members_intent
        self.presences_intent = presences_intent
        self.rate_limits = rate_limits
        self.interaction_deadline = interaction_deadline
        self.token_lifetime = token_lifetime
        self.session_start_total = session_start_total
        self.session_start_window = session_start_window
        self.session_starts: list[float] = []  # monotonic times of IDENTIFYs counted against the limit
        self.max_guilds_per_shard = max_guilds_per_shard
        self.guilds_per_recommended_shard = guilds_per_recommended_shard
        self.invalid_request_limit = invalid_request_limit
        self.invalid_request_window = invalid_request_window
        self.ban_seconds = ban_seconds
        # the upload limit of every channel here (a guild without boosts: 10 MiB), also the interactions'
        # `attachment_size_limit` (https://discord.com/developers/docs/reference#uploading-files)
        self.attachment_size_limit = attachment_size_limit
        self.refused_uploads: list[list[int]] = []  # file sizes of requests refused with 413
        self.command_creates_per_day = command_creates_per_day
        self.command_creates: dict[int | None, list[float]] = {}  # scope (guild id, None global) -> times
        self.gateway_sends_per_minute = gateway_sends_per_minute
        self.identify_window = identify_window
        self.concurrency_refusals: list[dict[str, Any]] = []  # IDENTIFYs answered op 9 (max_concurrency)
        self.heartbeat_requests = 0  # op 1 sent to clients
        self.gateway_rate_limited: list[int] = []  # connections closed 4008 (their count of sends)
        self._identified_at: dict[int, float] = {}  # rate-limit key -> time of its last IDENTIFY
        self.invalid_requests: list[tuple[float, int, str]] = []  # (time, status, path) of 401/403/429s
        self.banned_until = 0.0
        self.token_resets = 0
        self.clock_offset = 0.0  # advance_time() moves the simulator's clock for the interaction rules
        self._buckets: dict[str, RateBucket] = {}
        self._global_bucket = RateBucket("global", *GLOBAL_LIMIT)
        self.command_overrides: dict[tuple[int, str], set[int]] = {}  # (guild, command) -> role/user ids allowed
        self.ids = SnowflakeFactory()

        self.users: dict[int, SimUser] = {}
        self.guilds: dict[int, SimGuild] = {}
        self.channels: dict[int, SimChannel] = {}
        self.messages: dict[int, SimMessage] = {}
        self.interactions: dict[int, SimInteraction] = {}
        self._uploads: dict[int, SimAttachment] = {}  # files given to slash commands
        self.attachment_downloads: list[int] = []  # ids of attachments the bot downloaded
        self._interactions_by_token: dict[str, SimInteraction] = {}

        self.bot_user = self.create_user(bot_name, bot=True)
        self.application_id = self.bot_user.id
        self.owner = self.create_user("app-owner")

        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}

        self.rest_calls: list[RestCall] = []
        self.faults: list[Fault] = []
        self.sessions: dict[str, GatewaySession] = {}
        self.connections: list[GatewayConnection] = []
        self.identifies: list[dict[str, Any]] = []  # IDENTIFY payloads ('d'), token redacted
        self.refused_identifies: list[dict[str, Any]] = []  # IDENTIFYs closed with 4004/4011/4014
        self.resumes: list[dict[str, Any]] = []

        self._changed: asyncio.Condition | None = None
        self.stopping = False
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self.port: int = 0

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> "DiscordSimulator":
        self._changed = asyncio.Condition()
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self._gateway_handler)  # wss://gateway.discord.gg/?v=10...
        app.router.add_get("/gateway", self._gateway_handler)
        app.router.add_get("/resume-gateway", self._gateway_handler)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._get_attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest_dispatch)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await self._site.start()
        server = self._site._server  # the bound asyncio server; port 0 picked a free one
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        # Discord itself, as a client meets it: https://discord.com and wss://gateway.discord.gg on a
        # loopback port with a certificate for those names (a client resolves them here, see `address`)
        self._tls_dir = tempfile.mkdtemp(prefix="discord-sim-")
        self.ca_file = await asyncio.to_thread(_make_certificate, self._tls_dir)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.ca_file, os.path.join(self._tls_dir, "key.pem"))
        self._tls_site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await self._tls_site.start()
        self.tls_port = self._tls_site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info("discord simulator listening on %s", self.base_url)
        return self

    async def stop(self) -> None:
        self.stopping = True  # refuse new gateway connections while we close the old ones
        for conn in list(self.connections):
            if not conn.ws.closed:
                try:
                    await asyncio.wait_for(conn.ws.close(code=1001), 1.0)
                except Exception:
                    pass
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if getattr(self, "_tls_dir", None):
            shutil.rmtree(self._tls_dir, ignore_errors=True)

    async def __aenter__(self) -> "DiscordSimulator":
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """The REST base over plain HTTP, for bare clients (the bot uses `address` and Discord's own URLs)."""
        return self.base_url + API_PREFIX

    @property
    def address(self) -> str:
        """``host:port`` where a client resolves discord.com and gateway.discord.gg to reach this
        simulator over TLS, trusting :attr:`ca_file` (the bot's DISCORD_ADDRESS and DISCORD_CA_FILE)."""
        return f"127.0.0.1:{self.tls_port}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/resume-gateway"

    # ------------------------------------------------------------------ world building
    def create_user(self, username: str, *, bot: bool = False, id: int | None = None) -> SimUser:
        user = SimUser(id=id or self.ids.next(), username=username, bot=bot)
        self.users[user.id] = user
        return user

    def create_guild(
        self,
        name: str = "Test Guild",
        *,
        owner: SimUser | None = None,
        shard: tuple[int, int] | None = None,
        channels: Iterable[str] = ("general",),
        announce: bool = True,
        unavailable: bool = False,
    ) -> SimGuild:
        """A guild with an @everyone role, text channels, the owner and the bot as members.

        ``shard=(shard_id, shard_count)`` picks an id that routes to that shard.
        Created after the bot connected, the guild is announced with GUILD_CREATE
        (the bot "joins" it) unless ``announce`` is false.
        """
        gid = self.ids.for_shard(*shard) if shard else self.ids.next()
        owner = owner or self.owner
        guild = SimGuild(id=gid, name=name, owner_id=owner.id, unavailable=unavailable)
        guild.roles[gid] = SimRole(id=gid, guild_id=gid, name="@everyone", permissions=EVERYONE_PERMISSIONS)
        self.guilds[gid] = guild
        for ch in channels:
            c = SimChannel(id=self.ids.next(), name=ch, guild_id=guild.id)
            guild.channels[c.id] = c
            self.channels[c.id] = c
        self.add_member(guild, owner)
        self.add_member(guild, self.bot_user)
        if announce and self.sessions and not unavailable:
            self._dispatch("GUILD_CREATE", guild.create_payload(self.users), guild_id=gid)
        return guild

    def create_channel(self, guild: SimGuild, name: str, *, type: int = 0) -> SimChannel:
        """A text channel (``type=15``: a forum). Announced with CHANNEL_CREATE when the bot is connected."""
        ch = SimChannel(id=self.ids.next(), name=name, guild_id=guild.id, type=type)
        guild.channels[ch.id] = ch
        self.channels[ch.id] = ch
        if self.sessions:
            self._dispatch("CHANNEL_CREATE", ch.payload(), guild_id=guild.id)
        return ch

    def create_thread(
        self, parent: SimChannel, name: str, *, owner: SimUser | None = None, private: bool = False,
        first_message: str | None = None,
    ) -> SimChannel:
        """A thread in ``parent`` (a text channel, or a forum: then a forum post,
        which starts with ``first_message`` by ``owner``). THREAD_CREATE goes to the bot."""
        assert parent.guild_id is not None
        guild = self.guilds[parent.guild_id]
        owner = owner or self.owner
        th = SimChannel(id=self.ids.next(), name=name, guild_id=guild.id,
                        type=PRIVATE_THREAD if private else PUBLIC_THREAD, parent_id=parent.id, owner_id=owner.id)
        guild.channels[th.id] = th
        self.channels[th.id] = th
        self._dispatch("THREAD_CREATE", {**th.payload(), "newly_created": True}, guild_id=guild.id)
        if first_message is not None:
            self.send_user_message(th, owner, first_message)
        return th

    def set_overwrite(
        self, channel: SimChannel, target: SimRole | SimUser | SimGuild, *, allow: int = 0, deny: int = 0,
    ) -> None:
        """Set the channel's overwrite for a role, a member, or (the guild) @everyone;
        the bot is told with CHANNEL_UPDATE, as on Discord."""
        kind = 1 if isinstance(target, SimUser) else 0
        channel.overwrites = [o for o in channel.overwrites if not (o.id == target.id and o.type == kind)]
        channel.overwrites.append(SimOverwrite(id=target.id, type=kind, allow=allow, deny=deny))
        self._dispatch("CHANNEL_UPDATE", channel.payload(), guild_id=channel.guild_id)

    def set_role_permissions(self, guild: SimGuild, role: SimRole | None, permissions: int) -> None:
        """Change a role's permissions (``None``: @everyone); GUILD_ROLE_UPDATE to the bot."""
        role = role or guild.roles[guild.id]
        role.permissions = permissions
        self._dispatch("GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role.payload()}, guild_id=guild.id)

    def bot_permissions(self, channel: SimChannel) -> int:
        if channel.guild_id is None:
            return VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY
        return self.guilds[channel.guild_id].channel_permissions(channel, self.bot_user.id)

    def set_guild_unavailable(self, guild: SimGuild) -> None:
        """An outage: GUILD_DELETE with ``unavailable: true``; the bot keeps its place."""
        guild.unavailable = True
        self._dispatch("GUILD_DELETE", {"id": str(guild.id), "unavailable": True}, guild_id=guild.id)

    def set_guild_available(self, guild: SimGuild) -> None:
        """The outage is over: the full GUILD_CREATE."""
        guild.unavailable = False
        self._dispatch("GUILD_CREATE", guild.create_payload(self.users), guild_id=guild.id)

    def allow_command(self, guild: SimGuild, name: str, target: SimRole | SimUser) -> None:
        """A server admin lets ``target`` use ``/name`` despite its default
        permissions (Server Settings > Integrations; application command permissions)."""
        self.command_overrides.setdefault((guild.id, name), set()).add(target.id)

    def now(self) -> float:
        """The simulator's clock for interaction deadlines (see :meth:`advance_time`)."""
        return time.monotonic() + self.clock_offset

    def advance_time(self, seconds: float) -> None:
        """Move the simulator's clock forward, so a test can pass Discord's 15-minute
        interaction token lifetime without waiting 15 minutes."""
        self.clock_offset += seconds

    def create_role(self, guild: SimGuild, name: str, *, permissions: int = 0, id: int | None = None) -> SimRole:
        role = SimRole(
            id=id or self.ids.next(), guild_id=guild.id, name=name, permissions=permissions, position=len(guild.roles)
        )
        guild.roles[role.id] = role
        return role

    def create_moderator_role(self, guild: SimGuild, name: str = "Moderator") -> SimRole:
        return self.create_role(guild, name, permissions=MANAGE_GUILD)

    def add_member(self, guild: SimGuild, user: SimUser, roles: Iterable[SimRole] = ()) -> SimMember:
        member = SimMember(user_id=user.id, guild_id=guild.id, role_ids=[r.id for r in roles])
        guild.members[user.id] = member
        return member

    def remove_bot_from_guild(self, guild: SimGuild) -> None:
        """The bot is kicked: GUILD_DELETE without ``unavailable``, and the guild is gone for it."""
        guild.members.pop(self.bot_user.id, None)
        self._dispatch("GUILD_DELETE", {"id": str(guild.id)}, guild_id=guild.id)
        self.guilds.pop(guild.id, None)

    def dm_channel(self, user: SimUser) -> SimChannel:
        for ch in self.channels.values():
            if ch.is_dm and ch.recipient_id == user.id:
                return ch
        ch = SimChannel(id=self.ids.next(), name=f"dm-{user.username}", guild_id=None, type=1, recipient_id=user.id)
        self.channels[ch.id] = ch
        return ch

    def text_channel(self, guild: SimGuild) -> SimChannel:
        return next(c for c in guild.channels.values() if c.type == 0)

    # ------------------------------------------------------------------ user actions
    def send_user_message(
        self, channel: SimChannel, author: SimUser, content: str, *,
        attachments: Iterable[tuple[str, bytes]] = (), declared_sizes: dict[str, int] | None = None,
    ) -> SimMessage:
        """A user types a message (optionally uploading files): stored, then
        MESSAGE_CREATE to the shard that owns the channel."""
        msg = SimMessage(
            id=self.ids.next(), channel_id=channel.id, guild_id=channel.guild_id, author_id=author.id, content=content
        )
        for name, data in attachments:
            aid = self.ids.next()
            msg.attachments.append(SimAttachment(
                id=aid, filename=name, data=data, content_type="application/octet-stream",
                url=f"{self.base_url}/attachments/{channel.id}/{aid}/{name}",
                declared_size=(declared_sizes or {}).get(name),
            ))
        self.messages[msg.id] = msg
        self._dispatch_message("MESSAGE_CREATE", msg)
        self._notify()
        return msg

    def edit_user_message(self, message: SimMessage, content: str) -> SimMessage:
        """A user edits their message: MESSAGE_UPDATE (content subject to the intent)."""
        guild = self.guilds.get(message.guild_id) if message.guild_id else None
        message.history.append(message.payload(self.users, guild))
        message.content = content
        message.edited_timestamp = iso()
        self._dispatch_message("MESSAGE_UPDATE", message)
        self._notify()
        return message

    def _command(self, name: str, guild_id: int | None) -> dict[str, Any]:
        pools: list[list[dict[str, Any]]] = []
        if guild_id is not None:
            pools.append(self.guild_commands.get(guild_id, []))
        pools.append(self.global_commands)
        for pool in pools:
            for cmd in pool:
                if cmd["name"] == name and cmd.get("type", 1) == 1:
                    return cmd
        known = sorted({c["name"] for p in pools for c in p})
        raise KeyError(f"slash command {name!r} is not synced (synced: {known})")

    def _check_offered(self, cmd: dict[str, Any], user: SimUser, channel: SimChannel) -> None:
        """Discord only offers a command where its ``contexts`` allow (0 guild,
        1 bot DM, 2 private channel; legacy ``dm_permission``) and, in a guild,
        to members holding its ``default_member_permissions`` unless an admin
        allowed them (https://discord.com/developers/docs/interactions/application-commands
        #interaction-contexts, #application-command-permissions-object)."""
        context = 1 if channel.is_dm else 0
        contexts = cmd.get("contexts")
        if contexts is not None and context not in contexts:
            raise PermissionError(f"/{cmd['name']} is not offered in {'DMs' if context else 'servers'} "
                                  f"(contexts={contexts})")
        if contexts is None and channel.is_dm and cmd.get("dm_permission") is False:
            raise PermissionError(f"/{cmd['name']} is not offered in DMs (dm_permission=false)")
        need = cmd.get("default_member_permissions")
        if channel.is_dm or need is None:
            return
        guild = self.guilds[channel.guild_id]  # type: ignore[index]
        need = int(need)
        allowed = self.command_overrides.get((guild.id, cmd["name"]), set())
        member = guild.members.get(user.id)
        if allowed & ({user.id} | set(member.role_ids if member else [])):
            return
        if guild.permissions_of(user.id) & need != need or need == 0:
            raise PermissionError(f"/{cmd['name']} is hidden from {user.username} (default_member_permissions={need})")

    def _interaction_base(self, itype: int, user: SimUser, channel: SimChannel) -> tuple[SimInteraction, dict[str, Any]]:
        iid = self.ids.next()
        token = "itok-" + secrets.token_urlsafe(24)
        guild = self.guilds.get(channel.guild_id) if channel.guild_id else None
        data: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "token": token,
            "version": 1,
            "channel_id": str(channel.id),
            "channel": channel.payload(self.users),
            "locale": "en-US",
            "app_permissions": str(self.bot_permissions(channel)),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id) if guild else str(user.id)},
            "context": 0 if guild else 1,
            "attachment_size_limit": self.attachment_size_limit,
        }
        if guild is not None:
            if user.id not in guild.members:
                raise KeyError(f"{user.username} is not a member of {guild.name}")
            data["guild_id"] = str(guild.id)
            data["guild_locale"] = "en-US"
            data["guild"] = {"id": str(guild.id), "locale": "en-US", "features": []}
            data["member"] = guild.member_payload(user, with_permissions=True)
        else:
            data["user"] = user.payload()
        inter = SimInteraction(
            id=iid, token=token, type=itype, user_id=user.id, channel_id=channel.id,
            guild_id=guild.id if guild else None, payload=data, created=self.now(),
        )
        self.interactions[iid] = inter
        self._interactions_by_token[token] = inter
        return inter, data

    def _options(
        self, cmd: dict[str, Any], options: dict[str, Any], focused: str | None,
        resolved: dict[str, Any] | None = None, channel: SimChannel | None = None,
    ) -> list[dict[str, Any]]:
        """Option payloads typed from the synced command. An attachment option
        (type 11) takes ``(filename, bytes)``: the file goes into ``resolved``."""
        spec = {o["name"]: o for o in cmd.get("options", []) or []}
        out = []
        for name, value in options.items():
            if name not in spec:
                raise KeyError(f"/{cmd['name']} has no option {name!r} (has {sorted(spec)})")
            otype = spec[name]["type"]
            if otype == 11 and name != focused:
                filename, data = value
                aid = self.ids.next()
                cid = channel.id if channel else 0
                att = SimAttachment(id=aid, filename=filename, data=bytes(data), content_type="text/csv",
                                    url=f"{self.base_url}/attachments/{cid}/{aid}/{filename}")
                self._uploads[aid] = att
                if resolved is not None:
                    resolved.setdefault("attachments", {})[str(aid)] = att.payload()
                value = str(aid)
            elif name != focused:
                if otype == 4:
                    value = int(value)
                elif otype == 10:
                    value = float(value)
                elif otype == 5:
                    value = bool(value)
            opt: dict[str, Any] = {"name": name, "type": otype, "value": value}
            if name == focused:
                opt["focused"] = True
                opt["value"] = str(value)
            out.append(opt)
        return out

    def send_slash_command(
        self, name: str, options: dict[str, Any] | None = None, *, user: SimUser, channel: SimChannel
    ) -> SimInteraction:
        """A user runs ``/name`` with ``options``: INTERACTION_CREATE type 2 with the synced command's id."""
        cmd = self._command(name, channel.guild_id)
        self._check_offered(cmd, user, channel)
        inter, data = self._interaction_base(2, user, channel)
        resolved: dict[str, Any] = {}
        data["data"] = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": 1,
            "options": self._options(cmd, options or {}, None, resolved, channel),
        }
        if resolved:
            data["data"]["resolved"] = resolved
        if channel.guild_id:
            data["data"]["guild_id"] = str(channel.guild_id)
        self._dispatch("INTERACTION_CREATE", data, guild_id=channel.guild_id)
        return inter

    def send_autocomplete(
        self, name: str, options: dict[str, Any], focused: str, *, user: SimUser, channel: SimChannel
    ) -> SimInteraction:
        """A user is typing option ``focused`` of ``/name``: INTERACTION_CREATE type 4."""
        cmd = self._command(name, channel.guild_id)
        self._check_offered(cmd, user, channel)
        if focused not in options:
            options = {**options, focused: ""}
        inter, data = self._interaction_base(4, user, channel)
        data["data"] = {"id": cmd["id"], "name": cmd["name"], "type": 1, "options": self._options(cmd, options, focused)}
        self._dispatch("INTERACTION_CREATE", data, guild_id=channel.guild_id)
        return inter

    def click_button(self, message: SimMessage, custom_id: str, *, user: SimUser) -> SimInteraction:
        """A user clicks a button of ``message``: INTERACTION_CREATE type 3."""
        ids = [b.get("custom_id") for b in message.buttons()]
        if custom_id not in ids:
            raise KeyError(f"message {message.id} has no button {custom_id!r} (has {ids})")
        if any(b.get("custom_id") == custom_id and b.get("disabled") for b in message.buttons()):
            raise ValueError(f"button {custom_id!r} of message {message.id} is disabled: Discord would not send a click")
        channel = self.channels[message.channel_id]
        inter, data = self._interaction_base(3, user, channel)
        guild = self.guilds.get(message.guild_id) if message.guild_id else None
        data["message"] = message.payload(self.users, guild)
        data["data"] = {"custom_id": custom_id, "component_type": 2}
        inter.message_id = message.id
        self._dispatch("INTERACTION_CREATE", data, guild_id=channel.guild_id)
        return inter

    def click_button_labelled(self, message: SimMessage, label: str, *, user: SimUser) -> SimInteraction:
        for b in message.buttons():
            if b.get("label") == label:
                return self.click_button(message, b["custom_id"], user=user)
        raise KeyError(f"message {message.id} has no button labelled {label!r}: {[b.get('label') for b in message.buttons()]}")

    # ------------------------------------------------------------------ gateway control
    def drop_gateway(self, code: int | None = 4000, *, shard_id: int | None = None) -> int:
        """Close live gateway connections (all, or one shard's).

        ``code=None`` aborts the TCP connection without a close frame
        (abnormal closure). 4007/4009 also invalidate the session, so the
        client's RESUME gets op 9 and it must IDENTIFY again. Returns how
        many connections were closed.
        """
        n = 0
        for sess in self.sessions.values():
            if sess.ws is None or (shard_id is not None and sess.shard_id != shard_id):
                continue
            ws, conn = sess.ws, sess.conn
            sess.ws = sess.conn = None
            if code in NON_RESUMABLE_CODES:
                sess.invalid = True
            n += 1
            if code is None:
                transport = conn.request.transport
                if transport is not None:
                    transport.abort()
            else:
                _spawn(ws.close(code=code, message=b"simulated drop"))
        return n

    def _live_connections(self, shard_id: int | None) -> list[GatewayConnection]:
        return [s.conn for s in self.sessions.values()
                if s.conn is not None and (shard_id is None or s.shard_id == shard_id)]

    async def request_heartbeat(self, shard_id: int | None = None) -> int:
        """Op 1 from Discord: the client must answer with a heartbeat at once
        (https://discord.com/developers/docs/events/gateway#heartbeat-requests)."""
        conns = self._live_connections(shard_id)
        for conn in conns:
            conn.heartbeat_requests += 1
            self.heartbeat_requests += 1
            await conn.send({"op": OP_HEARTBEAT, "d": None, "s": None, "t": None})
        return len(conns)

    async def invalidate_session(self, *, resumable: bool, shard_id: int | None = None) -> int:
        """Op 9 Invalid Session: ``d: true`` the client may RESUME, ``false`` it must
        IDENTIFY again (https://discord.com/developers/docs/events/gateway-events#invalid-session)."""
        conns = self._live_connections(shard_id)
        for conn in conns:
            if not resumable and conn.session is not None:
                conn.session.invalid = True
            await conn.send({"op": OP_INVALID_SESSION, "d": resumable, "s": None, "t": None})
        return len(conns)

    def make_zombie(self, shard_id: int | None = None) -> int:
        """A zombied connection: the socket stays open but nothing comes back (no
        heartbeat ACKs, no events). The client must notice and replace it
        (https://discord.com/developers/docs/events/gateway#sending-heartbeats)."""
        conns = self._live_connections(shard_id)
        for conn in conns:
            conn.zombie = True
        return len(conns)

    async def send_reconnect(self, shard_id: int | None = None) -> None:
        """Op 7: ask the client to reconnect and resume."""
        for sess in list(self.sessions.values()):
            if sess.conn is not None and (shard_id is None or sess.shard_id == shard_id):
                await sess.conn.send({"op": OP_RECONNECT, "d": None})

    def live_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if s.ws is not None and not s.invalid]

    # ------------------------------------------------------------------ faults
    def inject_fault(
        self,
        status: int | None,
        *,
        count: int = 1,
        method: str | None = None,
        path_contains: str | None = None,
        retry_after: float = 0.5,
        delay: float = 0.0,
        is_global: bool = False,
    ) -> Fault:
        """The next ``count`` matching REST calls answer ``status`` (429 with
        Retry-After, 500, 502, ...) or, with ``status=None``, are answered
        normally after ``delay`` seconds."""
        fault = Fault(status=status, count=count, method=method, path_contains=path_contains,
                      retry_after=retry_after, delay=delay, is_global=is_global)
        self.faults.append(fault)
        return fault

    def rate_limit_next(self, count: int = 1, retry_after: float = 0.5, **match: Any) -> Fault:
        return self.inject_fault(429, count=count, retry_after=retry_after, **match)

    # ------------------------------------------------------------------ queries and waits
    def messages_in(
        self, channel: SimChannel | int, *, author: SimUser | None = None, after: SimMessage | int | None = None,
        include_deleted: bool = False,
    ) -> list[SimMessage]:
        cid = channel if isinstance(channel, int) else channel.id
        author = author or self.bot_user
        after_id = after if isinstance(after, int) else (after.id if after else 0)
        return [
            m for m in sorted(self.messages.values(), key=lambda m: m.id)
            if m.channel_id == cid and m.author_id == author.id and m.id > after_id
            and (include_deleted or not m.deleted)
        ]

    def calls(self, method: str | None = None, path_re: str | None = None) -> list[RestCall]:
        rx = re.compile(path_re) if path_re else None
        return [
            c for c in self.rest_calls
            if (method is None or c.method == method) and (rx is None or rx.search(c.path))
        ]

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = DEFAULT_WAIT, what: str = "condition",
                         *, poll: float | None = None) -> Any:
        """Wait until ``predicate()`` is true. It is checked whenever the simulator's state changes; a
        predicate about something else (the bot's database) passes ``poll``, the seconds between checks."""
        assert self._changed is not None, "simulator not started"
        deadline = time.monotonic() + timeout
        async with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise SimTimeout(f"timed out after {timeout}s waiting for {what}")
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining if poll is None else min(remaining, poll))
                except asyncio.TimeoutError:
                    pass

    async def wait_for_messages(
        self, channel: SimChannel, n: int = 1, timeout: float = DEFAULT_WAIT, *, after: SimMessage | int | None = None,
        author: SimUser | None = None,
    ) -> list[SimMessage]:
        """Wait until ``channel`` has at least ``n`` messages by ``author`` (the bot) after ``after``."""
        def check() -> list[SimMessage] | None:
            msgs = self.messages_in(channel, author=author, after=after)
            return msgs if len(msgs) >= n else None

        return await self.wait_until(check, timeout, f"{n} message(s) in #{channel.name}")

    async def wait_for_edit(
        self, message: SimMessage, edits: int | None = None, timeout: float = DEFAULT_WAIT, *,
        until: Callable[[SimMessage], Any] | None = None,
    ) -> SimMessage:
        """Wait until ``message`` has been edited: ``edits`` times in all (default:
        once more than now), or until ``until(message)`` holds."""
        if until is not None:
            await self.wait_until(lambda: until(message), timeout, f"message {message.id} to change as expected")
            return message
        target = message.edits + 1 if edits is None else edits
        await self.wait_until(lambda: message.edits >= target, timeout, f"edit #{target} of message {message.id}")
        return message

    async def wait_for_response(self, interaction: SimInteraction, timeout: float = DEFAULT_WAIT) -> SimInteraction:
        """Wait for the interaction's callback (any type)."""
        await self.wait_until(lambda: interaction.callbacks, timeout, f"a callback to interaction {interaction.id}")
        return interaction

    async def wait_for_answer(self, interaction: SimInteraction, timeout: float = DEFAULT_WAIT) -> SimMessage:
        """Wait until the interaction has a visible, non-loading answer message and return it."""
        def check() -> SimMessage | None:
            ids = ([interaction.original_message_id] if interaction.original_message_id else []) + interaction.followup_ids
            for mid in ids:
                m = self.messages.get(mid)
                if m is not None and not m.loading and not m.deleted:
                    return m
            if interaction.type == 3 and interaction.response_type == 7 and interaction.message_id:
                return self.messages[interaction.message_id]
            return None

        return await self.wait_until(check, timeout, f"the answer to interaction {interaction.id}")

    async def wait_for_ready_sessions(self, n: int = 1, timeout: float = DEFAULT_WAIT) -> list[GatewaySession]:
        return await self.wait_until(
            lambda: (s := self.live_sessions()) and len(s) >= n and s, timeout, f"{n} live gateway session(s)"
        )

    def _notify(self) -> None:
        cond = self._changed
        if cond is None:
            return

        async def _n() -> None:
            async with cond:
                cond.notify_all()

        _spawn(_n())

    # ------------------------------------------------------------------ dispatch
    def _dispatch(self, event: str, data: dict[str, Any], *, guild_id: int | None) -> int:
        """Queue a DISPATCH for every session whose shard owns ``guild_id`` (DMs: shard 0)."""
        delivered = 0
        for sess in list(self.sessions.values()):
            if sess.invalid:
                continue
            owner = (guild_id >> 22) % sess.shard_count if guild_id is not None else 0
            if owner != sess.shard_id:
                continue
            if not self._intent_allows(sess, event, guild_id):
                continue
            payload_d = data
            if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
                payload_d = self._apply_content_intent(sess, data, guild_id)
            sess.seq += 1
            payload = {"op": OP_DISPATCH, "s": sess.seq, "t": event, "d": payload_d}
            sess.buffer.append(payload)
            if sess.conn is not None:
                _spawn(sess.conn.send(payload))
            delivered += 1
        return delivered

    @staticmethod
    def _intent_allows(sess: GatewaySession, event: str, guild_id: int | None) -> bool:
        if event.startswith("MESSAGE_"):
            need = INTENT_GUILD_MESSAGES if guild_id is not None else INTENT_DIRECT_MESSAGES
            return bool(sess.intents & need)
        if event.startswith("GUILD_"):
            return bool(sess.intents & INTENT_GUILDS)
        return True

    def _apply_content_intent(self, sess: GatewaySession, data: dict[str, Any], guild_id: int | None) -> dict[str, Any]:
        """Without MESSAGE_CONTENT, guild messages arrive with empty content
        (unless they mention the bot or are the bot's own), as on Discord."""
        if sess.intents & INTENT_MESSAGE_CONTENT or guild_id is None:
            return data
        if data.get("author", {}).get("id") == str(self.bot_user.id):
            return data
        if f"<@{self.bot_user.id}>" in (data.get("content") or ""):
            return data
        return {**data, "content": "", "embeds": [], "attachments": [], "components": []}

    def _dispatch_message(self, event: str, msg: SimMessage) -> None:
        if msg.ephemeral:
            return
        channel = self.channels.get(msg.channel_id)
        if channel is not None and not channel.is_dm and not self.bot_permissions(channel) & VIEW_CHANNEL:
            return  # Discord sends no events from channels the bot cannot see
        guild = self.guilds.get(msg.guild_id) if msg.guild_id else None
        self._dispatch(event, msg.payload(self.users, guild), guild_id=msg.guild_id)

    # ------------------------------------------------------------------ gateway
    async def _gateway_handler(self, request: web.Request) -> web.StreamResponse:
        if self.stopping:
            raise web.HTTPServiceUnavailable()
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = GatewayConnection(self, ws, request)
        self.connections.append(conn)
        if conn.encoding != "json":
            await ws.close(code=4002, message=b"only json encoding is simulated")
            return ws
        if conn.compress and conn.compress not in ("zlib-stream", "zstd-stream"):
            await ws.close(code=4000, message=b"unknown compression")
            return ws
        if conn.compress == "zstd-stream" and _zstd is None:
            await ws.close(code=4000, message=b"zstd not available in the simulator")
            return ws
        await conn.send({"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}, "s": None, "t": None})
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    payload = json.loads(msg.data)
                elif msg.type == WSMsgType.BINARY:
                    payload = json.loads(zlib.decompress(msg.data))  # discord.py sends text; be lenient
                else:
                    break
                conn.received.append(payload)
                await self._on_gateway_payload(conn, payload)
        except Exception:  # pragma: no cover - a bug in the simulator: make it loud in logs
            log.exception("gateway handler failed")
            raise
        finally:
            conn.closed = True
            sess = conn.session
            if sess is not None and sess.conn is conn:
                sess.ws = sess.conn = None
            self._notify()
        return ws

    async def _on_gateway_payload(self, conn: GatewayConnection, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        d = payload.get("d")
        # 120 gateway events per connection every 60 s; past it the client is disconnected
        # (https://discord.com/developers/docs/events/gateway#rate-limiting), close code 4008
        now = time.monotonic()
        conn.received_at = [t for t in conn.received_at if now - t < 60.0] + [now]
        if len(conn.received_at) > self.gateway_sends_per_minute:
            self.gateway_rate_limited.append(len(conn.received_at))
            await conn.ws.close(code=4008, message=b"Rate limited.")
            return
        if op == OP_HEARTBEAT:
            conn.heartbeats += 1
            await conn.send({"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY:
            await self._identify(conn, d or {})
        elif op == OP_RESUME:
            await self._resume(conn, d or {})
        elif op == OP_REQUEST_MEMBERS:
            gid = int(d["guild_id"]) if d and d.get("guild_id") else None
            guild = self.guilds.get(gid) if gid else None
            if guild is not None and conn.session is not None:
                chunk = {
                    "guild_id": str(gid),
                    "members": [guild.member_payload(self.users[u]) for u in guild.members],
                    "chunk_index": 0,
                    "chunk_count": 1,
                    "nonce": d.get("nonce"),
                }
                self._dispatch("GUILD_MEMBERS_CHUNK", chunk, guild_id=gid)
        elif op in (OP_PRESENCE, OP_VOICE):
            pass
        else:
            await conn.ws.close(code=4001, message=b"unknown opcode")

    async def _identify(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        if d.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        shard_id, shard_count = d.get("shard") or [0, 1]
        if shard_count < 1 or not 0 <= shard_id < shard_count:
            await conn.ws.close(code=4010, message=b"Invalid shard.")
            return
        intents = int(d.get("intents", 0))
        # Privileged intents need the switch in the Developer Portal, else 4014
        # (https://discord.com/developers/docs/events/gateway#privileged-intents,
        # .../topics/opcodes-and-status-codes#gateway-gateway-close-event-codes).
        disallowed = [
            name for bit, name, enabled in (
                (INTENT_MESSAGE_CONTENT, "MESSAGE_CONTENT", self.message_content_intent),
                (INTENT_GUILD_MEMBERS, "GUILD_MEMBERS", self.members_intent),
                (INTENT_GUILD_PRESENCES, "GUILD_PRESENCES", self.presences_intent),
            ) if intents & bit and not enabled
        ]
        if disallowed:
            self.refused_identifies.append({"close": 4014, "intents": disallowed})
            await conn.ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        # The session start limit: IDENTIFYs per day, across shards; over it, every
        # session is terminated and the token reset
        # (https://discord.com/developers/docs/events/gateway#session-start-limit-object).
        if self.session_start_remaining() <= 0:
            self.refused_identifies.append({"close": 4004, "reason": "session start limit"})
            self.token_resets += 1
            self.token = "sim-token-reset-" + secrets.token_hex(8)
            for sess in self.sessions.values():
                sess.invalid = True
                if sess.ws is not None:
                    _spawn(sess.ws.close(code=4004, message=b"Authentication failed."))
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        # max_concurrency IDENTIFYs per 5 s, one per rate-limit key (shard_id % max_concurrency); over it
        # Discord answers op 9 Invalid Session (https://discord.com/developers/docs/events/gateway#session-start-limit)
        key = shard_id % max(1, self.max_concurrency)
        now = time.monotonic()
        last = self._identified_at.get(key)
        if last is not None and now - last < self.identify_window:
            self.concurrency_refusals.append({"shard": [shard_id, shard_count], "key": key, "after": now - last})
            await conn.send({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        self._identified_at[key] = now
        self.session_starts.append(time.monotonic())
        mine = [g for g in self.guilds.values() if g.shard_id(shard_count) == shard_id]
        # A shard holds at most 2,500 guilds: 4011 Sharding required
        # (https://discord.com/developers/docs/events/gateway#sharding).
        if len(mine) > self.max_guilds_per_shard:
            self.refused_identifies.append({"close": 4011, "shard": [shard_id, shard_count], "guilds": len(mine)})
            await conn.ws.close(code=4011, message=b"Sharding required.")
            return
        self.identifies.append({**d, "token": "<redacted>"})
        # A new IDENTIFY for a shard replaces older sessions of that shard.
        for old in self.sessions.values():
            if old.shard_id == shard_id and old.shard_count == shard_count:
                old.invalid = True
        sess = GatewaySession(
            session_id=secrets.token_hex(16), shard_id=shard_id, shard_count=shard_count, intents=intents,
        )
        self.sessions[sess.session_id] = sess
        conn.session = sess
        ready = {
            "v": 10,
            "user": {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in mine],
            "session_id": sess.session_id,
            "session_type": "normal",
            "resume_gateway_url": (DISCORD_GATEWAY.rstrip("/") + "/resume-gateway" if conn.request.secure
                                   else self.resume_gateway_url),
            "shard": [shard_id, shard_count],
            "application": {"id": str(self.application_id), "flags": self.application_flags},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
            "_trace": ["discord-sim"],
        }
        # Attach the connection only now, so nothing is sent before READY.
        sess.ws, sess.conn = conn.ws, conn
        self._queue_to(sess, "READY", ready)
        for g in mine:
            if not g.unavailable:  # unavailable guilds stay in READY's list until they come back
                self._queue_to(sess, "GUILD_CREATE", g.create_payload(self.users))
        self._notify()

    def _queue_to(self, sess: GatewaySession, event: str, data: dict[str, Any]) -> None:
        sess.seq += 1
        payload = {"op": OP_DISPATCH, "s": sess.seq, "t": event, "d": data}
        sess.buffer.append(payload)
        if sess.conn is not None:
            _spawn(sess.conn.send(payload))

    async def _resume(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        self.resumes.append({**d, "token": "<redacted>"})
        sess = self.sessions.get(d.get("session_id") or "")
        if d.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if sess is None or sess.invalid:
            await conn.send({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        if sess.conn is not None and sess.conn is not conn:  # an old socket still attached
            old = sess.conn
            sess.ws = sess.conn = None
            _spawn(old.ws.close(code=4000))
        seq = d.get("seq") or 0
        missed = [p for p in sess.buffer if p["s"] > seq]
        conn.session = sess
        sess.ws, sess.conn = conn.ws, conn
        sess.resumes += 1
        # Replay in one go, before anything dispatched from now on (the lock is
        # taken without yielding, so queued sends wait behind the replay).
        await conn.send_many(missed)
        self._queue_to(sess, "RESUMED", {"_trace": ["discord-sim"]})
        self._notify()

    # ------------------------------------------------------------------ REST plumbing
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        path = request.path[len(API_PREFIX):]
        call = RestCall(
            method=request.method, path=path, query=dict(request.query),
            headers={k: v for k, v in request.headers.items() if k.lower() != "authorization"},
        )
        call.headers["Authorization"] = "<redacted>" if "Authorization" in request.headers else ""
        self.rest_calls.append(call)
        if len(self.rest_calls) > self.request_log_limit:
            del self.rest_calls[: len(self.rest_calls) - self.request_log_limit]
        request[CALL_KEY] = call
        if time.monotonic() < self.banned_until:
            # Past the invalid request limit: Cloudflare bans the IP; no JSON, no rate limit headers.
            call.status, call.fault = 429, "banned"
            self._notify()
            return web.Response(status=429, text="error code: 1015", content_type="text/html")
        fault = next((f for f in self.faults if f.matches(request.method, path)), None)
        if fault is not None:
            fault.count -= 1
            fault.served += 1
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status is None:
                call.fault = "slow"
            else:
                call.fault = str(fault.status)
                call.status = fault.status
                try:  # still read the body, so tests can see what was attempted
                    await self._read_body(request, call)
                except Exception:
                    pass
                self._notify()
                return self._fault_response(fault)
        limited = self._take_rate_limit(request.method, path) if self.rate_limits else None
        if limited is not None:
            bucket, retry_after, is_global = limited
            call.status, call.fault = 429, "rate-limited"
            self._count_invalid(429, path)
            self._notify()
            return self._rate_limited_response(bucket, retry_after, is_global)
        try:
            resp = await handler(request)
        except web.HTTPException as exc:
            resp = exc
        except _ApiError as exc:
            err: dict[str, Any] = {"message": exc.message, "code": exc.code}
            if exc.errors is not None:
                err["errors"] = exc.errors
            err.update(exc.extra)
            resp = _json(err, status=exc.status)
        call.status = resp.status
        if resp.status in INVALID_STATUSES:
            self._count_invalid(resp.status, path)
        self._add_ratelimit_headers(resp, request.method, path)
        self._notify()
        return resp

    # ----- rate limits (https://discord.com/developers/docs/topics/rate-limits)
    @staticmethod
    def _template(path: str) -> str:
        t = re.sub(r"^/(webhooks|interactions)/(\d+)/([^/]+)", r"/\1/{id}/{token}", path.split("?")[0])
        return re.sub(r"\d{5,}", "{id}", t)

    @staticmethod
    def _major(path: str) -> str:
        """The top-level resource of a route (channel, guild, or webhook id + token):
        limits are counted per route *and* per top-level resource."""
        m = re.match(r"^/(channels|guilds)/(\d+)|^/(webhooks|interactions)/(\d+)/([^/]+)", path)
        return m.group(0) if m else ""

    def _route_bucket(self, method: str, path: str) -> RateBucket | None:
        template = self._template(path)
        for methods, rx, limit, window in ROUTE_LIMITS:
            if re.fullmatch(methods, method) and re.fullmatch(rx, template):
                bucket_hash = hashlib.sha1(f"{methods} {rx}".encode()).hexdigest()[:16]
                key = f"{bucket_hash}:{self._major(path)}"
                if key not in self._buckets:
                    self._buckets[key] = RateBucket(bucket_hash, limit, window)
                return self._buckets[key]
        return None

    @staticmethod
    def _global_exempt(path: str) -> bool:
        # "Interaction endpoints are not bound to the bot's Global Rate Limit."
        return path.startswith(("/interactions/", "/webhooks/"))

    def _take_rate_limit(self, method: str, path: str) -> tuple[RateBucket, float, bool] | None:
        now = time.monotonic()
        if not self._global_exempt(path):
            wait = self._global_bucket.take(now)
            if wait is not None:
                return self._global_bucket, wait, True
        bucket = self._route_bucket(method, path)
        if bucket is not None:
            wait = bucket.take(now)
            if wait is not None:
                return bucket, wait, False
        return None

    def _count_invalid(self, status: int, path: str) -> None:
        """401, 403 and 429 (except shared-scope 429s) count towards the invalid
        request limit: 10,000 per 10 minutes, then a temporary Cloudflare ban
        (https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans)."""
        now = time.monotonic()
        self.invalid_requests.append((now, status, path))
        recent = [r for r in self.invalid_requests if r[0] > now - self.invalid_request_window]
        if len(recent) >= self.invalid_request_limit:
            self.banned_until = now + self.ban_seconds

    def invalid_request_count(self) -> int:
        now = time.monotonic()
        return len([r for r in self.invalid_requests if r[0] > now - self.invalid_request_window])

    def _rate_limited_response(self, bucket: RateBucket, retry_after: float, is_global: bool) -> web.Response:
        body = {"message": "You are being rate limited.", "retry_after": round(retry_after, 3), "global": is_global}
        headers = {
            "Retry-After": f"{retry_after:.3f}",
            "X-RateLimit-Limit": str(bucket.limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Bucket": bucket.name,
            "X-RateLimit-Scope": "global" if is_global else "user",
            "Via": "1.1 google",
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        return _json(body, status=429, headers=headers)

    def _add_ratelimit_headers(self, resp: web.StreamResponse, method: str, path: str) -> None:
        resp.headers["Via"] = "1.1 google"
        bucket = self._route_bucket(method, path) if self.rate_limits else None
        if bucket is None:  # a route without a per-route limit: the headers of a roomy bucket
            name = hashlib.sha1(f"{method} {self._template(path)}".encode()).hexdigest()[:16]
            bucket, remaining, reset_after = RateBucket(name, 50, 1.0), 49, 1.0
        else:
            remaining, reset_after = bucket.remaining, max(0.0, bucket.reset_at - time.monotonic())
        resp.headers["X-RateLimit-Limit"] = str(bucket.limit)
        resp.headers["X-RateLimit-Remaining"] = str(remaining)
        resp.headers["X-RateLimit-Reset"] = f"{time.time() + reset_after:.3f}"
        resp.headers["X-RateLimit-Reset-After"] = f"{reset_after:.3f}"
        resp.headers["X-RateLimit-Bucket"] = bucket.name

    def _fault_response(self, fault: Fault) -> web.Response:
        if fault.status == 429:
            body = {"message": "You are being rate limited.", "retry_after": fault.retry_after, "global": fault.is_global}
            headers = {
                "Retry-After": f"{fault.retry_after:.3f}",
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + fault.retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{fault.retry_after:.3f}",
                "X-RateLimit-Bucket": "sim-faulted",
                "X-RateLimit-Scope": "shared" if not fault.is_global else "global",
                "Via": "1.1 google",
            }
            if fault.is_global:
                headers["X-RateLimit-Global"] = "true"
            return _json(body, status=429, headers=headers)
        assert fault.status is not None
        return _json(
            {"message": f"{fault.status}: simulated server error", "code": 0}, status=fault.status,
            headers={"Via": "1.1 google"},
        )

    async def _read_body(self, request: web.Request, call: RestCall) -> tuple[Any, dict[int, SimAttachment]]:
        """JSON body, or multipart ``payload_json`` + ``files[n]``: (json, {n: file})."""
        files: dict[int, SimAttachment] = {}
        body: Any = None
        ctype = request.headers.get("Content-Type", "")
        if ctype.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part is None:
                    break
                name = part.name or ""
                if name == "payload_json":
                    body = json.loads(await part.text())
                    continue
                m = re.fullmatch(r"files\[(\d+)\]", name)
                data = await part.read(decode=False)
                if m:
                    idx = int(m.group(1))
                    files[idx] = SimAttachment(
                        id=0, filename=part.filename or f"file{idx}", data=bytes(data),
                        content_type=part.headers.get("Content-Type"),
                    )
        elif request.can_read_body:
            raw = await request.read()
            if raw:
                body = json.loads(raw)
        call.json = body
        call.files = list(files.values())
        return body, files

    def _check_auth(self, request: web.Request) -> None:
        if request.headers.get("Authorization") != f"Bot {self.token}":
            raise _ApiError(401, 0, "401: Unauthorized")

    async def _rest_dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path[len(API_PREFIX):]
        for method, rx, handler, auth in self._routes():
            if method != request.method:
                continue
            m = rx.fullmatch(path)
            if not m:
                continue
            if auth:
                self._check_auth(request)
            body, files = await self._read_body(request, request[CALL_KEY])
            return await handler(request, body, files, **m.groupdict())
        raise _ApiError(404, 0, "404: Not Found")

    def _routes(self) -> list[tuple[str, re.Pattern[str], Callable, bool]]:
        if not hasattr(self, "_route_table"):
            s = r"(?P<{}>\d+)"
            table = [
                ("GET", r"/gateway", self._r_gateway, False),
                ("GET", r"/gateway/bot", self._r_gateway_bot, True),
                ("GET", r"/users/@me", self._r_me, True),
                ("GET", r"/users/" + s.format("user_id"), self._r_user, True),
                ("POST", r"/users/@me/channels", self._r_create_dm, True),
                ("GET", r"/oauth2/applications/@me", self._r_appinfo, True),
                ("GET", r"/applications/@me", self._r_appinfo, True),
                ("GET", r"/applications/" + s.format("app_id") + r"/commands", self._r_get_commands, True),
                ("PUT", r"/applications/" + s.format("app_id") + r"/commands", self._r_put_commands, True),
                ("GET", r"/applications/" + s.format("app_id") + r"/guilds/" + s.format("guild_id") + r"/commands",
                 self._r_get_commands, True),
                ("PUT", r"/applications/" + s.format("app_id") + r"/guilds/" + s.format("guild_id") + r"/commands",
                 self._r_put_commands, True),
                ("GET", r"/channels/" + s.format("channel_id"), self._r_get_channel, True),
                ("POST", r"/channels/" + s.format("channel_id") + r"/typing", self._r_typing, True),
                ("POST", r"/channels/" + s.format("channel_id") + r"/messages", self._r_create_message, True),
                ("GET", r"/channels/" + s.format("channel_id") + r"/messages/" + s.format("message_id"),
                 self._r_get_message, True),
                ("PATCH", r"/channels/" + s.format("channel_id") + r"/messages/" + s.format("message_id"),
                 self._r_edit_message, True),
                ("DELETE", r"/channels/" + s.format("channel_id") + r"/messages/" + s.format("message_id"),
                 self._r_delete_message, True),
                ("POST", r"/interactions/" + s.format("interaction_id") + r"/(?P<token>[^/]+)/callback",
                 self._r_callback, False),
                ("POST", r"/webhooks/" + s.format("app_id") + r"/(?P<token>[^/]+)", self._r_followup, False),
                ("GET", r"/webhooks/" + s.format("app_id") + r"/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                 self._r_webhook_get, False),
                ("PATCH", r"/webhooks/" + s.format("app_id") + r"/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                 self._r_webhook_edit, False),
                ("DELETE", r"/webhooks/" + s.format("app_id") + r"/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                 self._r_webhook_delete, False),
            ]
            self._route_table = [(m, re.compile(p), h, a) for m, p, h, a in table]
        return self._route_table

    async def _get_attachment(self, request: web.Request) -> web.StreamResponse:
        aid = int(request.match_info["attachment_id"])
        self.attachment_downloads.append(aid)  # tests check who made the bot download what
        if aid in self._uploads:
            a = self._uploads[aid]
            return web.Response(body=a.data, content_type=a.content_type or "application/octet-stream")
        for msg in self.messages.values():
            for a in msg.attachments:
                if a.id == aid:
                    return web.Response(body=a.data, content_type=a.content_type or "application/octet-stream")
        raise web.HTTPNotFound()

    # ------------------------------------------------------------------ REST handlers
    def _gateway_for(self, request: web.Request) -> str:
        """The gateway URL as Discord gives it to a client that reached it over TLS, else the loopback one."""
        return DISCORD_GATEWAY if request.secure else self.gateway_url

    async def _r_gateway(self, request, body, files) -> web.Response:
        return _json({"url": self._gateway_for(request)})

    def session_start_remaining(self) -> int:
        cutoff = time.monotonic() - self.session_start_window
        self.session_starts = [t for t in self.session_starts if t > cutoff]
        return self.session_start_total - len(self.session_starts)

    def use_session_starts(self, n: int) -> None:
        """Pretend ``n`` sessions were started just now (a crash loop earlier today)."""
        self.session_starts += [time.monotonic()] * n

    @property
    def application_flags(self) -> int:
        return ((APP_FLAG_GATEWAY_MESSAGE_CONTENT_LIMITED if self.message_content_intent else 0)
                | (APP_FLAG_GATEWAY_GUILD_MEMBERS_LIMITED if self.members_intent else 0)
                | (APP_FLAG_GATEWAY_PRESENCE_LIMITED if self.presences_intent else 0))

    @property
    def shards_recommended(self) -> int:
        if self.recommended_shards is not None:
            return self.recommended_shards
        return max(1, math.ceil(len(self.guilds) / self.guilds_per_recommended_shard))

    async def _r_gateway_bot(self, request, body, files) -> web.Response:
        remaining = self.session_start_remaining()
        reset_after = self.session_start_window
        if self.session_starts:
            reset_after = self.session_starts[0] + self.session_start_window - time.monotonic()
        return _json({
            "url": self._gateway_for(request),
            "shards": self.shards_recommended,
            "session_start_limit": {"total": self.session_start_total, "remaining": max(0, remaining),
                                    "reset_after": int(max(0.0, reset_after) * 1000),
                                    "max_concurrency": self.max_concurrency},
        })

    async def _r_me(self, request, body, files) -> web.Response:
        return _json({**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0})

    async def _r_user(self, request, body, files, user_id: str) -> web.Response:
        user = self.users.get(int(user_id))
        if user is None:
            raise _ApiError(404, 10013, "Unknown User")
        return _json(user.payload())

    async def _r_create_dm(self, request, body, files) -> web.Response:
        user = self.users.get(int(body["recipient_id"]))
        if user is None:
            raise _ApiError(404, 10013, "Unknown User")
        return _json(self.dm_channel(user).payload(self.users))

    async def _r_appinfo(self, request, body, files) -> web.Response:
        return _json({
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "icon": None,
            "description": "Simulated application",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner.payload(),
            "team": None,
            "verify_key": "00" * 32,
            "flags": self.application_flags,
            "summary": "",
            "interactions_endpoint_url": None,
            "bot": self.bot_user.payload(),
        })

    def _check_app(self, app_id: str) -> None:
        if int(app_id) != self.application_id:
            raise _ApiError(403, 50001, "Missing Access")

    def _check_guild_access(self, guild_id: str | None) -> None:
        """Guild commands need the app in that guild: 403 50001 Missing Access otherwise."""
        if guild_id is None:
            return
        guild = self.guilds.get(int(guild_id))
        if guild is None or self.bot_user.id not in guild.members:
            raise _ApiError(403, 50001, "Missing Access")

    async def _r_get_commands(self, request, body, files, app_id: str, guild_id: str | None = None) -> web.Response:
        self._check_app(app_id)
        self._check_guild_access(guild_id)
        cmds = self.guild_commands.get(int(guild_id), []) if guild_id else self.global_commands
        return _json(cmds)

    async def _r_put_commands(self, request, body, files, app_id: str, guild_id: str | None = None) -> web.Response:
        """Bulk overwrite: validate the basics Discord validates and assign ids."""
        self._check_app(app_id)
        self._check_guild_access(guild_id)
        if not isinstance(body, list) or len(body) > 100:
            raise _ApiError(400, 50035, "Invalid Form Body")
        old = {c["name"]: c for c in (self.guild_commands.get(int(guild_id), []) if guild_id else self.global_commands)}
        errs = FormErrors()
        for i, cmd in enumerate(body):
            self._check_command(errs, (i,), cmd)
        errs.raise_if_any()
        # 200 command creates a day per guild (and for the global scope): a bulk overwrite that
        # adds a name creates it (https://discord.com/developers/docs/interactions/application-commands#registering-a-command)
        scope = int(guild_id) if guild_id else None
        now = self.now()
        recent = [t for t in self.command_creates.get(scope, []) if now - t < 24 * 3600]
        new_names = [c.get("name") for c in body if c.get("name") not in old]
        if len(recent) + len(new_names) > self.command_creates_per_day:
            self.command_creates[scope] = recent
            wait = 24 * 3600 - (now - recent[0]) if recent else 24 * 3600.0
            raise _ApiError(429, 30034, "Max number of daily application command creates has been reached (200)",
                            extra={"retry_after": round(wait, 3), "global": False})
        self.command_creates[scope] = recent + [now] * len(new_names)
        out = []
        for cmd in body:
            name = cmd.get("name", "")
            cid = old[name]["id"] if name in old else str(self.ids.next())
            stored = {
                **cmd,
                "id": cid,
                "application_id": str(self.application_id),
                "version": str(self.ids.next()),
                "type": cmd.get("type", 1),
                # Discord answers with a string whatever the client sent
                "default_member_permissions": (
                    None if cmd.get("default_member_permissions") is None else str(cmd["default_member_permissions"])
                ),
                "dm_permission": cmd.get("dm_permission", True),
                "nsfw": cmd.get("nsfw", False),
            }
            if guild_id:
                stored["guild_id"] = guild_id
            out.append(stored)
        if guild_id:
            self.guild_commands[int(guild_id)] = out
        else:
            self.global_commands = out
        return _json(out)

    @staticmethod
    def _check_command(errs: FormErrors, path: tuple[Any, ...], cmd: dict[str, Any]) -> None:
        """Discord's rules for one command (https://discord.com/developers/docs/interactions/application-commands):
        names 1-32 lowercase, chat-input descriptions 1-100, at most 25 options, option names and descriptions
        1-100, required options before optional ones, no autocomplete together with choices, and at most
        8,000 characters of names, descriptions and values per command."""
        name = cmd.get("name", "")
        chat = cmd.get("type", 1) == 1
        if chat and not re.fullmatch(r"[-_\w]{1,32}", name) or name != name.lower():
            errs.add((*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", f"Command name is invalid: {name!r}")
        desc = cmd.get("description", "")
        if chat and not 1 <= len(desc) <= 100:
            errs.add((*path, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        size = len(name) + len(desc)

        def options(opts: list[dict[str, Any]], where: tuple[Any, ...]) -> int:
            total = 0
            if len(opts) > 25:
                errs.add(where, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            seen_optional = False
            for j, opt in enumerate(opts):
                here = (*where, j)
                oname, odesc = opt.get("name", ""), opt.get("description", "")
                if not re.fullmatch(r"[-_\w]{1,32}", oname):
                    errs.add((*here, "name"), "APPLICATION_COMMAND_INVALID_NAME", f"Option name is invalid: {oname!r}")
                if not 1 <= len(odesc) <= 100:
                    errs.add((*here, "description"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
                if opt.get("type") not in (1, 2):
                    if opt.get("required"):
                        if seen_optional:
                            errs.add((*here, "required"), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                                     "Required options must be placed before non-required options")
                    else:
                        seen_optional = True
                choices = opt.get("choices") or []
                if opt.get("autocomplete") and choices:
                    errs.add((*here, "autocomplete"), "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_WITH_CHOICES",
                             "Autocomplete cannot be enabled when choices are present")
                total += len(oname) + len(odesc)
                total += sum(len(str(c.get("name", ""))) + len(str(c.get("value", ""))) for c in choices)
                total += options(opt.get("options") or [], (*here, "options"))
            return total

        size += options(cmd.get("options") or [], (*path, "options"))
        if size > 8000:
            errs.add(path, "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (8000)")

    def _channel(self, channel_id: str | int) -> SimChannel:
        ch = self.channels.get(int(channel_id))
        if ch is None:
            raise _ApiError(404, 10003, "Unknown Channel")
        return ch

    async def _r_get_channel(self, request, body, files, channel_id: str) -> web.Response:
        channel = self._channel(channel_id)
        if not self.bot_permissions(channel) & VIEW_CHANNEL:
            raise _ApiError(403, 50001, "Missing Access")
        return _json(channel.payload(self.users))

    def _require(self, channel: SimChannel, needed: int) -> None:
        """403 unless the bot holds ``needed`` in ``channel``: 50001 Missing Access
        without View Channel, else 50013 Missing Permissions
        (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes)."""
        perms = self.bot_permissions(channel)
        if not perms & VIEW_CHANNEL:
            raise _ApiError(403, 50001, "Missing Access")
        if perms & needed != needed:
            raise _ApiError(403, 50013, "Missing Permissions")

    def _send_permission(self, channel: SimChannel) -> int:
        return SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES

    async def _r_typing(self, request, body, files, channel_id: str) -> web.Response:
        channel = self._channel(channel_id)
        self._require(channel, self._send_permission(channel))  # typing needs Send Messages
        return web.Response(status=204)

    def _apply_message_permissions(self, channel: SimChannel, body: dict[str, Any], files: dict[int, SimAttachment]) -> dict[str, Any]:
        """What Discord does with a message the bot may only partly send: files
        need Attach Files (403 50013); embeds need Embed Links and are dropped
        without it - silently, the message keeps its other parts."""
        perms = self.bot_permissions(channel)
        if files and not perms & ATTACH_FILES:
            raise _ApiError(403, 50013, "Missing Permissions")
        if body.get("embeds") and not perms & EMBED_LINKS:
            body = {**body, "embeds": []}
        return body

    def _validate_message(self, body: dict[str, Any], files: dict[int, SimAttachment], *, partial: bool,
                          upload_limit: int | None = None) -> None:
        """Discord's limits on a message (https://discord.com/developers/docs/resources/message#create-message,
        .../resources/message#embed-object-embed-limits, .../components/reference#action-row,
        .../components/reference#button, .../reference#uploading-files); a breach is 400 50035 with
        the ``errors`` object naming the key, an upload over the limit 413 40005."""
        limit = self.attachment_size_limit if upload_limit is None else upload_limit
        if len(files) > 10:
            raise _ApiError(400, 50035, "Invalid Form Body (files: Must be 10 or fewer in length.)",
                            {"files": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH",
                                                    "message": "Must be 10 or fewer in length."}]}})
        if any(len(f.data) > limit for f in files.values()) or sum(len(f.data) for f in files.values()) > 25 * 2**20:
            self.refused_uploads.append([len(f.data) for f in files.values()])
            raise _ApiError(413, 40005, "Request entity too large")
        errs = FormErrors()
        content = body.get("content")
        errs.too_long(("content",), content, 2000)
        embeds = body.get("embeds") or []
        if len(embeds) > 10:
            errs.add(("embeds",), "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        total = 0
        for i, e in enumerate(embeds):
            errs.too_long(("embeds", i, "title"), e.get("title"), 256)
            errs.too_long(("embeds", i, "description"), e.get("description"), 4096)
            footer = (e.get("footer") or {}).get("text")
            author = (e.get("author") or {}).get("name")
            errs.too_long(("embeds", i, "footer", "text"), footer, 2048)
            errs.too_long(("embeds", i, "author", "name"), author, 256)
            total += sum(len(x or "") for x in (e.get("title"), e.get("description"), footer, author))
            fields = e.get("fields") or []
            if len(fields) > 25:
                errs.add(("embeds", i, "fields"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            for j, f in enumerate(fields):
                for key, most in (("name", 256), ("value", 1024)):
                    text = f.get(key)
                    if not isinstance(text, str) or not text.strip():  # Discord trims: blank is empty
                        errs.add(("embeds", i, "fields", j, key), "BASE_TYPE_REQUIRED", "This field is required")
                    else:
                        errs.too_long(("embeds", i, "fields", j, key), text, most)
                        total += len(text)
        if total > 6000:  # all the embeds of a message together
            errs.add(("embeds",), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
        rows = body.get("components") or []
        if len(rows) > 5:
            errs.add(("components",), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        ids: list[str] = []
        for r, row in enumerate(rows):
            children = row.get("components") or []
            if not 1 <= len(children) <= 5:
                errs.add(("components", r, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
            for c, child in enumerate(children):
                errs.too_long(("components", r, "components", c, "label"), child.get("label"), 80)
                if child.get("custom_id"):
                    ids.append(child["custom_id"])
                    errs.too_long(("components", r, "components", c, "custom_id"), child["custom_id"], 100)
        if len(ids) != len(set(ids)):
            errs.add(("components",), "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated")
        errs.raise_if_any()
        if not partial and not (content or embeds or files or body.get("sticker_ids") or rows or body.get("poll")):
            raise _ApiError(400, 50006, "Cannot send an empty message")

    def _attachments_for(
        self, channel_id: int, body: dict[str, Any], files: dict[int, SimAttachment], existing: list[SimAttachment]
    ) -> list[SimAttachment]:
        """Resolve ``attachments`` of a create/edit body against the uploaded files and kept ones."""
        by_id = {a.id: a for a in existing}
        out: list[SimAttachment] = []
        used: set[int] = set()
        spec = body.get("attachments")
        if spec is None:
            out = list(existing) + [files[i] for i in sorted(files)]
            used = set(files)
        else:
            for entry in spec:
                aid = int(entry["id"])
                if aid in files and aid not in used:
                    f = files[aid]
                    if entry.get("filename"):
                        f.filename = entry["filename"]
                    f.description = entry.get("description")
                    out.append(f)
                    used.add(aid)
                elif aid in by_id:
                    out.append(by_id[aid])
            out += [files[i] for i in sorted(files) if i not in used]
        for a in out:
            if a.id == 0:
                a.id = self.ids.next()
                a.url = f"{self.base_url}/attachments/{channel_id}/{a.id}/{a.filename}"
        return out

    def _new_message(
        self, channel: SimChannel, body: dict[str, Any], files: dict[int, SimAttachment], *,
        interaction: SimInteraction | None = None, flags: int | None = None,
    ) -> SimMessage:
        msg = SimMessage(
            id=self.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author_id=self.bot_user.id,
            content=body.get("content") or "",
            embeds=body.get("embeds") or [],
            components=body.get("components") or [],
            allowed_mentions=body.get("allowed_mentions"),
            flags=int(body.get("flags") or 0) if flags is None else flags,
            tts=bool(body.get("tts")),
            nonce=body.get("nonce"),
            message_reference=body.get("message_reference"),
            interaction_id=interaction.id if interaction else None,
            webhook_id=self.application_id if interaction else None,
        )
        msg.attachments = self._attachments_for(channel.id, body, files, [])
        self.messages[msg.id] = msg
        return msg

    def _edit(self, msg: SimMessage, body: dict[str, Any], files: dict[int, SimAttachment]) -> None:
        guild = self.guilds.get(msg.guild_id) if msg.guild_id else None
        msg.history.append(msg.payload(self.users, guild))
        if "content" in body:
            msg.content = body["content"] or ""
        if "embeds" in body:
            msg.embeds = body["embeds"] or []
        if "components" in body:
            msg.components = body["components"] or []
        if "allowed_mentions" in body:
            msg.allowed_mentions = body["allowed_mentions"]
        if "flags" in body and body["flags"] is not None:
            # An edit can set or clear SUPPRESS_EMBEDS; ephemerality is fixed at creation.
            keep = msg.flags & (SimMessage.EPHEMERAL | SimMessage.LOADING)
            msg.flags = keep | (int(body["flags"]) & ~(SimMessage.EPHEMERAL | SimMessage.LOADING))
        msg.flags &= ~SimMessage.LOADING
        if "attachments" in body or files:
            msg.attachments = self._attachments_for(msg.channel_id, body, files, msg.attachments)
        msg.edited_timestamp = iso()

    def _message_json(self, msg: SimMessage) -> web.Response:
        guild = self.guilds.get(msg.guild_id) if msg.guild_id else None
        return _json(msg.payload(self.users, guild))

    async def _r_create_message(self, request, body, files, channel_id: str) -> web.Response:
        channel = self._channel(channel_id)
        body = body or {}
        if channel.type == GUILD_FORUM:  # a forum holds posts (threads), not messages
            raise _ApiError(400, 50008, "Cannot send messages in a non-text channel")
        self._require(channel, self._send_permission(channel))
        if body.get("message_reference") and not self.bot_permissions(channel) & READ_MESSAGE_HISTORY:
            body = {**body, "message_reference": None}  # a reply needs Read Message History; Discord drops it
        body = self._apply_message_permissions(channel, body, files)
        self._validate_message(body, files, partial=False)
        msg = self._new_message(channel, body, files)
        self._dispatch_message("MESSAGE_CREATE", msg)
        return self._message_json(msg)

    def _message(self, channel_id: str | int | None, message_id: str | int) -> SimMessage:
        msg = self.messages.get(int(message_id))
        if msg is None or msg.deleted or (channel_id is not None and msg.channel_id != int(channel_id)):
            raise _ApiError(404, 10008, "Unknown Message")
        return msg

    async def _r_get_message(self, request, body, files, channel_id: str, message_id: str) -> web.Response:
        self._require(self._channel(channel_id), READ_MESSAGE_HISTORY)
        return self._message_json(self._message(channel_id, message_id))

    async def _r_edit_message(self, request, body, files, channel_id: str, message_id: str) -> web.Response:
        msg = self._message(channel_id, message_id)
        if msg.author_id != self.bot_user.id:
            raise _ApiError(403, 50005, "Cannot edit a message authored by another user")
        body = body or {}
        channel = self._channel(channel_id)
        self._require(channel, 0)
        body = self._apply_message_permissions(channel, body, files)
        self._validate_message(body, files, partial=True)
        self._edit(msg, body, files)
        self._dispatch_message("MESSAGE_UPDATE", msg)
        return self._message_json(msg)

    async def _r_delete_message(self, request, body, files, channel_id: str, message_id: str) -> web.Response:
        msg = self._message(channel_id, message_id)
        msg.deleted = True
        self._dispatch("MESSAGE_DELETE", {"id": str(msg.id), "channel_id": str(msg.channel_id),
                                          **({"guild_id": str(msg.guild_id)} if msg.guild_id else {})},
                       guild_id=msg.guild_id)
        return web.Response(status=204)

    # ----- interactions
    async def _r_callback(self, request, body, files, interaction_id: str, token: str) -> web.Response:
        inter = self.interactions.get(int(interaction_id))
        if inter is None or inter.token != token:
            raise _ApiError(404, 10062, "Unknown interaction")
        late = self.now() - inter.created
        if not inter.callbacks and late > self.interaction_deadline:
            # "you must send an initial response within 3 seconds of receiving the
            # event. If the 3 second deadline is exceeded, the token will be invalidated."
            # (https://discord.com/developers/docs/interactions/receiving-and-responding#responding-to-an-interaction)
            inter.refused.append(("late callback", 404, 10062))
            raise _ApiError(404, 10062, "Unknown interaction")
        if inter.callbacks:
            raise _ApiError(400, 40060, "Interaction has already been acknowledged.")
        body = body or {}
        ctype = body.get("type")
        data = body.get("data") or {}
        channel = self.channels[inter.channel_id]
        resource_msg: SimMessage | None = None
        if ctype == 1:
            pass
        elif ctype == 4:
            self._validate_message(data, files, partial=False)
            resource_msg = self._new_message(channel, data, files, interaction=inter)
            inter.original_message_id = resource_msg.id
            self._dispatch_message("MESSAGE_CREATE", resource_msg)
        elif ctype == 5:
            flags = (int(data.get("flags") or 0) & SimMessage.EPHEMERAL) | SimMessage.LOADING
            resource_msg = self._new_message(channel, {}, {}, interaction=inter, flags=flags)
            inter.original_message_id = resource_msg.id
            self._dispatch_message("MESSAGE_CREATE", resource_msg)
        elif ctype in (6, 7):
            if inter.type != 3:
                raise _ApiError(400, 40043, "Interaction callback type only valid for component interactions")
            if ctype == 7:
                target = self.messages[inter.message_id]  # type: ignore[index]
                self._validate_message(data, files, partial=True)
                self._edit(target, data, files)
                self._dispatch_message("MESSAGE_UPDATE", target)
                resource_msg = target
        elif ctype == 8:
            if inter.type != 4:
                raise _ApiError(400, 40043, "Autocomplete result only valid for autocomplete interactions")
            choices = data.get("choices") or []
            if len(choices) > 25:
                raise _ApiError(400, 50035, "Invalid Form Body: more than 25 choices")
            for c in choices:
                if not 1 <= len(c.get("name", "")) <= 100 or len(str(c.get("value", ""))) > 100:
                    raise _ApiError(400, 50035, f"Invalid Form Body: choice {c!r}")
        elif ctype in (9, 10, 12):
            pass
        else:
            raise _ApiError(400, 50035, f"Invalid interaction callback type {ctype!r}")
        inter.callbacks.append(body)
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        out: dict[str, Any] = {
            "interaction": {
                "id": str(inter.id),
                "type": inter.type,
                **({"response_message_id": str(resource_msg.id),
                    "response_message_loading": resource_msg.loading,
                    "response_message_ephemeral": resource_msg.ephemeral} if resource_msg else {}),
            }
        }
        if resource_msg is not None:
            guild = self.guilds.get(resource_msg.guild_id) if resource_msg.guild_id else None
            out["resource"] = {"type": ctype, "message": resource_msg.payload(self.users, guild)}
        return _json(out)

    def _interaction_for(self, app_id: str, token: str) -> SimInteraction:
        inter = self._interactions_by_token.get(token)
        if inter is None or int(app_id) != self.application_id:
            raise _ApiError(404, 10015, "Unknown Webhook")
        age = self.now() - inter.created
        if age > self.token_lifetime or (not inter.callbacks and age > self.interaction_deadline):
            # "Interaction tokens are valid for 15 minutes"; a token whose 3 s
            # deadline passed unanswered is invalidated too.
            inter.refused.append(("expired token", 401, 50027))
            raise _ApiError(401, 50027, "Invalid Webhook Token")
        return inter

    def _webhook_message(self, inter: SimInteraction, mid: str) -> SimMessage:
        if mid == "@original":
            if inter.original_message_id is None:
                if inter.type == 3 and inter.callbacks and inter.message_id:
                    return self.messages[inter.message_id]
                raise _ApiError(404, 10008, "Unknown Message")
            return self._message(None, inter.original_message_id)
        msg = self._message(None, mid)
        if msg.id not in inter.followup_ids and msg.id != inter.original_message_id:
            raise _ApiError(404, 10008, "Unknown Message")
        return msg

    async def _r_followup(self, request, body, files, app_id: str, token: str) -> web.Response:
        inter = self._interaction_for(app_id, token)
        if not inter.callbacks:
            raise _ApiError(404, 10015, "Unknown Webhook")  # Discord: follow-ups need a response first
        body = body or {}
        self._validate_message(body, files, partial=False)
        original = self.messages.get(inter.original_message_id or 0)
        if original is not None and original.loading and not original.deleted and not inter.followup_ids:
            # Discord: the first follow-up after a deferred ("thinking") response
            # replaces the loading message instead of posting a new one, and its
            # ephemerality is the deferral's: an ephemeral flag on it is ignored.
            if int(body.get("flags") or 0) & SimMessage.EPHEMERAL and not original.ephemeral:
                inter.refused.append(("ephemeral ignored after a public defer", 200, 0))
            self._edit(original, body, files)
            self._dispatch_message("MESSAGE_UPDATE", original)
            if request.query.get("wait") in ("1", "true", "True"):
                return self._message_json(original)
            return web.Response(status=204)
        msg = self._new_message(self.channels[inter.channel_id], body, files, interaction=inter)
        inter.followup_ids.append(msg.id)
        self._dispatch_message("MESSAGE_CREATE", msg)
        if request.query.get("wait") in ("1", "true", "True"):
            return self._message_json(msg)
        return web.Response(status=204)

    async def _r_webhook_get(self, request, body, files, app_id: str, token: str, mid: str) -> web.Response:
        return self._message_json(self._webhook_message(self._interaction_for(app_id, token), mid))

    async def _r_webhook_edit(self, request, body, files, app_id: str, token: str, mid: str) -> web.Response:
        inter = self._interaction_for(app_id, token)
        msg = self._webhook_message(inter, mid)
        body = body or {}
        self._validate_message(body, files, partial=True)
        self._edit(msg, body, files)
        self._dispatch_message("MESSAGE_UPDATE", msg)
        return self._message_json(msg)

    async def _r_webhook_delete(self, request, body, files, app_id: str, token: str, mid: str) -> web.Response:
        msg = self._webhook_message(self._interaction_for(app_id, token), mid)
        msg.deleted = True
        return web.Response(status=204)


def _json(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """JSON with exactly ``Content-Type: application/json`` (discord.py compares it verbatim)."""
    h = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=dumps(obj).encode(), status=status, headers=h)


class _ApiError(Exception):
    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors
        self.extra = extra or {}


class FormErrors:
    """Discord's ``50035 Invalid Form Body``: the ``errors`` object names the JSON
    key of each error, nested as in the body, each with ``_errors`` [{code, message}]
    (https://discord.com/developers/docs/reference#error-messages)."""

    def __init__(self) -> None:
        self.errors: dict[str, Any] = {}

    def add(self, path: tuple[Any, ...], code: str, message: str) -> None:
        node = self.errors
        for key in path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def too_long(self, path: tuple[Any, ...], value: str | None, limit: int) -> None:
        if value is not None and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def raise_if_any(self) -> None:
        if self.errors:
            first = _first_error(self.errors)
            raise _ApiError(400, 50035, f"Invalid Form Body ({first})", self.errors)


def _first_error(node: dict[str, Any], path: str = "") -> str:
    if "_errors" in node:
        return f"{path or 'body'}: {node['_errors'][0]['message']}"
    key = next(iter(node))
    return _first_error(node[key], f"{path}.{key}" if path else key)
