"""Settings from the environment and an optional ``.env`` file.

Every knob of the bot lives here, and only here: :data:`SETTINGS` is the one
list of them (field, environment variable, parser, meaning). ``Settings``
holds their values with their types and defaults; adapters and the engine
receive a :class:`Settings` instead of reading ``os.environ`` themselves.
Real environment variables win over ``.env`` (python-dotenv), so a deployment
can override a checked-in file. The configuration table of ``docs/operators.md`` and
``.env.example`` are checked against :data:`SETTINGS` by ``tests/unit/test_docs.py``.

To add a setting: a typed field with its default on ``Settings``, one
``Setting`` line in ``SETTINGS``, a row in the operators' table and a line in
``.env.example``; read it as ``settings.<field>`` (the engine hands it to
handlers as ``ctx.settings``).
"""
from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

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
    shard_count: int | None = 1  # > 1: AutoShardedBot with that many shards; None (SHARD_COUNT=auto): Discord's advice
    shard_ids: tuple[int, ...] | None = None  # cluster mode: the shards this process runs (SHARD_IDS=0-3)
    # The privileged Message Content intent: "on" asks for it, "off" never does (slash
    # commands and @mentions only), "auto" asks only when the app has it enabled.
    message_content: str = "auto"
    announce_channel_id: int | None = None
    # Tests: every Discord host name (discord.com, gateway.discord.gg) resolves to this host:port, whose
    # TLS certificate DISCORD_CA_FILE vouches for (aiohttp's resolver and SSL context: discord.py's connector)
    discord_address: str | None = None
    discord_ca_file: Path | None = None
    # Abuse limits (per user) and work limits (whole bot).
    cooldown_rate: int = 5  # commands ...
    cooldown_per: float = 15.0  # ... per this many seconds, per user
    max_concurrency: int = 4  # commands answered at once (new charts render in their own slots)
    command_timeout: float = 30.0  # seconds before a command is stopped (a stopped command changes nothing)
    import_timeout: float = 900.0  # imports and syncs (dry run or confirmed): long work that shows progress
    progress_every: float = 2.0  # seconds before long work shows (and between updates of) its progress
    # discord.py waits this long after the last GUILD_CREATE before on_ready (its own default, 2 s)
    guild_ready_timeout: float = 2.0
    # Discord allows max_concurrency IDENTIFYs per 5 s, one per key shard_id % max_concurrency; every process
    # sharing the database spaces its IDENTIFYs by a lease there, this far apart (a margin over the 5 s)
    identify_spacing: float = 5.5
    # nothing from the gateway (not even a heartbeat ACK) for this long: the connection is a zombie, replaced
    gateway_timeout: float = 60.0
    # which process syncs commands, posts watch alerts, digests and announcements and takes changes:
    # "auto" (the one holding the lease in the database), "yes" (this one) or "no" (answers only)
    primary: str = "auto"
    metrics_port: int | None = None  # Prometheus /metrics on this port (0: any free one); None: no metrics
    metrics_host: str = "127.0.0.1"  # where /metrics listens: this machine only by default
    log_format: str = "text"  # "json": one JSON object a line, for log collectors
    sync_commands: bool = True  # sync slash commands at start
    epoch_csv_url: str = EPOCH_CSV_URL  # what `sync epoch` fetches
    sync_timeout: float = 20.0  # seconds for the whole download (a total deadline, redirects included)
    sync_max_bytes: int = 25 * 2**20  # the largest file `sync` downloads
    fetch_allow_http: bool = False  # plain http for `sync` (tests, closed networks); https only by default
    # Let `sync` reach 127.0.0.1 / ::1: only for tests against a local server. Private, link-local and
    # multicast addresses stay refused whatever this says.
    allow_loopback_for_tests: bool = False
    # what `sync arena` and the scheduled check fetch: LMArena's published leaderboard JSON
    arena_catalog_url: str = "https://raw.githubusercontent.com/lmarena/arena-catalog/main/data/leaderboard-text.json"
    arena_check_hours: float = 24.0  # the scheduler's interval for each source; 0 = off
    sync_max_removed_pct: float = 10.0  # a scheduled sync missing more of the last board's models waits for Confirm
    sync_max_moved_pct: float = 20.0  # ... or moving more of its ratings by more than 25 points
    source_silent_days: int = 45  # a source without a newer board for this long is reported once (0 = never)
    moderator_channel_id: int | None = None  # where the check posts "new data ..."; None: no check at all
    # an answer that uses a board older than this many days says how old it is ("a year ago")
    data_stale_days: int = 30
    watch_poll_seconds: float = 15.0  # how often watches look for data changes made by other processes
    chart_workers: int = 0  # chart rendering processes; 0: one on 2 cores or fewer, else two
    chart_processes: bool = True  # False: render charts in a thread (no worker processes)
    # how long a thread may keep Python's GIL while others wait (sys.setswitchinterval; Python's own is 5 ms):
    # shorter lets the event loop in sooner while commands and a rebuild run in worker threads
    switch_interval_ms: float = 1.0
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
        settings = cls(**values)
        settings.check_shards()
        return settings

    def check_shards(self) -> None:
        """``SHARD_IDS`` needs a number in ``SHARD_COUNT`` and ids below it (settings that depend on each other)."""
        ids = self.shard_ids
        if ids is None:
            return
        if self.shard_count is None:
            raise ConfigError("SHARD_IDS needs a number in SHARD_COUNT (every process must agree on the total)")
        if max(ids) >= self.shard_count:
            raise ConfigError(f"SHARD_IDS must be between 0 and SHARD_COUNT-1 ({self.shard_count - 1}), "
                              f"got {','.join(map(str, ids))!r}")

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def __repr__(self) -> str:  # never show the token
        shown = "set" if self.discord_token else "unset"
        return (
            f"Settings(token={shown}, prefix={self.command_prefix!r}, dev_guild_id={self.dev_guild_id}, "
            f"database_path={str(self.database_path)!r}, shard_count={self.shard_count}, "
            f"discord_address={self.discord_address!r})"
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


_DISCORD_ID = re.compile(r"[0-9]{1,20}")  # ASCII digits only: int() also takes "1_000", "+5" and "١٢٣"


def echo(raw: object) -> str:
    """How a configuration error shows the value it refuses: a short plain value
    as it is; anything long or shaped like a token (a bot token pasted into
    ADMIN_USER_IDS) is described, never printed."""
    v = str(raw).strip()
    if len(v) > 24 or re.search(r"[A-Za-z0-9_\-]{21,}", v) or v.count(".") >= 2:
        return f"a value of {len(v)} characters (not shown: it may be a secret)"
    return repr(v)


def discord_id(key: str, raw: str) -> int:
    """One Discord id (a snowflake): ASCII digits, nothing else. ``int()``
    alone would accept ``1_000``, ``+5`` and Arabic-Indic digits, which name
    no Discord user or role and make a moderator list mean something else
    than it reads."""
    value = raw.strip()
    if not _DISCORD_ID.fullmatch(value):
        raise ConfigError(f"{key}: {echo(value)} is not a Discord id (ids are plain digits 0-9, like 123456789012345678)")
    return int(value)


def id_set(key: str, raw: str) -> frozenset[int]:
    out = set()
    for part in raw.replace(";", ",").replace(" ", ",").split(","):
        part = part.strip()
        if part:
            out.add(discord_id(key, part))
    return frozenset(out)


def number(cast: Callable[[str], float], minimum: float | None = None) -> Parser:
    """A parser of numbers made by `cast` (int or float), at least `minimum`."""
    def parse(key: str, raw: str) -> Any:
        try:
            value = cast(raw.strip())
        except ValueError:
            raise ConfigError(f"{key} must be a number, got {echo(raw)}") from None
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
    raise ConfigError(f"{key} must be true or false, got {echo(raw)}")


def log_level(key: str, raw: str) -> str:
    level = raw.strip().upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"{key} must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {echo(level)}")
    return level


def shard_count(key: str, raw: str) -> int | None:
    """A number of shards, or ``auto`` (None): Discord's recommendation from GET /gateway/bot."""
    if raw.strip().lower() == "auto":
        return None
    return number(int, minimum=1)(key, raw)


def shard_ids(key: str, raw: str) -> tuple[int, ...]:
    """The shards this process runs: ``0-3``, ``0,2,4`` or both mixed."""
    text_ = raw.replace(" ", "")
    ids: set[int] = set()
    try:
        for part in text_.split(","):
            if not part:
                continue
            if "-" in part:
                lo, hi = (int(x) for x in part.split("-", 1))
                if hi < lo or lo < 0 or hi - lo > 10_000:
                    raise ValueError
                ids.update(range(lo, hi + 1))
            else:
                ids.add(int(part))
    except ValueError:
        raise ConfigError(f"{key} must look like 0-3 or 0,2,4, got {echo(text_)}") from None
    if not ids or min(ids) < 0:
        raise ConfigError(f"{key} must look like 0-3 or 0,2,4, got {echo(text_)}")
    return tuple(sorted(ids))


def choice(*choices: str) -> Parser:
    """A parser of one word out of `choices` (any case)."""
    def parse(key: str, raw: str) -> str:
        value = raw.strip().lower()
        if value not in choices:
            raise ConfigError(f"{key} must be one of {', '.join(choices)}, got {echo(value)}")
        return value
    return parse


def url(key: str, raw: str) -> str:
    value = raw.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ConfigError(f"{key} must be an http(s) URL, got {echo(value)}")
    return value


def address(key: str, raw: str) -> str:
    """``host:port`` (a name or an IP, and a port number)."""
    value = raw.strip()
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{key} must be host:port, got {value!r}")
    return value


# ---------------------------------------------------------------------------- the one list
@dataclass(frozen=True)
class Setting:
    """One setting: the ``Settings`` field, its environment variable, how
    its text is read, and what it means (the operators' table says the same)."""
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
        """The default as the operators' table and ``.env.example`` show it
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
    Setting("shard_count", "SHARD_COUNT", shard_count,
            "above 1: an auto-sharded bot with that many shards; `auto`: Discord's recommendation"),
    Setting("shard_ids", "SHARD_IDS", shard_ids,
            "cluster mode: the shards this process runs (`0-3`, `0,2`), with a number in SHARD_COUNT"),
    Setting("message_content", "MESSAGE_CONTENT", choice("auto", "on", "off"),
            "the privileged Message Content intent: `auto` (when the app has it), `on` or `off` "
            "(slash commands and @mentions only)"),
    Setting("announce_channel_id", "ANNOUNCE_CHANNEL_ID", discord_id,
            "where to announce a new Arena #1 or a change of the US-China lead (the moderators' channel; "
            "servers use `settings channel`)"),
    Setting("data_stale_days", "DATA_STALE_DAYS", number(int, minimum=0),
            "an answer that uses an Arena board older than this many days says how old it is, once per reply"),
    Setting("watch_poll_seconds", "WATCH_POLL_SECONDS", number(float, minimum=0.05),
            "how often watches look for data changes made by another process"),
    Setting("discord_address", "DISCORD_ADDRESS", address,
            "tests: `host:port` every Discord host name resolves to (the simulator); blank: Discord itself"),
    Setting("discord_ca_file", "DISCORD_CA_FILE", path,
            "tests: a certificate to trust for DISCORD_ADDRESS, besides the system's"),
    Setting("cooldown_rate", "COOLDOWN_RATE", number(int, minimum=1), "per-user cooldown: commands ..."),
    Setting("cooldown_per", "COOLDOWN_PER", number(float, minimum=0.0), "... per this many seconds"),
    Setting("max_concurrency", "MAX_CONCURRENCY", number(int, minimum=1),
            "commands answered at once (new charts render in their own slots, two per chart worker)"),
    Setting("command_timeout", "COMMAND_TIMEOUT", number(float, minimum=1.0),
            "seconds before a command is stopped; a stopped command changes nothing"),
    Setting("import_timeout", "IMPORT_TIMEOUT", number(float, minimum=1.0),
            "imports and syncs (dry run and Confirm): long work that shows progress, stopped after this many seconds"),
    Setting("progress_every", "PROGRESS_EVERY", number(float, minimum=0.0),
            "seconds before long work shows its progress, and between updates"),
    Setting("guild_ready_timeout", "GUILD_READY_TIMEOUT", number(float, minimum=0.0),
            "seconds discord.py waits for guilds before it is ready"),
    Setting("identify_spacing", "IDENTIFY_SPACING", number(float, minimum=0.0),
            "seconds between two gateway IDENTIFYs of one rate-limit key, across every process sharing the "
            "database (Discord allows one per 5 s)"),
    Setting("gateway_timeout", "GATEWAY_TIMEOUT", number(float, minimum=1.0),
            "seconds without anything from the gateway, heartbeat ACKs included, before the connection is "
            "replaced"),
    Setting("metrics_port", "METRICS_PORT", number(int, minimum=0),
            "serve Prometheus metrics at /metrics on this port (needs prometheus-client: the `metrics` extra; "
            "blank: off)"),
    Setting("metrics_host", "METRICS_HOST", text, "the address /metrics listens on (this machine only by default)"),
    Setting("log_format", "LOG_FORMAT", choice("text", "json"), "`json`: one JSON object a line, for log collectors"),
    Setting("primary", "PRIMARY", choice("auto", "yes", "no"),
            "the process that syncs commands, posts alerts, digests and announcements and takes changes: "
            "`auto` (elected by a lease in the database), `yes` or `no` (answers only)"),
    Setting("sync_commands", "SYNC_COMMANDS", flag, "register slash commands at start (only when they changed)"),
    Setting("epoch_csv_url", "EPOCH_CSV_URL", url, "the CSV `sync epoch` fetches (Epoch AI's notable-models CSV)"),
    Setting("sync_timeout", "SYNC_TIMEOUT", number(float, minimum=1.0),
            "total deadline of the `sync` download in seconds, redirects included"),
    Setting("sync_max_bytes", "SYNC_MAX_BYTES", number(int, minimum=1), "the largest file `sync` downloads (bytes)"),
    Setting("fetch_allow_http", "FETCH_ALLOW_HTTP", flag,
            "let `sync` use plain http (https only by default; public addresses only either way)"),
    Setting("allow_loopback_for_tests", "ALLOW_LOOPBACK_FOR_TESTS", flag,
            "let `sync` reach 127.0.0.1 (tests only; private, link-local and multicast stay refused)"),
    Setting("arena_catalog_url", "ARENA_CATALOG_URL", url,
            "the JSON `sync arena` fetches (LMArena's published leaderboard, `data/leaderboard-text.json` in "
            "the public repository `lmarena/arena-catalog`)"),
    Setting("arena_check_hours", "ARENA_CHECK_HOURS", number(float, minimum=0.0),
            "every so many hours the bot syncs each source (0 = off; only with MODERATOR_CHANNEL_ID)"),
    Setting("sync_max_removed_pct", "SYNC_MAX_REMOVED_PCT", number(float, minimum=0.0),
            "a scheduled sync missing more than this percentage of the last board's models waits for a "
            "moderator's Confirm"),
    Setting("sync_max_moved_pct", "SYNC_MAX_MOVED_PCT", number(float, minimum=0.0),
            "a scheduled sync moving more than this percentage of the ratings by over 25 points waits for a "
            "moderator's Confirm"),
    Setting("source_silent_days", "SOURCE_SILENT_DAYS", number(int, minimum=0),
            "a source with no newer board for this many days is reported to the moderators' channel once (0 = never)"),
    Setting("moderator_channel_id", "MODERATOR_CHANNEL_ID", discord_id,
            "where scheduled syncs are announced: applied at once with their diff and an undo button when the "
            "checks pass, else a dry run and Confirm for any moderator with the reason (blank: no scheduled sync)"),
    Setting("chart_workers", "RACEBOT_CHART_WORKERS", number(int, minimum=0),
            "chart rendering processes, about 100 MB each (0: one on 2 cores or fewer, else two)"),
    Setting("chart_processes", "RACEBOT_CHART_PROCESSES", flag,
            "false: draw charts in a thread of the bot's process instead of worker processes"),
    Setting("switch_interval_ms", "RACEBOT_SWITCH_INTERVAL_MS", number(float, minimum=0.0),
            "how long a worker thread may hold Python's GIL while the event loop waits (Python's own default is 5; "
            "0 leaves it)"),
    Setting("history_path", "RACEBOT_HISTORY", path, "the console's line history file"),
)

_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
