"""Every server its own: settings and watches, for the server's managers.

``settings``, ``watch`` and ``unwatch`` need Manage Server in the server
they are typed in (``permission="manage_server"``); ``watches`` lists them
for anyone in the server. Data moderators have no say here, and server
managers none over the shared data (see :mod:`bot.commands.authority`).
Every change is audited with the server's id and who made it
(:mod:`bot.store.server_state`).
"""
from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from bot.domain.categories import OVERALL, find_category, spelling
from bot.commands.context import Args, Context, Usage
from bot.commands.grammar import unquote, words
from bot.commands.sides import two_sides
from bot.commands.registry import Param, command
from bot.commands.watching import evaluate, footer, race_view, state
from bot.render.text import clean
from bot.reply import Field, Reply
from bot.domain.normalize import fold
from bot.store.server_state import DAYS, MAX_WATCHES, GuildSettings, ServerStore, TooManyWatches
from bot.domain.validate import small_int

PREFIX_MAX = 5
_CHANNEL = re.compile(r"^(?:<#(\d{15,22})>|(\d{15,22})|#?([\w-]{1,100}))$")
_IN_CHANNEL = re.compile(r"\s+(?:in|to)\s+(<#\d{15,22}>|#[\w-]{1,100}|\d{15,22})\s*$", re.I)
_THRESHOLD = re.compile(r"\s+(below|under|above|over)\s+(\d{1,2}(?:\.\d+)?)\s*%?\s*$", re.I)
_BY = re.compile(r"\s+by\s+(\d{1,3})\s*$", re.I)


def servers(ctx: Context) -> ServerStore:
    return ServerStore(ctx.store)


def actor(ctx: Context) -> str:
    return f"{ctx.caller.name} ({ctx.caller.user_id})"


def channel_id(ctx: Context, text: str) -> str:
    """A channel of this server from a mention (``<#id>``), an id or ``#name``."""
    m = _CHANNEL.match(text.strip())
    if not m:
        raise Usage(f"'{clean(text, 40)}' is not a channel: mention it (#race-news) or give its id.")
    known = dict(ctx.caller.channels)
    cid = m.group(1) or m.group(2)
    if cid:
        if known and cid not in known:
            raise Usage("That channel is not a text channel of this server that you can see.")
        return cid
    name = fold(m.group(3))
    hits = [i for i, n in known.items() if fold(n) == name]
    if not hits:
        raise Usage(f"There is no text channel named #{clean(m.group(3), 40)} in this server.")
    return hits[0]


def channel_label(ctx: Context, cid: str | None) -> str:
    if not cid:
        return "not set (each watch posts where it was made)"
    name = dict(ctx.caller.channels).get(cid)
    return f"#{name}" if name else f"channel {cid} (not found in this server)"


def show(ctx: Context, s: GuildSettings, note: str = "") -> Reply:
    watches = servers(ctx).watches(s.guild_id)
    digest = (f"weekly, on {s.day_name}s (UTC)" + ("; skipped when no new board arrived" if s.digest == "news" else "")
              if s.digest in ("weekly", "news") else "off")
    fields = [Field("Prefix", f"`{s.prefix or ctx.prefix}`" + ("" if s.prefix else " (the bot's default)")),
              Field("Channel", channel_label(ctx, s.channel_id)),
              Field("Digest", digest),
              Field("Charts", "on" if s.charts else "off"),
              Field("Watches", f"{len(watches)} of {MAX_WATCHES}")]
    if s.post_error:
        fields.append(Field("Posting failed", f"{clean(s.post_error, 300)} (since {s.post_error_at}). "
                            "Give the bot View Channel, Send Messages, Embed Links and Attach Files there, "
                            "or pick another channel.", inline=False))
    last = servers(ctx).log(s.guild_id, limit=1)
    if last:
        fields.append(Field("Last change", f"{clean(last[0]['action'], 80)} by {clean(last[0]['actor'], 60)}, "
                            f"{last[0]['ts'][:16].replace('T', ' ')} UTC", inline=False))
    text = note or "This server's settings."
    return Reply(text=text, title="Server settings", fields=fields,
                 data={"settings": {"prefix": s.prefix, "channel_id": s.channel_id, "digest": s.digest,
                                    "digest_day": DAYS[s.digest_day], "charts": s.charts,
                                    "post_error": s.post_error, "watches": len(watches)}})


def valid_prefix(p: str) -> bool:
    """A prefix ordinary words never start with: it holds a character that is
    neither a letter nor a digit (``a`` or ``rb`` would answer chat)."""
    return bool(p) and any(not c.isalnum() for c in p) and not any(c.isspace() for c in p)


@command("settings", summary="This server's settings: prefix, channel, weekly digest, charts (Manage Server).",
         usage="settings [prefix <p> | channel <#channel> | digest weekly [day] [skip]|off | charts on|off]",
         example="settings channel #race-news", aliases=("config",), permission="manage_server",
         params=(Param("change", "text", "prefix ?, channel #race-news, digest weekly monday, charts off"),),
         details="Watches and digests post in the server's channel (each watch in its own channel if given). "
                 "If posting fails (missing permissions), `settings` says why.")
def settings(ctx: Context, args: Args) -> Reply:
    gid = ctx.caller.guild_id
    store = servers(ctx)
    ws = words(args.raw)
    if not ws:
        return show(ctx, store.get(gid))
    what, rest = fold(ws[0]), ws[1:]
    who = actor(ctx)
    if what == "prefix":
        if len(rest) != 1:
            raise Usage(f"One prefix of 1 to {PREFIX_MAX} characters, without spaces: `settings prefix ?`.")
        p = rest[0]
        if len(p) > PREFIX_MAX or p.startswith("/") or any(c in p for c in "`<>@#*_~|\\") or not p.isprintable():
            raise Usage(f"A prefix is 1 to {PREFIX_MAX} characters, not starting with `/`, without "
                        "markdown or mention characters.")
        if not valid_prefix(p):  # `a` would make every message starting with "a" a command
            raise Usage("A prefix needs at least one character that is not a letter or a digit (`?`, `rb!`, `$`), "
                        "so ordinary chat never reads as a command.")
        value = None if p == ctx.prefix else p
        s, changed = store.update(gid, who, f"settings prefix {p}", prefix=value)
        return show(ctx, s, f"Prefix set to `{p}`." if changed else f"The prefix already is `{p}`.")
    if what in ("channel", "channels"):
        if not rest:
            raise Usage("Which channel? `settings channel #race-news`, or `settings channel none`.")
        if fold(" ".join(rest)) in ("none", "off", "clear", "reset"):
            s, changed = store.update(gid, who, "settings channel none", channel_id=None)
            return show(ctx, s, "Channel cleared: each watch posts in the channel it was made in.")
        cid = channel_id(ctx, " ".join(rest))
        s, changed = store.update(gid, who, f"settings channel {cid}", channel_id=cid)
        return show(ctx, s, f"Watches and digests post in {channel_label(ctx, cid)}.")
    if what == "digest":
        mode = fold(rest[0]) if rest else ""
        if mode in ("off", "no", "none", "stop"):
            s, changed = store.update(gid, who, "settings digest off", digest="off")
            return show(ctx, s, "The weekly digest is off.")
        if mode in ("weekly", "on", "week", "news"):
            quiet = [w for w in rest[1:] if fold(w) in QUIET_WORDS]
            days = [w for w in rest[1:] if fold(w) not in QUIET_WORDS]
            day = fold(days[0]) if days else None
            values: dict[str, Any] = {"digest": "news" if quiet or mode == "news" else "weekly"}
            if day:
                hit = [i for i, d in enumerate(DAYS) if d.startswith(day[:3]) and len(day) >= 3]
                if not hit:
                    raise Usage("The day is one of " + ", ".join(d.capitalize() for d in DAYS) + ".")
                values["digest_day"] = hit[0]
            s, changed = store.update(gid, who, "settings digest " + " ".join(rest[:3]), **values)
            where = "" if s.channel_id else " Set a channel with `settings channel #name` so it has somewhere to go."
            when_quiet = (" It is skipped in a week when no new Arena board arrived." if s.digest == "news" else
                          " In a week when no new Arena board arrived it says so in one line.")
            return show(ctx, s, f"The weekly digest posts on {s.day_name}s (UTC).{when_quiet}{where}")
        raise Usage("`settings digest weekly [day] [skip]` (skip: no post in a week without a new board) "
                    "or `settings digest off`.")
    if what in ("charts", "chart"):
        mode = fold(rest[0]) if rest else ""
        if mode not in ("on", "off"):
            raise Usage("`settings charts on` or `settings charts off`.")
        s, changed = store.update(gid, who, f"settings charts {mode}", charts=int(mode == "on"))
        return show(ctx, s, f"Charts with watch alerts and digests are {mode}.")
    raise Usage(f"I can change prefix, channel, digest and charts; not '{clean(ws[0], 30)}'.")


QUIET_WORDS = ("skip", "quiet", "skip-quiet", "news-only", "only-news")  # digest: no post without a new board


# ---------------------------------------------------------------------------- watches
def parse_watch(ctx: Context, raw: str) -> tuple[str, dict[str, Any], str]:
    """``gap us china below 2%`` -> (kind, spec, label)."""
    ws = words(raw)
    if not ws:
        raise Usage("What to watch: `gap us china [below 2%|above 5%]`, `top`, `model <name> [by 3]`, "
                    "`country <name>`.")
    kind, rest = fold(ws[0]), " ".join(ws[1:])
    if kind in ("gap", "lead"):
        below = above = None
        m = _THRESHOLD.search(" " + rest)
        if m:
            value = float(m.group(2))
            if not 0 < value < 100:
                raise Usage("A threshold is a percentage between 0 and 100, like `below 2%`.")
            below, above = (value, None) if fold(m.group(1)) in ("below", "under") else (None, value)
            rest = (" " + rest)[: m.start()].strip()
        if not rest:
            raise Usage("Which two sides? `watch gap us china`.")
        a, b = two_sides(ctx, rest)
        if a.key == b.key:
            raise Usage("Name two different sides.")
        side = lambda s: {"kind": s.kind, "key": (int(_org_id(ctx, s)) if s.kind == "org" else s.key),  # noqa: E731
                          "label": s.label}
        spec = {"a": side(a), "b": side(b), "below": below, "above": above}
        label = f"gap {a.label} vs {b.label}".replace("the best ", "") + (
            f" below {below:g}%" if below is not None else f" above {above:g}%" if above is not None else "")
        return "gap", spec, label
    if kind in ("top", "#1", "first", "leader"):
        if not rest:
            return "top", {}, "top"
        cat = find_category(ctx.read, rest)
        if cat is None or cat == OVERALL:
            known = ", ".join(sorted(spelling(c) for c in ctx.read.categories() if c != OVERALL)[:12])
            raise Usage(f"`watch top` watches the overall #1; `watch top <category>` a category's "
                        f"({known}, ...); not {clean(rest, 30)!r}.")
        return "top", {"category": cat}, f"top {spelling(cat)}"
    if kind == "model":
        by = 3
        m = _BY.search(" " + rest)
        if m:
            by = int(m.group(1))
            if not 1 <= by <= 100:
                raise Usage("`by` is a number of places from 1 to 100.")
            rest = (" " + rest)[: m.start()].strip()
        if not rest:
            raise Usage("Which model? `watch model deepseek r1 by 3`.")
        match = ctx.model(unquote(rest), rebuild="watch model {}")
        name = match.entry.name
        return "model", {"model_id": match.entry.id, "name": name, "by": by}, f"model {name} by {by}"
    if kind == "country":
        c = ctx.country(rest) if rest else None
        if not c:
            raise Usage(f"Which country? Known: {', '.join(ctx.known_countries()[:15])}, ...")
        return "country", {"country": c}, f"country {c}"
    raise Usage(f"I can watch gap, top, model and country; not '{clean(ws[0], 30)}'.")


def _org_id(ctx: Context, side) -> int:
    m = ctx.orgs.resolve(side.label)
    return m.entry.id


@command("watch", summary="Post here when the race moves: a gap, the #1, a model's place, a country's best (Manage Server).",
         usage="watch <gap x y [below 2%|above 5%] | top | model <name> [by n] | country <name>> [in #channel] [preview]",
         example="watch gap us china below 2%", permission="manage_server",
         params=(Param("what", "text", "gap us china below 2%, top, model deepseek r1 by 3, country france", True),),
         details=f"A watch is checked after every data change (import, sync, a moderator's edit) and posts once per "
                 f"change, with a chart, in the server's channel (`settings channel`), or where it was made. "
                 f"At most {MAX_WATCHES} watches a server; `watches` lists them, `unwatch <id>` removes one. "
                 f"`preview` at the end (`watch top preview`) shows what it would post now and saves nothing.")
def watch(ctx: Context, args: Args) -> Reply:
    raw = args.raw.strip()
    ws = raw.split()
    if ws and fold(ws[-1]) == "preview":
        return preview(ctx, " ".join(ws[:-1]))
    target = None
    m = _IN_CHANNEL.search(raw)
    if m:
        target = channel_id(ctx, m.group(1))
        raw = raw[: m.start()].strip()
    kind, spec, label = parse_watch(ctx, raw)
    store = servers(ctx)
    view = race_view(ctx.read)
    store.save_view(view["version"], view)
    try:
        w = store.add_watch(ctx.caller.guild_id, actor(ctx), kind=kind, spec=spec, label=label, channel_id=target,
                            origin_channel_id=ctx.caller.channel_id, baseline_version=view["version"])
    except TooManyWatches as exc:
        return Reply(text=str(exc), status="refused", data={"watch": None})
    s = store.get(ctx.caller.guild_id)
    cid = target or s.channel_id
    where = channel_label(ctx, cid) if cid else "this channel"
    return Reply(text=f"Watch #{w.id} set: **{clean(label, 120)}**. It posts in {where} when the data changes "
                      f"that way. `unwatch {w.id}` removes it.", data={"watch": w.id, "kind": kind, "spec": spec})


def preview(ctx: Context, raw: str) -> Reply:
    """What a watch would post now, saving nothing: the latest board against the one before it,
    as a watch set before the latest board arrived would have seen them."""
    m = _IN_CHANNEL.search(raw)
    if m:
        raw = raw[: m.start()].strip()
    kind, spec, label = parse_watch(ctx, raw)
    dates = ctx.read.dates
    after = race_view(ctx.read)
    before = race_view(ctx.read, dates[-2], back=1) if len(dates) > 1 else None
    alert = evaluate(SimpleNamespace(id=0, kind=kind, spec=spec, label=label), before, after)
    head = f"Preview of **{clean(label, 120)}** (nothing saved). "
    if alert is not None:
        text = head + f"When the board of {after['date']} arrived it would have posted:\n" + alert.text
    else:
        text = (head + (f"The board of {after['date']} against the one before ({before['date']}) would not set it "
                        f"off: it would post nothing now. " if before else "There is no earlier board to compare: "
                        "it would post nothing now. ")
                + state(kind, spec, after))
    text += "\nA watch posts only when new Arena data arrives (an import, a sync, a moderator's edit)."
    return Reply(text=text, footer=footer(after),
                 data={"preview": True, "kind": kind, "spec": spec, "fires": alert is not None,
                       "as_of": after["date"], "before": before["date"] if before else None})


@command("watches", summary="This server's watches.", usage="watches", example="watches", permission="in_server")
def watches(ctx: Context, args: Args) -> Reply:
    store = servers(ctx)
    items = store.watches(ctx.caller.guild_id)
    if not items:
        return Reply(text="No watches in this server. A server manager adds one with `watch gap us china`.",
                     data={"watches": []})
    s = store.get(ctx.caller.guild_id)
    lines = [f"`#{w.id}` {clean(w.label, 100)} → {channel_label(ctx, w.channel_id or s.channel_id or w.origin_channel_id)}"
             + (f" · last posted {w.last_fired_at[:10]}" if w.last_fired_at else "") for w in items]
    return Reply(text=f"**{len(items)} of {MAX_WATCHES} watches**\n" + "\n".join(lines),
                 data={"watches": [{"id": w.id, "kind": w.kind, "label": w.label} for w in items]})


@command("unwatch", summary="Remove one of this server's watches (Manage Server).", usage="unwatch <id>",
         example="unwatch 3", permission="manage_server", params=(Param("id", "int", "the watch's number", True),))
def unwatch(ctx: Context, args: Args) -> Reply:
    raw = args.raw.strip().lstrip("#")
    if small_int(raw) is None:
        raise Usage("Give the watch's number, as `watches` lists it: `unwatch 3`.")
    w = servers(ctx).remove_watch(ctx.caller.guild_id, int(raw), actor(ctx))
    if w is None:
        return Reply(text=f"This server has no watch #{raw}. Nothing was changed.", status="usage",
                     data={"unwatched": None})
    return Reply(text=f"Watch #{w.id} ({clean(w.label, 100)}) removed.", data={"unwatched": w.id})
