"""Boards that can be compared: rating scales and their seams, boards behind
their date, and builds that were never public. Rules over the data, never
lists of dates or names.

**Scales.** Each source's boards are on one rating scale until the ratings
of the models two consecutive boards both rate move together by
:data:`SCALE_STEP` Elo or more (the median of their differences): LMArena
recomputed or re-anchored the board. Elsewhere a board moves by a few points
(at most about 12 on the small boards of 2023). A change of source is a new
scale too (ratings of two sources are never compared). A *seam* is the first
chain board on a new scale. Across a seam a difference of ratings is not a
change: a change, a gap history, a record or a chart never joins two scales
without marking the seam (``seams`` in the reply's data, one entry per seam
with its date and label).

**Boards behind their date.** A board is left out of changes and records
(it stays on the boards: ``top``, ``gap`` on its date answer from it and say
so) when either

* it *lacks what the board before had*: of the models both the same source's
  previous and next boards rate, it misses at least :data:`HOLE_MIN` and
  :data:`HOLE_SHARE` of them; or
* it is *older in content than its date*: the same source's next board, at
  most :data:`BURST_DAYS` days later, rates at least :data:`BURST_MIN` and
  :data:`BURST_SHARE` of this board's size in models that no board of any
  source had rated by this board's date (LMArena adds a few models per
  release; a release that one day later brings many models that already
  existed was published with old content).

**Never-public builds.** A build whose Arena name marks it as an experiment
(``exp``, ``experimental``, ``early``: an anonymous or hidden test build,
``Gemini-Exp-1206``, ``chocolate (Early Grok-3)``) is left out of records
("tighter than ever", ``small``) unless asked with ``all``, unless every
source that lists it gives it a named open licence (``DeepSeek V3.2 Exp``: MIT
everywhere, public weights). ``Llama-4-Maverick-03-26-Experimental`` is one:
the snapshots list it as "Llama" or "N/A", the catalog as proprietary.
"""
from __future__ import annotations

import re
import statistics
from functools import lru_cache
from dataclasses import dataclass
from datetime import date as _date
from typing import Any, Iterable, Protocol

from bot.domain.board_chain import AMENDMENTS, BoardKey
from bot.domain.categories import OVERALL
from bot.domain.counted_boards import CountedBoards, ReadsBoards, counted_boards
from bot.domain.normalize import compact


class ReadsSources(ReadsBoards, Protocol):
    """What the seams read of a read model besides its boards: moderator boards, source titles."""

    moderator_bases: dict[str, BoardKey]

    def source(self, sid: str) -> dict[str, Any]: ...

    def board_scores(self, category: str = OVERALL) -> dict[tuple[str, str], list[tuple]]: ...


SCALE_STEP = 20.0     # Elo: the median move of shared models that makes a new scale
MIN_SHARED = 5        # models two boards must share to measure a move of the scale
HOLE_MIN, HOLE_SHARE = 10, 0.05
BURST_DAYS, BURST_MIN, BURST_SHARE = 7, 10, 0.04

_EXPERIMENT = re.compile(r"(?:^|[^a-z0-9])(?:exp|experimental|early)(?:[^a-z0-9]|$)", re.I)
_NO_LICENCE = {"", "n/a", "na", "unknown", "none", "proprietary", "propretary"}


def experiment_named(r: Any) -> bool:
    """Whether a rating's Arena name marks an experimental or anonymous build."""
    return _experiment_names(getattr(r, "key", None) or "", getattr(r, "arena_name", None) or "")


@lru_cache(maxsize=1 << 16)
def _experiment_names(key: str, name: str) -> bool:
    """Per pair of names, not per rating: a long history repeats a few thousand names on
    hundreds of thousands of rows (two regex searches each: 4 s at 10x)."""
    return bool(_EXPERIMENT.search(key) or _EXPERIMENT.search(name))


def _open_licence(licence: str | None) -> bool:
    return (licence or "").strip().lower() not in _NO_LICENCE


@dataclass(frozen=True)
class Seam:
    date: str            # the first chain board on the new scale
    before: str          # the last chain board on the old one
    source_before: str
    source_after: str
    shift: float | None  # median rating move of the models both boards rate (None: too few shared)
    shared: int
    label: str

    def as_data(self) -> dict[str, Any]:
        return {"date": self.date, "before": self.before, "from": self.source_before, "to": self.source_after,
                "shift": None if self.shift is None else round(self.shift, 1), "shared": self.shared,
                "label": self.label}


@dataclass(frozen=True)
class Flag:
    date: str
    source: str
    reason: str   # "behind" (older in content than its date) | "hole" (lacks what the board before had)
    count: int    # the models that show it
    label: str

    def as_data(self) -> dict[str, Any]:
        return {"date": self.date, "source": self.source, "reason": self.reason, "count": self.count,
                "label": self.label}


def _shift(a: dict[int, float], b: dict[int, float]) -> tuple[float | None, int]:
    shared = [m for m in a if m in b]
    if len(shared) < MIN_SHARED:
        return None, len(shared)
    return statistics.median(b[m] - a[m] for m in shared), len(shared)


def _days(a: str, b: str) -> int:
    return (_date.fromisoformat(b) - _date.fromisoformat(a)).days


class Comparable:
    """Scales, seams and flagged boards of one category of one read model
    (built once per read model: :func:`comparable`). Holds plain data only."""

    def __init__(self, read: ReadsSources, category: str = OVERALL):
        self.category = category
        table = read.board_scores(category)  # {(source, date): [(model id, score, key, shown name, licence)]}
        boards = [BoardKey(s, d) for s, d in table]
        per_source: dict[str, list[str]] = {}
        for b in boards:
            per_source.setdefault(b.source, []).append(b.date)
        scores: dict[tuple[str, str], dict[int, float]] = {}
        licences: dict[str, set[bool]] = {}  # an experiment-named build: whether each listing's licence is open
        named: dict[tuple[str, str], bool] = {}  # (key, shown name) -> experiment-named (a few hundred names)
        for b in boards:
            best: dict[int, float] = {}
            for model_id, score, key, shown, licence in table[b]:
                if model_id not in best:  # best first: a model's best entry
                    best[model_id] = score
                exp = named.get((key, shown))
                if exp is None:
                    exp = named[(key, shown)] = bool(_EXPERIMENT.search(key) or _EXPERIMENT.search(shown))
                if exp:
                    licences.setdefault(compact(shown), set()).add(_open_licence(licence))
            scores[b] = best
        self.unreleased = frozenset(n for n, seen in licences.items() if seen != {True})
        first_seen: dict[int, str] = {}
        for b in sorted(boards, key=lambda b: b.date):
            for m in scores[(b.source, b.date)]:
                first_seen.setdefault(m, b.date)
        # each source's scales: (source, date) -> scale number within the source
        self.scale: dict[tuple[str, str], int] = {}
        self.scales: list[dict[str, Any]] = []
        self.flags: dict[tuple[str, str], Flag] = {}
        for source, dates in per_source.items():
            dates.sort()
            n = 0
            start = dates[0]
            for i, d in enumerate(dates):
                if i:
                    shift, _ = _shift(scores[(source, dates[i - 1])], scores[(source, d)])
                    if shift is not None and abs(shift) >= SCALE_STEP:
                        self.scales.append({"source": source, "from": start, "to": dates[i - 1], "scale": n})
                        n, start = n + 1, d
                self.scale[(source, d)] = n
                flag = self._flag(source, dates, i, scores, first_seen)
                if flag is not None:
                    self.flags[(source, d)] = flag
            self.scales.append({"source": source, "from": start, "to": dates[-1], "scale": n})
        # the chain: a seam wherever the source or the source's scale changes
        bases = read.moderator_bases if category == OVERALL else {}
        chain = []
        for b in read.chain(category):
            base = bases.get(b.date, b) if b.source == AMENDMENTS else b
            chain.append((b.date, base))
        self.segment: dict[str, int] = {}
        self.seams: list[Seam] = []
        seg = 0
        for i, (d, base) in enumerate(chain):
            if i:
                prev_d, prev = chain[i - 1]
                if prev.source != base.source or self.scale.get(prev) != self.scale.get(base):
                    seg += 1
                    shift, shared = _shift(scores.get(prev, {}), scores.get(base, {}))
                    self.seams.append(Seam(d, prev_d, prev.source, base.source, shift, shared,
                                           _seam_label(read, prev.source, base.source, shift)))
            self.segment[d] = seg
        self.chain_flags: dict[str, Flag] = {d: self.flags[base] for d, base in chain if base in self.flags}

    @staticmethod
    def _flag(source: str, dates: list[str], i: int, scores: dict[tuple[str, str], dict[int, float]],
              first_seen: dict[int, str]) -> Flag | None:
        d = dates[i]
        here = scores[(source, d)]
        if 0 < i < len(dates) - 1:
            both = set(scores[(source, dates[i - 1])]) & set(scores[(source, dates[i + 1])])
            missing = [m for m in both if m not in here]
            if len(missing) >= HOLE_MIN and len(missing) >= HOLE_SHARE * len(both):
                return Flag(d, source, "hole", len(missing),
                            f"lacks {len(missing)} models the boards before and after it rate")
        if i < len(dates) - 1 and _days(d, dates[i + 1]) <= BURST_DAYS:
            nxt = scores[(source, dates[i + 1])]
            # models new to every board of every source so far (first rated after this board's date)
            old = [m for m in nxt if m not in here and first_seen.get(m, d) > d]
            if len(old) >= BURST_MIN and len(old) >= BURST_SHARE * len(here):
                days = _days(d, dates[i + 1])
                return Flag(d, source, "behind", len(old),
                            f"older in content than its date: the release {days} day{'s' * (days != 1)} later "
                            f"adds {len(old)} models it lacks")
        return None

    # -- questions ------------------------------------------------------------
    def never_public(self, r: Any) -> bool:
        """A never-public build (see the module's rule)."""
        return compact(getattr(r, "arena_name", "") or "") in self.unreleased and experiment_named(r)

    def flagged(self, date: str) -> Flag | None:
        """The flag of the chain board dated `date` (None: a board changes and records may use)."""
        return self.chain_flags.get(date)

    def note(self, date: str | None) -> str:
        """A sentence for an answer read off a board behind its date ('' for any other board)."""
        flag = self.chain_flags.get(date) if date else None
        return "" if flag is None else (f"The {date} board is left out of changes and records: {flag.label}.")

    def same_scale(self, a: str, b: str) -> bool:
        """Whether two chain boards are on one rating scale (no seam between them)."""
        return a in self.segment and b in self.segment and self.segment[a] == self.segment[b]

    def seams_between(self, a: str | None, b: str | None) -> list[Seam]:
        """The seams after board `a` up to board `b` (None: the whole chain on that side)."""
        return [s for s in self.seams if (a is None or s.date > a) and (b is None or s.date <= b)]

    def seam_data(self, a: str | None = None, b: str | None = None) -> list[dict[str, Any]]:
        return [s.as_data() for s in self.seams_between(a, b)]

    def flag_data(self, a: str | None = None, b: str | None = None) -> list[dict[str, Any]]:
        return [f.as_data() for d, f in sorted(self.chain_flags.items())
                if (a is None or d >= a) and (b is None or d <= b)]

    def drawn(self, points: list, date_of: Any = None) -> list:
        """A series as a chart draws it: boards behind their date left out (a one-day swing that is
        not one), except the last point (the board asked for); `left_out` names them."""
        date_of = date_of or (lambda p: p["date"])
        return [p for p in points[:-1] if date_of(p) not in self.chain_flags] + points[-1:]

    def usable(self, dates: Iterable[str]) -> list[str]:
        """The dates of boards changes and records may use (flagged boards left out)."""
        return [d for d in dates if d not in self.chain_flags]


def _short(read: ReadsSources, source: str) -> str:
    """A source's title without its trailing repository in brackets."""
    return re.sub(r"\s*\([^()]*\)$", "", str(read.source(source).get("title") or source))


def _seam_label(read: ReadsSources, before: str, after: str, shift: float | None) -> str:
    move = "" if shift is None else f" (the same models {shift:+.0f} Elo)"
    if before != after:
        return f"{_short(read, after)} from here: another source, another rating scale{move}"
    return f"{_short(read, after)} rescaled{move}"


def comparable(read: ReadsSources, category: str = OVERALL) -> Comparable:
    """The scales, seams and flags of one category (built once per read model)."""
    return read.view(("comparable", category), lambda: Comparable(read, category))


RECORDS_RULE = "records leave out never-public test builds and boards behind their date (`all` counts them)"
LATE_RULE = "records leave out boards behind their date (`all` counts them)"


def record_boards(read: ReadsSources, include_all: bool = False, category: str = OVERALL,
                  public: bool = True) -> CountedBoards:
    """The boards records read: the counted boards without boards behind their date
    and (`public`: "tighter than ever", widest; `small` reads the same rule) without
    never-public builds. `records` (firsts, reigns, a gap's widest and narrowest) keeps
    the builds LMArena listed (`public=False`: an anonymous build that led was #1 on the
    board). With `all`: every listed rating of every board."""
    base = counted_boards(read, include_all, category)
    if include_all:
        return base

    def build() -> CountedBoards:
        cmp = comparable(read, category)
        out = CountedBoards.__new__(CountedBoards)
        out.__dict__.update({k: v for k, v in base.__dict__.items() if not k.startswith("_")})
        out.by_date = {d: [r for r in rows if not (public and cmp.never_public(r))]
                       for d, rows in base.by_date.items() if not cmp.flagged(d)}
        out.dates = [d for d in base.dates if out.by_date.get(d)]
        out.rule = f"{base.rule}; {RECORDS_RULE if public else LATE_RULE}"
        return out
    return read.view(("record boards", category, public), build)


def used_sources(view: CountedBoards, until: str | None = None, since: str | None = None) -> list[str]:
    """The sources of the boards a series read (oldest first), for the footer:
    the source of the board actually used, never a default."""
    return list(dict.fromkeys(s for d in view.dates if (until is None or d <= until) and (since is None or d >= since)
                              if (s := view.source_on(d))))
