"""The chart shapes hold on real replies: every gallery command's ``Reply.data``
has its kind's ``Data`` shape, and the series drawn from it the ``Series`` shape."""
from __future__ import annotations

import pytest

from bot.render.charts.registry import chart_kind, gallery_lines

from unit.shapes import problems


@pytest.mark.parametrize("slug,line", gallery_lines())
def test_real_reply_data_has_the_declared_shapes(engine, slug, line):
    reply = engine.handle(line)
    assert reply.status == "ok" and reply.chart is not None, (line, reply.text)
    kind = chart_kind(reply.chart.kind)
    assert problems(reply.data, kind.data_type, extra_ok=True) == []
    assert problems(dict(kind.series(reply.data)), kind.series_type) == []
