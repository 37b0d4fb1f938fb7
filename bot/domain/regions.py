"""Regions: a country or a group of countries (Europe) a side can name."""
from __future__ import annotations

from typing import Any, Callable

EUROPE = {
    "United Kingdom", "France", "Germany", "Switzerland", "Netherlands", "Italy", "Spain",
    "Sweden", "Finland", "Norway", "Denmark", "Belgium", "Austria", "Poland", "Ireland",
    "Czechia", "Portugal", "Greece", "Luxembourg", "Estonia",
}


REGIONS: dict[str, set[str]] = {"Europe": EUROPE}


def in_region(country: str | None, name: str) -> bool:
    """Whether `country` is the country `name` or one of the region `name`'s countries: the one
    rule every count, list and side uses (`country europe`, `top 5 europe`, `count europe`)."""
    members = REGIONS.get(name)
    return country in members if members is not None else country == name


def region_pred(name: str) -> Callable[[Any], bool]:
    """Whether a rating (anything with a ``country``) belongs to the region or country `name`."""
    return lambda r: in_region(r.country, name)


def model_in(name: str) -> Callable[[dict[str, Any]], bool]:
    """Whether a model row (a dict with ``country``) belongs to the region or country `name`."""
    return lambda m: in_region(m.get("country"), name)
