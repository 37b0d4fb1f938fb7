"""The question reader: plain words -> one command line of an existing command.

Pure and deterministic: :func:`read` takes the question, a :class:`Lexicon`
(built once per data version from the bot's own lookup indexes and read
model) and today's date, and returns a :class:`Reading`: what is asked (the
intent), the command line that answers it, whether the reading is sure, and
up to three filled-in commands to offer when it is not. It never touches
Discord, the network or the database.

How it reads, in order:

1. *Tokens*: lower case, accents and emojis dropped, ``u.s.``/``u.k.`` made
   one word, possessives cut ("OpenAI's"), ``$1``, ``60%``, ``>1400``, ``#1``
   and ISO dates turned into words the later steps know.
2. *Names first*: the longest run of words the model lookup resolves with
   confidence (exact name or alias, same after normalising, a model family,
   the first words of a name) becomes a model, so the numbers in ``GPT-4``,
   ``Llama 3.1 405B``, ``o3`` or ``Qwen2.5-72B`` are spent before any number
   is read. A lone family word ("qwen", "claude") is a family. Then
   countries, adjectives and regions ("Chinese", "from France", "u.s.",
   "European"), organisations ("who makes", "OpenAI's"), Arena categories,
   benchmarks, open/closed. Misspelt names are tried last, with the lookup's
   fuzzy matcher, only on words that are no known word.
3. *Times and quantities* from what is left: dates, months, years, "this
   year", "last month", "since 2024", "right now"; numbers with their units
   and direction ("above 1400 elo", "60% on mmlu", "under 10B parameters",
   "cheaper than $1", "top 5").
4. *What is asked*, from cue words over what is left, in a fixed order of
   rules (a question that names two models and says "vs" is a comparison
   before it is anything else); each rule fills the command's arguments.
5. *How sure*: a rule with its cue and its arguments, and few unknown words
   left over, is sure; otherwise the reading only offers suggestions.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from rapidfuzz.distance import OSA

from bot.commands import reader_words as W
from bot.commands.registry import REGISTRY
from bot.store.linking import parse_name
from bot.store.normalize import COUNTRY_ALIASES, compact, fold
from bot.store.validate import scaled, small_float

if TYPE_CHECKING:  # pragma: no cover
    from bot.commands.context import Context
    from bot.lookup import Index

MAX_SPAN = 8  # words in the longest model name tried
MAX_CHARS = 400  # a question longer than this is read from its first 400 characters
# a line that starts with a command word reads it as this cue
LEAD_CUES = {"top": "top", "race": "ai race", "gap": "gap", "small": "smallest", "count": "how many",
             "compare": "vs", "model": "about", "org": "about", "country": "about", "compute": "compute",
             "frontier": "frontier", "timeline": "timeline", "facts": "ai index", "sources": "sources",
             "help": "help", "changes": "what changed", "price": "price", "cheapest": "cheapest", "depth": "in the top"}
# every word of a cue, of the filler and of the typo targets: never a name on its own
CUE_WORDS = frozenset({w for cs in W.CUES.values() for c in cs for w in c.split()} | W.FILLER | set(W.TYPO_TARGETS)
                      | set(W.MONTHS) | set(W.NUMBER_WORDS) | W.TIME_WORDS)


# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------
@dataclass
class Found:
    """One thing named in the question, over tokens [start, end)."""

    kind: str      # model | family | org | country | category | benchmark | arena | access
    value: str     # the canonical name: a model, an organisation, a country, "coding", "open"
    start: int
    end: int
    org: str | None = None  # a family word that is also an organisation ("deepseek", "mistral")


@dataclass
class Quantity:
    kind: str      # elo | pct | params | usd | flop | n | number
    value: float
    op: str        # >= | <= | =
    text: str

    def show(self) -> str:
        v = f"{self.value:g}"
        if self.kind == "pct":
            return f"{v}%"
        if self.kind == "params":
            return _params_word(self.value)
        if self.kind == "usd":
            return f"${v}"
        return v


@dataclass
class Time:
    kind: str      # asof | since
    raw: str       # YYYY, YYYY-MM or YYYY-MM-DD
    words: str     # what the user wrote


@dataclass
class Reading:
    question: str
    intent: str                 # what is asked (see INTENTS)
    command: str | None         # the command line that answers it
    sure: bool
    suggestions: list[str] = field(default_factory=list)
    found: list[Found] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    time: Time | None = None
    aspect: str | None = None   # for a model: maker | release | size | compute | cost | scores | open
    unknown: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("tokens", None)
        return d

    def names(self, *kinds: str) -> list[str]:
        return [f.value for f in self.found if f.kind in kinds]


INTENTS = ("compare", "gap", "race", "leader", "depth", "count", "maker", "release", "size", "compute",
           "cost", "price", "scores", "model", "small", "cheap", "trend", "frontier", "changes", "org", "country",
           "timeline", "facts", "sources", "help", "unknown")


def _params_word(v: float) -> str:
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if v >= size:
            return f"{v / size:g}{unit}"
    return f"{v:g}"


# ---------------------------------------------------------------------------
# the lexicon: the bot's own names, prepared once per data version
# ---------------------------------------------------------------------------
class Lexicon:
    """Names the reader resolves against: the model and organisation lookup
    indexes, countries, benchmarks and the Arena board, with the derived
    tables the reader needs (family words, the best-rated model of a family)."""

    def __init__(self, models: "Index", orgs: "Index", *, countries: list[str], benchmarks: list[str],
                 ratings: dict[Any, float], commands: dict[str, str], makers: dict[Any, Any] | None = None):
        self.models = models
        self.makers = makers or {}    # model id -> its organisation (a family is its maker's)
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
        self.typo_targets = sorted(set(W.TYPO_TARGETS) | {w for w in self.family_words if len(w) >= 5})
        self._family_best: dict[str, str | None] = {}
        self._starts: dict[str, bool] = {}
        self._fuzzy_cache: dict[tuple[str, str], Any] = {}

    @classmethod
    def from_context(cls, ctx: "Context") -> "Lexicon":
        """The lexicon of the context's data version (cached on the read model)."""
        facts = ctx.read
        cached = getattr(facts, "_reader_lexicon", None)
        if cached is not None and cached.models is ctx.models:
            return cached
        latest = facts.latest
        ratings = {r.model_id: r.score for r in facts.board(latest)} if latest else {}
        lex = cls(ctx.models, ctx.orgs, countries=ctx.known_countries(), benchmarks=list(facts.benchmarks),
                  ratings=ratings, commands={n: n for n in REGISTRY},
                  makers={mid: m.get("org_id") for mid, m in facts.models.items()})
        try:
            facts._reader_lexicon = lex
        except AttributeError:  # pragma: no cover - a read model with slots
            pass
        return lex

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
            self._fuzzy_cache[key] = m.entry.id if m.status == "fuzzy" else None
        return self._fuzzy_cache[key]

    def org_fuzzy(self, text: str) -> str | None:
        key = ("o", text)
        if key not in self._fuzzy_cache:
            self._cache_room()
            m = self.orgs._fuzzy(text)
            ok = m.status == "fuzzy" and m.suggestions and m.suggestions[0][1] >= 85
            self._fuzzy_cache[key] = m.entry.name if ok else None
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


# ---------------------------------------------------------------------------
# tokens
# ---------------------------------------------------------------------------
_ISO = re.compile(r"(?<![\w-])((?:19|20)\d\d)[-/](\d{1,2})(?:[-/](\d{1,2}))?\b")


def tokenise(question: str) -> list[str]:
    """Lower-case words; ISO dates become ``date:YYYY-MM[-DD]`` tokens."""
    t = unicodedata.normalize("NFKC", question[:MAX_CHARS]).replace("’", "'").replace("‘", "'").lower()
    t = re.sub(r"\bu\.\s?s\.\s?a\.(?![a-z])|\bu\.\s?s\.?(?![a-z])", " usa ", t)
    t = re.sub(r"\bu\.\s?k\.?(?![a-z])", " uk ", t)
    t = re.sub(r"\be\.\s?u\.?(?![a-z])", " eu ", t)
    t = re.sub(r"'s\b|'re\b|'ve\b|'ll\b|'d\b", "", t)
    t = re.sub(r"n't\b", " not", t)
    t = re.sub(r"(\d),(\d{3})\b", r"\1\2", t)
    t = re.sub(r"\$\s*(\d+(?:\.\d+)?)\s*([kmb]\b)?", r" \1\2 usd ", t)
    t = re.sub(r"(\d)\s*(?:%|percent\b|pct\b)", r"\1 pct ", t)
    t = re.sub(r"(?<![\w./])(\d+(?:\.\d+)?)\+(?=\s|$|[?!.,])", r" above \1 ", t)
    t = re.sub(r">=?|≥|=>", " above ", t)
    t = re.sub(r"<=?|≤|=<", " under ", t)
    t = re.sub(r"#\s*(\d+)", r" number \1 ", t)
    t = re.sub(r"\bno\.\s*(\d+)\b", r" number \1 ", t)
    dates: list[str] = []

    def keep(m: re.Match) -> str:
        y, mo, d = m.group(1), int(m.group(2)), m.group(3)
        if not 1 <= mo <= 12:
            return m.group(0)
        dates.append(f"{y}-{mo:02d}" + (f"-{int(d):02d}" if d else ""))
        return f" zzdate{len(dates) - 1}zz "

    t = _ISO.sub(keep, t)
    out = []
    for tok in fold(t).split():
        m = re.fullmatch(r"zzdate(\d+)zz", tok)
        out.append(f"date:{dates[int(m.group(1))]}" if m else W.SHORT_FIXES.get(tok, tok))
    return out


_NUM = re.compile(r"^(\d+(?:\.\d+)?)(k|m|b|bn|t)?$")
_SCI = re.compile(r"^(\d+(?:\.\d+)?)e(\d+)$")


def _number(tok: str) -> tuple[float, str | None] | None:
    m = _NUM.match(tok)
    if m:  # bounded: never a big integer, never infinity (bot.store.validate)
        v = small_float(m.group(1))
        return (v, m.group(2)) if v is not None else None
    m = _SCI.match(tok)
    if m:
        v = scaled(m.group(1), m.group(2))
        return (v, "e") if v is not None else None
    return None


def _is_modelish(tok: str) -> bool:
    """A word that looks like part of a model name: letters and digits mixed."""
    return bool(re.search(r"[a-z]", tok) and re.search(r"\d", tok)) and not tok.startswith("date:")


_PHRASES: dict[int, dict[str, list[list[str]]]] = {}


def _phrase_index(phrases) -> dict[str, list[list[str]]]:
    """Phrases by their first word (built once per phrase table)."""
    key = id(phrases)
    if key not in _PHRASES:
        index: dict[str, list[list[str]]] = {}
        for p in phrases:
            ws = p.split()
            index.setdefault(ws[0], []).append(ws)
        _PHRASES[key] = index
    return _PHRASES[key]


# ---------------------------------------------------------------------------
# the reader
# ---------------------------------------------------------------------------
class _Q:
    """The question being read: tokens and what each one was taken for."""

    def __init__(self, question: str, lex: Lexicon, today: date):
        self.question = question
        self.lex = lex
        self.today = today
        self.toks = tokenise(question)
        self.taken: list[str | None] = [None] * len(self.toks)
        self.found: list[Found] = []
        self.quantities: list[Quantity] = []
        self.time: Time | None = None
        self.lead: str | None = None  # the command word the line started with, if any

    # -- bookkeeping ------------------------------------------------------------------------
    def free(self, i: int, n: int = 1) -> bool:
        return i + n <= len(self.toks) and all(self.taken[j] is None for j in range(i, i + n))

    def take(self, i: int, n: int, what: str) -> None:
        for j in range(i, i + n):
            self.taken[j] = what

    def add(self, kind: str, value: str, i: int, n: int, org: str | None = None) -> None:
        self.found.append(Found(kind, value, i, i + n, org))
        self.take(i, n, kind)

    def word(self, i: int) -> str:
        return self.toks[i] if 0 <= i < len(self.toks) else ""

    def phrase_at(self, i: int, phrases) -> int:
        """Length of the longest phrase of `phrases` starting at free token i, else 0."""
        if self.taken[i] is not None:
            return 0
        best = 0
        for ws in _phrase_index(phrases).get(self.toks[i], ()):
            n = len(ws)
            if n > best and self.toks[i:i + n] == ws and self.free(i, n):
                best = n
        return best

    def rest(self) -> list[str]:
        return [t for t, k in zip(self.toks, self.taken) if k is None]

    def rest_text(self) -> str:
        return " " + " ".join(self.rest()) + " " + LEAD_CUES.get(self.lead or "", self.lead or "") + " "

    def all_text(self) -> str:
        return " " + " ".join(self.toks) + " "

    # -- passes ------------------------------------------------------------------------------
    def read_models(self) -> None:
        lex, toks = self.lex, self.toks
        i = 0
        while i < len(toks):
            hit = 0
            if self.free(i) and not toks[i].startswith("date:"):
                longest = min(MAX_SPAN, len(toks) - i) if lex.starts_name(toks[i]) else 1
                for n in range(longest, 0, -1):
                    span = toks[i:i + n]
                    if not self.free(i, n) or any(t.startswith("date:") for t in span):
                        continue
                    if n == 1 and (span[0] in W.FILLER or _number(span[0]) or len(span[0]) < 2):
                        continue
                    if n > 1 and span[0] in W.FILLER and span[0] not in lex.family_words and \
                            not (_is_modelish("".join(span)) and lex.spelled(span)):
                        continue
                    if n > 1 and span[-1] in W.QUESTION_WORDS:
                        continue
                    if n > 1 and re.fullmatch(r"(19|20)\d\d", span[-1]) and not lex.spelled(span):
                        continue  # "gpt-4o 2024" is a model and a year; "command-r-08-2024" is a name
                    word = span[0]
                    if n == 1 and word in lex.family_words and not re.search(r"\d", word):
                        longer = self.family_member(i)
                        if longer:
                            hit = longer
                            break
                        org = lex.org_exact([word])
                        self.add("family", word, i, 1, org=org)
                        hit = 1
                        break
                    if n == 1 and (word in lex.countries or word in W.CATEGORIES or word in W.BENCHMARKS
                                   or word in W.TYPO_TARGETS or word in W.ARENA_WORDS or word in W.MONTHS
                                   or word in W.LANGUAGES or word in W.NUMBER_WORDS):
                        continue
                    eid = lex.model_exact(span)
                    if eid is None and n == 1 and _is_modelish(word) and lex.begins_family(word) \
                            and lex.models.prefixed(word, 1):
                        self.add("family", word, i, 1)  # "qwen3", "claude4": the names that begin so
                        hit = 1
                        break
                    if eid is not None:
                        if n == 1 and lex.org_exact(span) and not _is_modelish(word):
                            continue  # "openai", "anthropic": the organisation
                        if n == 1 and not _is_modelish(word) and not self.known_word_name(word, eid):
                            continue  # "fast", "goat": a word before it is a model nobody asks about
                        self.add("model", lex.name(eid), i, n)
                        hit = n
                        break
            i += hit or 1

    def family_member(self, i: int) -> int:
        """A family word followed by words that are no known word ("gemini
        ultra"): the member the lookup's fuzzy matcher reads, if it is sure."""
        k = i + 1
        while k < len(self.toks) and k - i <= 3 and self.free(k) and self.toks[k] not in CUE_WORDS \
                and not self.toks[k].startswith("date:") and self.toks[k] not in self.lex.countries:
            k += 1
        for j in range(k, i + 1, -1):
            eid = self.lex.model_fuzzy(" ".join(self.toks[i:j]))
            if eid is not None:
                self.add("model", self.lex.name(eid), i, j - i)
                return j - i
        return 0

    def known_word_name(self, word: str, eid: Any) -> bool:
        """A one-word name read as that model: it is on the Arena board (people
        ask about those), or it is written as a name (capitalised) and is no
        word the reader knows."""
        if self.lex.models.entries[eid].weight >= 1:
            return True
        if word in CUE_WORDS:
            return False
        return bool(re.search(rf"\b{re.escape(word)}\b", self.question, re.I)) and \
            not re.search(rf"\b{re.escape(word)}\b", self.question)

    def read_countries(self) -> None:
        toks = self.toks
        for i in range(len(toks)):
            for n in (3, 2, 1):
                if not self.free(i, n):
                    continue
                text = " ".join(toks[i:i + n])
                c = self.lex.countries.get(text)
                if not c:
                    continue
                if text == "us" and self.word(i - 1) in ("tell", "show", "give", "let", "help", "teach", "send",
                                                          "for", "to", "with", "lets", "get", "bring", "of"):
                    continue
                if text in W.LANGUAGES and self.word(i - 1) in ("in", "at", "for", "on") and \
                        self.word(i + 1) not in ("model", "models", "lab", "labs", "company", "companies", "ai",
                                                 "llm", "llms", "side", "one", "ones"):
                    continue  # "best at chinese": the language, an Arena category
                self.add("country", c, i, n)
                break

    def read_orgs(self) -> None:
        toks = self.toks
        for i in range(len(toks)):
            for n in (4, 3, 2, 1):
                if not self.free(i, n):
                    continue
                span = toks[i:i + n]
                if (span[0] in W.FILLER and span[0] != "open") or span[-1] in W.FILLER or _number(span[0]):
                    continue
                if n == 1 and (span[0] in W.CATEGORIES or span[0] in W.BENCHMARKS or span[0] in W.LANGUAGES):
                    continue
                org = self.lex.org_exact(span)
                if org:
                    self.add("org", org, i, n)
                    break

    def read_categories_and_benchmarks(self) -> None:
        toks = self.toks
        has_pct = any(re.fullmatch(r"\d+(\.\d+)?", t) and self.word(j + 1) == "pct" for j, t in enumerate(toks))
        for i in range(len(toks)):
            n = self.phrase_at(i, W.BENCHMARKS)
            if n:
                text = " ".join(toks[i:i + n])
                self.add("benchmark", self.lex.benchmark(W.BENCHMARKS[text]), i, n)
                continue
            n = self.phrase_at(i, W.ARENA_WORDS)
            if n:
                self.add("arena", "arena", i, n)
                continue
            n = self.phrase_at(i, W.CATEGORIES)
            if n:
                text = " ".join(toks[i:i + n])
                cat = W.CATEGORIES[text]
                if cat == "math" and has_pct:
                    self.add("benchmark", self.lex.benchmark("math level 5"), i, n)
                elif text in ("code", "writing", "dev", "software", "instructions", "creative") and \
                        self.word(i - 1) not in ("in", "at", "for", "on", "of"):
                    continue  # "writing code", "code name": not a category unless "best at writing"
                else:
                    self.add("category", cat, i, n)
                continue
            if self.free(i) and toks[i] in W.LANGUAGES and self.word(i - 1) in ("in", "at", "for", "on") and \
                    self.word(i + 1) not in ("model", "models", "lab", "labs", "company", "companies", "ai", "llm",
                                             "llms", "side", "one", "ones"):
                # "best at chinese": the language, as the commands name its category ("top chinese prompts";
                # a bare "chinese" in a command means China's models)
                self.add("category", f"{toks[i]} prompts", i, 1)

    def read_access(self) -> None:
        toks = self.toks
        for i in range(len(toks)):
            n = self.phrase_at(i, W.OPEN_PHRASES)
            if n:
                if n == 1 and toks[i] == "open" and self.word(i + 1) in ("ai", "ended", "question", "to", "up"):
                    continue
                self.add("access", "open", i, n)
                continue
            n = self.phrase_at(i, W.CLOSED_PHRASES)
            if n:
                self.add("access", "closed", i, n)

    def fix_typos(self) -> bool:
        """Unknown words one or two edits from a cue word or a family name
        ("smalest", "deepsek", "gemni") become that word. True if a family
        name was among them (the names are read again)."""
        targets = self.lex.typo_targets
        again = False
        for i, t in enumerate(self.toks):
            if self.taken[i] is not None or len(t) < 4 or t in CUE_WORDS or _number(t) or t.startswith("date:") \
                    or re.search(r"\d", t) or t in self.lex.countries:
                continue
            limit = 1 if len(t) < 8 else 2
            best = min(targets, key=lambda w: (OSA.distance(t, w, score_cutoff=limit + 1), -len(w)))
            d = OSA.distance(t, best)
            if d <= limit and abs(len(best) - len(t)) <= limit and (len(t) >= 5 or len(best) > len(t)):
                self.toks[i] = best
                again = again or best in self.lex.family_words
        return again

    def read_fuzzy_names(self) -> None:
        """Misspelt names, on words that are no known word, as the lookup's fuzzy matcher reads them."""
        toks, lex = self.toks, self.lex
        for i in range(len(toks)):
            if not self.free(i) or toks[i] in CUE_WORDS or _number(toks[i]) or toks[i].startswith("date:"):
                continue
            for n in (3, 2, 1):
                span = toks[i:i + n]
                if not self.free(i, n) or any(t in CUE_WORDS or t.startswith("date:") for t in span[1:]):
                    continue
                c = "".join(span)
                if len(c) < 4 or (n > 1 and not any(_is_modelish(t) or t in lex.family_words for t in span)):
                    continue
                eid = lex.model_fuzzy(" ".join(span))
                if eid is not None:
                    self.add("model", lex.name(eid), i, n)
                    break
                if n == 1 and not _is_modelish(c):
                    ctry = lex.country_fuzzy(c)
                    if ctry:
                        self.add("country", ctry, i, 1)
                        break
                    org = lex.org_fuzzy(c) if len(c) >= 7 else None
                    if org:
                        self.add("org", org, i, 1)
                        break

    def read_times(self) -> None:
        toks, today = self.toks, self.today
        i = 0
        while i < len(toks):
            if not self.free(i):
                i += 1
                continue
            prev = self.word(i - 1)
            since = prev in ("since", "from", "after")
            before = prev in ("before", "until", "till")
            t = toks[i]
            raw, n = None, 0
            n_now = self.phrase_at(i, W.NOW_WORDS)
            if n_now:  # "right now": the latest data, no date
                self.take(i, n_now, "time")
                i += n_now
                continue
            if t.startswith("date:"):
                raw, n = t[5:], 1
            elif t in ("this", "last", "past", "previous") and self.word(i + 1) in ("year", "month", "week", "12"):
                unit = self.word(i + 1)
                if unit == "year":
                    raw = str(today.year if t == "this" else today.year - 1)
                    if t == "past":
                        raw, since = (today - timedelta(days=365)).isoformat(), True
                elif unit == "month":
                    first = today.replace(day=1)
                    if t == "this":
                        raw = first.isoformat()[:7]
                    else:
                        prevm = first - timedelta(days=1)
                        raw = prevm.isoformat()[:7]
                elif unit == "week":
                    raw, since = (today - timedelta(days=7)).isoformat(), True
                n = 2
                if unit == "12" and self.word(i + 2) == "months":
                    raw, since, n = (today - timedelta(days=365)).isoformat(), True, 3
            elif re.fullmatch(r"q[1-4]", t) and re.fullmatch(r"(19|20)\d\d", self.word(i + 1)):
                raw, n = f"{self.word(i + 1)}-{int(t[1]) * 3:02d}", 2  # "q1 2025": as of its last month
            elif t in ("ytd",):
                raw, since, n = f"{today.year}-01-01", True, 1
            elif t in W.MONTHS and (t != "may" or re.fullmatch(r"(19|20)\d\d", self.word(i + 1))
                                    or prev in ("in", "since", "of", "from", "until", "before")) and \
                    (t != "march" or prev in ("in", "since", "of", "from", "until", "before")
                     or re.fullmatch(r"(19|20)\d\d", self.word(i + 1))):
                mo = W.MONTHS[t]
                if re.fullmatch(r"(19|20)\d\d", self.word(i + 1)):
                    raw, n = f"{self.word(i + 1)}-{mo:02d}", 2
                else:
                    y = today.year if mo <= today.month else today.year - 1
                    raw, n = f"{y}-{mo:02d}", 1
            elif re.fullmatch(r"(19|20)\d\d", t) and 1950 <= int(t) <= 2100:
                raw, n = t, 1
                mod, back = prev, 1
                if prev == "of" and self.word(i - 2) in W.TIME_WORDS:
                    mod, back = self.word(i - 2), 2
                    if self.word(i - 3) == "the":
                        back = 3
                months = {"early": "03", "start": "01", "beginning": "01", "mid": "06", "middle": "06",
                          "summer": "08", "spring": "05", "end": "12", "late": "12", "fall": "10", "autumn": "10",
                          "winter": "12"}
                if mod in months and self.free(i - back, back):
                    raw = f"{t}-{months[mod]}"
                    self.take(i - back, back, "time")
                    since = self.word(i - back - 1) in ("since", "from", "after")
                    before = self.word(i - back - 1) in ("before", "until", "till")
            if raw is None:
                i += 1
                continue
            if before:
                # "before 2025": as of the day before it starts
                start = date.fromisoformat((raw + "-01-01")[:10] if len(raw) == 4 else
                                           (raw + "-01")[:10] if len(raw) == 7 else raw)
                raw = (start - timedelta(days=1)).isoformat()
            self.take(i, n, "time")
            if self.time is None:
                self.time = Time("since" if since else "asof", raw, " ".join(toks[i:i + n]))
            i += n

    def read_quantities(self) -> None:
        toks = self.toks
        for i, t in enumerate(toks):
            if not self.free(i):
                continue
            num = _number(t)
            word_n = None
            if num is None and t in W.NUMBER_WORDS and (self.word(i - 1) in ("top", "first", "best")
                                                        or self.word(i + 1) in ("best", "top", "biggest", "largest")):
                word_n = W.NUMBER_WORDS[t]
            if num is None and word_n is None:
                continue
            value, suffix = num if num else (float(word_n), None)
            op = "="
            for k in (3, 2, 1):
                back = " ".join(toks[max(0, i - k):i])
                if back in W.MORE:
                    op = ">="
                    break
                if back in W.LESS:
                    op = "<="
                    break
            nxt, nxt2 = self.word(i + 1), self.word(i + 2)
            used = [i]
            kind = "number"
            if nxt == "pct":
                kind = "pct"
                used.append(i + 1)
            elif nxt == "usd" or self.word(i - 1) == "usd":
                kind = "usd"
                used.append(i + 1 if nxt == "usd" else i - 1)
                if suffix in ("k", "m", "b", "bn"):
                    value *= {"k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9}[suffix]
            elif suffix == "e" or nxt in ("flop", "flops"):
                kind = "flop"
                if nxt in ("flop", "flops"):
                    used.append(i + 1)
            elif suffix in ("b", "bn", "t", "m") and suffix != "k":
                kind = "params"
                value *= {"b": 1e9, "bn": 1e9, "t": 1e12, "m": 1e6}[suffix]
                if nxt in ("parameters", "params", "param", "parameter"):
                    used.append(i + 1)
            elif nxt in ("billion", "trillion", "million", "b", "bn", "t"):
                kind = "params"
                value *= {"billion": 1e9, "b": 1e9, "bn": 1e9, "trillion": 1e12, "t": 1e12,
                          "million": 1e6}[nxt]
                used.append(i + 1)
                if nxt2 in ("parameters", "params", "param", "parameter"):
                    used.append(i + 2)
            elif nxt in ("elo", "points", "pts", "arena") or self.word(i - 1) == "elo":
                kind = "elo"
                if nxt in ("elo", "points", "pts"):
                    used.append(i + 1)
            elif nxt in ("parameters", "params"):
                kind = "params"
                used.append(i + 1)
            elif self.word(i - 1) in ("top", "first", "best") or nxt in ("best", "top", "biggest", "largest",
                                                                          "strongest", "leading"):
                kind = "n"
            elif suffix is None and op != "=" and 800 <= value <= 2000:
                kind = "elo"
            elif suffix is None and op != "=" and value <= 100 and any(f.kind == "benchmark" for f in self.found):
                kind = "pct"
            elif suffix is None and value <= 100 and (nxt in ("models", "model") or self.word(i - 1) == "number"):
                kind = "n"
            for j in used:
                if 0 <= j < len(toks):
                    self.taken[j] = "quantity"
            self.quantities.append(Quantity(kind, value, op, " ".join(toks[min(used):max(used) + 1])))

    # -- cues ---------------------------------------------------------------------------------
    def cue(self, intent: str, text: str | None = None) -> bool:
        hay = text if text is not None else self.rest_text()
        return any(f" {c} " in hay for c in W.CUES[intent])

    def q(self, kind: str) -> Quantity | None:
        return next((x for x in self.quantities if x.kind == kind), None)


def read(question: str, lex: Lexicon, today: date | None = None, *, commands: bool = True) -> Reading:
    """Read one question; see the module docstring for how. With `commands`,
    a line that starts with a command's name or alias reads the rest with
    that command as the cue ("top models for coding" -> ``top 10 coding``)."""
    today = today or date.today()
    q = _Q(question, lex, today)
    if commands and q.toks and q.toks[0] in lex.commands:
        # "top models for coding", "model gpt-4o": the command word is a cue, not a name
        q.taken[0] = "command"
        q.lead = lex.commands[q.toks[0]]
    q.read_models()
    q.read_categories_and_benchmarks()
    q.read_countries()
    q.read_orgs()
    q.read_access()
    q.read_times()
    if q.fix_typos():
        q.read_models()
    q.read_fuzzy_names()
    q.read_quantities()
    return _decide(q)


# ---------------------------------------------------------------------------
# what is asked -> the command line
# ---------------------------------------------------------------------------
def _date_arg(q: _Q) -> str:
    return f" {q.time.raw}" if q.time and q.time.kind == "asof" else ""


def _model_names(q: _Q, org_families: bool = True) -> list[str]:
    """The models named, a family word read as its best-rated model; with
    `org_families` False, family words that also name an organisation
    ("deepseek", "openai") are left to be organisations."""
    out = []
    for f in sorted(q.found, key=lambda f: f.start):
        if f.kind == "model":
            out.append(f.value)
        elif f.kind == "family" and (org_families or not f.org):
            first = re.search(r" (first|original|oldest|earliest) ", q.all_text())
            best = q.lex.first_of_family(f.value) if first else q.lex.best_of_family(f.value)
            if best:
                out.append(best)
    return list(dict.fromkeys(out))


def _sides(q: _Q) -> list[str]:
    """Countries, organisations and open/closed, in the order named."""
    out = []
    for f in sorted(q.found, key=lambda f: f.start):
        if f.kind in ("country", "org", "access"):
            out.append(f.value)
        elif f.kind == "family" and f.org:
            out.append(f.org)
    return list(dict.fromkeys(out))


def _unknown(q: _Q) -> list[str]:
    """Words left over that the reader does not know: the fewer, the surer."""
    return [t for t in q.rest() if t not in CUE_WORDS and not _number(t)
            and t not in W.MORE and t not in W.LESS and t not in ("pct", "usd", "plus", "number")
            and t not in W.TYPO_TARGETS]


def _top_n(q: _Q, plural_default: int = 10) -> int:
    n = q.q("n") or next((x for x in q.quantities if x.kind == "number" and x.value == int(x.value)
                          and 1 <= x.value <= 25 and x.op == "="), None)
    if n:
        return max(1, min(25, int(n.value)))
    text = q.all_text()
    plural = bool(re.search(r" (models|llms|ones|leaders|leaderboard|ranking|rankings|list|ais|systems|chatbots) ",
                            text))
    if re.search(r" (the|is|who|which|what) (best|top|strongest|smartest|leading|number 1|1st) ", text) and not plural:
        return 1
    if re.search(r" (who|which) ", text) and not plural:
        return 1
    return plural_default if plural else 1


def _filters(q: _Q, *, with_org: bool = True) -> str:
    parts = []
    bench = next((f.value for f in q.found if f.kind == "benchmark"), None)
    cat = next((f.value for f in q.found if f.kind == "category"), None)
    if bench:
        parts.append(bench)
    elif cat:
        parts.append(cat)
    acc = next((f.value for f in q.found if f.kind == "access"), None)
    if acc:
        parts.append(acc)
    for f in q.found:
        if f.kind == "country":
            parts.append(f.value)
            break
    if with_org:
        org = next((f.value for f in q.found if f.kind == "org"), None) or \
            next((f.org for f in q.found if f.kind == "family" and f.org), None)
        if org:
            parts.append(org)
    p = q.q("params")
    if p and p.op != "=":
        parts.append(("under " if p.op == "<=" else "over ") + p.show())
    return " ".join(parts)


def _suggest(q: _Q) -> list[str]:
    models, sides = _model_names(q), _sides(q)
    out: list[str] = []
    if len(models) >= 2:
        out.append("compare " + " vs ".join(models[:6]))
    for m in models[:2]:
        out.append(f"model {m}")
    for f in q.found:
        if f.kind == "country":
            out += [f"top 5 {f.value}", f"country {f.value}", f"gap {f.value}"]
        elif f.kind == "org":
            out += [f"org {f.value}", f"top 5 {f.value}"]
        elif f.kind == "category":
            out.append(f"top 10 {f.value}")
        elif f.kind == "benchmark":
            out.append(f"top 10 {f.value}")
        elif f.kind == "access":
            out += [f"top 5 {f.value}", "gap closed open"]
    if len(sides) >= 2:
        out.insert(0, f"gap {sides[0]} vs {sides[1]}")
    if not out:
        out = ["race", "top 10", "gap us china"]
    return list(dict.fromkeys(out))[:3]


def _decide(q: _Q) -> Reading:
    intent, command, strong, aspect = _rules(q)
    unknown = _unknown(q)
    dropped = [x for x in q.quantities if x.kind in ("elo", "pct", "params", "usd", "flop")
               and command and not _carried(x, command)]
    if intent == "unknown" or dropped:
        sure = False  # never answer while ignoring a number that was asked about
    elif strong:
        sure = len(unknown) <= 1
    else:
        sure = not unknown
    return Reading(q.question, intent, command, sure, [] if sure else _suggest(q), q.found, q.quantities,
                   q.time, aspect, unknown, q.toks)


def _carried(x: Quantity, command: str) -> bool:
    """Whether the command line carries the quantity (its number, as shown)."""
    words = command.lower().split()
    return x.show().lower() in words or f"{x.value:g}" in words or f"{x.value:g}%" in words


def _model_aspect(q: _Q) -> str | None:
    text = q.rest_text()
    trained = re.search(r" (train|training|trained|to make|develop|developing) ", text)
    if trained and re.search(r" (cost|costs|expensive|spent|spend|money|dollars|usd|budget) ", text):
        return "cost"
    for aspect in ("maker", "price", "compute", "size", "release", "scores", "open"):
        if aspect == "open" and not any(f.kind == "access" for f in q.found):
            continue
        if aspect == "price" and trained:
            continue
        if aspect == "open" or q.cue(aspect, text):
            return aspect
    if any(f.kind == "benchmark" or f.kind == "arena" for f in q.found):
        return "scores"
    return None


def _rules(q: _Q) -> tuple[str, str | None, bool, str | None]:
    """(intent, command line, strong, aspect) by the first rule that fits."""
    text = q.rest_text()
    models, sides = _model_names(q, org_families=False), _sides(q)
    every_model = _model_names(q)
    countries = [f.value for f in q.found if f.kind == "country"]
    orgs = [f.value for f in q.found if f.kind == "org"]
    access = [f.value for f in q.found if f.kind == "access"]
    cats = [f.value for f in q.found if f.kind in ("category", "benchmark")]
    when = _date_arg(q)
    since = q.time.raw if q.time and q.time.kind == "since" else None

    # what changed: "what happened this year", "what's new since march"
    if q.cue("changes") and not models and not (q.cue("count") and q.cue("leader")) and \
            not ((q.cue("gap") or q.cue("compare")) and sides):
        start = since or (q.time.raw if q.time else None)
        if start and len(start) == 4:
            start = f"{start}-01-01"
        elif start and len(start) == 7:
            start = f"{start}-01"
        return "changes", "changes" + (f" since {start}" if start else ""), True, None

    if q.cue("help") and not (models or sides or cats) and not q.cue("leader"):
        return "help", "help", True, None
    if q.cue("sources") and not (models or sides or cats) and re.search(
            r" (data|source|sources|dataset|licen[cs]e|credits) ", q.all_text()):
        return "sources", "sources", True, None

    # two or more models: a comparison (or the smallest beating one of them)
    fam_only = len(every_model) > len(models)  # a family word that is also a maker ("meta", "deepseek")
    if len(every_model) >= 2 and models and not q.cue("small") and (not fam_only or q.cue("compare") or q.cue("gap")):
        return "compare", "compare " + " vs ".join(every_model[:6]) + when, True, None
    # a family that is also a maker ("qwen", "deepseek"): a model when a model's aspect is asked
    if not models and len(every_model) == 1 and not countries and not q.cue("count") and _model_aspect(q) in (
            "maker", "release", "size", "compute", "cost", "price", "scores", "open"):
        models = every_model

    # one model: what about it
    if len(models) == 1 and not countries and not (q.cue("small") or q.cue("cheap")):
        m = models[0]
        aspect = _model_aspect(q)
        if aspect == "price":
            return "price", f"price {m}", True, aspect
        if aspect in ("maker", "release", "size", "compute", "cost", "scores"):
            return aspect, f"model {m}{when}", True, aspect
        # "is gpt-4o the best?", "how does claude rank": its Arena rank is in the model card
        if q.cue("leader") or q.cue("about") or aspect == "open":
            return "model", f"model {m}{when}", True, aspect
        if sides and (q.cue("compare") or q.cue("gap")):
            pass  # "gpt-4o vs china": not a thing; fall through to unsure
        else:
            return "model", f"model {m}{when}", not _unknown(q), aspect

    # smallest: "smallest model that beats gpt-4", "smallest model above 60% on gpqa"
    smallest = re.search(r" (smallest|tiniest|smaller|how small|fewest parameters|least parameters) ", text) or \
        re.search(r" (small|tiny|little|compact|lightweight) (model|models|llm|llms|one|ones|open|ai) ", q.all_text())
    if smallest and len(sides) < 2:
        args = []
        pct_q, elo_q = q.q("pct"), q.q("elo")
        bench = next((f.value for f in q.found if f.kind == "benchmark"), None)
        if models:
            args.append(models[0])
            if bench:
                args.append(bench)
        elif pct_q:
            args += [f"{pct_q.value:g}%", bench or "gpqa"]
        elif elo_q:
            args += [f"{elo_q.value:g}", "arena"]
        elif bench:
            args.append(bench)
        elif any(f.kind == "arena" for f in q.found):
            args.append("arena")
        strong = bool(re.search(r" (smallest|tiniest|small|tiny|smaller|little) ", text))
        return "small", ("small " + " ".join(args)).strip(), strong, None

    # cheapest: "cheapest model above 1300 elo"; "cheapest model that beats gpt-4o": that model's
    # score on the latest board is the bar (`cheapest` takes a score); a model the latest board
    # does not rate sets no bar there, and the command line keeps its name, which `cheapest` refuses
    if q.cue("cheap") and (not models or re.search(r" (beat|beats|beating|better than|as good as|matches) ", text)):
        elo_q = q.q("elo")
        rival = q.lex.arena_score(models[0]) if models else None
        bar = (f"{rival:.0f}" if rival is not None else models[0]) if models else \
            (f"{elo_q.value:g}" if elo_q else "")
        return "cheap", ("cheapest " + bar).strip(), True, None

    # depth: "how many chinese models are in the top 20", "... in the top 10 for coding"; depth counts
    # every country, so a country needs no word; open/closed or a benchmark stay on the line, where
    # `depth` says it cannot take them rather than answer another question
    if q.cue("count") and (re.search(r" (in|inside|within|among|of) (the )?top ", q.all_text())):
        n = q.q("n") or q.q("number")
        extra = cats[:1] + access[:1]
        period = f" since {since}" if since else when
        return "depth", " ".join(["depth"] + ([f"{int(n.value)}"] if n else []) + extra) + period, True, None

    # counts: "how many models did china release in 2024"
    if q.cue("count") and not q.cue("size") and not q.cue("compute"):
        year = q.time.raw[:4] if q.time else ""
        fam_orgs = [f.org for f in q.found if f.kind == "family" and f.org]
        who = countries[0] if countries else (orgs or fam_orgs or [""])[0]
        by = ""
        if re.search(r" (per|by|each|every|which|what) (country|countries|nation|nations) ", q.all_text()) or \
                re.search(r" (which|what) (country|nation) ", q.all_text()):
            by = "by country"
        elif re.search(r" (per|by|each|which|what) (org|orgs|organisation|organization|lab|labs|company|companies) ",
                       q.all_text()):
            by = "by organisation"
        line = " ".join(x for x in ("count", year, who, by) if x)
        return "count", line, True, None

    # gap: two sides, or one side catching up
    gap_words = q.cue("gap") or q.cue("compare")
    if access and len(sides) >= 2 and not set(sides) <= {"open", "closed"}:
        sides = [x for x in sides if x not in ("open", "closed")]  # "best open model from china": a filter
    if len(sides) >= 2 and (gap_words or q.cue("leader")) and not re.search(r" (top|best) ", text) or \
            len(sides) >= 2 and re.search(r" (vs|versus|v|or|ahead|behind|gap|lead|catch|catching|beat|beating) ",
                                          text):
        a, b = sides[0], sides[1]
        if {a, b} == {"open", "closed"}:
            return "gap", f"gap closed vs open{when}", True, None
        return "gap", f"gap {a} vs {b}{when}", True, None
    catching = re.search(r" (catch|catching|caught|closing|behind|ahead|trail|trailing|gap|ever|overtake|overtaken|"
                         r"surpass|close the gap|keep up|keeping up) ", text)
    if len(sides) == 1 and not catching and re.search(r" (winning|win|wins|leading|lead|leads) ", text) and \
            not re.search(r" (who|which|what|best|top|whos) ", q.all_text()):
        catching = True  # "is the u.s. winning?"
    if len(sides) == 1 and catching and not (access and re.search(r" (best|top) ", text)):
        s = sides[0]
        if s in ("open", "closed"):
            return "gap", f"gap closed vs open{when}", True, None
        return "gap", f"gap {s}{when}", True, None

    # trend and doubling: "how fast is training compute growing"
    if (q.cue("trend") or q.cue("compute")) and not q.cue("count"):
        who = countries[0] if countries else (orgs[0] if orgs else "")
        if q.cue("compute") or re.search(r" (doubl\w*|scaling|scale) ", text):
            return "trend", ("compute " + who).strip() + when, True, None
        if q.cue("gap") or len(sides) >= 2:
            return "gap", f"gap {sides[0]} vs {sides[1]}" if len(sides) >= 2 else "gap us vs china", True, None

    # how close the frontier is
    if q.cue("frontier") and not (countries or orgs or access or cats) and not re.search(r" (best|closest to) ", text) \
            or re.search(r" (tighter|tightest|crowded|neck and neck|spread) ", text):
        ns = [x.value for x in q.quantities if x.kind in ("n", "number") and 2 <= x.value <= 100]
        return "frontier", "frontier" + (f" {int(max(ns))}" if ns else "") + when, True, None

    # the race between countries
    if re.search(r" (which|what) (country|nation) ", q.all_text()) or \
            (q.cue("race") and not (countries or orgs or access or cats) and (q.cue("leader") or q.cue("gap")
                                                                              or " race " in text)) or \
            re.search(r" (ai race|the race) ", q.all_text()) and not (countries or orgs or access or cats):
        return "race", "race" + when, True, None

    if re.search(r" (biggest|largest|most parameters) ", q.all_text()) and not models:
        return "unknown", None, False, None  # no command ranks models by size: say so, offer commands
    if cats and not (q.cue("leader") or q.q("n")) and re.search(r" (what is|what are|whats|explain|meaning) ",
                                                                    q.all_text()):
        return "unknown", None, False, None  # "what is gpqa": the bot does not explain benchmarks
    # leaders and leaderboards
    floor = q.q("elo")
    if q.cue("leader") or q.cue("gap") or (cats and not models) or q.q("n") or (floor and floor.op == ">="):
        n = _top_n(q)
        filters = _filters(q)
        floor = q.q("elo")
        if floor and floor.op == ">=" and not any(f.kind == "benchmark" for f in q.found):
            n = n if q.q("n") else 25  # "models above 1400 elo": all of them, up to 25
            filters = (filters + f" above {floor.value:g}").strip()
        line = " ".join(x for x in ("top", str(n), filters) if x) + when
        strong = q.cue("leader") or bool(cats) or bool(floor)
        return "leader", line, strong, None

    # timelines: "openai's releases", "history of deepseek"
    if q.cue("timeline") and (orgs or countries or sides):
        return "timeline", f"timeline {(orgs or countries or sides)[0]}", True, None
    if q.cue("release") and (orgs or countries) and re.search(r" (when|releases|released) ", text):
        return "timeline", f"timeline {(orgs or countries)[0]}", True, None

    if q.cue("facts"):
        topic = next((t for t in ("investment", "adoption", "cost") if re.search(rf" {t[:5]}\w* ", q.all_text())), "")
        return "facts", ("facts " + topic).strip(), True, None

    # just a name: what it is
    fam_orgs = [f.org for f in q.found if f.kind == "family" and f.org]
    if len(orgs) == 1 or (not orgs and len(fam_orgs) == 1 and countries):
        return "org", f"org {(orgs or fam_orgs)[0]}{when}", q.cue("about") or not _unknown(q), None
    if len(countries) == 1 and not orgs:
        return "country", f"country {countries[0]}{when}", q.cue("about") or not _unknown(q), None
    fam = [f for f in q.found if f.kind == "family"]
    if len(fam) == 1 and fam[0].org and not countries:
        return "org", f"org {fam[0].org}{when}", q.cue("about") or len(q.rest()) <= 1, None
    if len(sides) >= 2:
        a, b = sides[0], sides[1]
        return "gap", f"gap {a} vs {b}{when}", False, None
    if access and not models:
        return "leader", f"top 5 {access[0]}{when}", False, None
    return "unknown", None, False, None
