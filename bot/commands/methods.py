"""How the figures are measured: the rules, legends and methods behind the answers.

An answer says what was asked and names its source once; how it was measured is
said on request: ``Reply.method`` (Discord's "How is this measured?" button, the
console's ``method``) and ``help method``, which lists every entry of
:data:`METHODS` (the one list: a new rule or legend is one entry here).
"""
from __future__ import annotations

from bot.domain.counted_boards import RULE

BOARDS = f"Boards: {RULE}."
RANKS = ("`#` is Arena's rank on that board; `=` marks a rank Arena gives to more than one model "
         "(statistically tied).")
GAP = ("Gap: the best-rated model of each side in the same Arena snapshot; gap = (x − y) ÷ y, "
       "the way the AI Index 2025 reports Arena gaps.")
TIES = ("Ties: two models are statistically tied when their 95% intervals overlap; a lead is claimed only "
        "when they do not (a source without intervals: no claim either way).")
ONE_BOARD = ("One board per date: each Arena board is one source's (history file, CSV snapshots, LMArena's "
             "own releases); a series over time may change source, and `sources` lists them all.")
DEPTH = "Depth: the top n is the first n models rated on each board, counted by the maker's country."
SMALL = ("Small: the date is the first board (or result) on which the model's score reached the threshold. "
         "Sizes are total parameters as listed (mixtures of experts count all experts).")
PRICES = ("Prices: LMArena's price list (today's prices, applied to every board). Compared by the blended "
          "price: 3 input tokens to 1 output token, USD per million tokens.")
AGE = "Age: an answer from an Arena board older than the stale limit says how old the board is."

# (topic, text): what `help method` shows, in this order
METHODS: list[tuple[str, str]] = [
    ("boards", BOARDS), ("ranks", RANKS), ("gap", GAP), ("ties", TIES), ("sources", ONE_BOARD),
    ("depth", DEPTH), ("small", SMALL), ("prices", PRICES), ("age", AGE),
]


def boards(rule: str) -> str:
    """The boards line for a view's rule (retired models left out, or every listed model)."""
    return f"Boards: {rule}."


def join(*parts: str | None) -> str | None:
    """The method of one reply: its parts, each once, one a line (None when there are none)."""
    out = list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))
    return "\n".join(out) or None
