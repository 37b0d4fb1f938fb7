"""A rating change patched into the read model, instead of a full build.

A moderator's score, a corrected rating, a model added with its rating or one
taken away touches one board (or, through the moderator boards, the boards
from one date on). The read model of the new version is then the previous
one with those boards re-read and everything derived from them redone from
the first date they can reach; the rest (the boards before, the maps' entries
before, every untouched category) is shared with the previous model, which
never changes. The result equals a full build field by field
(``tests/test_patch.py`` applies random changes and compares both).

**What changed** is read from the audit log: every audited write to a rating
names its board (source, date, category). The ratings' version counts every
write to what a rating reads (triggers, any process, audited or not), so the
patch is made only when the audited writes since the previous model account
for every one of its bumps.

**From which date.** A board's rows, the moderator boards after it and the
chain's choice of board (a new board can end another source's span) reach
forward only: the overall boards from the earliest touched date (or the
first date where the chain of published boards differs) are rebuilt; the
maps (histories, peaks, rows per model, best of each side) are cut there and
extended. The counted boards (``bot.domain.counted_boards``) judge a board by its own
source's next board (the latest by all its earlier ones), so they are redone
from the touched board's predecessor in its source.

**Falls back to the full build** (``patch_model`` returns None) when: the
previous model has no ratings' version or audit position; a write was not
audited (an import without audit, the seed) or the audit does not account for
every bump; a write changed a model's or an organisation's columns a rating
joins (name, organisation, country, licence, access, hidden), a model was
deleted, or an Arena key's display name changed (these reach every board the
model or name is on); more than :data:`PATCH_LIMIT` boards were touched (an
import: the full build is as cheap); the overall category lost every board.
"""
from __future__ import annotations

import bisect
import json
from typing import TYPE_CHECKING, NamedTuple

from bot.domain.board_chain import AMENDMENTS, BoardChain, BoardKey
from bot.domain.categories import OVERALL
from bot.domain.counted_boards import CountedBoards
from bot.store.readmodel import (_BOARDS_SQL, _SCORES_SQL, Rating, _rating, assemble, index_boards, rank_board, read_amendments,
                                 read_boards, side_keys, yield_gil)

if TYPE_CHECKING:  # pragma: no cover
    from bot.store.db import Store
    from bot.store.readmodel import ReadModel

PATCH_LIMIT = 64  # boards touched since the previous model above which it is built whole
# the model columns a rating reads (the schema's ratings_version trigger on models)
MODEL_COLUMNS = ("id", "name", "organization", "org_id", "country", "licence", "access", "hidden", "variant_of")


class Touched(NamedTuple):
    boards: dict[str, set[BoardKey]]  # category -> the boards written
    added: int  # ratings added less ratings deleted


def touched_boards(store: "Store", previous: "ReadModel", version: int | None, seen: int) -> Touched | None:
    """The boards written between `previous` and the ratings' `version` (audit entries up
    to `seen`), and how many ratings that added; None when a patch would not be exact."""
    if version is None or previous.ratings_version is None or getattr(previous, "audit_seen", None) is None:
        return None
    rows = store.query("SELECT tbl, row_key, before, after FROM audit WHERE id > ? AND id <= ? "
                       "AND tbl IN ('arena_ratings', 'arena_keys', 'models', 'organizations')",
                       [previous.audit_seen, seen])
    out: dict[str, set[BoardKey]] = {}
    writes = added = 0
    for r in rows:
        if r["tbl"] == "arena_ratings":
            k = json.loads(r["row_key"])
            out.setdefault(k["category"], set()).add(BoardKey(k["source_id"], k["snapshot_date"]))
            writes += 1
            added += (r["before"] is None) - (r["after"] is None)
        elif r["tbl"] == "models" and r["before"] is None:
            continue  # a new model: no rating reads it until one is added (a rating's own write)
        elif r["tbl"] == "models" and r["after"] is not None:
            before, after = json.loads(r["before"]), json.loads(r["after"])
            if any(before.get(c) != after.get(c) for c in MODEL_COLUMNS):
                return None
        else:
            return None  # a model deleted, an organisation or an Arena key changed
    if writes != version - previous.ratings_version or sum(len(v) for v in out.values()) > PATCH_LIMIT:
        return None
    return Touched(out, added)


def _first_difference(old: list[BoardKey], new: list[BoardKey]) -> str | None:
    """The date of the first board where two chains differ (None: the same)."""
    for a, b in zip(old, new):
        if a != b:
            return min(a.date, b.date)
    if len(old) != len(new):
        return (old if len(old) > len(new) else new)[min(len(old), len(new))].date
    return None


def _predecessors(boards_before: list[tuple[str, str]], boards_now: list[tuple[str, str]],
                  touched: set[BoardKey]) -> str:
    """The earliest date from which a counted board can differ: each touched board's
    predecessor in its own source (or the board itself when it is the source's first)."""
    per_source: dict[str, list[str]] = {}
    for s, d in {*boards_before, *boards_now}:
        per_source.setdefault(s, []).append(d)
    for seq in per_source.values():
        seq.sort()
    out = []
    for b in touched:
        seq = per_source.get(b.source, [b.date])
        i = bisect.bisect_left(seq, b.date)
        out.append(seq[i - 1] if i else b.date)
    return min(out)


def _category_rows(store: "Store", keys: list[BoardKey], category: str, display: dict[str, str]) -> dict[tuple, list]:
    out: dict[tuple[str, str], list[Rating]] = {}
    for r in store.stream(_BOARDS_SQL, [json.dumps([list(k) for k in keys]), category]):
        out.setdefault((r["source_id"], r["snapshot_date"]), []).append(_rating(r, display))
    return out


class _Maps:
    """The previous model's rating maps, cut at a date and extended with the boards from it
    (copy on write: a list the previous model holds is never changed)."""

    def __init__(self, previous: "ReadModel", since: str, by_date: dict[str, list[Rating]], dates: list[str]):
        self.history_of = dict(previous.history_of)
        self.peak_of = dict(previous.peak_of)
        self.rows_per_model = dict(previous.rows_per_model)
        self.best_of = dict(previous.best_of)
        old_counts: dict[int, int] = {}
        sides: set[tuple] = set()
        for d in previous.dates[bisect.bisect_left(previous.dates, since):]:
            for r in previous.by_date[d]:
                old_counts[r.model_id] = old_counts.get(r.model_id, 0) + 1
                sides.update(side_keys(r))
        tail = dates[bisect.bisect_left(dates, since):]
        models = set(old_counts)
        for d in tail:
            for r in by_date[d]:
                models.add(r.model_id)
                sides.update(side_keys(r))
        yield_gil()
        cut_history: dict[int, int] = {}  # model -> how many of its history rows were kept
        for m in models:  # cut each history at `since` (a fresh list), its peak from what is left
            rows = self.history_of.get(m)
            if rows is None:
                continue
            i = cut_history[m] = bisect.bisect_left(previous._history_dates[m], since)
            if i == 0:
                del self.history_of[m], self.peak_of[m]
            else:
                kept = self.history_of[m] = rows[:i]
                if self.peak_of[m].date >= since:  # else the first highest is still in what is kept
                    peak = kept[0]
                    for r in kept:
                        if r.score > peak.score:
                            peak = r
                    self.peak_of[m] = peak
            left = self.rows_per_model[m] - old_counts.get(m, 0)
            if left:
                self.rows_per_model[m] = left
            else:
                del self.rows_per_model[m]
        cut_best: dict[tuple, int] = {}
        for k in sides:
            rows = self.best_of.get(k)
            if rows is None:
                continue
            i = cut_best[k] = bisect.bisect_left(previous._best_dates[k], since)
            if i == 0:
                del self.best_of[k]
            else:
                self.best_of[k] = rows[:i]
        index_boards(by_date, tail, self.history_of, self.peak_of, self.rows_per_model, self.best_of)
        self.history_dates = {m: (previous._history_dates[m] if m not in models else _dates(
            previous._history_dates.get(m), cut_history.get(m, 0), rows)) for m, rows in self.history_of.items()}
        self.best_dates = {k: (previous._best_dates[k] if k not in sides else _dates(
            previous._best_dates.get(k), cut_best.get(k, 0), rows)) for k, rows in self.best_of.items()}


def _dates(before: list[str] | None, kept: int, rows: list[Rating]) -> list[str]:
    """The dates of `rows`, whose first `kept` are those of `before`'s."""
    return (before[:kept] if before and kept else []) + [r.date for r in rows[kept:]]


def patch_ratings(model: "ReadModel", previous: "ReadModel", store: "Store",
                  touched: dict[str, set[BoardKey]]) -> bool:
    """Set `model`'s rating maps, counted boards and category boards from `previous`
    with the `touched` boards re-read (see the module). False: not patched (`model` is
    left as it was; build it whole)."""
    all_boards = dict(previous._all_boards)
    chains = dict(previous.chains)
    since: dict[str, str] = {}  # category -> the first date its boards can differ from
    for c, keys in touched.items():
        have = set(all_boards.get(c, []))
        for b in keys:
            if store.scalar("SELECT 1 FROM arena_ratings WHERE source_id = ? AND snapshot_date = ? AND category = ? "
                            "LIMIT 1", [b.source, b.date, c]):
                have.add((b.source, b.date))
            else:
                have.discard((b.source, b.date))
        if have:
            all_boards[c] = sorted(have, key=lambda b: (b[1], b[0]))
            chains[c] = BoardChain(all_boards[c])
        else:
            all_boards.pop(c, None)
            chains.pop(c, None)
        old_chain = previous.chains.get(c)
        old = [b for b in old_chain.boards if b.source != AMENDMENTS] if old_chain is not None else []
        new = chains[c].boards if c in chains else []
        first = min(b.date for b in keys)
        diff = _first_difference(old, new)
        since[c] = min(first, diff) if diff is not None else first
    display = previous.display
    by_date, dates, bases = previous.by_date, previous.dates, previous.moderator_bases
    maps: _Maps | None = None
    if OVERALL in touched:
        chain = chains.get(OVERALL)
        if chain is None or OVERALL not in previous.chains:
            return False
        start = since[OVERALL]
        amendments = read_amendments(store, display)
        need = {b for b in chain.boards if b.date >= start}
        for a in amendments:  # the published board under each moderator board from `start` on
            base = chain.board_for(a.date)
            if base is not None and base.date != a.date and a.date >= start:
                need.add(base)
        published = read_boards(store, sorted(need, key=lambda b: b.date), display)
        part, bases = assemble(chain, published, amendments, since=start)
        by_date = {d: previous.by_date[d] for d in previous.dates[:bisect.bisect_left(previous.dates, start)]}
        by_date.update(sorted(part.items()))
        dates = sorted(by_date)
        maps = _Maps(previous, start, by_date, dates)
    model.chains, model._all_boards, model.display = chains, all_boards, display
    model.by_date, model.dates, model.moderator_bases = by_date, dates, bases
    if maps is None:
        for name in ("history_of", "peak_of", "rows_per_model", "best_of", "_history_dates", "_best_dates"):
            setattr(model, name, getattr(previous, name))
    else:
        model.history_of, model.peak_of, model.rows_per_model = maps.history_of, maps.peak_of, maps.rows_per_model
        model.best_of, model._history_dates, model._best_dates = maps.best_of, maps.history_dates, maps.best_dates
    for (s, d, c), rows in previous._board_cache.items():
        if c in touched and (BoardKey(s, d) in touched[c] or (c == OVERALL and d >= since[c])):
            continue
        model._board_cache[(s, d, c)] = rows
    _patch_views(model, previous, store, touched, since)
    return True


def _patch_views(model: "ReadModel", previous: "ReadModel", store: "Store", touched: dict[str, set[BoardKey]],
                 since: dict[str, str]) -> None:
    """The previous model's category boards and counted boards, patched where touched."""
    for key, view in previous._views.items():
        if key[0] != "category boards":
            continue
        c = key[1]
        if c not in touched:
            model._views[key] = view
            continue
        fresh = _category_rows(store, [b for b in touched[c]], c, model.display)
        model._views[key] = {k: (rank_board(fresh.get(k, [])) if BoardKey(*k) in touched[c] else view[k])
                             for k in model._all_boards.get(c, [])}
    for key, view in previous._views.items():  # the scales' rows: the touched published boards re-read
        if key[0] != "board scores":
            continue
        c = key[1]
        if c not in touched:
            model._views[key] = view
            continue
        scores = dict(view)
        for b in touched[c]:
            if b.source == AMENDMENTS:
                continue  # the scales read published boards only
            rows = [(r["model_id"], r["score"], r["arena_name"], model.display.get(r["arena_name"], r["arena_name"]),
                     r["licence"]) for r in store.query(_SCORES_SQL + " AND r.source_id = ? AND r.snapshot_date = ?",
                                                        [c, AMENDMENTS, b.source, b.date])]
            rows.sort(key=lambda x: -x[1])
            if rows:
                scores[(b.source, b.date)] = rows
            else:
                scores.pop((b.source, b.date), None)
        model._views[key] = dict(sorted(scores.items()))  # in the order the full read gives: by (source, date)
    for key, view in previous._views.items():
        if key[0] != "boards":
            continue
        _kind, include_retired, c = key
        if c not in touched:
            model._views[key] = view.fresh()
        elif c in model.chains:
            start = min(since[c], _predecessors(previous._all_boards.get(c, []), model._all_boards.get(c, []),
                                                touched[c]))
            model._views[key] = CountedBoards(model, include_retired, c, previous=view, since=start)


def patch_model(model: "ReadModel", previous: "ReadModel") -> tuple[str, int] | None:
    """Patch `model` (being built) from `previous` where that is exact: what it re-read and
    how many ratings that added; None: not patched (build it whole)."""
    touched = touched_boards(model.store, previous, model.ratings_version, model.audit_seen)
    if touched is None or not patch_ratings(model, previous, model.store, touched.boards):
        return None
    return describe(touched.boards), touched.added


def describe(touched: dict[str, set[BoardKey]] | None) -> str:
    """For the log: what a patch re-read."""
    if touched is None:
        return "full build"
    return ", ".join(f"{c}: {len(v)} board(s)" for c, v in sorted(touched.items())) or "nothing"


