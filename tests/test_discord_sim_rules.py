"""The simulator enforces Discord's rules, each as the Discord documentation states it.

Every test names the page it follows. REST rules are exercised with plain
aiohttp requests (what any client would send); gateway rules with a raw
websocket or the real discord.py client, so the bot's tests meet the same
refusals Discord would give.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import discord
import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

try:
    from tests.discord_sim import DiscordSimulator
    from tests.discord_sim.models import ATTACH_FILES, EMBED_LINKS, SEND_MESSAGES, SEND_MESSAGES_IN_THREADS, VIEW_CHANNEL
except ImportError:  # tests/ itself on sys.path
    from discord_sim import DiscordSimulator
    from discord_sim.models import ATTACH_FILES, EMBED_LINKS, SEND_MESSAGES, SEND_MESSAGES_IN_THREADS, VIEW_CHANNEL

from tests.test_discord_sim import EchoClient, start_client

pytestmark = pytest.mark.e2e

DOCS = "https://discord.com/developers/docs"
EMBED = {"title": "t", "description": "d"}


@pytest.fixture
async def sim():
    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    # IDENTIFYs back to back in most tests here: the max_concurrency window has its own test
    async with DiscordSimulator(identify_window=0.0) as s:
        Route.BASE = s.api_base
        try:
            yield s
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved


class Rest:
    """Bare REST calls as the bot's token: (status, json-or-text, headers)."""

    def __init__(self, sim: DiscordSimulator, session: aiohttp.ClientSession) -> None:
        self.sim, self.session = sim, session

    async def __call__(self, method: str, path: str, body: Any = None, *, auth: bool = True,
                       files: dict[str, bytes] | None = None) -> tuple[int, Any, Any]:
        headers = {"Authorization": f"Bot {self.sim.token}"} if auth else {}
        kw: dict[str, Any] = {}
        if files:
            form = aiohttp.FormData()
            form.add_field("payload_json", json.dumps(body or {}), content_type="application/json")
            for i, (name, data) in enumerate(files.items()):
                form.add_field(f"files[{i}]", data, filename=name)
            kw["data"] = form
        elif body is not None:
            kw["json"] = body
        async with self.session.request(method, self.sim.api_base + path, headers=headers, **kw) as r:
            text = await r.text()
            try:
                data = json.loads(text) if text else None
            except ValueError:
                data = text
            return r.status, data, r.headers


@pytest.fixture
async def rest(sim):
    async with aiohttp.ClientSession() as session:
        yield Rest(sim, session)


async def raw_identify(sim: DiscordSimulator, *, shard=(0, 1), intents: int = 1 | (1 << 9)) -> tuple[str, Any]:
    """Open a gateway websocket, IDENTIFY, and return ("READY", data) or ("close", code)."""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(sim.gateway_url + "?v=10&encoding=json") as ws:
            hello = await ws.receive_json(timeout=30)
            assert hello["op"] == 10
            await ws.send_json({"op": 2, "d": {"token": sim.token, "intents": intents, "shard": list(shard),
                                               "properties": {"os": "linux", "browser": "t", "device": "t"}}})
            msg = await ws.receive(timeout=30)
            if msg.type == aiohttp.WSMsgType.TEXT:
                payload = json.loads(msg.data)
                return payload["t"], payload["d"]
            return "close", ws.close_code


# ----------------------------------------------------------------------------- gateway
async def test_privileged_intent_is_refused_with_4014_unless_enabled(sim):
    """https://discord.com/developers/docs/events/gateway#privileged-intents ; close 4014 "Disallowed intent(s)" in
    https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes"""
    sim.create_guild("G")
    client = EchoClient(sim, message_content=True)
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await start_client(client, sim)
    await client.close()
    assert sim.refused_identifies[-1] == {"close": 4014, "intents": ["MESSAGE_CONTENT"]}
    # without the privileged intent the same client connects
    plain = EchoClient(sim, message_content=False)
    task = await start_client(plain, sim)
    await plain.close()
    await asyncio.wait_for(task, 30)
    # and an app that has it enabled in the Developer Portal may ask for it (and says so in its flags)
    sim.message_content_intent = True
    kind, ready = await raw_identify(sim, intents=1 | (1 << 9) | (1 << 15))
    assert kind == "READY" and ready["application"]["flags"] & (1 << 19)


async def test_session_start_limit_counts_identifies_and_resets_the_token_when_exceeded(sim, rest):
    """https://discord.com/developers/docs/events/gateway#session-start-limit-object and #get-gateway-bot: "Upon hitting
    this limit, all active sessions for the app will be terminated, the bot token will be reset"."""
    sim.session_start_total = 3
    status, info, _ = await rest("GET", "/gateway/bot")
    assert status == 200 and info["session_start_limit"]["remaining"] == 3
    assert info["session_start_limit"]["max_concurrency"] == 1
    assert (await raw_identify(sim))[0] == "READY"
    assert (await raw_identify(sim))[0] == "READY"
    _, info, _ = await rest("GET", "/gateway/bot")
    assert info["session_start_limit"]["remaining"] == 1
    assert 0 < info["session_start_limit"]["reset_after"] <= 24 * 3600 * 1000
    assert (await raw_identify(sim))[0] == "READY"
    old_token = sim.token
    assert await raw_identify(sim) == ("close", 4004)  # one too many
    assert sim.token_resets == 1 and sim.token != old_token
    status, _, _ = await rest("GET", "/users/@me", auth=False)
    assert status == 401


async def test_sharding_required_above_2500_guilds_a_shard_and_recommended_shards(sim, rest):
    """https://discord.com/developers/docs/events/gateway#sharding: "each shard can only support a maximum of 2500
    guilds" (close 4011 Sharding required); GET /gateway/bot recommends the shard count."""
    sim.max_guilds_per_shard = 2  # 2,500 scaled down
    sim.guilds_per_recommended_shard = 1
    for i in range(3):
        sim.create_guild(f"G{i}", shard=(i % 2, 2))
    assert await raw_identify(sim, shard=(0, 1)) == ("close", 4011)
    assert sim.refused_identifies[-1]["guilds"] == 3
    _, info, _ = await rest("GET", "/gateway/bot")
    assert info["shards"] == 3
    kind, ready = await raw_identify(sim, shard=(0, 2))
    assert kind == "READY" and len(ready["guilds"]) == 2


async def test_unavailable_guilds_in_ready_then_guild_create(sim):
    """https://discord.com/developers/docs/events/gateway-events#ready (guilds are unavailable guild objects) and
    #guild-create ("when a Guild becomes available again to the client")."""
    ok = sim.create_guild("Up")
    down = sim.create_guild("Outage", unavailable=True)
    client = EchoClient(sim, message_content=False)
    client._connection.guild_ready_timeout = 0.2
    task = await start_client(client, sim)
    try:
        assert client.get_guild(ok.id) is not None and not client.get_guild(ok.id).unavailable
        assert client.get_guild(down.id).unavailable  # known only by its id until it is back
        back = asyncio.ensure_future(client.wait_for("guild_available", timeout=60))
        await asyncio.sleep(0)
        sim.set_guild_available(down)
        guild = await back
        assert guild.id == down.id and guild.name == "Outage"
    finally:
        await client.close()
        await asyncio.wait_for(task, 30)


# ----------------------------------------------------------------------------- permissions
async def test_channel_permissions_follow_the_overwrite_order(sim, rest):
    """https://discord.com/developers/docs/topics/permissions#permission-overwrites (@everyone, then roles: deny then
    allow, then the member) and #implicit-permissions; 403 codes 50001 Missing Access and
    50013 Missing Permissions from https://discord.com/developers/docs/topics/opcodes-and-status-codes#json-json-error-codes."""
    guild = sim.create_guild("Perms")
    ch = sim.text_channel(guild)
    bot_role = sim.create_role(guild, "Bots")
    sim.guilds[guild.id].members[sim.bot_user.id].role_ids.append(bot_role.id)
    path = f"/channels/{ch.id}/messages"

    sim.set_overwrite(ch, guild, deny=SEND_MESSAGES)  # @everyone may not talk here
    status, err, _ = await rest("POST", path, {"content": "hi"})
    assert (status, err["code"]) == (403, 50013)
    status, err, _ = await rest("POST", f"/channels/{ch.id}/typing")
    assert (status, err["code"]) == (403, 50013)  # typing needs Send Messages too
    sim.set_overwrite(ch, bot_role, allow=SEND_MESSAGES)  # a role overwrite allows it back
    assert (await rest("POST", path, {"content": "hi"}))[0] == 200
    sim.set_overwrite(ch, sim.bot_user, deny=SEND_MESSAGES)  # the member overwrite wins
    assert (await rest("POST", path, {"content": "hi"}))[0] == 403
    sim.set_overwrite(ch, sim.bot_user, deny=VIEW_CHANNEL)  # cannot see: Missing Access, nothing implied
    status, err, _ = await rest("POST", path, {"content": "hi"})
    assert (status, err["code"]) == (403, 50001)
    assert guild.channel_permissions(ch, sim.bot_user.id) == 0
    # invalid requests are counted (401/403/429)
    assert sim.invalid_request_count() == 4


async def test_embeds_dropped_without_embed_links_and_files_need_attach_files(sim, rest):
    """https://discord.com/developers/docs/resources/message#create-message: embeds need Embed Links and files Attach
    Files; without Embed Links Discord drops the embed and keeps the rest of the message."""
    guild = sim.create_guild("NoEmbeds")
    ch = sim.text_channel(guild)
    sim.set_overwrite(ch, guild, deny=EMBED_LINKS | ATTACH_FILES)
    status, msg, _ = await rest("POST", f"/channels/{ch.id}/messages", {"content": "text", "embeds": [EMBED]})
    assert status == 200 and msg["content"] == "text" and msg["embeds"] == []
    status, err, _ = await rest("POST", f"/channels/{ch.id}/messages", {"embeds": [EMBED]})
    assert (status, err["code"]) == (400, 50006)  # nothing left to send
    status, err, _ = await rest("POST", f"/channels/{ch.id}/messages", {"content": "chart"},
                                files={"chart.png": b"\x89PNG\r\n\x1a\n" + b"0" * 30})
    assert (status, err["code"]) == (403, 50013)


async def test_threads_and_forums(sim, rest):
    """https://discord.com/developers/docs/topics/threads: messages in threads need Send Messages in Threads and use the
    parent's overwrites; a forum holds posts (threads), a message straight into it is refused
    (50008 "Cannot send messages in a non-text channel")."""
    guild = sim.create_guild("Threads")
    ch = sim.text_channel(guild)
    forum = sim.create_channel(guild, "ideas", type=15)
    user = sim.create_user("tina")
    sim.add_member(guild, user)
    sim.message_content_intent = True
    client = EchoClient(sim, message_content=True)
    client._connection.guild_ready_timeout = 0.2
    task = await start_client(client, sim)
    try:
        thread = sim.create_thread(ch, "a thread", owner=user)
        m = sim.send_user_message(thread, user, "echo in a thread")
        [reply] = await sim.wait_for_messages(thread, 1, after=m)
        assert reply.content == "in a thread" and reply.channel_id == thread.id
        post = sim.create_thread(forum, "a post", owner=user, first_message="echo in a post")
        [reply] = await sim.wait_for_messages(post, 1)
        assert reply.content == "in a post"
        status, err, _ = await rest("POST", f"/channels/{forum.id}/messages", {"content": "x"})
        assert (status, err["code"]) == (400, 50008)
        sim.set_overwrite(ch, guild, deny=SEND_MESSAGES_IN_THREADS)
        status, err, _ = await rest("POST", f"/channels/{thread.id}/messages", {"content": "x"})
        assert (status, err["code"]) == (403, 50013)
        assert (await rest("POST", f"/channels/{ch.id}/messages", {"content": "x"}))[0] == 200
    finally:
        await client.close()
        await asyncio.wait_for(task, 30)


async def test_user_message_edits_arrive_as_message_update(sim):
    """https://discord.com/developers/docs/events/gateway-events#message-update."""
    sim.message_content_intent = True
    guild = sim.create_guild("Edits")
    user = sim.create_user("ed")
    sim.add_member(guild, user)
    client = EchoClient(sim, message_content=True)
    client._connection.guild_ready_timeout = 0.2
    task = await start_client(client, sim)
    try:
        seen = asyncio.ensure_future(client.wait_for("message", timeout=60))
        await asyncio.sleep(0)
        m = sim.send_user_message(sim.text_channel(guild), user, "first")
        assert (await seen).id == m.id
        edited = asyncio.ensure_future(client.wait_for("message_edit", timeout=60))
        await asyncio.sleep(0)
        sim.edit_user_message(m, "second")
        before, after = await edited
        assert (before.content, after.content) == ("first", "second")
    finally:
        await client.close()
        await asyncio.wait_for(task, 30)


# ----------------------------------------------------------------------------- interactions
async def _command(sim, rest, **extra) -> dict:
    status, cmds, _ = await rest("PUT", f"/applications/{sim.application_id}/commands",
                                 [{"name": "ping", "description": "Ping", **extra}])
    assert status == 200
    return cmds[0]


async def test_interaction_deadline_3s_and_token_15_minutes(sim, rest):
    """https://discord.com/developers/docs/interactions/receiving-and-responding#responding-to-an-interaction: "Interaction
    tokens are valid for 15 minutes ... you must send an initial response within 3 seconds";
    10062 Unknown interaction, 50027 Invalid Webhook Token."""
    guild = sim.create_guild("Deadline")
    user = sim.create_user("u")
    sim.add_member(guild, user)
    await _command(sim, rest)
    late = sim.send_slash_command("ping", {}, user=user, channel=sim.text_channel(guild))
    sim.advance_time(3.1)
    status, err, _ = await rest("POST", f"/interactions/{late.id}/{late.token}/callback", {"type": 5}, auth=False)
    assert (status, err["code"]) == (404, 10062)
    status, err, _ = await rest("POST", f"/webhooks/{sim.application_id}/{late.token}", {"content": "x"}, auth=False)
    assert (status, err["code"]) == (401, 50027)  # the unanswered token is dead too

    ok = sim.send_slash_command("ping", {}, user=user, channel=sim.text_channel(guild))
    assert (await rest("POST", f"/interactions/{ok.id}/{ok.token}/callback", {"type": 5}, auth=False))[0] == 204
    sim.advance_time(14 * 60)
    status, _, _ = await rest("PATCH", f"/webhooks/{sim.application_id}/{ok.token}/messages/@original",
                              {"content": "done"}, auth=False)
    assert status == 200
    sim.advance_time(61)
    status, err, _ = await rest("PATCH", f"/webhooks/{sim.application_id}/{ok.token}/messages/@original",
                                {"content": "too late"}, auth=False)
    assert (status, err["code"]) == (401, 50027)
    assert ("expired token", 401, 50027) in ok.refused


async def test_first_followup_after_a_defer_takes_the_defers_ephemerality(sim, rest):
    """https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message: after a deferred
    response the first followup edits the "thinking" message, whose ephemerality the deferral set;
    later followups choose their own flags."""
    guild = sim.create_guild("Ephemeral")
    user = sim.create_user("u")
    sim.add_member(guild, user)
    await _command(sim, rest)
    inter = sim.send_slash_command("ping", {}, user=user, channel=sim.text_channel(guild))
    await rest("POST", f"/interactions/{inter.id}/{inter.token}/callback", {"type": 5}, auth=False)  # public defer
    hook = f"/webhooks/{sim.application_id}/{inter.token}?wait=true"
    status, first, _ = await rest("POST", hook, {"content": "meant to be private", "flags": 64}, auth=False)
    assert status == 200 and first["id"] == str(inter.original_message_id)
    assert not sim.messages[inter.original_message_id].ephemeral  # public: the defer decided
    assert ("ephemeral ignored after a public defer", 200, 0) in inter.refused
    status, second, _ = await rest("POST", hook, {"content": "private", "flags": 64}, auth=False)
    assert sim.messages[int(second["id"])].ephemeral
    # an ephemeral defer keeps the first followup private whatever it asks
    inter2 = sim.send_slash_command("ping", {}, user=user, channel=sim.text_channel(guild))
    await rest("POST", f"/interactions/{inter2.id}/{inter2.token}/callback", {"type": 5, "data": {"flags": 64}},
               auth=False)
    await rest("POST", f"/webhooks/{sim.application_id}/{inter2.token}", {"content": "x"}, auth=False)
    assert sim.messages[inter2.original_message_id].ephemeral


async def test_command_contexts_and_default_permissions(sim, rest):
    """https://discord.com/developers/docs/interactions/application-commands#interaction-contexts: ``contexts`` 0 guild,
    1 bot DM, 2 private channel; the interaction's ``context`` says where it ran;
    default_member_permissions hides a command from members without them
    (#application-command-object-application-command-structure)."""
    guild = sim.create_guild("Contexts")
    user = sim.create_user("u")
    sim.add_member(guild, user)
    await _command(sim, rest, contexts=[0], integration_types=[0], default_member_permissions="32")
    with pytest.raises(PermissionError):
        sim.send_slash_command("ping", {}, user=user, channel=sim.dm_channel(user))  # not offered in DMs
    with pytest.raises(PermissionError):
        sim.send_slash_command("ping", {}, user=user, channel=sim.text_channel(guild))  # hidden: no Manage Server
    inter = sim.send_slash_command("ping", {}, user=sim.owner, channel=sim.text_channel(guild))
    assert inter.payload["context"] == 0
    await _command(sim, rest, contexts=[0, 1])
    dm = sim.send_slash_command("ping", {}, user=user, channel=sim.dm_channel(user))
    assert dm.payload["context"] == 1 and "user" in dm.payload and "member" not in dm.payload


# ----------------------------------------------------------------------------- rate limits
async def test_rate_limit_headers_count_down_then_429_with_retry_after(sim, rest):
    """https://discord.com/developers/docs/topics/rate-limits#header-format and #exceeding-a-rate-limit: per route and
    top-level resource (5 messages per 5 s per channel here), X-RateLimit-* headers, 429
    with retry_after; the global limit (50 requests/s) says X-RateLimit-Global and scope global."""
    guild = sim.create_guild("Limits")
    ch = sim.text_channel(guild)
    other = sim.create_channel(guild, "other")
    remaining = []
    for i in range(5):
        status, _, h = await rest("POST", f"/channels/{ch.id}/messages", {"content": str(i)})
        assert status == 200 and h["X-RateLimit-Limit"] == "5"
        remaining.append(int(h["X-RateLimit-Remaining"]))
        assert 0 < float(h["X-RateLimit-Reset-After"]) <= 5.0
    assert remaining == [4, 3, 2, 1, 0]
    status, body, h = await rest("POST", f"/channels/{ch.id}/messages", {"content": "one too many"})
    assert status == 429 and 0 < body["retry_after"] <= 5.0 and body["global"] is False
    assert h["X-RateLimit-Scope"] == "user" and float(h["Retry-After"]) > 0
    assert (await rest("POST", f"/channels/{other.id}/messages", {"content": "x"}))[0] == 200  # own bucket
    statuses = [(await rest("GET", "/users/@me"))[0] for _ in range(50)]
    assert 429 in statuses
    status, body, h = await rest("GET", "/users/@me")
    assert status == 429 and body["global"] is True and h["X-RateLimit-Global"] == "true"


async def test_invalid_requests_lead_to_a_temporary_ban(sim, rest):
    """https://discord.com/developers/docs/topics/rate-limits#invalid-request-limit-aka-cloudflare-bans: 10,000 401/403/429
    responses in 10 minutes get the IP banned (scaled down to 5 here)."""
    sim.invalid_request_limit = 5
    for _ in range(5):
        assert (await rest("GET", "/users/@me", auth=False))[0] == 401
    status, body, h = await rest("GET", "/users/@me")
    assert status == 429 and "1015" in body and "X-RateLimit-Bucket" not in h


# ----------------------------------------------------------------------------- message, embed and component limits
def _button(i: int, label: str = "b") -> dict:
    return {"type": 2, "style": 1, "label": label, "custom_id": f"c{i}"}


def _error_codes(err: dict) -> list[str]:
    out: list[str] = []

    def walk(node):
        for k, v in node.items():
            if k == "_errors":
                out.extend(e["code"] for e in v)
            elif isinstance(v, dict):
                walk(v)

    walk(err.get("errors") or {})
    return out


async def test_components_five_buttons_a_row_80_character_labels_no_empty_rows(sim, rest):
    """https://discord.com/developers/docs/components/reference#action-row ("An Action Row can contain up to 5
    Buttons"), #button ("label: max 80 characters"); a refusal is 50035 with the errors object of
    https://discord.com/developers/docs/reference#error-messages naming the key."""
    ch = sim.text_channel(sim.create_guild("Components"))
    post = f"/channels/{ch.id}/messages"
    status, _, _ = await rest("POST", post, {"content": "ok", "components": [
        {"type": 1, "components": [_button(i) for i in range(5)]}]})
    assert status == 200
    status, err, _ = await rest("POST", post, {"content": "six", "components": [
        {"type": 1, "components": [_button(i) for i in range(6)]}]})
    assert (status, err["code"]) == (400, 50035) and "_errors" in err["errors"]["components"]["0"]["components"]
    status, err, _ = await rest("POST", post, {"content": "long", "components": [
        {"type": 1, "components": [_button(0, "x" * 81)]}]})
    assert err["errors"]["components"]["0"]["components"]["0"]["label"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    status, err, _ = await rest("POST", post, {"content": "empty", "components": [{"type": 1, "components": []}]})
    assert (status, err["code"]) == (400, 50035) and "components" in err["errors"]


async def test_embed_limits_footer_author_blank_fields_and_6000_across_the_message(sim, rest):
    """https://discord.com/developers/docs/resources/message#embed-object-embed-limits: footer text 2048, author
    name 256, field name 256 and value 1024 (required: Discord trims whitespace), and "the combined sum of
    characters in all title, description, field.name, field.value, footer.text, and author.name fields across
    all embeds attached to a message must not exceed 6000 characters"."""
    sim.rate_limits = False  # more than 5 messages in 5 s to one channel: only the embed rules here
    ch = sim.text_channel(sim.create_guild("Embeds"))
    post = f"/channels/{ch.id}/messages"
    status, err, _ = await rest("POST", post, {"embeds": [{"description": "d", "footer": {"text": "f" * 2049}}]})
    assert err["errors"]["embeds"]["0"]["footer"]["text"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    status, err, _ = await rest("POST", post, {"embeds": [{"description": "d", "author": {"name": "a" * 257}}]})
    assert err["errors"]["embeds"]["0"]["author"]["name"]["_errors"]
    status, err, _ = await rest("POST", post, {"embeds": [{"title": "t", "fields": [{"name": " ", "value": "v"}]}]})
    assert err["errors"]["embeds"]["0"]["fields"]["0"]["name"]["_errors"][0]["code"] == "BASE_TYPE_REQUIRED"
    status, _, _ = await rest("POST", post, {"embeds": [{"title": "t", "fields": [{"name": "\u200b", "value": "v"}]}]})
    assert status == 200  # the zero-width space is Discord's blank
    two = [{"description": "x" * 4000}, {"description": "y" * 1800, "author": {"name": "z" * 201}}]  # 6,001
    status, err, _ = await rest("POST", post, {"embeds": two})
    assert (status, err["code"]) == (400, 50035) and "MAX_EMBED_SIZE_EXCEEDED" in _error_codes(err)
    two[1]["author"]["name"] = "z" * 200
    assert (await rest("POST", post, {"embeds": two}))[0] == 200
    status, err, _ = await rest("POST", post, {"content": "c" * 2001})
    assert err["errors"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"


async def test_uploads_over_the_limit_are_413_40005_and_at_most_10_files(sim, rest):
    """https://discord.com/developers/docs/reference#uploading-files: "The default limit is 10 MiB", per file;
    40005 "Request entity too large" in https://discord.com/developers/docs/topics/opcodes-and-status-codes;
    https://discord.com/developers/docs/resources/message#create-message: up to 10 files."""
    ch = sim.text_channel(sim.create_guild("Uploads"))
    post = f"/channels/{ch.id}/messages"
    sim.attachment_size_limit = 64 * 1024  # 10 MiB scaled down: the rule, not the megabytes
    assert (await rest("POST", post, {"content": "f"}, files={"a.bin": b"0" * (64 * 1024)}))[0] == 200
    status, err, _ = await rest("POST", post, {"content": "f"}, files={"a.bin": b"0" * (64 * 1024 + 1)})
    assert (status, err["code"]) == (413, 40005) and sim.refused_uploads == [[64 * 1024 + 1]]
    status, err, _ = await rest("POST", post, {"content": "f"}, files={f"{i}.txt": b"x" for i in range(11)})
    assert (status, err["code"]) == (400, 50035) and "files" in err["errors"]


# ----------------------------------------------------------------------------- application commands
def _cmd(name: str = "race", **kw) -> dict:
    return {"name": name, "description": "Who leads", "type": 1, **kw}


async def test_command_registration_rules(sim, rest):
    """https://discord.com/developers/docs/interactions/application-commands: chat-input descriptions 1-100
    characters, "Required options must be listed before optional options", "autocomplete may not be set to true
    if choices are present", "a maximum of 8000 characters for combined name, description, and value properties
    for each command, its options ... and choices"; each breach 50035 with the errors object."""
    put = f"/applications/{sim.application_id}/commands"
    assert (await rest("PUT", put, [_cmd()]))[0] == 200
    opt = {"type": 3, "name": "date", "description": "as of"}
    cases = {
        "empty description": (_cmd(description=""), ("0", "description")),
        "long description": (_cmd(description="d" * 101), ("0", "description")),
        "required after optional": (_cmd(options=[opt, {**opt, "name": "x", "required": True}]),
                                    ("0", "options", "1", "required")),
        "autocomplete with choices": (_cmd(options=[{**opt, "autocomplete": True,
                                                     "choices": [{"name": "a", "value": "a"}]}]),
                                      ("0", "options", "0", "autocomplete")),
        "over 8000": (_cmd(options=[{"type": 3, "name": f"o{i}", "description": "d" * 100, "choices": [
            {"name": "n" * 100, "value": "v" * 100} for _ in range(25)]} for i in range(2)]), ("0",)),
    }
    for what, (cmd, path) in cases.items():
        status, err, _ = await rest("PUT", put, [cmd])
        assert (status, err["code"]) == (400, 50035), what
        node = err["errors"]
        for key in path:
            node = node[key]
        assert node["_errors"], what
    assert [c["name"] for c in sim.global_commands] == ["race"]  # nothing of the refused sets was kept


async def test_200_command_creates_a_day(sim, rest):
    """https://discord.com/developers/docs/interactions/application-commands#registering-a-command: "There is a
    global rate limit of 200 application command creates per day, per guild"; overwriting a command that exists
    creates nothing; error 30034."""
    put = f"/applications/{sim.application_id}/commands"
    for day_batch in range(2):
        status, _, _ = await rest("PUT", put, [_cmd(f"c{day_batch}-{i}") for i in range(100)])
        assert status == 200
    assert (await rest("PUT", put, [_cmd(f"c1-{i}") for i in range(100)]))[0] == 200  # the same names again
    status, err, _ = await rest("PUT", put, [_cmd("one-too-many")])
    assert (status, err["code"]) == (429, 30034) and err["retry_after"] > 0
    sim.advance_time(24 * 3600)
    assert (await rest("PUT", put, [_cmd("one-too-many")]))[0] == 200


# ----------------------------------------------------------------------------- gateway
async def test_120_gateway_sends_a_minute_then_4008(sim):
    """https://discord.com/developers/docs/events/gateway#rate-limiting: "Apps can send 120 gateway events per
    connection every 60 seconds ... Apps that surpass the limit are immediately disconnected" (close code 4008
    Rate limited, https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes)."""
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(sim.gateway_url + "?v=10&encoding=json") as ws:
            await ws.receive_json(timeout=30)
            for _ in range(121):
                await ws.send_json({"op": 1, "d": None})
            while True:
                msg = await ws.receive(timeout=30)
                if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                    break
            assert ws.close_code == 4008
    assert sim.gateway_rate_limited == [121]


async def test_identify_inside_the_max_concurrency_window_gets_op_9(sim):
    """https://discord.com/developers/docs/events/gateway#session-start-limit-object: max_concurrency "Number of
    identify requests allowed per 5 seconds", keyed by shard_id % max_concurrency (#sharding-max-concurrency);
    "If your app exceeds this limit, Discord will respond with a Invalid Session (opcode 9)"."""
    sim.identify_window = 5.0
    sim.max_concurrency = 2
    sim.create_guild("G")
    assert (await raw_identify(sim, shard=(0, 2)))[0] == "READY"
    assert (await raw_identify(sim, shard=(1, 2)))[0] == "READY"  # the other key
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(sim.gateway_url + "?v=10&encoding=json") as ws:
            await ws.receive_json(timeout=30)
            await ws.send_json({"op": 2, "d": {"token": sim.token, "intents": 1, "shard": [0, 2],
                                               "properties": {"os": "linux", "browser": "t", "device": "t"}}})
            assert await ws.receive_json(timeout=30) == {"op": 9, "d": False, "s": None, "t": None}
    assert [r["key"] for r in sim.concurrency_refusals] == [0] and len(sim.identifies) == 2


async def test_heartbeat_requests_invalid_sessions_and_4008_4009_with_discord_py(sim):
    """https://discord.com/developers/docs/events/gateway#heartbeat-requests (op 1: "send back another Heartbeat
    event" at once), https://discord.com/developers/docs/events/gateway-events#invalid-session (op 9, d: whether
    the session may be resumed), close 4008 (resumable) and 4009 Session timed out (reconnect and IDENTIFY)."""
    sim.create_guild("G")
    client = EchoClient(sim, message_content=False)
    task = await start_client(client, sim)
    try:
        [conn] = [c for c in sim.connections if c.session is not None]
        beats = conn.heartbeats
        assert await sim.request_heartbeat() == 1
        await sim.wait_until(lambda: conn.heartbeats > beats, 30, "a heartbeat in answer to op 1")
        # op 9 d:true -> RESUME of the same session; op 9 d:false -> a new IDENTIFY
        assert await sim.invalidate_session(resumable=True) == 1
        await sim.wait_until(lambda: len(sim.resumes) == 1 and sim.live_sessions(), 30, "a resume after op 9 true")
        assert len(sim.identifies) == 1
        await sim.invalidate_session(resumable=False)
        await sim.wait_until(lambda: len(sim.identifies) == 2 and sim.live_sessions(), 60, "an IDENTIFY after op 9 false")
        sim.drop_gateway(4008)
        await sim.wait_until(lambda: len(sim.resumes) == 2 and sim.live_sessions(), 30, "a resume after 4008")
        sim.drop_gateway(4009)
        await sim.wait_until(lambda: len(sim.identifies) == 3 and sim.live_sessions(), 60, "an IDENTIFY after 4009")
    finally:
        await client.close()
        await asyncio.wait_for(task, 30)
