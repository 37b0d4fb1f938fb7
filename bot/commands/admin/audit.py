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
from bot.store.errors import READ_ONLY_TEXT, ReadOnlyError, UndoRefused


def _parse_undo(raw: str) -> tuple[str, int, bool]:
    """``""`` -> (mine, 1); ``"last 3"`` -> (mine, 3); ``"12"``/``"#12"`` -> (batch, 12); ``force`` anywhere."""
    ws = raw.lower().replace("#", " ").split()
    force = "force" in ws
    ws = [w for w in ws if w != "force"]
    if not ws:
        return "mine", 1, force
    if ws[0] == "last" and len(ws) == 2 and ws[1].isascii() and ws[1].isdigit() and 1 <= int(ws[1]) <= 50:
        return "mine", int(ws[1]), force
    if len(ws) == 1 and ws[0].isascii() and ws[0].isdigit() and len(ws[0]) <= 12:
        return "batch", int(ws[0]), force
    raise Usage("`undo` (your latest change), `undo last 3`, or `undo 12` (change #12, as `history` shows it); "
                "add `force` to overwrite later changes to the same rows.")


@command("undo", summary="Revert your latest change exactly (or change #id, or your last n).",
         usage="undo [last <n> | <id>] [force]", example="undo", admin=True,
         params=(Param("which", "text", "empty: your latest; last 3; or a change id from history"),),
         details="An undo is itself an audited change: `redo` reverses it. A change that later changes "
                 "touched is not undone unless you add `force`; the reply names them.")
def undo(ctx: Context, args: Args) -> Reply:
    mode, n, force = _parse_undo(args.raw)
    if ctx.store.readonly:
        raise ReadOnlyError(READ_ONLY_TEXT)
    before = race_state(ctx.read)
    if mode == "mine":
        batches = ctx.store.own_batches(ctx.caller.user_id, limit=n)
        if not batches:
            return Reply(text="Nothing to undo: you have no change of your own to undo (`undo <id>` undoes someone "
                              "else's; `history` lists them).",
                         data={"undone": []})
    else:
        batches = [n]
    done, refusal = [], None
    for b in batches:
        try:
            done.append(ctx.store.undo_batch(b, actor(ctx), force=force))
        except UndoRefused as exc:
            refusal = str(exc)
            break
    if not done:
        return Reply(text=refusal or "Nothing to undo.", status="refused", data={"undone": []})
    after = race_state(ctx.fresh())
    lines = [f"Undid {len(done)} change{'s' * (len(done) > 1)} (`redo` brings {'them' if len(done) > 1 else 'it'} back):"]
    lines += [f"• #{d['batch']} {clean(d['action'], 120)} (by {clean(d['actor'], 60)}, {d['rows']} rows)"
              + (f"; overwrote later change(s) {', '.join(f'#{x}' for x in d['forced_over'])}" if d["forced_over"] else "")
              for d in done]
    if refusal:
        lines.append(f"Stopped there: {refusal}")
    return Reply(text="\n".join(lines), changed=True, data={"undone": done},
                 announcements=announcements(before, after))


@command("redo", summary="Apply again the change you undid last (or change #id).", usage="redo [<id>] [force]",
         example="redo", admin=True, params=(Param("which", "text", "empty: what you undid last; or a change id"),))
def redo(ctx: Context, args: Args) -> Reply:
    ws = args.raw.lower().replace("#", " ").split()
    force = "force" in ws
    ws = [w for w in ws if w != "force"]
    if ws and not (len(ws) == 1 and ws[0].isascii() and ws[0].isdigit() and len(ws[0]) <= 12):
        raise Usage("`redo` (what you undid last) or `redo 12` (change #12); add `force` to overwrite later changes.")
    if ctx.store.readonly:
        raise ReadOnlyError(READ_ONLY_TEXT)
    batch = int(ws[0]) if ws else ctx.store.own_undone(ctx.caller.user_id)
    if batch is None:
        return Reply(text="Nothing to redo: you have undone nothing that is not redone.", data={"redone": None})
    before = race_state(ctx.read)
    try:
        d = ctx.store.redo_batch(batch, actor(ctx), force=force)
    except UndoRefused as exc:
        return Reply(text=str(exc), status="refused", data={"redone": None})
    after = race_state(ctx.fresh())
    return Reply(text=f"Redid #{d['batch']} {clean(d['action'], 120)} (by {clean(d['actor'], 60)}, {d['rows']} rows).",
                 changed=True, data={"redone": d}, announcements=announcements(before, after))


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
