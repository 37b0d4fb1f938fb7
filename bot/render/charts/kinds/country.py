"""The 'country' chart."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

import matplotlib.ticker as mticker
from matplotlib.figure import Figure

from bot.render.charts.axes import bars, style, year_range
from bot.render.charts.data import as_rows
from bot.render.charts.history import history_panel
from bot.render.charts.kind import ChartKind
from bot.render.charts.labels import note, short
from bot.render.charts.registry import ChartError
from bot.render.charts.sources import source_changes
from bot.render.charts.samples import ser
from bot.render.palette import color


class Data(TypedDict, total=False):
    """What ``country`` reads from ``Reply.data``."""
    name: str
    per_year: dict[str, int]            # year -> notable models
    top_orgs: list[Sequence[Any]]       # (organisation, models)
    history: list[list[Any]]            # [date, best Arena Elo, Arena name]
    board_sources: list[dict[str, Any]]  # [{date, source}]: the rating scale each board date is on (its runs)


class Series(TypedDict):
    """What the ``country`` chart draws."""
    name: str | None
    per_year: dict[str, int]            # sorted by year
    top_orgs: list[list[Any]]           # [organisation, models]
    history: list[list[Any]]            # [date, Elo, Arena name or None]
    source_changes: list[list[str]]     # [date, short source name] where the history moves to another source


def series(d: Data) -> Series:
    """The exact series this chart draws, from a reply's data."""
    per = {str(k): v for k, v in (d.get("per_year") or {}).items() if str(k)[:4].isdigit()}
    return {"name": d.get("name"), "per_year": dict(sorted(per.items())),
            "top_orgs": [list(x) for x in as_rows(d.get("top_orgs"))],
            "history": [[p[0], p[1], p[2] if len(p) > 2 else None] for p in as_rows(d.get("history"))],
            "source_changes": source_changes(as_rows(d.get("board_sources")))}


def draw(fig: Figure, s: Series, top: float) -> None:
    hist, per = s["history"], s["per_year"]
    if not hist and not per:
        raise ChartError("country: no data")
    c = color(s.get("name"))
    top -= 0.045
    ax1 = fig.add_axes([0.075, 0.13, 0.40 if hist else 0.89, top - 0.13])
    style(ax1)
    years, vals = year_range(per, 12)
    bars(ax1, range(len(years)), vals, width=0.72, colors=c, gid="series:per_year", lw=0)
    ax1.set_xlim(-0.6, len(years) - 0.4)
    ax1.yaxis.set_major_locator(mticker.MaxNLocator(6, integer=True))
    for i, v in enumerate(vals):
        if v:
            ax1.text(i, v, str(v), ha="center", va="bottom", fontsize=10.5, fontweight="bold")
    ax1.set_xticks(range(len(years)))
    ax1.set_xticklabels([y if (i % 2 == (len(years) - 1) % 2) else "" for i, y in enumerate(years)]
                        if len(years) > 8 else years, fontsize=10.5)
    ax1.set_ylim(0, max(vals + [1]) * 1.15)
    ax1.set_ylabel("Notable models (Epoch AI)")
    ax1.set_title("Notable AI models per year", fontsize=13, loc="left", fontweight="bold")
    if hist:
        ax2 = fig.add_axes([0.56, 0.13, 0.41, top - 0.13])
        style(ax2)
        history_panel(ax2, hist, c, max_labels=4, changes=s["source_changes"])
        ax2.set_title("Best model on Chatbot Arena", fontsize=13, loc="left", fontweight="bold")
    orgs = s.get("top_orgs") or []
    if orgs:
        note(fig, "Top organisations: " + " · ".join(f"{short(o, 28)} {n}" for o, n in orgs[:6]))


KIND = ChartKind(
    name="country",
    series=series,
    draw=draw,
    gallery=(
        ("country", "country china"),
    ),
    sample={"name": "China", "per_year": {"2023": 3, "2024": 5}, "top_orgs": [["a", 2]],
            "history": ser(1200)},
)
