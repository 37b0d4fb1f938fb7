"""Which Arena board answers a date: one rule over three overlapping sources.

The Arena ratings come from three sources, each a series of *boards* (one
leaderboard as published on one date, per category):

========================  ===========================  ==========================================
source                    dates                        what a board carries
========================  ===========================  ==========================================
``arena-history``         2023-05-08 .. 2025-02-27     rating only (no interval, no rank), by key
``arena-csv``             2024-06-19 .. 2025-08-06     rank, rating, 95% interval, votes,
                                                       organisation, licence, by display name
``arena-catalog``         2025-03-07 .. 2025-12-11     rating and 95% interval (q025/q975), by
                                                       key, overall (``full``) and 20-29 categories
========================  ===========================  ==========================================

**The rule.** Sources are ranked ``arena-csv`` > ``arena-history`` >
``arena-catalog``. A source *covers* the dates between two of its consecutive
boards (in that category) at most 62 days apart, and each board's own date:
the span of a regular series, not the months it skipped. A board is
*eligible* unless a higher-ranked source covers its date. The board that
answers a date is the latest eligible board on or before it. For the overall
board this gives one chain:

* before 2024-06-19: the history file (the only source of 2023 and January 2024);
* 2024-06-19 .. 2025-11-04: the CSV snapshots (2025-08-06 answers until the next board);
* from 2025-11-05: the catalog releases.

Why this order: the CSV snapshots are the richest boards (published ranks,
95% intervals, votes, organisation and licence as LMArena listed them), so
they win wherever they exist; the history file is the only source before
them; the catalog carries on after them and is the only source of the
categories (``coding``, ``math``, ``chinese`` ...), where it is the whole
chain. Sources are never mixed inside one board, so a gap, spread or rank
is always computed within one source's board (ratings differ by a few
points between sources, and the late-2025 catalog sits about 20 points
above the mid-2025 CSVs); a series over time changes source only at the
two dates above, and each point names its source.

Moderator scores (source ``moderators``) dated a published board's own date
are corrections: they join that board, in place of that model's rating there.
A moderator score dated any other day (a score entered without a date is
dated the day it is entered) never changes a published board: it makes a
*moderator board* of its own on that day, the board the rule picks for that
day with every moderator score since that board in place of the models'
ratings there. A moderator board is in the chain (source ``moderators``) and
every answer that reads it says so (:meth:`ReadModel.board_note`).
"""
from __future__ import annotations

import bisect
from datetime import date as _date
from typing import Any, Callable, Iterable, NamedTuple


SOURCE_PREFERENCE: tuple[str, ...] = ("arena-csv", "arena-history", "arena-catalog")
AMENDMENTS = "moderators"
MAX_GAP_DAYS = 62  # boards further apart do not cover the dates between them


def date_on(dates: list[str], day: str | None) -> str | None:
    """The latest of the sorted ISO `dates` on or before `day` (the latest of
    all when `day` is None; None when there is none)."""
    if day is None:
        return dates[-1] if dates else None
    i = bisect.bisect_right(dates, day)
    return dates[i - 1] if i else None


class BoardKey(NamedTuple):
    source: str
    date: str


def _preference(source: str) -> int:
    try:
        return SOURCE_PREFERENCE.index(source)
    except ValueError:
        return len(SOURCE_PREFERENCE)  # an unknown source ranks last


def eligible_boards(boards: Iterable[tuple[str, str]]) -> list[BoardKey]:
    """The boards (source, date) of one category that the rule lets answer
    a date, sorted by date. Amendments are never boards of their own."""
    keys = {BoardKey(s, d) for s, d in boards if s != AMENDMENTS}
    spans: list[tuple[int, str, str]] = []  # (preference, from, to)
    by_source: dict[str, list[str]] = {}
    for s, d in keys:
        by_source.setdefault(s, []).append(d)
    for s, dates in by_source.items():
        dates.sort()
        lo = hi = dates[0]
        for d in dates[1:]:
            if (_date.fromisoformat(d) - _date.fromisoformat(hi)).days > MAX_GAP_DAYS:
                spans.append((_preference(s), lo, hi))
                lo = d
            hi = d
        spans.append((_preference(s), lo, hi))
    out = []
    for b in keys:
        rank = _preference(b.source)
        if any(p < rank and lo <= b.date <= hi for p, lo, hi in spans):
            continue
        out.append(b)
    # two eligible boards on one date can only come from sources of equal rank (unknown ones)
    out.sort(key=lambda b: (b.date, _preference(b.source)))
    chain: list[BoardKey] = []
    for b in out:
        if chain and chain[-1].date == b.date:
            continue  # keep the better-ranked source's board for that date
        chain.append(b)
    return chain


class BoardChain:
    """The eligible boards of one category and the look-up by date."""

    def __init__(self, boards: Iterable[tuple[str, str]]):
        self.boards = eligible_boards(boards)
        self.dates = [b.date for b in self.boards]

    def add(self, extra: Iterable[BoardKey]) -> None:
        """Put boards of their own into the chain (moderator boards, on dates no published board has)."""
        self.boards = sorted([*self.boards, *extra], key=lambda b: (b.date, _preference(b.source)))
        self.dates = [b.date for b in self.boards]

    def board_for(self, day: str | None) -> BoardKey | None:
        """The board that answers `day` (ISO date): the latest eligible board
        on or before it; the latest of all when `day` is None."""
        if not self.boards:
            return None
        if day is None:
            return self.boards[-1]
        i = bisect.bisect_right(self.dates, day)
        return self.boards[i - 1] if i else None

    def source_on(self, date: str) -> str | None:
        """The source of the eligible board dated exactly `date`."""
        i = bisect.bisect_left(self.dates, date)
        return self.boards[i].source if i < len(self.dates) and self.dates[i] == date else None


class BoardReader:
    """Reading dated boards: what the read model (the chain's boards as listed)
    and :class:`~bot.domain.counted_boards.CountedBoards` share. A subclass sets
    ``by_date`` ({date: ratings, best first}) and ``dates`` (in order)."""

    by_date: dict[str, list[Any]]
    dates: list[str]
    MEMO_SIZE = 512

    @property
    def latest(self) -> str | None:
        return self.dates[-1] if self.dates else None

    def snapshot_on(self, day: str | None) -> str | None:
        """The latest board on or before `day` (ISO); the latest of all if None."""
        return date_on(self.dates, day)

    def board(self, date: str, pred: Callable[[Any], bool] | None = None) -> list[Any]:
        rows = self.by_date.get(date, [])
        return [r for r in rows if pred(r)] if pred else list(rows)

    def best(self, date: str, pred: Callable[[Any], bool]) -> Any | None:
        for r in self.by_date.get(date, []):  # best first
            if pred(r):
                return r
        return None

    def memo(self, key: tuple, build: Callable[[], Any]) -> Any:
        """`build()` once per reader (one data version; for counted boards, one
        category and rule) and key: a derived series several answers share (a
        side's points, a gap, a frontier). Bounded; a value is shared between
        answers, so callers copy what they change."""
        cache = self.__dict__.setdefault("_memo", {})
        value = cache.get(key)
        if value is None:
            if len(cache) >= self.MEMO_SIZE:
                cache.clear()
            value = cache[key] = build()
        return value

    def dated(self, key: tuple, build: Callable[[], list], until: str | None, date: Callable[[Any], str]) -> list:
        """The memoised dated series `build()` (in date order) up to `until`, as a new list."""
        dates, items = self.memo(key, lambda: (lambda xs: ([date(x) for x in xs], xs))(build()))
        return list(items) if until is None else items[:bisect.bisect_right(dates, until)]
