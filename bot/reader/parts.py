"""What the rules read from a question: the names it gave by kind, its date
argument, the sides of a gap, the leaderboard size and filters it asks for.

:class:`Parts` is computed once per question, before the rules run, so each
rule is a small predicate and a small builder over the same facts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.reader import words
from bot.reader.lexicon import CUE_WORDS
from bot.reader.question import Question
from bot.reader.tokens import number


def date_arg(q: Question) -> str:
    return f" {q.time.raw}" if q.time and q.time.kind == "asof" else ""


def model_names(q: Question, org_families: bool = True) -> list[str]:
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
                # a family word answers with one of its models: say which, so no one takes it for the family
                how = "its first model" if first else "its best-rated model on the latest board"
                note = f"“{' '.join(q.toks[f.start:f.end])}” read as {how}, {best}; name a model for another"
                if note not in q.notes:
                    q.notes.append(note)
    return list(dict.fromkeys(out))


def sides(q: Question) -> list[str]:
    """Countries, organisations and open/closed, in the order named."""
    out = []
    for f in sorted(q.found, key=lambda f: f.start):
        if f.kind in ("country", "org", "access"):
            out.append(f.value)
        elif f.kind == "family" and f.org:
            out.append(f.org)
    return list(dict.fromkeys(out))


def unknown(q: Question) -> list[str]:
    """Words left over that the reader does not know: the fewer, the surer."""
    return [t for t in q.rest() if t not in CUE_WORDS and not number(t)
            and t not in words.MORE and t not in words.LESS and t not in ("pct", "usd", "plus", "number")
            and t not in words.TYPO_TARGETS and t not in words.SOURCE_TOKENS]


def top_n(q: Question, plural_default: int = 10) -> int:
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


def filters(q: Question, *, with_org: bool = True) -> str:
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


def model_aspect(q: Question) -> str | None:
    """The part of a model asked about: maker, price, compute, size, release, scores, open or cost."""
    text = q.rest_text()
    if q.cue("significance", q.all_text()):
        return "interval"  # "95% CI of gemini 3 pro", "is claude's lead significant"
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


@dataclass
class Parts:
    """The facts of one question the rules share (computed once)."""

    text: str                 # the left-over words, space-padded (cues are matched here)
    named: list[str]          # models named, family words that are also makers left to be makers
    every_model: list[str]    # models named, every family word read as its best model
    models: list[str]         # `named`, or the family-maker read as a model when a model's aspect is asked
    sides_named: list[str]    # countries, organisations, open/closed in order
    sides: list[str]          # the same, open/closed dropped when it filters two real sides
    countries: list[str]
    orgs: list[str]
    access: list[str]
    cats: list[str]           # Arena categories and benchmarks
    when: str                 # " YYYY-MM[-DD]" for an as-of date, else ""
    since: str | None
    aspect: str | None
    unknown: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, q: Question) -> "Parts":
        named, every = model_names(q, org_families=False), model_names(q)
        countries = [f.value for f in q.found if f.kind == "country"]
        access = [f.value for f in q.found if f.kind == "access"]
        aspect = model_aspect(q)
        models = named
        # a family that is also a maker ("qwen", "deepseek"): a model when a model's aspect is asked
        if not named and len(every) == 1 and not countries and not q.cue("count") and aspect in (
                "maker", "release", "size", "compute", "cost", "price", "scores", "open", "interval"):
            models = every
        sides_named = sides(q)
        two = sides_named
        if access and len(two) >= 2 and not set(two) <= {"open", "closed"}:
            two = [x for x in two if x not in ("open", "closed")]  # "best open model from china": a filter
        return cls(text=q.rest_text(), named=named, every_model=every, models=models, sides_named=sides_named,
                   sides=two, countries=countries, orgs=[f.value for f in q.found if f.kind == "org"],
                   access=access, cats=[f.value for f in q.found if f.kind in ("category", "benchmark")],
                   when=date_arg(q), since=q.time.raw if q.time and q.time.kind == "since" else None,
                   aspect=aspect, unknown=unknown(q))
