"""Actions that wait for their author's Confirm (today: imports after their dry run).

The engine owns one :class:`PendingActions`; handlers reach it through
``ctx.pending``. The clock is injected (``now``) so tests can move time
instead of editing entries.
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from bot.caller import Caller
from bot.reply import Reply

CONFIRM_SECONDS = 300


@dataclass
class PendingAction:
    """One action a moderator started and must confirm."""
    token: str
    user_id: str
    expires: float
    description: str
    run: Callable[[Any], Reply]  # does the work, given the confirming moderator's Context


class PendingActions:
    """Thread-safe table of pending actions, keyed by an unguessable token."""

    def __init__(self, *, ttl: float = CONFIRM_SECONDS, now: Callable[[], float] = time.time):
        self.ttl = ttl
        self.now = now
        self._lock = threading.Lock()
        self._items: dict[str, PendingAction] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __contains__(self, token: object) -> bool:
        with self._lock:
            return token in self._items

    def add(self, user_id: str, description: str, run: Callable[[Any], Reply]) -> str:
        """Keep `run` until its author confirms; returns the token for the Confirm button."""
        token = secrets.token_urlsafe(12)
        with self._lock:
            now = self.now()
            for k in [k for k, p in self._items.items() if p.expires < now]:
                del self._items[k]
            self._items[token] = PendingAction(token, user_id, now + self.ttl, description, run)
        return token

    def cancel(self, token: str, caller: Caller) -> Reply:
        """The Cancel button: the author's pending action is dropped at once."""
        with self._lock:
            p = self._items.get(token)
            if p is not None and caller.user_id == p.user_id:
                del self._items[token]
                return Reply(text="Cancelled; nothing was changed.", data={"cancelled": True})
        return Reply(text="Nothing to cancel; nothing was changed.", status="refused")

    def take(self, token: str, caller: Caller) -> PendingAction | Reply:
        """The action to run for a Confirm by `caller`, removed from the table;
        or a refusal reply (unknown, someone else's, or expired)."""
        with self._lock:
            p = self._items.get(token)
            if p is None:
                return Reply(text="That import is no longer pending (already done or cancelled). Nothing changed.",
                             status="refused")
            if not caller.is_moderator or caller.user_id != p.user_id:
                return Reply(text="Only the moderator who started this import can confirm it. Nothing changed.",
                             status="refused")
            del self._items[token]
            if self.now() > p.expires:
                return Reply(text="This import expired (5 minutes); run it again. Nothing changed.",
                             status="refused")
        return p
