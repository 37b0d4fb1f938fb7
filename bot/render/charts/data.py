"""What each chart plots, taken from a reply's ``data`` and nothing else.

``chart_series(kind, data)`` returns the exact series a chart draws; the
drawing code reads only this. The per-kind extraction lives with its kind
(:mod:`bot.render.charts.kinds`); this module holds what they share.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any, TypedDict

from bot.render.charts.registry import ChartError, chart_kind


def period_date(period: str | None) -> str | None:
    """A day that stands for an AI Index period: '2024-01' -> mid-January,
    'early 2025' -> mid-February, 'end of 2023' -> mid-December, '2024' -> July."""
    if not period:
        return None
    p = str(period).strip().lower()
    m = re.fullmatch(r"(\d{4})-(\d{2})", p)
    if m:
        return f"{m[1]}-{m[2]}-15"
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", p)
    if m:
        return p
    m = re.search(r"(\d{4})", p)
    if not m:
        return None
    y = m[1]
    if "early" in p or "start" in p or "beginning" in p:
        return f"{y}-02-15"
    if "mid" in p:
        return f"{y}-07-01"
    if "end" in p or "late" in p:
        return f"{y}-12-01"
    if re.fullmatch(r"\d{4}", p):
        return f"{y}-07-01"
    return None


class Reference(TypedDict):
    """An AI Index figure placed on a chart's time axis."""
    date: str                           # a day standing for the figure's period (``period_date``)
    value: float
    period: str | None                  # as the AI Index words it: "2024-01", "early 2025"
    label: str                          # the edition that gives it: "AI Index 2026"


def references(rows: Any) -> list[tuple[Reference, dict[str, Any]]]:
    """The AI Index figures among `rows` (a reply's ``reference`` list) that
    can stand on a time axis: each as a :class:`Reference`, with its row."""
    out: list[tuple[Reference, dict[str, Any]]] = []
    for r in as_rows(rows):
        day = period_date(r.get("period"))
        if day is not None and r.get("value") is not None:
            sid = str(r.get("source_id") or "")
            label = f"AI Index {sid.rsplit('-', 1)[-1]}" if sid.startswith("ai-index-") else "AI Index"
            out.append(({"date": day, "value": r["value"], "period": r.get("period"), "label": label}, r))
    return out


def as_rows(x: Any) -> list:
    """`x` as a list (an absent or malformed field is empty)."""
    return list(x) if isinstance(x, (list, tuple)) else []


def per_year(dates: list) -> dict[str, int]:
    """How many dates fall in each year, by year."""
    c = Counter(str(x)[:4] for x in dates if x)
    return dict(sorted(c.items()))


def chart_series(kind: str, data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The exact series chart `kind` plots, from `data` (a reply's data)."""
    fn = chart_kind(kind).series
    if not isinstance(data, dict):
        raise ChartError("chart data must be a dict")
    try:
        return fn(data)
    except (KeyError, IndexError, TypeError) as exc:
        raise ChartError(f"{kind} chart: unexpected data ({type(exc).__name__}: {exc})") from exc
