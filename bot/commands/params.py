"""Typed parameters: a handler's declared ``Param``s read its words.

Each parameter kind has a converter that takes one value from the words at a
position (``take(ctx, words, i, param) -> (value, words used) | None``). The
binder (:func:`bind`) walks the words once: at each position the declared
parameters are tried in the order of :data:`KIND_ORDER` (not the order the
user typed them), the first whose converter takes the word(s) gets them, and a
parameter already filled is not tried again. A word no parameter takes is a
usage error that names it. So the optional words may come in any order
(``top 5 open 2025`` is ``top 2025 open 5``), and a date in the middle is a
date (``top 5 2025-12-11 openai`` is OpenAI's top 5 on that day, not a
benchmark called "2025-12-11 openai").

Adding a kind: a converter here, one entry in :data:`KINDS` (its place in the
reading order and its slash option type). CONTRIBUTING.md, "How to add a
command", shows a handler that declares and reads them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, NamedTuple

from bot.domain.categories import OVERALL, find_category
from bot.commands.context import Args, Context, Usage
from bot.commands.grammar import GrammarError, When, words
from bot.commands.registry import Param
from bot.commands.sides import CLOSED_WORDS, OPEN_WORDS
from bot.domain.counted_boards import ALL_WORDS
from bot.domain.validate import parse_date, parse_number, small_float, small_int
from bot.domain.normalize import COUNTRY_ALIASES, country_name, fold, period_end

Taken = tuple[Any, int]  # (value, how many words it used)
Converter = Callable[[Context, list[str], int, Param, frozenset], "Taken | None"]


@dataclass(frozen=True)
class Period:
    """A date as asked: ``2025-02`` (data on or before its end), ``since 2024``
    (from its start on). ``when`` is the grammar's :class:`When`."""
    when: When
    since: bool = False

    @property
    def start(self) -> str | None:
        return self.when.start if self.since else None

    @property
    def until(self) -> str | None:
        return None if self.since else self.when.end


@dataclass(frozen=True)
class Bound:
    """A size bound: ``under 10B`` is ``("<=", 1e10)``."""
    op: str
    value: float


# ---------------------------------------------------------------------------- converters
_DATE = re.compile(r"\d{4}(?:[-/]\d{1,2}(?:[-/]\d{1,2})?)?")
_DATE_WORDS = {"as of": False, "as-of": False, "asof": False, "on": False, "in": False, "at": False,
               "until": False, "by": False, "since": True, "from": True}


def _when(raw: str) -> When | None:
    raw = raw.replace("/", "-")
    if not _DATE.fullmatch(raw) or not ("1950" <= raw[:4] <= "2100"):  # "top 1000": a count, not a year
        return None
    try:
        start, end = parse_date(raw), period_end(raw)
    except ValueError as exc:
        raise GrammarError(str(exc)) from None
    return When(raw, start, end) if start else None


def take_date(ctx: Context, ws: list[str], i: int, p: Param, kinds: frozenset[str]) -> Taken | None:
    """``2025-02-10``, ``2025-02``, ``2025``, with ``as of``/``on``/``in``/``until``/``by`` before
    it, or ``since``/``from`` (from that day on)."""
    for k in (2, 1):
        lead = fold(" ".join(ws[i:i + k])) if i + k < len(ws) else None
        if lead in _DATE_WORDS:
            when = _when(ws[i + k])
            if when:
                return Period(when, _DATE_WORDS[lead]), k + 1
    when = _when(ws[i])
    return (Period(when), 1) if when else None


def take_count(ctx: Context, ws: list[str], i: int, p: Param, kinds: frozenset[str]) -> Taken | None:
    """A whole number in ASCII digits; a huge one is the most there is (no big integer is made). With
    ``words`` the number follows one of them (``top 5``)."""
    lead = 1 if p.words else 0
    if lead and (fold(ws[i]) not in p.words or i + 1 >= len(ws)):
        return None
    w = ws[i + lead]
    if not (w.isascii() and w.isdigit()):
        return None
    v = small_int(w)
    return (v if v is not None else 10 ** 18), 1 + lead


def take_flag(ctx: Context, ws: list[str], i: int, p: Param, kinds: frozenset[str]) -> Taken | None:
    """One of the parameter's words (``all`` and its synonyms by default)."""
    return (True, 1) if ws[i].lower() in (p.words or ALL_WORDS) else None


def take_word(ctx: Context, ws: list[str], i: int, p: Param, kinds: frozenset[str]) -> Taken | None:
    """One of the parameter's words, as written in the declaration (noise words like ``arena``)."""
    f = fold(ws[i])
    return next(((w, 1) for w in p.words if fold(w) == f), None)


_OPEN, _CLOSED = {fold(x) for x in OPEN_WORDS}, {fold(x) for x in CLOSED_WORDS}


def take_access(ctx: Context, ws: list[str], i: int, p: Param, kinds: frozenset[str]) -> Taken | None:
    """``open``/``closed`` and their synonyms (``open weights``, ``proprietary``)."""
    for k in (2, 1):
        if i + k <= len(ws):
            t = fold(" ".join(ws[i:i + k]))
            if t in _OPEN or t in _CLOSED:
                return ("open" if t in _OPEN else "closed"), k
    return None


SIZE_WORDS = {"under": "<=", "below": "<=", "max": "<=", "over": ">=", "above": ">=", "min": ">="}


def size_of(word: str) -> float | None:
    """``10B`` -> 1e10: a parameter count with its unit (a bare number is not a size)."""
    if not re.fullmatch(r"\d+(\.\d+)?\s*[kmbt]", word.strip(), re.I):
        return None
    try:
        return parse_number(word)
    except ValueError:  # too long, or not finite: not a size
        return None


def take_size(ctx: Context, ws: list[str], i: int, p: Param, kinds: frozenset[str]) -> Taken | None:
    """``under 10B``, ``over 1T``: a bound on a model's parameters."""
    op = SIZE_WORDS.get(fold(ws[i]))
    v = size_of(ws[i + 1]) if op and i + 1 < len(ws) else None
    return (Bound(op, v), 2) if op and v else None


def take_threshold(ctx: Context, ws: list[str], i: int, p: Param, kinds: frozenset[str]) -> Taken | None:
    """``above 1400``: an Arena score (three or four digits) at or above which."""
    if fold(ws[i]) in ("above", "over", "min") and i + 1 < len(ws) and re.fullmatch(r"\d{3,4}", ws[i + 1]):
        return small_float(ws[i + 1]), 2
    return None


def take_score(ctx: Context, ws: list[str], i: int, p: Param, kinds: frozenset[str]) -> Taken | None:
    """A score (``1300``, ``1,300``, ``1312.5``), or ``above``/``over``/``min`` before it."""
    lead = 1 if fold(ws[i]) in ("above", "over", "min") and i + 1 < len(ws) else 0
    v = small_float(ws[i + lead].replace(",", ""))
    return (v, 1 + lead) if v is not None else None


def benchmark_exact(ctx: Context, text: str) -> bool:
    """`text` is a benchmark's full name (`gpqa` is not, `math` is not), so it is not a category."""
    w = fold(text)
    return any(fold(b) == w or fold(b).replace(" ", "") == w for b in ctx.read.benchmarks)


def take_category(ctx: Context, ws: list[str], i: int, p: Param, kinds: frozenset[str]) -> Taken | None:
    """An Arena category of one to three words (``coding``, ``creative writing``, ``chinese prompts``);
    when the command also takes a country or a benchmark, words that name a country or a benchmark's
    full name are left to those."""
    for k in (3, 2, 1):
        if i + k <= len(ws):
            part = " ".join(ws[i:i + k])
            c = find_category(ctx.read, part)
            if c and not ("country" in kinds and ctx.country(part)) \
                    and not ("benchmark" in kinds and benchmark_exact(ctx, part)):
                return c, k
    return None


def take_country(ctx: Context, ws: list[str], i: int, p: Param, kinds: frozenset[str]) -> Taken | None:
    """A country or a region, of one or two words (``south korea``, ``europe``); two words only when they
    name one exactly (a typo is forgiven in one word: ``chna``, never by swallowing the next word)."""
    if i + 2 <= len(ws):
        two = " ".join(ws[i:i + 2])
        c = COUNTRY_ALIASES.get(fold(two)) or ctx.read.country_by_fold.get(fold(country_name(two) or ""))
        if c:
            return c, 2
    c = ctx.country(ws[i])
    return (c, 1) if c else None


def take_benchmark(ctx: Context, ws: list[str], i: int, p: Param, kinds: frozenset[str]) -> Taken | None:
    """A benchmark's full name of up to four words (numbers included: ``math level 5``), else one or
    two words that name one (``gpqa``, ``gpqa diamond``)."""
    for k in (4, 3, 2):
        if i + k <= len(ws) and benchmark_exact(ctx, " ".join(ws[i:i + k])):
            return ctx.benchmark(" ".join(ws[i:i + k])), k
    for k in (2, 1):
        if i + k > len(ws) or any(_when(w) or w.isdigit() for w in ws[i + 1:i + k]):
            continue  # a count or a date after a benchmark's word is not part of its name
        if k == 2 and (find_category(ctx.read, ws[i + 1]) or ctx.country(ws[i + 1])):
            continue
        b = ctx.benchmark(ws[i]) if k == 1 else _named_benchmark(ctx, " ".join(ws[i:i + 2]))
        if b:
            return b, k
    return None


def _named_benchmark(ctx: Context, text: str) -> str | None:
    """A benchmark whose name is or starts with `text` (``gpqa diamond``, ``math level``); no fuzzy
    match, which would swallow the word after a benchmark's name (``frontiermath 01.ai``)."""
    w = fold(text)
    hits = [b for b in ctx.read.benchmarks if fold(b) == w] or [b for b in ctx.read.benchmarks
                                                                  if fold(b).startswith(w)]
    return sorted(hits, key=len)[0] if hits else None


def take_org(ctx: Context, ws: list[str], i: int, p: Param, kinds: frozenset[str]) -> Taken | None:
    """An organisation of up to three words (``Mistral AI``, ``Google DeepMind``): a longer name only
    when it is exact."""
    for k in (3, 2, 1):
        if i + k <= len(ws):
            m = ctx.orgs.resolve(" ".join(ws[i:i + k]))
            if m.found and m.status != "ambiguous" and (k == 1 or m.status == "exact"):
                return m.entry, k
    return None


@dataclass(frozen=True)
class Kind:
    name: str
    take: Converter | None  # None: the handler reads the words itself (text, model names, attachments)
    label: str = ""         # what a usage error says it expected
    slash: str = "str"      # the slash option's type: str | int | bool | attachment ("": no option)
    autocomplete: bool = False
    repeats: bool = False   # may be given more than once (``all``, filler words)
    lead: str = ""          # the word a slash option's bare number gets before it (``above`` 1400)


# The one list of parameter kinds. Its order is the reading order: at each word
# the first kind (among the command's unfilled parameters) whose converter takes it wins.
KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("date", take_date, "a date"),
    Kind("flag", take_flag, "`all`", "bool", repeats=True),
    Kind("word", take_word, "", "", repeats=True),  # filler: no slash option
    Kind("count", take_count, "a number", "int"),
    Kind("score", take_score, "a score (1300)"),
    Kind("size", take_size, "a size (under 10B)"),
    Kind("threshold", take_threshold, "a score (above 1400)", "int", lead="above"),
    Kind("access", take_access, "open or closed"),
    Kind("category", take_category, "an Arena category", autocomplete=True),
    Kind("country", take_country, "a country or region", autocomplete=True),
    Kind("benchmark", take_benchmark, "a benchmark", autocomplete=True),
    Kind("org", take_org, "an organisation", autocomplete=True),
    # read by the handler from the words (names with numbers and spaces, free text)
    Kind("int", None, "", "int"),
    Kind("model", None, autocomplete=True),
    Kind("models", None, autocomplete=True),
    Kind("command", None, autocomplete=True),
    Kind("text", None),
    Kind("attachment", None, "", "attachment"),
)}
KIND_ORDER = list(KINDS)
# The benchmark's full name is read before counts and categories ("math level 5", "math 500"):
# it is its own first step in the reading order.
_EARLY = {"benchmark": lambda ctx, ws, i, p, kinds: next(
    ((ctx.benchmark(" ".join(ws[i:i + k])), k) for k in (4, 3, 2, 1)
     if i + k <= len(ws) and benchmark_exact(ctx, " ".join(ws[i:i + k]))), None)}


@dataclass
class Values:
    """The parsed parameters: ``values.n``, ``values["category"]``; a parameter not given is its default.
    ``spent``: the words each parameter took, as typed."""
    given: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    spent: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in ("given", "defaults", "spent"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        if name in self.given:
            return self.given[name]
        return self.defaults[name]

    def __contains__(self, name: str) -> bool:
        return name in self.given


def typed(params: tuple[Param, ...]) -> list[Param]:
    """The parameters the binder reads (not the one that gets the rest of the words)."""
    return [p for p in params if KINDS[p.kind].take is not None and not p.rest]


def _steps(params: list[Param]) -> list[tuple[Param, Converter]]:
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    steps: list[tuple[Param, Converter]] = [(p, _EARLY[p.kind]) for p in params if p.kind in _EARLY]
    for p in sorted(params, key=lambda p: order[p.kind]):
        take = KINDS[p.kind].take
        if take is not None:
            steps.append((p, take))
    return steps


def placements(ctx: Context, params: tuple[Param, ...], ws: list[str],
               spent: dict[str, str] | None = None) -> dict[str, Any]:
    """{param name: value} for the words `ws`: every word goes to exactly one parameter, the words no
    typed parameter takes to the command's ``rest`` parameter (as text, in their order), or Usage names
    the first one none takes. `spent` gets the words each parameter used."""
    steps = _steps(typed(params))
    kinds = frozenset(p.kind for p in params)
    rest = next((p for p in params if p.rest), None)
    given: dict[str, Any] = {}
    left: list[str] = []
    i = 0
    while i < len(ws):
        for p, take in steps:
            if p.name in given and not KINDS[p.kind].repeats:
                continue
            got = take(ctx, ws, i, p, kinds)
            if got is not None:
                given[p.name], used = got
                if spent is not None:
                    spent[p.name] = " ".join(ws[i:i + used])
                i += used
                break
        else:
            if rest is None:
                raise Usage(_unplaced(ctx, ws, i, params, given, kinds))
            left.append(ws[i])
            i += 1
    if rest is not None and left:
        given[rest.name] = " ".join(left)
    return given


def _label(p: Param) -> str:
    """What a usage error calls the parameter: its kind's label (``top n`` for a count after ``top``)."""
    return f"`{p.words[0]} n`" if p.kind == "count" and p.words else KINDS[p.kind].label


def _unplaced(ctx: Context, ws: list[str], i: int, params: tuple[Param, ...], given: dict[str, Any],
              kinds: frozenset[str]) -> str:
    """Why the word at `i` has no place: a second value of a parameter given once, or a word no
    parameter knows (and what the command expected instead)."""
    word = repr(ws[i][:60])
    for p, take in _steps(typed(params)):
        if p.name in given and take(ctx, ws, i, p, kinds) is not None:
            return f"I can't place {word}: {KINDS[p.kind].label} is given once already ({p.name})."
    free = list(dict.fromkeys(_label(p) for p in typed(params)
                              if (p.name not in given or KINDS[p.kind].repeats) and _label(p)))
    if not free:
        return f"I can't place {word}: the command takes nothing more."
    expected = free[0] if len(free) == 1 else ", ".join(free[:-1]) + " or " + free[-1]
    return f"I don't know {word} as {expected}, so I can't place it."


def bind(ctx: Context, args: Args, **defaults: Any) -> Values:
    """Read `args.raw` with the command's declared parameters; the date (if one is declared) becomes
    ``args.when`` (and the question's date for the footer)."""
    spent: dict[str, str] = {}
    given = placements(ctx, args.command.params, words(args.raw), spent)
    out = Values(given, {p.name: None for p in args.command.params} | defaults, spent)
    rest = next((p.name for p in args.command.params if p.rest), None)
    if rest:  # the handler reads the rest of the words as before, without the typed ones
        args.text = given.get(rest, "")
    date_param = next((p.name for p in args.command.params if p.kind == "date" and p.name in given), None)
    if date_param:
        args.when = given[date_param].when
        ctx.asked = args.when
    elif any(p.kind == "date" for p in args.command.params):
        args.when = None
        ctx.asked = None
    return out


__all__ = ["Bound", "KINDS", "Kind", "Period", "Values", "benchmark_exact", "bind", "placements", "size_of"]


class TopN(NamedTuple):
    n: int
    category: str
    everything: bool
    start: str | None
    until: str | None


def bind_top_n(ctx: Context, args: Args, n: int, least: int) -> TopN:
    """The words of a command over the first n of the counted boards (`depth`, `frontier`): n (from
    `least` to 100), an Arena category, `all` and a date or period."""
    v = bind(ctx, args, n=n, category=OVERALL)
    if not least <= v.n <= 100:
        raise Usage(f"I don't understand {str(v.n)!r}: give n as a number from {least} to 100 (and `all` for every "
                    "listed model).")
    start, until = (v.date.start, v.date.until) if v.date else (None, None)
    return TopN(v.n, v.category, bool(v.all), start, until)
