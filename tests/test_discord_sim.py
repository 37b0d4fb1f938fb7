"""The Discord simulator itself, driven by a bare discord.py client (no engine).

These pin down the protocol pieces the bot's end-to-end tests rely on:
login, READY/GUILD_CREATE, zlib-stream compression, heartbeats, REST
recording, multipart attachments, 429 handling, resume after a drop.
"""
from __future__ import annotations

import asyncio
import io
import zlib

import discord
import pytest
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

try:
    from tests.discord_sim import PNG_MAGIC, DiscordSimulator
except ImportError:  # tests/ itself on sys.path (pytest's default rootdir insertion)
    from discord_sim import PNG_MAGIC, DiscordSimulator

pytestmark = pytest.mark.e2e

TINY_PNG = PNG_MAGIC + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + b"\x00" * 20


class EchoClient(discord.Client):
    """Echoes ``echo ...`` messages, answers /ping, and knows the simulator via /gateway/bot."""

    def __init__(self, sim: DiscordSimulator, *, message_content: bool = True, **kw):
        intents = discord.Intents.default()
        intents.message_content = message_content
        super().__init__(intents=intents, allowed_mentions=discord.AllowedMentions.none(), **kw)
        self.sim = sim
        self.tree = app_commands.CommandTree(self)
        self.seen: list[int] = []

        @self.tree.command(name="ping", description="Ping")
        async def ping(interaction: discord.Interaction, word: str) -> None:
            await interaction.response.send_message(f"pong {word}")

    async def setup_hook(self) -> None:
        _shards, url, _limit = await self.http.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        await self.tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not message.content.startswith("echo "):
            return
        self.seen.append(message.id)
        text = message.content[5:]
        if text == "png":
            await message.channel.send("a chart", file=discord.File(io.BytesIO(TINY_PNG), "chart.png"))
        else:
            await message.channel.send(text)


@pytest.fixture
async def sim():
    async with DiscordSimulator() as s:
        old = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
        Route.BASE = s.api_base
        try:
            yield s
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old


@pytest.fixture
async def client(sim):
    guild = sim.create_guild("Sim Guild")
    c = EchoClient(sim)
    c._connection.guild_ready_timeout = 0.2
    task = asyncio.create_task(c.start(sim.token))
    try:
        await asyncio.wait_for(c.wait_until_ready(), 10)
        c.test_guild = guild
        yield c
    finally:
        await c.close()
        await asyncio.wait_for(task, 5)


async def test_login_ready_and_compression(sim, client):
    assert client.user.id == sim.bot_user.id
    assert [g.id for g in client.guilds] == [client.test_guild.id]
    conn = sim.connections[-1]
    # whatever transport compression discord.py asked for (zlib-stream, or zstd-stream with zstandard)
    assert conn.compress == discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE
    assert conn.compress in ("zlib-stream", "zstd-stream")
    assert conn.version == "10"
    # compression is real: the bytes on the wire are zlib data and smaller than the JSON
    assert conn.wire_bytes < conn.raw_bytes
    assert sim.identifies[0]["intents"] & (1 << 15)
    paths = [c.path for c in sim.rest_calls]
    assert "/users/@me" in paths and "/oauth2/applications/@me" in paths
    assert any(c.method == "PUT" and c.path.endswith("/commands") for c in sim.rest_calls)
    assert [c["name"] for c in sim.global_commands] == ["ping"]
    # Authorization is recorded redacted, never the token
    assert all(sim.token not in str(c.headers) for c in sim.rest_calls)


async def test_zlib_stream_is_one_stream():
    # Our compressor keeps one context per connection, like Discord; check the round trip.
    c, d = zlib.compressobj(), zlib.decompressobj()
    for text in (b'{"op":10}', b'{"op":11}'):
        data = c.compress(text) + c.flush(zlib.Z_SYNC_FLUSH)
        assert data.endswith(b"\x00\x00\xff\xff")
        assert d.decompress(data) == text


async def test_message_roundtrip_with_attachment(sim, client):
    ch = sim.text_channel(client.test_guild)
    user = sim.create_user("alice")
    sim.add_member(client.test_guild, user)
    m = sim.send_user_message(ch, user, "echo png")
    [reply] = await sim.wait_for_messages(ch, 1, after=m)
    assert reply.content == "a chart"
    assert reply.attachments[0].filename == "chart.png"
    assert reply.attachments[0].is_png
    assert reply.allowed_mentions == {"parse": []}
    post = sim.calls("POST", r"/channels/\d+/messages$")[-1]
    assert post.headers["Content-Type"].startswith("multipart/form-data")


async def test_429_is_honoured(sim, client):
    ch = sim.text_channel(client.test_guild)
    user = sim.create_user("bob")
    sim.add_member(client.test_guild, user)
    sim.rate_limit_next(1, retry_after=0.3, method="POST", path_contains="/messages")
    m = sim.send_user_message(ch, user, "echo hi")
    [reply] = await sim.wait_for_messages(ch, 1, after=m)
    assert reply.content == "hi"
    posts = sim.calls("POST", r"/channels/\d+/messages$")
    assert [p.status for p in posts[-2:]] == [429, 200]
    assert posts[-1].at - posts[-2].at >= 0.28


async def test_slash_command(sim, client):
    ch = sim.text_channel(client.test_guild)
    user = sim.create_user("carol")
    sim.add_member(client.test_guild, user)
    inter = sim.send_slash_command("ping", {"word": "x"}, user=user, channel=ch)
    answer = await sim.wait_for_answer(inter)
    assert answer.content == "pong x"
    assert inter.response_type == 4


@pytest.mark.parametrize("code", [4000, None])
async def test_resume_after_drop(sim, client, code):
    ch = sim.text_channel(client.test_guild)
    user = sim.create_user("dave")
    sim.add_member(client.test_guild, user)
    resumed = asyncio.ensure_future(client.wait_for("resumed", timeout=10))
    await asyncio.sleep(0)
    assert sim.drop_gateway(code) == 1
    # events while the bot is away are buffered and replayed, in order, on RESUME
    away = [sim.send_user_message(ch, user, f"echo while away {i}") for i in range(3)]
    await resumed
    after = sim.send_user_message(ch, user, "echo back")
    replies = await sim.wait_for_messages(ch, 4, after=away[0].id - 1)
    assert [r.content for r in replies] == ["while away 0", "while away 1", "while away 2", "back"]
    assert sim.resumes and sim.connections[-1].path == "/resume-gateway"
    assert len(sim.identifies) == 1
    await asyncio.sleep(0.2)
    assert client.seen == [m.id for m in away] + [after.id]  # each seen exactly once
    seqs = [p["s"] for p in sim.connections[-1].sent if p.get("s") is not None]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))


async def test_slow_responses_are_waited_for(sim, client):
    ch = sim.text_channel(client.test_guild)
    user = sim.create_user("erin")
    sim.add_member(client.test_guild, user)
    sim.inject_fault(None, delay=0.5, method="POST", path_contains="/messages")
    m = sim.send_user_message(ch, user, "echo slow")
    t0 = asyncio.get_running_loop().time()
    [reply] = await sim.wait_for_messages(ch, 1, after=m)
    assert reply.content == "slow"
    assert asyncio.get_running_loop().time() - t0 >= 0.45
    assert sim.calls("POST", r"/messages$")[-1].fault == "slow"


async def test_without_message_content_intent_content_is_empty(sim):
    guild = sim.create_guild("No intent")
    c = EchoClient(sim, message_content=False)
    c._connection.guild_ready_timeout = 0.1
    task = asyncio.create_task(c.start(sim.token))
    try:
        await asyncio.wait_for(c.wait_until_ready(), 10)
        user = sim.create_user("frank")
        sim.add_member(guild, user)
        arrived = asyncio.ensure_future(c.wait_for("message", timeout=10))
        await asyncio.sleep(0)
        sent = sim.send_user_message(sim.text_channel(guild), user, "echo hi")
        message = await arrived  # waits for the event itself, however busy the machine
        assert message.id == sent.id and message.content == ""
        assert c.seen == []  # the bot saw the message, but not its text
    finally:
        await c.close()
        await asyncio.wait_for(task, 5)


async def test_op7_reconnect_resumes(sim, client):
    resumed = asyncio.ensure_future(client.wait_for("resumed", timeout=10))
    await asyncio.sleep(0)
    await sim.send_reconnect()
    await resumed
    assert len(sim.identifies) == 1 and len(sim.resumes) == 1


async def test_global_rate_limit_and_500_retry(sim, client):
    ch = sim.text_channel(client.test_guild)
    user = sim.create_user("gina")
    sim.add_member(client.test_guild, user)
    sim.inject_fault(429, retry_after=0.3, is_global=True, method="POST", path_contains="/messages")
    sim.inject_fault(500, method="POST", path_contains="/messages")
    m = sim.send_user_message(ch, user, "echo after")
    [reply] = await sim.wait_for_messages(ch, 1, after=m, timeout=8)
    assert reply.content == "after"
    assert [c.status for c in sim.calls("POST", r"/messages$")] == [429, 500, 200]
