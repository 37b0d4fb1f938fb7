"""Series cut to what a chart can show.

A history ten times longer would otherwise make every chart reply ten times
bigger: more to digest for the chart cache, to pickle to the chart worker and
to draw, for a line no wider than the chart. :func:`thin` keeps at most
``MAX_POINTS`` points of a dated series: the first and the last, every point
where the source changes, and in each of equal slices the lowest and the
highest value, so peaks, troughs and the ends survive. Answers compute their
figures (latest, extremes, medians) from the whole series first; only the
points handed to the chart are thinned, and a series within the limit comes
back unchanged.
"""
from __future__ import annotations

from typing import Any, Callable

MAX_POINTS = 500  # a chart is 1200 pixels wide: more points than this draw the same line


def thin(points: list, value: Callable[[Any], float | None], limit: int = MAX_POINTS, *,
         source: Callable[[Any], Any] | None = None) -> list:
    """At most about `limit` of `points` (in order; `points` itself when within it)."""
    n = len(points)
    if n <= limit:
        return points
    keep = {0, n - 1}
    if source is not None:
        keep |= {i for i in range(1, n) if source(points[i]) != source(points[i - 1])}
    slices = max(1, (limit - len(keep)) // 2)
    size = n / slices
    for k in range(slices):
        lo, hi = int(k * size), min(n, int((k + 1) * size))
        lowest = highest = None
        for i in range(lo, hi):
            v = value(points[i])
            if v is None:
                continue
            if lowest is None or v < lowest[0]:
                lowest = (v, i)
            if highest is None or v > highest[0]:
                highest = (v, i)
        if lowest is not None and highest is not None:
            keep.add(lowest[1])
            keep.add(highest[1])
    return [points[i] for i in sorted(keep)]


def source_runs(points: list[dict]) -> list[dict]:
    """``[{date, source}]`` cut to the first point of each run of one source
    and the last point (what the source-change marks read), when longer than
    the limit; unchanged otherwise."""
    n = len(points)
    if n <= MAX_POINTS:
        return points
    return [p for i, p in enumerate(points) if i in (0, n - 1) or p.get("source") != points[i - 1].get("source")]


def board_sources(read, dates) -> list[dict]:
    """``[{date, source}]`` for board `dates`: the source whose rating scale each
    is on (a moderator board: its published board's), cut to its runs; what a
    chart reads to draw a break where a series moves to another scale."""
    return source_runs([{"date": d, "source": read.scale_of(d)} for d in sorted(set(dates))])
