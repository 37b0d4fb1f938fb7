"""Plain-language questions: read by :mod:`bot.reader`, answered by
the command the reading names, with one line that says how it was read.

* A question that is exactly a command runs that command.
* A sure reading runs its command line; the answer starts with
  "Read as: `top 1 France`", so a wrong reading shows and users learn the
  command.
* A reading whose command this version lacks, or whose command cannot take
  what was asked, says so ("I can't answer that yet") instead of answering
  another question.
* An unsure reading answers nothing: it says so and offers up to three
  filled-in commands (buttons on Discord).
"""
from __future__ import annotations

import re
from datetime import date

from rapidfuzz import fuzz, process

from bot.commands.authority import may_see
from bot.commands.context import Args, Context, Usage
from bot.commands.grammar import split_command
from bot.commands.registry import ALIASES, REGISTRY, Param, command, find
from bot.reader import Lexicon, Reading, read
from bot.reader.words import NOW_WORDS
from bot.render.text import clean, elo, flop, params, score, usd
from bot.reply import Reply
from bot.store.freshness import newest_board

UNSURE = "I'm not sure what you're asking - these might answer it:"
# "now" at the end of a command line: the latest data, which every command answers by default
NOW_TAIL = re.compile(r"\s+(right now|now|today|currently|rn|atm|at the moment|as of now|as of today)\s*[?!.]*\s*$",
                      re.IGNORECASE)
# the bot addressed by name ("@RaceBot", "@race bot,") or by a Discord mention ("<@123>", "<@!123>")
MENTION = re.compile(r"\s*(?:@\s*race\s*bot\b|<@!?\d+>)[\s,:;!?.-]*", re.IGNORECASE)


def as_question(line: str, prefix: str = "!") -> str:
    """The command line an adapter runs for a typed line: the line itself when
    it starts with a command's name (or a near miss of one: "comapre" gets
    "did you mean compare"), else ``ask <line>``, which runs the line as a
    command when it is exactly one and reads it as a question otherwise."""
    addressed = MENTION.match(line)
    if addressed:  # "@RaceBot who leads?" typed in the console, or a mention: always a question
        return f"ask {line[addressed.end():].strip()}".strip()
    word, _rest = split_command(line, prefix)
    if not word or word == "ask" or word in REGISTRY and (REGISTRY[word].admin or not _rest.strip()):
        return line  # a moderator's command (confirm, uploads), a bare command word, or already a question
    if word in REGISTRY:
        # "top 3 models on lmarena", "price of glm-4.6": `ask` runs the line as that command when the command
        # takes it, reads it as a question when it does not, and shows the command's own usage when neither
        body = line.strip()
        return "ask " + (body[len(prefix):].lstrip() if prefix and body.startswith(prefix) else body)
    if len(word) >= 4 and word not in ALIASES and \
            process.extractOne(word, list(REGISTRY), scorer=fuzz.ratio, score_cutoff=80) is not None:
        return line
    body = line.strip()
    body = body[len(prefix):].lstrip() if prefix and body.startswith(prefix) else body
    return f"ask {body}"


def lexicon_for(ctx: Context) -> Lexicon:
    """The reader's lexicon of the context's data version (cached on the read model)."""
    read = ctx.read
    cached = getattr(read, "_reader_lexicon", None)
    if cached is not None and cached.models is ctx.models:
        return cached
    latest = read.latest
    ratings = {r.model_id: r.score for r in read.board(latest)} if latest else {}
    lex = Lexicon(ctx.models, ctx.orgs, countries=ctx.known_countries(), benchmarks=list(read.benchmarks),
                  ratings=ratings, commands={n: n for n in REGISTRY},
                  makers={mid: m.get("org_id") for mid, m in read.models.items()},
                  variants={mid for mid, m in read.models.items() if m.get("variant_of")})
    try:
        read._reader_lexicon = lex
    except AttributeError:  # pragma: no cover - a read model with slots
        pass
    return lex


def reading_for(ctx: Context, question: str, today: date | None = None) -> Reading:
    """The reader's reading of `question` against this context's data."""
    return read(question, lexicon_for(ctx), today=today or ctx.today)


def says_now(question: str) -> bool:
    """Whether a question asks about now ("right now", "rn", "currently" ...)."""
    folded = " " + re.sub(r"[^a-z0-9]+", " ", question.lower()) + " "
    return any(f" {w} " in folded for w in NOW_WORDS)


def _runs_as_command(ctx: Context, question: str, *, aliases: bool, failed: list[Reply] | None = None) -> Reply | None:
    """The reply of `question` run as the command it starts with, when it is
    one and that command takes it; else None. Only a command's own name
    counts unless `aliases` (aliases are often plain words: "who", "about")."""
    word, _rest = split_command(question, ctx.prefix)
    info = find(word) if word else None
    if info is None or info.name == "ask" or not may_see(info, ctx.caller):
        return None
    if word not in REGISTRY and not aliases:
        return None
    reply = ctx.route(question, ctx)
    if reply.status in ("ok", "confirm", "refused"):
        return reply
    if failed is not None:
        failed.append(reply)
    return None


def _unsure(ctx: Context, reading: Reading) -> Reply:
    p = ctx.prefix
    lines = [UNSURE] + [f"• `{p}{s}`" for s in reading.suggestions]
    if reading.unknown_names:
        names = ", ".join(f"“{clean(n, 40)}”" for n in reading.unknown_names)
        latest = newest_board(ctx.read)
        board = f" (latest board {latest})" if latest else ""
        lines.insert(0, f"I don't know a model called {names}: no such model is in my data{board}.")
    return Reply(text="\n".join(lines), status="ok", suggestions=list(reading.suggestions),
                 data={"routed": None, "reading": reading.to_dict()})


def _first_line(text: str) -> str:
    return next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith(("Usage:", "Example:"))), "")


def aspect_line(reading: Reading, m: dict) -> str:
    """One sentence that answers the part of a model asked about (its maker,
    release, size, compute, training cost, access or scores), from the model
    answer's own figures."""
    name, aspect = m["name"], reading.aspect
    if aspect == "maker":
        org = m["organization"] or "an unknown organisation"
        return f"**{org}**" + (f" ({m['country']})" if m["country"] else "") + f" makes {name}."
    if aspect == "release":
        rel = m.get("released") or m["release_date"]
        if rel and rel.startswith("first rated"):  # known only from LMArena: no release date of its own
            return f"The data has no release date for {name}; it was {rel.replace('first rated', 'first rated on')}."
        return f"{name} was released on **{m['release_date']}**." if m["release_date"] else \
            f"The data has no release date for {name}."
    if aspect == "size":
        return f"{name} has **{params(m['parameters'])}**." if m["parameters"] else \
            f"{name}'s size is not disclosed."
    if aspect == "compute":
        return f"{name} was trained with **{flop(m['training_compute'])}**." if m["training_compute"] else \
            f"{name}'s training compute is not disclosed."
    if aspect == "cost":
        return f"Training {name} cost about **{usd(m['training_cost'])}** (2023 USD, Epoch AI's estimate)." \
            if m["training_cost"] else f"Epoch AI has no training cost for {name}."
    if aspect == "open":
        return f"{name}: **{m['access'] or 'access unknown'}**."
    if aspect == "interval":
        a = m["arena"]
        if not a:
            return f"{name} is not on the Arena leaderboard, so it has no Arena interval."
        if a.get("ci_plus") is None or a.get("ci_minus") is None:
            return f"{name}: {elo(a['score'])} Elo on Chatbot Arena ({a['date']}); that board gives no 95% interval."
        return (f"{name}: **{elo(a['score'])} Elo, 95% interval {elo(a['score'] - a['ci_minus'])} to "
                f"{elo(a['score'] + a['ci_plus'])}** (−{a['ci_minus']:.0f}/+{a['ci_plus']:.0f}) on Chatbot Arena "
                f"({a['date']}).")
    if aspect == "scores":
        bench = next((f.value for f in reading.found if f.kind == "benchmark"), None)
        if bench and bench in m["scores"]:
            return f"{name} scores **{score(m['scores'][bench])}** on {bench} (Epoch AI)."
        if bench:
            return f"Epoch AI has no {bench} score for {name}."
        a = m["arena"]
        return (f"{name}: **{elo(a['score'])} Elo, rank {a['rank']}** on Chatbot Arena ({a['date']})." if a else
                f"{name} is not on the Arena leaderboard.")
    return ""


def significance_line(data: dict) -> str:
    """Whether a gap's latest lead is statistically significant, from the gap's own data."""
    latest, v = data.get("latest") or {}, data.get("verdict")
    if not latest:
        return ""
    leader = data.get("leader") or ""
    if v == "leads":
        return (f"Significant: yes, {leader}'s lead is larger than the 95% intervals of both models "
                f"(the intervals do not overlap).")
    if v == "tied":
        return "Significant: no, the 95% intervals of the two best models overlap (a statistical tie)."
    return "Significant: can't say, this board gives no 95% intervals."


def rank_line(ctx: Context, m: dict) -> str:
    """For "is X the best?": who is #1 on the board the card read, beside the model's own rank."""
    a = m.get("arena")
    if not a:
        return ""
    board = ctx.read.board(a["date"]) if a["date"] in ctx.read.by_date else []
    top = board[0] if board else None
    if top is None or a.get("rank") == 1:
        return f"{m['name']} is **#1** on Chatbot Arena ({a['date']})." if top is not None else ""
    return (f"No: {m['name']} is #{a['rank']} on Chatbot Arena ({a['date']}); **#1 is {top.model}** "
            f"({elo(top.score)}).")


def _focus(ctx: Context, reading: Reading, reply: Reply) -> str:
    """The sentence that answers the part asked about, from the answer's own data."""
    if reply.status != "ok":
        return ""
    data = reply.data
    if reading.aspect == "significance" and "verdict" in data:
        return significance_line(data)
    if not reading.aspect or not isinstance(data.get("model"), dict) or "in_category" in data:
        return ""
    if reading.aspect == "rank":
        return rank_line(ctx, data["model"])
    return aspect_line(reading, data["model"])


def _read_as(p: str, line: str, reading: Reading) -> str:
    """The answer's first line: how the question was read, and any part of it the answer leaves out."""
    head = f"Read as: `{p}{clean(line, 150)}`"
    if reading.dropped:
        parts = ", ".join(f"“{clean(w, 40)}”" for w in reading.dropped)
        head += f" (I can't answer the {parts} part of the question: this is the answer without it)"
    return head


def answer(ctx: Context, question: str, reading: Reading) -> Reply:
    """Run a sure reading and put "Read as" in front of its answer."""
    p = ctx.prefix
    line = reading.command or ""
    read_as = _read_as(p, line, reading)
    word = line.split()[0] if line.split() else ""
    if find(word) is None:
        return Reply(text=f"{read_as}\nI can't answer that yet: this version has no `{p}{word}` command.",
                     status="ok", suggestions=[s for s in reading.suggestions],
                     data={"routed": None, "reading": reading.to_dict(), "answered": False})
    reply = ctx.route(line, ctx, via=question)
    if reply.status == "usage":
        why = _first_line(reply.text) or "the command can't take that."
        return Reply(text=f"{read_as}\nI can't answer that yet: {why}", status="ok",
                     data={"routed": None, "reading": reading.to_dict(), "answered": False,
                           "command": reply.data.get("command")})
    focus = _focus(ctx, reading, reply)
    notes = "; ".join(reading.notes)
    reply.text = "\n".join(x for x in (read_as, notes and f"({notes})", focus, reply.text) if x).strip()
    reply.data = {**reply.data, "reading": reading.to_dict(), "answered": reply.status == "ok"}
    if reply.status == "ok":
        reply.data["routed"] = line
    return reply


@command("ask", summary="Ask in plain words; the bot reads the question, says how, and answers.",
         usage="ask <question>", example="ask who is winning, the US or China?", aliases=("q", "question", "why"),
         params=(Param("question", "text", "your question", True),),
         details="The answer starts with the command it ran (\"Read as: ...\"), so you can run it yourself. "
                 "When the question is unclear, the bot says so and offers commands to try.")
def ask(ctx: Context, args: Args) -> Reply:
    question = args.raw.strip()
    if not question:
        raise Usage("Ask a question, for example about the US and China, open models, or a model's size.")
    ctx.asked_now = says_now(question)
    failed: list[Reply] = []
    as_command = _runs_as_command(ctx, question, aliases=False, failed=failed)
    latest = NOW_TAIL.sub("", question)
    if as_command is None and latest != question and latest:  # "depth 10 now": now is what a command answers
        as_command = _runs_as_command(ctx, latest, aliases=False)
    if as_command is not None:
        return as_command
    reading = reading_for(ctx, question)
    if failed and reading.unknown:
        return failed[0]  # "top 5 xyzzy", "gap us atlantis": the command's own word for what it does not know
    if reading.sure and reading.command:
        return answer(ctx, question, reading)
    # "who", "leaderboard 5": an alias that is a whole command line, when the words say nothing surer
    as_alias = _runs_as_command(ctx, question, aliases=True)
    if as_alias is not None:
        return as_alias
    # a command line its command refused, and no surer reading: the command's own reply (its usage)
    return failed[0] if failed else _unsure(ctx, reading)
