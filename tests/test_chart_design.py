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


# ---------------------------------------------------------------------------
# no overlapping labels, read at phone size (400 px wide)
# ---------------------------------------------------------------------------
PHONE = 400  # px: how wide Discord shows a chart on a phone
CROWDED = ["top 25", "top 10 gpqa", "race", "race coding", "frontier", "frontier since 2024", "gap us china",
           "gap closed open", "gap google deepmind openai", "small", "small 1300 arena", "small 60% gpqa",
           "compute", "compute china", "count by country", "count by sector", "depth", "depth 20",
           "timeline", "timeline google deepmind", "model gpt-4o", "model deepseek r1", "model gemini 3 pro",
           "model claude 3.5 sonnet", "org openai",
           "org google deepmind", "country united states", "country china",
           "compare gpt-4o vs deepseek r1 vs claude 3.5 sonnet vs gemini 1.5 pro vs llama 3.1 405b vs grok 2",
           "changes since 2024-01", "changes since 2025-10", "digest"]


def drawn_texts(fig) -> list:
    """Every text the figure draws (recorded as it draws: ticks outside the view
    are not drawn), with its box in pixels, the text alone (no arrow, no frame)."""
    import matplotlib.text as mtext

    drawn: list = []
    orig = mtext.Text.draw

    def record(self, renderer):
        orig(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)

    mtext.Text.draw = record
    try:
        fig.canvas.draw()
    finally:
        mtext.Text.draw = orig
    r = fig.canvas.get_renderer()
    return [(t, mtext.Text.get_window_extent(t, r)) for t in dict.fromkeys(drawn)]


def markers(ax) -> list[tuple[float, float, float]]:
    """The markers drawn in `ax` (plotted markers and scatter points): pixel centre and radius."""
    import math

    import numpy as np

    px_per_pt = ax.figure.dpi / 72
    out = []
    for ln in ax.lines:
        if ln.get_marker() not in (None, "None", "", " ") and ln.get_visible():
            r = ln.get_markersize() * px_per_pt / 2
            out += [(x, y, r) for x, y in ax.transData.transform(np.column_stack([ln.get_xdata(), ln.get_ydata()]))]
    for c in ax.collections:
        offs = c.get_offsets()
        if len(offs) and c.get_visible() and c.__class__.__name__ == "PathCollection":
            sizes = list(c.get_sizes()) or [36.0]
            for i, (x, y) in enumerate(c.get_offset_transform().transform(offs)):
                out.append((x, y, math.sqrt(sizes[i % len(sizes)]) * px_per_pt / 2))
    return out


def label_problems(fig) -> list[str]:
    """Pairs of texts closer than one phone pixel, and labels on a data marker."""
    gap = fig.bbox.width / PHONE  # one pixel on the phone, in this figure's pixels
    texts = drawn_texts(fig)
    out = []
    for i, (a, ba) in enumerate(texts):
        for b, bb in texts[i + 1:]:
            if ba.x0 < bb.x1 + gap and bb.x0 < ba.x1 + gap and ba.y0 < bb.y1 + gap and bb.y0 < ba.y1 + gap:
                if a.get_rotation() == b.get_rotation() == 0 or ba.overlaps(bb):
                    out.append(f"{a.get_text()[:30]!r} touches {b.get_text()[:30]!r}")
    for ax in fig.axes:
        marks = markers(ax)
        for t in ax.texts:  # a label on the data: half a marker under it hides the point
            bb = next((b for x, b in texts if x is t), None)
            if bb is None:
                continue
            for x, y, r in marks:
                dx = max(bb.x0 - x, 0, x - bb.x1)
                dy = max(bb.y0 - y, 0, y - bb.y1)
                if (dx * dx + dy * dy) ** 0.5 < r * 0.5:
                    out.append(f"{t.get_text()[:30]!r} sits on a marker")
                    break
    return out


def test_the_crowded_lines_cover_every_kind(engine):
    from bot.render.charts.registry import KINDS

    kinds = {engine.handle(line).chart.kind for line in CROWDED}
    assert kinds == set(KINDS)


@pytest.mark.parametrize("line", CROWDED)
def test_no_label_touches_another_at_phone_size(handle, line):
    r = handle(line)
    fig = build_figure(r.chart.kind, r.data, r.title, r.footer)
    assert label_problems(fig) == []


def test_the_overlap_check_finds_overlaps():
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(12, 6.75), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0.1, 0.1, 0.8, 0.8])
    ax.plot([0.5], [0.5], "o")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.text(0.1, 0.9, "first label")
    ax.text(0.1005, 0.9, "second label")
    ax.text(0.49, 0.49, "on the point")
    found = label_problems(fig)
    assert any("touches" in p for p in found) and any("sits on a marker" in p for p in found)


# ---------------------------------------------------------------------------
# a model on one board only: a card with its neighbours, not a one-point line
# ---------------------------------------------------------------------------
def test_a_model_on_one_board_is_shown_among_its_neighbours(engine):
    """Every model of the latest board that has no earlier board: its chart places it among
    the models around it there (itself highlighted at its score), and draws no history line."""
    latest = engine.handle("top 30").data["rows"]
    checked = 0
    for row in latest:
        r = engine.handle(f"model {row['model']}")
        if r.status != "ok" or r.chart is None or len(r.data["history"]) != 1:
            continue
        d = r.data
        assert 2 <= len(d["neighbours"]) <= 9 and sum(n["self"] for n in d["neighbours"]) == 1
        scores = [n["score"] for n in d["neighbours"]]
        assert scores == sorted(scores, reverse=True)
        fig = build_figure("model", d, r.title, r.footer)
        lines = [ln for ax in fig.axes for ln in ax.lines]
        assert not any((ln.get_gid() or "").startswith("series:") for ln in lines)
        (me,) = [ln for ln in lines if ln.get_gid() == "self"]
        assert float(me.get_xdata()[0]) == pytest.approx(d["history"][0][1])
        assert len([ln for ln in lines if ln.get_gid() == "neighbour"]) == len(d["neighbours"]) - 1
        checked += 1
        if checked >= 3:
            break
    assert checked, "the seed's latest board has models rated on it only"


# ---------------------------------------------------------------------------
# neighbours that colour-blind readers tell apart
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("line", ["depth", "depth 20", "depth 10 since 2024", "count by country", "count by sector"])
def test_stacked_neighbours_differ_for_colour_blind_readers(handle, line):
    from matplotlib.colors import to_hex

    from bot.render.palette import MIN_DISTANCE, cvd_distance

    r = handle(line)
    fig = build_figure(r.chart.kind, r.data, r.title, r.footer)
    ax = fig.axes[0]
    stack = [to_hex(c.get_facecolor()[0], keep_alpha=False) for c in ax.collections
             if (c.get_gid() or "").startswith("series:")]
    assert len(stack) >= 3
    for a, b in zip(stack, stack[1:]):
        assert cvd_distance(a, b) >= MIN_DISTANCE, (line, stack)


@pytest.mark.parametrize("line", ["compute", "compute china", "compute openai", "compute united kingdom"])
def test_the_compute_legend_and_the_text_name_the_same_first_year(handle, line):
    import re

    r = handle(line)
    said = re.search(r"models since (\d{4})", r.text)
    assert said, r.text
    first = min(p[1] for p in r.data["points"])[:4]
    assert said[1] == first
    fig = build_figure("compute", r.data, r.title, r.footer)
    legend = [t.get_text() for ax in fig.axes for leg in [ax.get_legend(), *[a for a in ax.artists]] if leg
              for t in getattr(leg, "get_texts", lambda: [])()]
    trend = [t for t in legend if t.startswith("trend since") and "2020" not in t]
    assert trend and all(f"since {first}" in t for t in trend), legend


# ---------------------------------------------------------------------------
# the committed gallery is what the code draws
# ---------------------------------------------------------------------------
def test_the_committed_gallery_is_what_the_code_draws(engine):
    """docs/gallery/manifest.json records a digest of what each chart draws (its kind's series,
    title and subtitle: the same on every machine, unlike PNG bytes); the code must draw the
    same now. When this fails, run `make gallery` and commit docs/gallery."""
    import json
    from pathlib import Path

    from bot.engine.gallery import MANIFEST, manifest

    folder = Path(__file__).resolve().parents[1] / "docs" / "gallery"
    committed = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    now = manifest(engine)
    stale = sorted(set(now) ^ set(committed) | {s for s in now if s in committed and now[s] != committed[s]})
    assert not stale, f"docs/gallery is stale for {stale}: run `make gallery` and commit docs/gallery"
    assert {p.stem for p in folder.glob("*.png")} == {s for s, e in now.items() if e["kind"] != "none"}


def test_the_spec_digest_changes_with_what_is_drawn(handle):
    from dataclasses import replace

    from bot.engine.gallery import spec_digest

    r = handle("top 5")
    assert spec_digest(r) == spec_digest(handle("top 5"))
    assert spec_digest(replace(r, title=r.title + "!")) != spec_digest(r)
    rows = [dict(x) for x in r.data["rows"]]
    rows[0]["model"] = "ernie-5.0-preview-1103"
    assert spec_digest(replace(r, data={**r.data, "rows": rows})) != spec_digest(r)
