"""The words the question reader knows: cue words for what is asked, the
vocabulary that is never a model name on its own, Arena categories,
benchmarks, months and the spellings of relative times.

Plain data, kept apart from the reading logic in :mod:`bot.reader`
so a new phrasing is one word added here, not a new rule.
"""
from __future__ import annotations

# -- what is asked: cue word -> intent ------------------------------------------------
# Multi-word cues are matched on the folded question as whole words.
CUES: dict[str, tuple[str, ...]] = {
    "compare": ("vs", "versus", "v", "compare", "compared", "comparison", "better than", "worse than",
                "difference between", "differ", "against", "which is better", "stack up", "or"),
    "gap": ("gap", "lead", "leads", "leading", "ahead", "behind", "catch up", "catching up", "caught up",
            "closing", "close the gap", "trail", "trails", "trailing", "winning", "win", "wins", "beat",
            "beating", "beats", "ever", "overtake", "overtaken", "overtook", "surpass", "surpassed", "race",
            "shrinking", "narrowing", "widening", "closing in"),
    "leader": ("best", "top", "leader", "leaders", "leads", "leading", "led", "number one", "strongest", "smartest",
               "highest", "strongest", "first", "winning", "ahead", "rank", "ranking", "rankings", "leaderboard",
               "king", "goat", "sota", "state of the art", "most capable", "best performing", "on top", "1st",
               "greatest", "dominant", "dominates", "dominating", "wins", "win", "tops", "top spot", "top dog",
               "holds rank 1", "number 1", "rank 1"),
    "race": ("race", "ai race", "who is winning", "whos winning", "who s winning", "country", "countries", "nation",
             "nations", "which country", "what country", "geopolitics"),
    "maker": ("who makes", "who made", "who built", "who builds", "who created", "who creates", "who developed",
              "who develops", "who trained", "who owns", "who released", "who is behind", "who s behind", "who behind",
              "whos behind", "maker", "makers", "made by", "built by", "developed by", "creator", "developer",
              "which company", "what company", "which lab", "what lab", "whose", "company behind", "lab behind",
              "made", "makes", "where is", "from which country", "what country is", "which country is",
              "which org", "which organisation", "which organization"),
    "release": ("when", "released", "release date", "release", "launched", "launch", "came out", "come out",
                "how old", "debut", "debuted", "announced", "published", "date"),
    "size": ("how big", "size", "sized", "parameters", "parameter", "params", "param", "how large", "weights size",
             "how many parameters", "big", "large"),
    "compute": ("compute", "flop", "flops", "training compute", "gpu hours", "how much compute"),
    "cost": ("cost to train", "training cost", "cost of training", "costs to train", "cost", "costs", "spent",
             "spend", "expensive to train", "budget"),
    "price": ("price", "prices", "pricing", "per token", "per million", "api cost", "api price", "cost per",
              "how much does", "how much is", "how much are", "charge", "pay", "subscription", "dollars per",
              "expensive", "pricey", "costly", "overpriced"),
    "scores": ("score", "scores", "scored", "scoring", "elo", "rating", "rated", "rank", "ranked", "benchmark",
               "benchmarks", "how good", "perform", "performance", "performs", "result", "results", "how smart"),
    "open": ("open source", "open weights", "open weight", "opensource", "open sourced"),
    "trend": ("doubling", "doubles", "double", "trend", "trends", "growth", "growing", "grow", "grows", "scaling",
              "scale", "how fast", "exponential", "over time", "increase", "increasing", "widening", "widen", "widened",
              "narrowing", "narrow", "narrowed", "shrinking", "shrink", "shrank", "momentum", "slowing", "accelerating"),
    # firsts, records, "ever": the whole history, not today's board
    "records": ("ever", "never", "longest", "reign", "reigns", "reigned", "record", "records", "all time", "alltime",
                "first time", "for the first time", "streak", "most days", "smallest ever", "biggest ever",
                "how long has", "how long have", "how long was", "since when"),
    # significance and intervals
    "significance": ("significant", "significance", "statistically", "statistical", "stat sig", "ci", "cis",
                     "confidence", "confidence interval", "interval", "intervals", "margin of error", "error bars",
                     "error bar", "noise", "within the noise", "uncertainty", "real lead", "meaningful"),
    "count": ("how many", "number of", "count", "counts", "amount of", "total", "tally", "how much models",
              "most models", "the most models", "released the most", "most releases", "most notable models",
              "fewest models", "per country", "by country", "per year", "each year", "per organisation",
              "per organization", "by organisation", "by organization", "per lab", "per company", "by sector",
              "per sector", "notable models", "notable ai models"),
    "small": ("smallest", "small", "tiniest", "tiny", "smaller", "fewest parameters", "least parameters",
              "most efficient", "compact", "lightweight", "little"),
    "cheap": ("cheapest", "cheaper", "cheap", "lowest price", "least expensive", "most affordable", "affordable",
              "budget", "inexpensive", "best value", "bang for buck"),
    "changes": ("what happened", "what changed", "what s new", "whats new", "what is new", "what new", "news", "changes",
                "changed", "change", "updates", "update", "recap", "what did i miss", "catch me up", "happened",
                "new models", "latest news", "going on", "anything new", "something new", "new this"),
    "frontier": ("tight", "tighter", "tightest", "close", "closer", "closest", "crowded", "spread", "competitive",
                 "neck and neck", "frontier", "bunched", "converging", "convergence", "first and second",
                 "1st and 2nd", "second place", "runner up", "top two", "top 2"),
    "depth": ("in the top", "inside the top", "within the top", "among the top", "of the top"),
    "timeline": ("timeline", "releases", "release history", "history", "over the years", "track record"),
    "facts": ("investment", "invest", "investing", "funding", "money", "ai index", "adoption", "private investment",
              "headline", "figures", "stats about", "statistics"),
    "sources": ("source", "sources", "data come from", "where does the data", "where do you get", "licence",
                "license", "credits", "dataset", "your data", "this data", "the data", "getting this", "get this",
                "come from", "comes from", "up to date", "uptodate", "how old", "how fresh", "how recent", "updated",
                "last update", "last updated", "data age", "stale", "outdated", "as of date", "data date",
                "how many boards", "how many snapshots", "how many arena boards"),
    "help": ("help", "what can you do", "commands", "how do i use", "how to use", "what can i ask", "usage"),
    "about": ("tell me about", "about", "info", "information", "details", "what is", "what s", "whats", "who is",
              "overview", "profile", "how is", "doing", "what do you know", "specs", "spec", "specifications",
              "card", "stats", "summary"),
    "since": ("since", "from", "after"),
}

# Words that carry no content of their own (function words, chat filler, the
# words of the cues). A token in here is never a model name by itself, and
# leftover words outside it make a reading less sure.
FILLER = set("""
a an the of in on at to for from by with without about into onto over under above below between among across
after before during since until till up down out off than then so as is are was were be been being am do does
did done doing has have had having will would shall should can could may might must it its it s this that these
those there here what which who whom whose when where why how whats what s whos who s hows wheres whens
i me my mine we us our ours you your yours he him his she her hers they them their theirs one ones
and or but if not no nor yes yeah yep nope ok okay pls please plz thanks thank thx ty hey hi hello yo sup
guys guy folks bro bruh lol lmao lmfao rofl haha hahaha ngl tbh imo imho idk btw fyi omg wow hmm hm rn atm
tho though actually really honestly basically literally seriously just only even also too very quite pretty
so much many more most less least lot lots some any all every each other another such same own
now today currently current nowadays presently still yet already again anymore ever never always sometimes
right now moment latest newest recent recently new old oldest
model models llm llms ai ais system systems chatbot chatbots bot bots lm lms language large thing things one
tell show give let know think thought wonder wondering curious want wanna need like get got say said see
look looking find found check explain list name named called call
is isn isnt aren arent wasn wasnt don dont doesn doesnt didn didnt won wont can cant couldn
good better best bad worse worst great top high higher highest low lower lowest big bigger biggest
way ways kind sort type types version versions variant family families
currently overall general generally really win wins won winning lead leads leading led leader leaders
country countries nation nations region regions company companies lab labs org orgs organisation organization
organisations organizations team teams maker makers
year years month months week weeks day days time times period date dates
question answer ask asking asked far much quickly fast slow notable strong stronger powerful smart
plus pct usd number numbers billion million trillion thousand bn tokens token dollars dollar bucks cents percent points pts
board boards leaderboard leaderboards category categories catalog snapshot snapshots list spot place position
level fallen fell dropped declined
""".split())

# Words around times ("the end of 2024", "last month", "summer 2024").
TIME_WORDS = {"last", "past", "this", "next", "previous", "early", "late", "mid", "middle", "end", "start",
              "beginning", "summer", "winter", "spring", "fall", "autumn", "ytd", "year", "month", "week"}

# Question words that never start a model name.
QUESTION_WORDS = {"what", "which", "who", "whos", "whose", "when", "where", "why", "how", "is", "are", "does", "do",
                  "did", "has", "have", "can", "could", "will", "would", "should", "tell", "show", "give", "list"}

# Typos people make in the cue words: checked only for tokens that are
# neither known words nor names.
TYPO_TARGETS = sorted({w for cues in CUES.values() for c in cues for w in c.split() if len(w) >= 4} | {
    "model", "models", "country", "countries", "biggest", "smallest", "released", "parameters", "compare",
    "cheapest", "chinese", "american", "european", "between", "versus", "leaderboard", "proprietary", "weights",
    "source", "which", "about", "there", "right", "currently", "happened", "catching", "smartest", "strongest",
})

# -- Arena categories: what people say -> the category word the command takes ---------------
CATEGORIES: dict[str, str] = {
    "coding": "coding", "code": "coding", "programming": "coding", "coder": "coding", "coders": "coding",
    "software": "coding", "dev": "coding",
    "math": "math", "maths": "math", "mathematics": "math",
    "creative writing": "creative writing", "creative": "creative writing", "writing": "creative writing",
    "storytelling": "creative writing", "stories": "creative writing", "fiction": "creative writing",
    "hard prompts": "hard prompts", "hard prompt": "hard prompts", "hard questions": "hard prompts",
    "instruction following": "instruction following", "following instructions": "instruction following",
    "instructions": "instruction following",
    "multi turn": "multi-turn", "multiturn": "multi-turn", "multi-turn": "multi-turn", "long conversations": "multi-turn",
    "longer query": "longer query", "long queries": "longer query", "longer queries": "longer query",
    "long prompts": "longer query",
    "expert": "expert", "expert questions": "expert",
}
# Languages are Arena categories too; the adjective of a country is read as
# the language only after "in", "at" or "for" ("best at chinese").
LANGUAGES = {"chinese", "english", "french", "german", "japanese", "korean", "russian", "spanish"}
LANGUAGE_BEFORE = {"in", "at", "for", "on", "speaks", "speak", "speaking", "writes", "write", "writing",
                   "understands", "understand", "translate", "translating", "translation", "into"}
LANGUAGE_VERBS = {"speaks", "speak", "speaking", "writes", "write", "understands", "understand", "translate",
                  "translating", "translates"}
LANGUAGE_AFTER = {"prompts", "prompt", "language", "board", "leaderboard", "category", "text", "questions",
                  "speakers", "writing", "translation"}
COUNTRY_AFTER = {"model", "models", "lab", "labs", "company", "companies", "ai", "llm", "llms", "side", "one", "ones"}

# -- benchmarks: what people type -> a search word for the store's benchmark names ---------
BENCHMARKS: dict[str, str] = {
    "gpqa": "gpqa", "gpqa diamond": "gpqa", "gqpa": "gpqa",
    "math level 5": "math level 5", "math lvl 5": "math level 5", "math 5": "math level 5",
    "frontiermath": "frontiermath", "frontier math": "frontiermath",
    "swe bench": "swe-bench", "swebench": "swe-bench", "swe bench verified": "swe-bench", "swe": "swe-bench",
    "aime": "aime", "otis": "aime", "otis aime": "aime", "otis mock aime": "aime", "mock aime": "aime",
    "mmlu": "mmlu", "mmlu pro": "mmlu-pro", "mmlupro": "mmlu-pro", "humaneval": "humaneval", "human eval": "humaneval",
    "arc agi": "arc-agi", "arcagi": "arc-agi", "hle": "hle", "humanity s last exam": "hle", "humanitys last exam": "hle",
    "mmmu": "mmmu", "gsm8k": "gsm8k", "livecodebench": "livecodebench", "simpleqa": "simpleqa", "mgsm": "mgsm",
    "hellaswag": "hellaswag", "big bench": "big-bench", "bbh": "bbh", "ifeval": "ifeval",
}
ARENA_WORDS = {"arena", "lmarena", "lmsys", "chatbot arena", "lm arena", "elo"}
# the other sources, named in questions about the data ("what is epoch ai", "per the ai index")
SOURCE_WORDS = ("epoch", "epoch ai", "ai index", "aiindex", "stanford hai", "stanford", "hai", "lmarena", "lmsys",
                "chatbot arena", "lm arena", "arena")

# -- open and closed ------------------------------------------------------------------------------
OPEN_PHRASES = ("open source", "open sourced", "open weights", "open weight", "opensource", "oss", "open models",
                "open model", "open ai models", "open llms", "open llm", "open")
SOURCE_TOKENS = frozenset(w for phrase in SOURCE_WORDS for w in phrase.split())
# "free" models: read as open weights (free to download and run); the answer says so
FREE_PHRASES = ("free", "free to use", "free to download", "for free", "freely available", "no cost")
CLOSED_PHRASES = ("closed source", "closed weights", "closed weight", "closed models", "closed model", "closed",
                  "proprietary")

# -- times ------------------------------------------------------------------------------------------
MONTHS = {"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
          "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
          "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12}
NOW_WORDS = ("right now", "rn", "now", "today", "currently", "at the moment", "atm", "these days", "nowadays",
             "at present", "as of now", "as of today", "presently")
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "fifteen": 15, "twenty": 20, "twenty five": 25, "dozen": 12, "a dozen": 12}

# -- quantities --------------------------------------------------------------------------------------
MORE = ("above", "over", "more than", "greater than", "at least", "beyond", "exceeding", "exceeds", "exceed",
        "higher than", "better than", "beats", "beat", "beating", "reach", "reaches", "reaching", "hits", "hit",
        "past", "min", "minimum", "atleast", "surpass", "surpasses", "gt", "ge", "plus")
LESS = ("under", "below", "less than", "fewer than", "smaller than", "cheaper than", "lower than", "at most",
        "max", "maximum", "within", "up to", "no more than", "lt", "le", "sub")

# Short typos and chat spellings, fixed word for word before anything else.
SHORT_FIXES = {"hw": "how", "wat": "what", "wht": "what", "whta": "what", "teh": "the", "abt": "about",
               "bc": "because", "cuz": "because", "w": "with", "ppl": "people", "mdl": "model", "mdls": "models",
               "cn": "china", "chn": "china", "ur": "your", "yr": "year", "rn": "now", "nvm": "", "thx": "thanks",
               "da": "the", "fr": "really", "frfr": "really", "u": "you", "ya": "you", "tha": "the",
               "bestest": "best", "luv": "love"}

# misspelt categories and languages are fixed like misspelt cue words ("cdoing", "japanesse")
TYPO_TARGETS = sorted(set(TYPO_TARGETS) | {w for c in CATEGORIES for w in c.split() if len(w) >= 5} | LANGUAGES)

# flags people type for countries (regional-indicator pairs, as ISO letters) -> a word the reader knows
FLAGS = {"us": "usa", "cn": "china", "fr": "france", "gb": "uk", "de": "germany", "jp": "japan", "kr": "south korea",
         "ca": "canada", "il": "israel", "ae": "uae", "in": "india", "eu": "eu", "ru": "russia", "ch": "switzerland"}
# a language's country: a flag beside the language names the language, not the country's models
LANGUAGE_OF = {"french": "France", "german": "Germany", "japanese": "Japan", "korean": "South Korea",
               "chinese": "China", "russian": "Russia", "spanish": "Spain"}
