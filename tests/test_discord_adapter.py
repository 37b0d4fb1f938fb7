"""The Discord adapter's pure parts: settings, option joining, rendering, redaction, callers."""
from __future__ import annotations

import logging
from types import SimpleNamespace

import discord
import pytest

from bot.adapters.discord.callers import make_caller
from bot.adapters.discord.embeds import colour_for, render
from bot.adapters.discord.logs import RedactFilter
from bot.adapters.discord.slash import AUTOCOMPLETE_KINDS, build_line, connectors, slash_name
from bot.config import ConfigError, Settings
from bot.reply import Attachment, Field, Reply

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def info(name: str, usage: str, *params: tuple[str, str, bool]) -> SimpleNamespace:
    return SimpleNamespace(
        name=name, usage=usage, aliases=(), summary=name, example=name, admin=False,
        params=tuple(SimpleNamespace(name=n, kind=k, description=n, required=r) for n, k, r in params),
    )


# ----------------------------------------------------------------------------- settings
def test_settings_from_env_defaults_and_parsing(tmp_path) -> None:
    s = Settings.from_env({}, dotenv_path=None)
    assert s.command_prefix == "!" and s.shard_count == 1 and s.discord_address is None
    s = Settings.from_env(
        {"DISCORD_TOKEN": " s3cr3t-value ", "ADMIN_USER_IDS": "1, 2;3", "ADMIN_ROLE_IDS": "9", "SHARD_COUNT": "2",
         "DEV_GUILD_ID": "42", "DISCORD_ADDRESS": "127.0.0.1:9", "LOG_LEVEL": "debug"},
        dotenv_path=None,
    )
    assert s.discord_token == "s3cr3t-value"
    assert s.admin_user_ids == {1, 2, 3} and s.admin_role_ids == {9}
    assert s.shard_count == 2 and s.dev_guild_id == 42 and s.log_level == "DEBUG"
    assert s.discord_address == "127.0.0.1:9"
    assert "s3cr3t" not in repr(s)


def test_settings_dotenv_is_below_the_environment(tmp_path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("COMMAND_PREFIX=?\nSHARD_COUNT=3\n")
    s = Settings.from_env({"SHARD_COUNT": "1"}, dotenv_path=env_file)
    assert s.command_prefix == "?" and s.shard_count == 1


@pytest.mark.parametrize("env, word", [
    ({"ADMIN_USER_IDS": "12,abc"}, "ADMIN_USER_IDS"),
    ({"SHARD_COUNT": "0"}, "SHARD_COUNT"),
    ({"DEV_GUILD_ID": "guild"}, "DEV_GUILD_ID"),
    ({"DISCORD_ADDRESS": "discord.com"}, "DISCORD_ADDRESS"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
])
def test_settings_errors_name_the_variable(env, word) -> None:
    with pytest.raises(ConfigError, match=word):
        Settings.from_env(env, dotenv_path=None)


# ----------------------------------------------------------------------------- option joining
def test_build_line_joins_in_parameter_order() -> None:
    gap = info("gap", "gap <x> <y> [date]", ("x", "text", True), ("y", "text", True), ("date", "date", False))
    assert build_line(gap, {"y": "china", "x": "us", "date": None}) == "gap us china"
    assert build_line(gap, {"x": "us", "y": "china", "date": "2025-02"}) == "gap us china 2025-02"
    top = info("top", "top [n] [benchmark] [date]", ("n", "int", False), ("filters", "text", False))
    assert build_line(top, {"n": 5, "filters": "gpqa"}) == "top 5 gpqa"
    assert build_line(top, {}) == "top"


def test_build_line_keeps_connecting_words() -> None:
    rename = info("rename", "rename <model> to <new name>", ("model", "model", True), ("new", "text", True))
    merge = info("merge", "merge <duplicate> into <model>", ("duplicate", "model", True), ("model", "model", True))
    compare = info("compare", "compare <model> vs <model> [vs ...]", ("models", "models", True))
    assert connectors(rename) == {"new": "to"}
    assert build_line(rename, {"model": "deepseek r1", "new": "R1"}) == "rename deepseek r1 to R1"
    assert build_line(rename, {"model": "deepseek r1", "new": "to R1"}) == "rename deepseek r1 to R1"
    assert build_line(merge, {"duplicate": "a", "model": "b"}) == "merge a into b"
    assert build_line(compare, {"models": "gpt-4o vs r1"}) == "compare gpt-4o vs r1"


def test_slash_names_are_valid() -> None:
    assert slash_name("Compare") == "compare"
    assert slash_name("new name") == "new_name"
    assert slash_name("?") == "_"
    assert "model" in AUTOCOMPLETE_KINDS and "text" not in AUTOCOMPLETE_KINDS


# ----------------------------------------------------------------------------- rendering
def test_render_embed_with_chart_footer_and_colour() -> None:
    reply = Reply(
        text="**GPT-4o leads**", title="GPT-4o vs DeepSeek-R1", fields=[Field("Arena", "1,429"), Field("", "")],
        footer="Source: LMArena · as of 2025-08-06", color_key="OpenAI",
        files=[Attachment("chart.png", PNG)],
    )
    kw = render(reply)
    [embed] = kw["embeds"]
    assert kw["content"] == "**GPT-4o leads**"
    assert embed.title == "GPT-4o vs DeepSeek-R1"
    assert embed.image.url == "attachment://chart.png"
    assert embed.footer.text == "Source: LMArena · as of 2025-08-06"
    assert embed.fields[1].name == "\u200b" and embed.fields[1].value == "\u200b"  # Discord rejects empty fields
    assert embed.colour == colour_for("openai")
    assert [f.filename for f in kw["files"]] == ["chart.png"]


def test_render_pages_and_plain_text() -> None:
    kw = render(Reply(title="T", footer="src"), page=1, pages=3)
    assert kw["embeds"][0].footer.text == "src · page 2/3"
    kw = render(Reply(text="just text"))
    assert kw["embeds"] == [] and kw["content"] == "just text"
    assert render(Reply())["content"]  # never an empty message


def test_colours_are_stable_and_fall_back_to_status() -> None:
    assert colour_for("United States") == colour_for("united states")
    assert colour_for("Some New Lab") == colour_for("some new lab")
    assert colour_for(None, "error") != colour_for(None, "ok")


# ----------------------------------------------------------------------------- safety
def test_redact_filter_hides_the_token_in_messages_and_tracebacks() -> None:
    token = "MTIzNDU2.secret.token"
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "auth %s failed", (token,), None)
    try:
        raise RuntimeError(f"bad header Bot {token}")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    assert RedactFilter([token]).filter(record)
    assert token not in record.getMessage() and "[REDACTED]" in record.getMessage()
    assert token not in (record.exc_text or "")
    # short strings are not treated as secrets (an empty token must not redact everything)
    assert RedactFilter([""]).secrets == []


class FakeRole:
    def __init__(self, id: int) -> None:
        self.id = id


def test_moderator_from_user_ids_and_roles() -> None:
    settings = Settings(admin_user_ids=frozenset({1}), admin_role_ids=frozenset({77}))
    guild = SimpleNamespace(id=500)
    member = SimpleNamespace(id=2, name="m", display_name="M", roles=[FakeRole(500), FakeRole(77)])
    plain = SimpleNamespace(id=3, name="p", display_name="P", roles=[FakeRole(500)])
    listed = SimpleNamespace(id=1, name="l", display_name="L")
    assert make_caller(member, guild, settings).is_moderator  # by role
    assert make_caller(member, guild, settings).role_ids == frozenset({"77"})  # @everyone left out
    assert not make_caller(plain, guild, settings).is_moderator
    assert make_caller(listed, None, settings).is_moderator  # DMs: listed users only
    dm_member = SimpleNamespace(id=2, name="m", display_name="M")
    caller = make_caller(dm_member, None, settings)
    assert not caller.is_moderator and caller.guild_id is None


def test_server_manager_is_not_a_moderator() -> None:
    """Manage Server in this guild makes a server manager, nothing more; in DMs there is no guild."""
    settings = Settings(admin_user_ids=frozenset({1}))
    def channel(cid: int, name: str, visible: bool) -> SimpleNamespace:
        return SimpleNamespace(id=cid, name=name, permissions_for=lambda _who: SimpleNamespace(view_channel=visible))

    # the manager's channel list holds only what they can see (issue 27)
    guild = SimpleNamespace(id=500, text_channels=[channel(9, "race-news", True), channel(10, "mods-only", False)])
    manager = SimpleNamespace(id=2, name="m", display_name="M", roles=[FakeRole(500)],
                              guild_permissions=SimpleNamespace(manage_guild=True))
    member = SimpleNamespace(id=3, name="p", display_name="P", roles=[FakeRole(500)],
                             guild_permissions=SimpleNamespace(manage_guild=False))
    c = make_caller(manager, guild, settings, SimpleNamespace(id=9))
    assert (c.guild_id, c.can_manage_guild, c.is_moderator, c.channel_id) == ("500", True, False, "9")
    assert c.channels == (("9", "race-news"),)
    assert not make_caller(member, guild, settings).can_manage_guild
    dm = make_caller(SimpleNamespace(id=1, name="l", display_name="L"), None, settings)
    assert dm.is_moderator and dm.guild_id is None and not dm.can_manage_guild


def test_no_mentions_anywhere() -> None:
    from bot.adapters.discord.embeds import NO_MENTIONS

    assert NO_MENTIONS.to_dict() == {"parse": []}
    assert isinstance(NO_MENTIONS, discord.AllowedMentions)


def test_invite_url_asks_for_what_the_bot_uses() -> None:
    from bot.adapters.discord.gateway import BOT_PERMISSIONS, invite_url

    url = invite_url(1234)
    assert "client_id=1234" in url and "applications.commands" in url
    assert BOT_PERMISSIONS.send_messages and BOT_PERMISSIONS.attach_files and BOT_PERMISSIONS.embed_links
    assert not BOT_PERMISSIONS.administrator and not BOT_PERMISSIONS.mention_everyone


def test_embeds_and_charts_share_one_palette() -> None:
    """A country or an organisation has one colour: the embed's is the chart's."""
    from bot.render.palette import color

    for key in ("United States", "China", "OpenAI", "DeepSeek", "closed", "Some New Lab"):
        assert colour_for(key).value == int(color(key).lstrip("#"), 16), key
    assert colour_for("CHINA") == colour_for("China")


def test_the_operators_guide_permission_integer_is_what_the_bot_asks_for() -> None:
    from pathlib import Path

    from bot.adapters.discord.gateway import BOT_PERMISSIONS

    readme = (Path(__file__).resolve().parents[1] / "docs" / "operators.md").read_text()
    assert BOT_PERMISSIONS.send_messages_in_threads
    assert f"permissions={BOT_PERMISSIONS.value}" in readme


def test_shard_and_intent_settings() -> None:
    s = Settings.from_env({"SHARD_COUNT": "8", "SHARD_IDS": "0-3, 6", "MESSAGE_CONTENT": "OFF"}, dotenv_path=None)
    assert s.shard_ids == (0, 1, 2, 3, 6) and s.shard_count == 8 and s.message_content == "off"
    assert Settings.from_env({"SHARD_COUNT": "auto"}, dotenv_path=None).shard_count is None
    assert Settings.from_env({}, dotenv_path=None).message_content == "auto"
    for env, word in [({"SHARD_IDS": "0-3"}, "SHARD_COUNT"), ({"SHARD_COUNT": "4", "SHARD_IDS": "2-5"}, "SHARD_IDS"),
                      ({"SHARD_COUNT": "auto", "SHARD_IDS": "0"}, "SHARD_COUNT"), ({"MESSAGE_CONTENT": "maybe"}, "MESSAGE_CONTENT"),
                      ({"SHARD_COUNT": "4", "SHARD_IDS": "a-b"}, "SHARD_IDS")]:
        with pytest.raises(ConfigError, match=word):
            Settings.from_env(env, dotenv_path=None)


def test_fit_to_permissions() -> None:
    from bot.adapters.discord.fit import NO_FILES_NOTE, fit

    reply = Reply(text="lead", title="Race", fields=[Field("US", "1,420")], footer="Source: LMArena · as of 2025-08-06",
                  files=[Attachment("chart.png", PNG, "image/png")])
    kw = render(reply)
    assert fit(kw, None) == kw  # DMs: as rendered
    everything = discord.Permissions(view_channel=True, send_messages=True, embed_links=True, attach_files=True)
    assert fit(kw, everything)["embeds"] and fit(kw, everything)["files"]
    no_embeds = fit(kw, discord.Permissions(view_channel=True, send_messages=True, attach_files=True))
    assert no_embeds["embeds"] == [] and no_embeds["files"]
    assert no_embeds["content"].startswith("lead\n\n**Race**") and "**US**: 1,420" in no_embeds["content"]
    assert no_embeds["content"].endswith("-# Source: LMArena · as of 2025-08-06")
    no_files = fit(kw, discord.Permissions(view_channel=True, send_messages=True, embed_links=True))
    assert no_files["files"] == [] and no_files["embeds"] and no_files["content"].endswith(NO_FILES_NOTE)
    long = render(Reply(title="T", description="x" * 4000, footer="Source: S · as of 2025-01-01"))
    clipped = fit(long, discord.Permissions(view_channel=True, send_messages=True))
    assert len(clipped["content"]) <= 2000 and clipped["content"].endswith("-# Source: S · as of 2025-01-01")


# ----------------------------------------------------------------------------- replies that always fit
def _everything_but(**off: bool) -> discord.Permissions:
    perms = discord.Permissions(view_channel=True, send_messages=True, embed_links=True, attach_files=True,
                                read_message_history=True)
    for name in off:
        setattr(perms, name, False)
    return perms


def test_a_long_embed_without_embed_links_becomes_pages_of_text_within_2000() -> None:
    from bot.adapters.discord.fit import for_channel
    from bot.render.text import fit_reply

    fields = [Field(f"command{i}", "a summary of what it does, with usage and an example " * 3) for i in range(25)]
    reply = fit_reply(Reply(text="Commands:", title="Help", fields=fields, footer="Source: the registry"))
    assert sum(len(f.name) + len(f.value) for f in reply.fields) > 2000  # far more than one message
    shaped = for_channel(reply, _everything_but(embed_links=False))
    pages = [shaped, *shaped.pages]
    assert len(pages) > 1 and all(not p.title and not p.fields for p in pages)
    for p in pages:
        kw = render(p)
        assert kw["embeds"] == [] and len(kw["content"]) <= 2000 and kw["content"].endswith("-# Source: the registry")
    text = "\n".join(p.text for p in pages)
    assert all(f"**command{i}**" in text for i in range(25))  # nothing lost, only paged


def test_page_suffix_and_every_part_fit_the_6000_budget() -> None:
    from bot.adapters.discord.fit import embed_length
    from bot.render.text import fit_reply

    fields = [Field("n" * 200, "v" * 1000) for _ in range(40)]
    reply = fit_reply(Reply(title="t" * 256, description="d" * 5000, fields=fields, footer="f" * 3000))
    pages = [reply, *reply.pages]
    for i, page in enumerate(pages):
        [embed] = render(page, page=i, pages=len(pages))["embeds"]
        assert embed_length(embed) <= 6000, (i, embed_length(embed))
        assert len(embed.footer.text) <= 2048 and embed.footer.text.endswith(f"page {i + 1}/{len(pages)}")


def test_blank_field_names_and_values_are_zero_width_spaces() -> None:
    from bot.render.text import fit_reply

    reply = fit_reply(Reply(title="t", fields=[Field(" ", "\n\t"), Field("", "x"), Field("name", "  ")]))
    for kw in (render(reply), render(Reply(title="t", fields=[Field(" ", " ")]))):
        for f in kw["embeds"][0].fields:
            assert f.name.strip() and f.value.strip()  # Discord trims whitespace and refuses an empty field


def test_embeds_are_counted_together_with_the_author_name() -> None:
    from bot.adapters.discord.fit import embed_length, guard

    one = discord.Embed(title="a", description="x" * 4000)
    two = discord.Embed(description="y" * 1500).set_author(name="z" * 256)
    two.add_field(name="n", value="v" * 400)
    assert embed_length(one) + embed_length(two) > 6000
    kept = guard({"content": None, "embeds": [one, two], "files": []})["embeds"]
    assert sum(embed_length(e) for e in kept) <= 6000 and kept[0].description == "x" * 4000


def test_no_image_points_at_a_file_that_is_not_sent() -> None:
    from bot.adapters.discord.fit import NO_FILES_NOTE, for_channel, guard

    reply = Reply(text="lead", title="Race", files=[Attachment("chart.png", PNG, "image/png")])
    shaped = for_channel(reply, _everything_but(attach_files=False))
    kw = render(shaped)
    assert kw["files"] == [] and not kw["embeds"][0].image.url and NO_FILES_NOTE in kw["content"]
    stale = render(reply)
    stale["files"] = []
    assert not guard(stale)["embeds"][0].image.url


def test_uploads_fit_the_channel_limit_compressed_or_left_out_with_the_command_line() -> None:
    import gzip
    import os

    from bot.adapters.discord.fit import fit_files

    limit = 1 << 20
    text = b"".join(b'{"model": "m%d", "score": %d},\n' % (i, i % 97) for i in range(120_000))  # ~3.6 MiB of JSON
    noise = os.urandom(limit + 1)
    reply = Reply(text="Export (json)", files=[Attachment("racebot.json", text, "application/json"),
                                              Attachment("noise.bin", noise, "application/octet-stream")],
                  data={"cli": "racebot export json --out export/"})
    out = fit_files(reply, may_attach=True, limit=limit)
    [packed] = out.files
    assert packed.filename == "racebot.json.gz" and len(packed.data) <= limit
    assert gzip.decompress(packed.data) == text
    assert "`noise.bin`" in out.text and "racebot export json --out export/" in out.text and len(out.text) <= 2000
    many = fit_files(Reply(files=[Attachment(f"{i}.png", PNG) for i in range(12)]), may_attach=True)
    assert len(many.files) == 10 and "at most 10 files" in many.text
    refused = fit_files(reply, may_attach=False)
    assert not refused.files and "Attach Files" in refused.text and "racebot export json" in refused.text


def test_intents_are_only_what_the_bot_uses() -> None:
    from bot.adapters.discord.gateway import wanted_intents

    on, off = wanted_intents(True), wanted_intents(False)
    assert on.guilds and on.guild_messages and on.dm_messages and on.message_content and not off.message_content
    assert on.value == (discord.Intents(guilds=True, guild_messages=True, dm_messages=True).value | (1 << 15))
    for unused in ("typing", "guild_typing", "dm_typing", "reactions", "voice_states", "members", "presences"):
        assert not getattr(on, unused), unused


def test_json_log_lines_are_one_object_each_and_redacted() -> None:
    import json

    from bot.adapters.discord.logs import RedactFilter, formatter_for

    fmt = formatter_for(Settings(log_format="json"))
    redact = RedactFilter(["s3cr3t-token-value"])
    try:
        raise RuntimeError("failed with s3cr3t-token-value inside")
    except RuntimeError:
        import sys

        record = logging.LogRecord("racebot.discord", logging.ERROR, __file__, 1, "sending %s failed", ("x",),
                                   sys.exc_info())
    assert redact.filter(record)
    line = fmt.format(record)
    assert "\n" not in line and "s3cr3t" not in line
    out = json.loads(line)
    assert out["level"] == "ERROR" and out["logger"] == "racebot.discord" and out["message"] == "sending x failed"
    assert "RuntimeError" in out["exc"] and out["time"].endswith("Z")
    assert not formatter_for(Settings()).format(record).startswith("{")
