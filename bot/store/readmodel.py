"""The read model: the data behind every answer, in memory (``ReadModel``).

The Arena leaderboards (a few tens of thousands of rows) are loaded once per
data version into plain Python structures, so the race questions (best per
country per snapshot, gaps, spreads) are answered in microseconds without
touching the event loop's thread. Everything here is read-only. Reads
that go to the database each time are named in :mod:`bot.store.queries`.
"""
from __future__ import annotations

import bisect
import statistics
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from bot.store.db import Store
from bot.store.normalize import EUROPE


@dataclass(frozen=True)
class Rating:
    date: str
    arena_name: str
    model_id: int
    model: str
    rank: int
    score: float
    ci_plus: float | None
    ci_minus: float | None
    votes: int | None
    organization: str | None
    org_id: int | None
    country: str | None
    licence: str | None

    @property
    def open(self) -> bool:
        """Open weights, as the AI Index counts it: anything Arena does not list as Proprietary."""
        return bool(self.licence and self.licence.lower() != "proprietary")


Pred = Callable[[Rating], bool]


class ReadModel:
    """Everything the answers read, loaded at one data version."""

    def __init__(self, store: Store):
        self.store = store
        self.version = store.data_version
        rows = store.query(
            """SELECT r.snapshot_date, r.arena_name, r.model_id, m.name, r.rank, r.score, r.ci_plus,
                      r.ci_minus, r.votes, COALESCE(o.name, m.organization, r.organization) AS org, m.org_id,
                      COALESCE(m.country, o.country) AS country, r.licence
               FROM arena_ratings r JOIN models m ON m.id = r.model_id
               LEFT JOIN organizations o ON o.id = m.org_id
               WHERE m.hidden = 0
               ORDER BY r.snapshot_date, r.score DESC, r.rank""")
        self.by_date: dict[str, list[Rating]] = {}
        for r in rows:
            rating = Rating(r["snapshot_date"], r["arena_name"], r["model_id"], r["name"], r["rank"], r["score"],
                            r["ci_plus"], r["ci_minus"], r["votes"], r["org"], r["org_id"], r["country"],
                            r["licence"])
            self.by_date.setdefault(rating.date, []).append(rating)
        self.dates = sorted(self.by_date)
        self.sources = {s["id"]: s for s in store.query("SELECT * FROM sources")}
        self.models = {m["id"]: m for m in store.query(
            """SELECT m.*, COALESCE(o.name, m.organization) AS org_name, o.country AS org_country
               FROM models m LEFT JOIN organizations o ON o.id = m.org_id""")}
        self.benchmarks = sorted(r["benchmark"] for r in store.query(
            "SELECT DISTINCT benchmark FROM benchmark_scores"))

    # -- dates --------------------------------------------------------------
    @property
    def latest(self) -> str | None:
        return self.dates[-1] if self.dates else None

    def snapshot_on(self, day: str | None) -> str | None:
        """The latest snapshot on or before `day` (ISO); the latest of all if None."""
        if day is None:
            return self.latest
        i = bisect.bisect_right(self.dates, day)
        return self.dates[i - 1] if i else None

    def source(self, sid: str) -> dict[str, Any]:
        return self.sources.get(sid, {"id": sid, "title": sid})

    # -- Arena ----------------------------------------------------------------
    def board(self, date: str, pred: Pred | None = None) -> list[Rating]:
        rows = self.by_date.get(date, [])
        return [r for r in rows if pred(r)] if pred else list(rows)

    def best(self, date: str, pred: Pred) -> Rating | None:
        for r in self.by_date.get(date, []):  # sorted by score, best first
            if pred(r):
                return r
        return None

    def best_series(self, pred: Pred, until: str | None = None) -> list[Rating]:
        out = []
        for d in self.dates:
            if until and d > until:
                break
            b = self.best(d, pred)
            if b:
                out.append(b)
        return out

    def model_history(self, model_id: int) -> list[Rating]:
        """The model's best Arena row in each snapshot it appears in."""
        out = []
        for d in self.dates:
            for r in self.by_date[d]:
                if r.model_id == model_id:
                    out.append(r)
                    break
        return out

    def latest_rating(self, model_id: int, until: str | None = None) -> Rating | None:
        for d in reversed(self.dates):
            if until and d > until:
                continue
            for r in self.by_date[d]:
                if r.model_id == model_id:
                    return r
        return None

    # -- models -----------------------------------------------------------------
    def scores(self, model_id: int) -> list[dict[str, Any]]:
        return self.store.query(
            """SELECT benchmark, MAX(value) AS value, MAX(date) AS date, source_id FROM benchmark_scores
               WHERE model_id = ? GROUP BY benchmark ORDER BY benchmark""", [model_id])

    def aliases(self, model_id: int) -> list[str]:
        return [r["alias"] for r in self.store.query(
            "SELECT alias FROM aliases WHERE model_id = ? ORDER BY alias", [model_id])]

    def visible_models(self) -> Iterable[dict[str, Any]]:
        return (m for m in self.models.values() if not m["hidden"])


def pct_gap(lead: float, other: float) -> float:
    """The lead of `lead` over `other` in percent of `other`'s score, as the
    AI Index measures Arena gaps."""
    return (lead - other) / other * 100.0


def monthly_median(points: list[tuple[str, float]]) -> dict[str, float]:
    """{YYYY-MM: median value} of dated points."""
    months: dict[str, list[float]] = {}
    for d, v in points:
        months.setdefault(d[:7], []).append(v)
    return {m: statistics.median(vs) for m, vs in months.items()}


def region_pred(name: str) -> Pred:
    if name == "Europe":
        return lambda r: r.country in EUROPE
    return lambda r: r.country == name
