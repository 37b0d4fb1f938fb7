"""The audit trail: who changed what (``history``) and reverting it exactly (``undo``)."""
from __future__ import annotations

import json

from bot.commands.admin.changes import announcements, race_state
from bot.commands.admin.values import actor, exact_model, model_name
from bot.commands.context import Args, Context, Usage
from bot.commands.grammar import unquote
from bot.commands.registry import Param, command
from bot.render.text import clean
from bot.reply import Reply


@command("undo", summary="Revert the last n changes exactly.", usage="undo [n]", example="undo", admin=True,
         params=(Param("n", "int", "how many changes (default 1)"),))
def undo(ctx: Context, args: Args) -> Reply:
    n = 1
    if args.raw.strip():
        if not args.raw.strip().isdigit() or not 1 <= int(args.raw) <= 50:
            raise Usage("n is a number from 1 to 50.")
        n = int(args.raw)
    before = race_state(ctx.read)
    done = ctx.store.undo(n, actor=actor(ctx))
    if not done:
        return Reply(text="Nothing to undo.", data={"undone": []})
    after = race_state(ctx.fresh())
    lines = [f"Undid {len(done)} change{'s' * (len(done) > 1)}:"] + [
        f"• {clean(d['action'], 120)} (by {clean(d['actor'], 60)}, {d['rows']} rows)" for d in done]
    return Reply(text="\n".join(lines), changed=True, data={"undone": done},
                 announcements=announcements(before, after))


@command("history", summary="Who changed what, when, from what to what.", usage="history [model]",
         example="history deepseek r1", admin=True, params=(Param("model", "model", "one model"),))
def history(ctx: Context, args: Args) -> Reply:
    mid = exact_model(ctx, unquote(args.raw)) if args.raw.strip() else None
    rows = ctx.store.history(model_id=mid, limit=15)
    if not rows:
        return Reply(text="No changes recorded" + (f" for {model_name(ctx, mid)}." if mid else "."), data={"history": []})
    lines = []
    for r in rows:
        b = json.loads(r["before"]) if r["before"] else None
        a = json.loads(r["after"]) if r["after"] else None
        if b and a:
            diff = ", ".join(f"{k}: {b[k]!r} → {a[k]!r}" for k in a if b.get(k) != a.get(k))
        elif a:
            diff = "added"
        else:
            diff = "deleted"
        lines.append(f"#{r['batch']} {r['ts'][:16]} {clean(r['actor'], 40)}: {clean(r['action'], 60)} — "
                     f"{r['tbl']} {clean(diff, 160)}" + (" (undone)" if r["undone"] else ""))
    return Reply(text="\n".join(lines), title="History" + (f": {model_name(ctx, mid)}" if mid else ""),
                 data={"history": rows})
