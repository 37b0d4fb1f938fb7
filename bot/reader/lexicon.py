"""The lexicon: the names a question is read against (models, families,
organisations, countries, benchmarks, the Arena board), prepared once per
data version from the bot's own lookup indexes and read model.

Built by the commands layer (``bot.commands.ask.lexicon_for``), which knows
the read model; the reader itself never touches the database.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from rapidfuzz.distance import OSA

from bot.reader import words
from bot.store.linking import parse_name
from bot.domain.normalize import COUNTRY_ALIASES, compact, fold

if TYPE_CHECKING:  # pragma: no cover
    from bot.lookup import Index

# every word of a cue, of the filler and of the typo targets: never a name on its own
CUE_WORDS = frozenset({w for cs in words.CUES.values() for c in cs for w in c.split()} | words.FILLER | set(words.TYPO_TARGETS)
                      | set(words.MONTHS) | set(words.NUMBER_WORDS) | words.TIME_WORDS)


class Lexicon:
    """Names the reader resolves against: the model and organisation lookup
    indexes, countries, benchmarks and the Arena board, with the derived
    tables the reader needs (family words, the best-rated model of a family)."""

    def __init__(self, models: "Index", orgs: "Index", *, countries: list[str], benchmarks: list[str],
                 ratings: dict[Any, float], commands: dict[str, str], makers: dict[Any, Any] | None = None,
                 variants: set[Any] | frozenset[Any] = frozenset()):
        self.models = models
        self.makers = makers or {}    # model id -> its organisation (a family is its maker's)
        self.variants = variants      # ids of models that are a variant of another (thinking, high, preview ...)
        self.orgs = orgs
        self.benchmarks = benchmarks
        self.ratings = ratings        # model id -> latest Arena score (for "the best of a family")
        self.commands = commands      # registered command names (their aliases are often plain words)
        self.countries: dict[str, str] = {}
        for alias, canon in COUNTRY_ALIASES.items():
            if alias not in ("ca", "de", "fr", "states", "the us", "cn", "jp", "kr", "multinational"):
                self.countries[fold(alias)] = canon
        for c in countries:
            self.countries.setdefault(fold(c), c)
        self.countries.update({"usa": "United States", "us": "United States", "america": "United States",
                               "united states of america": "United States", "murica": "United States",
                               "mainland china": "China", "south korea": "South Korea", "s korea": "South Korea",
                               "uk": "United Kingdom", "eu": "Europe", "europe": "Europe", "european": "Europe",
                               "emirati": "United Arab Emirates", "canadian": "Canada", "israeli": "Israel"})
        # first words of model names that name a family when they stand alone ("qwen", "llama")
        # (two or more names, one of them on Arena; never a word of the questions themselves)
        self.family_words = {w for w, es in models.by_first.items()
                             if len(es) >= 2 and w not in CUE_WORDS and not w.isdigit() and len(w) >= 3
                             and any(models.entries[e].weight >= 1 for _t, e in es)}
        self.typo_targets = sorted(set(words.TYPO_TARGETS) | {w for w in self.family_words if len(w) >= 5})
        self._family_best: dict[str, str | None] = {}
        self._starts: dict[str, bool] = {}
        self._fuzzy_cache: dict[tuple[str, str], Any] = {}

    # -- models -------------------------------------------------------------------
    def model_exact(self, words: list[str]) -> Any | None:
        """The model a run of words names without guessing: a name or alias,
        the same normalised, a family (its newest member) or the first words
        of a name. None when it names nothing for sure."""
        idx = self.models
        text = " ".join(words)
        eid = idx.exact.get(text)
        if eid is not None:
            return eid
        c = text.replace(" ", "")
        ids = idx.compact.get(c)
        if ids:
            return idx._best_of(ids)[0].id
        key = parse_name(text).key
        ids = idx.family.get(key) or idx.family.get(c.replace(".", ""))
        if ids:
            return idx._best_of(ids)[0].id
        if len(words) > 1:
            cands = [(len(toks) - len(words), e) for toks, e in idx.by_first.get(words[0], ())
                     if len(toks) > len(words) and list(toks[:len(words)]) == words]
            if cands:
                cands.sort(key=lambda x: (x[0], -idx.entries[x[1]].weight))
                return cands[0][1]
        return None

    def starts_name(self, word: str) -> bool:
        """Whether some model's name (normalised, spaces out) begins with `word`."""
        if word not in self._starts:
            if len(self._starts) > 20_000:
                self._starts.clear()
            self._starts[word] = bool(self.models.prefixed(word, 1))
        return self._starts[word]

    def spelled(self, words: list[str]) -> bool:
        """Whether the words are a model's name or alias exactly (after normalising)."""
        text = " ".join(words)
        return text in self.models.exact or text.replace(" ", "") in self.models.compact

    def _cache_room(self) -> None:
        if len(self._fuzzy_cache) > 20_000:  # what users type is unbounded; the cache is not
            self._fuzzy_cache.clear()

    def model_fuzzy(self, text: str) -> Any | None:
        key = ("m", text)
        if key not in self._fuzzy_cache:
            self._cache_room()
            m = self.models._fuzzy(text)
            self._fuzzy_cache[key] = m.entry.id if m.status == "fuzzy" and m.entry is not None else None
        return self._fuzzy_cache[key]

    def org_fuzzy(self, text: str) -> str | None:
        key = ("o", text)
        if key not in self._fuzzy_cache:
            self._cache_room()
            m = self.orgs._fuzzy(text)
            ok = m.status == "fuzzy" and m.suggestions and m.suggestions[0][1] >= 85
            self._fuzzy_cache[key] = m.entry.name if ok and m.entry is not None else None
        return self._fuzzy_cache[key]

    def begins_family(self, word: str) -> bool:
        """Whether `word` is a family name with a version glued on ("qwen3", "llama4")."""
        m = re.match(r"[a-z]+", word)
        return bool(m and m.group(0) in self.family_words and len(m.group(0)) >= 3)

    def country_fuzzy(self, word: str) -> str | None:
        """A misspelt country ("chna", "germnay"): one edit from a country name
        of four letters or more (two edits from one of seven or more)."""
        limit = 1 if len(word) < 7 else 2
        for name, canon in self.countries.items():
            if len(name) >= 4 and " " not in name and abs(len(name) - len(word)) <= limit and \
                    OSA.distance(word, name, score_cutoff=limit) <= limit:
                return canon
        return None

    def name(self, eid: Any) -> str:
        return self.models.entries[eid].name

    def arena_score(self, name: str) -> float | None:
        """The model's score on the latest Arena board (None when that board does not rate it)."""
        ids = [e.id for e in self.models.entries.values() if e.name == name]
        return next((self.ratings[i] for i in ids if i in self.ratings), None)

    def best_of_family(self, word: str) -> str | None:
        """A family word read as one model: the best rated on Arena now among
        the models whose name begins with it and that its maker made (the
        organisation with most of them: "llama" is Meta's, not a fine-tune
        another lab named after it), else the newest."""
        if word not in self._family_best:
            idx = self.models
            ids = {eid for _k, eid in idx.prefixed(compact(word), 400)}
            ids |= {eid for _t, eid in idx.by_first.get(word, ())}
            es = [idx.entries[i] for i in ids]
            made = Counter(self.makers.get(e.id) for e in es if self.makers.get(e.id) is not None)
            if made:
                maker = min(made, key=lambda o: (-made[o], str(o)))  # the most models (a tie: the lower id)
                es = [e for e in es if self.makers.get(e.id) in (maker, None)]
            # a family's own models, not their thinking, high or preview variants (each named on its own)
            es = [e for e in es if e.id not in self.variants] or es
            best = max(es, key=lambda e: (self.ratings.get(e.id, 0), e.date or "", e.weight), default=None)
            self._family_best[word] = best.name if best else None
        return self._family_best[word]

    def first_of_family(self, word: str) -> str | None:
        """The earliest dated model whose name begins with the family word ("the first llama")."""
        idx = self.models
        ids = {eid for _t, eid in idx.by_first.get(word, ())} | {eid for _k, eid in idx.prefixed(compact(word), 400)}
        dated = [idx.entries[i] for i in ids if idx.entries[i].date]
        return min(dated, key=lambda e: (e.date, e.name)).name if dated else None

    def org_exact(self, words: list[str]) -> str | None:
        idx = self.orgs
        text = " ".join(words)
        eid = idx.exact.get(text)
        if eid is None:
            ids = idx.compact.get(text.replace(" ", ""))
            eid = next(iter(ids)) if ids and len(ids) == 1 else None
        return idx.entries[eid].name if eid is not None else None

    def benchmark(self, word: str) -> str:
        """A benchmark word -> the store's name for it when the data has it, else the word."""
        w = fold(word)
        for test in (lambda b: fold(b) == w, lambda b: fold(b).startswith(w), lambda b: w in fold(b)):
            hits = [b for b in self.benchmarks if test(b)]
            if hits:
                return sorted(hits, key=len)[0]
        return word
