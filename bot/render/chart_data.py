"""What each chart plots, taken from a reply's ``data`` and nothing else.

``chart_series(kind, data)`` returns the exact series a chart draws; the
drawing code in :mod:`bot.render.chart_kinds` reads only this. No
matplotlib here (the engine's process imports this module).
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Any, Callable

KINDS = ("race", "gap", "frontier", "top", "small", "count", "compute", "compare", "model", "org",
         "country", "timeline", "depth")


class ChartError(ValueError):
    """The chart cannot be drawn from this data (unknown kind, no data)."""


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


def _rows(x: Any) -> list:
    return list(x) if isinstance(x, (list, tuple)) else []


def _race(d: dict) -> dict:
    series = d.get("series") or {}
    order = [c for c in (d.get("countries") or list(series)) if c in series]
    return {"lines": {c: [[p[0], p[1], p[2] if len(p) > 2 else None] for p in series[c]] for c in order},
            "leader": d.get("leader"), "leaders": [list(x) for x in _rows(d.get("leaders"))],
            "as_of": d.get("as_of"), "source_changes": source_changes(_rows(d.get("board_sources")))}


SOURCE_SHORT = {"arena-history": "history file", "arena-csv": "CSV snapshots", "arena-catalog": "LMArena releases"}


def source_changes(points: list) -> list[list]:
    """[[date, short source name]] where a series moves to another source's
    boards (ratings are on each source's own scale; levels jump there)."""
    out, prev = [], None
    for p in points:
        src = p.get("source") if isinstance(p, dict) else None
        if src and src != prev:
            if prev is not None:
                out.append([p["date"], SOURCE_SHORT.get(src, src)])
            prev = src
    return out


def _gap(d: dict) -> dict:
    s = _rows(d.get("series"))
    refs = []
    for r in _rows(d.get("reference")):
        day = period_date(r.get("period"))
        if day is not None and r.get("value") is not None:
            refs.append({"date": day, "value": r["value"], "period": r.get("period")})
    return {"x": d.get("x"), "y": d.get("y"), "x_key": d.get("x_key") or d.get("x"),
            "y_key": d.get("y_key") or d.get("y"),
            "dates": [p["date"] for p in s], "a": [p["a"] for p in s], "b": [p["b"] for p in s],
            "a_model": [p.get("a_arena") or p.get("a_model") for p in s],
            "b_model": [p.get("b_arena") or p.get("b_model") for p in s],
            "pct": [p["pct"] for p in s], "elo": [p["elo"] for p in s],
            "reference": refs, "leader": d.get("leader"), "source_changes": source_changes(s)}


def _frontier(d: dict) -> dict:
    s = _rows(d.get("series"))
    refs = []
    for r in _rows(d.get("reference")):
        day = period_date(r.get("period"))
        metric = (r.get("metric") or "").lower()
        which = "top2" if "rank 2" in metric else "topn"
        if day is not None and r.get("value") is not None:
            refs.append({"date": day, "value": r["value"], "period": r.get("period"), "which": which})
    return {"n": d.get("n"), "dates": [p["date"] for p in s], "top1": [p["top1"] for p in s],
            "top2": [p["top2"] for p in s], "topn": [p["topn"] for p in s],
            "spread_pct": [p["spread_pct"] for p in s], "top2_pct": [p["top2_pct"] for p in s],
            "top1_model": [p.get("top1_model") for p in s], "topn_model": [p.get("topn_model") for p in s],
            "reference": refs, "tightest": d.get("tightest"), "widest": d.get("widest"),
            "source_changes": source_changes(s)}


def _top(d: dict) -> dict:
    rows = _rows(d.get("rows"))
    metric = d.get("metric") or "score"
    arena = "elo" in metric.lower() or "arena" in metric.lower()
    return {"metric": metric, "arena": arena, "filters": _rows(d.get("filters")),
            "rows": [{"rank": r.get("rank"), "model": r.get("model"), "score": r.get("score"),
                      "ci_plus": r.get("ci_plus"), "ci_minus": r.get("ci_minus"),
                      "organization": r.get("organization"), "country": r.get("country"),
                      "open": bool(r.get("open"))} for r in rows]}


def _small(d: dict) -> dict:
    return {"benchmark": d.get("benchmark"), "unit": d.get("unit") or ("Elo" if d.get("benchmark") == "arena" else "%"),
            "threshold": d.get("threshold"),
            "points": [list(p[:5]) for p in _rows(d.get("points")) if p[1] and p[2] is not None],
            "record": [list(r) for r in _rows(d.get("record"))],
            "reference": _rows(d.get("reference"))}


def _count(d: dict) -> dict:
    years = [str(y) for y in _rows(d.get("years"))]
    groups = {g: list(v) for g, v in (d.get("groups") or {}).items()}
    totals = [sum(v[i] for v in groups.values()) for i in range(len(years))]
    return {"by": d.get("by"), "year": d.get("year"), "years": years, "groups": groups, "totals": totals,
            "reference": [{"subject": r.get("subject"), "value": r.get("value")} for r in _rows(d.get("reference"))]}


def _compute(d: dict) -> dict:
    return {"label": d.get("label"), "points": [list(p[:5]) for p in _rows(d.get("points"))],
            "fit": d.get("fit"), "fit_since_2020": d.get("fit_since_2020"),
            "reference_months": d.get("reference_months")}


def _compare(d: dict) -> dict:
    models = _rows(d.get("models"))
    names = [m["name"] for m in models]
    benches = [b for b in _rows(d.get("benchmarks"))]
    scores = {b: [(m.get("scores") or {}).get(b) for m in models] for b in benches}
    scores = {b: [None if v is None else v * 100 for v in vals] for b, vals in scores.items()}
    hist = d.get("history") or {}
    return {"models": names, "organizations": [m.get("organization") for m in models],
            "countries": [m.get("country") for m in models], "benchmarks": benches, "scores": scores,
            "arena": [m["arena"]["score"] if m.get("arena") else None for m in models],
            "parameters": [m.get("parameters") for m in models],
            "training_compute": [m.get("training_compute") for m in models],
            "history": {n: [[p[0], p[1]] for p in _rows(hist.get(n))] for n in names}}


def _model(d: dict) -> dict:
    m = d.get("model") or {}
    return {"name": m.get("name"), "organization": m.get("organization"), "country": m.get("country"),
            "history": [[p[0], p[1], p[2] if len(p) > 2 else None] for p in _rows(d.get("history"))],
            "facts": {k: m.get(k) for k in ("release_date", "parameters", "training_compute", "access")},
            "scores": {b: v * 100 for b, v in (m.get("scores") or {}).items() if v is not None},
            "arena_name": (m.get("arena") or {}).get("name")}


def _per_year(dates: list) -> dict[str, int]:
    c = Counter(str(x)[:4] for x in dates if x)
    return dict(sorted(c.items()))


def _org(d: dict) -> dict:
    models = _rows(d.get("models"))
    return {"name": d.get("name"), "country": d.get("country"),
            "history": [[p[0], p[1], p[2] if len(p) > 2 else None] for p in _rows(d.get("history"))],
            "per_year": _per_year([m[1] for m in models])}


def _country(d: dict) -> dict:
    per = {str(k): v for k, v in (d.get("per_year") or {}).items() if str(k)[:4].isdigit()}
    return {"name": d.get("name"), "per_year": dict(sorted(per.items())),
            "top_orgs": [list(x) for x in _rows(d.get("top_orgs"))],
            "history": [[p[0], p[1], p[2] if len(p) > 2 else None] for p in _rows(d.get("history"))]}


def _timeline(d: dict) -> dict:
    ev = [list(e) for e in _rows(d.get("events")) if e and e[0]]
    return {"label": d.get("label"), "events": ev}


def _depth(d: dict) -> dict:
    dates = [str(x) for x in _rows(d.get("dates"))]
    n = d.get("n") or 1
    counts = {c: list(v) for c, v in (d.get("counts") or {}).items() if len(v) == len(dates)}
    return {"n": n, "dates": dates, "counts": counts,
            "shares": {c: [k / n * 100 for k in v] for c, v in counts.items()}, "as_of": d.get("as_of"),
            "all_listed": bool(d.get("all_listed"))}


_EXTRACT: dict[str, Callable[[dict], dict]] = {
    "race": _race, "gap": _gap, "frontier": _frontier, "top": _top, "small": _small, "count": _count,
    "compute": _compute, "compare": _compare, "model": _model, "org": _org, "country": _country,
    "timeline": _timeline, "depth": _depth,
}


def chart_series(kind: str, data: dict) -> dict:
    """The exact series chart `kind` plots, from `data` (a reply's data)."""
    fn = _EXTRACT.get(kind)
    if fn is None:
        raise ChartError(f"no chart kind {kind!r}")
    if not isinstance(data, dict):
        raise ChartError("chart data must be a dict")
    try:
        return fn(data)
    except (KeyError, IndexError, TypeError) as exc:
        raise ChartError(f"{kind} chart: unexpected data ({type(exc).__name__}: {exc})") from exc
