"""Fuzzy resolution of what people type to what the store holds.

Order of trust: an exact name or alias, then the same after normalising case,
spaces, hyphens and punctuation (``gpt4o`` = ``GPT-4o``), then a model family
(``gpt-4o`` -> every GPT-4o version: the newest answers, the others are
listed), then fuzzy scoring with rapidfuzz over every name and alias, in
character order and in sorted-word order (so ``deepsek r1`` and ``claude
sonnet 3.5`` work). Below the confidence threshold the answer is "did you
mean" with the best three, never a silent wrong model.

A fuzzy match is taken only when it keeps the query's identity (``identity``):
the same version numbers (``5.2`` is not ``5.1``, ``v4`` not ``v3``, ``r2`` not
``r1``, ``7b`` not ``70b``) and the same variant words (mini, pro, flash,
thinking, ...). Typos in the name words still resolve (``deepsek r1``,
``claud sonnet 4.5``); a changed version or variant is another model, so it is
only ever a suggestion.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Iterable

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.store.linking import parse_name
from bot.domain.normalize import compact, fold

ACCEPT = 86.0       # fuzzy score at or above which a unique best match is taken
MARGIN = 4.0        # ... provided it beats the next different entity by this much
SUGGEST = 55.0      # scores below this are not worth suggesting
BIG = 20_000        # an index with more keys than this narrows fuzzy candidates by trigrams first
PREFILTER = 400     # ... to this many keys
MAX_QUERY = 200     # no name is longer (importers' NAME_LIMIT): a longer query is nothing, with no fuzzy search


# words that make a different model of the same family (a size, a tier, a mode, a build)
VARIANT_WORDS = frozenset("""
mini nano micro tiny small medium large pro flash lite light thinking think reasoning reasoner preview exp
experimental turbo max plus ultra instruct chat coder code vision high low air fast base haiku sonnet opus
distill deep research latest beta alpha nemotron scout maverick behemoth
""".split())
_DATE = re.compile(r"(?<!\d)(?:19|20)\d\d(?:[-/.]?\d\d){0,2}(?!\d)|\d{4,}")


def identity(text: str) -> tuple[tuple[int, ...], frozenset[str]]:
    """What makes a name one model and not its sibling: its version and size
    numbers in order (dates and checkpoints aside: those are versions of one
    model, handled by the family lookup) and its variant words."""
    f = fold(text)
    numbers = tuple(int(n) for n in re.findall(r"\d+", _DATE.sub(" ", f)))
    return numbers, frozenset(w for w in re.findall(r"[a-z]+", f) if w in VARIANT_WORDS)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", fold(text)) if len(w) >= 2}


def same_model(query: str, name: str) -> bool:
    """Whether `query` can be a misspelling of `name` (not another version or variant of it):
    the same numbers (when it has any), every variant word of the name spelt in the query (within one edit),
    and no variant word in the query that the name lacks."""
    qn, qv = identity(query)
    nn, nv = identity(name)
    if (qn and qn != nn) or not qv <= nv:  # a name without numbers ("chatgpt") is no version of anything
        return False
    c = compact(query)
    words = re.findall(r"[a-z]+", fold(query))
    return all(v in c or any(len(v) >= 4 and OSA.distance(w, v, score_cutoff=1) <= 1 for w in words)
               for v in nv - qv)


@dataclass
class Entry:
    id: int | str
    name: str                  # the display name
    date: str | None = None    # release date: the newest of a family answers
    weight: float = 0.0        # tie-breaker: better known entities first (e.g. has Arena scores)


@dataclass
class Match:
    status: str                          # exact | family | fuzzy | ambiguous | none
    entry: Entry | None = None
    others: list[Entry] = field(default_factory=list)      # the rest of a family
    suggestions: list[tuple[str, float]] = field(default_factory=list)
    query: str = ""

    @property
    def found(self) -> bool:
        return self.entry is not None


def _trigrams(key: str) -> set[str]:
    k = f"^{key}$"
    return {k[i:i + 3] for i in range(len(k) - 2)}


def _sorted_words(text: str) -> str:
    return "".join(sorted(fold(text).split()))


class Index:
    """A lookup index over entities and all their spellings."""

    def __init__(self, entries: Iterable[Entry], spellings: Iterable[tuple[str, int | str]] = (), *,
                 spellings_first: bool = False):
        """`spellings` are other names of the entries (aliases). With
        `spellings_first` a curated spelling wins over another entry's name
        (organisations: "Google" means Google DeepMind)."""
        self.entries: dict[int | str, Entry] = {}
        self.exact: dict[str, int | str] = {}
        self.compact: dict[str, set] = {}
        self.family: dict[str, set] = {}
        self.dated: dict[tuple[str, str], set] = {}  # (family key, month or checkpoint) -> entities
        keys: list[str] = []
        owners: list[int | str] = []
        seen_keys: set[tuple[str, int | str]] = set()

        def add(spelling: str, eid: int | str) -> None:
            if not spelling:
                return
            self.exact.setdefault(spelling.lower().strip(), eid)
            c = compact(spelling)
            if not c:
                return
            self.compact.setdefault(c, set()).add(eid)
            parsed = parse_name(spelling)
            if parsed.key:
                self.family.setdefault(parsed.key, set()).add(eid)
                version = parsed.month or parsed.checkpoint
                if version:
                    self.dated.setdefault((parsed.key, version), set()).add(eid)
            for k in (c, _sorted_words(spelling)):
                if (k, eid) not in seen_keys:
                    seen_keys.add((k, eid))
                    keys.append(k)
                    owners.append(eid)

        entries = list(entries)
        for e in entries:
            self.entries[e.id] = e
        if not spellings_first:
            for e in entries:
                add(e.name, e.id)
        for spelling, eid in spellings:
            if eid in self.entries:
                add(spelling, eid)
        if spellings_first:
            for e in entries:
                add(e.name, e.id)
        self._keys = keys
        self._owners = owners
        self._sorted = sorted(zip(keys, owners))  # for prefix search with bisect
        self._spelled: dict = {}
        self._spellings: dict = {}  # the original spellings of each entity (names and aliases)
        for e in entries:
            self._spellings.setdefault(e.id, []).append(e.name)
        for spelling, eid in spellings:
            if eid in self.entries and spelling:
                self._spellings.setdefault(eid, []).append(spelling)
        # every word of every spelling: a query spelt only in known words is no typo of a name without them
        self._words = {w for sps in self._spellings.values() for sp in sps for w in _words(sp)}
        for k, eid in zip(keys, owners):
            self._spelled.setdefault(eid, []).append(k)
        self._grams = self._gram_index(keys) if len(keys) > BIG else None
        self.by_first: dict[str, list[tuple[tuple[str, ...], int | str]]] = {}
        for e in self.entries.values():
            toks = tuple(fold(e.name).split())
            if toks:
                self.by_first.setdefault(toks[0], []).append((toks, e.id))

    @staticmethod
    def _gram_index(keys: list[str]) -> dict:
        import numpy as np

        post: dict[str, list[int]] = {}
        for i, k in enumerate(keys):
            for g in _trigrams(k):
                post.setdefault(g, []).append(i)
        return {g: np.asarray(ix, dtype=np.int32) for g, ix in post.items()}

    def __len__(self) -> int:
        return len(self._keys)

    def _best_of(self, ids: Iterable) -> tuple[Entry, list[Entry]]:
        es = sorted((self.entries[i] for i in ids), key=lambda e: (e.date or "", e.weight, e.name), reverse=True)
        return es[0], es[1:]

    def resolve(self, query: str) -> Match:
        q = " ".join(query[: MAX_QUERY * 4].split())
        if not q or len(q) > MAX_QUERY:  # bounded before any search: a 6,000-character "name" costs nothing
            return Match("none", query=q[:MAX_QUERY])
        eid = self.exact.get(q.lower())
        if eid is not None:
            return Match("exact", self.entries[eid], query=q)
        c = compact(q)
        ids = self.compact.get(c)
        if ids:
            best, others = self._best_of(ids)
            return Match("exact", best, others, query=q)
        parsed = parse_name(q)
        fam = parsed.key
        ids = self.family.get(fam) or self.family.get(c.replace(".", ""))
        version = parsed.month or parsed.checkpoint
        if ids and fam and version:
            # "gpt-4o 2024-08-06": the version of that date
            ids = self.dated.get((fam, version)) or ids
        if ids:
            best, others = self._best_of(ids)
            return Match("family", best, others, query=q)
        # the first words of names ("llama 3.1"): the closest and best known of those names
        qt = tuple(fold(q).split())
        cands = [(len(toks) - len(qt), eid) for toks, eid in self.by_first.get(qt[0], ()) if toks[:len(qt)] == qt
                 and len(toks) > len(qt)] if qt else []
        if cands:
            ranked = sorted({eid: extra for extra, eid in sorted(cands, reverse=True)}.items(),
                            key=lambda kv: (kv[1], -self.entries[kv[0]].weight))
            es = [self.entries[eid] for eid, _x in ranked]
            if len(qt) > 1 or (len(es) == 1 and same_model(q, es[0].name)):  # "o4" is not o4-mini
                return Match("family", es[0], es[1:], query=q)
            known = sorted(es, key=lambda e: -e.weight)[:3]
            return Match("ambiguous", suggestions=[(e.name, 0.0) for e in known], query=q)
        return self._fuzzy(q)

    def _candidates(self, key: str, limit: int) -> list[tuple[str, float, int]]:
        """(key, score, index) of the keys most like `key`. A large index is
        narrowed first by shared trigrams (numpy), then scored exactly."""
        if self._grams is None:
            return process.extract(key, self._keys, scorer=fuzz.ratio, limit=limit, score_cutoff=SUGGEST)
        import numpy as np

        lists = [self._grams[g] for g in _trigrams(key) if g in self._grams]
        if not lists:
            return []
        counts = np.bincount(np.concatenate(lists), minlength=len(self._keys))
        # keys sharing nearly as many trigrams as the best one (a typo breaks up to three)
        top = np.flatnonzero(counts >= max(1, int(counts.max()) - 4))
        if len(top) > PREFILTER:
            top = top[np.argpartition(counts[top], -PREFILTER)[-PREFILTER:]]
        sub = [self._keys[i] for i in top]
        return [(kk, sc, int(top[j])) for kk, sc, j in
                process.extract(key, sub, scorer=fuzz.ratio, limit=limit, score_cutoff=SUGGEST)]

    def _fuzzy(self, q: str) -> Match:
        c, s = compact(q), _sorted_words(q)
        scored: dict[int | str, float] = {}
        for key in (c, s):
            if not key:
                continue
            for _k, score, idx in self._candidates(key, 12):
                eid = self._owners[idx]
                if score > scored.get(eid, 0):
                    scored[eid] = score
        # a query that is the start of a name ("gemini 2.5") deserves a suggestion too
        if len(c) >= 3:
            for key, eid in self.prefixed(c, 20):
                if eid not in scored:
                    scored[eid] = SUGGEST + 10 * len(c) / max(len(key), 1)
        if not scored:
            return Match("none", query=q)
        # closeness in edits (a swap of two letters is one edit) breaks near-ties
        edits = {eid: min(OSA.distance(c, k) for k in self._keys_of(eid)) for eid in scored}
        ranked = sorted(scored, key=lambda e: (-scored[e], edits[e], -self.entries[e].weight))
        best_id, best = ranked[0], scored[ranked[0]]
        second_id = ranked[1] if len(ranked) > 1 else None
        second = scored[second_id] if second_id is not None else 0.0
        suggestions = [(self.entries[i].name, round(scored[i], 1)) for i in ranked[:3]]
        clear_winner = best - second >= MARGIN or (second_id is not None and edits[best_id] < edits[second_id])
        one_edit = edits[best_id] <= 1 and len(c) >= 2 and (second_id is None or edits[second_id] > 1)
        qw = _words(q)
        # a versioned name spelt in known words ("alm 2": ALM's) is no typo of another name (PaLM 2)
        spelt = bool(qw) and qw <= self._words and bool(re.search(r"\d", q))
        keeps = any(same_model(q, sp) and (not spelt or qw <= _words(sp)) for sp in self._spellings.get(best_id, ()))
        if keeps and ((best >= ACCEPT and clear_winner) or one_edit):
            return Match("fuzzy", self.entries[best_id], suggestions=suggestions, query=q)
        return Match("ambiguous" if best >= SUGGEST else "none", suggestions=suggestions, query=q)

    def _keys_of(self, eid: int | str) -> list[str]:
        return self._spelled.get(eid, [])

    def prefixed(self, prefix: str, limit: int) -> list[tuple[str, int | str]]:
        i = bisect.bisect_left(self._sorted, (prefix,))
        out: list[tuple[str, int | str]] = []
        while i < len(self._sorted) and len(out) < limit and self._sorted[i][0].startswith(prefix):
            out.append(self._sorted[i])
            i += 1
        return out

    def complete(self, prefix: str, limit: int = 25) -> list[str]:
        """Names for an autocomplete box: names starting with what was typed
        first, then fuzzy matches."""
        prefix = prefix[:MAX_QUERY]
        p = fold(prefix)
        if not p:
            ranked = sorted(self.entries.values(), key=lambda e: (e.weight, e.date or ""), reverse=True)
            return [e.name for e in ranked[:limit]]
        out: list[str] = []
        pc = compact(prefix)
        starts = list({self.entries[eid].name: self.entries[eid] for _k, eid in self.prefixed(pc, limit * 4)}.values())
        starts.sort(key=lambda e: (-e.weight, e.name))
        out.extend(e.name for e in starts[:limit])
        if len(out) < limit:
            m = process.extract(pc, self._keys, scorer=fuzz.partial_ratio, limit=limit * 3, score_cutoff=60)
            for _k, _s, idx in m:
                name = self.entries[self._owners[idx]].name
                if name not in out:
                    out.append(name)
                if len(out) >= limit:
                    break
        return out[:limit]
