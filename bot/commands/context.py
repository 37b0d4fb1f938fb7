"""What a handler gets: the data (`Context`) and the parsed arguments (`Args`)."""
from __future__ import annotations

import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from rapidfuzz import fuzz, process

from bot.caller import Caller
from bot.commands.grammar import When, take_date, usage_reply
from bot.commands.pending import PendingActions
from bot.commands.registry import CommandInfo
from bot.config import Settings
from bot.lookup import Index, Match
from bot.render.text import clean
from bot.reply import Reply, ReplyError
from bot.store.db import Store
from bot.store.freshness import DataAge, board_sources, data_age, newest_board
from bot.domain.board_chain import AMENDMENTS
from bot.domain.categories import OVERALL
from bot.domain.normalize import COUNTRY_ALIASES, country_name, fold
from bot.store.readmodel import ReadModel


class Usage(ReplyError):
    """Wrong arguments: the handler's usage and example are shown."""

    status = "usage"

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message

    def to_reply(self, ctx=None, command=None) -> Reply:
        return usage_reply(command, getattr(ctx, "prefix", "!"), self.message)


class NotFound(ReplyError):
    """A name did not resolve; carries the lookup's suggestions."""

    status = "not_found"

    def __init__(self, kind: str, match: Match, rebuild: str | None = None):
        super().__init__(match.query)
        self.kind = kind
        self.match = match
        self.rebuild = rebuild  # command line with {} where the name goes, for "did you mean" buttons

    def to_reply(self, ctx=None, command=None) -> Reply:
        """ "Did you mean" with up to three suggestions (buttons rebuilding the line with each); an unknown
        model is named as not in the data, with the newest board, never answered as another model."""
        names = [n for n, _s in self.match.suggestions][:3]
        q = clean(self.match.query, 60)
        latest = newest_board(ctx.read) if ctx is not None and self.kind == "model" else None
        if latest:  # a model after the data, or a version that never was: unknown, never another model's answer
            text = f"'{q}' is not in my data (latest board {latest})."
            text += (" Did you mean " + ", ".join(f"**{n}**" for n in names[:-1]) + (" or " if len(names) > 1 else "")
                     + f"**{names[-1]}**?") if names else ""
        elif names:
            text = f"I don't know the {self.kind} '{q}'. Did you mean " + ", ".join(f"**{n}**" for n in names[:-1])
            text += (" or " if len(names) > 1 else "") + f"**{names[-1]}**?"
        else:
            text = f"I don't know the {self.kind} '{q}', and nothing close to it."
        sugg = [self.rebuild.replace("{}", n) for n in names] if self.rebuild else []
        return Reply(text=text, status=self.status, suggestions=sugg,
                     data={"query": self.match.query, "kind": self.kind, "did_you_mean": names,
                           "suggestions": names})  # (close names only: an adapter may show them as buttons)


@dataclass
class Load:
    """What the engine has served since it started: read by ``stats``, counted by the engine."""
    started: float = field(default_factory=time.time)
    served: Counter[str] = field(default_factory=Counter)  # replies per command
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=2000))  # seconds, the newest 2,000


@dataclass
class Context:
    """Everything a handler may use. The engine builds one per request."""
    store: Store
    read: ReadModel        # the in-memory read model of this data version
    models: Index          # model lookup
    orgs: Index            # organisation lookup
    caller: Caller
    prefix: str = "!"
    settings: Settings = field(default_factory=Settings)
    # ``route(line, ctx, via=None)``: the reply of another command line answered inside this request
    # (``ask`` runs the command it read); the engine gives its own, a bare context routes nowhere
    route: Callable[..., Reply] = field(default=lambda line, ctx, via=None: Reply(
        text="That can only be answered through the bot's engine.", status="error"))
    load: Load = field(default_factory=lambda: Load())  # what the engine has served (``stats``)
    pending: PendingActions = field(default_factory=PendingActions)  # actions awaiting Confirm
    reload: Callable[[], ReadModel] | None = None  # the read model after a change
    today: date = field(default_factory=date.today)  # the engine's clock: tests give a fixed day
    # what the answer used and was asked, for the one line about the data's age (see bot.store.freshness)
    boards_cited: list[str] = field(default_factory=list)  # as-of dates of the Arena boards a footer named
    asked: When | None = None  # the date the (last routed) command was asked about
    asked_now: bool = False  # the question said "now", "right now", "currently" ...

    def board_label(self, day: str | None) -> str:
        """`` (moderator board of ...: the ... board with moderators' scores)`` after a board's date when it
        is a moderator board, else nothing: every answer that reads one says so."""
        note = self.read.board_note(day) if day else ""
        return f" ({note})" if note else ""

    def data_age(self) -> DataAge | None:
        """How old the newest Arena board is today (the one computation every answer and question uses)."""
        return data_age(newest_board(self.read), self.today, self.settings.data_stale_days)

    def fresh(self) -> ReadModel:
        """The read model as it is now (after this request's change, if any)."""
        return self.reload() if self.reload is not None else ReadModel(self.store)

    # -- resolution helpers used by handlers --------------------------------
    def model(self, name: str, rebuild: str | None = None) -> Match:
        m = self.models.resolve(name)
        if not m.found:
            raise NotFound("model", m, rebuild)
        return m

    def org(self, name: str, rebuild: str | None = None) -> Match:
        m = self.orgs.resolve(name)
        if not m.found:
            raise NotFound("organisation", m, rebuild)
        return m

    def country(self, name: str) -> str | None:
        """A known country from what the user typed, or None."""
        if len(name) > 80:  # no country is named so long: nothing to search for
            return None
        f = fold(name)
        if f in COUNTRY_ALIASES:
            return COUNTRY_ALIASES[f]
        c = country_name(name)
        known = self.read.country_by_fold.get(fold(c or ""))  # kept by the read model
        if known:
            return known
        if len(f) >= 4:  # a typo: "chna", "germnay"
            choices = {k: fold(k) for k in self.read.countries} | {a: a for a in COUNTRY_ALIASES if len(a) >= 4}
            hit = process.extractOne(f, choices, scorer=fuzz.ratio, score_cutoff=85)
            if hit:
                return COUNTRY_ALIASES.get(hit[2], hit[2])
        return None

    def benchmark(self, word: str) -> str | None:
        """A benchmark from what was typed: the same name, then one whose first word
        it is ("math" -> MATH level 5, not FrontierMath), then one starting with
        it, then a fuzzy match."""
        names = self.read.benchmarks
        w = fold(word[:200])
        if not names or not w:
            return None
        for test in (lambda b: fold(b) == w, lambda b: fold(b).split()[0] == w, lambda b: w in fold(b).split(),
                     lambda b: fold(b).startswith(w)):
            hits = [b for b in names if test(b)]
            if hits:
                return sorted(hits, key=len)[0]
        if not any(c.isalpha() for c in w):  # a date or a number is no misspelt name ("2025-01" is not FrontierMath-2025-...)
            return None
        m = process.extractOne(w, {b: fold(b) for b in names}, scorer=fuzz.WRatio, score_cutoff=80)
        return m[2] if m else None

    def known_countries(self) -> list[str]:
        """Every country a model comes from (kept by the read model)."""
        return list(self.read.countries)

    def board_source(self, date: str | None, category: str = OVERALL, rating: Any = None) -> str | None:
        """The source of the Arena board actually used for `date` (or of `rating`'s board): what a footer
        names. A moderator board names the published board under it (the footer adds it too)."""
        src = getattr(rating, "source", None)
        if src is not None and src != AMENDMENTS:
            return src
        if date is None:
            return None
        return self.read.scale_of(date) if category == OVERALL else self.read.source_of(date, category)

    def footer(self, *source_ids: str, as_of: str | None = None) -> str:
        parts = []
        base = self.read.moderator_bases.get(as_of) if as_of else None
        if base is not None:  # a moderator board: the published board under it is a source too
            source_ids = (*source_ids, base.source)
        for sid in dict.fromkeys(source_ids):
            s = self.read.source(sid)
            label = short_name({**s, "id": sid})
            if s.get("licence") and "CC BY" in (s.get("licence") or ""):
                label += " (CC BY 4.0)"
            parts.append(label)
        text = "Source: " + "; ".join(dict.fromkeys(parts))
        if as_of and any(sid in board_sources(self.read) for sid in source_ids):
            self.boards_cited.append(as_of)
        if as_of:
            text += f" · as of {as_of}"
        return text


# A footer's names for the project's sources: short, and never one name for two sources
# (`sources` gives the full titles, links and licences). A source not listed here (one a
# moderator imported) is named by its title without its parentheses.
SHORT_NAMES = {
    "arena-history": "LMArena Elo history",
    "arena-csv": "LMArena CSV snapshots",
    "arena-catalog": "LMArena releases",
    "arena-prices": "LMArena prices",
    "epoch-notable": "Epoch AI notable models",
    "epoch-hub": "Epoch AI Benchmarking Hub",
    "ai-index-2025": "AI Index 2025",
    "ai-index-2026": "AI Index 2026, as reported",
    "curation": "the project's curation",
}


def short_name(source: dict[str, Any]) -> str:
    """A source as a footer names it (:data:`SHORT_NAMES`, else its title without parentheses:
    "Some Lab, leaderboard (owner/repo)" -> "Some Lab, leaderboard")."""
    sid = source.get("id") or ""
    if sid in SHORT_NAMES:
        return SHORT_NAMES[sid]
    title = source.get("title") or sid
    return re.sub(r"\s*\([^()]*\)", "", title).strip() or title


@dataclass
class Args:
    command: "CommandInfo"
    raw: str                       # everything after the command word
    text: str = ""                 # raw minus a trailing date; after params.bind, the words of the rest parameter
    when: When | None = None
    attachments: list[tuple[str, bytes]] = field(default_factory=list)

    @classmethod
    def parse(cls, info: "CommandInfo", raw: str, *, bare_year: bool = True,
              attachments: list[tuple[str, bytes]] | None = None) -> "Args":
        text, when = take_date(raw, bare_year=bare_year)
        return cls(info, raw, text, when, attachments or [])

    @property
    def until(self) -> str | None:
        return self.when.end if self.when else None
