"""What a handler gets: the data (`Context`) and the parsed arguments (`Args`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.commands.grammar import When, take_date
from bot.engine import Caller
from bot.lookup import Index, Match
from bot.reply import Reply
from bot.store.db import Store
from bot.store.normalize import COUNTRY_ALIASES, country_name, fold
from bot.store.queries import Facts

if TYPE_CHECKING:  # pragma: no cover
    from bot.commands.registry import CommandInfo


class Usage(Exception):
    """Wrong arguments: the handler's usage and example are shown."""

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message


class NotFound(Exception):
    """A name did not resolve; carries the lookup's suggestions."""

    def __init__(self, kind: str, match: Match, rebuild: str | None = None):
        super().__init__(match.query)
        self.kind = kind
        self.match = match
        self.rebuild = rebuild  # command line with {} where the name goes, for "did you mean" buttons


@dataclass
class Context:
    store: Store
    facts: Facts
    models: Index          # model lookup
    orgs: Index            # organisation lookup
    caller: Caller
    prefix: str = "!"
    settings: Any = None
    engine: Any = None

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
        f = fold(name)
        if f in COUNTRY_ALIASES:
            return COUNTRY_ALIASES[f]
        c = country_name(name)
        hit = self.facts.country_by_fold.get(fold(c or ""))
        if hit:
            return hit
        if len(f) >= 4:  # a typo: "chna", "germnay"
            from rapidfuzz import fuzz, process

            choices = {k: fold(k) for k in self.facts.countries} | {a: a for a in COUNTRY_ALIASES if len(a) >= 4}
            hit = process.extractOne(f, choices, scorer=fuzz.ratio, score_cutoff=85)
            if hit:
                return COUNTRY_ALIASES.get(hit[2], hit[2])
        return None

    def known_countries(self) -> list[str]:
        """Every country a model comes from (kept by the read model)."""
        return list(self.facts.countries)

    def footer(self, *source_ids: str, as_of: str | None = None) -> str:
        parts = []
        for sid in dict.fromkeys(source_ids):
            s = self.facts.source(sid)
            label = s.get("title") or sid
            if s.get("licence") and "CC BY" in (s.get("licence") or ""):
                label += " (CC BY 4.0)"
            parts.append(label)
        text = "Source: " + "; ".join(parts)
        if as_of:
            text += f" · as of {as_of}"
        return text


@dataclass
class Args:
    command: "CommandInfo"
    raw: str                       # everything after the command word
    text: str = ""                 # raw minus a trailing date
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


def usage_reply(info: "CommandInfo", prefix: str, message: str = "") -> Reply:
    lines = []
    if message:
        lines.append(message)
    lines.append(f"Usage: `{prefix}{info.usage}`")
    lines.append(f"Example: `{prefix}{info.example}`")
    return Reply(text="\n".join(lines), status="usage", data={"command": info.name})
