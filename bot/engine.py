"""The engine: one object the adapters talk to.

``Engine.handle(line, caller)`` parses a command line (prefix optional), runs
its handler against the store and returns a :class:`bot.reply.Reply` within
Discord's limits. It is synchronous and thread-safe; adapters call
``await engine.ahandle(...)``, which runs the query and the chart render in
worker threads so the event loop stays free.
"""
from __future__ import annotations

import asyncio
import dataclasses
import gc
import logging
import sqlite3
import sys
import threading
import time
import traceback
from collections import Counter, OrderedDict
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

from rapidfuzz import fuzz, process

import bot.commands  # noqa: F401  (importing the package registers every handler)
from bot import tickets
from bot.caller import LOCAL_OPERATOR, Caller
from bot.commands.admin.imports import confirm_pending
from bot.commands.ask import as_question
from bot.domain.categories import category_choices
from bot.commands.authority import may_see, refusal
from bot.commands.context import Args, Context, Load
from bot.commands.grammar import SEPARATORS, split_command
from bot.commands.pending import PendingActions
from bot.commands.registry import AT_REFRESH, REGISTRY, find
from bot.config import Settings
from bot.lookup import Entry, Index
from bot.render.charts.service import ChartService
from bot.render.text import clean, fit_reply
from bot.reply import Attachment, Reply, ReplyError
from bot.store import queries
from bot.store.db import StoreError, explain
from bot.store.collector import collector_paused, retire
from bot.store.freshness import age_note
from bot.domain.counted_boards import counted_boards
from bot.store.patch import patch_model
from bot.store.readmodel import ReadModel
from bot.store.seed import DEFAULT_SEED_DIR, open_store

__all__ = ["Engine", "Caller", "LOCAL_OPERATOR"]

log = logging.getLogger("racebot.engine")

# The longest command line read at all: Discord's own message limit (a slash command's options can add up
# to more). Every handler's work is bounded for a line this long; a longer one is refused before parsing.
MAX_LINE = 2000


class Engine:
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

    # -- the read model -------------------------------------------------------
    # Readers take the current read model (and its lookup indexes) without a
    # lock. A change builds the next one in the changing thread (a moderator
    # waits for their own change to show) while everyone else keeps answering
    # from the current one; then one reference is swapped.
    def invalidate(self) -> None:
        """The store changed: build the new read model now (inside a command,
        once at its end: see :meth:`_one_refresh`). Cached charts stay: they
        are keyed by what they draw (see the chart service), so a chart whose
        data the change did not touch is still right, and one whose data it
        did gets a new key."""
        if getattr(self._command, "depth", 0):
            if not getattr(self._command, "changed", False):
                self._command.changed = True
                with self._lock:
                    self._changing += 1
            return
        self._refresh_quietly()

    def _refresh_quietly(self) -> None:
        try:
            self.refresh()
        except Exception:  # a listener must not fail the change: the next command builds it (and names the fault)
            log.warning("building the read model after a change failed; the next command tries again", exc_info=True)

    @contextmanager
    def _one_refresh(self) -> Iterator[None]:
        """One command, one rebuild: a command that commits several changes
        (``undo last 8``, an import in steps) builds the read model once, when
        it ends, not after each commit. Anything that reads in between (the
        command itself, another user) still gets the current version: a
        reader that finds the model out of date builds it (see :meth:`_now`)."""
        state = self._command
        state.depth = getattr(state, "depth", 0) + 1
        try:
            yield
        finally:
            state.depth -= 1
            if not state.depth and getattr(state, "changed", False):
                state.changed = False
                try:
                    self._refresh_quietly()
                finally:
                    with self._lock:
                        self._changing -= 1

    def refresh(self) -> ReadModel:
        """Build the read model of the store's current data version, off the
        readers' path, and swap it in. Returns the read model now current."""
        with self._build_lock:
            current = self._current
            version = self.store.data_version
            if current is not None and current[0].version == version:
                return current[0]
            with collector_paused():  # no full collections walking the half-built model (see collector)
                built = self._build(current, version)
                log.debug("read model of version %s: %s", built[0].version, built[0].patched or "built whole or kept")
                # The read model is hundreds of thousands of long-lived objects: moved out of the
                # cyclic collector's reach, a full collection no longer walks them all in the middle
                # of someone's command (the old model is freed by the reaper, see collector).
                # Frozen before the collector resumes, so its first collection does not walk them either.
                gc.freeze()
            with self._lock:
                retired: tuple[ReadModel, Index, Index] | None = built
                if self._current is None or self._current[0].version <= built[0].version:
                    retired, self._current = self._current, built
                    self._replies.clear()
                    self._chart_keys.clear()
                current = self._current
            del built
        if retired is not None:  # freed piece by piece once readers let go, not in one long dealloc
            retire(*retired)
            self._rewarm()
        return current[0]

    def _rewarm(self) -> None:
        """After a swap, the most asked chart commands are answered again (and
        their charts rendered) in a background thread, so their next asker gets
        the memoised answer and the cached chart instead of paying for them."""
        with self._lock:
            if not self._asked or (self._warmer is not None and self._warmer.is_alive()):
                return
            self._warmer = threading.Thread(target=self._rewarm_run, name="racebot-rewarm", daemon=True)
            self._warmer.start()

    def wait_rewarmed(self, timeout: float) -> bool:
        """Wait until the re-warming after the last change is done (tests, benchmarks)."""
        warmer = self._warmer
        if warmer is not None:
            warmer.join(timeout)
        return warmer is None or not warmer.is_alive()

    def _rewarm_run(self) -> None:
        self._command.warming = True
        try:
            while True:
                version = self._current[0].version if self._current is not None else None
                with self._lock:
                    popular = [k for k, _n in self._asked.most_common(REWARM)]
                for prefix, line in popular:
                    reply = self.handle(line, Caller(user_id="racebot-rewarm", name="rewarm", prefix=prefix))
                    if reply.chart is not None and reply.status == "ok" and self._charts is not None:
                        self._charts.render(reply)
                    if self._current is None or self._current[0].version != version:
                        break
                if self._current is None or self._current[0].version == version:
                    return
        except Exception:  # a warm-up only saves time: never fail anything
            log.info("re-warming the popular answers failed", exc_info=True)
        finally:
            self._command.warming = False

    def _build(self, current: tuple[ReadModel, Index, Index] | None, version: int) -> tuple[ReadModel, Index, Index]:
        """The next (read model, model index, organisation index), built from
        the store (in the calling thread, while readers keep the current one).
        The rating maps are kept from `current` when nothing a rating reads
        changed (``ReadModel``'s ``ratings_version``); a change to a few boards
        is patched in from the first date it can reach, where that is exact
        (:mod:`bot.store.patch`: the chain's choice of board (:mod:`bot.domain.board_chain`)
        and the retired-model rule's successors are redone from there); anything
        else is built whole."""
        previous = current[0] if current is not None else None
        read = ReadModel(self.store, previous, patch_model)
        counted_boards(read)  # the counted boards most answers read: built with the model, frozen with it
        if previous is not None:  # and every board set someone has asked for (a category's): the refresh pays
            for key in previous.view_keys():
                if key[0] == "boards":
                    counted_boards(read, key[1], key[2])
                elif key[0] == "category boards":
                    read.category_boards(key[1])
        for fn in AT_REFRESH:  # the tables commands would build on their first call
            try:
                fn(read, previous)
            except Exception:  # a table not built is built by the first command that reads it
                log.warning("precomputing %s for the read model failed", fn.__name__, exc_info=True)
        return (read, *self._build_indexes(read))

    def _now(self) -> tuple[ReadModel, Index, Index]:
        """The current (read model, model index, organisation index). A reader
        never builds and never waits: while the data is newer than the model
        (a change being applied, or one another process made), it gets the
        model it has, and a build starts in the background if nobody builds.
        Two exceptions wait: the very first model (there is none to give),
        and a command that changed the data itself, which reads its own change."""
        current = self._current
        if current is not None and current[0].version == self.store.data_version:
            return current
        if current is None or getattr(self._command, "changed", False):
            self.refresh()
            assert self._current is not None  # refresh() built one
            return self._current
        self._refresh_behind()
        return current

    def _refresh_behind(self) -> None:
        """Build the current version's read model in a background thread,
        unless a build is under way or a command that changed the data will
        build it when it ends."""
        with self._lock:
            if self._changing or self._build_lock.locked() or (self._behind is not None and self._behind.is_alive()):
                return
            self._behind = threading.Thread(target=self._refresh_quietly, name="racebot-refresh", daemon=True)
            self._behind.start()

    def read_model(self) -> ReadModel:
        """The in-memory read model of the current data version (while a change
        is being applied by another thread, the one before it)."""
        return self._now()[0]

    def _build_indexes(self, read):
        appearances = read.rows_per_model
        entries = [Entry(m["id"], m["name"], m["release_date"],
                         appearances.get(m["id"], 0) + (0.5 if m["origin"] == "epoch" else 0))
                   for m in read.visible_models()]
        visible = {e.id for e in entries}
        spellings = [(a, mid) for a, mid in queries.model_spellings(self.store) if mid in visible]
        models = Index(entries, spellings)
        org_counts = Counter(m["org_id"] for m in read.visible_models() if m["org_id"])
        orgs = queries.organizations(self.store)
        org_entries = [Entry(o["id"], o["name"], None, org_counts[o["id"]]) for o in orgs]
        org_spellings = queries.org_spellings(self.store)
        return models, Index(org_entries, org_spellings, spellings_first=True)

    @property
    def model_index(self):
        return self._now()[1]

    @property
    def org_index(self):
        return self._now()[2]

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

    def handle(self, line: str, caller: Caller = LOCAL_OPERATOR, *,
               attachments: list[tuple[str, bytes]] | None = None, ticket: tickets.Ticket | None = None) -> Reply:
        """Answer one command line. Never raises: failures become a short reply.

        With a `ticket` (the Discord adapter gives one), a cancelled request
        never commits a change (see :mod:`bot.tickets`)."""
        t0 = time.perf_counter()
        self._command.memo = None
        try:
            with tickets.running(ticket), self._one_refresh():
                if len(line) > MAX_LINE and self._asks(line, caller):
                    line = line[:MAX_LINE]  # a question is read from its start (the reader reads even less)
                if len(line) > MAX_LINE:  # refused before any parsing or search: its cost is bounded too
                    reply = Reply(text=f"That is {len(line):,} characters long; I read commands of up to "
                                       f"{MAX_LINE:,}. Nothing was done.", status="usage", data={"too_long": len(line)})
                else:
                    reply = self._dispatch(line, caller, attachments or [])
        except tickets.Cancelled:
            reply = _cancelled()
        except (ReplyError, sqlite3.Error) as exc:  # raised outside a handler (a database fault): its own answer
            reply = self._error_reply(exc, "the answer", line)
        except Exception as exc:  # the last line of defence: a short reply, a log line
            log.error("command failed: %r: %s", line[:200], "".join(
                traceback.format_exception_only(type(exc), exc)).strip())
            log.debug("traceback", exc_info=True)
            reply = Reply(text="Sorry, something went wrong answering that. It has been logged.", status="error")
        memo = getattr(self._command, "memo", None)
        if memo is not None and memo[1] is reply:  # answered from the memo: already fitted
            reply = _copy(reply)
        else:
            reply = fit_reply(reply)
            if memo is not None and reply.status == "ok":
                self._remember(memo[0], reply)
                reply = _copy(reply)
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
        reply = self._run(line, ctx, [])
        if via is not None and reply.status == "ok":
            reply.data = {**reply.data, "routed": line}
        return reply

    def _dispatch(self, line: str, caller: Caller, attachments) -> Reply:
        ctx = self.context(caller)
        key = None if attachments else self._memo_key(line, ctx)
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
        return with_age(self._run(line, ctx, attachments), ctx)

    # -- replies memoised per data version and arguments ------------------------------
    # A community command's reply depends on the read model, the day (the data's age), the
    # prefix (usage lines), whether the caller moderates and its words only: asked again, it is
    # answered from here (a whole-history command does not walk its history per call), with its
    # chart's key. Not memoised: moderator and server commands (they read the server or change
    # data), the commands that run others (`ask` routes; `help` lists by the caller) and any that
    # reads what changes without a new data version (`sources`: the sync log). A command added
    # here must read nothing else.
    def _memo_key(self, line: str, ctx: Context) -> tuple | None:
        word, rest = split_command(line, ctx.prefix)
        info = find(word) if word else None
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

    def accepts_upload(self, line: str, caller: Caller) -> bool:
        """Whether `line` is a command that reads an attached file and `caller`
        may run it (moderator commands: moderators only). Adapters ask this
        *before* downloading anything: nobody else makes the bot fetch a file."""
        word, _rest = split_command(line, self.prefix)
        info = find(word) if word else None
        if info is None or not any(p.kind == "attachment" for p in info.params):
            return False
        return refusal(info, caller, self.prefix) is None

    def _run(self, line: str, ctx, attachments) -> Reply:
        word, rest = split_command(line, ctx.prefix)
        if not word:
            return self._run("help", ctx, attachments)
        info = find(word)
        if info is None or (not may_see(info, ctx.caller) and word not in REGISTRY):
            return self._unknown(word, rest, ctx)
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

    def _unknown(self, word: str, rest: str, ctx) -> Reply:
        names = {}
        for c in self.commands:
            if not may_see(c, ctx.caller):
                continue
            names[c.name] = c.name
            for a in c.aliases:
                names[a] = c.name
        hits = process.extract(word[:40], list(names), scorer=fuzz.WRatio, limit=6, score_cutoff=50)
        cmds = list(dict.fromkeys(names[h[0]] for h in hits))[:3]
        w = clean(word, 30)
        if cmds:
            text = f"There's no command `{w}`. Did you mean " + ", ".join(f"`{ctx.prefix}{c}`" for c in cmds) + "?"
        else:
            text = f"There's no command `{w}`. `{ctx.prefix}help` lists them."
        return Reply(text=text, status="unknown_command",
                     suggestions=[f"{c} {rest}".strip() for c in cmds], data={"did_you_mean": cmds})

    # -- charts and the event loop ----------------------------------------------------
    @property
    def charts(self):
        if self._charts is None:
            with self._lock:
                if self._charts is None:
                    self._charts = ChartService(self, workers=self.settings.chart_workers or None,
                                                processes=self.settings.chart_processes)
        return self._charts

    def attach_chart(self, reply: Reply) -> Reply:
        """Render the reply's chart into a PNG attachment (synchronously)."""
        if reply.chart is None or reply.status != "ok":
            return reply
        try:
            png = self.charts.render(reply)
        except Exception as exc:
            return _chart_failed(reply, exc)
        return _with_chart(reply, png)

    def is_long(self, line: str) -> bool:
        """Whether `line` is long work (an import, a sync) that reports progress
        instead of being bounded by COMMAND_TIMEOUT."""
        word, _rest = split_command(line, self.prefix)
        info = find(word) if word else None
        return bool(info and info.long)

    async def ahandle(self, line: str, caller: Caller = LOCAL_OPERATOR, *, render: bool = True,
                      attachments: list[tuple[str, bytes]] | None = None, ticket: tickets.Ticket | None = None) -> Reply:
        """`handle` off the event loop, then the chart in the render pool."""
        reply, key = await self.aanswer(line, caller, attachments=attachments, ticket=ticket, chart_key=render)
        return await self.arender(reply, key) if render else reply

    async def aanswer(self, line: str, caller: Caller = LOCAL_OPERATOR, *,
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
            return _chart_failed(reply, exc)
        return _with_chart(reply, png)

    def confirm(self, token: str, caller: Caller, *, ticket: tickets.Ticket | None = None) -> Reply:
        """The Confirm button of a pending action (an import after its dry run)."""
        try:
            with tickets.running(ticket), self._one_refresh():
                return fit_reply(confirm_pending(self.context(caller), token))
        except tickets.Cancelled:
            return _cancelled()
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

    def cancel(self, token: str, caller: Caller) -> Reply:
        """The Cancel button of a pending action."""
        return self.pending.cancel(token, caller)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.store.checkpoint()  # the database file alone holds every confirmed change
        if self._charts is not None:
            self._charts.close()


def with_age(reply: Reply, ctx: Context) -> Reply:
    """The reply with one line about time when it used an Arena board: how old
    the data is, last, when it is older than ``DATA_STALE_DAYS``; that the data
    ends there, first, when the question was about a later time (see
    :func:`bot.store.freshness.age_note`). Once per reply: in the text, never
    in the footer that every page repeats."""
    if reply.status != "ok" or not ctx.boards_cited:
        return reply
    age = ctx.data_age()
    note = age_note(age, asked_start=ctx.asked.start if ctx.asked else None, asked_now=ctx.asked_now)
    if note is None or age is None:
        return reply
    if not note.startswith("The data ends"):  # the age of a "now" answer: its last line
        reply.text = f"{reply.text}\n*{note}*" if reply.text else f"*{note}*"
    else:  # a question about a time after the data: said before the answer (after how `ask` read it)
        head, sep, rest = reply.text.partition("\n")
        if head.startswith("Read as:"):
            reply.text = f"{head}\n*{note}*" + (sep + rest if rest else "")
        else:
            reply.text = f"*{note}*\n{reply.text}" if reply.text else f"*{note}*"
    reply.data = {**reply.data, "data_age": age.to_dict()}
    return reply


REPLY_MEMO = 128  # memoised replies (of the current data version)
REWARM = 16  # the most asked commands answered again after a change (see Engine._rewarm)
# see Engine._memo_key: `ask` routes and `help` lists by caller; `sources` reads the sync log, which
# a sync writes without a new data version
NOT_MEMOISED = frozenset({"ask", "help", "sources"})


def _copy(reply: Reply) -> Reply:
    """A reply to hand out from the memo: its own lists and dicts to change, the data shared
    (nothing after the handler changes a reply's data in place)."""
    out = dataclasses.replace(reply)
    for f in dataclasses.fields(out):
        v = getattr(out, f.name)
        if isinstance(v, list):
            setattr(out, f.name, list(v))
    return out


def _cancelled() -> Reply:
    """The answer to a request stopped by its time-out before it changed anything (see :mod:`bot.tickets`)."""
    return Reply(text="That took too long and was stopped; nothing was changed.", status="error",
                 data={"cancelled": True})


def _with_chart(reply: Reply, png: bytes) -> Reply:
    """The reply with its chart attached as ``chart.png``."""
    reply.files = [*reply.files, Attachment("chart.png", png)]
    return reply


def _chart_failed(reply: Reply, exc: BaseException) -> Reply:
    """The reply without its chart, saying so: the figures in the text still stand."""
    log.warning("chart %s failed: %s", reply.chart.kind if reply.chart else "?", exc)
    reply.text = (reply.text + "\n(The chart could not be drawn this time; the figures above stand.)").strip()
    return reply
