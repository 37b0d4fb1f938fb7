"""The one registry of chart kinds.

A kind is a module under :mod:`bot.render.charts.kinds` that declares
``KIND = ChartKind(...)`` (name, series, draw, gallery, sample). Adding a
module there is all it takes: the service, the renderer, the warm-up, the
gallery and the tests find it here. The names are read from the package's
files without importing them, so the engine's process never imports
matplotlib; a kind's module is imported when it is first drawn.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from bot.render.charts import kinds as _kinds_package
from bot.render.charts.kind import ChartKind


class ChartError(ValueError):
    """The chart cannot be drawn from this data (unknown kind, no data)."""


KINDS: tuple[str, ...] = tuple(sorted(m.name for m in pkgutil.iter_modules(_kinds_package.__path__)
                                      if not m.name.startswith("_")))


@cache
def chart_kind(name: str) -> ChartKind:
    """The declaration of chart kind `name` (imports its module: matplotlib)."""
    if name not in KINDS:
        raise ChartError(f"no chart kind {name!r}")
    kind = importlib.import_module(f"{_kinds_package.__name__}.{name}").KIND
    if kind.name != name:  # pragma: no cover - a declaration error, caught by the tests
        raise ChartError(f"chart module {name!r} declares kind {kind.name!r}")
    return kind


def all_kinds() -> list[ChartKind]:
    """Every kind's declaration, by name."""
    return [chart_kind(n) for n in KINDS]


def gallery_lines() -> list[tuple[str, str]]:
    """(slug, command line) of every gallery example, kind by kind."""
    return [g for k in all_kinds() for g in k.gallery]
