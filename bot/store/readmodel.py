"""The read model: the data behind every answer, in memory (``ReadModel``).

The Arena leaderboards (a few tens of thousands of rows) are loaded once per
data version into plain Python structures, so the race questions (best per
country per snapshot, gaps, spreads) are answered in microseconds without
touching the event loop's thread. Per-model histories and the best of each
side per snapshot are built once with it, so no answer scans every rating;
after a change only what it touched is reloaded (:meth:`ReadModel.refreshed`).
Everything here is read-only. Reads that go to the database each time are
named in :mod:`bot.store.queries`.
"""
from __future__ import annotations

import bisect
import copy
import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from bot.store.db import Store
from bot.store.normalize import EUROPE, fold
from bot.store.queries import row_counts
from bot.store.schema import PRIMARY_KEYS


@dataclass(frozen=True, slots=True)
class Rating:
    date: str
    arena_name: str
    model_id: int
    model: str
    rank: int
    score: float
    ci_plus: float | None
    ci_minus: float | None
    votes: int | None
    organization: str | None
    org_id: int | None
    country: str | None
    licence: str | None

    @property
    def open(self) -> bool:
        """Open weights, as the AI Index counts it: anything Arena does not list as Proprietary."""
        return bool(self.licence and self.licence.lower() != "proprietary")


Pred = Callable[[Rating], bool]


class ReadModel:
    """Everything the answers read, loaded at one data version."""

    def __init__(self, store: Store):
        self.store = store
        self.version = store.data_version
        self.by_date: dict[str, list[Rating]] = self._load_ratings(store)
        self.dates = sorted(self.by_date)
        self._load_rest(store)

    @staticmethod
    def _load_ratings(store: Store, dates: Iterable[str] | None = None,
                      model_ids: Iterable[int] | None = None) -> dict[str, list[Rating]]:
        """Arena boards by snapshot date, best first (ties by rank, then name:
        :func:`board_order`): all of them, those of `dates`, or only the rows of
        `model_ids`."""
        where, params = "", []  # type: tuple[str, list[Any]]
        if dates is not None:
            dates = sorted(set(dates))
            where = f" AND r.snapshot_date IN ({', '.join('?' for _ in dates)})"
            params = dates
        elif model_ids is not None:
            model_ids = sorted(set(model_ids))
            where = f" AND r.model_id IN ({', '.join('?' for _ in model_ids)})"
            params = model_ids
        rows = store.query(
            f"""SELECT r.snapshot_date, r.arena_name, r.model_id, m.name, r.rank, r.score, r.ci_plus,
                      r.ci_minus, r.votes, COALESCE(o.name, m.organization, r.organization) AS org, m.org_id,
                      COALESCE(m.country, o.country) AS country, r.licence
               FROM arena_ratings r JOIN models m ON m.id = r.model_id
               LEFT JOIN organizations o ON o.id = m.org_id
               WHERE m.hidden = 0{where}
               ORDER BY r.snapshot_date, r.score DESC, r.rank, r.arena_name""", params)
        by_date: dict[str, list[Rating]] = {}
        for i, r in enumerate(rows):
            if not i % YIELD_EVERY:
                yield_gil()
            rating = Rating(r["snapshot_date"], r["arena_name"], r["model_id"], r["name"], r["rank"], r["score"],
                            r["ci_plus"], r["ci_minus"], r["votes"], r["org"], r["org_id"], r["country"],
                            r["licence"])
            by_date.setdefault(rating.date, []).append(rating)
        return by_date

    # tables a change may write without changing what this read model holds
    UNREAD = frozenset({"aliases", "org_aliases", "audit", "meta"})
    # tables whose changes are applied by reloading only the rows they touch
    PER_ROW = frozenset({"arena_ratings", "models", "benchmark_scores", "figures", "sources"})

    def refreshed(self, store: Store, version: int, changes: dict[str, set[tuple]] | None) -> "ReadModel":
        """The read model after `changes` (table -> keys written, from
        ``Store.changes_between``), reloading only what they touched: nothing
        for aliases; for Arena scores, the boards of the changed snapshots;
        for model fields, the changed models' own rows (a model's name,
        country, organisation and visibility are on each of its ratings); then
        the small tables and the maps, rebuilt in one pass; everything for
        anything else (organisations), or when the changes are unknown."""
        if changes is None:
            return ReadModel(store)
        tables = set(changes) - self.UNREAD
        new = copy.copy(self)
        new.version = version
        if not tables:
            return new
        if not tables <= self.PER_ROW:
            return ReadModel(store)
        arena_days = changes_days(changes)
        model_ids = {key[0] for key in changes.get("models", ())}
        changed = set(arena_days)
        by_date = self.by_date
        if model_ids:
            # a model's name, organisation, country or visibility is on each of its ratings:
            # take its rows out of the boards it was on and put its current rows back
            by_date = dict(by_date)
            fresh: dict[str, list[Rating]] = {}
            ids = sorted(model_ids)
            for i in range(0, len(ids), 500):
                for d, rows in self._load_ratings(store, model_ids=ids[i:i + 500]).items():
                    fresh.setdefault(d, []).extend(rows)
            was_on = {r.date for m in model_ids for r in self.history_of.get(m, ())}
            for d in was_on | set(fresh):
                board = [r for r in by_date.get(d, ()) if r.model_id not in model_ids] + fresh.get(d, [])
                board.sort(key=board_order)
                if board:
                    by_date[d] = board
                else:
                    by_date.pop(d, None)
            changed |= was_on | set(fresh)
        if arena_days:  # the whole board of each changed snapshot, as it is now
            by_date = {d: rows for d, rows in by_date.items() if d not in arena_days}
            by_date.update(self._load_ratings(store, arena_days))
        if by_date is not self.by_date:
            new.by_date = by_date
            new.dates = sorted(by_date)
        # a few snapshots changed: redo only their entries of the maps; many: one full pass
        new._load_rest(store, after=(self, changed) if len(changed) * 4 < len(new.dates) else None)
        return new

    def _load_rest(self, store: Store, after: tuple["ReadModel", set[str]] | None = None) -> None:
        """Everything but the Arena boards, and the maps built from them (with
        `after` = (previous read model, changed snapshot dates): only the
        entries of those snapshots redone)."""
        self.sources = {s["id"]: s for s in store.query("SELECT * FROM sources")}
        self.models = {m["id"]: m for m in store.query(
            """SELECT m.*, COALESCE(o.name, m.organization) AS org_name, o.country AS org_country
               FROM models m LEFT JOIN organizations o ON o.id = m.org_id""")}
        self.benchmarks = sorted(r["benchmark"] for r in store.query(
            "SELECT DISTINCT benchmark FROM benchmark_scores"))
        if after is None:
            self._index_ratings()
        else:
            self._reindex_days(*after)
        self.countries: list[str] = sorted({m["country"] for m in self.models.values() if m["country"]})
        self.country_by_fold: dict[str, str] = {fold(c): c for c in self.countries}
        self.counts = self._count(store)

    def _index_ratings(self) -> None:
        """The maps every answer reads instead of scanning all ratings, built in
        one pass: each model's history (its best row per snapshot), the rows per
        model, and the best-rated model of each side (country, region,
        organisation, open or closed) in each snapshot."""
        self.history_of: dict[int, list[Rating]] = {}
        self.peak_of: dict[int, Rating] = {}  # each model's highest-rated row, any snapshot
        self.rows_per_model: dict[int, int] = {}
        self.best_of: dict[tuple, list[Rating]] = {}
        for d in self.dates:
            yield_gil()
            seen_models: set[int] = set()
            seen_sides: set[tuple] = set()
            for r in self.by_date[d]:  # best first
                self.rows_per_model[r.model_id] = self.rows_per_model.get(r.model_id, 0) + 1
                if r.model_id not in seen_models:
                    seen_models.add(r.model_id)
                    self.history_of.setdefault(r.model_id, []).append(r)
                    peak = self.peak_of.get(r.model_id)
                    if peak is None or r.score > peak.score:
                        self.peak_of[r.model_id] = r
                for key in side_keys(r):
                    if key not in seen_sides:
                        seen_sides.add(key)
                        self.best_of.setdefault(key, []).append(r)
        self._memo: dict[tuple, Any] = {}  # series derived on first use, per read model (see memo)
        self._history_dates = {m: [r.date for r in rs] for m, rs in self.history_of.items()}
        self._best_dates = {k: [r.date for r in rs] for k, rs in self.best_of.items()}

    def _reindex_days(self, old: "ReadModel", days: set[str]) -> None:
        """The maps of :meth:`_index_ratings` after the boards of `days`
        changed, from `old`'s: each model's and each side's entry for those
        snapshots replaced, added or dropped (copied on write: readers still
        use `old`), the row counts redone for the models on those boards."""
        self.history_of, self._history_dates = dict(old.history_of), dict(old._history_dates)
        self.best_of, self._best_dates = dict(old.best_of), dict(old._best_dates)
        self.rows_per_model, self.peak_of = dict(old.rows_per_model), dict(old.peak_of)
        self._memo = {}
        peaks: set[int] = set()
        for d in days:
            yield_gil()
            before, now = old.by_date.get(d, ()), self.by_date.get(d, ())
            for r in before:
                self.rows_per_model[r.model_id] -= 1
                if not self.rows_per_model[r.model_id]:
                    del self.rows_per_model[r.model_id]
            for r in now:
                self.rows_per_model[r.model_id] = self.rows_per_model.get(r.model_id, 0) + 1
            was, will = _firsts(before), _firsts(now)
            for m in was[0].keys() | will[0].keys():
                if was[0].get(m) != will[0].get(m):
                    _set_at(self.history_of, self._history_dates, m, d, will[0].get(m))
                    peaks.add(m)
            for k in was[1].keys() | will[1].keys():
                if was[1].get(k) != will[1].get(k):
                    _set_at(self.best_of, self._best_dates, k, d, will[1].get(k))
        for m in peaks:
            peak = None
            for r in self.history_of.get(m, ()):
                if peak is None or r.score > peak.score:
                    peak = r
            if peak is None:
                self.peak_of.pop(m, None)
            else:
                self.peak_of[m] = peak

    @staticmethod
    def _count(store: Store) -> dict[str, int]:
        """What `sources` reports, counted once per data version (not per call)."""
        return row_counts(store)

    # -- dates --------------------------------------------------------------
    @property
    def latest(self) -> str | None:
        return self.dates[-1] if self.dates else None

    def snapshot_on(self, day: str | None) -> str | None:
        """The latest snapshot on or before `day` (ISO); the latest of all if None."""
        if day is None:
            return self.latest
        i = bisect.bisect_right(self.dates, day)
        return self.dates[i - 1] if i else None

    def source(self, sid: str) -> dict[str, Any]:
        return self.sources.get(sid, {"id": sid, "title": sid})

    # -- Arena ----------------------------------------------------------------
    def board(self, date: str, pred: Pred | None = None) -> list[Rating]:
        rows = self.by_date.get(date, [])
        return [r for r in rows if pred(r)] if pred else list(rows)

    def best(self, date: str, pred: Pred) -> Rating | None:
        for r in self.by_date.get(date, []):  # sorted by score, best first
            if pred(r):
                return r
        return None

    def best_series(self, pred: Pred, until: str | None = None) -> list[Rating]:
        out = []
        for d in self.dates:
            if until and d > until:
                break
            b = self.best(d, pred)
            if b:
                out.append(b)
        return out

    def series(self, key: tuple, until: str | None = None) -> list[Rating]:
        """The best-rated model of side `key` (see :func:`side_keys`) in each
        snapshot that rates the side, up to `until`: a slice of a map built
        with the read model."""
        rows = self.best_of.get(key, [])
        if until is None:
            return list(rows)
        return rows[:bisect.bisect_right(self._best_dates.get(key, []), until)]

    MEMO_SIZE = 512

    def memo(self, key: tuple, build: Callable[[], Any]) -> Any:
        """`build()` once per read model and key (a derived series several
        answers share: a side's points, a gap, a frontier). Bounded; a value is
        shared between answers, so callers copy what they change."""
        value = self._memo.get(key)
        if value is None:
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo.clear()
            value = self._memo[key] = build()
        return value

    def dated(self, key: tuple, build: Callable[[], list], until: str | None, date: Callable[[Any], str]) -> list:
        """The memoised dated series `build()` (in date order) up to `until`, as a new list."""
        dates, items = self.memo(key, lambda: (lambda xs: ([date(x) for x in xs], xs))(build()))
        return list(items) if until is None else items[:bisect.bisect_right(dates, until)]

    def points(self, key: tuple, until: str | None = None) -> list[list]:
        """``[date, score, Arena name]`` of side `key`'s best model in each snapshot, up to `until`."""
        return self.dated(("points", key), lambda: [[r.date, r.score, r.arena_name] for r in self.best_of.get(key, ())],
                          until, lambda p: p[0])

    def best_at(self, key: tuple, date: str) -> Rating | None:
        """The best-rated model of side `key` in the snapshot of `date`."""
        dates = self._best_dates.get(key, [])
        i = bisect.bisect_left(dates, date)
        return self.best_of[key][i] if i < len(dates) and dates[i] == date else None

    def model_history(self, model_id: int) -> list[Rating]:
        """The model's best Arena row in each snapshot it appears in."""
        return list(self.history_of.get(model_id, ()))

    def latest_rating(self, model_id: int, until: str | None = None) -> Rating | None:
        rows = self.history_of.get(model_id)
        if not rows:
            return None
        if until is None:
            return rows[-1]
        i = bisect.bisect_right(self._history_dates[model_id], until)
        return rows[i - 1] if i else None

    # -- models -----------------------------------------------------------------
    def scores(self, model_id: int) -> list[dict[str, Any]]:
        return self.store.query(
            """SELECT benchmark, MAX(value) AS value, MAX(date) AS date, source_id FROM benchmark_scores
               WHERE model_id = ? GROUP BY benchmark ORDER BY benchmark""", [model_id])

    def aliases(self, model_id: int) -> list[str]:
        return [r["alias"] for r in self.store.query(
            "SELECT alias FROM aliases WHERE model_id = ? ORDER BY alias", [model_id])]

    def visible_models(self) -> Iterable[dict[str, Any]]:
        return (m for m in self.models.values() if not m["hidden"])


def pct_gap(lead: float, other: float) -> float:
    """The lead of `lead` over `other` in percent of `other`'s score, as the
    AI Index measures Arena gaps."""
    return (lead - other) / other * 100.0


def monthly_median(points: list[tuple[str, float]]) -> dict[str, float]:
    """{YYYY-MM: median value} of dated points."""
    months: dict[str, list[float]] = {}
    for d, v in points:
        months.setdefault(d[:7], []).append(v)
    return {m: statistics.median(vs) for m, vs in months.items()}


def changes_days(changes: dict[str, set[tuple]]) -> set[str]:
    """The snapshot dates of the Arena rows a change wrote."""
    day_at = PRIMARY_KEYS["arena_ratings"].index("snapshot_date")
    return {key[day_at] for key in changes.get("arena_ratings", ())}


def _firsts(board: Iterable[Rating]) -> tuple[dict[int, Rating], dict[tuple, Rating]]:
    """A board's first (best) row of each model and of each side."""
    models: dict[int, Rating] = {}
    sides: dict[tuple, Rating] = {}
    for r in board:
        models.setdefault(r.model_id, r)
        for k in side_keys(r):
            sides.setdefault(k, r)
    return models, sides


def _set_at(lists: dict[Any, list[Rating]], dates: dict[Any, list[str]], key: Any, day: str,
            value: Rating | None) -> None:
    """Put `value` as `key`'s entry for `day` in a date-ordered list (None: no
    entry), copying the list rather than changing the one readers hold."""
    rows, ds = list(lists.get(key, ())), list(dates.get(key, ()))
    i = bisect.bisect_left(ds, day)
    if i < len(ds) and ds[i] == day:
        if value is None:
            del rows[i], ds[i]
        else:
            rows[i] = value
    elif value is not None:
        rows.insert(i, value)
        ds.insert(i, day)
    if rows:
        lists[key], dates[key] = rows, ds
    else:
        lists.pop(key, None)
        dates.pop(key, None)


YIELD_EVERY = 2000  # rows built between two offers of the GIL


def yield_gil() -> None:
    """Let other threads run (the event loop first of all): a read model is
    built in a worker thread while the bot answers, and a pure-Python loop
    would otherwise keep the GIL for a whole switch interval at a time."""
    time.sleep(0)


def board_order(r: Rating) -> tuple:
    """A board's order, as the read model's query sorts it: score down, then
    rank (none first), then the Arena name."""
    return (-r.score, float("-inf") if r.rank is None else r.rank, r.arena_name)


def side_keys(r: Rating) -> list[tuple]:
    """The sides a rating counts for: its country (and Europe for a European
    one), its organisation, and open or closed."""
    keys: list[tuple] = [("open", r.open)]
    if r.country:
        keys.append(("country", r.country))
        if r.country in EUROPE:
            keys.append(("country", "Europe"))
    if r.org_id is not None:
        keys.append(("org", r.org_id))
    return keys


def region_pred(name: str) -> Pred:
    if name == "Europe":
        return lambda r: r.country in EUROPE
    return lambda r: r.country == name
