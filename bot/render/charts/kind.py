"""What a chart kind is: one declaration holds everything about it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class ChartKind:
    """One chart kind, declared once as ``KIND`` in its module under
    :mod:`bot.render.charts.kinds` (the module's name is the kind's name).

    ``series(data)`` takes a reply's ``data`` and returns the exact series the
    chart plots; ``draw(fig, series, top)`` draws them below the figure
    fraction ``top``; ``gallery`` lists (slug, command line) examples that
    ``racebot gallery`` renders from the real data; ``sample`` is small
    synthetic reply data, drawn once when a render worker starts.
    """
    name: str
    series: Callable[[dict], dict]
    draw: Callable[[Any, dict, float], None]
    gallery: tuple[tuple[str, str], ...]
    sample: dict
