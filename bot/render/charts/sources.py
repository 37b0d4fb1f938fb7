"""Where a series moves to another source's boards: a seam, drawn as a break.

The Arena history comes from three sources, each on its own rating scale
(the CSV snapshots of mid-2024 sit about 100 points above the history file's
last ratings; the late-2025 catalog about 20 above the mid-2025 CSVs), so
levels jump where a series changes source, while gaps in percent, computed
within one board, do not. A level is never drawn as one line across a seam:
each source's run is its own line (:func:`broken_step`), and each seam gets
a labelled marker (:func:`mark_source_changes`).

The seams are read from the reply's data: each point's ``source`` (gap,
frontier) or a ``board_sources`` list of ``{date, source}`` (race, compare,
org, country, model).
"""
from __future__ import annotations

from bot.render.charts.axes import dnum, hold
from bot.render.charts.style import FG, MUTED

SOURCE_SHORT = {"arena-history": "history file", "arena-csv": "CSV snapshots", "arena-catalog": "LMArena releases"}
GAP_DAYS = 2.0  # each run stops this many days before the next one starts: the break is visible


def source_changes(points: list) -> list[list]:
    """[[date, short source name]] where a series moves to another source's boards
    (`points`: dicts with ``date`` and ``source``, in date order)."""
    out, prev = [], None
    for p in points:
        src = p.get("source") if isinstance(p, dict) else None
        if src and src != prev:
            if prev is not None:
                out.append([p["date"], SOURCE_SHORT.get(src, src)])
            prev = src
    return out


def seam_xs(changes: list | None) -> list[float]:
    """The seams' x positions (date numbers), in order."""
    return sorted(dnum(d) for d, _name in changes or [])


def runs(xs: list[float], ys: list, seams: list[float]) -> list[tuple[list[float], list]]:
    """`xs`/`ys` cut into one run per source: a point at or after a seam starts a new run."""
    out: list[tuple[list[float], list]] = []
    cur_x: list[float] = []
    cur_y: list = []
    k = 0
    for x, y in zip(xs, ys):
        moved = False
        while k < len(seams) and x >= seams[k]:
            k += 1
            moved = True
        if moved and cur_x:
            out.append((cur_x, cur_y))
            cur_x, cur_y = [], []
        cur_x.append(x)
        cur_y.append(y)
    if cur_x:
        out.append((cur_x, cur_y))
    return out


def held_runs(xs: list[float], ys: list, seams: list[float], until: float) -> list[tuple[list[float], list]]:
    """Step runs, each holding its last value up to just before the next run (the last run up to `until`)."""
    parts = runs(xs, ys, seams)
    gap = max(GAP_DAYS, (until - xs[0]) * 0.006) if xs else GAP_DAYS  # about 6 pixels on a full-width chart
    out = []
    for i, (rx, ry) in enumerate(parts):
        end = parts[i + 1][0][0] - gap if i + 1 < len(parts) else until
        out.append(hold(rx, ry, max(end, rx[-1])))
    return out


def broken_step(ax, xs: list[float], ys: list, seams: list[float], until: float, **kw) -> list:
    """A step line (``where='post'``) drawn as one line per source's run: never a
    step across a seam. Every run carries the same gid. Returns the lines."""
    lines = []
    for i, (hx, hy) in enumerate(held_runs(xs, ys, seams, until)):
        kw_i = dict(kw)
        if i:
            kw_i.pop("label", None)
        lines += ax.step(hx, hy, where="post", **kw_i)
    return lines


def mark_source_changes(ax, changes: list | None, label: bool = True, fontsize: float = 10) -> list:
    """A dashed line at each seam, and (with `label`) a label naming the new
    source and saying the scale changes, on a white box at the top of the axes,
    in room made above the data (the y limits grow). Call it once the limits
    are set. Returns the label texts."""
    from bot.render.charts.style import figure_renderer

    texts: list = []
    boxes: list = []
    r = figure_renderer(ax.figure)
    ah = max(ax.get_window_extent(r).height, 1)
    x0, x1 = ax.get_xlim()
    for d, name in changes or []:
        x = dnum(d)
        ax.axvline(x, color=MUTED, lw=1.1, ls=(0, (4, 3)), zorder=1.5, gid="source-change")
        if not label:
            continue
        right_side = (x - x0) / max(x1 - x0, 1e-9) > 0.6
        words = f"from here: {name} ▶" if right_side else f"▶ from here: {name}"
        t = ax.text(x, 0.985, f"{words}\n(another Elo scale)",
                    transform=ax.get_xaxis_transform(), fontsize=fontsize, color=FG, linespacing=1.1,
                    ha="right" if right_side else "left", va="top", zorder=7, gid="source-change-label",
                    bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": MUTED, "lw": 0.6})
        bb = t.get_window_extent(r)
        for other in boxes:  # seams close together (a narrow panel): this label goes under the other
            if bb.x0 < other.x1 + 6 and other.x0 < bb.x1 + 6 and bb.y0 < other.y1 + 6 and other.y0 < bb.y1 + 6:
                t.set_y(t.get_position()[1] - (bb.y1 - other.y0 + 8) / ah)
                bb = t.get_window_extent(r)
        boxes.append(bb)
        texts.append(t)
    if texts:  # make room: the labels sit above the data, never on it
        low = min(b.y0 for b in boxes)
        frac = (ax.get_window_extent(r).y1 - low) / ah + 0.03
        lo, hi = ax.get_ylim()
        if frac < 0.5:
            ax.set_ylim(lo, hi + (hi - lo) * frac / (1 - frac))
    return texts
