"""Axes helpers shared by the chart kinds: date and log axes, bars, legends,
step lines held to a date, limits, and colour choices.
"""
from __future__ import annotations

from datetime import date

import matplotlib.dates as mdates
import matplotlib.ticker as mticker

from bot.render.charts.labels import pow10
from bot.render.charts.style import H
from bot.render.palette import EXTRA, GREY, fixed_color

_EPOCH = date(1970, 1, 1).toordinal()


def dnum(d: str) -> float:
    """'YYYY-MM-DD' (or 'YYYY-MM', 'YYYY') -> matplotlib date number."""
    s = str(d)
    y = int(s[:4])
    m = int(s[5:7]) if len(s) >= 7 else 7
    day = int(s[8:10]) if len(s) >= 10 else (15 if len(s) >= 7 else 1)
    return float(date(y, m, day).toordinal() - _EPOCH)


def year_to_num(yf: float) -> float:
    return (yf - 1970.0) * 365.2425


def log_axis(axis, formatter=None) -> None:
    """A log scale with decade ticks only (minor ticks cost a lot to draw and say little)."""
    (axis.axes.set_xscale if axis.axis_name == "x" else axis.axes.set_yscale)("log")
    axis.set_major_locator(mticker.LogLocator(base=10, numticks=12))
    axis.set_minor_locator(mticker.NullLocator())
    axis.set_major_formatter(mticker.FuncFormatter(formatter or pow10))


def group_top(points: list, col: int, n: int = 5) -> tuple[list, dict]:
    """The `n` most common values of column `col` (countries), and the points
    grouped by them, the rest under "other"."""
    count: dict = {}
    for p in points:
        count[p[col]] = count.get(p[col], 0) + 1
    main = [c for c, _ in sorted(count.items(), key=lambda kv: -kv[1]) if c][:n]
    groups: dict = {}
    for p in points:
        groups.setdefault(p[col] if p[col] in main else "other", []).append(p)
    return main, groups


def date_axis(ax, lo: float, hi: float, labels: bool = True) -> None:
    """Readable date ticks: months ('Jul', with the year under it at the first
    tick and at each January) for short spans, years for long ones."""
    if hi - lo < 60:  # a few snapshots: show two months around them
        mid = (lo + hi) / 2
        lo, hi = mid - 30, mid + 30
    span_days = hi - lo
    if span_days > 5 * 365:
        yrs = span_days / 365.25
        base = 1 if yrs <= 9 else 2 if yrs <= 18 else 5 if yrs <= 45 else 10
        ax.xaxis.set_major_locator(mdates.YearLocator(base))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    else:
        months = span_days / 30.44
        step = next((k for k in (1, 2, 3, 4, 6, 12) if months / k <= 8), 12)
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=range(1, 13, step)))

        def fmt(x, pos):
            d = mdates.num2date(x)
            return d.strftime("%b\n%Y") if (pos == 0 or d.month <= step) else d.strftime("%b")
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(fmt))
    ax.set_xlim(lo, hi)
    if not labels:
        ax.tick_params(axis="x", labelbottom=False)


def style(ax, grid_axis: str = "y") -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(True, axis=grid_axis)
    if grid_axis != "both":
        ax.grid(False, axis="x" if grid_axis == "y" else "y")


def year_range(per: dict, n: int) -> tuple[list[str], list[int]]:
    """The last `n` calendar years up to the latest one present, zeros included."""
    ys = sorted(int(y) for y in per if str(y)[:4].isdigit())
    if not ys:
        return [], []
    last = ys[-1]
    years = [str(y) for y in range(max(ys[0], last - n + 1), last + 1)]
    return years, [int(per.get(y, 0)) for y in years]


def bars(ax, pos, lengths, base=0.0, width: float = 0.72, colors=None, horizontal: bool = False,
         alphas=None, hatch: str | None = None, gid: str | None = None, edge: str = "white", lw: float = 0.7):
    """Bars as one PolyCollection: the same look as ``Axes.bar`` at a fraction
    of its cost (``bar`` adds and measures one patch per bar). `base` may be a
    number or one per bar (stacks). The caller sets the axis limits."""
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import to_rgba

    n = len(pos)
    bases = list(base) if isinstance(base, (list, tuple)) else [base] * n
    verts = []
    for p, ln, b in zip(pos, lengths, bases):
        a0, a1, v0, v1 = p - width / 2, p + width / 2, b, b + ln
        if horizontal:
            verts.append([(v0, a0), (v1, a0), (v1, a1), (v0, a1)])
        else:
            verts.append([(a0, v0), (a1, v0), (a1, v1), (a0, v1)])
    cols = colors if isinstance(colors, (list, tuple)) else [colors or GREY] * n
    fc = [to_rgba(c, alpha=(alphas[i] if alphas else 1.0)) for i, c in enumerate(cols)]
    pc = PolyCollection(verts, facecolors=fc, edgecolors=edge, linewidths=lw, hatch=hatch, zorder=2)
    if gid:
        pc.set_gid(gid)
    ax.add_collection(pc, autolim=False)
    return pc


LEGEND_ROW = 0.036  # one legend row above the axes, as a fraction of the height


def legend_above(ax, handles: list, row: int = 0, fontsize: float = 10.5):
    """A one-row legend above the axes (row 0 right on top of it, row 1 above
    that): a legend there never covers data."""
    y = 1.0 + row * (LEGEND_ROW * H) / ax.get_window_extent().height
    leg = ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(-0.01, y), ncol=len(handles),
                    frameon=False, fontsize=fontsize, handlelength=1.6, columnspacing=1.3, borderaxespad=0.15,
                    handletextpad=0.5)
    if row:
        ax.add_artist(leg)
    return leg


def hold(xs: list[float], ys: list[float], until: float) -> tuple[list[float], list[float]]:
    """Extend a step series flat to `until` (the last value holds)."""
    if xs and until > xs[-1]:
        return xs + [until], ys + [ys[-1]]
    return xs, ys


def pad_limits(lo: float, hi: float, frac: float = 0.06, min_span: float = 1.0) -> tuple[float, float]:
    """Limits with a margin; at least `min_span` wide, centred on the data."""
    if hi - lo < min_span:
        mid = (lo + hi) / 2
        lo, hi = mid - min_span / 2, mid + min_span / 2
    span = hi - lo
    return lo - span * frac, hi + span * frac


def side_name(label: str | None, key: str | None) -> str:
    if key == "closed":
        return "Best closed"
    if key == "open":
        return "Best open-weight"
    return label or "?"


def model_colors(names: list[str], orgs: list[str | None]) -> list[str]:
    """One colour per model: its organisation's, unless another model here
    already has it; then the next free extra colour."""
    used: set[str] = set()
    out = []
    for _name, o in zip(names, orgs):
        c = fixed_color(o) if o else None
        if not c or c in used:
            c = next((x for x in EXTRA if x not in used), GREY)
        used.add(c)
        out.append(c)
    return out
