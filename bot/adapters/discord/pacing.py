"""The bot's share of Discord's global REST limit, counted as it is spent.

Discord allows a bot 50 REST requests per second in all (its *global*
limit), across every channel. discord.py learns it has passed the limit only
from a 429; the bot counts its own requests instead, so optional calls (the
"is typing…" indicator) can step aside before answers have to wait.
"""
from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any, Callable

GLOBAL_PER_SECOND = 50  # https://discord.com/developers/docs/topics/rate-limits#global-rate-limit
LOW_SHARE = 0.5  # past half of it in the last second, the bucket counts as low


class RestPace:
    """REST requests sent in the last second (``clock``: seconds, monotonic)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._times: deque[float] = deque()

    def note(self) -> None:
        self._times.append(self.clock())
        self._trim()

    def _trim(self) -> None:
        cutoff = self.clock() - 1.0
        while self._times and self._times[0] <= cutoff:
            self._times.popleft()

    def recent(self) -> int:
        """Requests sent in the last second."""
        self._trim()
        return len(self._times)

    def low(self, http: Any = None) -> bool:
        """Whether the global bucket is low: more than half of it spent in the
        last second, or Discord has the bot globally rate limited right now
        (discord.py's own flag on `http`)."""
        over = getattr(http, "_global_over", None)
        if isinstance(over, asyncio.Event) and not over.is_set():
            return True
        return self.recent() >= GLOBAL_PER_SECOND * LOW_SHARE


def count_requests(http: Any, pace: RestPace) -> None:
    """Note every request `http` (discord.py's HTTPClient) sends in `pace`."""
    send = http.request

    async def request(*args: Any, **kwargs: Any) -> Any:
        pace.note()
        return await send(*args, **kwargs)

    http.request = request
