"""Settings from the environment and an optional ``.env`` file.

Every knob of the bot lives here; adapters receive a :class:`Settings`
instead of reading ``os.environ`` themselves. Real environment variables win
over ``.env`` (python-dotenv), so a deployment can override a checked-in file.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

DEFAULT_API_BASE = "https://discord.com/api/v10"


class ConfigError(ValueError):
    """A setting has a value we cannot use; the message names the variable."""


def _int_or_none(env: Mapping[str, str], key: str) -> int | None:
    raw = (env.get(key) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{key} must be a Discord id (a number), got {raw!r}") from None


def _id_set(env: Mapping[str, str], key: str) -> frozenset[int]:
    raw = (env.get(key) or "").replace(";", ",").replace(" ", ",")
    out = set()
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.add(int(part))
        except ValueError:
            raise ConfigError(f"{key} must be comma-separated Discord ids, got {part!r}") from None
    return frozenset(out)


def _number(env: Mapping[str, str], key: str, default: float, *, cast: type = int, minimum: float | None = None) -> Any:
    raw = (env.get(key) or "").strip()
    if not raw:
        return default
    try:
        value = cast(raw)
    except ValueError:
        raise ConfigError(f"{key} must be a number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{key} must be at least {minimum}, got {value}")
    return value


def _flag(env: Mapping[str, str], key: str, default: bool) -> bool:
    raw = (env.get(key) or "").strip().lower()
    if not raw:
        return default
    return raw in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    discord_token: str = ""
    command_prefix: str = "!"
    dev_guild_id: int | None = None  # sync slash commands to this guild only (instant)
    admin_role_ids: frozenset[int] = field(default_factory=frozenset)
    admin_user_ids: frozenset[int] = field(default_factory=frozenset)
    database_path: Path = Path("racebot.db")
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
    epoch_csv_url: str = "https://epoch.ai/data/notable_ai_models.csv"  # what `sync epoch` fetches
    sync_timeout: float = 20.0  # seconds for that download
    watch_poll_seconds: float = 15.0  # how often watches look for data changes made by other processes
    # chart worker processes (each holds matplotlib, about 100 MB): 0 = one on machines with two cores
    # or fewer, two otherwise
    chart_workers: int = 0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, dotenv_path: str | os.PathLike | None = ".env") -> "Settings":
        """Read settings from ``env`` (default ``os.environ``) over ``dotenv_path``."""
        merged: dict[str, str] = {}
        if dotenv_path is not None and Path(dotenv_path).is_file():
            from dotenv import dotenv_values

            merged.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
        merged.update(os.environ if env is None else env)
        e = merged
        level = (e.get("LOG_LEVEL") or "INFO").strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {level!r}")
        api_base = (e.get("DISCORD_API_BASE") or DEFAULT_API_BASE).strip().rstrip("/")
        if not api_base.startswith(("http://", "https://")):
            raise ConfigError(f"DISCORD_API_BASE must be an http(s) URL, got {api_base!r}")
        return cls(
            discord_token=(e.get("DISCORD_TOKEN") or "").strip(),
            command_prefix=e.get("COMMAND_PREFIX") or "!",
            dev_guild_id=_int_or_none(e, "DEV_GUILD_ID"),
            admin_role_ids=_id_set(e, "ADMIN_ROLE_IDS"),
            admin_user_ids=_id_set(e, "ADMIN_USER_IDS"),
            database_path=Path((e.get("DATABASE_PATH") or "racebot.db").strip()),
            log_level=level,
            shard_count=_number(e, "SHARD_COUNT", 1, minimum=1),
            announce_channel_id=_int_or_none(e, "ANNOUNCE_CHANNEL_ID"),
            discord_api_base=api_base,
            cooldown_rate=_number(e, "COOLDOWN_RATE", 5, minimum=1),
            cooldown_per=_number(e, "COOLDOWN_PER", 15.0, cast=float, minimum=0.0),
            max_concurrency=_number(e, "MAX_CONCURRENCY", 4, minimum=1),
            command_timeout=_number(e, "COMMAND_TIMEOUT", 30.0, cast=float, minimum=1.0),
            guild_ready_timeout=_number(e, "GUILD_READY_TIMEOUT", 0.5, cast=float, minimum=0.0),
            sync_commands=_flag(e, "SYNC_COMMANDS", True),
            epoch_csv_url=(e.get("EPOCH_CSV_URL") or "https://epoch.ai/data/notable_ai_models.csv").strip(),
            sync_timeout=_number(e, "SYNC_TIMEOUT", 20.0, cast=float, minimum=1.0),
            watch_poll_seconds=_number(e, "WATCH_POLL_SECONDS", 15.0, cast=float, minimum=0.05),
            chart_workers=_number(e, "CHART_WORKERS", 0, minimum=0),
        )

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **changes)

    def __repr__(self) -> str:  # never show the token
        shown = "set" if self.discord_token else "unset"
        return (
            f"Settings(token={shown}, prefix={self.command_prefix!r}, dev_guild_id={self.dev_guild_id}, "
            f"database_path={str(self.database_path)!r}, shard_count={self.shard_count}, "
            f"api_base={self.discord_api_base!r})"
        )
