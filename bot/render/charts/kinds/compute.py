"""The 'compute' chart."""
from __future__ import annotations

import math
from typing import Any, TypedDict

from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bot.render.charts.axes import LEGEND_ROW, date_axis, dnum, group_top, legend_above, log_axis, style, year_to_num
from bot.render.charts.data import as_rows
from bot.render.charts.kind import ChartKind
from bot.render.charts.labels import note, place_labels, short
from bot.render.charts.registry import ChartError
from bot.render.charts.samples import POINTS
from bot.render.charts.style import FG, MUTED
from bot.render.palette import colors


class Fit(TypedDict, total=False):
    slope_log10_per_year: float
    intercept: float
    doubling_months: float | None
    n: int                              # models in the fit


class Data(TypedDict, total=False):
    """What ``compute`` reads from ``Reply.data``."""
    label: str                          # "all notable models", a country or an organisation
    points: list[list[Any]]             # [name, release date, training FLOP, country, organisation]
    fit: Fit | None                     # least-squares fit over every point
    fit_since_2020: Fit | None
    reference_months: float | None      # the AI Index's doubling time, when shown


class Series(TypedDict):
    """What the ``compute`` chart draws."""
    label: str | None
    points: list[list[Any]]             # [name, release date, training FLOP, country, organisation]
    fit: Fit | None
    fit_since_2020: Fit | None
    reference_months: float | None


def series(d: Data) -> Series:
    """The exact series this chart draws, from a reply's data."""
    return {"label": d.get("label"), "points": [list(p[:5]) for p in as_rows(d.get("points"))],
            "fit": d.get("fit"), "fit_since_2020": d.get("fit_since_2020"),
            "reference_months": d.get("reference_months")}


def draw(fig: Figure, s: Series, top: float) -> None:
    pts = [p for p in s["points"] if p[2] and p[1]]
    if len(pts) < 2:
        raise ChartError("compute: too few points")
    lo_x, hi_x = min(dnum(p[1]) for p in pts), max(dnum(p[1]) for p in pts)
    bottom = 0.15 if hi_x - lo_x > 5 * 365 else 0.12  # a long span has an axis label: room above the note
    ax = fig.add_axes([0.085, bottom, 0.89, top - bottom - 2 * LEGEND_ROW])
    style(ax, "both")
    log_axis(ax.yaxis)
    main, groups = group_top(pts, 3)
    order = [c for c in main if c in groups] + (["other"] if "other" in groups else [])
    col = dict(zip(order, colors(order)))
    for c in order[::-1]:
        ps = groups[c]
        ax.scatter([dnum(p[1]) for p in ps], [p[2] for p in ps], s=26,
                   color=col[c], alpha=0.72, edgecolor="white", linewidth=0.4,
                   zorder=3 if c != "other" else 2, gid=f"points:{c}")
    xs = [dnum(p[1]) for p in pts]
    ys = [p[2] for p in pts]
    lo, hi = min(xs), max(xs)
    handles = [Line2D([], [], marker="o", ls="", ms=8, color=col[c],
                      label=f"{c} ({len(groups[c])})") for c in order]
    trends = []
    first = s["fit"]
    for key, f, ls, since in (("fit", first, "-", None), ("fit_since_2020", s["fit_since_2020"], "--", 2020.0)):
        if not f or not f.get("slope_log10_per_year"):
            continue
        if since and first and f.get("n") == first.get("n"):
            continue  # every model is from 2020 on: the same fit twice
        y0 = max(lo, year_to_num(since)) if since else lo
        xa = [y0, hi]
        yf = [1970 + x / 365.2425 for x in xa]
        ya = [10 ** (f["slope_log10_per_year"] * t + f["intercept"]) for t in yf]
        d = f.get("doubling_months")
        lab = (f"trend {'since 2020' if since else 'since ' + str(int(1970 + lo / 365.2425))}: ×2 every "
               f"{d:.1f} months") if d else "trend"
        ax.plot(xa, ya, color=FG, lw=2.4 if not since else 2.0, ls=ls, zorder=5, gid=f"fit:{key}")
        trends.append(Line2D([], [], color=FG, lw=2.2, ls=ls, label=lab))
    if s.get("reference_months"):
        trends.append(Line2D([], [], ls="", label=f"AI Index 2025: ×2 every ~{s['reference_months']:g} months"))
    date_axis(ax, lo - 120, hi + 120)
    ax.set_ylim(min(ys) / 8, max(ys) * 30)
    ax.set_ylabel("Training compute (FLOP, log scale)")
    if hi - lo > 5 * 365:
        ax.set_xlabel("Release date")
    if trends:
        legend_above(ax, trends, row=1, fontsize=10.5)
    legend_above(ax, handles, row=0, fontsize=10.5)
    big = sorted(pts, key=lambda p: -p[2])[:3]
    tr = ax.transData
    obst = []
    for x, y in zip(xs, ys):
        px, py = tr.transform((x, y))
        obst.append((px - 4, py - 4, px + 4, py + 4))
    for ln in ax.lines:
        lx, ly = ln.get_xdata(), ln.get_ydata()
        for k in range(41):
            x = lx[0] + (lx[-1] - lx[0]) * k / 40
            y = 10 ** (math.log10(ly[0]) + (math.log10(ly[-1]) - math.log10(ly[0])) * k / 40)
            px, py = tr.transform((x, y))
            obst.append((px - 3, py - 3, px + 3, py + 3))
    place_labels(ax, [{"x": dnum(p[1]), "y": p[2], "text": short(p[0], 26), "color": MUTED} for p in big],
                 fontsize=10, obstacles=obst, point_r=5)
    note(fig, "Each dot: a notable model with known training compute (Epoch AI). Lines: least-squares fits of "
              "log(compute) over time.")


KIND = ChartKind(
    name="compute",
    series=series,
    draw=draw,
    gallery=(
        ("compute", "compute"),
        ("compute-china", "compute china"),
    ),
    sample={"label": "x", "points": POINTS, "fit": {"slope_log10_per_year": 0.6, "intercept": -1191.0,
                                                 "doubling_months": 6.0, "n": 14}, "reference_months": 5.0},
)
