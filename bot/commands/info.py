"""Help, sources and the AI Index headline figures."""
from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from bot.commands import scheduler
from bot.commands.authority import may_see
from bot.commands.methods import METHODS
from bot.commands.context import Args, Context, Usage
from bot.commands.registry import REGISTRY, Param, command, find
from bot.render.text import clip
from bot.reply import Field, Reply
from bot.store import queries
from bot.store.importers.figures import edition_label, edition_of
from bot.domain.normalize import fold


# `help <word>` for a role's or the methods' page (one Discord message each): the word -> the page
HELP_PAGES = {"moderators": "moderators", "moderator": "moderators", "mods": "moderators", "mod": "moderators",
              "admin": "moderators", "admins": "moderators",
              "server": "server", "servers": "server", "managers": "server", "manager": "server",
              "server-managers": "server",
              "method": "method", "methods": "method", "measured": "method", "how": "method"}


@command("help", summary="The commands, or how to use one.", usage="help [command | moderators | server | method]",
         example="help gap", aliases=("h", "commands", "?"), params=(Param("command", "command", "a command"),),
         details="`help moderators`: the data moderators' commands; `help server`: the server managers' settings "
                 "and watches; `help method`: how the figures are measured.")
def help_(ctx: Context, args: Args) -> Reply:
    p = ctx.prefix
    if args.raw:
        word = args.raw.split()[0].lstrip(p)
        page = HELP_PAGES.get(word.lower()) if find(word) is None else None
        if page == "method":
            return _method_page(ctx)
        if page is not None:
            return _role_page(ctx, page)
        info = find(word)
        if info is None or not may_see(info, ctx.caller):
            raise Usage(f"There is no command {args.raw.split()[0]!r}.")
        lines = [f"**{p}{info.name}**: {info.summary}", f"Usage: `{p}{info.usage}`", f"Example: `{p}{info.example}`"]
        if info.aliases:
            lines.append("Also: " + ", ".join(f"`{p}{a}`" for a in info.aliases))
        if info.details:
            lines.append(info.details)
        return Reply(text="\n".join(lines), title=f"{p}{info.name}", data={"command": info.name})
    members = [i for i in REGISTRY.values() if i.group == "community"]
    text = (f"Ask about the AI race: `{p}race`, `{p}gap us china`, `{p}compare gpt-4o vs deepseek r1`, or in plain "
            f"words: `{p}ask are open models catching up?`. `{p}help <command>` for its usage; "
            f"`{p}help method`: how the figures are measured.\n"
            f"Server managers: `{p}help server` (settings, watches, the digest)"
            + (f"; data moderators: `{p}help moderators`." if ctx.caller.is_moderator else "."))
    return Reply(text=text, title="AI Race Bot commands", fields=_listing(members, p),
                 data={"commands": [i.name for i in members], "page": "members"})


def _short(summary: str) -> str:
    """A summary up to its first colon, semicolon or parenthesis: one short line in a listing."""
    return re.split(r"[:;]| \(", summary, maxsplit=1)[0].rstrip(". ")


def _listing(infos: list, p: str) -> list[Field]:
    """Fields of `command` + short summary, each within an embed field's 1,024 characters."""
    fields: list[Field] = []
    chunk: list[str] = []
    for i in infos:
        line = f"`{p}{i.name}` {_short(i.summary)}"
        if chunk and len("\n".join([*chunk, line])) > 1000:
            fields.append(Field("Commands" if not fields else "\u200b", "\n".join(chunk), inline=False))
            chunk = []
        chunk.append(line)
    if chunk:
        fields.append(Field("Commands" if not fields else "\u200b", "\n".join(chunk), inline=False))
    return fields


def _role_page(ctx: Context, page: str) -> Reply:
    """The data moderators' page (to moderators) or the server managers' page (to anyone: each command
    still checks Manage Server when it runs)."""
    p = ctx.prefix
    if page == "moderators":
        if not ctx.caller.is_moderator:
            return Reply(text="Those commands are for the bot's data moderators (named by whoever runs the bot). "
                              f"`{p}help` lists yours.", data={"page": "moderators", "commands": []})
        infos = [i for i in REGISTRY.values() if i.group == "moderators"]
        text = ("Data moderators change the shared data: every change is audited and can be undone "
                f"(`{p}undo`). Imports and syncs run as a dry run first, then wait for your Confirm. "
                f"`{p}help <command>` for its usage.")
        title = "Commands for data moderators"
    else:
        infos = [i for i in REGISTRY.values() if i.group == "server" or i.permission == "in_server"]
        text = (f"Members with Manage Server set up their own server: `{p}settings channel #race-news`, "
                f"`{p}settings digest weekly monday`, `{p}watch gap us china below 2%`. Watches post only when "
                f"new Arena data arrives; the digest posts from 12:00 UTC on its day; `{p}watch ... preview` "
                f"shows what a watch would post now. `{p}help <command>` for its usage.")
        title = "Commands for server managers"
    return Reply(text=text, title=title, fields=_listing(infos, p),
                 data={"page": page, "commands": [i.name for i in infos]})


def _method_page(ctx: Context) -> Reply:
    """How the figures are measured: every rule and legend the answers keep behind their button."""
    text = "\n".join(f"• {m}" for _topic, m in METHODS)
    return Reply(text=text + f"\nEvery answer names its source and as-of date; `{ctx.prefix}sources` lists them all.",
                 title="How the figures are measured", data={"page": "method", "topics": [t for t, _m in METHODS]})


@command("sources", summary="Where the data comes from, its licences and as-of dates.", usage="sources",
         example="sources", aliases=("about", "data", "credits"))
def sources(ctx: Context, args: Args) -> Reply:
    rows = [ctx.read.sources[k] for k in sorted(ctx.read.sources)]
    n = ctx.read.counts  # counted once per data version by the read model, not per call
    counts = {"models": n["models"], "notable": n["notable"], "snapshots": len(ctx.read.dates),
              "ratings": n["ratings"], "scores": n["scores"], "figures": n["figures"]}
    fields = [Field(r["title"], "\n".join(x for x in [r["licence"] or "", f"as of {r['as_of']}" if r["as_of"] else "",
                                                       r["url"] or ""] if x), inline=False) for r in rows]
    age = ctx.data_age()
    newest = max((r["as_of"][:10] for r in rows if r.get("as_of")), default=None)
    text = (f"**{counts['models']:,} models** ({counts['notable']:,} notable ones from Epoch AI), "
            f"{counts['snapshots']} Chatbot Arena snapshots ({ctx.read.dates[0] if ctx.read.dates else '-'} to "
            f"{ctx.read.latest or '-'}, {counts['ratings']:,} ratings), {counts['scores']} benchmark scores, "
            "headline figures of the " + " and the ".join(
                f"{edition_label(e['source_id'])} ({e['n']})" for e in queries.figure_editions(ctx.store))
            + ". Epoch AI data is CC BY 4.0, credit Epoch AI.")
    if age is not None:
        text += (f"\nHow old: the newest Arena board is of {age.latest} ({age.words})"
                 + (f"; the newest source is as of {newest}." if newest and newest != age.latest else "."))
    text += ("\n" + ARENA_IS)
    health = scheduler.health(ctx.read, ctx.today)
    fields.insert(0, Field("Source health", "\n".join(clip(scheduler.health_line(h), 300) for h in health)[:1000],
                           inline=False))
    return Reply(text=text, title="Sources", fields=fields, footer="Every answer names its source and as-of date.",
                 data={"sources": rows, "counts": counts, "age": age and age.to_dict(), "health": health})


ARENA_IS = ("Chatbot Arena (LMArena, lmarena.ai) rates models by people's votes between two anonymous answers to the "
            "same prompt: Elo-style scores with 95% intervals, overall and per category. Epoch AI lists notable models "
            "(maker, size, compute, cost) and benchmark scores; the AI Index (Stanford HAI, 2025 and 2026 editions) "
            "gives the headline figures.")


@command("facts", summary="The AI Index headline figures (the newest edition, or the year named), each with its source.",
         usage="facts [edition] [topic]", example="facts 2025 investment", aliases=("fact", "index", "aiindex", "figures"),
         params=(Param("topic", "text", "a topic: models, us-vs-china, frontier, open-vs-closed, cost, ..."),
                 Param("edition", "text", "the report's year (default: the newest)")))
def facts(ctx: Context, args: Args) -> Reply:
    editions = queries.figure_editions(ctx.store)
    if not editions:
        return Reply(text="There are no AI Index figures yet.", data={"figures": [], "topics": []})
    by_year = {edition_of(e["source_id"]): e for e in editions}
    ws = args.raw.split()
    year = next((w for w in ws if w in by_year), None)
    if year is None:
        bad = next((w for w in ws if re.fullmatch(r"(19|20)\d\d", w)), None)
        if bad:
            raise Usage(f"There is no AI Index {bad} here; editions: {', '.join(by_year)}.")
    chosen_edition = by_year[year] if year else editions[-1]
    sid = chosen_edition["source_id"]
    topic_words = " ".join(w for w in ws if w != year)
    rows = queries.all_figures(ctx.store, sid)
    topics = sorted({r["topic"] for r in rows})
    if topic_words:
        q = fold(topic_words)
        chosen = [t for t in topics if q in fold(t)]
        if not chosen:
            hit = process.extractOne(q, {t: fold(t) for t in topics}, scorer=fuzz.WRatio, score_cutoff=70)
            chosen = [hit[2]] if hit else []
        if not chosen:
            hay = [r for r in rows if q in fold(f"{r['metric']} {r['subject']}")]
            if not hay:
                raise Usage(f"No topic {topic_words!r} in the {edition_label(sid)}. Topics: " + ", ".join(topics) + ".")
            rows = hay
        else:
            rows = [r for r in rows if r["topic"] in chosen]

    def line(r):
        v = f"{r['value']:g}"
        return f"{r['metric']}: **{v} {r['unit'] or ''}**".strip() + f" ({r['subject']}, {r['period']})"

    fields = []
    for t in dict.fromkeys(r["topic"] for r in rows):
        fields.append(Field(t, "\n".join(line(r) for r in rows if r["topic"] == t), inline=False))
    label = edition_label(sid)
    others = [y for y in by_year if y != edition_of(sid)]
    text = (f"{len(rows)} headline figures from the {chosen_edition['title']}, released {chosen_edition['as_of']}"
            + (f" on {', '.join(dict.fromkeys(r['topic'] for r in rows))}." if topic_words else
               f". Topics: {', '.join(topics)}.")
            + (" Other editions: " + ", ".join(f"`{ctx.prefix}facts {y}`" for y in others) + "." if others else ""))
    return Reply(text=text, title=f"{label} headline figures", fields=fields,
                 footer=ctx.footer(sid, as_of=chosen_edition["as_of"]),
                 data={"figures": rows, "topics": topics, "edition": edition_of(sid), "source": sid,
                       "as_of": chosen_edition["as_of"], "editions": list(by_year)})
