"""Charts: PNG images drawn from a reply's data, rendered off the event loop.

``ChartService`` (one per engine, ``Engine.charts``) renders a reply's chart
(``reply.chart.kind``) from ``reply.data`` only, in a pool of worker
processes (matplotlib holds the GIL while drawing; separate processes keep
the bot's event loop responsive), with a bounded LRU cache keyed by what the
chart draws: (kind, digest of data + title + subtitle). A PNG is a function
of those alone, so a data change needs no clearing: a chart whose data moved
gets a new key, one whose data did not is still right. The digest reads the
whole reply data, so it is computed in the query thread that built the reply
(``Engine.aanswer``), never on the event loop.
If the process pool breaks, it falls back to a thread.

``render_png`` is the pure, picklable entry point the workers run.

This module does not import matplotlib: the drawing code
(:mod:`bot.render.charts.draw` and the kinds) is imported in the workers
(or in the fallback thread) only.
"""
from __future__ import annotations

import asyncio
import concurrent.futures as cf
import hashlib
import json
import logging
import multiprocessing
import os
import threading
import time
from collections import Counter, OrderedDict
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from bot.render.charts.registry import KINDS, ChartError

log = logging.getLogger("racebot.charts")



# ---------------------------------------------------------------------------
# the pure entry point (runs in the worker processes)
# ---------------------------------------------------------------------------
def render_png(kind: str, data: dict, title: str | None, subtitle: str | None) -> bytes:
    """Draw chart `kind` from `data` (a reply's data) as a 1200x675 PNG."""
    if kind not in KINDS:
        raise ChartError(f"no chart kind {kind!r}")
    from bot.render.charts.draw import draw_png

    return draw_png(kind, data, title, subtitle)


WARM_UP_CHART = ("top", {"metric": "Arena Elo", "rows": [{"rank": 1, "model": "warm-up", "score": 1300.0,
                                                          "country": "United States"}]})


def _warm_worker(owner_pid: int | None = None) -> None:
    """Worker initializer: first tie the worker's life to the bot's process
    (:mod:`bot.render.charts.lifeline`: it exits when the bot dies, SIGKILL
    included, and never holds the bot's stdout/stderr), then import
    matplotlib and draw one small chart (the font cache and the PNG writer
    loaded), so the first real chart is fast. One chart, not every kind:
    drawing a kind a second time is no faster than the first, and a worker
    that draws them all is busy for seconds after start."""
    if owner_pid is not None:
        from bot.render.charts.lifeline import bind_to_owner

        bind_to_owner(owner_pid)
    try:
        render_png(WARM_UP_CHART[0], WARM_UP_CHART[1], "warm-up", "warm-up")
    except Exception:  # pragma: no cover - a failing warm-up must not kill the worker
        log.warning("chart worker warm-up failed", exc_info=True)


def _ping() -> int:
    return os.getpid()


def default_workers(cores: int | None = None) -> int:
    """Chart worker processes when no setting names a number: each holds
    matplotlib (about 100 MB), and on two cores or fewer a second worker
    mostly competes with the bot for the same processors."""
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return 1 if cores <= 2 else 2


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def cache_key(kind: str, data: Any, title: str | None, subtitle: str | None) -> tuple:
    """The cache key of a chart: its kind and a digest of everything it draws.
    Reads all of `data`: call it off the event loop."""
    blob = json.dumps([data, title, subtitle], sort_keys=True, default=str, separators=(",", ":"),
                      ensure_ascii=False)
    return kind, hashlib.blake2b(blob.encode(), digest_size=16).hexdigest()


# ---------------------------------------------------------------------------
# the service
# ---------------------------------------------------------------------------
class ChartService:
    """Renders replies' charts in a worker pool, with a bounded LRU cache."""

    def __init__(self, *, workers: int | None = None, cache_size: int = 256,
                 processes: bool | None = None, timeout: float = 60.0):
        # Nothing of the engine: a PNG is a function of (kind, data, title, subtitle) alone, so the
        # cache needs no data version (a changed chart gets a new key) and no way back up.
        self.workers = max(1, workers or default_workers())
        self.use_processes = True if processes is None else processes
        self.cache_size = cache_size
        self.timeout = timeout
        self.stats: Counter = Counter()
        self._cache: OrderedDict[tuple, bytes] = OrderedDict()
        self._inflight: dict[tuple, cf.Future] = {}
        self._lock = threading.Lock()
        self._generation = 0
        self._procs: cf.ProcessPoolExecutor | None = None
        self._threads: cf.ThreadPoolExecutor | None = None
        self._broken_at: float | None = None
        self._closed = False

    # -- pools -----------------------------------------------------------------
    def _process_pool(self) -> cf.ProcessPoolExecutor | None:
        if not self.use_processes or self._closed:
            return None
        if self._broken_at is not None and time.monotonic() - self._broken_at < 60:
            return None  # it broke recently: use the thread for a minute, then try again
        with self._lock:
            if self._procs is None:
                methods = multiprocessing.get_all_start_methods()
                ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
                self._procs = cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx,
                                                     initializer=_warm_worker, initargs=(os.getpid(),))
                self._broken_at = None
            return self._procs

    def _thread_pool(self) -> cf.ThreadPoolExecutor:
        with self._lock:
            if self._threads is None:
                self._threads = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="racebot-chart")
            return self._threads

    def _mark_broken(self, exc: BaseException) -> None:
        log.warning("chart process pool broke (%s); rendering in a thread for now", exc)
        self.stats["pool_broken"] += 1
        with self._lock:
            procs, self._procs = self._procs, None
            self._broken_at = time.monotonic()
        if procs is not None:
            try:
                procs.shutdown(wait=False, cancel_futures=True)
            except Exception:  # pragma: no cover
                pass

    def warm(self, wait: bool = False) -> None:
        """Start the workers (each imports matplotlib and draws once)."""
        pool = self._process_pool()
        if pool is None:
            return
        futs = [pool.submit(_ping) for _ in range(self.workers)]
        if wait:
            cf.wait(futs, timeout=self.timeout)

    # -- cache -------------------------------------------------------------------
    def key(self, reply) -> tuple:
        """The cache key of `reply`'s chart (a digest of its data: not on the event loop)."""
        return cache_key(reply.chart.kind, reply.data, reply.title, reply.footer)

    def cached(self, key: tuple) -> bytes | None:
        """The cached PNG of `key`, or None (cheap: fine on the event loop)."""
        return self._cached(key)

    def _cached(self, key: tuple) -> bytes | None:
        with self._lock:
            png = self._cache.get(key)
            if png is not None:
                self._cache.move_to_end(key)
                self.stats["hits"] += 1
            return png

    def _store(self, key: tuple, png: bytes, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return  # the data changed while it rendered
            self._cache[key] = png
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def clear(self) -> None:
        """Drop every cached chart (to time cold renders)."""
        with self._lock:
            self._cache.clear()
            self._generation += 1
            self.stats["clears"] += 1

    # -- rendering ---------------------------------------------------------------
    def _start(self, key: tuple, reply) -> cf.Future:
        """A future of the PNG: shared with a render of the same chart already under way."""
        kind = reply.chart.kind
        if kind not in KINDS:
            raise ChartError(f"no chart kind {kind!r}")
        args = (kind, reply.data, reply.title, reply.footer)
        with self._lock:
            fut = self._inflight.get(key)
            if fut is not None:
                self.stats["joined"] += 1
                return fut
            out: cf.Future = cf.Future()
            self._inflight[key] = out
            gen = self._generation
        self.stats["renders"] += 1

        def finish(png: bytes | None, exc: BaseException | None) -> None:
            with self._lock:
                self._inflight.pop(key, None)
            if exc is not None:
                self.stats["errors"] += 1
            elif png is not None:
                self._store(key, png, gen)
            if out.done():  # cancelled by a caller that stopped waiting (e.g. the bot closing)
                return
            try:
                out.set_exception(exc) if exc is not None else out.set_result(png)
            except cf.InvalidStateError:
                pass

        def in_thread() -> None:
            try:
                tf = self._thread_pool().submit(render_png, *args)
            except RuntimeError as exc:  # closed
                finish(None, exc)
                return
            tf.add_done_callback(lambda f: finish(None, f.exception()) if f.exception() else finish(f.result(), None))

        def done(f: cf.Future) -> None:
            exc = f.exception()
            if isinstance(exc, BrokenProcessPool):
                self._mark_broken(exc)
                in_thread()
            elif exc is not None:
                finish(None, exc)
            else:
                finish(f.result(), None)

        pool = self._process_pool()
        if pool is None:
            in_thread()
            return out
        try:
            pf = pool.submit(render_png, *args)
        except (BrokenProcessPool, RuntimeError) as exc:
            self._mark_broken(exc)
            in_thread()
            return out
        pf.add_done_callback(done)
        return out

    def _lookup(self, reply, key: tuple | None = None) -> tuple[tuple, bytes | None]:
        if reply.chart is None:
            raise ChartError("the reply has no chart")
        key = key if key is not None else self.key(reply)
        return key, self._cached(key)

    def render(self, reply) -> bytes:
        """The PNG for `reply.chart` (blocking: call it from a worker thread)."""
        key, png = self._lookup(reply)
        if png is not None:
            return png
        return self._start(key, reply).result(timeout=self.timeout)

    async def render_async(self, reply, key: tuple | None = None) -> bytes:
        """The PNG for `reply.chart`, rendered in the pool; the event loop stays
        free. Pass the `key` computed off the loop (:meth:`key`): without one it
        is computed here, reading the whole reply data."""
        key, png = self._lookup(reply, key)
        if png is not None:
            return png
        fut = self._start(key, reply)
        return await asyncio.wait_for(asyncio.wrap_future(fut), self.timeout)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            procs, self._procs = self._procs, None
            threads, self._threads = self._threads, None
        for p in (procs, threads):
            if p is not None:
                p.shutdown(wait=False, cancel_futures=True)
