"""The 'org' chart."""
from __future__ import annotations

from typing import Any, TypedDict

import matplotlib.ticker as mticker
from matplotlib.figure import Figure

from bot.render.charts.axes import bars, style, year_range
from bot.render.charts.data import as_rows, per_year
from bot.render.charts.history import history_panel
from bot.render.charts.kind import ChartKind
from bot.render.charts.labels import note
from bot.render.charts.registry import ChartError
from bot.render.charts.sources import source_changes
from bot.render.charts.samples import DAYS, ser
from bot.render.palette import color


class Data(TypedDict, total=False):
    """What ``org`` reads from ``Reply.data``."""
    name: str
    country: str | None
    models: list[list[Any]]             # [name, release date, ...]: the second item is counted per year
    history: list[list[Any]]            # [date, best Arena Elo, Arena name]
    board_sources: list[dict[str, Any]]  # [{date, source}]: the rating scale each board date is on (its runs)


class Series(TypedDict):
    """What the ``org`` chart draws."""
    name: str | None
    country: str | None
    history: list[list[Any]]            # [date, Elo, Arena name or None]
    per_year: dict[str, int]            # year -> models released
    source_changes: list[list[str]]     # [date, short source name] where the history moves to another source


def series(d: Data) -> Series:
    """The exact series this chart draws, from a reply's data."""
    models = as_rows(d.get("models"))
    return {"name": d.get("name"), "country": d.get("country"),
            "history": [[p[0], p[1], p[2] if len(p) > 2 else None] for p in as_rows(d.get("history"))],
            "per_year": per_year([m[1] for m in models]),
            "source_changes": source_changes(as_rows(d.get("board_sources")))}


def draw(fig: Figure, s: Series, top: float) -> None:
    hist, per = s["history"], s["per_year"]
    if not hist and not per:
        raise ChartError("org: no data")
    c = color(s.get("name"))
    top -= 0.045
    if hist:
        ax1 = fig.add_axes([0.075, 0.12, 0.55, top - 0.12])
        style(ax1)
        history_panel(ax1, hist, c, changes=s["source_changes"])
        ax1.set_title("Best model on Chatbot Arena", fontsize=13, loc="left", fontweight="bold")
        x2 = 0.70
    else:
        x2 = 0.075
    ax2 = fig.add_axes([x2, 0.12, 0.965 - x2, top - 0.12])
    style(ax2)
    years, vals = year_range(per, 8 if hist else 14)
    bars(ax2, range(len(years)), vals, width=0.7, colors=c, gid="series:per_year", lw=0)
    ax2.set_xlim(-0.6, len(years) - 0.4)
    for i, v in enumerate(vals):
        if v:
            ax2.text(i, v, str(v), ha="center", va="bottom", fontsize=11, fontweight="bold")
    ax2.set_xticks(range(len(years)))
    ax2.set_xticklabels(years, rotation=0 if len(years) <= 5 or not hist else 45, fontsize=10.5)
    ax2.set_ylim(0, max(vals + [1]) * 1.15)
    ax2.yaxis.set_major_locator(mticker.MaxNLocator(5, integer=True))
    ax2.set_title("Models released per year", fontsize=13, loc="left", fontweight="bold")
    ax2.set_ylabel("Models (all sources)")
    note(fig, f"{s.get('name')}{' · ' + s['country'] if s['country'] else ''}. "
              "Left: the organisation's best-rated model in each Arena snapshot.")


KIND = ChartKind(
    name="org",
    series=series,
    draw=draw,
    gallery=(
        ("org", "org deepseek"),
    ),
    sample={"name": "DeepSeek", "models": [["a", d, None, None] for d in DAYS], "history": ser(1200)},
)
