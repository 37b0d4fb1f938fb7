"""Issue 27, the small ones, through the real store and engine: alert
hysteresis, a bounded server audit log, secrets never echoed by config errors."""
from __future__ import annotations

import pytest

from bot.commands.alerts import AlertPlanner
from bot.config import ConfigError, Settings
from bot.engine import Caller
from bot.store import server_state as servers_mod
from bot.store.server_state import ServerStore

MOD = Caller(user_id="1", name="mod", is_moderator=True)
MGR = Caller(user_id="2", name="mgr", guild_id="77", can_manage_guild=True, channel_id="70")
TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"


def test_undo_redo_flips_of_a_new_number_one_post_once(fresh_engine):
    e = fresh_engine
    assert e.handle("watch top", MGR).ok
    planner = AlertPlanner(e.store, e.refresh)
    posted = []
    assert e.handle("elo DeepSeek-R1 1600", MOD).ok  # a new #1
    posted += planner.alerts(["77"])
    for _ in range(5):  # ten flips back and forth
        assert e.handle("undo", MOD).ok
        posted += planner.alerts(["77"])
        assert e.handle("redo", MOD).ok
        posted += planner.alerts(["77"])
    assert [o.alert.title for o in posted] == ["New #1 on Chatbot Arena"]


def test_a_real_new_change_still_posts_within_the_window(fresh_engine):
    e = fresh_engine
    assert e.handle("watch top", MGR).ok
    planner = AlertPlanner(e.store, e.refresh)
    assert e.handle("elo DeepSeek-R1 1600", MOD).ok
    first = planner.alerts(["77"])
    assert e.handle("elo o3 1700", MOD).ok  # a third model takes #1: news, not a flip back
    second = planner.alerts(["77"])
    assert len(first) == 1 and len(second) == 1 and first[0].alert.key != second[0].alert.key


def test_the_server_audit_log_is_bounded(fresh_engine, monkeypatch):
    monkeypatch.setattr(servers_mod, "SERVER_LOG_LIMIT", 5)
    s = ServerStore(fresh_engine.store)
    for i in range(12):
        s.update(77, "mgr", f"settings charts {'on' if i % 2 else 'off'}", charts=i % 2)
    log = s.log(77, limit=100)
    assert len(log) == 5 and log[0]["action"] == "settings charts on"  # the newest five
    other = ServerStore(fresh_engine.store).update(78, "mgr", "settings charts off", charts=0)
    assert other[1] and len(s.log(77, limit=100)) == 5  # each server its own bound


@pytest.mark.parametrize("key", ["ADMIN_USER_IDS", "ADMIN_ROLE_IDS", "DEV_GUILD_ID", "COMMAND_TIMEOUT", "LOG_LEVEL",
                                 "SHARD_IDS", "EPOCH_CSV_URL"])
def test_a_token_pasted_into_a_setting_is_never_echoed(key):
    with pytest.raises(ConfigError) as exc:
        Settings.from_env({key: TOKEN}, dotenv_path=None)
    text = str(exc.value)
    assert key in text and TOKEN not in text and "GhIjKl" not in text and "not shown" in text


def test_short_wrong_values_are_still_shown():
    with pytest.raises(ConfigError) as exc:
        Settings.from_env({"COMMAND_TIMEOUT": "soon"}, dotenv_path=None)
    assert "'soon'" in str(exc.value)


def test_a_huge_shard_range_is_refused_not_built():
    with pytest.raises(ConfigError):
        Settings.from_env({"SHARD_COUNT": "4", "SHARD_IDS": "0-999999999999"}, dotenv_path=None)
