"""Every chart kind declares the shape of what it reads (``Data``) and of what
it draws (``Series``) as TypedDicts beside it; the declarations hold."""
from __future__ import annotations

import typing

import pytest

from bot.render.charts.registry import KINDS, chart_kind

from unit.shapes import problems


@pytest.mark.parametrize("name", KINDS)
def test_each_kind_declares_its_shapes(name):
    kind = chart_kind(name)
    assert typing.is_typeddict(kind.data_type) and kind.data_type.__doc__, name
    assert typing.is_typeddict(kind.series_type) and kind.series_type.__doc__, name


@pytest.mark.parametrize("name", KINDS)
def test_the_sample_has_the_data_shape_and_gives_the_series_shape(name):
    kind = chart_kind(name)
    assert problems(dict(kind.sample), kind.data_type) == []
    assert problems(dict(kind.series(kind.sample)), kind.series_type) == []


def test_the_checker_finds_a_wrong_shape():
    kind = chart_kind("gap")
    series = dict(kind.series(kind.sample))
    series["dates"] = "2025-01-01"
    del series["pct"]
    found = problems(series, kind.series_type)
    assert any("dates" in p for p in found) and any("'pct'" in p for p in found)
