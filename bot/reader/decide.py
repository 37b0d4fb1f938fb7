"""How sure a reading is, and what to offer when it is not.

A rule with its cue and its arguments, and few unknown words left over, is
sure; a reading that would ignore a number the question asked about never
is. An unsure reading answers nothing and offers up to three filled-in
commands built from the names it found.
"""
from __future__ import annotations

import re

from bot.reader import words
from bot.reader.lexicon import CUE_WORDS
from bot.reader.parts import Parts, model_names, sides
from bot.reader.question import Question
from bot.reader.reading import Quantity, Reading
from bot.reader.rules import first_rule


def suggest(q: Question) -> list[str]:
    models, two = model_names(q), sides(q)
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
    if len(two) >= 2:
        out.insert(0, f"gap {two[0]} vs {two[1]}")
    if not out:
        out = ["race", "top 10", "gap us china"]
    return list(dict.fromkeys(out))[:3]


def carried(x: Quantity, command: str) -> bool:
    """Whether the command line carries the quantity (its number, as shown)."""
    said = command.lower().split()
    if x.kind == "usd":  # a price: only the price commands take one
        return said[0] in _PRICE and (x.show().lower() in said or f"{x.value:g}" in said)
    if x.kind == "pct":
        return f"{x.value:g}%" in said or x.show().lower() in said
    if x.kind == "params":
        return x.show().lower() in said
    return x.show().lower() in said or f"{x.value:g}" in said


# what each kind of qualifier needs from the command that answers: the commands that honour it
_TREND = ("gap", "compute", "frontier", "changes", "records", "depth", "race", "count", "timeline", "small",
          "cheapest")
_SIGNIFICANCE = ("gap", "compare", "race", "top")
_EVER = ("records", "timeline", "changes", "count")
_PRICE = ("price", "cheapest", "compare")
_ALL_SIDES = ("race", "depth", "count", "facts", "changes", "sources", "compare", "model", "price", "help")


def qualifiers(q: Question) -> list[tuple[str, str, str]]:
    """The qualifiers a question asks that narrow its answer: (kind, value,
    the words as typed) for each category or benchmark, open/closed or free,
    date, firsts and "ever", trend, significance and price."""
    out = []
    for f in q.found:
        if f.kind in ("category", "benchmark", "access", "country", "org"):
            out.append((f.kind, f.value, " ".join(q.toks[f.start:f.end])))
    if q.time:
        out.append(("time", q.time.raw, q.time.words))
    text = q.all_text()
    for kind, cue in (("ever", "records"), ("trend", "trend"), ("significance", "significance")):
        hit = next((c for c in words.CUES[cue] if f" {c} " in text), None)
        if hit and not (kind == "trend" and hit in ("scale", "scaling", "increase", "grow")):
            out.append((kind, kind, hit))
    hit = next((c for c in words.CUES["price"] + words.CUES["cheap"] if f" {c} " in text), None)
    if hit or q.q("usd"):
        out.append(("price", "price", hit or "$"))
    return out


def honoured(kind: str, value: str, command: str, intent: str, aspect: str | None) -> bool:
    """Whether the command line (with the reading's aspect) honours one qualifier."""
    line = f" {command.lower()} "
    word = command.split()[0]
    if kind == "category":
        return f" {value.lower()} " in line
    if kind == "benchmark":
        return f" {value.lower()} " in line or word == "compare" or aspect == "scores"
    if kind == "access":
        return f" {value} " in line or aspect == "open" or word in ("compare", "records") and f" {value} " in line
    if kind in ("country", "org"):  # a side named: the line names it, or the answer lists every side
        return value.lower() in line or word in _ALL_SIDES
    if kind == "time":
        if word == "facts":  # the AI Index edition that reports that year
            return bool(re.search(r" (19|20)\d\d ", line))
        return value in line or value[:4] in line or " since " in line
    if kind == "ever":
        return word in _EVER or intent == "release"
    if kind == "trend":
        return word in _TREND
    if kind == "significance":
        return word in _SIGNIFICANCE or aspect == "interval"
    if kind == "price":
        return word in _PRICE or aspect in ("price", "cost") or word == "facts"
    return True


def dropped(q: Question, command: str | None, intent: str, aspect: str | None) -> list[str]:
    """The qualifiers the answer would leave out, as the user typed them."""
    if not command:
        return []
    return list(dict.fromkeys(words for kind, value, words in qualifiers(q)
                              if not honoured(kind, value, command, intent, aspect)))


def used(q: Question, p: Parts) -> list[tuple[str, str]]:
    """Every word of the question and what the reading made of it."""
    unknown = set(p.unknown)
    out = []
    for tok, took in zip(q.toks, q.taken):
        if took is not None:
            out.append((tok, took))
        elif tok in unknown:
            out.append((tok, "unknown"))
        else:
            out.append((tok, "cue" if tok in CUE_WORDS and tok not in words.FILLER else "filler"))
    return out


def decide(q: Question) -> Reading:
    p = Parts.of(q)
    rule, built = first_rule(q, p)
    intent, command = built.intent or rule.intent, built.command
    numbers = [x for x in q.quantities if x.kind in ("elo", "pct", "params", "usd", "flop")
               and command and not carried(x, command)]
    if intent == "unknown" or numbers or q.unknown_names:
        sure = False  # never answer while ignoring a number that was asked about, or another model than named
    elif built.strong:
        sure = len(p.unknown) <= 1
    else:
        sure = not p.unknown
    return Reading(q.question, intent, command, sure, [] if sure else suggest(q), q.found, q.quantities,
                   q.time, built.aspect, p.unknown, q.toks, notes=list(q.notes),
                   dropped=(dropped(q, command, intent, built.aspect) + p.unknown) if sure else [],
                   unknown_names=list(q.unknown_names), used=used(q, p))
