"""Charts that answer the question and read well: the change drawn as a change,
source seams drawn as breaks, no overlapping labels, colour-blind-safe
neighbours, one-point model charts as a card. Real replies from the seed,
real matplotlib figures (their artists, not pixels)."""
from __future__ import annotations

import pytest

from bot.render.charts.draw import build_figure


@pytest.fixture(scope="module")
def handle(engine):
    def run(line: str):
        r = engine.handle(line)
        assert r.status == "ok" and r.chart is not None, (line, r.text)
        return r
    return run


def _gids(fig, prefix: str) -> dict[str, object]:
    return {ln.get_gid().split(":", 1)[1]: ln for ax in fig.axes for ln in ax.lines
            if (ln.get_gid() or "").startswith(prefix + ":")}


# ---------------------------------------------------------------------------
# changes and digest draw the change
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("line", ["changes since 2025-10", "digest", "changes since 2025-06",
                                  "ask what changed this month"])
def test_changes_draw_before_and_after_with_new_entries_marked(handle, line):
    r = handle(line)
    assert r.chart.kind == "changes"
    d = r.data
    fig = build_figure("changes", d, r.title, r.footer)
    new, before, after = _gids(fig, "new"), _gids(fig, "before"), _gids(fig, "after")
    by_place = d["scales_differ"]
    rows = d["rows"]
    assert rows and len(rows) <= 10
    for row in rows:
        now = row["rank"] if by_place else row["score"]
        if row["before_score"] is None:  # new on the board: a star, no earlier point
            assert row["model"] in new and row["model"] not in before
            assert float(new[row["model"]].get_xdata()[0]) == pytest.approx(now)
        else:
            then = row["before_rank"] if by_place else row["before_score"]
            assert float(before[row["model"]].get_xdata()[0]) == pytest.approx(then)
            assert float(after[row["model"]].get_xdata()[0]) == pytest.approx(now)
    # every model of the earlier top 10 that is no longer in the top 10 is shown below it (up to 4)
    left = {x["model"] for x in d["left"]}
    assert left.isdisjoint(r["model"] for r in rows)
    assert len([m for m in left if m in before]) == min(4, len(left))


def test_changes_between_boards_on_different_scales_compares_places(handle, engine):
    """The seed's boards come from three sources, each on its own scale: a comparison across a
    switch of source draws places (within each board), not Elo."""
    r = handle("changes since 2024-01")
    assert r.data["scales_differ"] is True
    fig = build_figure("changes", r.data, r.title, r.footer)
    ax = fig.axes[0]
    assert "Place" in ax.get_xlabel()
    lo, hi = ax.get_xlim()
    assert lo > hi  # #1 on the right
    r2 = handle("digest")
    assert r2.data["scales_differ"] is False
    assert "Elo" in build_figure("changes", r2.data, r2.title, r2.footer).axes[0].get_xlabel()


# ---------------------------------------------------------------------------
# source seams are breaks with a labelled marker
# ---------------------------------------------------------------------------
def _seams(ax) -> list[float]:
    return sorted(float(ln.get_xdata()[0]) for ln in ax.lines if ln.get_gid() == "source-change")


@pytest.mark.parametrize("line", ["race", "gap us china", "frontier", "org deepseek", "country china",
                                  "compare gpt-4o vs claude 3.5 sonnet", "model gpt-4o"])
def test_no_level_line_crosses_a_change_of_source(handle, line):
    """Where the boards' source (and its rating scale) changes, each level line stops and a
    new one starts, and a label at the seam names the new source."""
    r = handle(line)
    fig = build_figure(r.chart.kind, r.data, r.title, r.footer)
    labelled = [ax for ax in fig.axes if any(t.get_gid() == "source-change-label" for t in ax.texts)]
    assert labelled, f"{line}: the seed's history spans sources, so a seam is marked"
    for ax in labelled:
        seams = _seams(ax)
        labels = [t for t in ax.texts if t.get_gid() == "source-change-label"]
        assert len(labels) == len(seams)
        assert all("scale" in t.get_text() for t in labels)
        series = [ln for ln in ax.lines if (ln.get_gid() or "").startswith("series:")]
        assert series
        for ln in series:
            xs = [float(x) for x in ln.get_xdata()]
            for s in seams:
                assert max(xs) < s or min(xs) >= s, f"{line}: {ln.get_gid()} is one line across the seam at {s}"
        # and the labels sit above every data line (room is made for them)
        top = max(float(y) for ln in series for y in ln.get_ydata())
        tr = ax.transData
        r_ = fig.canvas.get_renderer()
        for t in labels:
            assert t.get_window_extent(r_).y0 >= tr.transform((0, top))[1] - 1


def test_seams_come_from_the_points_sources():
    """The seam is where the points' source changes, wherever that is (synthetic data)."""
    from bot.render.charts.axes import dnum
    from bot.render.charts.registry import chart_kind
    from bot.render.charts.samples import GAP_ROWS

    rows = [dict(p, source="x-old" if i < 3 else "x-new") for i, p in enumerate(GAP_ROWS)]
    data = {**chart_kind("gap").sample, "series": rows, "reference": []}
    fig = build_figure("gap", data, "t", "s")
    ax = fig.axes[0]
    assert _seams(ax) == [dnum(rows[3]["date"])]
    runs = [ln for ln in ax.lines if ln.get_gid() == "series:a"]
    assert len(runs) == 2
    assert [float(y) for y in runs[1].get_ydata()][:2] == [rows[3]["a"], rows[4]["a"]]
    assert any("x-new" in t.get_text() for t in ax.texts)
