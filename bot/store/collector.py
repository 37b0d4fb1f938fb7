"""The cyclic garbage collector paused while a read model is built.

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
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager
from typing import Iterator

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
