"""Honest time-outs: a request's :class:`Ticket` decides, once, whether its
change is applied or the request was cancelled.

The Discord adapter gives every request a ticket and runs it in a worker
thread. When the request takes too long the adapter calls
:meth:`Ticket.cancel`:

* if the work has not started committing, the ticket is cancelled and the
  store will **never** commit for it (``Store.change`` asks
  :meth:`Ticket.begin_commit` right before COMMIT and rolls back when
  refused), so "that took too long, nothing was changed" is true;
* if the commit has already begun, ``cancel`` says so and the adapter waits
  for the real result instead of claiming a failure.

The two outcomes are decided under one lock, so they cannot both happen.
The engine makes the ticket the worker thread's *current* ticket
(:func:`running`), which is how the store finds it without every layer
passing it along. Long work (imports) reports progress through the ticket.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator

_local = threading.local()


class Cancelled(Exception):
    """The request was cancelled (it took too long) before it changed anything."""


class Ticket:
    RUNNING, COMMITTING, CANCELLED = "running", "committing", "cancelled"

    def __init__(self, on_progress: Callable[[str], None] | None = None):
        self._lock = threading.Lock()
        self._state = self.RUNNING
        self.on_progress = on_progress

    @property
    def state(self) -> str:
        return self._state

    @property
    def cancelled(self) -> bool:
        return self._state == self.CANCELLED

    def cancel(self) -> bool:
        """Stop the work. True: it will change nothing (or it had nothing to
        commit). False: its change is already being committed or committed."""
        with self._lock:
            if self._state == self.RUNNING:
                self._state = self.CANCELLED
            return self._state == self.CANCELLED

    def begin_commit(self) -> bool:
        """Called right before COMMIT; False means roll back (cancelled)."""
        with self._lock:
            if self._state == self.CANCELLED:
                return False
            self._state = self.COMMITTING
            return True

    def end_commit(self) -> None:
        """Called after COMMIT (or its failure): the work may continue and commit again."""
        with self._lock:
            if self._state == self.COMMITTING:
                self._state = self.RUNNING

    def check(self) -> None:
        """Raise :class:`Cancelled` if the request was cancelled."""
        if self._state == self.CANCELLED:
            raise Cancelled()

    def progress(self, text: str) -> None:
        if self.on_progress is not None:
            try:
                self.on_progress(text)
            except Exception:  # noqa: BLE001 - progress is best effort, never breaks the work
                pass


def current() -> Ticket | None:
    """The ticket of the request this thread is working on, if any."""
    return getattr(_local, "ticket", None)


@contextmanager
def running(ticket: Ticket | None) -> Iterator[Ticket | None]:
    """Make `ticket` this thread's current ticket for the duration."""
    previous = current()
    _local.ticket = ticket
    try:
        yield ticket
    finally:
        _local.ticket = previous


def check() -> None:
    """Raise :class:`Cancelled` if this thread's request was cancelled."""
    t = current()
    if t is not None:
        t.check()


def report(text: str) -> None:
    """Progress of this thread's request (shown by the adapter, throttled)."""
    t = current()
    if t is not None:
        t.progress(text)
