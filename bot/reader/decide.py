"""How sure a reading is, and what to offer when it is not.

A rule with its cue and its arguments, and few unknown words left over, is
sure; a reading that would ignore a number the question asked about never
is. An unsure reading answers nothing and offers up to three filled-in
commands built from the names it found.
"""
from __future__ import annotations

from bot.reader.parts import Parts, model_names, sides
from bot.reader.question import Quantity, Question, Reading
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
    words = command.lower().split()
    return x.show().lower() in words or f"{x.value:g}" in words or f"{x.value:g}%" in words


def decide(q: Question) -> Reading:
    p = Parts.of(q)
    rule, built = first_rule(q, p)
    intent, command = built.intent or rule.intent, built.command
    dropped = [x for x in q.quantities if x.kind in ("elo", "pct", "params", "usd", "flop")
               and command and not carried(x, command)]
    if intent == "unknown" or dropped:
        sure = False  # never answer while ignoring a number that was asked about
    elif built.strong:
        sure = len(p.unknown) <= 1
    else:
        sure = not p.unknown
    return Reading(q.question, intent, command, sure, [] if sure else suggest(q), q.found, q.quantities,
                   q.time, built.aspect, p.unknown, q.toks)
