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
from bot.config import DEFAULT_API_BASE, ConfigError, Settings
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
    assert s.command_prefix == "!" and s.shard_count == 1 and s.discord_api_base == DEFAULT_API_BASE
    s = Settings.from_env(
        {"DISCORD_TOKEN": " s3cr3t-value ", "ADMIN_USER_IDS": "1, 2;3", "ADMIN_ROLE_IDS": "9", "SHARD_COUNT": "2",
         "DEV_GUILD_ID": "42", "DISCORD_API_BASE": "http://127.0.0.1:9/api/v10/", "LOG_LEVEL": "debug"},
        dotenv_path=None,
    )
    assert s.discord_token == "s3cr3t-value"
    assert s.admin_user_ids == {1, 2, 3} and s.admin_role_ids == {9}
    assert s.shard_count == 2 and s.dev_guild_id == 42 and s.log_level == "DEBUG"
    assert s.discord_api_base == "http://127.0.0.1:9/api/v10"
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
    ({"DISCORD_API_BASE": "ftp://x"}, "DISCORD_API_BASE"),
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
    assert not caller.is_moderator and caller.in_dm


def test_server_manager_is_not_a_moderator() -> None:
    """Manage Server in this guild makes a server manager, nothing more; in DMs there is no guild."""
    settings = Settings(admin_user_ids=frozenset({1}))
    guild = SimpleNamespace(id=500, text_channels=[SimpleNamespace(id=9, name="race-news")])
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
    from bot.adapters.discord.bot import BOT_PERMISSIONS, invite_url

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
