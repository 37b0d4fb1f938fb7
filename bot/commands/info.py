"""Help, sources and the AI Index headline figures."""
from __future__ import annotations

from rapidfuzz import fuzz, process

from bot.commands.context import Args, Context, Usage
from bot.commands.registry import REGISTRY, Param, command, find
from bot.reply import Field, Reply
from bot.store import queries
from bot.store.normalize import fold


@command("help", summary="The commands, or how to use one.", usage="help [command]", example="help gap",
         aliases=("h", "commands", "?"), params=(Param("command", "command", "a command"),))
def help_(ctx: Context, args: Args) -> Reply:
    p = ctx.prefix
    if args.raw:
        info = find(args.raw.split()[0].lstrip(p))
        if info is None or (info.admin and not ctx.caller.is_moderator):
            raise Usage(f"There is no command {args.raw.split()[0]!r}.")
        lines = [f"**{p}{info.name}**: {info.summary}", f"Usage: `{p}{info.usage}`", f"Example: `{p}{info.example}`"]
        if info.aliases:
            lines.append("Also: " + ", ".join(f"`{p}{a}`" for a in info.aliases))
        if info.details:
            lines.append(info.details)
        return Reply(text="\n".join(lines), title=f"{p}{info.name}", data={"command": info.name})
    groups: dict[str, list] = {}
    for info in REGISTRY.values():
        if info.admin and not ctx.caller.is_moderator:
            continue
        groups.setdefault(info.group, []).append(info)
    fields = []
    for g, items in sorted(groups.items(), key=lambda kv: kv[0] != "community"):  # one field per group, split where a field would pass 1,024 characters
        chunk: list[str] = []
        for i in items:
            line = f"`{p}{i.usage}`: {i.summary}"
            if chunk and len("\n".join([*chunk, line])) > 1000:
                fields.append(Field(g.capitalize(), "\n".join(chunk), inline=False))
                chunk = []
            chunk.append(line)
        if chunk:
            fields.append(Field(g.capitalize(), "\n".join(chunk), inline=False))
    text = (f"Ask about the AI race: `{p}race`, `{p}gap us china`, `{p}compare gpt-4o vs deepseek r1`, "
            f"`{p}ask are open models catching up?`. `{p}help <command>` for details.")
    return Reply(text=text, title="AI Race Bot commands", fields=fields,
                 data={"commands": [i.name for items in groups.values() for i in items]})


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
            f"{ctx.read.latest or '-'}, {counts['ratings']:,} ratings), {counts['scores']} benchmark scores and "
            f"{counts['figures']} AI Index 2025 headline figures. Epoch AI data is CC BY 4.0, credit Epoch AI.")
    if age is not None:
        text += (f"\nHow old: the newest Arena board is of {age.latest} ({age.words})"
                 + (f"; the newest source is as of {newest}." if newest and newest != age.latest else "."))
    text += ("\n" + ARENA_IS)
    return Reply(text=text, title="Sources", fields=fields, footer="Every answer names its source and as-of date.",
                 data={"sources": rows, "counts": counts, "age": age and age.to_dict()})


ARENA_IS = ("Chatbot Arena (LMArena, lmarena.ai) rates models by people's votes between two anonymous answers to the "
            "same prompt: Elo-style scores with 95% intervals, overall and per category. Epoch AI lists notable models "
            "(maker, size, compute, cost) and benchmark scores; the AI Index 2025 (Stanford HAI) gives the headline "
            "figures.")


@command("facts", summary="The AI Index 2025 headline figures, each with its source.", usage="facts [topic]",
         example="facts investment", aliases=("fact", "index", "aiindex", "figures"),
         params=(Param("topic", "text", "a topic: models, us-vs-china, frontier, open-vs-closed, cost, ..."),))
def facts(ctx: Context, args: Args) -> Reply:
    rows = queries.all_figures(ctx.store)
    topics = sorted({r["topic"] for r in rows})
    if args.raw:
        q = fold(args.raw)
        chosen = [t for t in topics if q in fold(t)]
        if not chosen:
            hit = process.extractOne(q, {t: fold(t) for t in topics}, scorer=fuzz.WRatio, score_cutoff=70)
            chosen = [hit[2]] if hit else []
        if not chosen:
            hay = [r for r in rows if q in fold(f"{r['metric']} {r['subject']}")]
            if not hay:
                raise Usage(f"No topic {args.raw!r}. Topics: " + ", ".join(topics) + ".")
            rows = hay
        else:
            rows = [r for r in rows if r["topic"] in chosen]

    def line(r):
        v = f"{r['value']:g}"
        return f"{r['metric']}: **{v} {r['unit'] or ''}**".strip() + f" ({r['subject']}, {r['period']})"

    fields = []
    for t in dict.fromkeys(r["topic"] for r in rows):
        fields.append(Field(t, "\n".join(line(r) for r in rows if r["topic"] == t), inline=False))
    text = (f"{len(rows)} headline figures from the AI Index Report 2025 (Stanford HAI)"
            + (f" on {', '.join(dict.fromkeys(r['topic'] for r in rows))}." if args.raw else
               f". Topics: {', '.join(topics)}."))
    return Reply(text=text, title="AI Index 2025 headline figures", fields=fields,
                 footer=ctx.footer("ai-index-2025", as_of="2025-04-07"),
                 data={"figures": rows, "topics": topics})
