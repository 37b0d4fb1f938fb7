"""How late the event loop runs: the measure behind "keep the event loop free"."""
from __future__ import annotations

import asyncio
import time


class LagProbe:
    """An async context manager that sleeps `interval` over and over and
    records how late each wake-up is (milliseconds) in ``lags``."""

    def __init__(self, interval: float = 0.005):
        self.interval = interval
        self.lags: list[float] = []
        self._stop = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def _tick(self) -> None:
        while not self._stop.is_set():
            t = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.lags.append((time.perf_counter() - t - self.interval) * 1000)

    async def __aenter__(self) -> "LagProbe":
        self._task = asyncio.create_task(self._tick())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
