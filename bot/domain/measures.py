"""How the bot measures a lead: gaps in percent, and monthly medians of a series."""
from __future__ import annotations

import statistics


def pct_gap(lead: float, other: float) -> float:
    """The lead of `lead` over `other` in percent of `other`'s score, as the
    AI Index measures Arena gaps."""
    return (lead - other) / other * 100.0


def reversed_gap(pct: float) -> float:
    """The gap of y over x (in percent of x) from x's gap over y (in percent of y):
    the same two scores on the other base. 9.26% for the US over China is
    -8.48% for China against the US, not -9.26%."""
    return -pct / (1.0 + pct / 100.0)


def monthly_median(points: list[tuple[str, float]]) -> dict[str, float]:
    """{YYYY-MM: median value} of dated points."""
    months: dict[str, list[float]] = {}
    for d, v in points:
        months.setdefault(d[:7], []).append(v)
    return {m: statistics.median(vs) for m, vs in months.items()}
