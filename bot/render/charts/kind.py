"""What a chart kind is: one declaration holds everything about it."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, get_type_hints


@dataclass(frozen=True)
class ChartKind:
    """One chart kind, declared once as ``KIND`` in its module under
    :mod:`bot.render.charts.kinds` (the module's name is the kind's name).

    ``series(data)`` takes a reply's ``data`` and returns the exact series the
    chart plots; ``draw(fig, series, top)`` draws them below the figure
    fraction ``top``; ``gallery`` lists (slug, command line) examples that
    ``racebot gallery`` renders from the real data; ``sample`` is small
    synthetic reply data, drawn once when a render worker starts.

    The shapes are TypedDicts declared beside the kind and named by the
    annotations of ``series``: ``def series(d: Data) -> Series``. ``Data``
    is what the kind reads from ``Reply.data`` (the handler writes it);
    ``Series`` is what it draws. :attr:`data_type` and :attr:`series_type`
    give them to the tests and the docs.
    """
    name: str
    series: Callable[[Any], Mapping[str, Any]]
    draw: Callable[[Any, Any, float], None]
    gallery: tuple[tuple[str, str], ...]
    sample: Mapping[str, Any]

    @property
    def data_type(self) -> type:
        """The TypedDict of what this kind reads from ``Reply.data``."""
        hints = get_type_hints(self.series)
        hints.pop("return", None)
        return next(iter(hints.values()))

    @property
    def series_type(self) -> type:
        """The TypedDict of the series this kind draws."""
        return get_type_hints(self.series)["return"]
