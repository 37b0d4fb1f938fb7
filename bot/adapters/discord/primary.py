"""One primary among the bot's processes.

The primary syncs the slash commands (so a rolling deploy does not flip the
command set back and forth), evaluates watches and digests for every server
and posts them, and the announcements, over REST by channel id (posting needs
no gateway shard), and takes changes. The others answer and refuse changes,
naming where they are made. That keeps the documented multi-machine setups
(LiteFS replicas, published read-only copies) true for every feature.

``PRIMARY=yes`` or ``no`` fixes the role; ``auto`` (the default) elects it
with a lease in the shared database (:class:`bot.store.leases.Leases`),
renewed every ``ttl / 3`` seconds: when the primary stops, another process
takes over within ``ttl``. A process whose database cannot be written (a
replica or a published copy) is never primary under ``auto``.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

from bot.store.leases import BusyLeases, Leases, ReadOnlyLeases

log = logging.getLogger("racebot.discord")

LEASE = "primary"
TTL = 30.0  # seconds a primary's lease lasts without renewal


class Primary:
    """This process's role. ``is_primary`` is read on the event loop; it changes only in :meth:`check`."""

    def __init__(self, mode: str, database: str | None, holder: str, *, ttl: float = TTL) -> None:
        self.mode = mode
        self.holder = holder
        self.ttl = ttl
        self.leases = Leases(database) if database else None
        self.is_primary = mode == "yes" or (mode == "auto" and database is None)
        self.on_change: list[Callable[[bool], Awaitable[None]]] = []

    def _decide(self) -> bool:
        """In a thread: take or renew the lease (``auto``), or hold it for others to see (``yes``)."""
        if self.mode == "no" or self.leases is None:
            return self.mode == "yes" or (self.mode == "auto" and self.leases is None)
        try:
            held = self.leases.hold(LEASE, self.holder, self.ttl)
        except ReadOnlyLeases:
            return self.mode == "yes"
        except BusyLeases:
            # the file stayed locked (a long import): the lease can still be read; nobody else
            # holding it, this process goes on as (or becomes) the primary until the next check
            holder = self.leases.holder(LEASE)
            return self.mode == "yes" or holder in (None, self.holder)
        return True if self.mode == "yes" else held

    async def check(self) -> bool:
        now = await asyncio.to_thread(self._decide)
        if now != self.is_primary:
            self.is_primary = now
            log.info("this process is %s", "the primary" if now else "no longer the primary")
            for callback in self.on_change:
                await callback(now)
        return now

    async def run(self) -> None:
        """Renew (or try to take) the lease until cancelled."""
        while True:
            await asyncio.sleep(self.ttl / 3)
            try:
                await self.check()
            except Exception:  # the role stays as it was; the next check tries again
                log.warning("the primary lease could not be checked", exc_info=True)

    def release(self) -> None:
        if self.leases is not None and self.is_primary:
            self.leases.release(LEASE, self.holder)

    def where(self) -> str:
        """Where changes are made, for a refusal: the primary's host when the database says."""
        holder = self.leases.holder(LEASE) if self.leases is not None else None
        host = holder.split(":", 1)[0] if holder else None
        return f"the primary bot process (on {host})" if host else "the primary bot process"

    def refusal(self) -> str:
        return (f"Changes are made through {self.where()}, not this one: answers work here, changes are "
                f"refused. Make them in a server that process serves, or with `racebot` on its machine.")
