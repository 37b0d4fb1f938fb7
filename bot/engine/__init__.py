"""The engine: one object the adapters talk to.

``Engine.handle(line, caller)`` parses a command line (prefix optional), runs
its handler against the store and returns a :class:`bot.reply.Reply` within
Discord's limits. It is synchronous and thread-safe; adapters call
``await engine.ahandle(...)``, which runs the query and the chart render in
worker threads so the event loop stays free.
"""
from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
import threading
import time
import traceback
from collections import Counter, OrderedDict
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from rapidfuzz import fuzz, process

import bot.commands  # noqa: F401  (importing the package registers every handler)
from bot import tickets
from bot.caller import LOCAL_OPERATOR, Caller
from bot.commands import scheduler
from bot.commands.admin.imports import confirm_pending
from bot.commands.ask import as_question
from bot.domain.categories import category_choices
from bot.commands.authority import may_see, refusal
from bot.commands.context import Args, Context, Load
from bot.commands.grammar import SEPARATORS, split_command
from bot.commands.pending import PendingActions
from bot.commands.registry import REGISTRY, find
from bot.config import Settings
from bot.engine.plan import Plan, read_line
from bot.engine.replies import cancelled, chart_failed, copied, unknown_command, with_age, with_chart
from bot.engine.versions import Versions
from bot.lookup import Index
from bot.render.charts.service import ChartService
from bot.render.text import fit_reply
from bot.reply import Reply, ReplyError
from bot.store.errors import StoreError, explain
from bot.store.readmodel import ReadModel
from bot.store.seed import DEFAULT_SEED_DIR, open_store

__all__ = ["Engine", "Plan", "Caller", "LOCAL_OPERATOR"]

log = logging.getLogger("racebot.engine")

# The longest command line read at all: Discord's own message limit (a slash command's options can add up
# to more). Every handler's work is bounded for a line this long; a longer one is refused before parsing.
MAX_LINE = 2000


class Engine(Versions):
    """The bot's core. Thread-safe; one per process."""

    def __init__(self, store, *, prefix: str = "!", settings: Settings | None = None,
                 pending: PendingActions | None = None, clock: Callable[[], date] | None = None):
        self.store = store
        # what "today" is for every answer (the data's age, moderator scores without a date, the
        # scheduler): injectable, so tests run on a fixed day
        self.clock: Callable[[], date] = clock or date.today
        self.prefix = prefix
        self.settings = settings if settings is not None else Settings()
        if self.settings.switch_interval_ms > 0:
            # one engine per process, and its worker threads share the GIL with the event loop:
            # a shorter switch interval bounds how long the loop waits behind them (see BENCHMARKS.md)
            sys.setswitchinterval(self.settings.switch_interval_ms / 1000)
        self._lock = threading.RLock()
        # the read model and its two lookup indexes, swapped together as one reference
        self._current: tuple[ReadModel, Index, Index] | None = None
        self._build_lock = threading.Lock()  # one builder at a time; readers never wait for it
        self._behind: threading.Thread | None = None  # a build started for a reader (see _now)
        self._changing = 0  # commands under way that changed the data (each refreshes at its end)
        self._replies: OrderedDict[tuple, Reply] = OrderedDict()  # see _memo_key
        self._chart_keys: dict[int, tuple] = {}  # id(data) -> (data, what else it draws, key): memoised replies'
        self._asked: Counter[tuple[str, str]] = Counter()  # (prefix, line) of memoised commands: how often asked
        self._warmer: threading.Thread | None = None  # see _rewarm
        self._command = threading.local()  # this thread's command: changes made, nesting (see _one_refresh)
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="racebot-query")
        self._charts: ChartService | None = None
        self.pending = pending if pending is not None else PendingActions()
        self.load = Load()  # commands served, latencies, uptime (``stats``)
        store.on_change(self.invalidate)

    @classmethod
    def open(cls, db_path: str | Path, *, settings: Settings | None = None, prefix: str | None = None,
             seed_dir: str | Path | None = None, clock: Callable[[], date] | None = None) -> "Engine":
        store = open_store(db_path, seed_dir=seed_dir or DEFAULT_SEED_DIR)
        p = prefix if prefix is not None else (settings.command_prefix if settings is not None else "!")
        return cls(store, prefix=p, settings=settings, clock=clock)

    # -- the command surface ----------------------------------------------------
    @property
    def commands(self):
        return list(REGISTRY.values())

    def as_question(self, line: str, prefix: str | None = None) -> str:
        """The line to run for what someone typed: itself when it starts with
        a command (or a near miss of one), else ``ask <line>``."""
        return as_question(line, self.prefix if prefix is None else prefix)

    def complete(self, kind: str, current: str, limit: int = 25) -> list[str]:
        """Autocomplete choices for a slash-command argument."""
        limit = max(1, min(25, limit))
        if kind in ("model", "models"):
            # for a list, complete the last name and keep what comes before
            parts = SEPARATORS.split(current)
            head = current[: len(current) - len(parts[-1])] if kind == "models" and len(parts) > 1 else ""
            return [(head + n)[:100] for n in self.model_index.complete(parts[-1] if kind == "models" else current, limit)]
        if kind == "org":
            return [n[:100] for n in self.org_index.complete(current, limit)]
        if kind == "country":
            countries = self.read_model().countries
            if not current:
                return countries[:limit]
            ranked = process.extract(current, countries, scorer=fuzz.WRatio, limit=limit, score_cutoff=40)
            starts = [c for c in countries if c.lower().startswith(current.lower())]
            return list(dict.fromkeys(starts + [r[0] for r in ranked]))[:limit]
        if kind == "benchmark":
            return (["arena"] + self.read_model().benchmarks)[:limit]
        if kind == "category":  # Arena categories (coding, math, chinese prompts ...)
            return category_choices(self.read_model(), current, limit)
        if kind == "command":
            return [c.name for c in self.commands if c.name.startswith(current.lower())][:limit]
        return []

    def context(self, caller: Caller):
        read, models, orgs = self._now()
        prefix = getattr(caller, "prefix", None) or self.prefix  # a server's own prefix (settings prefix)
        return Context(self.store, read, models, orgs, caller, prefix, self.settings, route=self.route,
                       load=self.load, pending=self.pending, reload=self.read_model, today=self.clock())

    def handle(self, line: str | Plan, caller: Caller = LOCAL_OPERATOR, *,
               attachments: list[tuple[str, bytes]] | None = None, ticket: tickets.Ticket | None = None) -> Reply:
        """Answer one command line (or the :class:`Plan` of one, from :meth:`plan`). Never raises:
        failures become a short reply.

        With a `ticket` (the Discord adapter gives one), a cancelled request
        never commits a change (see :mod:`bot.tickets`)."""
        t0 = time.perf_counter()
        self._command.memo = None
        plan, line = (line, line.line) if isinstance(line, Plan) else (None, line)
        try:
            with tickets.running(ticket), self._one_refresh():
                if len(line) > MAX_LINE and self._asks(line, caller):
                    line, plan = line[:MAX_LINE], None  # a question is read from its start (the reader reads even less)
                if len(line) > MAX_LINE:  # refused before any parsing or search: its cost is bounded too
                    reply = Reply(text=f"That is {len(line):,} characters long; I read commands of up to "
                                       f"{MAX_LINE:,}. Nothing was done.", status="usage", data={"too_long": len(line)})
                else:
                    reply = self._dispatch(plan or self.plan(line, caller), caller, attachments or [])
        except tickets.Cancelled:
            reply = cancelled()
        except (ReplyError, sqlite3.Error) as exc:  # raised outside a handler (a database fault): its own answer
            reply = self._error_reply(exc, "the answer", line)
        except Exception as exc:  # the last line of defence: a short reply, a log line
            log.error("command failed: %r: %s", line[:200], "".join(
                traceback.format_exception_only(type(exc), exc)).strip())
            log.debug("traceback", exc_info=True)
            reply = Reply(text="Sorry, something went wrong answering that. It has been logged.", status="error")
        memo = getattr(self._command, "memo", None)
        if memo is not None and memo[1] is reply:  # answered from the memo: already fitted
            reply = copied(reply)
        else:
            reply = fit_reply(reply)
            if memo is not None and reply.status == "ok":
                self._remember(memo[0], reply)
                reply = copied(reply)
        self._command.memo = None
        if getattr(self._command, "warming", False):
            return reply
        dt = time.perf_counter() - t0
        self.load.latencies.append(dt)
        self.load.served[reply.data.get("command", "?") if isinstance(reply.data, dict) else "?"] += 1
        return reply

    def _asks(self, line: str, caller: Caller) -> bool:
        """Whether `line` is a plain question (``ask ...``), looking at its first word only."""
        word, _rest = split_command(line[:100], getattr(caller, "prefix", None) or self.prefix)
        info = find(word) if word else None
        return info is not None and info.name == "ask"

    def route(self, line: str, ctx, via: str | None = None) -> Reply:
        """Answer `line` inside another command (``ask`` routes here)."""
        reply = self._run(read_line(line, ctx.caller, ctx.prefix), ctx, [])
        if via is not None and reply.status == "ok":
            reply.data = {**reply.data, "routed": line}
        return reply

    def _dispatch(self, plan: Plan, caller: Caller, attachments) -> Reply:
        ctx = self.context(caller)
        key = None if attachments else self._memo_key(plan, ctx)
        if key is not None:
            with self._lock:
                hit = self._replies.get(key)
                if hit is not None:
                    self._replies.move_to_end(key)
                if not getattr(self._command, "warming", False):
                    self._asked[(ctx.prefix, f"{key[3]} {key[4]}".strip())] += 1
                    if len(self._asked) > 4 * REPLY_MEMO:  # keep the most asked
                        self._asked = Counter(dict(self._asked.most_common(REPLY_MEMO)))
            self._command.memo = (key, hit)
            if hit is not None:
                return hit
        return with_age(self._run(plan, ctx, attachments), ctx)

    # -- replies memoised per data version and arguments ------------------------------
    # A community command's reply depends on the read model, the day (the data's age), the
    # prefix (usage lines), whether the caller moderates and its words only: asked again, it is
    # answered from here (a whole-history command does not walk its history per call), with its
    # chart's key. Not memoised: moderator and server commands (they read the server or change
    # data), the commands that run others (`ask` routes; `help` lists by the caller) and any that
    # reads what changes without a new data version (`sources`: the sync log). A command added
    # here must read nothing else.
    def _memo_key(self, plan: Plan, ctx: Context) -> tuple | None:
        info, rest = plan.command, plan.rest
        if info is None or info.admin or info.permission is not None or info.long or info.name in NOT_MEMOISED:
            return None
        return ctx.read.version, ctx.today, ctx.prefix, info.name, rest.strip(), ctx.caller.is_moderator

    def _remember(self, key: tuple, reply: Reply) -> None:
        with self._lock:
            if self._current is None or key[0] != self._current[0].version:
                return  # an answer of a replaced version
            self._replies[key] = reply
            while len(self._replies) > REPLY_MEMO:
                _old_key, old = self._replies.popitem(last=False)
                self._chart_keys.pop(id(old.data), None)

    def plan(self, line: str, caller: Caller) -> Plan:
        """The line read once, with the caller's prefix: whether it is a command that reads an
        attached file that `caller` may run (adapters ask *before* downloading anything: nobody
        else makes the bot fetch a file), and whether it is long work. Hand the plan to
        :meth:`handle` (or :meth:`aanswer`): the line is not split again."""
        return read_line(line, caller, getattr(caller, "prefix", None) or self.prefix)

    def _run(self, plan: Plan, ctx: Context, attachments) -> Reply:
        word, rest, info = plan.word, plan.rest, plan.command
        if not word:
            return self._run(read_line("help", ctx.caller, ctx.prefix), ctx, attachments)
        if info is None or (not may_see(info, ctx.caller) and word not in REGISTRY):
            return unknown_command(word, rest, ctx)
        refused = refusal(info, ctx.caller, ctx.prefix)
        if refused is not None:
            return refused
        try:
            args = Args.parse(info, rest, bare_year=info.name not in ("model", "compare"), attachments=attachments)
            ctx.asked = args.when
            reply = info.handler(ctx, args)
        except ReplyError as err:  # usage, an unknown name, a rejected file, a database fault: its own answer
            reply = err.to_reply(ctx, info)
        if not isinstance(reply.data, dict):
            reply.data = {}
        reply.data.setdefault("command", info.name)
        return reply

    # -- charts and the event loop ----------------------------------------------------
    @property
    def charts(self):
        if self._charts is None:
            with self._lock:
                if self._charts is None:
                    self._charts = ChartService(workers=self.settings.chart_workers or None,
                                                processes=self.settings.chart_processes)
        return self._charts

    def attach_chart(self, reply: Reply) -> Reply:
        """Render the reply's chart into a PNG attachment (synchronously)."""
        if reply.chart is None or reply.status != "ok":
            return reply
        try:
            png = self.charts.render(reply)
        except Exception as exc:
            return chart_failed(reply, exc)
        return with_chart(reply, png)

    async def ahandle(self, line: str | Plan, caller: Caller = LOCAL_OPERATOR, *, render: bool = True,
                      attachments: list[tuple[str, bytes]] | None = None, ticket: tickets.Ticket | None = None) -> Reply:
        """`handle` off the event loop, then the chart in the render pool."""
        reply, key = await self.aanswer(line, caller, attachments=attachments, ticket=ticket, chart_key=render)
        return await self.arender(reply, key) if render else reply

    async def aanswer(self, line: str | Plan, caller: Caller = LOCAL_OPERATOR, *,
                      attachments: list[tuple[str, bytes]] | None = None, ticket: tickets.Ticket | None = None,
                      chart_key: bool = True) -> tuple[Reply, tuple | None]:
        """`handle` in a query thread, and there too the cache key of the
        reply's chart (a digest of its data: never computed on the event
        loop). Returns (reply, key); the key is None without a chart."""
        loop = asyncio.get_running_loop()

        def answer() -> tuple[Reply, tuple | None]:
            reply = self.handle(line, caller, attachments=attachments, ticket=ticket)
            return reply, (self.chart_key(reply) if chart_key else None)
        return await loop.run_in_executor(self._pool, answer)

    def chart_key(self, reply: Reply) -> tuple | None:
        """The cache key of the reply's chart, None without one (reads the whole data: off the loop;
        once per memoised reply)."""
        if reply.chart is None or reply.status != "ok":
            return None
        known = self._chart_keys.get(id(reply.data))
        if known is not None and known[0] is reply.data and known[1] == (reply.chart.kind, reply.title, reply.footer):
            return known[2]
        key = self.charts.key(reply)
        with self._lock:
            if any(r.data is reply.data for r in self._replies.values()):
                self._chart_keys[id(reply.data)] = (reply.data, (reply.chart.kind, reply.title, reply.footer), key)
        return key

    async def arender(self, reply: Reply, key: tuple | None = None,
                      slots: asyncio.Semaphore | None = None) -> Reply:
        """The reply with its chart attached: a cached PNG at once, else a
        render in the chart workers (under `slots`, the caller's limit on
        renders at once, when given). `key` comes from :meth:`aanswer`."""
        if reply.chart is None or reply.status != "ok":
            return reply
        try:
            if key is None:
                key = await asyncio.get_running_loop().run_in_executor(self._pool, self.charts.key, reply)
            png = self.charts.cached(key)
            if png is None:
                if slots is None:
                    png = await self.charts.render_async(reply, key)
                else:
                    async with slots:
                        png = await self.charts.render_async(reply, key)
        except Exception as exc:
            return chart_failed(reply, exc)
        return with_chart(reply, png)

    def confirm(self, token: str, caller: Caller, *, ticket: tickets.Ticket | None = None) -> Reply:
        """The Confirm button of a pending action (an import after its dry run)."""
        try:
            with tickets.running(ticket), self._one_refresh():
                return fit_reply(confirm_pending(self.context(caller), token))
        except tickets.Cancelled:
            return cancelled()
        except (ReplyError, sqlite3.Error) as exc:
            return self._error_reply(exc, "the import")

    def _error_reply(self, exc: ReplyError | sqlite3.Error, doing: str, line: str | None = None) -> Reply:
        """The answer to an error that escaped a command's handler (one raised while building its
        context or reading the memo, a database fault): a SQLite error is first explained (which file,
        what happened, what to do)."""
        err = explain(exc, self.store.path, doing=doing) if isinstance(exc, sqlite3.Error) else exc
        if line is not None and isinstance(err, StoreError):
            log.error("command %r: %s", line[:200], err)
        return err.to_reply()

    # -- the scheduled work (the adapters' loops call these in a worker thread) ----------------
    def run_due(self, now: datetime | None = None, *, fetcher: scheduler.Fetcher | None = None) -> list[scheduler.Outcome]:
        """Sync every source whose interval has passed (see :func:`bot.commands.scheduler.run_due`)."""
        return scheduler.run_due(self.context(scheduler.SCHEDULER), now, fetcher=fetcher)

    def seconds_until_due(self, now: datetime) -> float:
        """How long the scheduler's loop may sleep."""
        return scheduler.seconds_until_due(self.context(scheduler.SCHEDULER), now)

    def cancel(self, token: str, caller: Caller) -> Reply:
        """The Cancel button of a pending action."""
        return self.pending.cancel(token, caller)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.store.checkpoint()  # the database file alone holds every confirmed change
        if self._charts is not None:
            self._charts.close()


REPLY_MEMO = 128  # memoised replies (of the current data version)
# see Engine._memo_key: `ask` routes and `help` lists by caller; `sources` reads the sync log, which
# a sync writes without a new data version
NOT_MEMOISED = frozenset({"ask", "help", "sources"})
