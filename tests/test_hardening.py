"""Issue #13: the smaller items and the checks that need no server.

Each test names the review finding it guards against."""
from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings


@pytest.mark.parametrize("raw", ["1_000", "١٢٣", "+5", "１２３", "12 3x", "0x10", "1e3"])
@pytest.mark.parametrize("key", ["ADMIN_ROLE_IDS", "ADMIN_USER_IDS", "ANNOUNCE_CHANNEL_ID", "DEV_GUILD_ID"])
def test_discord_ids_are_ascii_digits_only(key, raw):
    with pytest.raises(ConfigError) as exc:
        Settings.from_env({key: raw}, dotenv_path=None)
    assert key in str(exc.value) and "digits" in str(exc.value)


def test_plain_ids_still_load():
    s = Settings.from_env({"ADMIN_ROLE_IDS": "123456789012345678, 42", "ADMIN_USER_IDS": "7"}, dotenv_path=None)
    assert s.admin_role_ids == {123456789012345678, 42} and s.admin_user_ids == {7}


# --------------------------------------------------------------------------- item 6: markdown and link injection
import re  # noqa: E402

from bot.engine import Caller  # noqa: E402

MOD = Caller(user_id="1", name="mod", is_moderator=True)
HOSTILE = "@everyone <@&123> [free nitro](https://evil.example)\n# HEADING\n```\nbreak `x` ||s|| **b**"


def _texts(reply) -> list[str]:
    out = []
    for page in [reply, *reply.pages]:
        out += [page.text or "", page.description or "", page.title or "", page.footer or ""]
        out += [f.name for f in page.fields] + [f.value for f in page.fields]
    return out + list(reply.announcements)


def _assert_inert(reply, where: str) -> None:
    for t in _texts(reply):
        assert not re.search(r"@(everyone|here)", t), (where, t)
        assert not re.search(r"<@[!&]?\d+>|<#\d+>", t), (where, t)
        assert not re.search(r"\]\s*[(<]", t), (where, t)  # a masked link
        assert not re.search(r"(?m)^[ \t]*(#{1,6}\s|-#\s|>|[-*+]\s|\d+[.)]\s)", t), (where, t)
        assert t.count("```") % 2 == 0 and "```\nbreak" not in t, (where, t)


def _poison(e, model_id: int, alias: str) -> None:
    """Store a hostile name as if an import had brought it (the change is not audited)."""
    with e.store.change("test", "poison", audit=False) as ch:
        ch.db.execute("UPDATE models SET name = ? WHERE id = ?", [HOSTILE + alias, model_id])
        ch.db.execute("UPDATE arena_ratings SET arena_name = ? || arena_name WHERE model_id = ?", [HOSTILE, model_id])
        ch.db.execute("INSERT INTO aliases (alias, model_id, kind, reviewed) VALUES (?, ?, 'alias', 1)", [alias, model_id])
        ch.count += 1


def test_hostile_names_stored_in_the_database_are_shown_as_text(fresh_engine):
    e = fresh_engine
    latest = e.store.scalar("SELECT MAX(snapshot_date) FROM arena_ratings")
    board = e.store.query("SELECT model_id FROM arena_ratings WHERE snapshot_date = ? ORDER BY score DESC LIMIT 3",
                          [latest])
    _poison(e, board[0]["model_id"], "poisonone")
    _poison(e, board[1]["model_id"], "poisontwo")
    for line in ("top", "top 5", "race", "model poisonone", "compare poisonone vs poisontwo", "gap us china",
                 "frontier", "timeline", "history poisonone"):
        r = e.handle(line, MOD)
        assert r.status in ("ok", "not_found"), (line, r.status, r.text)
        _assert_inert(r, line)
    shown = " ".join(_texts(e.handle("top 5")))
    assert "free nitro" in shown  # the name is shown, as text
    # an Elo change that makes a hostile name the new #1: the announcement is inert too
    r = e.handle("elo poisontwo 3000", MOD)
    assert r.status == "ok" and r.announcements, r.text
    _assert_inert(r, "announcement")


@pytest.mark.parametrize("line", ["model [FREE NITRO, click](https://evil.example/login)",
                                  "model # heading\n- list", "compare @everyone vs <@&1>",
                                  "org [x](https://evil.example)", "top 3 [a](https://e.example)"])
def test_user_text_echoed_back_is_inert(engine, line):
    _assert_inert(engine.handle(line), line)
