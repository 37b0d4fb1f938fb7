"""Prometheus metrics for operators (optional: ``METRICS_PORT``, prometheus-client installed).

Served on ``METRICS_HOST`` (127.0.0.1 by default: a scraper on the same
machine, or a tunnel; never the open internet without a reason) at
``/metrics``. Every series the bot exports:

| metric | type | labels | what |
|---|---|---|---|
| ``racebot_commands_total`` | counter | command, status | commands answered (status: ok, usage, not_found, refused, error, ...) |
| ``racebot_command_seconds`` | histogram | command | from the command arriving to its answer being ready |
| ``racebot_errors_total`` | counter | where | failures: ``command`` (the friendly apology), ``send`` (Discord refused an answer), ``event`` |
| ``racebot_rest_responses_total`` | counter | status | Discord's REST answers by status code |
| ``racebot_rate_limited_total`` | counter | scope | 429s from Discord (``user``, ``global``, ``shared``) |
| ``racebot_gateway_latency_seconds`` | gauge | shard | heartbeat round trip per shard |
| ``racebot_shard_up`` | gauge | shard | 1 while the shard's gateway connection is open |
| ``racebot_command_syncs_total`` | counter | result | slash-command syncs: ``synced``, ``unchanged``, ``failed``, ``skipped`` (not the primary) |
| ``racebot_data_age_seconds`` | gauge | source | seconds since each source's as-of date |
| ``racebot_primary`` | gauge | | 1 in the process that syncs, posts and takes changes |

Command labels are the registered command names (anything else is
``other``), so a user cannot grow the label set.
"""
from __future__ import annotations

import logging
import math
from datetime import date, datetime, timezone
from typing import Any, Callable, Iterable

log = logging.getLogger("racebot.metrics")

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The bot's metrics; a no-op unless :meth:`start` served them."""

    def __init__(self, command_names: Iterable[str] = ()) -> None:
        self.names = set(command_names)
        self.enabled = False
        self.server: Any = None
        self.thread: Any = None
        self.port = 0
        self.shards: Callable[[], list[tuple[int, float, bool]]] = list
        self.primary: Callable[[], bool] = lambda: False
        self._data_age: dict[str, float] = {}

    def start(self, host: str, port: int) -> bool:
        """Serve /metrics on host:port (port 0: any free port, see ``self.port``); False when
        prometheus-client is missing or the port is taken (the bot runs on without metrics)."""
        try:
            from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
        except ImportError:
            log.error("METRICS_PORT is set but prometheus-client is not installed: pip install 'ai-race-bot[metrics]'")
            return False
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.commands = Counter("racebot_commands", "Commands answered", ["command", "status"], registry=r)
        self.seconds = Histogram("racebot_command_seconds", "Time to answer a command", ["command"],
                                 buckets=LATENCY_BUCKETS, registry=r)
        self.errors = Counter("racebot_errors", "Failures", ["where"], registry=r)
        self.rest = Counter("racebot_rest_responses", "Discord REST responses", ["status"], registry=r)
        self.limited = Counter("racebot_rate_limited", "429 answers from Discord", ["scope"], registry=r)
        self.syncs = Counter("racebot_command_syncs", "Slash command syncs", ["result"], registry=r)
        r.register(_StateCollector(self))
        try:
            self.server, self.thread = start_http_server(port, addr=host, registry=r)
        except OSError as exc:
            log.error("metrics not served: cannot listen on %s:%s (%s)", host, port, exc)
            return False
        self.port = int(self.server.server_port)
        self.enabled = True
        log.info("metrics on http://%s:%d/metrics", host, self.port)
        return True

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        self.enabled = False

    def label(self, command: str) -> str:
        return command if command in self.names else "other"

    def command(self, command: str, status: str, seconds: float) -> None:
        if self.enabled:
            name = self.label(command)
            self.commands.labels(name, status).inc()
            self.seconds.labels(name).observe(seconds)
            if status == "error":
                self.errors.labels("command").inc()

    def error(self, where: str) -> None:
        if self.enabled:
            self.errors.labels(where).inc()

    def response(self, status: int, scope: str | None = None) -> None:
        if self.enabled:
            self.rest.labels(str(status)).inc()
            if status == 429:
                self.limited.labels(scope or "user").inc()

    def sync(self, result: str) -> None:
        if self.enabled:
            self.syncs.labels(result).inc()

    def data_dates(self, dates: dict[str, str | None], now: datetime | None = None) -> None:
        """Each source's as-of date (ISO) -> its age in seconds at ``now``."""
        now = now or datetime.now(timezone.utc)
        ages: dict[str, float] = {}
        for source, day in dates.items():
            if not day:
                continue
            try:
                d = date.fromisoformat(str(day)[:10])
            except ValueError:
                continue
            ages[source] = (now - datetime(d.year, d.month, d.day, tzinfo=timezone.utc)).total_seconds()
        self._data_age = ages

    def trace(self) -> Any:
        """An aiohttp TraceConfig for discord.py's ``http_trace`` option: counts every REST answer."""
        import aiohttp

        trace = aiohttp.TraceConfig()

        async def on_end(_session: Any, ctx: Any, params: Any) -> None:
            resp = params.response
            self.response(resp.status, resp.headers.get("X-RateLimit-Scope"))

        trace.on_request_end.append(on_end)
        return trace


class _StateCollector:
    """Read at each scrape: per-shard latency and state, data age, primary."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def describe(self) -> list[Any]:
        return []

    def collect(self) -> Iterable[Any]:
        from prometheus_client.core import GaugeMetricFamily

        latency = GaugeMetricFamily("racebot_gateway_latency_seconds", "Heartbeat round trip", labels=["shard"])
        up = GaugeMetricFamily("racebot_shard_up", "1 while the shard is connected", labels=["shard"])
        try:
            shards = self.metrics.shards()
        except Exception:  # a scrape during start or shutdown
            shards = []
        for shard, seconds, connected in shards:
            if math.isfinite(seconds):
                latency.add_metric([str(shard)], seconds)
            up.add_metric([str(shard)], 1.0 if connected else 0.0)
        yield latency
        yield up
        age = GaugeMetricFamily("racebot_data_age_seconds", "Seconds since each source's as-of date",
                                labels=["source"])
        for source, seconds in sorted(self.metrics._data_age.items()):
            age.add_metric([source], seconds)
        yield age
        yield GaugeMetricFamily("racebot_primary", "1 in the primary process", value=1.0 if self.metrics.primary() else 0.0)
