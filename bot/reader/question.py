"""The question being read: its tokens, what each token was taken for, and
the passes that take them (names first, then times and quantities).

1. *Names first*: the longest run of words the model lookup resolves with
   confidence (exact name or alias, same after normalising, a model family,
   the first words of a name) becomes a model, so the numbers in ``GPT-4``,
   ``Llama 3.1 405B``, ``o3`` or ``Qwen2.5-72B`` are spent before any number
   is read. A lone family word ("qwen", "claude") is a family. Then
   categories and benchmarks, countries, adjectives and regions ("Chinese",
   "from France", "u.s.", "European"), organisations ("who makes",
   "OpenAI's"), open/closed. Misspelt names are tried last, with the lookup's
   fuzzy matcher, only on words that are no known word.
2. *Times and quantities* from what is left: dates, months, years, "this
   year", "last month", "since 2024", "right now"; numbers with their units
   and direction ("above 1400 elo", "60% on mmlu", "under 10B parameters",
   "cheaper than $1", "top 5").

Every token ends up taken (by a name, a time, a quantity, the command word)
or left over; the rules read the left-over words for cues, and
:func:`bot.reader.parts.unknown` lists the content words nothing used.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from rapidfuzz.distance import OSA

from bot.reader import words
from bot.reader.lexicon import CUE_WORDS, Lexicon
from bot.reader.reading import Found, Quantity, Time
from bot.reader.tokens import is_modelish, number, phrase_index, tokenise

MAX_SPAN = 8  # words in the longest model name tried
# each intent's cue words as one pattern: " (cue|cue|...) " found in the space-padded text
_CUE_RES = {intent: re.compile(" (?:" + "|".join(re.escape(c) for c in sorted(cues, key=len, reverse=True)) + ") ")
            for intent, cues in words.CUES.items()}
# a line that starts with a command word reads it as this cue
LEAD_CUES = {"top": "top", "race": "ai race", "gap": "gap", "small": "smallest", "count": "how many",
             "compare": "vs", "model": "about", "org": "about", "country": "about", "compute": "compute",
             "frontier": "frontier", "timeline": "timeline", "facts": "ai index", "sources": "sources",
             "help": "help", "changes": "what changed", "price": "price", "cheapest": "cheapest", "depth": "in the top"}


_SMALL_INT = re.compile(r"[0-9]{1,4}")
_AGO = {"day": 1, "week": 7, "month": 30, "year": 365}  # "3 months ago", "a year ago"


def same_numbers(words: list[str], name: str) -> bool:
    """Whether every number typed in `words` is a number of the model's name:
    a misspelt "gemnii 2.5" may be Gemini 2.5, "gemini 5" is no Gemini 3."""
    have = set(re.findall(r"\d+(?:\.\d+)?", name.lower()))
    return all(x in have for w in words for x in re.findall(r"\d+(?:\.\d+)?", w))


def _day(tok: str) -> int | None:
    """A day of the month as typed ("30", "30th", "1st"), else None."""
    m = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?", tok)
    return int(m.group(1)) if m and 1 <= int(m.group(1)) <= 31 else None


# ---------------------------------------------------------------------------
# the reader
# ---------------------------------------------------------------------------
# words after a number that make it a quantity, not a version ("chatgpt 2 years ago", "o3 5 points")
UNIT_WORDS = frozenset("""year years month months week weeks day days hour hours ago pct percent points pts elo
b bn billion million trillion k x times models""".split())

# a word after a name that carries the name on: a version ("3.1", "v4", "r2") or a glued word and
# number ("owl3" after mplug): the name asked is one the data lacks, not the shorter name matched
NAME_GOES_ON = re.compile(r"[a-z]?\d{1,2}(\.\d+)?|[a-z]{2,}\d{1,2}")


class Question:
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
        self._cues: dict[tuple[str, str], bool] = {}
        self._texts: tuple[str, str] | None = None  # (rest_text, all_text) once settled
        self.notes: list[str] = []    # how a word was read, for the answer's first line ("free" as open weights)
        self.unknown_names: list[str] = []  # words written as a model's name that name no model ("gpt-7")

    # -- bookkeeping ------------------------------------------------------------------------
    def free(self, i: int, n: int = 1) -> bool:
        end = i + n
        return end <= len(self.toks) and not any(self.taken[i:end])  # taken: None, or what took it

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
        for ws in phrase_index(phrases).get(self.toks[i], ()):
            n = len(ws)
            if n > best and self.toks[i:i + n] == ws and self.free(i, n):
                best = n
        return best

    def rest(self) -> list[str]:
        return [t for t, k in zip(self.toks, self.taken) if k is None]

    def rest_text(self) -> str:
        if self._texts is not None:
            return self._texts[0]
        return " " + " ".join(self.rest()) + " " + LEAD_CUES.get(self.lead or "", self.lead or "") + " "

    def all_text(self) -> str:
        if self._texts is not None:
            return self._texts[1]
        return " " + " ".join(self.toks) + " "

    def settle(self) -> None:
        """Every pass has run: the words and what took them no longer change (the texts are kept)."""
        self._texts = None
        self._texts = (self.rest_text(), self.all_text())

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
                    if n == 1 and (span[0] in words.FILLER or number(span[0]) or len(span[0]) < 2):
                        continue
                    if n > 1 and span[0] in words.FILLER and span[0] not in lex.family_words and \
                            not (is_modelish("".join(span)) and lex.spelled(span)):
                        continue
                    if n > 1 and span[-1] in words.QUESTION_WORDS:
                        continue
                    if n > 1 and re.fullmatch(r"(19|20)\d\d", span[-1]) and not lex.spelled(span):
                        continue  # "gpt-4o 2024" is a model and a year; "command-r-08-2024" is a name
                    word = span[0]
                    if n == 1 and word in lex.family_words and not re.search(r"\d", word):
                        longer = self.family_member(i)
                        if longer:
                            hit = longer
                            break
                        version = self.word(i + 1)
                        if re.fullmatch(r"[a-z]?\d{1,2}(\.\d+)?", version) and self.taken[i + 1] in (None, "quantity") \
                                and self.word(i + 2) not in UNIT_WORDS:
                            # "claude 7", "gpt 6", "deepseek r2": a version of the family that no model has
                            self.take(i, 2, "unknown name")
                            self.unknown_names.append(f"{word} {version}")
                            hit = 2
                            break
                        org = lex.org_exact([word])
                        self.add("family", word, i, 1, org=org)
                        hit = 1
                        break
                    if n == 1 and (word in lex.countries or word in words.CATEGORIES or word in words.BENCHMARKS
                                   or word in words.TYPO_TARGETS or word in words.ARENA_WORDS or word in words.MONTHS
                                   or word in words.LANGUAGES or word in words.NUMBER_WORDS):
                        continue
                    eid = lex.model_exact(span)
                    if eid is None and n == 1 and is_modelish(word) and lex.begins_family(word) \
                            and lex.models.prefixed(word, 1):
                        self.add("family", word, i, 1)  # "qwen3", "claude4": the names that begin so
                        hit = 1
                        break
                    if eid is not None:
                        if n == 1 and lex.org_exact(span) and not is_modelish(word):
                            continue  # "openai", "anthropic": the organisation
                        if n == 1 and not is_modelish(word) and not self.known_word_name(word, eid):
                            continue  # "fast", "goat": a word before it is a model nobody asks about
                        after = self.word(i + n)
                        if NAME_GOES_ON.fullmatch(after) and self.taken[i + n] in (None, "quantity") \
                                and self.word(i + n + 1) not in UNIT_WORDS:
                            # "alphafold 3.1", "chatgpt 9": a version of a name that has none in the data
                            self.take(i, n + 1, "unknown name")
                            self.unknown_names.append(" ".join(toks[i:i + n + 1]))
                            hit = n + 1
                            break
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
            if j < k and re.fullmatch(r"[a-z]?\d{1,2}(\.\d+)?", self.toks[j]):
                continue  # "chai 1.1": the name without its version would be another model
            eid = self.lex.model_fuzzy(" ".join(self.toks[i:j]))
            if eid is not None and same_numbers(self.toks[i:j], self.lex.name(eid)):
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

    def read_flags(self) -> None:
        """Flag emojis: their country, unless the flag only decorates that country's language named as an
        Arena category ("best ai in french? 🇫🇷")."""
        langs = {f.value.split()[0] for f in self.found if f.kind == "category"}
        for i, t in enumerate(self.toks):
            if t.startswith("flag:") and self.free(i):
                name = words.FLAGS.get(t[5:], "")
                c = self.lex.countries.get(name)
                if c and not any(words.LANGUAGE_OF.get(lang) == c for lang in langs):
                    self.add("country", c, i, 1)
                else:
                    self.take(i, 1, "flag")

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
                if text in words.LANGUAGES and self.language_at(i):
                    continue  # "best at chinese": the language, an Arena category
                self.add("country", c, i, n)
                break

    def language_at(self, i: int) -> bool:
        """Whether the language adjective at i names the language ("best at chinese", "speaks korean",
        "the french board"), not the country's models ("chinese models")."""
        nxt = self.word(i + 1)
        if nxt in words.LANGUAGE_AFTER:
            return True
        if nxt in words.COUNTRY_AFTER:
            return False
        # "speaks the best korean": a verb of language a few words before
        return self.word(i - 1) in words.LANGUAGE_BEFORE or any(self.word(i - k) in words.LANGUAGE_VERBS for k in (2, 3))

    def read_orgs(self) -> None:
        toks = self.toks
        for i in range(len(toks)):
            for n in (4, 3, 2, 1):
                if not self.free(i, n):
                    continue
                span = toks[i:i + n]
                if (span[0] in words.FILLER and span[0] != "open") or span[-1] in words.FILLER or number(span[0]):
                    continue
                if n == 1 and (span[0] in words.CATEGORIES or span[0] in words.BENCHMARKS or span[0] in words.LANGUAGES):
                    continue
                org = self.lex.org_exact(span)
                if org:
                    self.add("org", org, i, n)
                    break

    def read_categories_and_benchmarks(self) -> None:
        toks = self.toks
        has_pct = any(re.fullmatch(r"\d+(\.\d+)?", t) and self.word(j + 1) == "pct" for j, t in enumerate(toks))
        for i in range(len(toks)):
            n = self.phrase_at(i, words.BENCHMARKS)
            if n:
                text = " ".join(toks[i:i + n])
                self.add("benchmark", self.lex.benchmark(words.BENCHMARKS[text]), i, n)
                continue
            n = self.phrase_at(i, words.ARENA_WORDS)
            if n:
                self.add("arena", "arena", i, n)
                continue
            n = self.phrase_at(i, words.CATEGORIES)
            if n:
                text = " ".join(toks[i:i + n])
                cat = words.CATEGORIES[text]
                if cat == "math" and has_pct:
                    self.add("benchmark", self.lex.benchmark("math level 5"), i, n)
                elif text in ("code", "writing", "dev", "software", "instructions", "creative") and \
                        self.word(i - 1) not in ("in", "at", "for", "on", "of"):
                    continue  # "writing code", "code name": not a category unless "best at writing"
                else:
                    self.add("category", cat, i, n)
                continue
            if self.free(i) and toks[i] in words.LANGUAGES and self.language_at(i):
                # "best at chinese": the language, as the commands name its category ("top chinese prompts";
                # a bare "chinese" in a command means China's models)
                self.add("category", f"{toks[i]} prompts", i, 1)

    def read_access(self) -> None:
        toks = self.toks
        for i in range(len(toks)):
            n = self.phrase_at(i, words.OPEN_PHRASES)
            if n:
                if n == 1 and toks[i] == "open" and self.word(i + 1) in ("ai", "ended", "question", "to", "up"):
                    continue
                self.add("access", "open", i, n)
                continue
            n = self.phrase_at(i, words.CLOSED_PHRASES)
            if n:
                self.add("access", "closed", i, n)
                continue
            n = self.phrase_at(i, words.FREE_PHRASES)
            if n and not any(f.kind == "access" for f in self.found):
                self.add("access", "open", i, n)
                self.notes.append("“free” read as open weights (free to download and run); API prices: `cheapest`")

    def fix_typos(self) -> bool:
        """Unknown words one or two edits from a cue word or a family name
        ("smalest", "deepsek", "gemni") become that word. True if a family
        name was among them (the names are read again)."""
        targets = self.lex.typo_targets
        again = False
        for i, t in enumerate(self.toks):
            if self.taken[i] is not None or len(t) < 4 or t in CUE_WORDS or number(t) or t.startswith("date:") \
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
            if not self.free(i) or toks[i] in CUE_WORDS or number(toks[i]) or toks[i].startswith("date:"):
                continue
            for n in (3, 2, 1):
                span = toks[i:i + n]
                if not self.free(i, n) or any(t in CUE_WORDS or t.startswith("date:") for t in span[1:]):
                    continue
                c = "".join(span)
                if len(c) < 4 or (n > 1 and not any(is_modelish(t) or t in lex.family_words for t in span)):
                    continue
                eid = lex.model_fuzzy(" ".join(span))
                after = self.word(i + n)
                if eid is not None and NAME_GOES_ON.fullmatch(after) \
                        and self.taken[i + n] in (None, "quantity") and self.word(i + n + 1) not in UNIT_WORDS:
                    self.take(i, n + 1, "unknown name")  # "chai 1.1": a version of a name that has none
                    self.unknown_names.append(" ".join(toks[i:i + n + 1]))
                    break
                if eid is not None and same_numbers(span, lex.name(eid)):
                    self.add("model", lex.name(eid), i, n)
                    break
                if eid is not None and n == 1 and is_modelish(c):
                    self.take(i, 1, "unknown name")  # "gpt7", "grok9": written as a name, naming no model
                    self.unknown_names.append(c)
                    break
                if n == 1 and not is_modelish(c):
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
            n_now = self.phrase_at(i, words.NOW_WORDS)
            if n_now:  # "right now": the latest data, no date
                self.take(i, n_now, "time")
                i += n_now
                continue
            if t.startswith("date:"):
                raw, n = t[5:], 1
            elif self.word(i + 2) == "ago" and self.word(i + 1).rstrip("s") in _AGO and \
                    (t in ("a", "one") or _SMALL_INT.fullmatch(t) and 0 < int(t) <= 100 or t in words.NUMBER_WORDS):
                k = 1 if t in ("a", "one") else int(t) if _SMALL_INT.fullmatch(t) else words.NUMBER_WORDS[t]
                raw, n = (today - timedelta(days=k * _AGO[self.word(i + 1).rstrip("s")])).isoformat(), 3
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
            elif _day(t) and self.word(i + 1) in words.MONTHS and re.fullmatch(r"(19|20)\d\d", self.word(i + 2)):
                raw, n = f"{self.word(i + 2)}-{words.MONTHS[self.word(i + 1)]:02d}-{_day(t):02d}", 3  # "30 march 2025"
            elif re.fullmatch(r"q[1-4]", t) and re.fullmatch(r"(19|20)\d\d", self.word(i + 1)):
                raw, n = f"{self.word(i + 1)}-{int(t[1]) * 3:02d}", 2  # "q1 2025": as of its last month
            elif t in ("ytd",):
                raw, since, n = f"{today.year}-01-01", True, 1
            elif t in words.MONTHS and (t != "may" or re.fullmatch(r"(19|20)\d\d", self.word(i + 1))
                                    or prev in ("in", "since", "of", "from", "until", "before")) and \
                    (t != "march" or prev in ("in", "since", "of", "from", "until", "before", "on")
                     or re.fullmatch(r"(19|20)\d\d", self.word(i + 1))
                     or (_day(self.word(i + 1)) and re.fullmatch(r"(19|20)\d\d", self.word(i + 2)))):
                mo = words.MONTHS[t]
                day = _day(self.word(i + 1))
                if day and re.fullmatch(r"(19|20)\d\d", self.word(i + 2)):  # "march 30 2025"
                    raw, n = f"{self.word(i + 2)}-{mo:02d}-{day:02d}", 3
                elif re.fullmatch(r"(19|20)\d\d", self.word(i + 1)):
                    raw, n = f"{self.word(i + 1)}-{mo:02d}", 2
                else:
                    y = today.year if mo <= today.month else today.year - 1
                    raw, n = f"{y}-{mo:02d}", 1
            elif re.fullmatch(r"(19|20)\d\d", t) and 1950 <= int(t) <= 2100:
                raw, n = t, 1
                mod, back = prev, 1
                if prev == "of" and self.word(i - 2) in words.TIME_WORDS:
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
            num = number(t)
            if num and self.word(i + 1) == "pct" and self.word(i + 2) in ("ci", "cis", "confidence", "interval",
                                                                             "intervals", "credible"):
                self.take(i, 2, "interval")  # "95% CI": the interval asked for, no threshold
                continue
            word_n = None
            if num is None and t in words.NUMBER_WORDS and (self.word(i - 1) in ("top", "first", "best")
                                                        or self.word(i + 1) in ("best", "top", "biggest", "largest")):
                word_n = words.NUMBER_WORDS[t]
            if num is None and word_n is None:
                continue
            value, suffix = num if num else (float(word_n or 0), None)
            op = "="
            for k in (3, 2, 1):
                back = " ".join(toks[max(0, i - k):i])
                if back in words.MORE:
                    op = ">="
                    break
                if back in words.LESS:
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
        key = (intent, hay)
        hit = self._cues.get(key)
        if hit is None:
            hit = self._cues[key] = _CUE_RES[intent].search(hay) is not None
        return hit

    def q(self, kind: str) -> Quantity | None:
        return next((x for x in self.quantities if x.kind == kind), None)

    @classmethod
    def parse(cls, question: str, lex: Lexicon, today: date, *, commands: bool = True) -> "Question":
        """The question with every pass run: names, categories, countries,
        organisations, open/closed, times, typos, misspelt names, quantities."""
        q = cls(question, lex, today)
        if commands and q.toks and q.toks[0] in lex.commands:
            # "top models for coding", "model gpt-4o": the command word is a cue, not a name
            q.taken[0] = "command"
            q.lead = lex.commands[q.toks[0]]
        q.read_models()
        q.read_categories_and_benchmarks()
        q.read_countries()
        q.read_flags()
        q.read_orgs()
        q.read_access()
        q.read_times()
        if q.fix_typos():
            q.read_models()
        q.read_categories_and_benchmarks()  # a misspelt category, now spelt ("cdoing")
        q.read_fuzzy_names()
        q.read_quantities()
        q.settle()
        return q
