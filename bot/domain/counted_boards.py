"""Counted boards: which ratings a listed board counts (the retired rule).

Scraped leaderboards do not list the same models from day to day: some
snapshots still list retired (deprecated) models, the next ones do not, and a
later one lists them again. Read naively, a series jumps with the scraper
(the 2025-02-12 snapshot lists thirty retired models that make the frontier
look 2.1% wide; without them it is 5.7%). One rule decides which listed
ratings count, the same for every series (frontier, top, race, gap, depth):

    A model counts on a board if the same source's next board still rates it.
    On a source's latest board (there is no next one) it counts if the board
    before rated it too, or if that source never rated it before (it is new).

A model is "the same" on two boards if its Arena name matches (ignoring
case and punctuation, so ``Athene-70b`` -> ``Athene-70B`` keeps it), or the
next board rates a *new* name linked to the same model or to the same family
(a rename such as ``Gemini-1.5-Pro-API-0514`` -> ``Gemini-1.5-Pro-001``, or a
preview the next board lists as released: ``Gemini-2.5-Pro-Preview-06-05`` ->
``Gemini-2.5-Pro``). A dropped name does not
count just because a sibling version the next board still rates is linked
to the same model (``Gemini-2.0-Flash-Exp`` beside ``Gemini-2.0-Flash-001``). ``all`` (``top 20 all``,
``frontier all``) reads every listed rating instead.

Statistical ties are :mod:`bot.domain.ties`. The read model these boards are
built from is any object with the :class:`ReadsBoards` shape
(:class:`bot.store.readmodel.ReadModel`); this module imports no store.
"""
from __future__ import annotations

import bisect
from typing import Any, Callable, Iterable, Protocol

from bot.domain.board_chain import AMENDMENTS, BoardKey, BoardReader
from bot.domain.categories import OVERALL
from bot.domain.normalize import compact

RULE = ("retired models left out: a model counts on a board if that source's next board still rates it "
        "(on its latest board: if the one before did, or it is new); `all` lists every model")
RULE_ALL = "every listed model, retired ones included (as the source listed them)"

ALL_WORDS = {"all", "listed", "everything", "retired", "including-retired", "with-retired"}


class ReadsBoards(Protocol):
    """What counting boards reads of a read model (:class:`bot.store.readmodel.ReadModel`)."""

    by_date: dict[str, list[Any]]
    dates: list[str]

    def chain(self, category: str = OVERALL) -> list[BoardKey]: ...

    def board_keys(self, category: str = OVERALL) -> list[BoardKey]: ...

    def board_rows(self, source: str, date: str, category: str = OVERALL) -> list[Any]: ...

    def view(self, key: tuple, build: Callable[[], Any]) -> Any: ...


def _name(r: Any) -> str:
    """The name as the board has it (a model key for history and catalog boards), folded."""
    return compact(getattr(r, "key", None) or r.arena_name)


def _keys(rows: Iterable[Any]) -> tuple[set[str], set[int]]:
    names, ids = set(), set()
    for r in rows:
        names.add(_name(r))
        ids.add(r.model_id)
    return names, ids


def _in(r: Any, keys: tuple[set[str], set[int]]) -> bool:
    return _name(r) in keys[0] or r.model_id in keys[1]


def _families(read: ReadsBoards) -> Callable[[int], int]:
    """A model's family (its `variant_of`, else itself): a preview the next board lists under its
    released name (``Gemini-2.5-Pro-Preview-06-05`` -> ``Gemini-2.5-Pro``) is a rename within one family."""
    models = getattr(read, "models", None) or {}

    def family(model_id: int) -> int:
        m = models.get(model_id)
        return (m.get("variant_of") if m else None) or model_id
    return family


def counted_ratings(read: ReadsBoards, chain: list[Any], rows_of: Callable[[str, str], list[Any]],
                    all_boards: list[Any], known: dict[str, list[Any]] | None = None) -> dict[str, list[Any]]:
    """{date: the ratings that count on that board} for the boards of `chain`
    (BoardKey(source, date)), by the rule above. Each board is judged against
    its own source's next (or, on its latest board, previous) board, whether
    or not that board is in the chain. A moderator's correction always counts.
    `known`: the counted boards before `chain`'s first, already judged (a patch),
    returned with them."""
    per_source: dict[str, list[str]] = {}
    for b in all_boards:
        per_source.setdefault(b.source, []).append(b.date)
    for seq in per_source.values():
        seq.sort()
    key_cache: dict[tuple[str, str], tuple[set[str], set[int]]] = {}

    def keys(source: str, date: str) -> tuple[set[str], set[int]]:
        k = (source, date)
        if k not in key_cache:
            key_cache[k] = _keys(rows_of(source, date))
        return key_cache[k]

    out: dict[str, list[Any]] = dict(known or {})
    family = _families(read)
    bases = getattr(read, "moderator_bases", {})
    for b in chain:
        base = bases.get(b.date) if b.source == AMENDMENTS else None
        if base is not None:  # a moderator board: what counts on the published board under it, and the scores
            counted = {_name(r) for r in out.get(base.date, rows_of(base.source, base.date))}
            out[b.date] = [r for r in rows_of(b.source, b.date) if r.source == AMENDMENTS or _name(r) in counted]
            continue
        seq = per_source.get(b.source, [b.date])
        i = bisect.bisect_left(seq, b.date)
        rows = rows_of(b.source, b.date)
        if i + 1 < len(seq):
            # the next board rates it under the same name, or under a new name linked to the same model
            # (a rename: Athene-70b -> Athene-70B, Gemini-1.5-Pro-API-0514 -> Gemini-1.5-Pro-001); a name the
            # next board drops does not count because a sibling version it still rates shares the model
            here = {_name(r) for r in rows}
            nxt_rows = rows_of(b.source, seq[i + 1])
            names = {_name(r) for r in nxt_rows}
            renamed = {family(r.model_id) for r in nxt_rows if _name(r) not in here}
            out[b.date] = [r for r in rows if r.source == AMENDMENTS or _name(r) in names
                           or family(r.model_id) in renamed]
        else:
            prev = keys(b.source, seq[i - 1]) if i else (set(), set())
            seen_names: set[str] = set()
            seen_ids: set[int] = set()
            for d in seq[:i]:
                n, m = keys(b.source, d)
                seen_names |= n
                seen_ids |= m
            out[b.date] = [r for r in rows if r.source == AMENDMENTS or _in(r, prev)
                           or not _in(r, (seen_names, seen_ids))]
    return out


class CountedBoards(BoardReader):
    """The boards a series reads: the counted ratings (default) or every listed one.

    Same reading interface as the read model's chain (:class:`~bot.store.readmodel.ReadModel`)
    (``dates``, ``board``, ``best``, ``snapshot_on``), so a
    command swaps one for the other with the ``all`` word."""

    def __init__(self, read: ReadsBoards, include_retired: bool = False, category: str = OVERALL,
                 previous: "CountedBoards | None" = None, since: str | None = None):
        """The counted boards of `read`; with `previous` (the same boards of the read model before
        a patch) and `since`, the counted boards dated before `since` are taken from `previous`
        (a board is judged by its own source's boards, so one before every changed board's
        predecessor is judged the same: see :mod:`bot.store.patch`)."""
        self.include_retired = include_retired
        self.category = category
        chain = read.chain(category)
        if category == OVERALL:
            listed = {d: read.by_date[d] for d in read.dates}
        else:
            listed = {b.date: read.board_rows(b.source, b.date, category) for b in chain}

        def rows_of(source: str, date: str) -> list[Any]:
            return read.board_rows(source, date, category)
        self.listed = listed
        self.sources = {b.date: b.source for b in chain}
        if include_retired:
            self.by_date = listed
        elif previous is not None and since is not None:
            known = {b.date: previous.by_date[b.date] for b in chain if b.date < since}
            self.by_date = counted_ratings(read, [b for b in chain if b.date >= since], rows_of,
                                           read.board_keys(category), known)
        else:
            self.by_date = counted_ratings(read, chain, rows_of, read.board_keys(category))
        self.dates = [d for d in sorted(listed) if self.by_date.get(d)]
        self.rule = RULE_ALL if include_retired else RULE
        if previous is not None:  # each country's best on the boards a patch left as they were
            known_best = dict(previous.__dict__.get("_country_best", {}))  # one C-level copy
            self._country_best = {d: v for d, v in known_best.items()
                                  if self.by_date.get(d) is previous.by_date.get(d) is not None}

    def fresh(self) -> "CountedBoards":
        """The same counted boards without the series memoised on them (for a
        read model whose ratings are unchanged but whose other data is not)."""
        out = CountedBoards.__new__(CountedBoards)
        out.__dict__.update({k: v for k, v in self.__dict__.items() if not k.startswith("_")})
        if "_country_best" in self.__dict__:  # read from the ratings only
            out._country_best = dict(self._country_best)
        return out

    def country_best(self, date: str) -> dict[str, Any]:
        """{country: its best-rated model on that board} (cached: race and gap read it often)."""
        cache = self.__dict__.setdefault("_country_best", {})
        best = cache.get(date)
        if best is None:
            best = {}
            for r in self.by_date.get(date, []):  # best first
                if r.country and r.country not in best:
                    best[r.country] = r
            cache[date] = best
        return best

    def country_series(self, country: str, until: str | None = None) -> list[Any]:
        """The country's best model on every board (up to `until`) that rates one
        (built once per boards and country, then cut at `until` by bisect)."""
        return self.dated(("country", country), lambda: [r for d in self.dates
                                                         if (r := self.country_best(d).get(country)) is not None],
                          until, lambda r: r.date)

    def left_out(self, date: str) -> list[Any]:
        """The listed ratings the rule leaves out on `date`."""
        kept = {id(r) for r in self.by_date.get(date, [])}
        return [r for r in self.listed.get(date, []) if id(r) not in kept]

    def source_on(self, date: str) -> str | None:
        """The source of the board dated `date` (each board is one source's)."""
        return self.sources.get(date)


def counted_boards(read: ReadsBoards, include_retired: bool = False, category: str = OVERALL) -> CountedBoards:
    """The counted boards of one data version and category (built once per read model)."""
    return read.view(("boards", include_retired, category), lambda: CountedBoards(read, include_retired, category))


def wants_all(ws: list[str]) -> tuple[list[str], bool]:
    """Split the `all` word off a command's words."""
    rest = [w for w in ws if w.lower() not in ALL_WORDS]
    return rest, len(rest) != len(ws)
