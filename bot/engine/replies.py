"""The replies the engine makes itself (not a handler's): a reply with the data's age added, a
memoised reply's copy, a chart attached or its failure said, a cancelled request, an unknown command."""
from __future__ import annotations

import dataclasses
import logging

from rapidfuzz import fuzz, process

from bot.commands.authority import may_see
from bot.commands.context import Context
from bot.commands.registry import REGISTRY
from bot.render.text import clean
from bot.reply import Attachment, Reply
from bot.store.freshness import age_note

log = logging.getLogger("racebot.engine")


def with_age(reply: Reply, ctx: Context) -> Reply:
    """The reply with one line about time when it used an Arena board: how old
    the data is, last, when it is older than ``DATA_STALE_DAYS``; that the data
    ends there, first, when the question was about a later time (see
    :func:`bot.store.freshness.age_note`). Once per reply: in the text, never
    in the footer that every page repeats."""
    if reply.status != "ok" or not ctx.boards_cited:
        return reply
    age = ctx.data_age()
    note = age_note(age, asked_start=ctx.asked.start if ctx.asked else None, asked_now=ctx.asked_now)
    if note is None or age is None:
        return reply
    if not note.startswith("The data ends"):  # the age of a "now" answer: its last line
        reply.text = f"{reply.text}\n*{note}*" if reply.text else f"*{note}*"
    else:  # a question about a time after the data: said before the answer (after how `ask` read it)
        head, sep, rest = reply.text.partition("\n")
        if head.startswith("Read as:"):
            reply.text = f"{head}\n*{note}*" + (sep + rest if rest else "")
        else:
            reply.text = f"*{note}*\n{reply.text}" if reply.text else f"*{note}*"
    reply.data = {**reply.data, "data_age": age.to_dict()}
    return reply


def copied(reply: Reply) -> Reply:
    """A reply to hand out from the memo: its own lists and dicts to change, the data shared
    (nothing after the handler changes a reply's data in place)."""
    out = dataclasses.replace(reply)
    for f in dataclasses.fields(out):
        v = getattr(out, f.name)
        if isinstance(v, list):
            setattr(out, f.name, list(v))
    return out


def cancelled() -> Reply:
    """The answer to a request stopped by its time-out before it changed anything (see :mod:`bot.tickets`)."""
    return Reply(text="That took too long and was stopped; nothing was changed.", status="error",
                 data={"cancelled": True})


def with_chart(reply: Reply, png: bytes) -> Reply:
    """The reply with its chart attached as ``chart.png``."""
    reply.files = [*reply.files, Attachment("chart.png", png)]
    return reply


def chart_failed(reply: Reply, exc: BaseException) -> Reply:
    """The reply without its chart, saying so: the figures in the text still stand."""
    log.warning("chart %s failed: %s", reply.chart.kind if reply.chart else "?", exc)
    reply.text = (reply.text + "\n(The chart could not be drawn this time; the figures above stand.)").strip()
    return reply


def unknown_command(word: str, rest: str, ctx: Context) -> Reply:
    """No command `word`: up to three the caller may run that are close to it, as suggestions
    (only commands the caller may see)."""
    names = {}
    for c in REGISTRY.values():
        if not may_see(c, ctx.caller):
            continue
        names[c.name] = c.name
        for a in c.aliases:
            names[a] = c.name
    hits = process.extract(word[:40], list(names), scorer=fuzz.WRatio, limit=6, score_cutoff=50)
    cmds = list(dict.fromkeys(names[h[0]] for h in hits))[:3]
    w = clean(word, 30)
    if cmds:
        text = f"There's no command `{w}`. Did you mean " + ", ".join(f"`{ctx.prefix}{c}`" for c in cmds) + "?"
    else:
        text = f"There's no command `{w}`. `{ctx.prefix}help` lists them."
    return Reply(text=text, status="unknown_command",
                 suggestions=[f"{c} {rest}".strip() for c in cmds], data={"did_you_mean": cmds})
