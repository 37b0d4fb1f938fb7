"""Fresh by itself: every source synced on its interval by the bot's own loop.

:func:`run_due` is what the Discord adapter's loop calls (in a worker
thread, on an injectable clock): for each source in :data:`SYNCED` whose
interval has passed since its last attempt it fetches the published file
(the vetted download of :mod:`bot.store.fetch`), dry-runs the import and
checks it:

* schema and ranges: the file parses as that source's format, every rating
  a number in range (the importer's own checks);
* no mass removals: at most ``SYNC_MAX_REMOVED_PCT`` of the models of the
  newest board already imported are missing;
* at most ``SYNC_MAX_MOVED_PCT`` of the ratings of models on both boards
  moved by more than ``MOVE_ELO`` points;
* a later date than the newest board already imported.

A sync that passes is applied at once (one audited change, undone like any
other) and announced with its diff and an `undo <id>` button; anything else
waits for a moderator's Confirm, and the post says why. A release identical
to the newest one is nothing to do. A source whose newest board is older than
``SOURCE_SILENT_DAYS`` is reported once (per newest board). Every step is
recorded by :class:`bot.store.synclog.SyncLog` (an audit row of scope
``sync`` and the source's health, which `sources` and `stats` show).
"""
from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from bot.caller import Caller
from bot.commands.admin.imports import _register
from bot.commands.context import Context
from bot.commands.pending import ANY_MODERATOR
from bot.reply import Reply
from bot.domain.board_chain import AMENDMENTS
from bot.store.fetch import fetch
from bot.store.freshness import ago
from bot.store.importers import ImportFailed
from bot.store.importers.arena_sources import import_arena_catalog, parse_catalog
from bot.store.importers.leaderboard import SOURCE_LEADERBOARD, import_leaderboard, to_arena_csv
from bot.store.synclog import SyncLog

log = logging.getLogger("racebot.scheduler")

SCHEDULER = Caller(user_id="scheduled-sync", name="scheduled sync", is_moderator=True)
MOVE_ELO = 25.0  # a rating "moved" when it changed by more than this between two releases
MAX_BYTES = 25 * 1024 * 1024

Fetcher = Callable[[str, float], bytes]


Boards = dict[str, dict[str, tuple[float, float, float]]]  # {category: {model key: (rating, low, high)}}


@dataclass(frozen=True)
class Synced:
    """One source the scheduler keeps current: the source id of its boards, how it is named, where it is
    published (a setting that holds the URL, or the URL a moderator followed) and, for a followed
    leaderboard, its column mapping."""
    source: str
    title: str
    url_setting: str = ""
    url: str = ""
    mapping: tuple[tuple[str, str], ...] = ()

    def url_of(self, settings: Any) -> str:
        return self.url or str(getattr(settings, self.url_setting))

    def read(self, raw: bytes, day: str) -> tuple[Boards, str, Callable[..., Any]]:
        """(its boards, the board's date, the import as ``run(store, dry_run, actor)``); raises ImportFailed
        or ValueError when the file is not this source's format."""
        if self.source == "arena-catalog":
            name = f"leaderboard-text-{day}.json"
            boards = parse_catalog(name, json.loads(raw.decode("utf-8-sig")))
            return boards, day, lambda store, dry_run, actor: import_arena_catalog(
                store, raw, name=name, snapshot_date=day, dry_run=dry_run, actor=actor)
        name = f"leaderboard-{day}.json"
        mapping = dict(self.mapping)
        date, board = to_arena_csv(name, raw, mapping, day)
        full: dict[str, tuple[float, float, float]] = {}
        for r in csv.DictReader(io.StringIO(board.decode())):
            score = float(r["arena_score"])
            ci = r["95_pct_ci"]
            plus, minus = (float(x) for x in ci.lstrip("+").split("/-")) if ci else (0.0, 0.0)
            full.setdefault(r["model"], (score, score - minus, score + plus))
        return {"full": full}, date, lambda store, dry_run, actor: import_leaderboard(
            store, raw, name=name, mapping=mapping, snapshot_date=day, dry_run=dry_run, actor=actor)


SYNCED: tuple[Synced, ...] = (
    Synced("arena-catalog", "LMArena's published leaderboard", "arena_catalog_url"),
)


def synced(store: Any) -> list[Synced]:
    """The sources the scheduler syncs: :data:`SYNCED` and the leaderboard a moderator follows."""
    feed = SyncLog(store).feed(SOURCE_LEADERBOARD)
    extra = [Synced(SOURCE_LEADERBOARD, "the followed leaderboard", url=feed["url"],
                    mapping=tuple(sorted(feed.get("mapping", {}).items())))] if feed else []
    return [*SYNCED, *extra]


@dataclass
class Outcome:
    """What one source's sync did, and what to post (None: nothing to say)."""
    source: str
    step: str  # unchanged | applied | held | failed | silent
    reply: Reply | None
    detail: str = ""


def newest_board(read: Any, source: str) -> str | None:
    """The newest board date of `source` in the read model (overall category)."""
    return max((b.date for b in read.board_keys("full") if b.source == source), default=None)


def checks(read: Any, source: str, boards: dict[str, dict[str, tuple[float, float, float]]], day: str,
           settings: Any) -> list[str]:
    """The reasons a fetched release may not be applied without a moderator (empty: it may)."""
    reasons = []
    last = newest_board(read, source)
    full = boards["full"]
    if last is not None:
        before = {(r.key or r.arena_name): r.score for r in read.board_rows(source, last, "full")}
        gone = [k for k in before if k not in full]
        max_removed = float(getattr(settings, "sync_max_removed_pct", 10.0))
        if before and 100 * len(gone) / len(before) > max_removed:
            reasons.append(f"{len(gone)} of the {len(before)} models of the {last} board are missing "
                           f"({100 * len(gone) / len(before):.0f}%, more than {max_removed:g}%)")
        both = [k for k in full if k in before]
        moved = [k for k in both if abs(full[k][0] - before[k]) > MOVE_ELO]
        max_moved = float(getattr(settings, "sync_max_moved_pct", 20.0))
        if both and 100 * len(moved) / len(both) > max_moved:
            reasons.append(f"{len(moved)} of {len(both)} ratings moved by more than {MOVE_ELO:g} points "
                           f"({100 * len(moved) / len(both):.0f}%, more than {max_moved:g}%)")
        if day <= last:
            reasons.append(f"its date {day} is not later than the newest board already imported ({last})")
    return reasons


def _due(state: dict[str, Any], now: datetime, hours: float) -> bool:
    last = state.get("last_attempt")
    if not last:
        return True
    try:
        return now - datetime.fromisoformat(last) >= timedelta(hours=hours)
    except ValueError:
        return True


def seconds_until_due(ctx: Context, now: datetime) -> float:
    """How long the loop may sleep: until the next source is due (at most an hour)."""
    hours = float(ctx.settings.arena_check_hours or 0)
    if hours <= 0:
        return 3600.0
    log_ = SyncLog(ctx.store)
    best = 3600.0
    for s in synced(ctx.store):
        last = log_.get(s.source).get("last_attempt")
        if not last:
            return 0.0
        try:
            wait = (datetime.fromisoformat(last) + timedelta(hours=hours) - now).total_seconds()
        except ValueError:
            return 0.0
        best = min(best, max(0.0, wait))
    return best


def run_due(ctx: Context, now: datetime | None = None, *, fetcher: Fetcher | None = None,
            register: Callable[..., Reply] | None = None) -> list[Outcome]:
    """Sync every source whose interval has passed; report silent sources once. `ctx`: the
    scheduler's context (caller :data:`SCHEDULER`; ``Engine.run_due`` builds it). `fetcher(url,
    timeout)` defaults to the vetted download with the context's settings; `register` makes a held
    sync's dry run and pending Confirm (the chat `import`'s, by default)."""
    now = now or datetime.now(timezone.utc)
    hours = float(ctx.settings.arena_check_hours or 0)
    out: list[Outcome] = []
    if hours <= 0:
        return out
    synclog = SyncLog(ctx.store)
    for s in synced(ctx.store):
        if _due(synclog.get(s.source), now, hours):
            out.append(sync_one(ctx, s, now, fetcher=fetcher, register=register))
    out.extend(silent_sources(ctx, now))
    return out


def sync_one(ctx: Context, s: Synced, now: datetime, *, fetcher: Fetcher | None = None,
             register: Callable[..., Reply] | None = None) -> Outcome:
    settings = ctx.settings
    synclog = SyncLog(ctx.store)
    url = s.url_of(settings)
    timeout = float(getattr(settings, "sync_timeout", 20) or 20)
    day = now.astimezone(timezone.utc).date().isoformat()
    get = fetcher or (lambda u, t: fetch(u, settings=settings, deadline=t, max_bytes=MAX_BYTES))
    try:
        raw = get(url, timeout)
    except Exception as exc:  # the download's own message says what went wrong
        reason = f"could not fetch {url}: {exc}"
        synclog.record(s.source, "failed", now, reason)
        return Outcome(s.source, "failed", Reply(text=f"Scheduled sync of {s.title} failed: {reason}. Nothing was "
                                                      "imported; the next try is at the next interval.",
                                                 status="error", data={"sync": s.source, "step": "failed"}), reason)
    try:
        boards, day, importer = s.read(raw, day)
    except (UnicodeDecodeError, ValueError, ImportFailed) as exc:
        reason = f"the file is not a leaderboard of this source's format: {exc}"
        synclog.record(s.source, "failed", now, reason)
        return Outcome(s.source, "failed", Reply(text=f"Scheduled sync of {s.title} failed: {reason}. Nothing was "
                                                      "imported.", status="error",
                                                 data={"sync": s.source, "step": "failed"}), reason)
    read = ctx.fresh()
    last = newest_board(read, s.source)
    synclog.record(s.source, "fetched", now, f"{len(boards['full'])} models, {len(boards)} categories from {url}")
    if last is not None and _same(read, s.source, last, boards):
        synclog.record(s.source, "unchanged", now, f"the same as the {last} board", newest_board=last)
        return Outcome(s.source, "unchanged", None)
    store = ctx.store

    def run(dry_run: bool, actor: str = "scheduled sync", progress: Any = None) -> Any:
        return importer(store, dry_run, actor)

    try:
        dry = run(True)
    except ImportFailed as exc:
        reason = f"the dry run failed: {exc}"
        synclog.record(s.source, "failed", now, reason)
        return Outcome(s.source, "failed", Reply(text=f"Scheduled sync of {s.title} failed: {reason}. Nothing was "
                                                      "imported.", status="error",
                                                 data={"sync": s.source, "step": "failed"}), reason)
    reasons = checks(read, s.source, boards, day, settings)
    diff = _diff(read, s.source, last, boards, dry)
    if reasons:
        why = "; ".join(reasons)
        reply = (register or _register)(replace(ctx, read=read), s.source, run, f"{s.source} (scheduled sync from {url})", ANY_MODERATOR)
        reply.text = (f"Scheduled sync of {s.title} held for a moderator's Confirm: {why}.\n{diff}\n" + reply.text)
        reply.data = {**reply.data, "sync": s.source, "step": "held", "reasons": reasons}
        synclog.record(s.source, "held", now, why)
        return Outcome(s.source, "held", reply, why)
    done = run(False)  # one audited change; the engine's read model follows it
    batch = ctx.store.scalar("SELECT MAX(batch) FROM audit WHERE scope = 'data' AND undone = 0")
    synclog.record(s.source, "applied", now, f"change #{batch}: {done.added} added, {done.updated} changed",
                   newest_board=day)
    text = (f"Scheduled sync of {s.title} applied: the board of {day}. {diff}\n"
            f"{done.added} ratings added, {done.updated} changed (change #{batch}); `undo {batch}` reverts it.")
    return Outcome(s.source, "applied", Reply(text=text, changed=True, suggestions=[f"undo {batch}"],
                                              data={"sync": s.source, "step": "applied", "batch": batch,
                                                    "report": done.as_dict(), "as_of": day}))


def _same(read: Any, source: str, last: str, boards: dict[str, dict[str, tuple[float, float, float]]]) -> bool:
    for cat, board in boards.items():
        before = {(r.key or r.arena_name): round(r.score, 3) for r in read.board_rows(source, last, cat)}
        if before != {k: round(v[0], 3) for k, v in board.items()}:
            return False
    return True


def _diff(read: Any, source: str, last: str | None, boards: dict[str, dict[str, tuple[float, float, float]]],
          dry: Any) -> str:
    """The release against the newest board: new models, the #1, the biggest moves."""
    full = boards["full"]
    top = max(full, key=lambda k: full[k][0])
    if last is None:
        return f"First board: {len(full)} models, #1 {top} ({full[top][0]:,.0f})."
    before = {(r.key or r.arena_name): r.score for r in read.board_rows(source, last, "full")}
    new = sorted(k for k in full if k not in before)
    gone = sorted(k for k in before if k not in full)
    moves = sorted(((full[k][0] - before[k], k) for k in full if k in before), key=lambda m: -abs(m[0]))[:3]
    top_before = max(before, key=lambda k: before[k]) if before else None
    parts = [f"Against the {last} board: {len(full)} models"]
    parts.append(f"new #1 {top} ({full[top][0]:,.0f}), was {top_before}" if top != top_before else f"#1 still {top}")
    if new:
        parts.append(f"{len(new)} new: " + ", ".join(new[:5]) + (" ..." if len(new) > 5 else ""))
    if gone:
        parts.append(f"{len(gone)} gone: " + ", ".join(gone[:5]) + (" ..." if len(gone) > 5 else ""))
    if moves and abs(moves[0][0]) >= 0.5:
        parts.append("biggest moves " + ", ".join(f"{k} {d:+.0f}" for d, k in moves if abs(d) >= 0.5))
    return "; ".join(parts) + f" ({dry.added} ratings to add, {dry.updated} to change)."


def silent_sources(ctx: Context, now: datetime) -> list[Outcome]:
    """Each synced source whose newest board is older than SOURCE_SILENT_DAYS: reported once per newest board."""
    days = int(getattr(ctx.settings, "source_silent_days", 45) or 0)
    if days <= 0:
        return []
    synclog = SyncLog(ctx.store)
    read = ctx.fresh()
    today = now.astimezone(timezone.utc).date()
    out = []
    for s in synced(ctx.store):
        last = newest_board(read, s.source)
        if last is None:
            continue
        age = (today - date.fromisoformat(last)).days
        state = synclog.get(s.source)
        if age <= days or state.get("silence_reported") == last:
            continue
        detail = f"no newer board than {last} ({ago(age)}, {age} days; the limit is {days})"
        synclog.record(s.source, "silent", now, detail, silence_reported=last)
        out.append(Outcome(s.source, "silent", Reply(
            text=f"{s.title} has published no newer board than the one of {last} ({ago(age)}). The bot keeps "
                 "checking; a moderator may follow the leaderboard elsewhere with a generic importer.",
            data={"sync": s.source, "step": "silent", "newest": last, "days": age}), detail))
    return out


def health(read: Any, today: date) -> list[dict[str, Any]]:
    """Each Arena source's health (from a read model): its newest board and that board's age, and for a
    source the scheduler syncs, the last success and the last failure with its reason."""
    synclog = SyncLog(read.store)
    followed = {s.source: s for s in synced(read.store)}
    # moderator boards are not a source of their own
    sources = sorted({b.source for b in read.board_keys("full") if b.source != AMENDMENTS} | set(followed))
    out = []
    for sid in sources:
        state = synclog.get(sid)
        newest = newest_board(read, sid)
        title = followed[sid].title if sid in followed else (read.source(sid).get("title") or sid)
        out.append({"source": sid, "title": title, "synced": sid in followed,
                    "last_success": state.get("last_success"), "last_failure": state.get("last_failure"),
                    "failure_reason": state.get("failure_reason"), "last_step": state.get("last_step"),
                    "newest_board": newest,
                    "age_days": (today - date.fromisoformat(newest)).days if newest else None})
    return out


def health_line(h: dict[str, Any]) -> str:
    parts = [f"newest board {h['newest_board']} ({ago(h['age_days'])})" if h["newest_board"] else "no board yet"]
    if h["synced"]:
        parts.append(f"last success {h['last_success'][:16].replace('T', ' ')} UTC" if h["last_success"] else
                     "no scheduled sync yet")
    else:
        parts.append("not synced (imported files)")
    if h["last_failure"]:
        parts.append(f"last failure {h['last_failure'][:16].replace('T', ' ')} UTC: {h['failure_reason']}")
    return f"{h['title']} (`{h['source']}`): " + "; ".join(parts)
