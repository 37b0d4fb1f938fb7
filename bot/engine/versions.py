"""The engine's read models: one per data version, built off the readers' path and swapped in as
one reference (with the two lookup indexes built from it), then re-warmed.

Readers take the current read model (and its lookup indexes) without a lock. A change builds the
next one in the changing thread (a moderator waits for their own change to show) while everyone
else keeps answering from the current one; then one reference is swapped. :class:`Versions` is
the part of :class:`bot.engine.Engine` that does this (the engine's ``__init__`` makes its state).
"""
from __future__ import annotations

import gc
import logging
import threading
from collections import Counter, OrderedDict
from contextlib import contextmanager
from typing import Any, Iterator

from bot.caller import Caller
from bot.commands.registry import AT_REFRESH
from bot.domain.counted_boards import counted_boards
from bot.lookup import Entry, Index
from bot.reply import Reply
from bot.store import queries
from bot.store.collector import collector_paused, retire
from bot.store.patch import patch_model
from bot.store.readmodel import ReadModel

log = logging.getLogger("racebot.engine")

REWARM = 16  # the most asked commands answered again after a change (see Versions._rewarm)


class Versions:
    """The read model of the current data version, for the engine. State (made by the engine):"""
    store: Any
    _lock: threading.RLock
    _current: tuple[ReadModel, Index, Index] | None
    _build_lock: threading.Lock
    _behind: threading.Thread | None
    _changing: int
    _replies: OrderedDict[tuple, Reply]
    _chart_keys: dict[int, tuple]
    _asked: Counter[tuple[str, str]]
    _warmer: threading.Thread | None
    _command: threading.local
    _charts: Any

    def handle(self, line: str, caller: Caller) -> Reply:  # the engine's (the re-warming asks again)
        raise NotImplementedError

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
