"""What to post, and when: watch alerts after a data change, weekly digests.

The adapter asks; this module decides, against the database, so every
process sharing the SQLite file agrees. It knows nothing of Discord and is
synchronous (the adapter runs it in a worker thread):

* :meth:`AlertPlanner.alerts` compares each server's baseline view with the
  current one (:mod:`bot.commands.watching`), moves the baseline with a
  compare-and-set (one process evaluates each change of each server) and
  claims each alert (``last_fired_key``) before it is returned: a change is
  posted at most once, however many processes or restarts see it.
* :meth:`AlertPlanner.due_digests` claims this week's digest for the servers
  whose digest day it is (``digest_week``): at most once a week a server.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable

from bot.commands.watching import Alert, evaluate, race_view
from bot.store.db import Store
from bot.store.readmodel import ReadModel
from bot.store.server_state import GuildSettings, ServerStore

log = logging.getLogger("racebot.alerts")

DIGEST_HOUR_UTC = 12  # digests go out from midday UTC on the server's day
MAX_SLEEP = 3600.0


@dataclass
class Outgoing:
    guild_id: str
    channel_id: str | None  # None: nowhere to post (no channel set, no origin)
    alert: Alert
    charts: bool


def iso_week(now: datetime) -> str:
    y, w, _ = now.isocalendar()
    return f"{y}-W{w:02d}"


class AlertPlanner:
    """`current()`: the read model of the store's version now, waiting for a build under way
    (``Engine.refresh``)."""

    def __init__(self, store: Store, current: Callable[[], ReadModel]):
        self.current = current
        self.servers = ServerStore(store)

    def alerts(self, guild_ids: Iterable[str | int]) -> list[Outgoing]:
        """Claimed alerts for the servers this process posts for."""
        # the store's version now, waiting for a build under way: a watch woken by a change must
        # compare against that change, not the version before it (which readers get meanwhile)
        read = self.current()
        version = read.version
        pending = self.servers.pending_guilds([str(g) for g in guild_ids], version)
        if not pending:
            return []
        view = race_view(read)
        self.servers.save_view(version, view)
        out: list[Outgoing] = []
        for gid, baseline in pending:
            before = self.servers.view(baseline)
            if not self.servers.advance_baseline(gid, baseline, version):
                continue  # another process took this change of this server
            if before is None:
                continue  # no earlier view to compare with: this is the first look
            settings = self.servers.get(gid)
            for w in self.servers.watches(gid):
                alert = evaluate(w, before, view)
                if alert is None:
                    continue
                # what this watch would say if the data went back (an undo): within the window after
                # this post, that flip back, and this same news again (a redo), are not posted again
                back = evaluate(w, view, before)
                if not self.servers.claim_fire(w.id, alert.key, back=back.key.split(":", 1)[1] if back else None):
                    continue
                channel = w.channel_id or settings.channel_id or w.origin_channel_id
                out.append(Outgoing(gid, channel, alert, settings.charts))
        return out

    # -- digests -------------------------------------------------------------------------
    def due_digests(self, guild_ids: Iterable[str | int], now: datetime) -> list[GuildSettings]:
        """Claimed digests due at `now` (UTC) for these servers."""
        owned = {str(g) for g in guild_ids}
        if now.hour < DIGEST_HOUR_UTC:
            return []
        week = iso_week(now)
        return [s for s in self.servers.digest_guilds()
                if s.guild_id in owned and s.digest_day == now.weekday() and s.digest_week != week
                and self.servers.claim_digest(s.guild_id, week)]

    def seconds_until_next_digest(self, guild_ids: Iterable[str | int], now: datetime) -> float:
        """How long the scheduler may sleep: until the next server's digest
        day at :data:`DIGEST_HOUR_UTC` (at most an hour, so clock jumps and
        new settings are picked up)."""
        owned = {str(g) for g in guild_ids}
        days = {s.digest_day for s in self.servers.digest_guilds() if s.guild_id in owned}
        if not days:
            return MAX_SLEEP
        best = MAX_SLEEP
        for d in days:
            due = (now.replace(hour=DIGEST_HOUR_UTC, minute=0, second=0, microsecond=0)
                   + timedelta(days=(d - now.weekday()) % 7))
            if due <= now:  # today's is past: due_digests ran (and claimed it) before this sleep
                due += timedelta(days=7)
            best = min(best, max(1.0, (due - now).total_seconds()))
        return best
