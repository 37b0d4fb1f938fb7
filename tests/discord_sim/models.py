"""Data kept by the Discord simulator, and the JSON shapes Discord sends.

Everything here is plain data: the server (:mod:`.server`) mutates it, tests
read it. Payload builders follow the Discord API v10 documentation closely
enough for discord.py 2.x to parse them.
"""
from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

DISCORD_EPOCH_MS = 1420070400000

# Permission bits (https://discord.com/developers/docs/topics/permissions).
ADD_REACTIONS = 1 << 6
MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
EVERYONE_PERMISSIONS = (
    ADD_REACTIONS | VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES
    | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS
)

# Gateway intents we look at.
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def iso(ts: float | None = None) -> str:
    return datetime.fromtimestamp(ts if ts is not None else time.time(), tz=timezone.utc).isoformat()


class SnowflakeFactory:
    """Snowflakes whose timestamp part grows by one millisecond per id.

    ``(id >> 22)`` is then a counter, so consecutive guild ids land on
    different shards, and ``for_shard`` can pick an id for a given shard.
    """

    def __init__(self) -> None:
        self._base_ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        self._counter = itertools.count(1)

    def next(self) -> int:
        n = next(self._counter)
        return ((self._base_ms + n) << 22) | (1 << 17) | (n & 0xFFF)

    def for_shard(self, shard_id: int, shard_count: int) -> int:
        while True:
            sf = self.next()
            if (sf >> 22) % shard_count == shard_id:
                return sf


@dataclass
class SimUser:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class SimRole:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }


@dataclass
class SimChannel:
    id: int
    name: str
    guild_id: int | None = None  # None: a DM channel
    type: int = 0  # 0 text, 1 DM
    recipient_id: int | None = None
    # permission overwrites as Discord sends them: {"id", "type" (0 role, 1 member), "allow", "deny"}
    overwrites: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_dm(self) -> bool:
        return self.guild_id is None

    def payload(self, users: dict[int, SimUser] | None = None) -> dict[str, Any]:
        if self.is_dm:
            recipients = []
            if users is not None and self.recipient_id in users:
                recipients = [users[self.recipient_id].payload()]
            return {"id": str(self.id), "type": 1, "last_message_id": None, "recipients": recipients}
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": 0,
            "permission_overwrites": [
                {"id": str(o["id"]), "type": o["type"], "allow": str(o["allow"]), "deny": str(o["deny"])}
                for o in self.overwrites
            ],
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
        }


@dataclass
class SimMember:
    user_id: int
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso)


@dataclass
class SimGuild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, SimRole] = field(default_factory=dict)
    channels: dict[int, SimChannel] = field(default_factory=dict)
    members: dict[int, SimMember] = field(default_factory=dict)

    def shard_id(self, shard_count: int) -> int:
        return (self.id >> 22) % shard_count

    def permissions_of(self, user_id: int) -> int:
        if user_id == self.owner_id:
            return (1 << 53) - 1
        member = self.members.get(user_id)
        perms = self.roles[self.id].permissions  # @everyone has the guild's id
        if member is not None:
            for rid in member.role_ids:
                if rid in self.roles:
                    perms |= self.roles[rid].permissions
        if perms & ADMINISTRATOR:
            return (1 << 53) - 1
        return perms

    def channel_permissions_of(self, user_id: int, channel: "SimChannel") -> int:
        """Discord's order: base (roles), then the @everyone overwrite, the
        member's roles' overwrites (denies, then allows), the member's own."""
        perms = self.permissions_of(user_id)
        if perms & ADMINISTRATOR or user_id == self.owner_id:
            return perms
        member = self.members.get(user_id)
        roles = set(member.role_ids) if member else set()
        by_id = {(o["type"], int(o["id"])): o for o in channel.overwrites}
        everyone = by_id.get((0, self.id))
        if everyone:
            perms = (perms & ~everyone["deny"]) | everyone["allow"]
        deny = allow = 0
        for rid in roles:
            o = by_id.get((0, rid))
            if o:
                deny |= o["deny"]
                allow |= o["allow"]
        perms = (perms & ~deny) | allow
        mine = by_id.get((1, user_id))
        if mine:
            perms = (perms & ~mine["deny"]) | mine["allow"]
        return perms

    def member_payload(self, user: SimUser, *, with_permissions: bool = False) -> dict[str, Any]:
        m = self.members[user.id]
        data: dict[str, Any] = {
            "user": user.payload(),
            "nick": m.nick,
            "avatar": None,
            "roles": [str(r) for r in m.role_ids],
            "joined_at": m.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_permissions:
            data["permissions"] = str(self.permissions_of(user.id))
        return data

    def create_payload(self, users: dict[int, SimUser]) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "max_members": 500000,
            "joined_at": iso(),
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "members": [self.member_payload(users[uid]) for uid in self.members],
            "channels": [c.payload() for c in self.channels.values()],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }


@dataclass
class SimAttachment:
    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None
    url: str = ""

    @property
    def is_png(self) -> bool:
        return self.data.startswith(PNG_MAGIC)

    def payload(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
        }
        if self.description:
            d["description"] = self.description
        if self.is_png and len(self.data) >= 24:
            d["width"] = int.from_bytes(self.data[16:20], "big")
            d["height"] = int.from_bytes(self.data[20:24], "big")
        return d


@dataclass
class SimMessage:
    """A message as the simulator stores it (the latest version) plus history."""

    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[SimAttachment] = field(default_factory=list)
    allowed_mentions: dict[str, Any] | None = None
    flags: int = 0
    tts: bool = False
    nonce: Any = None
    interaction_id: int | None = None  # set when the message answers an interaction
    webhook_id: int | None = None
    message_reference: dict[str, Any] | None = None
    timestamp: str = field(default_factory=iso)
    edited_timestamp: str | None = None
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)  # earlier versions (payloads)

    EPHEMERAL = 64
    LOADING = 128

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & self.EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & self.LOADING)

    @property
    def edits(self) -> int:
        return len(self.history)

    @property
    def embed(self) -> dict[str, Any] | None:
        return self.embeds[0] if self.embeds else None

    def buttons(self) -> list[dict[str, Any]]:
        """Every button in the components: dicts with label, custom_id, disabled, style."""
        out: list[dict[str, Any]] = []

        def walk(items: list[dict[str, Any]]) -> None:
            for c in items:
                if c.get("type") == 2:
                    out.append(c)
                walk(c.get("components", []) or [])

        walk(self.components)
        return out

    def text(self) -> str:
        """Content plus every embed's visible text, for loose assertions."""
        parts = [self.content or ""]
        for e in self.embeds:
            parts.append(e.get("title") or "")
            parts.append(e.get("description") or "")
            for f in e.get("fields", []) or []:
                parts.append(f.get("name", ""))
                parts.append(f.get("value", ""))
            parts.append((e.get("footer") or {}).get("text", ""))
        return "\n".join(p for p in parts if p)

    def payload(self, users: dict[int, SimUser], guild: SimGuild | None) -> dict[str, Any]:
        author = users[self.author_id]
        d: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": author.payload(),
            "content": self.content,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
            "tts": self.tts,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [a.payload() for a in self.attachments],
            "embeds": self.embeds,
            "reactions": [],
            "pinned": False,
            "type": 20 if self.interaction_id else (19 if self.message_reference else 0),
            "flags": self.flags,
            "components": self.components,
        }
        if self.nonce is not None:
            d["nonce"] = self.nonce
        if self.webhook_id is not None:
            d["webhook_id"] = str(self.webhook_id)
            d["application_id"] = str(self.webhook_id)
        if self.message_reference:
            d["message_reference"] = self.message_reference
        if guild is not None:
            d["guild_id"] = str(guild.id)
            if self.author_id in guild.members:
                m = guild.member_payload(author)
                m.pop("user", None)
                d["member"] = m
        return d


@dataclass
class RestCall:
    """One REST request the client made, as the simulator saw it."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    headers: dict[str, str]
    json: Any = None
    files: list[SimAttachment] = field(default_factory=list)
    status: int = 0
    at: float = field(default_factory=time.monotonic)
    fault: str | None = None  # "429", "500", "slow" when a fault was injected

    def __repr__(self) -> str:  # short, for assertion messages
        extra = f" fault={self.fault}" if self.fault else ""
        return f"<{self.method} {self.path} -> {self.status}{extra}>"


@dataclass
class Fault:
    status: int | None  # None: only a delay
    count: int
    method: str | None = None
    path_contains: str | None = None
    retry_after: float = 0.5
    delay: float = 0.0
    is_global: bool = False
    served: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.count <= 0:
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        if self.path_contains and self.path_contains not in path:
            return False
        return True


@dataclass
class SimInteraction:
    id: int
    token: str
    type: int  # 2 command, 3 component, 4 autocomplete
    user_id: int
    channel_id: int
    guild_id: int | None
    payload: dict[str, Any]
    message_id: int | None = None  # for components: the message clicked
    callbacks: list[dict[str, Any]] = field(default_factory=list)  # every callback body
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)

    @property
    def response_type(self) -> int | None:
        return self.callbacks[0]["type"] if self.callbacks else None

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        """The autocomplete result (callback type 8), if any."""
        for cb in self.callbacks:
            if cb.get("type") == 8:
                return (cb.get("data") or {}).get("choices", [])
        return None


@dataclass
class GatewaySession:
    session_id: str
    shard_id: int
    shard_count: int
    intents: int
    seq: int = 0
    buffer: list[dict[str, Any]] = field(default_factory=list)  # every dispatched payload, for RESUME
    ws: Any = None  # the live aiohttp WebSocketResponse, None while disconnected
    conn: Any = None  # the GatewayConnection
    invalid: bool = False
    identified_at: float = field(default_factory=time.monotonic)
    resumes: int = 0


def dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))
