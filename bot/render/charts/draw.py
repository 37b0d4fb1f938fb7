"""Drawing a chart: a kind's series onto a new figure, encoded as PNG.

Imported only where charts are drawn (the render worker processes, or a
fallback thread): never by ``bot.engine``. Uses ``Figure`` +
``FigureCanvasAgg`` directly, never pyplot's global state.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matplotlib.figure import Figure

from bot.render.charts.data import chart_series
from bot.render.charts.labels import header
from bot.render.charts.registry import all_kinds, chart_kind
from bot.render.charts.style import figure_png, new_figure


def build_figure(kind: str, data: Mapping[str, Any], title: str | None, subtitle: str | None) -> Figure:
    """The chart as a matplotlib Figure (tests inspect its artists)."""
    drawer = chart_kind(kind).draw
    series = chart_series(kind, data)
    fig = new_figure()
    top = header(fig, title, subtitle)
    drawer(fig, series, top)
    return fig


def draw_png(kind: str, data: Mapping[str, Any], title: str | None, subtitle: str | None) -> bytes:
    return figure_png(build_figure(kind, data, title, subtitle))



def warm() -> None:
    """Draw every kind's sample once (worker start-up), so the first real charts are fast."""
    for kind in all_kinds():
        draw_png(kind.name, kind.sample, "warm-up title", "Source: warm-up · as of 2025-01-01")
