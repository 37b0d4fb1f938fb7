"""What a reading returns: the things a question named (:class:`Found`),
its quantities and time, and the :class:`Reading` itself."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Found:
    """One thing named in the question, over tokens [start, end)."""

    kind: str      # model | family | org | country | category | benchmark | arena | access
    value: str     # the canonical name: a model, an organisation, a country, "coding", "open"
    start: int
    end: int
    org: str | None = None  # a family word that is also an organisation ("deepseek", "mistral")


@dataclass
class Quantity:
    kind: str      # elo | pct | params | usd | flop | n | number
    value: float
    op: str        # >= | <= | =
    text: str

    def show(self) -> str:
        v = f"{self.value:g}"
        if self.kind == "pct":
            return f"{v}%"
        if self.kind == "params":
            return _params_word(self.value)
        if self.kind == "usd":
            return f"${v}"
        return v


@dataclass
class Time:
    kind: str      # asof | since
    raw: str       # YYYY, YYYY-MM or YYYY-MM-DD
    words: str     # what the user wrote


@dataclass
class Reading:
    question: str
    intent: str                 # what is asked (see INTENTS)
    command: str | None         # the command line that answers it
    sure: bool
    suggestions: list[str] = field(default_factory=list)
    found: list[Found] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    time: Time | None = None
    aspect: str | None = None   # for a model: maker | release | size | compute | cost | scores | open
    unknown: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)          # how a word was read ("free" as open weights)
    dropped: list[str] = field(default_factory=list)        # qualifiers asked that the command cannot honour
    unknown_names: list[str] = field(default_factory=list)  # written as a model's name, naming no model
    used: list[tuple[str, str]] = field(default_factory=list)  # each word and what took it (a name, a time, a
    #                                                            quantity, "cue" or "filler"), or "unknown"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("tokens", None)
        return d

    def names(self, *kinds: str) -> list[str]:
        return [f.value for f in self.found if f.kind in kinds]


INTENTS = ("compare", "gap", "race", "leader", "depth", "count", "maker", "release", "size", "compute",
           "cost", "price", "scores", "interval", "model", "small", "cheap", "trend", "frontier", "changes", "org",
           "country", "timeline", "facts", "sources", "help", "records", "unknown")


def _params_word(v: float) -> str:
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6)):
        if v >= size:
            return f"{v / size:g}{unit}"
    return f"{v:g}"
