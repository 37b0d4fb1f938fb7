"""Settings from the environment and an optional ``.env`` file.

Every knob of the bot lives here, and only here: :data:`SETTINGS` is the one
list of them (field, environment variable, parser, meaning). ``Settings``
holds their values with their types and defaults; adapters and the engine
receive a :class:`Settings` instead of reading ``os.environ`` themselves.
Real environment variables win over ``.env`` (python-dotenv), so a deployment
can override a checked-in file. The README's configuration table and
``.env.example`` are checked against :data:`SETTINGS` by ``tests/test_docs.py``.

To add a setting: a typed field with its default on ``Settings``, one
``Setting`` line in ``SETTINGS``, a row in the README's table and a line in
``.env.example``; read it as ``settings.<field>`` (the engine hands it to
handlers as ``ctx.settings``).
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEFAULT_API_BASE = "https://discord.com/api/v10"
# Epoch AI's public notable-models CSV: what `sync epoch` fetches unless EPOCH_CSV_URL says otherwise.
EPOCH_CSV_URL = "https://epoch.ai/data/notable_ai_models.csv"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """The bot's settings: one typed field per entry of :data:`SETTINGS`."""
    discord_token: str = ""
    command_prefix: str = "!"
    dev_guild_id: int | None = None  # sync slash commands to this guild only (instant)
    admin_role_ids: frozenset[int] = field(default_factory=frozenset)
    admin_user_ids: frozenset[int] = field(default_factory=frozenset)
    database_path: Path = Path("racebot.db")
    backup_dir: Path | None = None  # None: a `backups` folder beside the database
    log_level: str = "INFO"
    shard_count: int = 1  # > 1: AutoShardedBot with that many shards
    announce_channel_id: int | None = None
    discord_api_base: str = DEFAULT_API_BASE  # the REST base; tests point it at the simulator
    # Abuse limits (per user) and work limits (whole bot).
    cooldown_rate: int = 5  # commands ...
    cooldown_per: float = 15.0  # ... per this many seconds, per user
    max_concurrency: int = 4  # engine/chart jobs at once
    command_timeout: float = 30.0  # seconds before a command gives up with a friendly reply
    # discord.py waits this long after the last GUILD_CREATE before on_ready (its own default is 2 s;
    # guilds arriving later are still handled, so a short wait gives a fast start).
    guild_ready_timeout: float = 0.5
    sync_commands: bool = True  # sync slash commands at start
    epoch_csv_url: str = EPOCH_CSV_URL  # what `sync epoch` fetches
    sync_timeout: float = 20.0  # seconds for that download
    watch_poll_seconds: float = 15.0  # how often watches look for data changes made by other processes
    chart_workers: int = 0  # chart rendering processes; 0: one on 2 cores or fewer, else two
    chart_processes: bool = True  # False: render charts in a thread (no worker processes)
    history_path: Path = field(default_factory=lambda: Path.home() / ".racebot_history")  # the console's

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *,
                 dotenv_path: str | os.PathLike[str] | None = ".env") -> Settings:
        """Read settings from ``env`` (default ``os.environ``) over ``dotenv_path``.

        An unset or blank variable keeps the default; a value that cannot be
        used raises :class:`ConfigError` naming the variable."""
        merged: dict[str, str] = {}
        if dotenv_path is not None and Path(dotenv_path).is_file():
            from dotenv import dotenv_values

            merged.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
        merged.update(os.environ if env is None else env)
        values: dict[str, Any] = {}
        for s in SETTINGS:
            raw = merged.get(s.env)
            if raw is not None and raw.strip():
                values[s.field] = s.parse(s.env, raw)
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def __repr__(self) -> str:  # never show the token
        shown = "set" if self.discord_token else "unset"
        return (
            f"Settings(token={shown}, prefix={self.command_prefix!r}, dev_guild_id={self.dev_guild_id}, "
            f"database_path={str(self.database_path)!r}, shard_count={self.shard_count}, "
            f"api_base={self.discord_api_base!r})"
        )


# ---------------------------------------------------------------------------- parsers
# Each takes (variable name, raw non-blank text) and returns the value or raises ConfigError.
Parser = Callable[[str, str], Any]


def text(key: str, raw: str) -> str:
    return raw.strip()


def verbatim(key: str, raw: str) -> str:
    return raw


def path(key: str, raw: str) -> Path:
    return Path(raw.strip()).expanduser()


def discord_id(key: str, raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ConfigError(f"{key} must be a Discord id (a number), got {raw.strip()!r}") from None


def id_set(key: str, raw: str) -> frozenset[int]:
    out = set()
    for part in raw.replace(";", ",").replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.add(int(part))
        except ValueError:
            raise ConfigError(f"{key} must be comma-separated Discord ids, got {part!r}") from None
    return frozenset(out)


def number(cast: Callable[[str], float], minimum: float | None = None) -> Parser:
    """A parser of numbers made by `cast` (int or float), at least `minimum`."""
    def parse(key: str, raw: str) -> Any:
        try:
            value = cast(raw.strip())
        except ValueError:
            raise ConfigError(f"{key} must be a number, got {raw.strip()!r}") from None
        if minimum is not None and value < minimum:
            raise ConfigError(f"{key} must be at least {minimum}, got {value}")
        return value
    return parse


def flag(key: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{key} must be true or false, got {raw.strip()!r}")


def log_level(key: str, raw: str) -> str:
    level = raw.strip().upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"{key} must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {level!r}")
    return level


def url(key: str, raw: str) -> str:
    value = raw.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{key} must be an http(s) URL, got {value!r}")
    return value


# ---------------------------------------------------------------------------- the one list
@dataclass(frozen=True)
class Setting:
    """One setting: the ``Settings`` field, its environment variable, how
    its text is read, and what it means (the README's table says the same)."""
    field: str
    env: str
    parse: Parser
    doc: str

    @property
    def type(self) -> str:
        """The field's type, as written on ``Settings``."""
        return str(_FIELDS[self.field].type)

    @property
    def default(self) -> Any:
        f = _FIELDS[self.field]
        if f.default_factory is not dataclasses.MISSING:
            return f.default_factory()
        return f.default

    @property
    def shown_default(self) -> str:
        """The default as the README's table and ``.env.example`` show it
        (blank for none; the home folder as ``~``)."""
        value = self.default
        if value is None or value == frozenset():
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, Path):
            home = Path.home()
            return "~/" + str(value.relative_to(home)) if value.is_relative_to(home) else str(value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)


SETTINGS: tuple[Setting, ...] = (
    Setting("discord_token", "DISCORD_TOKEN", text, "the bot token; without it `make run` opens the console"),
    Setting("command_prefix", "COMMAND_PREFIX", verbatim, "prefix for text commands"),
    Setting("dev_guild_id", "DEV_GUILD_ID", discord_id, "sync slash commands to this server only (instant, for testing)"),
    Setting("admin_user_ids", "ADMIN_USER_IDS", id_set, "comma-separated ids of moderators"),
    Setting("admin_role_ids", "ADMIN_ROLE_IDS", id_set, "comma-separated ids of moderator roles"),
    Setting("database_path", "DATABASE_PATH", path, "the SQLite file (built from `data/seed/` when missing)"),
    Setting("backup_dir", "BACKUP_DIR", path, "where `backup` writes (blank: `backups/` beside the database)"),
    Setting("log_level", "LOG_LEVEL", log_level, "DEBUG, INFO, WARNING, ERROR or CRITICAL; the token is redacted"),
    Setting("shard_count", "SHARD_COUNT", number(int, minimum=1), "above 1: an auto-sharded bot with that many shards"),
    Setting("announce_channel_id", "ANNOUNCE_CHANNEL_ID", discord_id,
            "where to announce a new Arena #1 or a change of the US-China lead (the moderators' channel; "
            "servers use `settings channel`)"),
    Setting("watch_poll_seconds", "WATCH_POLL_SECONDS", number(float, minimum=0.05),
            "how often watches look for data changes made by another process"),
    Setting("discord_api_base", "DISCORD_API_BASE", url, "the REST base URL; the tests point it at the simulator"),
    Setting("cooldown_rate", "COOLDOWN_RATE", number(int, minimum=1), "per-user cooldown: commands ..."),
    Setting("cooldown_per", "COOLDOWN_PER", number(float, minimum=0.0), "... per this many seconds"),
    Setting("max_concurrency", "MAX_CONCURRENCY", number(int, minimum=1), "engine/chart jobs at once"),
    Setting("command_timeout", "COMMAND_TIMEOUT", number(float, minimum=1.0),
            "seconds before a command gives up with a friendly reply"),
    Setting("guild_ready_timeout", "GUILD_READY_TIMEOUT", number(float, minimum=0.0),
            "seconds discord.py waits for guilds before it is ready"),
    Setting("sync_commands", "SYNC_COMMANDS", flag, "register slash commands at start (only when they changed)"),
    Setting("epoch_csv_url", "EPOCH_CSV_URL", url, "the CSV `sync epoch` fetches (Epoch AI's notable-models CSV)"),
    Setting("sync_timeout", "SYNC_TIMEOUT", number(float, minimum=1.0), "seconds `sync epoch` waits for the download"),
    Setting("chart_workers", "RACEBOT_CHART_WORKERS", number(int, minimum=0),
            "chart rendering processes, about 100 MB each (0: one on 2 cores or fewer, else two)"),
    Setting("chart_processes", "RACEBOT_CHART_PROCESSES", flag,
            "false: draw charts in a thread of the bot's process instead of worker processes"),
    Setting("history_path", "RACEBOT_HISTORY", path, "the console's line history file"),
)

_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
