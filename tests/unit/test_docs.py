"""The docs say what the code has: every registered command is in the guide of
its audience (members, moderators, server managers), every setting in the
operators' configuration table and in ``.env.example``, every importer in the
operators' command-line notes, and the newcomer's pages name files that exist."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import bot.commands  # noqa: F401  (registers every handler)
from bot.commands.registry import REGISTRY
from bot.config import SETTINGS
from bot.store.importers import IMPORTERS

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
OPERATORS = (ROOT / "docs" / "operators.md").read_text(encoding="utf-8")
# each command's group -> the guide written for the people who use it
GUIDES = {"community": "docs/members.md", "moderators": "docs/moderators.md", "server": "docs/server-managers.md"}


def section(text: str, heading: str) -> str:
    """The text under a Markdown heading, up to the next heading of any level."""
    m = re.search(rf"^#+ {re.escape(heading)}\s*$(.*?)(?=^#+ |\Z)", text, re.M | re.S)
    assert m, f"no section {heading!r}"
    return m.group(1)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_command_is_in_its_audiences_guide(name):
    # as code: `model <name>`, `top [n] ...`, `add model`, `stats`
    guide = GUIDES[REGISTRY[name].group]
    text = (ROOT / guide).read_text(encoding="utf-8")
    assert re.search(rf"`{re.escape(name)}[` \[<\\]", text), f"{guide} does not mention the command {name!r}"


def config_table() -> dict[str, list[str]]:
    rows = {}
    for line in section(OPERATORS, "Configuration").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_the_readme_config_table_is_the_settings_list():
    table = config_table()
    assert list(table) == [s.env for s in SETTINGS]
    for s in SETTINGS:
        default, meaning = table[s.env]
        assert default.strip("`") == s.shown_default, s.env
        assert meaning == s.doc, s.env


def test_env_example_names_every_setting_and_no_other():
    names = re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M)
    assert sorted(names) == sorted(s.env for s in SETTINGS)


def test_every_importer_is_in_the_readme():
    for name in IMPORTERS:
        assert re.search(rf"\b{re.escape(name)}\b", section(OPERATORS, "The command line")), name


@pytest.mark.parametrize("page", ["CONTRIBUTING.md", "docs/architecture.md", "docs/operators.md"])
def test_the_newcomer_pages_name_real_files(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    if re.search(r"^## Configuration", text, re.M):  # the settings' own words name remote files (checked above)
        text = text.replace(section(text, "Configuration"), "")
    paths = set(re.findall(r"`((?:bot|tests|scripts|docs|data)/[\w/.-]+?)`", text))
    assert paths, page
    missing = sorted(p for p in paths if not (ROOT / p.rstrip("/")).exists() and "<" not in p)
    assert missing == []
