"""The 'frontier' chart."""
from __future__ import annotations

from typing import Any, TypedDict

import matplotlib.ticker as mticker
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bot.render.charts.axes import date_axis, dnum, hold, pad_limits, style
from bot.render.charts.data import Reference as IndexReference
from bot.render.charts.data import as_rows, references
from bot.render.charts.kind import ChartKind
from bot.render.charts.labels import end_labels, note, place_labels, point_boxes, right_margin
from bot.render.charts.sources import broken_step, held_runs, mark_source_changes, seam_xs, source_changes
from bot.render.charts.registry import ChartError
from bot.render.charts.samples import FRONT
from bot.render.charts.style import FG
from bot.render.text import elo


class Point(TypedDict, total=False):
    date: str
    top1: float                         # Elo of rank 1
    top2: float
    topn: float                         # Elo of rank n
    spread_pct: float                   # rank 1 over rank n, percent
    top2_pct: float                     # rank 1 over rank 2, percent
    top1_model: str | None
    topn_model: str | None
    source: str | None                  # the board's source (arena-history | arena-csv | arena-catalog)


class Reference(IndexReference):
    which: str                          # the spread it measures: "top2" or "topn"


class Data(TypedDict, total=False):
    """What ``frontier`` reads from ``Reply.data``."""
    n: int
    series: list[Point]
    reference: list[dict[str, Any]]     # AI Index figures: {period, value, metric}
    tightest: Any
    widest: Any


class Series(TypedDict):
    """What the ``frontier`` chart draws (lists aligned with ``dates``)."""
    n: int | None
    dates: list[str]
    top1: list[float]
    top2: list[float]
    topn: list[float]
    spread_pct: list[float]
    top2_pct: list[float]
    top1_model: list[str | None]
    topn_model: list[str | None]
    reference: list[Reference]
    tightest: Any
    widest: Any
    source_changes: list[list[str]]     # [date, short source name] where the series moves to another source


def series(d: Data) -> Series:
    """The exact series this chart draws, from a reply's data."""
    s = as_rows(d.get("series"))
    refs: list[Reference] = [{**ref, "which": "top2" if "rank 2" in (row.get("metric") or "").lower() else "topn"}
                             for ref, row in references(d.get("reference"))]
    return {"n": d.get("n"), "dates": [p["date"] for p in s], "top1": [p["top1"] for p in s],
            "top2": [p["top2"] for p in s], "topn": [p["topn"] for p in s],
            "spread_pct": [p["spread_pct"] for p in s], "top2_pct": [p["top2_pct"] for p in s],
            "top1_model": [p.get("top1_model") for p in s], "topn_model": [p.get("topn_model") for p in s],
            "reference": refs, "tightest": d.get("tightest"), "widest": d.get("widest"),
            "source_changes": source_changes(s)}


def draw(fig: Figure, s: Series, top: float) -> None:
    if not s["dates"]:
        raise ChartError("frontier: no series")
    n = s.get("n") or 10
    xs = [dnum(d) for d in s["dates"]]
    lo, hi = min(xs), max(xs)
    refs: list[dict[str, Any]] = [{**r, "x": dnum(r["date"])} for r in s["reference"]]
    refs = [r for r in refs if lo - 400 <= r["x"] <= hi + 60]
    if refs:
        lo = min(lo, min(r["x"] for r in refs))
    texts = [f"Rank 1  {elo(s['top1'][-1])}", f"Rank 2  {elo(s['top2'][-1])}", f"Rank {n}  {elo(s['topn'][-1])}"]
    right = min(0.86, right_margin(texts))
    bottom = 0.125  # room for two-line date ticks above the note
    h_all = top - bottom
    ax1 = fig.add_axes([0.075, bottom + h_all * 0.52, right - 0.075, h_all * 0.48])
    ax2 = fig.add_axes([0.075, bottom, right - 0.075, h_all * 0.43], sharex=ax1)
    style(ax1)
    style(ax2)
    c1, c2, cn = "#0B3C5D", "#0072B2", "#D55E00"
    end = hi + 3
    seams = seam_xs(s.get("source_changes"))
    for (bx, bn), (_, b1) in zip(held_runs(xs, s["topn"], seams, end), held_runs(xs, s["top1"], seams, end)):
        ax1.fill_between(bx, bn, b1, step="post", color="#56B4E9", alpha=0.25, lw=0)
    broken_step(ax1, xs, s["top1"], seams, end, color=c1, lw=2.4, gid="series:top1")
    broken_step(ax1, xs, s["top2"], seams, end, color=c2, lw=1.4, ls="--", gid="series:top2")
    broken_step(ax1, xs, s["topn"], seams, end, color=cn, lw=2.0, gid="series:topn")
    ylo, yhi = pad_limits(min(s["topn"]), max(s["top1"]), 0.08, 20)
    ax1.set_ylim(ylo, yhi)
    ax1.set_ylabel("Arena score (Elo)")
    ax1.tick_params(axis="x", labelbottom=False)
    end_labels(ax1, [(s["top1"][-1], texts[0], c1), (s["top2"][-1], texts[1], c2), (s["topn"][-1], texts[2], cn)])
    ax2.step(*hold(xs, s["spread_pct"], end), where="post", color=cn, lw=2.2, gid="series:spread_pct")
    ax2.step(*hold(xs, s["top2_pct"], end), where="post", color=c2, lw=1.6, ls="--", gid="series:top2_pct")
    vals = s["spread_pct"] + s["top2_pct"] + [r["value"] for r in refs] + [0.0]
    ax2.set_ylim(0, max(vals) * 1.3 + 0.3)
    ax2.set_ylabel("Spread (%)")
    ax2.yaxis.set_major_locator(mticker.MaxNLocator(5, steps=[1, 2, 5, 10]))
    ax2.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, p: f"{v:g}%"))
    date_axis(ax2, lo - 6, hi + 6)
    mark_source_changes(ax1, s.get("source_changes"))
    mark_source_changes(ax2, s.get("source_changes"), label=False)  # spreads in percent are within one board
    # the latest spread first: it always gets its label, clear of the AI Index figures dated after it
    items: list[dict[str, Any]] = [{"x": xs[-1], "y": s["spread_pct"][-1], "text": f"{s['spread_pct'][-1]:.1f}%",
                                    "size": 13, "weight": "bold", "text_color": cn, "color": cn, "force": True}]
    for r in refs:
        c = cn if r["which"] == "topn" else c2
        ax2.plot([r["x"]], [r["value"]], marker="D", ms=8, color="white", mec=c, mew=2, zorder=6, gid="reference")
        items.append({"x": r["x"], "y": r["value"], "text": f"AI Index: {r['value']:g}%", "color": c})
    for p, word in ((s["tightest"], "tightest"), (s["widest"], "widest")):
        if p:
            x = dnum(p["date"])
            ax2.plot([x], [p["spread_pct"]], "o", color=cn, ms=7, zorder=6)
            items.append({"x": x, "y": p["spread_pct"], "text": f"{word}: {p['spread_pct']:.1f}%", "color": cn})
    ax2.plot([xs[-1]], [s["spread_pct"][-1]], "o", color=cn, ms=7, zorder=6)
    handles = [Line2D([], [], color=cn, lw=2.2, label=f"rank 1 over rank {n}"),
               Line2D([], [], color=c2, lw=1.6, ls="--", label="rank 1 over rank 2")]
    if refs:
        handles.append(Line2D([], [], marker="D", ls="", color="white", mec=FG, mew=2, ms=8,
                              label="AI Index 2025"))
    # the legend between the panels, off the data: the lower panel keeps its room for labels
    ax2.legend(handles=handles, loc="lower left", bbox_to_anchor=(-0.01, 0.995), ncol=len(handles), fontsize=10.5,
               frameon=False, borderaxespad=0.1, handlelength=1.8, columnspacing=1.3)
    obst = point_boxes(ax2, *hold(xs, s["spread_pct"], end)) + point_boxes(ax2, *hold(xs, s["top2_pct"], end))
    place_labels(ax2, items, fontsize=10, obstacles=obst)
    note(fig, f"Band: the Elo range from rank 1 to rank {n} in each Arena snapshot; narrower = a tighter frontier.")


KIND = ChartKind(
    name="frontier",
    series=series,
    draw=draw,
    gallery=(
        ("frontier", "frontier since 2024"),
    ),
    sample={"n": 10, "series": FRONT, "reference": [{"period": "early 2024", "value": 11.9,
                                                      "metric": "rank 1 and rank 10"}]},
)
