"""The 'small' chart."""
from __future__ import annotations

from typing import Any, TypedDict

import matplotlib.ticker as mticker
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bot.render.charts.axes import LEGEND_ROW, group_top, legend_above, log_axis, style
from bot.render.charts.data import as_rows
from bot.render.charts.kind import ChartKind
from bot.render.charts.labels import artist_box, note, place_labels, segment_boxes, short
from bot.render.charts.registry import ChartError
from bot.render.charts.samples import DAYS
from bot.render.charts.style import FG, PX_PER_PT, figure_renderer
from bot.render.palette import GREY, color, colors
from bot.render.text import big, elo, month


class Data(TypedDict, total=False):
    """What ``small`` reads from ``Reply.data``."""
    benchmark: str                      # a benchmark name or "arena"
    unit: str                           # "%" or "Elo"
    threshold: float
    points: list[list[Any]]             # [name, parameters, score, date, country]
    record: list[list[Any]]             # [date, name, parameters, score]: each new smallest
    reference: list[dict[str, Any]]     # AI Index small-model figures


class Series(TypedDict):
    """What the ``small`` chart draws."""
    benchmark: str | None
    unit: str
    threshold: float | None
    points: list[list[Any]]             # only points with a size and a score
    record: list[list[Any]]
    reference: list[dict[str, Any]]


def series(d: Data) -> Series:
    """The exact series this chart draws, from a reply's data."""
    return {"benchmark": d.get("benchmark"), "unit": d.get("unit") or ("Elo" if d.get("benchmark") == "arena" else "%"),
            "threshold": d.get("threshold"),
            "points": [list(p[:5]) for p in as_rows(d.get("points")) if p[1] and p[2] is not None],
            "record": [list(r) for r in as_rows(d.get("record"))],
            "reference": as_rows(d.get("reference"))}


def _threshold_label(ax, thr: float, text: str, pts: list, rec: list):
    """The threshold's label on its line, at the first spot (right end first, above the line
    first) clear of every point and record marker."""
    r = figure_renderer(ax.figure)
    tr = ax.transData
    px = PX_PER_PT
    marks = [(*tr.transform((p[1], p[2])), 3.3 * px + 2) for p in pts]
    marks += [(*tr.transform((x[2], x[3])), 7 * px + 2) for x in rec]
    first = None
    for va in ("bottom", "top"):
        for fx, ha in ((0.995, "right"), (0.005, "left"), (0.25, "left"), (0.5, "left"), (0.75, "left")):
            t = ax.text(fx, thr, f" {text} ", transform=ax.get_yaxis_transform(), ha=ha, va=va, fontsize=11,
                        color="#007A5A", fontweight="bold", gid="threshold-label")
            bb = t.get_window_extent(r)
            if not any(bb.x0 - m < x < bb.x1 + m and bb.y0 - m < y < bb.y1 + m for x, y, m in marks):
                if first is not None:
                    first.remove()
                return t
            if first is None:
                first = t
            else:
                t.remove()
    assert first is not None
    first.set_bbox({"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1})  # nowhere clear: readable over the dots
    return first


def draw(fig: Figure, s: Series, top: float) -> None:
    pts = s["points"]
    if not pts:
        raise ChartError("small: no points")
    arena = s["benchmark"] == "arena"
    ax = fig.add_axes([0.075, 0.13, 0.90, top - 0.13 - LEGEND_ROW])
    style(ax, "both")
    log_axis(ax.xaxis)
    thr = s["threshold"]
    if thr is None:
        raise ChartError("small: no threshold")
    main, by = group_top(pts, 4)
    col = dict(zip(list(by), colors(list(by))))
    for c, ps in by.items():
        ax.scatter([p[1] for p in ps], [p[2] for p in ps], s=42, color=col[c],
                   alpha=0.75, edgecolor="white", linewidth=0.6, zorder=3, label=c, gid=f"points:{c}")
    rec = s["record"]
    xs_all = [p[1] for p in pts]
    ys_all = [p[2] for p in pts]
    xlo, xhi = min(xs_all) / 3.5, max(xs_all) * 2.2
    ax.set_xlim(xlo, xhi)
    ylo, yhi = min(ys_all + [thr]), max(ys_all + [thr])
    span = max(yhi - ylo, 1)
    ax.set_ylim(ylo - span * 0.06, yhi + span * 0.10)
    ax.axhspan(thr, yhi + span * 0.10, color="#009E73", alpha=0.06, zorder=0)
    ax.axhline(thr, color="#009E73", lw=1.6, ls="--", zorder=2)
    tl = f"threshold {elo(thr)} Elo" if arena else f"threshold {thr:g}%"
    items = []
    if rec:
        rx = [r[2] for r in rec]
        ry = [r[3] for r in rec]
        ax.plot(rx, ry, color=FG, lw=1.2, ls=":", zorder=4)
        cols = []
        for r in rec:
            m = next((p for p in pts if p[0] == r[1]), None)
            cols.append(color(m[4]) if m else GREY)
        ax.scatter(rx, ry, s=190, color=cols, edgecolor=FG, linewidth=2, zorder=5, marker="o", gid="record")
        shown = rec if len(rec) <= 6 else [rec[0]] + rec[-5:]
        for r in reversed(shown):  # every record shown gets its label (over the small dots if it must)
            items.append({"x": r[2], "y": r[3], "text": f"{short(r[1], 28)}\n{big(r[2])} · {month(r[0])}",
                          "weight": "bold", "force": True})
    thr_text = _threshold_label(ax, thr, tl, pts, rec)
    ax.set_xlabel("Parameters (log scale)")
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, p: big(v)))
    tr = ax.transData
    obst = []
    for p in pts:
        px, py = tr.transform((p[1], p[2]))
        obst.append((px - 4, py - 4, px + 4, py + 4))
    if rec:
        obst += segment_boxes(ax, [r[2] for r in rec], [r[3] for r in rec], r=3)
    _, ty = tr.transform((xlo, thr))
    abb = ax.get_window_extent()
    obst += [(abb.x0, ty - 3, abb.x1, ty + 3), artist_box(thr_text)]
    leg_items = items
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, p: big(v)))
    ax.xaxis.set_minor_formatter(mticker.NullFormatter())
    bench = "Chatbot Arena" if arena else s["benchmark"]
    ax.set_ylabel(f"Best {bench} score ({'Elo' if arena else '%'})")
    if not arena:
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, p: f"{v:.0f}%"))
    handles = [Line2D([], [], marker="o", ls="", color=col[c], ms=8, label=c)
               for c in list(by) if c]
    handles.append(Line2D([], [], marker="o", ls=":", color=FG, mfc="white", mec=FG, mew=2, ms=11,
                          label="new record: smallest to reach the threshold"))
    legend_above(ax, handles, fontsize=10.5)
    place_labels(ax, leg_items, fontsize=10.5, point_r=9, obstacles=obst)
    ref = {r.get("id"): r for r in s.get("reference") or []}
    if "small_models_reduction" in ref:
        note(fig, f"AI Index 2025: for 60% on MMLU, from PaLM (540B, 2022) to Phi-3-mini (3.8B, 2024), "
                  f"{ref['small_models_reduction']['value']:.0f}× smaller. Sizes: total parameters as Epoch AI reports them.")
    else:
        note(fig, "Sizes: total parameters as Epoch AI reports them (mixtures of experts count all experts).")


KIND = ChartKind(
    name="small",
    series=series,
    draw=draw,
    gallery=(
        ("small", "small"),
        ("small-1300-arena", "small 1300 arena"),
    ),
    sample={"benchmark": "GPQA diamond", "threshold": 50.0, "unit": "%",
            "points": [["m%d" % i, 10.0 ** (9 + i / 3), 30 + 5 * i, DAYS[i % 5], "China"] for i in range(6)],
            "record": [["2024-06-19", "m5", 10.0 ** (9 + 5 / 3), 55.0]],
            "reference": [{"id": "small_models_reduction", "value": 142.0}]},
)
