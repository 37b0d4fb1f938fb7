"""The extension points are lists that hold together: commands, chart kinds,
importers and settings (no engine, no database)."""
from __future__ import annotations

import dataclasses

import pytest

import bot.commands  # noqa: F401  (registers every handler)
from bot.commands.params import KINDS as PARAM_KINDS
from bot.commands.registry import ALIASES, REGISTRY, find
from bot.config import SETTINGS, ConfigError, Settings
from bot.render.charts.registry import KINDS, chart_kind
from bot.store.importers import IMPORTERS, chat_importers


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_each_command_is_complete(name):
    info = REGISTRY[name]
    assert info.summary and info.usage.split()[0] == name
    assert find(info.example.split()[0]) is info, f"{name}: the example does not run {name}"
    assert {p.kind for p in info.params} <= set(PARAM_KINDS)
    assert all(find(a) is info for a in info.aliases)
    assert find(name.upper()) is info


def test_names_and_aliases_do_not_clash():
    assert not set(ALIASES) & set(REGISTRY)
    assert all(target in REGISTRY for target in ALIASES.values())


def test_chart_kinds_match_their_modules_and_commands():
    assert KINDS and all(chart_kind(k).name == k for k in KINDS)
    for k in KINDS:
        for _slug, line in chart_kind(k).gallery:
            info = find(line.split()[0])
            assert info is not None and info.chart, (k, line)


def test_importers():
    assert {"epoch", "epoch-hub", "arena", "figures", "project"} <= set(IMPORTERS)
    assert "epoch-hub" not in chat_importers()  # a folder of files: the CLI only
    assert all(i.name == n for n, i in IMPORTERS.items())


def test_every_setting_field_is_in_the_list_once():
    fields = [f.name for f in dataclasses.fields(Settings)]
    assert sorted(s.field for s in SETTINGS) == sorted(fields)
    envs = [s.env for s in SETTINGS]
    assert len(envs) == len(set(envs))
    assert all(s.doc for s in SETTINGS)


def test_unset_and_blank_settings_keep_their_defaults():
    assert Settings.from_env({}, dotenv_path=None) == Settings()
    assert Settings.from_env({s.env: "  " for s in SETTINGS}, dotenv_path=None) == Settings()


def test_settings_read_every_variable():
    s = Settings.from_env({"RACEBOT_CHART_WORKERS": "3", "RACEBOT_CHART_PROCESSES": "no",
                           "RACEBOT_HISTORY": "/tmp/h", "BACKUP_DIR": "/tmp/b", "SYNC_COMMANDS": "off",
                           "EPOCH_CSV_URL": "http://127.0.0.1:9/x.csv", "COOLDOWN_PER": "2.5"}, dotenv_path=None)
    assert (s.chart_workers, s.chart_processes, str(s.history_path), str(s.backup_dir)) == (3, False, "/tmp/h", "/tmp/b")
    assert s.sync_commands is False and s.epoch_csv_url == "http://127.0.0.1:9/x.csv" and s.cooldown_per == 2.5


@pytest.mark.parametrize("env", ["RACEBOT_CHART_WORKERS", "COMMAND_TIMEOUT", "SYNC_COMMANDS", "EPOCH_CSV_URL",
                                 "ANNOUNCE_CHANNEL_ID"])
def test_a_bad_value_names_its_variable(env):
    with pytest.raises(ConfigError, match=env):
        Settings.from_env({env: "-x-"}, dotenv_path=None)
