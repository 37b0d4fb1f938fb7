"""Statistical ties: two ratings are tied when their 95% intervals overlap.

The intervals are the CSV's ``95_pct_ci`` and the catalog's q025/q975. Where a
source gives no intervals, :func:`tied` answers ``None``: the difference is
stated without a claim of significance.
"""
from __future__ import annotations

from typing import Any


def tied(a: Any, b: Any) -> bool | None:
    """True when the 95% intervals of two ratings overlap, False when they are
    apart, None when either has no interval (the source gives none)."""
    if None in (a.ci_plus, a.ci_minus, b.ci_plus, b.ci_minus):
        return None
    hi, lo = (a, b) if a.score >= b.score else (b, a)
    return hi.score - hi.ci_minus <= lo.score + lo.ci_plus


def interval(r: Any) -> str:
    """'1,403 (1,398–1,408)' or just the score when there is no interval."""
    if r.ci_plus is None or r.ci_minus is None:
        return f"{r.score:,.0f}"
    return f"{r.score:,.0f} ({r.score - r.ci_minus:,.0f}–{r.score + r.ci_plus:,.0f})"


def shared_ranks(board: list[Any]) -> set[int]:
    """Ranks that more than one listed model holds on a board."""
    seen: dict[int, int] = {}
    for r in board:
        seen[r.rank] = seen.get(r.rank, 0) + 1
    return {k for k, n in seen.items() if n > 1}
