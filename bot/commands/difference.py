"""How a reply states the difference between two Arena ratings on one board.

"Leads" only when the 95% intervals are apart; "statistically tied" (with
the intervals) when they overlap; and where the source gives no intervals,
the difference without a claim either way.
"""
from __future__ import annotations

from typing import Any

from bot.domain.ties import interval, tied
from bot.domain.measures import pct_gap

NO_INTERVALS = "no 95% intervals on this board, so no claim of significance"


def verdict(a: Any, b: Any) -> str:
    """'leads', 'tied' or 'unknown' for the higher-rated `a` against `b`."""
    t = tied(a, b)
    return "unknown" if t is None else "tied" if t else "leads"


def difference(a_label: str, b_label: str, a: Any, b: Any, *, digits: int = 2, bold: bool = True) -> str:
    """One sentence head: who is ahead of whom, by how much, and whether it counts.

    `a` must be the higher (or equal) rating; labels name the sides."""
    e = a.score - b.score
    p = pct_gap(a.score, b.score)
    amount = f"{e:.0f} Elo ({p:.{digits}f}%)"
    star = "**" if bold else ""
    v = verdict(a, b)
    if v == "leads" and e > 0:
        return f"{star}{a_label} leads {b_label} by {amount}{star}"
    if v == "tied" or (v == "leads" and e == 0):
        return (f"{star}{a_label} and {b_label} are statistically tied{star} ({e:.0f} Elo or {p:.{digits}f}% apart; "
                f"the 95% intervals overlap: {interval(a)} vs {interval(b)})")
    if e == 0:
        return f"{star}{a_label} and {b_label} are level{star} ({NO_INTERVALS})"
    return f"{star}{a_label} is {amount} above {b_label}{star} ({NO_INTERVALS})"
