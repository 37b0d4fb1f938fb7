"""The best-score history panel of the org and country charts: steps broken
at each change of source, the changes of best model labelled."""
from __future__ import annotations

from bot.render.charts.axes import date_axis, dnum, hold, pad_limits
from bot.render.charts.labels import place_labels, point_boxes, short
from bot.render.charts.sources import broken_step, mark_source_changes, seam_xs


def history_panel(ax, hist: list, c: str, max_labels: int = 4, label_changes: bool = True,
                  changes: list | None = None) -> None:
    """A best-score history as steps, broken at each change of source (`changes`: [[date, name]])."""
    xs = [dnum(p[0]) for p in hist]
    ys = [p[1] for p in hist]
    broken_step(ax, xs, ys, seam_xs(changes), xs[-1] + 4, color=c, lw=2.4, gid="series:history")
    date_axis(ax, min(xs) - 5, max(xs) + 8)
    ylo, yhi = pad_limits(min(ys), max(ys), 0.1, 30)
    ax.set_ylim(ylo, yhi + (yhi - ylo) * 0.12)
    ax.set_ylabel("Best Arena score (Elo)")
    mark_source_changes(ax, [ch for ch in changes or [] if xs[0] < dnum(ch[0]) <= xs[-1]], fontsize=9)
    if label_changes and len(hist[0]) > 2:
        changes = [i for i in range(len(hist)) if i == 0 or hist[i][2] != hist[i - 1][2]]
        pick = changes[-max_labels:]
        ax.plot([xs[i] for i in pick], [ys[i] for i in pick], "o", color=c, ms=6, zorder=5)
        items = [{"x": xs[i], "y": ys[i], "text": short(hist[i][2], 26), "color": c} for i in reversed(pick)]
        place_labels(ax, items, fontsize=10, obstacles=point_boxes(ax, *hold(xs, ys, xs[-1] + 4)))
