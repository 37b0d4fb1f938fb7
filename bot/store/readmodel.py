"""The read model: the data behind every answer, in memory (``ReadModel``).

The Arena leaderboards (a few tens of thousands of rows) are loaded once per
data version into plain Python structures, so the race questions (best per
country per snapshot, gaps, spreads) are answered in microseconds without
touching the event loop's thread. Per-model histories and the best of each
side per chain board are built once with it, so no answer scans every
rating. Everything here is read-only. Reads
that go to the database each time are named in :mod:`bot.store.queries`.

The Arena ratings come from three sources (see :mod:`bot.domain.board_chain` for
the rule that picks one board per date). ``by_date``/``dates``/``board``/
``best``... read the *chain*: the overall boards the rule picks, one per
date, 2023-05 to 2025-12, each board from one source only. Any board of any
source and category is read with ``board_keys()``, ``board_rows()`` and
``board_for()`` (docs/arena-sources.md).
"""
from __future__ import annotations

import bisect
import dataclasses
import json
import threading
import time
from sys import intern
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from bot.store.collector import collector_paused
from bot.domain.board_chain import AMENDMENTS, BoardChain, BoardKey, BoardReader
from bot.domain.categories import OVERALL
from bot.store.db import Store
from bot.domain.normalize import fold
from bot.domain.regions import EUROPE
from bot.store.queries import newest_overall_board_of, ratings_state, row_counts


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
    source: str = "arena-csv"          # arena-csv | arena-history | arena-catalog | moderators
    category: str = OVERALL
    ci_lower: float | None = None      # the 95% interval, absolute
    ci_upper: float | None = None
    rank_published: bool = True        # False: `rank` was computed from the board (see rank_board)
    key: str | None = None             # the name as the board has it (a model key for history/catalog);
    #                                    `arena_name` is the name LMArena shows (the key's display name)

    @property
    def open(self) -> bool:
        """Open weights, as the AI Index counts it: anything Arena does not list as Proprietary."""
        return bool(self.licence and self.licence.lower() != "proprietary")


# patch(model, previous) -> (what it re-read, ratings added) or None: see bot.store.patch.patch_model
Patcher = Callable[["ReadModel", "ReadModel"], "tuple[str, int] | None"]


_RATING_COLUMNS = """SELECT r.source_id, r.snapshot_date, r.category, r.arena_name, r.model_id, m.name, r.rank,
                      r.score, r.ci_lower, r.ci_upper, r.votes,
                      COALESCE(o.name, m.organization, r.organization) AS org, m.org_id,
                      COALESCE(m.country, o.country) AS country,
                      COALESCE(CASE WHEN m.access = 'open weights' THEN COALESCE(m.licence, 'Open')
                               WHEN m.access IS NOT NULL THEN 'Proprietary' END, r.licence, m.licence) AS licence
"""
_RATING_JOINS = """JOIN models m ON m.id = r.model_id
               LEFT JOIN organizations o ON o.id = m.org_id
               WHERE m.hidden = 0"""
_RATING_SQL = _RATING_COLUMNS + " FROM arena_ratings r " + _RATING_JOINS
# every published rating of a category, only what the seams and flags read (the licence as a rating reads it)
_SCORES_SQL = ("SELECT r.source_id, r.snapshot_date, r.model_id, r.score, r.arena_name, "
               + _RATING_COLUMNS[_RATING_COLUMNS.rindex("COALESCE(CASE"):].strip()
               + " FROM arena_ratings r " + _RATING_JOINS + " AND r.category = ? AND r.source_id != ?")
# the ratings of a list of boards, given as a JSON array of [source, date] (one query; the boards first,
# so each board's rows are read through the primary key)
_BOARDS_SQL = (_RATING_COLUMNS + """ FROM json_each(?) b CROSS JOIN arena_ratings r
               ON r.source_id = json_extract(b.value, '$[0]') AND r.snapshot_date = json_extract(b.value, '$[1]')
               AND r.category = ? """ + _RATING_JOINS)


def _shared(s: str | None) -> str | None:
    """One string object for all the rows that repeat it (a date, a name, a source, a
    country, a licence): SQLite returns a new one per row, a million copies on a long history."""
    return None if s is None else intern(s)


def _rating(r: dict[str, Any], display: dict[str, str]) -> Rating:
    score, lo, hi = r["score"], r["ci_lower"], r["ci_upper"]
    key = intern(r["arena_name"])
    return Rating(intern(r["snapshot_date"]), intern(display.get(key, key)), r["model_id"], intern(r["name"]),
                  r["rank"] or 0, score, None if hi is None else hi - score, None if lo is None else score - lo,
                  r["votes"], _shared(r["org"]), r["org_id"], _shared(r["country"]), _shared(r["licence"]),
                  intern(r["source_id"]), intern(r["category"]), lo, hi, r["rank"] is not None, key)


def rank_board(rows: list[Rating]) -> list[Rating]:
    """A board sorted best first, with a rank for every row. A published
    rank is kept. Otherwise, with 95% intervals, the rank is LMArena's own:
    1 + the number of models whose interval lies wholly above this one's
    (so statistical ties share a rank); without intervals it is 1 + the
    number of models rated higher."""
    rows = sorted(rows, key=lambda r: (-r.score, r.rank or 0, r.arena_name))
    if all(r.rank_published for r in rows):
        return rows
    # a rating without an interval counts as the single point of its score (as rerank_snapshot ranks)
    neg_lows = sorted(-(r.score if r.ci_lower is None else r.ci_lower) for r in rows) \
        if any(r.ci_lower is not None for r in rows) else []
    neg_scores = [-r.score for r in rows]  # ascending: the rows are best first
    out = []
    for r in rows:
        if r.rank_published:
            out.append(r)
            continue
        if r.ci_upper is not None and neg_lows:
            rank = 1 + bisect.bisect_left(neg_lows, -r.ci_upper)  # intervals wholly above this one
        else:
            rank = 1 + bisect.bisect_left(neg_scores, -r.score)  # rated higher than this one
        out.append(r if r.rank == rank else _with_rank(r, rank))
    return out


_RATING_FIELDS = tuple(f.name for f in dataclasses.fields(Rating))


def _with_rank(r: Rating, rank: int) -> Rating:
    """`r` with another rank (what ``dataclasses.replace`` does, at a third of its cost)."""
    values: list[Any] = [rank if name == "rank" else getattr(r, name) for name in _RATING_FIELDS]
    return Rating(*values)


class ReadModel(BoardReader):
    """Everything the answers read, loaded at one data version."""

    # what depends only on the Arena ratings (and the names and model columns joined to them):
    # kept from the previous read model when the ratings' version is unchanged
    RATING_MAPS = ("chains", "_all_boards", "display", "by_date", "dates", "moderator_bases", "history_of", "peak_of",
                   "rows_per_model", "best_of", "_history_dates", "_best_dates")

    def __init__(self, store: Store, previous: ReadModel | None = None, patch: Patcher | None = None):
        """Load the read model of the store's data version. With `previous`
        (the model being replaced) and no write to what a rating reads since
        it was built (``ratings_version``, kept by triggers: see the schema's
        step 6), its rating maps and counted boards are kept instead of being
        read and built again: a change to a model's size, an alias, a
        benchmark score or a price refreshes in milliseconds. A change to a
        few boards is patched in by `patch` where that is exact
        (:func:`bot.store.patch.patch_model`); anything else is built whole."""
        self.store = store
        self.version = store.data_version  # first: what follows is at least this new
        # and the audit position at that version: the changes since are patched in (bot.store.patch)
        self.ratings_version, self.audit_seen = ratings_state(store)
        self._memo: dict[tuple, Any] = {}  # series derived on first use, per read model (see memo)
        self._views: dict[tuple, Any] = {}  # whole-model structures derived on first use (see view)
        self._view_lock = threading.Lock()
        self._view_locks: dict[tuple, threading.RLock] = {}
        self._board_cache: dict[tuple[str, str, str], list[Rating]] = {}  # boards outside the chain, as read
        self.patched: str | None = None  # what a patch re-read (None: built whole or kept)
        self._ratings_count: int | None = None  # every board's rows, when known without counting them
        self._load_models(store)  # first: the counted boards read each model's family (variant_of)
        if previous is not None and self.ratings_version is not None \
                and previous.ratings_version == self.ratings_version:
            self._keep_ratings(previous)
        elif not (previous is not None and patch is not None and self._patch(previous, patch)):
            self._load_ratings(store)
            self._index_ratings()
        self._load_rest(store)

    def _patch(self, previous: ReadModel, patch: Patcher) -> bool:
        """The rating changes since `previous` patched in where that is exact (`patch`:
        :func:`bot.store.patch.patch_model`, which builds on this module)."""
        done = patch(self, previous)
        if done is None:
            self._board_cache.clear()
            self._views.clear()
            return False
        self.patched, added = done
        if previous.counts.get("ratings") is not None:
            self._ratings_count = previous.counts["ratings"] + added
        return True

    def _keep_ratings(self, previous: ReadModel) -> None:
        """Share the previous model's rating maps (read-only, so sharing is
        safe) and its counted boards, without their memoised series (a series
        may read more than the ratings: prices, sizes)."""
        for name in self.RATING_MAPS:
            setattr(self, name, getattr(previous, name))
        self._ratings_count = previous.counts.get("ratings")
        self._board_cache.update(previous._board_cache)
        for key, view in previous._views.items():
            if key[0] == "boards":
                self._views[key] = view.fresh()
            elif key[0] in ("category boards", "board scores"):  # ratings only: shared as they are
                self._views[key] = view

    def _load_ratings(self, store: Store) -> None:
        """Read the chain's boards and rank them."""
        keys = store.query("SELECT DISTINCT source_id, snapshot_date, category FROM arena_ratings")
        by_cat: dict[str, list[tuple[str, str]]] = {}
        for k in keys:
            by_cat.setdefault(k["category"], []).append((k["source_id"], k["snapshot_date"]))
        self._all_boards = {c: sorted(set(v), key=lambda b: (b[1], b[0])) for c, v in by_cat.items()}
        self.chains = {c: BoardChain(v) for c, v in by_cat.items()}
        # a model key's display name (the CSV snapshots already use display names)
        self.display = {r["key"]: r["display_name"] for r in store.query("SELECT key, display_name FROM arena_keys")}
        chain = self.chains.get(OVERALL) or BoardChain([])
        # only the chain's boards are read, streamed (no list of every row, whose creation and
        # freeing would each hold the GIL for tens of milliseconds on a long history)
        published = read_boards(store, chain.boards, self.display)
        self.by_date, self.moderator_bases = assemble(chain, published, read_amendments(store, self.display))
        self.dates = sorted(self.by_date)

    def _load_models(self, store: Store) -> None:
        self.models = {m["id"]: m for m in store.query(
            """SELECT m.*, COALESCE(o.name, m.organization) AS org_name, o.country AS org_country
               FROM models m LEFT JOIN organizations o ON o.id = m.org_id""")}

    def _load_rest(self, store: Store) -> None:
        """Everything but the Arena boards, and the maps built from the chain's boards."""
        self.sources = {s["id"]: s for s in store.query("SELECT * FROM sources")}
        self.benchmarks = sorted(r["benchmark"] for r in store.query(
            "SELECT DISTINCT benchmark FROM benchmark_scores"))
        self.countries: list[str] = sorted({m["country"] for m in self.models.values() if m["country"]})
        self.country_by_fold: dict[str, str] = {fold(c): c for c in self.countries}
        self.counts = row_counts(store, self._ratings_count)

    def _index_ratings(self) -> None:
        """The maps every answer reads instead of scanning all ratings, built in
        one pass: each model's history (its best row per snapshot), the rows per
        model, and the best-rated model of each side (country, region,
        organisation, open or closed) in each snapshot."""
        self.history_of: dict[int, list[Rating]] = {}
        self.peak_of: dict[int, Rating] = {}  # each model's highest-rated row, any snapshot
        self.rows_per_model: dict[int, int] = {}
        self.best_of: dict[tuple, list[Rating]] = {}
        index_boards(self.by_date, self.dates, self.history_of, self.peak_of, self.rows_per_model, self.best_of)
        self._history_dates = {m: [r.date for r in rs] for m, rs in self.history_of.items()}
        self._best_dates = {k: [r.date for r in rs] for k, rs in self.best_of.items()}

    # -- boards of every source and category ------------------------------------
    def categories(self) -> list[str]:
        """Every Arena category with at least one board ('full' = overall)."""
        return sorted(self._all_boards, key=lambda c: (c != OVERALL, c))

    def board_keys(self, category: str = OVERALL) -> list[BoardKey]:
        """Every board (source, date) of a category, of every source, by date."""
        return [BoardKey(s, d) for s, d in self._all_boards.get(category, [])]

    def board_for(self, day: str | None, category: str = OVERALL) -> BoardKey | None:
        """The board that answers `day` by the rule in :mod:`bot.domain.board_chain`
        (None: no board on or before it)."""
        chain = self.chains.get(category)
        return chain.board_for(day) if chain else None

    def chain(self, category: str = OVERALL) -> list[BoardKey]:
        """The boards the rule picks, one per date (a series over time)."""
        chain = self.chains.get(category)
        return list(chain.boards) if chain else []

    def board_rows(self, source: str, date: str, category: str = OVERALL) -> list[Rating]:
        """One board as published, best first, ranked (see :func:`rank_board`).
        Never mixes sources."""
        key = (source, date, category)
        rows = self._board_cache.get(key)
        if rows is None:
            if category == OVERALL and self.chains.get(OVERALL) and \
                    self.chains[OVERALL].source_on(date) == source and date in self.by_date:
                rows = [r for r in self.by_date[date] if r.source in (source, AMENDMENTS) or source == AMENDMENTS]
            elif category != OVERALL and category in self._all_boards:
                rows = self.category_boards(category).get((source, date), [])
            else:
                rows = rank_board([_rating(r, self.display) for r in self.store.query(
                    _RATING_SQL + " AND r.source_id = ? AND r.snapshot_date = ? AND r.category = ?",
                    [source, date, category])])
            self._board_cache[key] = rows  # sized to the data: at most every board once
        return list(rows)

    def board_note(self, date: str | None) -> str:
        """How an answer names the board of `date` when it is not a published one:
        '' for a published board, else "moderator board: the <base date> board with moderators' scores"."""
        base = self.moderator_bases.get(date) if date else None
        if base is None:
            return ""
        return f"moderator board: the {base.date} board with moderators' scores"

    def scale_of(self, date: str) -> str | None:
        """The source whose rating scale a chain board is on (a moderator board: its published board's)."""
        base = self.moderator_bases.get(date)
        return base.source if base is not None else self.source_of(date)

    def board_scores(self, category: str = OVERALL) -> dict[tuple[str, str], list[tuple]]:
        """Every published board of a category (all sources) as (model id, score, name as the board has
        it, name LMArena shows, licence) rows, best first, in one streamed query and without building
        ratings: what the scales, seams and flags read (:mod:`bot.domain.comparable`). Kept with the model."""
        def build() -> dict[tuple[str, str], list[tuple]]:
            out: dict[tuple[str, str], list[tuple]] = {}
            for i, r in enumerate(self.store.stream(_SCORES_SQL, [category, AMENDMENTS])):
                if not i % YIELD_EVERY:
                    yield_gil()
                key = r["arena_name"]
                out.setdefault((r["source_id"], r["snapshot_date"]), []).append(
                    (r["model_id"], r["score"], key, self.display.get(key, key), r["licence"]))
            for rows in out.values():
                rows.sort(key=lambda x: -x[1])
            return out
        return self.view(("board scores", category), build)

    def category_boards(self, category: str) -> dict[tuple[str, str], list[Rating]]:
        """Every board of a category (all sources), ranked, read in one query
        (streamed) the first time the category is asked, then kept with the model."""
        def build() -> dict[tuple[str, str], list[Rating]]:
            keys = self._all_boards.get(category, [])
            out: dict[tuple[str, str], list[Rating]] = {(s, d): [] for s, d in keys}
            for i, r in enumerate(self.store.stream(_BOARDS_SQL, [json.dumps([list(k) for k in keys]), category])):
                if not i % YIELD_EVERY:
                    yield_gil()
                out.setdefault((r["source_id"], r["snapshot_date"]), []).append(_rating(r, self.display))
            return {k: rank_board(v) for k, v in out.items()}
        return self.view(("category boards", category), build)

    def source_of(self, date: str, category: str = OVERALL) -> str | None:
        """The source of the chain's board dated `date`."""
        chain = self.chains.get(category)
        return chain.source_on(date) if chain else None

    # -- dates and boards: BoardReader (latest, snapshot_on, board, best, memo, dated) --
    def source(self, sid: str) -> dict[str, Any]:
        return self.sources.get(sid, {"id": sid, "title": sid})

    def series(self, key: tuple, until: str | None = None) -> list[Rating]:
        """The best-rated model of side `key` (see :func:`side_keys`) in each
        snapshot that rates the side, up to `until`: a slice of a map built
        with the read model."""
        rows = self.best_of.get(key, [])
        if until is None:
            return list(rows)
        return rows[:bisect.bisect_right(self._best_dates.get(key, []), until)]

    def view(self, key: tuple, build: Callable[[], Any]) -> Any:
        """`build()` once per read model and key, kept for the model's lifetime:
        a structure derived from the whole model (the counted boards of a
        category, the category words), of which there are a few. What it
        builds must not refer back to the read model: the model is frozen out
        of the cyclic collector (``Engine.refresh``), so a cycle through it
        would never be freed."""
        value = self._views.get(key)
        if value is not None:
            return value
        with self._view_lock:  # one builder per key: readers asking at once wait for it, not build it too
            lock = self._view_locks.setdefault(key, threading.RLock())
        with lock:
            value = self._views.get(key)
            if value is None:
                # tens of thousands of long-lived objects at once: with the model frozen out of the
                # collector, each full collection meanwhile would walk all those made so far (quadratic)
                with collector_paused():
                    value = self._views[key] = build()
        return value

    def view_keys(self) -> list[tuple]:
        """The keys of the views built so far (a refresh builds the same for the next model)."""
        return list(self._views)

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

    def first_rated(self, model_id: int) -> str | None:
        """The date of the first board (by the rule) that rates the model."""
        rows = self.history_of.get(model_id)
        return rows[0].date if rows else None

    def latest_rating(self, model_id: int, until: str | None = None) -> Rating | None:
        rows = self.history_of.get(model_id)
        if not rows:
            return None
        if until is None:
            return rows[-1]
        i = bisect.bisect_right(self._history_dates[model_id], until)
        return rows[i - 1] if i else None

    def latest_any_rating(self, model_id: int, until: str | None = None) -> Rating | None:
        """The model's newest overall rating on any board of any source (on or
        before `until`), for a model the chain never rates: a model listed only by
        a source whose dates another source answers (catalog releases of spring
        2025) is still on the Arena leaderboard, and the card says which board."""
        row = newest_overall_board_of(self.store, model_id, until)
        if row is None:
            return None
        rows = [r for r in self.board_rows(row["source_id"], row["snapshot_date"]) if r.model_id == model_id]
        return max(rows, key=lambda r: r.score) if rows else None

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


def read_boards(store: Store, keys: Iterable[BoardKey], display: dict[str, str],
                category: str = OVERALL) -> dict[str, list[Rating]]:
    """{date: rows} of the boards `keys` (source, date) of one category, as stored (unranked), in
    one query, streamed (no list of every row, whose creation and freeing would each hold the GIL
    for tens of milliseconds on a long history)."""
    out: dict[str, list[Rating]] = {}
    chosen = json.dumps([[b.source, b.date] for b in keys])
    for i, r in enumerate(store.stream(_BOARDS_SQL, [chosen, category])):
        if not i % YIELD_EVERY:
            yield_gil()
        out.setdefault(r["snapshot_date"], []).append(_rating(r, display))
    return out


def read_amendments(store: Store, display: dict[str, str]) -> list[Rating]:
    """The moderators' overall scores, by date."""
    return [_rating(r, display) for r in store.query(
        _RATING_SQL + " AND r.category = ? AND r.source_id = ? ORDER BY r.snapshot_date", [OVERALL, AMENDMENTS])]


def assemble(chain: BoardChain, published: dict[str, list[Rating]], amendments: list[Rating],
             since: str | None = None) -> tuple[dict[str, list[Rating]], dict[str, BoardKey]]:
    """The chain's boards ranked ({date: rows, best first}) from its published boards as read
    (`published`, changed in place) and the moderators' scores, and each moderator board's
    published board (adds the moderator boards to `chain`). With `since`, only the boards
    dated from `since` on are returned; `published` must then hold those and the published
    board under each moderator board from `since` on (a patch: see :mod:`bot.store.patch`)."""
    moderator_bases: dict[str, BoardKey] = {}  # a moderator board's date -> the published board under it
    for a in amendments:
        b = chain.board_for(a.date)
        if b is None:
            continue
        if b.date == a.date:  # dated a published board's own day: a correction of that board
            board = published.get(b.date)
            if board is not None:
                board[:] = [x for x in board if x.model_id != a.model_id] + [a]
        else:
            moderator_bases.setdefault(a.date, b)
    by_date = {d: rows for d, rows in published.items() if since is None or d >= since}
    for day, base in sorted(moderator_bases.items()):
        if since is not None and day < since:
            continue
        # a moderator board of its own: the published board under it, with every moderator score since
        # that board in place of the model's rating there; ranked afresh (the published ranks stay)
        scores = {x.model_id: x for x in amendments if base.date < x.date <= day}
        rows = [x for x in published.get(base.date, []) if x.model_id not in scores] + list(scores.values())
        by_date[day] = [dataclasses.replace(x, date=day, rank_published=False) for x in rows]
    chain.add(BoardKey(AMENDMENTS, day) for day in moderator_bases)
    ranked = 0
    for d, board in by_date.items():
        by_date[d] = rank_board(board)
        ranked += len(board)
        if ranked >= YIELD_EVERY:
            ranked = 0
            yield_gil()
    return by_date, moderator_bases


def index_boards(by_date: dict[str, list[Rating]], dates: Iterable[str], history_of: dict[int, list[Rating]],
                 peak_of: dict[int, Rating], rows_per_model: dict[int, int], best_of: dict[tuple, list[Rating]]) -> None:
    """Add the boards of `dates` (in order, after any already in the maps) to the maps every
    answer reads instead of scanning all ratings, in one pass: each model's history (its
    best row per snapshot), its peak, the rows per model, and the best-rated model of each
    side (country, region, organisation, open or closed) in each snapshot."""
    done = 0
    for d in dates:
        done += len(by_date[d])
        if done >= YIELD_EVERY:
            done = 0
            yield_gil()
        seen_models: set[int] = set()
        seen_sides: set[tuple] = set()
        for r in by_date[d]:  # best first
            rows_per_model[r.model_id] = rows_per_model.get(r.model_id, 0) + 1
            if r.model_id not in seen_models:
                seen_models.add(r.model_id)
                history_of.setdefault(r.model_id, []).append(r)
                peak = peak_of.get(r.model_id)
                if peak is None or r.score > peak.score:
                    peak_of[r.model_id] = r
            for key in side_keys(r):
                if key not in seen_sides:
                    seen_sides.add(key)
                    best_of.setdefault(key, []).append(r)


YIELD_EVERY = 5000  # rows built between two offers of the GIL (not per board: a long
# history has thousands, and each offer can cost a reader's whole switch interval)


def yield_gil() -> None:
    """Let other threads run (the event loop first of all): a read model is
    built in a worker thread while the bot answers, and a pure-Python loop
    would otherwise keep the GIL for a whole switch interval at a time."""
    time.sleep(0)


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
