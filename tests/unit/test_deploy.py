"""deploy/: everything the Dockerfile and the systemd unit run exists, and every variable they set is a setting."""
from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

from bot.cli import build_parser
from bot.config import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SETTING_VARS = {s.env for s in SETTINGS}


def _instructions(text: str) -> list[tuple[str, str]]:
    """Dockerfile instructions (continuation lines joined, comments dropped)."""
    joined = re.sub(r"\\\n\s*", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    return [(m.group(1).upper(), m.group(2).strip()) for m in re.finditer(r"^(\w+)\s+(.*)$", joined, re.M)]


def _racebot_args(command: list[str]) -> list[str]:
    assert Path(command[0]).name == "racebot", command
    return command[1:]


def test_the_dockerfile_runs_what_exists_as_a_non_root_user_with_the_database_on_a_volume() -> None:
    steps = _instructions((DEPLOY / "Dockerfile").read_text())
    kinds = [k for k, _ in steps]
    base = next(v for k, v in steps if k == "FROM")
    assert re.fullmatch(r"python:3\.1[1-9]-slim", base)
    for k, v in steps:
        if k == "COPY":
            *sources, _dest = v.split()
            assert all((ROOT / s).exists() for s in sources), v
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for k, v in steps:
        if k == "RUN":
            for extra in re.findall(r'\.\[(\w+)\]', v):
                assert extra in extras, extra
    env: dict[str, str] = {}
    for k, v in steps:
        if k == "ENV":
            env.update(dict(part.split("=", 1) for part in shlex.split(v)))
    assert env and set(env) <= SETTING_VARS, set(env) - SETTING_VARS
    users = [v for k, v in steps if k == "USER"]
    assert users and users[-1] not in ("root", "0") and kinds.index("USER") < kinds.index("CMD")
    volumes = json.loads(next(v for k, v in steps if k == "VOLUME"))
    assert any(env["DATABASE_PATH"].startswith(vol.rstrip("/") + "/") for vol in volumes)
    cmd = json.loads(next(v for k, v in steps if k == "CMD"))
    build_parser().parse_args(_racebot_args(cmd))  # exits on an unknown command


def test_the_systemd_unit_runs_what_exists_and_sets_only_settings() -> None:
    unit = (DEPLOY / "racebot.service").read_text()
    pairs = [(m.group(1), m.group(2).strip()) for m in re.finditer(r"^(\w+)=(.*)$", unit, re.M)]
    env = dict(v.split("=", 1) for k, v in pairs if k == "Environment")
    assert env and set(env) <= SETTING_VARS, set(env) - SETTING_VARS
    user = next(v for k, v in pairs if k == "User")
    assert user not in ("root", "0")
    exec_start = shlex.split(next(v for k, v in pairs if k == "ExecStart"))
    build_parser().parse_args(_racebot_args(exec_start))
    assert env["DATABASE_PATH"].startswith(next(v for k, v in pairs if k == "ReadWritePaths"))
