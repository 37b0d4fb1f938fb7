"""A loopback Discord: REST (API v10) and gateway websocket on 127.0.0.1.

The real discord.py client connects to it over real sockets: point
``discord.http.Route.BASE`` at :attr:`DiscordSimulator.api_base` and the
gateway URL comes from ``GET /gateway/bot``. Tests drive it through Python
methods (create guilds, type messages, run slash commands, click buttons,
inject faults) and assert on what it recorded.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
import zlib
from typing import Any, Callable, Iterable

from aiohttp import WSMsgType, web

from .models import (
    EVERYONE_PERMISSIONS,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
    ATTACH_FILES,
    MANAGE_GUILD,
    SEND_MESSAGES,
    VIEW_CHANNEL,
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

# Gateway opcodes
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE, OP_VOICE = 0, 1, 2, 3, 4
OP_RESUME, OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION = 6, 7, 8, 9
OP_HELLO, OP_HEARTBEAT_ACK = 10, 11

# Close codes after which the session cannot be resumed (the client gets op 9 on RESUME).
NON_RESUMABLE_CODES = {4007, 4009}


CALL_KEY = web.RequestKey("call", RestCall)


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
        self.closed = False
        self._send_lock = asyncio.Lock()

    async def send(self, payload: dict[str, Any]) -> None:
        await self.send_many([payload])

    async def send_many(self, payloads: list[dict[str, Any]]) -> None:
        async with self._send_lock:
            for payload in payloads:
                await self._send_locked(payload)

    async def _send_locked(self, payload: dict[str, Any]) -> None:
        if self.ws.closed:
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
        recommended_shards: int = 1,
        max_concurrency: int = 1,
        request_log_limit: int = 10000,
    ) -> None:
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.recommended_shards = recommended_shards
        self.max_concurrency = max_concurrency  # session_start_limit.max_concurrency of /gateway/bot
        self.request_log_limit = request_log_limit
        self.ids = SnowflakeFactory()

        self.users: dict[int, SimUser] = {}
        self.guilds: dict[int, SimGuild] = {}
        self.channels: dict[int, SimChannel] = {}
        self.messages: dict[int, SimMessage] = {}
        self.interactions: dict[int, SimInteraction] = {}
        self._uploads: dict[int, SimAttachment] = {}  # files given to slash commands
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

    async def __aenter__(self) -> "DiscordSimulator":
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """What the bot's DISCORD_API_BASE should be."""
        return self.base_url + API_PREFIX

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
    ) -> SimGuild:
        """A guild with an @everyone role, text channels, the owner and the bot as members.

        ``shard=(shard_id, shard_count)`` picks an id that routes to that shard.
        Created after the bot connected, the guild is announced with GUILD_CREATE
        (the bot "joins" it) unless ``announce`` is false.
        """
        gid = self.ids.for_shard(*shard) if shard else self.ids.next()
        owner = owner or self.owner
        guild = SimGuild(id=gid, name=name, owner_id=owner.id)
        guild.roles[gid] = SimRole(id=gid, guild_id=gid, name="@everyone", permissions=EVERYONE_PERMISSIONS)
        self.guilds[gid] = guild
        for ch in channels:
            self.create_channel(guild, ch)
        self.add_member(guild, owner)
        self.add_member(guild, self.bot_user)
        if announce and self.sessions:
            self._dispatch("GUILD_CREATE", guild.create_payload(self.users), guild_id=gid)
        return guild

    def create_channel(self, guild: SimGuild, name: str) -> SimChannel:
        ch = SimChannel(id=self.ids.next(), name=name, guild_id=guild.id)
        guild.channels[ch.id] = ch
        self.channels[ch.id] = ch
        return ch

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

    def set_overwrite(self, channel: SimChannel, target: SimUser | SimRole | SimGuild, *, allow: int = 0,
                      deny: int = 0) -> None:
        """Set a channel permission overwrite (a role, the @everyone role via the
        guild, or a member) and tell the bot with CHANNEL_UPDATE. Sending where
        the bot lacks View Channel or Send Messages then fails with 403 50013."""
        kind = 1 if isinstance(target, SimUser) else 0
        tid = target.id
        channel.overwrites = [o for o in channel.overwrites if (o["type"], o["id"]) != (kind, tid)]
        channel.overwrites.append({"id": tid, "type": kind, "allow": allow, "deny": deny})
        self._dispatch("CHANNEL_UPDATE", channel.payload(self.users), guild_id=channel.guild_id)

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
        return next(iter(guild.channels.values()))

    # ------------------------------------------------------------------ user actions
    def send_user_message(
        self, channel: SimChannel, author: SimUser, content: str, *,
        attachments: Iterable[tuple[str, bytes]] = (),
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
            ))
        self.messages[msg.id] = msg
        self._dispatch_message("MESSAGE_CREATE", msg)
        self._notify()
        return msg

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
            "app_permissions": str(guild.permissions_of(self.bot_user.id) if guild else 0),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id) if guild else str(user.id)},
            "context": 0 if guild else 1,
            "attachment_size_limit": 10 * 1024 * 1024,
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
            guild_id=guild.id if guild else None, payload=data,
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

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
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
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except asyncio.TimeoutError:
                    pass

    async def wait_for_messages(
        self, channel: SimChannel, n: int = 1, timeout: float = 5.0, *, after: SimMessage | int | None = None,
        author: SimUser | None = None,
    ) -> list[SimMessage]:
        """Wait until ``channel`` has at least ``n`` messages by ``author`` (the bot) after ``after``."""
        def check() -> list[SimMessage] | None:
            msgs = self.messages_in(channel, author=author, after=after)
            return msgs if len(msgs) >= n else None

        return await self.wait_until(check, timeout, f"{n} message(s) in #{channel.name}")

    async def wait_for_edit(
        self, message: SimMessage, edits: int | None = None, timeout: float = 5.0, *,
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

    async def wait_for_response(self, interaction: SimInteraction, timeout: float = 5.0) -> SimInteraction:
        """Wait for the interaction's callback (any type)."""
        await self.wait_until(lambda: interaction.callbacks, timeout, f"a callback to interaction {interaction.id}")
        return interaction

    async def wait_for_answer(self, interaction: SimInteraction, timeout: float = 5.0) -> SimMessage:
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

    async def wait_for_ready_sessions(self, n: int = 1, timeout: float = 10.0) -> list[GatewaySession]:
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
        self.identifies.append({**d, "token": "<redacted>"})
        # A new IDENTIFY for a shard replaces older sessions of that shard.
        for old in self.sessions.values():
            if old.shard_id == shard_id and old.shard_count == shard_count:
                old.invalid = True
        sess = GatewaySession(
            session_id=secrets.token_hex(16), shard_id=shard_id, shard_count=shard_count,
            intents=int(d.get("intents", 0)),
        )
        self.sessions[sess.session_id] = sess
        conn.session = sess
        mine = [g for g in self.guilds.values() if g.shard_id(shard_count) == shard_id]
        ready = {
            "v": 10,
            "user": {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "flags": 0, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in mine],
            "session_id": sess.session_id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "shard": [shard_id, shard_count],
            "application": {"id": str(self.application_id), "flags": 0},
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
        try:
            resp = await handler(request)
        except web.HTTPException as exc:
            resp = exc
        except _ApiError as exc:
            resp = _json({"message": exc.message, "code": exc.code}, status=exc.status)
        call.status = resp.status
        self._add_ratelimit_headers(resp, path)
        self._notify()
        return resp

    @staticmethod
    def _bucket(path: str) -> str:
        return re.sub(r"\d{5,}", "{id}", path.split("?")[0])

    def _add_ratelimit_headers(self, resp: web.StreamResponse, path: str) -> None:
        resp.headers["X-RateLimit-Limit"] = "50"
        resp.headers["X-RateLimit-Remaining"] = "49"
        resp.headers["X-RateLimit-Reset"] = f"{time.time() + 1.0:.3f}"
        resp.headers["X-RateLimit-Reset-After"] = "1.000"
        resp.headers["X-RateLimit-Bucket"] = f"sim-{abs(hash(self._bucket(path))) % 10**8:08d}"
        resp.headers["Via"] = "1.1 google"

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
        if aid in self._uploads:
            a = self._uploads[aid]
            return web.Response(body=a.data, content_type=a.content_type or "application/octet-stream")
        for msg in self.messages.values():
            for a in msg.attachments:
                if a.id == aid:
                    return web.Response(body=a.data, content_type=a.content_type or "application/octet-stream")
        raise web.HTTPNotFound()

    # ------------------------------------------------------------------ REST handlers
    async def _r_gateway(self, request, body, files) -> web.Response:
        return _json({"url": self.gateway_url})

    async def _r_gateway_bot(self, request, body, files) -> web.Response:
        return _json({
            "url": self.gateway_url,
            "shards": self.recommended_shards,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14400000,
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
            "flags": 0,
            "summary": "",
            "interactions_endpoint_url": None,
            "bot": self.bot_user.payload(),
        })

    def _check_app(self, app_id: str) -> None:
        if int(app_id) != self.application_id:
            raise _ApiError(403, 50001, "Missing Access")

    async def _r_get_commands(self, request, body, files, app_id: str, guild_id: str | None = None) -> web.Response:
        self._check_app(app_id)
        cmds = self.guild_commands.get(int(guild_id), []) if guild_id else self.global_commands
        return _json(cmds)

    async def _r_put_commands(self, request, body, files, app_id: str, guild_id: str | None = None) -> web.Response:
        """Bulk overwrite: validate the basics Discord validates and assign ids."""
        self._check_app(app_id)
        if not isinstance(body, list) or len(body) > 100:
            raise _ApiError(400, 50035, "Invalid Form Body")
        old = {c["name"]: c for c in (self.guild_commands.get(int(guild_id), []) if guild_id else self.global_commands)}
        out = []
        for cmd in body:
            name = cmd.get("name", "")
            if cmd.get("type", 1) == 1 and not re.fullmatch(r"[-_\w]{1,32}", name) or name != name.lower():
                raise _ApiError(400, 50035, f"Invalid Form Body: command name {name!r}")
            if len(cmd.get("description", "")) > 100 or len(cmd.get("options", []) or []) > 25:
                raise _ApiError(400, 50035, f"Invalid Form Body: command {name!r}")
            for opt in cmd.get("options", []) or []:
                if not re.fullmatch(r"[-_\w]{1,32}", opt.get("name", "")) or not 1 <= len(opt.get("description", "")) <= 100:
                    raise _ApiError(400, 50035, f"Invalid Form Body: option {opt.get('name')!r} of {name!r}")
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

    def _channel(self, channel_id: str | int) -> SimChannel:
        ch = self.channels.get(int(channel_id))
        if ch is None:
            raise _ApiError(404, 10003, "Unknown Channel")
        return ch

    async def _r_get_channel(self, request, body, files, channel_id: str) -> web.Response:
        return _json(self._channel(channel_id).payload(self.users))

    async def _r_typing(self, request, body, files, channel_id: str) -> web.Response:
        self._channel(channel_id)
        return web.Response(status=204)

    def _validate_message(self, body: dict[str, Any], files: dict[int, SimAttachment], *, partial: bool) -> None:
        content = body.get("content")
        if content is not None and len(content) > 2000:
            raise _ApiError(400, 50035, "Invalid Form Body: content: Must be 2000 or fewer in length.")
        embeds = body.get("embeds") or []
        if len(embeds) > 10:
            raise _ApiError(400, 50035, "Invalid Form Body: embeds: Must be 10 or fewer in length.")
        for e in embeds:
            total = len(e.get("title") or "") + len(e.get("description") or "") + len((e.get("footer") or {}).get("text") or "")
            if len(e.get("title") or "") > 256 or len(e.get("description") or "") > 4096:
                raise _ApiError(400, 50035, "Invalid Form Body: embed title/description too long")
            fields = e.get("fields") or []
            if len(fields) > 25:
                raise _ApiError(400, 50035, "Invalid Form Body: embed has more than 25 fields")
            for f in fields:
                if not f.get("name") or not f.get("value") or len(f["name"]) > 256 or len(f["value"]) > 1024:
                    raise _ApiError(400, 50035, "Invalid Form Body: embed field name/value empty or too long")
                total += len(f["name"]) + len(f["value"])
            if total > 6000:
                raise _ApiError(400, 50035, "Invalid Form Body: embed longer than 6000 characters")
        rows = body.get("components") or []
        if len(rows) > 5:
            raise _ApiError(400, 50035, "Invalid Form Body: more than 5 action rows")
        ids = [b.get("custom_id") for r in rows for b in r.get("components", []) if b.get("custom_id")]
        if len(ids) != len(set(ids)) or any(len(i) > 100 for i in ids):
            raise _ApiError(400, 50035, "Invalid Form Body: custom_id duplicated or too long")
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
            msg.flags = (msg.flags & ~(SimMessage.LOADING)) | int(body["flags"])
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
        if channel.guild_id is not None:
            guild = self.guilds.get(channel.guild_id)
            perms = guild.channel_permissions_of(self.bot_user.id, channel) if guild else 0
            need = VIEW_CHANNEL | SEND_MESSAGES | (ATTACH_FILES if files else 0)
            if perms & need != need:
                raise _ApiError(403, 50013, "Missing Permissions")
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
        return self._message_json(self._message(channel_id, message_id))

    async def _r_edit_message(self, request, body, files, channel_id: str, message_id: str) -> web.Response:
        msg = self._message(channel_id, message_id)
        if msg.author_id != self.bot_user.id:
            raise _ApiError(403, 50005, "Cannot edit a message authored by another user")
        body = body or {}
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
        if original is not None and original.loading and not inter.followup_ids:
            # Discord: the first follow-up after a deferred ("thinking") response
            # replaces the loading message instead of posting a new one.
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
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
