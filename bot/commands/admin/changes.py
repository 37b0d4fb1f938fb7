"""The change wrapper: every moderator edit is one audited transaction, and
the reply carries any announcement the change causes (a new #1, a new
leader between the US and China)."""
from __future__ import annotations

from typing import Any, Callable

from bot.commands.admin.values import actor
from bot.commands.context import Context
from bot.render.text import elo
from bot.reply import Reply
from bot.store.importers import SOURCE_MODERATOR, ensure_sources
from bot.domain.measures import pct_gap


def race_state(read) -> dict[str, Any]:
    f = read
    day = f.latest
    if not day:
        return {}
    board = f.board(day)
    us = f.best(day, lambda r: r.country == "United States")
    cn = f.best(day, lambda r: r.country == "China")
    lead = None
    if us and cn:
        lead = "United States" if us.score > cn.score else "China" if cn.score > us.score else "level"
    return {"rank1": board[0].arena_name if board else None, "rank1_score": board[0].score if board else None,
            "us_china": lead, "us_pct": pct_gap(us.score, cn.score) if us and cn else None, "date": day}


def changed(ctx: Context, action: str, fn: Callable[[Any], str], *, audit: bool = True) -> Reply:
    """Run `fn(change)` as one audited transaction; reply with its summary
    and any announcement the change causes."""
    before = race_state(ctx.read)
    with ctx.store.change(actor(ctx), action, audit=audit) as ch:
        ensure_sources(ch, SOURCE_MODERATOR)
        summary = fn(ch)
    after = race_state(ctx.fresh())
    reply = Reply(text=summary, changed=True, data={"change": action})
    reply.announcements = announcements(before, after)
    return reply


def announcements(before: dict, after: dict) -> list[str]:
    out = []
    if before.get("rank1") and after.get("rank1") and before["rank1"] != after["rank1"]:
        out.append(f"New #1 on Chatbot Arena: **{after['rank1']}** ({elo(after['rank1_score'])} Elo) takes the top spot "
                   f"from {before['rank1']} (as of {after['date']}).")
    if before.get("us_china") and after.get("us_china") and before["us_china"] != after["us_china"]:
        out.append(f"The lead on Chatbot Arena between the US and China changed: now **{after['us_china']}** "
                   f"(as of {after['date']}).")
    return out
