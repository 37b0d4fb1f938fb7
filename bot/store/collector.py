"""Memory of read models: the cyclic collector paused while one is built,
and a retired one freed piece by piece.

Building.

A rebuild allocates about a million long-lived objects (ratings, boards,
maps). After :func:`gc.freeze` (see ``Engine.refresh``) the collector counts
almost nothing as long-lived, so while the next model grows it runs a full
collection every time the new objects pass a quarter of that small total:
dozens of full collections per rebuild, each walking the whole growing
model with the GIL held (about 130 ms each on the ten-times history, seconds
in all). The event loop waits through every one of them. The model holds no
reference cycles to collect, so the collector is paused for the build and
resumed after; readers' cyclic garbage meanwhile waits for the next
collection. Nested or concurrent builds (two engines in one process) share
one counter: the collector is resumed when the last of them ends, and only
if it was enabled before the first.

Freeing. A read model holds no reference cycles (it is frozen out of the
collector, so a cycle would never be freed; a test holds it to that), so
reference counting frees it the moment its last reference goes: a cascade
of a million deallocations in one C call, about 100 ms with the GIL held on
the ten-times history, paid by whichever thread let go last (a reader, in
the middle of a command). :func:`retire` hands it to the reaper thread
instead, which waits until no reader still uses it, then empties it one
container entry at a time, offering the GIL every few thousand entries.
"""
from __future__ import annotations

import gc
import logging
import queue
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator

log = logging.getLogger("racebot.collector")

_lock = threading.Lock()
_active = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with automatic cyclic collection off (reference counting still frees)."""
    global _active, _was_enabled
    with _lock:
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _was_enabled:
                gc.enable()


CHUNK = 2000            # references let go between two offers of the GIL
WAIT_UNSHARED = 600.0   # seconds to wait for readers to let go before freeing it the ordinary way


def _contents(v: Any) -> Any:
    """The container to empty for `v` (itself, a tuple's items as a list, an
    object's attribute dict), or None for a leaf."""
    if isinstance(v, (dict, list, set)):
        return v
    if isinstance(v, tuple):
        return list(v) if v else None
    d = getattr(v, "__dict__", None)
    return d if isinstance(d, dict) and not isinstance(v, type) else None


def dismantle(box: list) -> int:
    """Empty `box` and, depth first, every container reachable from it that
    nothing else refers to, `CHUNK` references at a time, offering the GIL in
    between. A container someone else still refers to (a series a reply
    holds, a module's table) is only let go, never emptied. Returns the
    number of references let go."""
    stack: list[Any] = [box]
    n = 0
    while stack:
        c = stack[-1]
        if not c:
            stack.pop()
            continue
        v = c.popitem()[1] if isinstance(c, dict) else c.pop()
        # 2: `v` and getrefcount's argument; more: shared with someone outside
        if sys.getrefcount(v) == 2:
            inner = _contents(v)
            if inner is not None:
                stack.append(inner)
        del v
        n += 1
        if not n % CHUNK:
            time.sleep(0)
    return n


class _Reaper:
    """One daemon thread that frees retired read models (see :func:`retire`)."""

    def __init__(self) -> None:
        self._q: "queue.SimpleQueue[list[Any]]" = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.freed = 0  # read models freed so far (for tests and the benchmark)

    def retire(self, parts: list[Any]) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="racebot-reaper", daemon=True)
                self._thread.start()
        self._q.put(parts)

    def _run(self) -> None:
        while True:
            parts = self._q.get()
            deadline = time.monotonic() + WAIT_UNSHARED
            # the read model comes first: a reader holds it for as long as it uses anything built with
            # it (its context holds both). 2: the list and getrefcount's argument; more: in use
            while sys.getrefcount(parts[0]) > 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            try:
                dismantle(parts)
            except Exception:  # what is left is freed the ordinary way; the reaper carries on
                log.warning("freeing a retired read model piece by piece failed", exc_info=True)
            del parts
            self.freed += 1


_reaper = _Reaper()


def retire(*parts: Any) -> None:
    """Free `parts` (a retired read model first, then what was built with it) in the
    reaper thread, piece by piece, once no reader refers to them. The caller
    must not keep references of its own."""
    _reaper.retire(list(parts))


def retired_count() -> int:
    """How many retired read models the reaper has freed."""
    return _reaper.freed
