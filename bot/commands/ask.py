"""Plain-language questions, routed to the command that answers them."""
from __future__ import annotations

import re

from bot.commands.context import Args, Context, NotFound, Usage
from bot.commands.grammar import split_models, take_date
from bot.commands.registry import Param, command
from bot.reply import Reply
from bot.store.normalize import COUNTRY_ALIASES, compact, fold

STOP = {"what", "whats", "what's", "is", "are", "the", "a", "an", "of", "how", "big", "large", "about", "tell", "me",
        "which", "who", "does", "do", "did", "model", "models", "please", "show", "info", "on", "for", "s", "its",
        "it", "size", "parameters", "params", "many", "much", "can", "you", "i", "know", "describe", "with", "was",
        "were", "in", "by", "to", "at", "and", "or", "now", "today", "currently", "right", "there", "this", "that"}

MODEL_INTENT = re.compile(r"\b(how big|big|size|sized|large|parameters|params|compute|flop|flops|trained|training|"
                          r"released|release|when|who made|who built|maker|elo|score|rank|ranked|open source|"
                          r"open weights|cost|about)\b")
INTENT_WORDS = {"big", "size", "sized", "large", "parameters", "params", "compute", "flop", "flops", "trained",
                "training", "released", "release", "when", "made", "built", "maker", "elo", "score", "rank",
                "ranked", "cost", "use", "used", "need", "needed", "much", "have", "has"}

ROUTES = [  # (pattern over the folded question, command builder)
    (r"\b(open|open source|open weight|open weights)\b.*\b(closed|proprietary|catch|catching|gap|behind|close)\b|"
     r"\b(closed|proprietary)\b.*\bopen\b", lambda q, c: "gap closed open"),
    (r"\b(tight|tighter|tightest|close|closer|crowded|spread|competitive|frontier|neck)\b", lambda q, c: "frontier"),
    (r"\b(small|smallest|tiny|little|compact)\b", lambda q, c: "small " + " ".join(
        w for w in q.split() if re.fullmatch(r"\d+(\.\d+)?%?", w) or w in ("elo", "arena"))),
    (r"\b(compute|flop|flops|doubling|doubles|scale|scaling)\b", lambda q, c: "compute" + (f" {c[0]}" if c else "")),
    (r"\bhow many\b|\bnumber of\b|\bcount\b", lambda q, c: "count"),
    (r"\b(invest|investment|investing|money|funding|cost|price|cheap|adoption|ai index)\b",
     lambda q, c: "facts " + next((t for t in ("investment", "cost", "adoption") if t[:4] in q), "")),
    (r"\b(catch|catching|caught|closing|behind|gap|close the gap)\b",
     lambda q, c: f"gap {c[0]} {c[1]}" if len(c) >= 2 else (f"gap leader {c[0]}" if c else "race")),
    (r"\b(lead|leads|leading|winning|win|ahead|race|beat|beating|best|better|top|first|strongest)\b",
     lambda q, c: (f"gap {c[0]} {c[1]}" if len(c) >= 2 else
                   "race" if re.search(r"\b(country|countries|nation|nations)\b", q) else
                   "top 5 open" if re.search(r"\bopen\b", q) else
                   "top 5 closed" if re.search(r"\b(closed|proprietary)\b", q) else "race")),
]


def countries_in(ctx: Context, q: str) -> list[str]:
    found: list[str] = []
    ws = q.split()
    i = 0
    while i < len(ws):
        for n in (3, 2, 1):
            chunk = " ".join(ws[i:i + n])
            if len(ws[i:i + n]) == n and chunk in COUNTRY_ALIASES and chunk not in ("de", "ca", "fr"):
                c = COUNTRY_ALIASES[chunk]
                if c not in found:
                    found.append(c)
                i += n - 1
                break
        i += 1
    return found


def best_reading(ctx: Context, name: str) -> str | None:
    """A loose name in a question read as one model: the match, or the best
    known of the "did you mean" candidates (the answer says which it used)."""
    m = ctx.models.resolve(name)
    if m.found:
        return m.entry.name
    if m.status != "ambiguous":
        return None
    # "deepseek": of the models whose name begins so, the best rated on Arena now (else the newest)
    cands = list({eid: ctx.models.entries[eid] for _k, eid in ctx.models.prefixed(compact(name), 300)}.values())
    if not cands:
        return m.suggestions[0][0] if m.suggestions else None
    latest = ctx.read.latest
    board = {r.model_id: r.score for r in ctx.read.board(latest)} if latest else {}
    return max(cands, key=lambda e: (board.get(e.id, 0), e.date or "")).name


@command("ask", summary="Ask in plain words; the bot picks the command that answers.",
         usage="ask <question>", example="ask who is winning, the US or China?", aliases=("q", "question", "why"),
         params=(Param("question", "text", "your question", True),))
def ask(ctx: Context, args: Args) -> Reply:
    question = args.raw.strip()
    if not question:
        raise Usage("Ask a question, for example about the US and China, open models, or a model's size.")
    engine = ctx.engine
    rest, when = take_date(question.rstrip("?!. "))
    date_part = f" {when.raw}" if when else ""
    q = fold(rest)
    # an explicit comparison: "gpt-4o vs claude 3.5"
    if re.search(r"\b(vs|versus|compare|compared|better than|or)\b", q) and not countries_in(ctx, q):
        body = re.sub(r"^.*?\bcompare\b", "", rest, flags=re.I)
        body = re.sub(r"\b(better than|or)\b", " vs ", body, flags=re.I)
        names = [n for n in (" ".join(w for w in fold(x).split() if w not in STOP) for x in split_models(body)) if n]
        if len(names) >= 2:
            picked = [best_reading(ctx, n) for n in names]
            if all(picked):
                return engine.route("compare " + " vs ".join(f'"{p}"' for p in picked) + date_part, ctx, via=question)
    cs = countries_in(ctx, q)
    if MODEL_INTENT.search(q) and not cs:
        name = " ".join(w for w in q.split() if w not in STOP and w not in INTENT_WORDS)
        m = ctx.models.resolve(name) if name else None
        if m is not None and m.found:
            return engine.route(f"model {m.entry.name}{date_part}", ctx, via=question)
    for pattern, build in ROUTES:
        if re.search(pattern, q):
            line = build(q, cs).strip()
            name = line.split()[0]
            if name == "count" and when:
                return engine.route(f"count {when.raw[:4]} by country", ctx, via=question)
            if name == "race" and re.search(r"\b(model|models)\b", q) and not cs and \
                    not re.search(r"\b(country|countries|nation|nations)\b", q):
                line = "top 5"
            return engine.route(line + date_part, ctx, via=question)
    if len(cs) == 1:
        return engine.route(f"country {cs[0]}{date_part}", ctx, via=question)
    # a model or an organisation named in the question
    name = " ".join(w for w in q.split() if w not in STOP)
    if name:
        m = ctx.models.resolve(name)
        if m.found:
            return engine.route(f"model {m.entry.name}{date_part}", ctx, via=question)
        o = ctx.orgs.resolve(name)
        if o.found and o.status != "fuzzy":
            return engine.route(f"org {o.entry.name}{date_part}", ctx, via=question)
        if m.suggestions:
            raise NotFound("model", m, rebuild="model {}")
    p = ctx.prefix
    return Reply(
        text=("I couldn't tell which question that is. I can answer, for example:\n"
              f"• who leads, the US or China? `{p}gap us china`\n"
              f"• are open models catching up? `{p}gap closed open`\n"
              f"• is the race tighter than ever? `{p}frontier`\n"
              f"• how small can a strong model be? `{p}small`\n"
              f"• one model: `{p}model llama 3.1 405b`; several: `{p}compare gpt-4o vs deepseek r1`"),
        status="ok", data={"routed": None})
