"""What is asked -> the command line: an ordered list of rules.

Each :class:`Rule` names its intent, says whether it applies to a question
(``applies(q, p)``, over the :class:`~bot.reader.question.Question` and its
:class:`~bot.reader.parts.Parts`) and builds the command line that answers
it (``build(q, p)`` -> :class:`Built`). The first rule that applies wins, so
the order matters: a question that names two models and says "vs" is a
comparison before it is anything else. Adding an intent is adding one rule
at the right place in :data:`RULES` (CONTRIBUTING.md, "How to teach the
reader a question").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from bot.reader.parts import Parts, filters, top_n
from bot.reader.question import Question


@dataclass
class Built:
    """A rule's answer: the command line (None: no command answers it), whether
    the reading is sure of its cue, and the model aspect asked about."""

    command: str | None
    strong: bool = True
    aspect: str | None = None
    intent: str | None = None  # when one rule answers several intents (a model's maker, size, ...)


@dataclass(frozen=True)
class Rule:
    intent: str
    applies: Callable[[Question, Parts], bool]
    build: Callable[[Question, Parts], Built]

    @property
    def name(self) -> str:
        """The rule's name: its predicate's ("_gap_two_applies" -> "gap_two")."""
        return self.applies.__name__.strip("_").removesuffix("_applies")


def _year_start(raw: str | None) -> str | None:
    if raw and len(raw) == 4:
        return f"{raw}-01-01"
    if raw and len(raw) == 7:
        return f"{raw}-01"
    return raw


def category_words(q: Question) -> str:
    """' coding' for the first Arena category named (not a benchmark), else ''."""
    cat = next((f.value for f in q.found if f.kind == "category"), None)
    return f" {cat}" if cat else ""


def access_filter(p: Parts) -> str:
    """' open' when open/closed filters two other sides ("open models, us or china"), else ''."""
    return f" {p.access[0]}" if p.access and not set(p.sides) & {"open", "closed"} else ""


# -- what changed: "what happened this year", "what's new since march" -------------------------------
def _changes_applies(q: Question, p: Parts) -> bool:
    return q.cue("changes") and not p.named and not (q.cue("count") and q.cue("leader")) and \
        not ((q.cue("gap") or q.cue("compare")) and p.sides_named)


def _changes(q: Question, p: Parts) -> Built:
    start = _year_start(p.since or (q.time.raw if q.time else None))
    return Built("changes" + (f" since {start}" if start else ""))


# -- help and sources ------------------------------------------------------------------------------------
def _help_applies(q: Question, p: Parts) -> bool:
    return q.cue("help") and not (p.named or p.sides_named or p.cats) and not q.cue("leader")


def _sources_applies(q: Question, p: Parts) -> bool:
    return q.cue("sources") and not (p.named or p.sides_named or p.cats) and bool(re.search(
        r" (data|source|sources|dataset|licen[cs]e|credits) ", q.all_text()))


# -- about the bot and its data: "what is lmarena", "how old is your data", "where does this come from" ----
_ABOUT = re.compile(r" (what is|what s|whats|what are|explain|tell me about|who runs|who makes|how does) (the )?"
                    r"(lmarena|lmsys|chatbot arena|lm arena|arena|epoch|epoch ai|ai index|elo|this bot|you) ")
_OF_SOMETHING = re.compile(r" (score|scores|elo|rating|ratings|rank|ranking|place|position|price) (of|for) ")  # a model's
_DATA = re.compile(r" (data|you|your|this|it|these|numbers|figures|u|board|boards|leaderboard|info|stats) ")


def _about_data_applies(q: Question, p: Parts) -> bool:
    if p.named or p.sides_named or p.cats or q.unknown_names:
        return False
    text = q.all_text()
    if _OF_SOMETHING.search(text):  # "whats the arena score of skynet": a model's score, not what the arena is
        return False
    return bool(_ABOUT.search(text)) and not q.cue("help") or q.cue("sources") and bool(_DATA.search(text)) or \
        q.cue("count") and bool(re.search(r" (boards|snapshots) ", text))  # "how many arena boards do you have"


# -- how prices fell: "how much has the price of gpt-3.5-level ai fallen" ------------------------------------
_FELL = re.compile(r" (fallen|fell|fall|falling|dropped|drop|declined|decline|come down|came down|cheaper over time) ")


def _price_fall_applies(q: Question, p: Parts) -> bool:
    return (q.cue("price", q.all_text()) or q.cue("cheap")) and bool(_FELL.search(q.all_text())) and \
        len(p.models) <= 1 and not p.sides_named


# -- the AI Index's figures: "what does the AI Index say about ...", "how much did the us invest in ai" -------
FACT_TOPICS = (
    ("investment", r" (invest\w*|funding|fundraising|money|private investment) "),
    ("adoption", r" (adoption|adopt\w*|use ai|using ai|share of (companies|organi[sz]ations|businesses|firms)) "),
    ("cost", r" (price|prices|cost|costs|cheaper|fallen|fell|drop|dropped) "),
    ("models", r" (how many|count|counts|number of|produced|notable models) "),
    ("small-models", r" (small|smaller|parameters) "),
    ("scale", r" (compute|doubl\w*|dataset) "),
    ("frontier", r" (frontier|number 1|rank 1|top 10) "),
    ("benchmarks", r" (benchmark\w*|gpqa|mmmu|swe bench|score increase|jump\w*) "),
    ("open-vs-closed", r" (open|closed|open weight|open source) "),
)
_INDEX = re.compile(r" (ai index|aiindex|stanford|hai|index report) ")


def fact_topic(q: Question, p: Parts) -> str:
    text = q.all_text()
    topic = next((t for t, pat in FACT_TOPICS if re.search(pat, text)), "")
    if not topic and {"United States", "China"} <= set(p.sides_named):
        topic = "us-vs-china"
    return topic


def _index_facts_applies(q: Question, p: Parts) -> bool:
    # the AI Index named, or money and adoption (which only the AI Index has): its figures
    text = q.all_text()
    return not p.named and (bool(_INDEX.search(text)) or q.cue("facts") and fact_topic(q, p) in (
        "investment", "adoption"))


_EDITION = re.compile(r" (?:ai index|aiindex|index report|index)(?: report)? ((?:19|20)\d\d) | ((?:19|20)\d\d) "
                      r"(?:ai index|aiindex|stanford ai index) ")


def edition(q: Question) -> str:
    """The AI Index edition asked about: the year named with it ("ai index 2025"), else the edition
    that reports the year asked about (each edition reports the year before: 2024 is in the 2025
    report), else none (the newest)."""
    m = _EDITION.search(q.all_text())
    if m:
        return m.group(1) or m.group(2)
    if q.time and re.fullmatch(r"(19|20)\d\d", q.time.raw[:4]):
        return str(int(q.time.raw[:4]) + 1)
    return ""


def _index_facts(q: Question, p: Parts) -> Built:
    topic = fact_topic(q, p)
    if topic in ("open-vs-closed", "models", "benchmarks") and {"United States", "China"} <= set(p.sides_named):
        topic = "us-vs-china" if topic != "models" else topic
    return Built(" ".join(x for x in ("facts", edition(q), topic) if x))


# -- firsts, records and "ever", from the whole history ------------------------------------------------------
_HISTORY = re.compile(r" (number 1|best|top|topped|tops|lead|led|leads|leader|leading|reign|reigns|reigned|longest|record|records|"
                      r"on top|within|gap|smallest|closest|narrowest|widest|biggest|first place|been|beat|beaten|"
                      r"overtake|overtaken|overtook|ahead|behind|take|took|enter|entered|reach|reached|hit|get|got) ")
_SIDELESS = re.compile(r" (reign|reigns|reigned|longest|record|records|number 1|on top|first place|streak) ")


def _ever(q: Question) -> bool:
    text = q.all_text()
    return q.cue("records", text) or bool(
        " first " in text and re.search(r" (when|what year|which year|what month|how long ago|date) ", text)) or \
        bool(" within " in text and q.q("pct") and re.search(r" (when|ever|first|last time) ", text))


_STILL = re.compile(r" still (on top|number 1|the best|top|the top|king|first|leading|the leader|in the lead|#1) ")


def _records_applies(q: Question, p: Parts) -> bool:
    text = q.all_text()
    if len(p.sides_named) == 1 and not p.named and _STILL.search(text):
        return True  # "is openai still on top": whether it is #1, since when, and who is
    if not _ever(q) or q.unknown_names or q.cue("count") or len(p.named) > 1:
        return False
    if p.named:  # one model: "when did r1 first hit the top 5", "has gpt-4o ever been #1"
        return not p.sides_named and bool(_HISTORY.search(text))
    return bool(p.sides_named and _HISTORY.search(text)) or not p.sides_named and bool(_SIDELESS.search(text))


def _records(q: Question, p: Parts) -> Built:
    text = q.all_text()
    sides = p.sides
    pct_q = q.q("pct")
    within = f" within {pct_q.value:g}%" if pct_q and " within " in text else ""
    who = f" {sides[0]} vs {sides[1]}" if len(sides) >= 2 else f" {sides[0]}" if sides else \
        f" {p.named[0]}" if p.named else ""
    n = q.q("n") or next((x for x in q.quantities if x.kind == "number" and x.value == int(x.value)
                          and 1 <= x.value <= 100), None)
    top = f" top {int(n.value)}" if n and (len(sides) == 1 or p.named and not sides) and not within else ""
    if not top and _STILL.search(text) and len(sides) == 1:
        top = " top 1"
    return Built(f"records{who}{access_filter(p) if sides else ''}{top}{within}{category_words(q)}{p.when}")


# -- the frontier between two ranks: "gap between #1 and #10", "#1 vs #2" -------------------------------------
def _ranks(q: Question) -> list[int]:
    """Ranks named as "#1", "number 10", "rank 2"."""
    t = q.toks
    return [int(t[i + 1]) for i in range(len(t) - 1) if t[i] in ("number", "rank") and re.fullmatch(r"[0-9]{1,4}", t[i + 1])
            and int(t[i + 1]) <= 1000]


def _rank_gap_applies(q: Question, p: Parts) -> bool:
    ranks = _ranks(q)
    return len(ranks) >= 2 and 1 in ranks and max(ranks) <= 100 and not p.named and not p.sides_named


def _rank_gap(q: Question, p: Parts) -> Built:
    return Built(f"frontier {max(_ranks(q))}{category_words(q)}{p.when}")


# -- two or more models: a comparison ----------------------------------------------------------------------
def _compare_applies(q: Question, p: Parts) -> bool:
    fam_only = len(p.every_model) > len(p.named)  # a family word that is also a maker ("meta", "deepseek")
    return len(p.every_model) >= 2 and bool(p.named) and not q.cue("small") and \
        (not fam_only or q.cue("compare") or q.cue("gap"))


def _compare(q: Question, p: Parts) -> Built:
    return Built("compare " + " vs ".join(p.every_model[:6]) + category_words(q) + p.when)


# -- one model: what about it ----------------------------------------------------------------------------
def _one_model(q: Question, p: Parts) -> bool:
    return len(p.models) == 1 and not p.countries and not (q.cue("small") or q.cue("cheap"))


def _price_applies(q: Question, p: Parts) -> bool:
    return _one_model(q, p) and p.aspect == "price"


def _aspect_applies(q: Question, p: Parts) -> bool:
    return _one_model(q, p) and p.aspect in ("maker", "release", "size", "compute", "cost", "scores", "interval")


def _aspect(q: Question, p: Parts) -> Built:
    return Built(f"model {p.models[0]}{category_words(q)}{p.when}", True, p.aspect, intent=p.aspect)


def _model_line(q: Question, p: Parts) -> str:
    return f"model {p.models[0]}{category_words(q)}{p.when}"


def _model_rank_applies(q: Question, p: Parts) -> bool:
    # "is gpt-4o the best?", "how does claude rank": its Arena rank is in the model card
    return _one_model(q, p) and (q.cue("leader") or q.cue("about") or p.aspect == "open")


def _model_applies(q: Question, p: Parts) -> bool:
    # "gpt-4o vs china" is not a thing: left to the rules below
    return _one_model(q, p) and not (p.sides_named and (q.cue("compare") or q.cue("gap")))


# -- smallest: "smallest model that beats gpt-4", "smallest model above 60% on gpqa" ---------------------------
def _small_applies(q: Question, p: Parts) -> bool:
    smallest = re.search(r" (smallest|tiniest|smaller|how small|fewest parameters|least parameters) ", p.text) or \
        re.search(r" (small|tiny|little|compact|lightweight) (model|models|llm|llms|one|ones|open|ai) ", q.all_text())
    return bool(smallest) and len(p.sides_named) < 2


def _small(q: Question, p: Parts) -> Built:
    args = []
    pct_q, elo_q = q.q("pct"), q.q("elo")
    bench = next((f.value for f in q.found if f.kind == "benchmark"), None)
    if p.models:
        args.append(p.models[0])
        if bench:
            args.append(bench)
    elif pct_q:
        args += [f"{pct_q.value:g}%", bench or "gpqa"]
    elif elo_q:
        args += [f"{elo_q.value:g}", "arena"]
    elif bench:
        args.append(bench)
    elif any(f.kind == "arena" for f in q.found):
        args.append("arena")
    strong = bool(re.search(r" (smallest|tiniest|small|tiny|smaller|little) ", p.text))
    return Built(("small " + " ".join(args)).strip(), strong)


# -- cheapest: "cheapest model above 1300 elo"; "cheapest model that beats gpt-4o": that model's score on the
# latest board is the bar (`cheapest` takes a score); a model the latest board does not rate sets no bar
# there, and the command line keeps its name, which `cheapest` refuses
def _cheap_applies(q: Question, p: Parts) -> bool:
    return q.cue("cheap") and (not p.models or bool(re.search(r" (beat|beats|beating|better than|as good as|matches) ",
                                                              p.text)))


def _cheap(q: Question, p: Parts) -> Built:
    elo_q = q.q("elo")
    rival = q.lex.arena_score(p.models[0]) if p.models else None
    bar = (f"{rival:.0f}" if rival is not None else p.models[0]) if p.models else \
        (f"{elo_q.value:g}" if elo_q else "")
    n = q.q("n")
    top = f" top {int(n.value)}" if n and 2 <= n.value <= 25 else ""
    return Built(("cheapest " + bar).strip() + top)


# -- depth: "how many chinese models are in the top 20", "... in the top 10 for coding"; depth counts every
# country, so a country needs no word; open/closed or a benchmark stay on the line, where `depth` says it
# cannot take them rather than answer another question
def _depth_applies(q: Question, p: Parts) -> bool:
    text = q.all_text()
    if q.cue("count") and re.search(r" (in|inside|within|among|of) (the )?top ", text):
        return True
    # "which country has the most top 20 models", "how many chinese models are in the arena top 10"
    top_n = re.search(r" top (\d+|ten|twenty|five|fifty) ", text)
    countryish = p.countries or re.search(r" (country|countries|nation|nations|per|each) ", text)
    return bool(top_n and countryish and (q.cue("count") or " most " in text) and not p.named)


def _depth(q: Question, p: Parts) -> Built:
    n = q.q("n") or q.q("number")
    extra = p.cats[:1] + p.access[:1]
    period = f" since {p.since}" if p.since else p.when
    return Built(" ".join(["depth"] + ([f"{int(n.value)}"] if n else []) + extra) + period)


# -- counts: "how many models did china release in 2024" ------------------------------------------------------
def _count_applies(q: Question, p: Parts) -> bool:
    return q.cue("count") and not q.cue("size") and not q.cue("compute")


def _count(q: Question, p: Parts) -> Built:
    year = q.time.raw[:4] if q.time else ""
    fam_orgs = [f.org for f in q.found if f.kind == "family" and f.org]
    who = p.countries[0] if p.countries else (p.orgs or fam_orgs or [""])[0]
    by = ""
    text = q.all_text()
    if len(p.countries) >= 2:  # "the US or China": every country side by side
        who, by = "", "by country"
    elif re.search(r" (per|by|each|every|which|what) (country|countries|nation|nations) ", text) or \
            re.search(r" (which|what) (country|nation) ", text):
        by = "by country"
    elif re.search(r" (per|by|each|which|what) (org|orgs|organisation|organization|lab|labs|company|companies) ",
                   text):
        by = "by organisation"
    elif re.search(r" (per|by|each|which|what) (sector|sectors|industry or academia) ", text):
        by = "by sector"
    return Built(" ".join(x for x in ("count", year, who, by) if x))


# -- gap: two sides, or one side catching up ----------------------------------------------------------------
def _gap_line(a: str, b: str, when: str) -> str:
    if {a, b} == {"open", "closed"}:
        return f"gap closed vs open{when}"
    return f"gap {a} vs {b}{when}"


def _gap_two_applies(q: Question, p: Parts) -> bool:
    if len(p.sides) < 2:
        return False
    return (q.cue("gap") or q.cue("compare") or q.cue("leader")) and not re.search(r" (top|best) ", p.text) or \
        bool(re.search(r" (vs|versus|v|or|ahead|behind|gap|lead|catch|catching|beat|beating) ", p.text))


def _significance(q: Question) -> str | None:
    return "significance" if q.cue("significance", q.all_text()) else None


def _gap_two(q: Question, p: Parts) -> Built:
    a, b = p.sides[0], p.sides[1]
    extra = category_words(q) + access_filter(p)
    line = f"gap closed vs open{extra}" if {a, b} == {"open", "closed"} else f"gap {a} vs {b}{extra}"
    return Built(line + p.when, aspect=_significance(q))


def _gap_one_applies(q: Question, p: Parts) -> bool:
    if len(p.sides) != 1:
        return False
    catching = bool(re.search(r" (catch|catching|caught|closing|behind|ahead|trail|trailing|gap|ever|overtake|"
                              r"overtaken|surpass|close the gap|keep up|keeping up) ", p.text))
    if not catching and re.search(r" (winning|win|wins|leading|lead|leads) ", p.text) and \
            not re.search(r" (who|which|what|best|top|whos) ", q.all_text()):
        catching = True  # "is the u.s. winning?"
    return catching and not (p.access and re.search(r" (best|top) ", p.text))


def _gap_one(q: Question, p: Parts) -> Built:
    s = p.sides[0]
    line = "gap closed vs open" if s in ("open", "closed") else f"gap {s}"
    return Built(line + category_words(q) + p.when, aspect=_significance(q))


# -- trend and doubling: "how fast is training compute growing" -----------------------------------------------
def _trendish(q: Question) -> bool:
    return (q.cue("trend") or q.cue("compute")) and not q.cue("count")


def _compute_applies(q: Question, p: Parts) -> bool:
    return _trendish(q) and (q.cue("compute") or bool(re.search(r" (doubl\w*|scaling|scale) ", p.text)))


def _compute(q: Question, p: Parts) -> Built:
    who = p.countries[0] if p.countries else (p.orgs[0] if p.orgs else "")
    return Built(("compute " + who).strip() + p.when)


def _trend_gap_applies(q: Question, p: Parts) -> bool:
    return _trendish(q) and (q.cue("gap") or len(p.sides) >= 2)


def _trend_gap(q: Question, p: Parts) -> Built:
    # no sides named: the gap the bot follows first, the US and China (the reading says so)
    line = f"gap {p.sides[0]} vs {p.sides[1]}" if len(p.sides) >= 2 else "gap us vs china"
    return Built(line + category_words(q), aspect=_significance(q))


# -- how close the frontier is; the race between countries -----------------------------------------------------
def _frontier_applies(q: Question, p: Parts) -> bool:
    return q.cue("frontier") and not (p.countries or p.orgs or p.access or p.cats) and \
        not re.search(r" (best|closest to) ", p.text) or bool(re.search(r" (tighter|tightest|crowded|neck and neck|"
                                                                        r"spread) ", p.text))


def _frontier(q: Question, p: Parts) -> Built:
    ns = [x.value for x in q.quantities if x.kind in ("n", "number") and 2 <= x.value <= 100]
    return Built("frontier" + (f" {int(max(ns))}" if ns else "") + p.when)


def _race_applies(q: Question, p: Parts) -> bool:
    named = p.countries or p.orgs or p.access or p.cats
    return bool(re.search(r" (which|what) (country|nation) ", q.all_text())) or \
        (q.cue("race") and not named and (q.cue("leader") or q.cue("gap") or " race " in p.text)) or \
        bool(re.search(r" (ai race|the race) ", q.all_text())) and not named


# -- what no command answers: say so ----------------------------------------------------------------------------
def _biggest_applies(q: Question, p: Parts) -> bool:
    # no command ranks models by size: say so, offer commands
    return bool(re.search(r" (biggest|largest|most parameters) ", q.all_text())) and not p.models


def _explain_applies(q: Question, p: Parts) -> bool:
    # "what is gpqa": the bot does not explain benchmarks
    return bool(p.cats) and not (q.cue("leader") or q.q("n")) and bool(
        re.search(r" (what is|what are|whats|explain|meaning) ", q.all_text()))


# -- leaders and leaderboards -------------------------------------------------------------------------------------
def _leader_applies(q: Question, p: Parts) -> bool:
    floor = q.q("elo")
    return q.cue("leader") or q.cue("gap") or bool(p.cats and not p.models) or bool(q.q("n")) or \
        bool(floor and floor.op == ">=")


def _leader(q: Question, p: Parts) -> Built:
    n = top_n(q)
    where = filters(q)
    floor = q.q("elo")
    if floor and floor.op == ">=" and not any(f.kind == "benchmark" for f in q.found):
        n = n if q.q("n") else 25  # "models above 1400 elo": all of them, up to 25
        where = (where + f" above {floor.value:g}").strip()
    line = " ".join(x for x in ("top", str(n), where) if x) + p.when
    return Built(line, q.cue("leader") or bool(p.cats) or bool(floor))


# -- timelines: "openai's releases", "history of deepseek"; the AI Index figures ---------------------------------
def _timeline_applies(q: Question, p: Parts) -> bool:
    return q.cue("timeline") and bool(p.orgs or p.countries or p.sides)


def _releases_applies(q: Question, p: Parts) -> bool:
    return q.cue("release") and bool(p.orgs or p.countries) and bool(re.search(r" (when|releases|released) ", p.text))


def _facts(q: Question, p: Parts) -> Built:
    topic = next((t for t in ("investment", "adoption", "cost") if re.search(rf" {t[:5]}\w* ", q.all_text())), "")
    return Built(("facts " + topic).strip())


# -- just a name: what it is ----------------------------------------------------------------------------------------
def _fam_orgs(q: Question) -> list[str]:
    return [f.org for f in q.found if f.kind == "family" and f.org]


def _org_applies(q: Question, p: Parts) -> bool:
    return len(p.orgs) == 1 or (not p.orgs and len(_fam_orgs(q)) == 1 and bool(p.countries))


def _org(q: Question, p: Parts) -> Built:
    return Built(f"org {(p.orgs or _fam_orgs(q))[0]}{p.when}", q.cue("about") or not p.unknown)


def _country_applies(q: Question, p: Parts) -> bool:
    return len(p.countries) == 1 and not p.orgs


def _family_org_applies(q: Question, p: Parts) -> bool:
    fam = [f for f in q.found if f.kind == "family"]
    return len(fam) == 1 and bool(fam[0].org) and not p.countries


def _family_org(q: Question, p: Parts) -> Built:
    org = next(f.org for f in q.found if f.kind == "family")
    return Built(f"org {org}{p.when}", q.cue("about") or len(q.rest()) <= 1)


def _facts_applies(q: Question, p: Parts) -> bool:
    return q.cue("facts")


def _two_sides_applies(q: Question, p: Parts) -> bool:
    return len(p.sides) >= 2  # no cue word: unsure, but the gap is the likely question


def _access_applies(q: Question, p: Parts) -> bool:
    return bool(p.access and not p.models)  # "open models?": unsure, their leaderboard is likely


def _nothing_else_applies(q: Question, p: Parts) -> bool:
    return True


def _nothing(q: Question, p: Parts) -> Built:
    return Built(None, False)


RULES: list[Rule] = [
    Rule("changes", _changes_applies, _changes),
    Rule("help", _help_applies, lambda q, p: Built("help")),
    Rule("sources", _sources_applies, lambda q, p: Built("sources")),
    Rule("sources", _about_data_applies, lambda q, p: Built("sources")),
    Rule("facts", _index_facts_applies, _index_facts),
    Rule("records", _records_applies, _records),
    Rule("frontier", _rank_gap_applies, _rank_gap),
    Rule("cheap", _price_fall_applies, lambda q, p: _cheap(q, p)),
    Rule("compare", _compare_applies, _compare),
    Rule("price", _price_applies, lambda q, p: Built(f"price {p.models[0]}", True, p.aspect)),
    Rule("model", _aspect_applies, _aspect),  # its maker, release, size, compute, training cost or scores
    Rule("model", _model_rank_applies, lambda q, p: Built(_model_line(q, p), True, p.aspect or (
        "rank" if q.cue("leader") else None))),
    Rule("model", _model_applies, lambda q, p: Built(_model_line(q, p), not p.unknown, p.aspect)),
    Rule("small", _small_applies, _small),
    Rule("cheap", _cheap_applies, _cheap),
    Rule("depth", _depth_applies, _depth),
    Rule("count", _count_applies, _count),
    Rule("gap", _gap_two_applies, _gap_two),
    Rule("gap", _gap_one_applies, _gap_one),
    Rule("trend", _compute_applies, _compute),
    Rule("gap", _trend_gap_applies, _trend_gap),
    Rule("frontier", _frontier_applies, _frontier),
    Rule("race", _race_applies, lambda q, p: Built("race" + category_words(q) + p.when)),
    Rule("unknown", _biggest_applies, _nothing),
    Rule("unknown", _explain_applies, _nothing),
    Rule("leader", _leader_applies, _leader),
    Rule("timeline", _timeline_applies, lambda q, p: Built(f"timeline {(p.orgs or p.countries or p.sides)[0]}")),
    Rule("timeline", _releases_applies, lambda q, p: Built(f"timeline {(p.orgs or p.countries)[0]}")),
    Rule("facts", _facts_applies, _facts),
    Rule("org", _org_applies, _org),
    Rule("country", _country_applies,
         lambda q, p: Built(f"country {p.countries[0]}{p.when}", q.cue("about") or not p.unknown)),
    Rule("org", _family_org_applies, _family_org),
    Rule("gap", _two_sides_applies, lambda q, p: Built(f"gap {p.sides[0]} vs {p.sides[1]}{p.when}", False)),
    Rule("leader", _access_applies, lambda q, p: Built(f"top 5 {p.access[0]}{p.when}", False)),
    Rule("unknown", _nothing_else_applies, _nothing),
]


def first_rule(q: Question, p: Parts) -> tuple[Rule, Built]:
    """The first rule that applies and what it builds."""
    for rule in RULES:
        if rule.applies(q, p):
            return rule, rule.build(q, p)
    raise AssertionError("the last rule applies to every question")  # pragma: no cover
