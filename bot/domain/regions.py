"""Regions: a country or a group of countries (Europe) a side can name."""
from __future__ import annotations

from typing import Any, Callable

EUROPE = {
    "United Kingdom", "France", "Germany", "Switzerland", "Netherlands", "Italy", "Spain",
    "Sweden", "Finland", "Norway", "Denmark", "Belgium", "Austria", "Poland", "Ireland",
    "Czechia", "Portugal", "Greece", "Luxembourg", "Estonia",
}


def region_pred(name: str) -> Callable[[Any], bool]:
    """Whether a rating (anything with a ``country``) belongs to the region or country `name`."""
    if name == "Europe":
        return lambda r: r.country in EUROPE
    return lambda r: r.country == name
