"""Drawing every chart kind with matplotlib's object-oriented API.

Imported only where charts are drawn (the render worker processes, or a
fallback thread): never by ``bot.engine``. Uses ``Figure`` +
``FigureCanvasAgg`` directly, never pyplot's global state. Every drawer
reads the series from :func:`bot.render.chart_data.chart_series` and nothing
else.

Look: one light theme on a solid white background (reads well inside
Discord's dark and light themes), the fixed colour-blind-safe colours of
:mod:`bot.render.palette`, 1200x675 pixels.
"""
from __future__ import annotations

import io
import math
import textwrap
import zlib
from datetime import date

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from bot.render.chart_data import ChartError, chart_series  # noqa: E402
from bot.render.palette import COLORS, EXTRA, GREY, LIGHT_GREY, color, colors  # noqa: E402

W, H, DPI = 1200, 675, 100
MAX_BYTES = 200_000
BG = "#FFFFFF"
FG = "#1F2328"
MUTED = "#5F6368"
GRIDC = "#E4E4E4"
PX_PER_PT = DPI / 72

matplotlib.rcParams.update({
    "font.family": "DejaVu Sans",
    "font.size": 12,
    "text.color": FG,
    "axes.labelcolor": FG,
    "axes.edgecolor": "#B0B0B0",
    "axes.linewidth": 0.8,
    "axes.labelsize": 12.5,
    "axes.facecolor": BG,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": GRIDC,
    "grid.linewidth": 0.8,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": FG,
    "ytick.labelcolor": FG,
    "xtick.labelsize": 11.5,
    "ytick.labelsize": 11.5,
    "legend.fontsize": 11,
    "legend.frameon": True,
    "legend.framealpha": 0.92,
    "legend.edgecolor": "#D0D0D0",
    "figure.facecolor": BG,
    "savefig.facecolor": BG,
    "path.simplify": True,
    "text.hinting": "no_hinting",  # measurably faster text drawing, no visible loss at these sizes
    "agg.path.chunksize": 10000,
})

_EPOCH = date(1970, 1, 1).toordinal()


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def dnum(d: str) -> float:
    """'YYYY-MM-DD' (or 'YYYY-MM', 'YYYY') -> matplotlib date number."""
    s = str(d)
    y = int(s[:4])
    m = int(s[5:7]) if len(s) >= 7 else 7
    day = int(s[8:10]) if len(s) >= 10 else (15 if len(s) >= 7 else 1)
    return float(date(y, m, day).toordinal() - _EPOCH)


def year_to_num(yf: float) -> float:
    return (yf - 1970.0) * 365.2425


def month_label(d: str) -> str:
    try:
        return date.fromisoformat(str(d)[:10]).strftime("%b %Y")
    except ValueError:
        return str(d)


def elo(v) -> str:
    return f"{v:,.0f}"


def short(s: str | None, n: int) -> str:
    s = s or "?"
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def params_label(v: float) -> str:
    if v >= 1e12:
        x, u = v / 1e12, "T"
    elif v >= 1e9:
        x, u = v / 1e9, "B"
    elif v >= 1e6:
        x, u = v / 1e6, "M"
    else:
        x, u = v / 1e3, "K"
    return (f"{x:.0f}" if x >= 10 or x == int(x) else f"{x:.1f}") + u


_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(v: float) -> str:
    """3.5e24 -> '3.5 × 10²⁴'."""
    if not v:
        return "0"
    e = math.floor(math.log10(abs(v)))
    return f"{v / 10 ** e:.1f} × 10{str(e).translate(_SUP)}"


def wrap_label(text: str, width: int = 11, max_lines: int = 3) -> str:
    """Wrap a tick label at spaces and hyphens (keeping the hyphen)."""
    import re

    tokens = [t for t in re.split(r"(?<=[-\s])", text) if t]
    lines, cur = [], ""
    for t in tokens:
        if cur and len((cur + t).rstrip()) > width:
            lines.append(cur.rstrip())
            cur = t
        else:
            cur += t
    if cur.strip():
        lines.append(cur.rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = short(lines[-1] + "…", width)
    return "\n".join(lines)


def pow10(v, pos=None) -> str:
    """A log tick as 10 with a Unicode superscript: no mathtext (slow) needed."""
    if v <= 0:
        return ""
    e = round(math.log10(v))
    if abs(v - 10 ** e) > 1e-9 * v:
        return ""
    return "10" + str(e).translate(_SUP)


def log_axis(axis, formatter=None) -> None:
    """A log scale with decade ticks only (minor ticks cost a lot to draw and say little)."""
    (axis.axes.set_xscale if axis.axis_name == "x" else axis.axes.set_yscale)("log")
    axis.set_major_locator(mticker.LogLocator(base=10, numticks=12))
    axis.set_minor_locator(mticker.NullLocator())
    axis.set_major_formatter(mticker.FuncFormatter(formatter or pow10))


def text_w(text: str, fontsize: float) -> float:
    """Estimated width in pixels (DejaVu Sans averages ~0.6 em)."""
    lines = str(text).split("\n")
    return max(len(ln) for ln in lines) * fontsize * PX_PER_PT * 0.6 + 4


def text_h(text: str, fontsize: float) -> float:
    return (str(text).count("\n") + 1) * fontsize * PX_PER_PT * 1.2 + 2


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


def new_figure() -> Figure:
    fig = Figure(figsize=(W / DPI, H / DPI), dpi=DPI, facecolor=BG)
    FigureCanvasAgg(fig)
    return fig


def header(fig: Figure, title: str | None, subtitle: str | None) -> float:
    """Title and source line; returns the figure-fraction y where plots may start."""
    title = short((title or "").strip(), 110)
    size = 19
    t = fig.text(0.022, 0.972, title, fontsize=size, fontweight="bold", va="top", ha="left", color=FG)
    fit_text(t, W - 40, min_size=14)
    size = t.get_fontsize()
    y = 0.972 - (size * PX_PER_PT * 1.25) / H
    if subtitle:
        sub = subtitle.strip().replace(" · as of ", " ·\u00a0as\u00a0of\u00a0")
        wrapped = textwrap.wrap(sub, 150, break_on_hyphens=False)
        lines = wrapped[:2]
        if len(wrapped) > 2:
            lines[1] = short(lines[1], 147)
        fig.text(0.022, y - 0.004, "\n".join(lines), fontsize=10.5, va="top", ha="left", color=MUTED,
                 linespacing=1.25)
        y -= 0.004 + len(lines) * 10.5 * PX_PER_PT * 1.3 / H
    return y - 0.035


def fit_text(t, max_px: float, min_size: float = 9.0) -> None:
    """Shrink a text until it is at most `max_px` wide; then cut it short."""
    r = _renderer(t.figure)
    w = t.get_window_extent(r).width
    size = t.get_fontsize()
    while w > max_px and size > min_size:
        size = max(min_size, size * max_px / w * 0.98)
        t.set_fontsize(size)
        w = t.get_window_extent(r).width
    s = t.get_text()
    while w > max_px and len(s) > 10:
        s = s[: int(len(s) * max_px / w) - 2].rstrip() + "…"
        t.set_text(s)
        w = t.get_window_extent(r).width


def note(fig: Figure, text: str, y: float = 0.018, size: float = 10.5) -> None:
    t = fig.text(0.022, y, text, fontsize=size, color=MUTED, ha="left", va="bottom")
    fit_text(t, W * 0.96, min_size=9)


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


def end_labels(ax, ends: list[tuple[float, str, str]], fontsize: float = 11.5, bold: set | None = None) -> None:
    """Label line ends at the right edge of the axes, pushed apart so none overlap."""
    if not ends:
        return
    tr = ax.transData
    x0 = ax.get_xlim()[0]
    bb = ax.get_window_extent()
    gap = fontsize * PX_PER_PT * 1.25
    items = sorted(((tr.transform((x0, y))[1], t, c) for y, t, c in ends), key=lambda e: e[0])
    ys = [e[0] for e in items]
    for i in range(1, len(ys)):
        ys[i] = max(ys[i], ys[i - 1] + gap)
    top = bb.y1 + gap * 0.5
    if ys[-1] > top:
        ys[-1] = top
        for i in range(len(ys) - 2, -1, -1):
            ys[i] = min(ys[i], ys[i + 1] - gap)
    inv = tr.inverted()
    for yp, (_, t, c) in zip(ys, items):
        yd = inv.transform((bb.x0, yp))[1]
        ax.text(1.012, yd, t, transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=fontsize,
                color=c, clip_on=False, fontweight="bold" if bold and t in bold else "normal")


_CANDIDATES = [(1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1), (0.2, 1), (0.2, -1),
               (0.8, 1), (0.8, -1)]


def _renderer(fig):
    return fig.canvas.get_renderer()


def artist_box(artist) -> tuple[float, float, float, float]:
    """An artist's box in pixels (for obstacles: legends, texts)."""
    bb = artist.get_window_extent(_renderer(artist.figure))
    return (bb.x0, bb.y0, bb.x1, bb.y1)


def point_boxes(ax, xs, ys, r: float = 4) -> list[tuple]:
    """Small boxes around data points (and the middle of each step), so labels keep off the data."""
    tr = ax.transData
    out = []
    pts = list(zip(xs, ys))
    for i, (x, y) in enumerate(pts):
        px, py = tr.transform((x, y))
        out.append((px - r, py - r, px + r, py + r))
        if i + 1 < len(pts):  # a step holds y until the next x: cover the flat part too
            qx, _ = tr.transform((pts[i + 1][0], y))
            _, qy = tr.transform((pts[i + 1][0], pts[i + 1][1]))
            out.append((min(px, qx), py - r, max(px, qx), py + r))
            out.append((qx - r, min(py, qy), qx + r, max(py, qy)))
    return out


def _overlaps(a, b) -> bool:
    return not (a[2] < b[0] or a[0] > b[2] or a[3] < b[1] or a[1] > b[3])


def place_labels(ax, items: list[dict], fontsize: float = 10.5, obstacles: list | None = None,
                 point_r: float = 7, arrows: bool = True) -> list[dict]:
    """Greedy, overlap-free labels: each item {x, y, text, color} gets the first
    spot around its point that is inside the axes and clear of every label,
    marker and obstacle so far (sizes measured by the renderer); an item with
    no clear spot gets no label rather than an overlapping one."""
    import numpy as np

    tr = ax.transData
    bb = ax.get_window_extent()
    renderer = _renderer(ax.figure)
    obs = np.array(list(obstacles or []), dtype=float).reshape(-1, 4)
    placed: list[tuple] = []
    pts = []
    own = []
    for it in items:
        px, py = tr.transform((it["x"], it["y"]))
        pts.append((px, py))
        own.append((px - point_r, py - point_r, px + point_r, py + point_r))
    placed_marks = list(own)
    done = []
    for idx, (it, (px, py)) in enumerate(zip(items, pts)):
        ann = ax.annotate(it["text"], (it["x"], it["y"]), xytext=(0, 0), textcoords="offset pixels",
                          ha="left", va="bottom", fontsize=fontsize, color=it.get("text_color", FG),
                          fontweight=it.get("weight", "normal"), annotation_clip=False, zorder=8)
        ext = ann.get_window_extent(renderer)
        w, h = ext.width + 2, ext.height + 1
        marks = [m for j, m in enumerate(placed_marks) if j != idx]
        ok = None
        fallback = None
        for dist in (12, 22, 36, 56, 80):
            for sx, sy in _CANDIDATES:
                if sx in (0.2, 0.8):
                    dx = -w * sx
                else:
                    dx = dist if sx > 0 else -dist - w if sx < 0 else -w / 2
                dy = dist * 0.5 if sy > 0 else -dist * 0.5 - h if sy < 0 else -h / 2
                if sx in (0.2, 0.8):
                    dy = dist if sy > 0 else -dist - h
                box = (px + dx, py + dy, px + dx + w, py + dy + h)
                if box[0] < bb.x0 + 2 or box[2] > bb.x1 - 2 or box[1] < bb.y0 + 2 or box[3] > bb.y1 - 2:
                    continue
                if fallback is None and not any(_overlaps(box, o) for o in placed):
                    fallback = (dx, dy, box, dist)
                if any(_overlaps(box, o) for o in placed) or any(_overlaps(box, m) for m in marks):
                    continue
                if len(obs) and bool(np.any((obs[:, 0] <= box[2]) & (obs[:, 2] >= box[0])
                                            & (obs[:, 1] <= box[3]) & (obs[:, 3] >= box[1]))):
                    continue
                ok = (dx, dy, box, dist)
                break
            if ok:
                break
        ann.remove()
        if ok is None and it.get("force"):
            ok = fallback  # an important label: better over the data than missing
        if ok is None:
            continue
        dx, dy, box, dist = ok
        placed.append(box)
        ap = None
        if arrows:  # a short line from the label's nearest corner to its point
            rx = 0.0 if dx >= 0 else 1.0 if dx + w <= 0 else 0.5
            ry = 0.0 if dy >= 0 else 1.0 if dy + h <= 0 else 0.5
            ap = {"arrowstyle": "-", "color": it.get("color", MUTED), "lw": 0.9, "shrinkA": 1, "shrinkB": 3,
                  "relpos": (rx, ry)}
        ax.annotate(it["text"], (it["x"], it["y"]), xytext=(dx, dy), textcoords="offset pixels",
                    ha="left", va="bottom", fontsize=fontsize, color=it.get("text_color", FG),
                    fontweight=it.get("weight", "normal"), arrowprops=ap, annotation_clip=False, zorder=8)
        done.append(it)
    return done


def year_range(per: dict, n: int) -> tuple[list[str], list[int]]:
    """The last `n` calendar years up to the latest one present, zeros included."""
    ys = sorted(int(y) for y in per if str(y)[:4].isdigit())
    if not ys:
        return [], []
    last = ys[-1]
    years = [str(y) for y in range(max(ys[0], last - n + 1), last + 1)]
    return years, [int(per.get(y, 0)) for y in years]


def segment_boxes(ax, xs, ys, r: float = 4, step_px: float = 6) -> list[tuple]:
    """Boxes along straight segments (in pixels, so log axes work too)."""
    tr = ax.transData
    pts = [tr.transform((x, y)) for x, y in zip(xs, ys)]
    out = []
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        n = max(1, int(math.hypot(x1 - x0, y1 - y0) / step_px))
        for k in range(n + 1):
            x, y = x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n
            out.append((x - r, y - r, x + r, y + r))
    return out


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
    for n, o in zip(names, orgs):
        c = COLORS.get(o or "")
        if not c or c in used:
            c = next((x for x in EXTRA if x not in used), GREY)
        used.add(c)
        out.append(c)
    return out


def _right_margin(texts: list[str], fontsize: float = 11.5) -> float:
    w = max((text_w(t, fontsize) for t in texts), default=0)
    return 1 - (w + 30) / W


# ---------------------------------------------------------------------------
# the kinds
# ---------------------------------------------------------------------------
def draw_race(fig: Figure, s: dict, top: float) -> None:
    lines = s["lines"]
    if not any(lines.values()):
        raise ChartError("race: no series")
    leader = s.get("leader")
    ends_text = {c: f"{c}  {elo(pts[-1][1])}" for c, pts in lines.items() if pts}
    right = min(0.86, _right_margin(list(ends_text.values())))
    ax = fig.add_axes([0.075, 0.12, right - 0.075, top - 0.12 - LEGEND_ROW])
    style(ax)
    xs_all, ys_all = [], []
    ends = []
    for c, pts in lines.items():
        if not pts:
            continue
        xs = [dnum(p[0]) for p in pts]
        ys = [p[1] for p in pts]
        xs_all += xs
        ys_all += ys
        lead = c == leader
        hx, hy = hold(xs, ys, max(dnum(q[-1][0]) for q in lines.values() if q) + 3)
        ax.step(hx, hy, where="post", color=color(c), lw=3.4 if lead else 2.0, zorder=4 if lead else 3,
                gid=f"series:{c}", solid_joinstyle="miter")
        if lead:
            ax.plot([xs[-1]], [ys[-1]], marker="*", ms=17, color=color(c), mec="white", mew=1.2, zorder=6,
                    gid="leader")
        ends.append((ys[-1], ends_text[c], color(c)))
    lo, hi = min(xs_all), max(xs_all)
    date_axis(ax, lo - 4, hi + 4)
    ylo, yhi = pad_limits(min(ys_all), max(ys_all), 0.05, 20)
    ax.set_ylim(ylo, yhi)
    ax.set_ylabel("Best Chatbot Arena score (Elo)")
    mark_source_changes(ax, s.get("source_changes"))
    if leader and lines.get(leader):
        last = lines[leader][-1]
        ax.text(0.0, 1.015, f"★ Leader as of {last[0]}: {leader}, {last[2] or ''} ({elo(last[1])} Elo)".replace(", (", " ("),
                transform=ax.transAxes, va="bottom", ha="left", fontsize=12.5, fontweight="bold",
                color=color(leader))
    changes = [x for x in s.get("leaders", [])[1:]][-4:]
    for d, c, _name in changes:
        x = dnum(d)
        ax.axvline(x, color=color(c), lw=1, ls=":", zorder=1)
        ax.text(x, 0.86, f" {c} leads", transform=ax.get_xaxis_transform(), fontsize=10, color=color(c),
                rotation=90, va="top", ha="right")
    end_labels(ax, ends, bold={ends_text.get(leader)} if leader else None)
    note(fig, "Each line: the best-rated model from that country in each Arena snapshot (step = the value "
              "holds until the next snapshot).")


def mark_source_changes(ax, changes: list) -> None:
    """A dotted line where a series moves to another source's boards: levels
    are on each source's own scale and jump there (gaps in % do not)."""
    for d, name in changes or []:
        x = dnum(d)
        ax.axvline(x, color=MUTED, lw=0.9, ls=":", zorder=1, gid="source-change")
        ax.text(x, 0.02, f" {name} →", transform=ax.get_xaxis_transform(), fontsize=9, color=MUTED,
                ha="left", va="bottom")


def draw_gap(fig: Figure, s: dict, top: float) -> None:
    if not s["dates"]:
        raise ChartError("gap: no series")
    xk, yk = s["x_key"], s["y_key"]
    cx, cy = colors([xk, yk])
    if cx == cy:
        cy = GREY
    nx, ny = side_name(s["x"], xk), side_name(s["y"], yk)
    xs = [dnum(d) for d in s["dates"]]
    lo, hi = min(xs), max(xs)
    refs_in, refs_out = [], []
    for r in s["reference"]:
        x = dnum(r["date"])
        (refs_in if lo - 400 <= x <= hi + 60 else refs_out).append({**r, "x": x})
    if refs_in:
        lo = min(lo, min(r["x"] for r in refs_in))
    texts = [f"{nx}  {elo(s['a'][-1])}", f"{ny}  {elo(s['b'][-1])}"]
    right = min(0.86, _right_margin(texts + ["+10.00%"]))
    h_all = top - 0.11
    ax1 = fig.add_axes([0.075, 0.11 + h_all * 0.47, right - 0.075, h_all * 0.53])
    ax2 = fig.add_axes([0.075, 0.11, right - 0.075, h_all * 0.42], sharex=ax1)
    style(ax1)
    style(ax2)
    ax1.step(*hold(xs, s["a"], hi + 3), where="post", color=cx, lw=2.4, gid="series:a")
    ax1.step(*hold(xs, s["b"], hi + 3), where="post", color=cy, lw=2.4, gid="series:b")
    ylo, yhi = pad_limits(min(s["a"] + s["b"]), max(s["a"] + s["b"]), 0.08, 20)
    ax1.set_ylim(ylo, yhi)
    ax1.set_ylabel("Best score (Elo)")
    mark_source_changes(ax1, s.get("source_changes"))
    pct = s["pct"]
    ax2.axhline(0, color="#888888", lw=1)
    hx, hp = hold(xs, pct, hi + 3)
    ax2.fill_between(hx, hp, 0, where=[p >= 0 for p in hp], step="post", color=cx, alpha=0.22, lw=0)
    ax2.fill_between(hx, hp, 0, where=[p <= 0 for p in hp], step="post", color=cy, alpha=0.22, lw=0)
    ax2.step(hx, hp, where="post", color=FG, lw=2.0, gid="series:pct")
    vals = pct + [r["value"] for r in refs_in] + [0.0]
    plo, phi = min(vals), max(vals)
    span = max(phi - plo, 2.0)
    ax2.set_ylim(plo - span * 0.28, phi + span * 0.3)
    ax2.set_ylabel("Gap (%)")
    ax2.yaxis.set_major_locator(mticker.MaxNLocator(5, steps=[1, 2, 5, 10]))
    ax2.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, p: f"{v:+g}%" if v else "0%"))
    date_axis(ax2, lo - 6, hi + 6)
    ax1.tick_params(axis="x", labelbottom=False)
    # who is ahead, in words
    y0, y1 = ax2.get_ylim()
    if y1 > 0:
        ax2.text(0.008, 0.985, f"▲ {nx} ahead", transform=ax2.transAxes, color=cx, fontsize=10.5, va="top",
                 fontweight="bold")
    if y0 < 0 and min(pct) < 0:
        ax2.text(0.008, 0.015, f"▼ {ny} ahead", transform=ax2.transAxes, color=cy, fontsize=10.5, va="bottom",
                 fontweight="bold")
    # latest value
    ax2.plot([xs[-1]], [pct[-1]], "o", color=FG, ms=7, zorder=5)
    ax2.text(1.012, pct[-1], f"{pct[-1]:+.2f}%", transform=ax2.get_yaxis_transform(), va="center",
             fontsize=13, fontweight="bold", color=FG, clip_on=False)
    # AI Index reference points
    items = []
    for r in refs_in:
        ax2.plot([r["x"]], [r["value"]], marker="D", ms=9, color="white", mec=FG, mew=2, zorder=6, gid="reference")
        items.append({"x": r["x"], "y": r["value"], "text": f"AI Index 2025: {r['value']:+.2f}%\n({month_label(r['date'])})",
                      "color": MUTED})
    obst = point_boxes(ax2, hx, hp) + [artist_box(t) for t in ax2.texts]
    place_labels(ax2, items, fontsize=10, obstacles=obst)
    end_labels(ax1, [(s["a"][-1], texts[0], cx), (s["b"][-1], texts[1], cy)])
    msg = "Gap = (x − y) ÷ y for the best model of each side in the same Arena snapshot, as in the AI Index 2025."
    if refs_out:
        msg += "  AI Index 2025: " + ", ".join(f"{r['value']:+.2f}% ({r['period']})" for r in refs_out) + "."
    note(fig, msg)


def draw_frontier(fig: Figure, s: dict, top: float) -> None:
    if not s["dates"]:
        raise ChartError("frontier: no series")
    n = s.get("n") or 10
    xs = [dnum(d) for d in s["dates"]]
    lo, hi = min(xs), max(xs)
    refs = [{**r, "x": dnum(r["date"])} for r in s["reference"]]
    refs = [r for r in refs if lo - 400 <= r["x"] <= hi + 60]
    if refs:
        lo = min(lo, min(r["x"] for r in refs))
    texts = [f"Rank 1  {elo(s['top1'][-1])}", f"Rank 2  {elo(s['top2'][-1])}", f"Rank {n}  {elo(s['topn'][-1])}"]
    right = min(0.86, _right_margin(texts))
    h_all = top - 0.11
    ax1 = fig.add_axes([0.075, 0.11 + h_all * 0.45, right - 0.075, h_all * 0.55])
    ax2 = fig.add_axes([0.075, 0.11, right - 0.075, h_all * 0.40], sharex=ax1)
    style(ax1)
    style(ax2)
    c1, c2, cn = "#0B3C5D", "#0072B2", "#D55E00"
    end = hi + 3
    ax1.fill_between(*hold(xs, s["topn"], end), hold(xs, s["top1"], end)[1], step="post", color="#56B4E9",
                     alpha=0.25, lw=0, label=f"rank 1 to rank {n}")
    ax1.step(*hold(xs, s["top1"], end), where="post", color=c1, lw=2.4, gid="series:top1")
    ax1.step(*hold(xs, s["top2"], end), where="post", color=c2, lw=1.4, ls="--", gid="series:top2")
    ax1.step(*hold(xs, s["topn"], end), where="post", color=cn, lw=2.0, gid="series:topn")
    ylo, yhi = pad_limits(min(s["topn"]), max(s["top1"]), 0.08, 20)
    ax1.set_ylim(ylo, yhi)
    ax1.set_ylabel("Arena score (Elo)")
    mark_source_changes(ax1, s.get("source_changes"))
    ax1.tick_params(axis="x", labelbottom=False)
    end_labels(ax1, [(s["top1"][-1], texts[0], c1), (s["top2"][-1], texts[1], c2), (s["topn"][-1], texts[2], cn)])
    ax2.step(*hold(xs, s["spread_pct"], end), where="post", color=cn, lw=2.2, gid="series:spread_pct")
    ax2.step(*hold(xs, s["top2_pct"], end), where="post", color=c2, lw=1.6, ls="--", gid="series:top2_pct")
    vals = s["spread_pct"] + s["top2_pct"] + [r["value"] for r in refs] + [0.0]
    ax2.set_ylim(0, max(vals) * 1.22 + 0.3)
    ax2.set_ylabel("Spread (%)")
    ax2.yaxis.set_major_locator(mticker.MaxNLocator(5, steps=[1, 2, 5, 10]))
    ax2.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, p: f"{v:g}%"))
    date_axis(ax2, lo - 6, hi + 6)
    items = []
    for r in refs:
        c = cn if r["which"] == "topn" else c2
        ax2.plot([r["x"]], [r["value"]], marker="D", ms=8, color="white", mec=c, mew=2, zorder=6, gid="reference")
        items.append({"x": r["x"], "y": r["value"], "text": f"AI Index: {r['value']:g}%", "color": c})
    for key, word in (("tightest", "tightest"), ("widest", "widest")):
        p = s.get(key)
        if p:
            x = dnum(p["date"])
            ax2.plot([x], [p["spread_pct"]], "o", color=cn, ms=7, zorder=6)
            items.append({"x": x, "y": p["spread_pct"], "text": f"{word}: {p['spread_pct']:.1f}%", "color": cn})
    ax2.plot([xs[-1]], [s["spread_pct"][-1]], "o", color=cn, ms=7, zorder=6)
    ax2.text(1.012, s["spread_pct"][-1], f"{s['spread_pct'][-1]:.1f}%", transform=ax2.get_yaxis_transform(),
             va="center", fontsize=13, fontweight="bold", color=cn, clip_on=False)
    handles = [Line2D([], [], color=cn, lw=2.2, label=f"rank 1 over rank {n}"),
               Line2D([], [], color=c2, lw=1.6, ls="--", label="rank 1 over rank 2")]
    if refs:
        handles.append(Line2D([], [], marker="D", ls="", color="white", mec=FG, mew=2, ms=8,
                              label="AI Index 2025"))
    leg = ax2.legend(handles=handles, loc="upper right", ncol=len(handles), fontsize=10.5)
    obst = (point_boxes(ax2, *hold(xs, s["spread_pct"], end)) + point_boxes(ax2, *hold(xs, s["top2_pct"], end))
            + [artist_box(leg)])
    place_labels(ax2, items, fontsize=10, obstacles=obst)
    note(fig, f"Band: the Elo range from rank 1 to rank {n} in each Arena snapshot; narrower = a tighter frontier.")


def draw_top(fig: Figure, s: dict, top: float) -> None:
    rows = s["rows"]
    if not rows:
        raise ChartError("top: no rows")
    n = len(rows)
    fs = 12 if n <= 10 else 10.5 if n <= 16 else 9
    labels = [f"{r['rank']}. {short(r['model'], 36)}" for r in rows]
    left = 0.03 + (max(text_w(t, fs) for t in labels) + 14) / W
    ax = fig.add_axes([left, 0.11, 0.965 - left, top - 0.11 - 0.035])
    style(ax, "x")
    ys = list(range(n))[::-1]
    cols = [color(r["country"]) for r in rows]
    scores = [r["score"] for r in rows]
    if s["arena"]:
        lows = [r["score"] - (r.get("ci_minus") or 0) for r in rows]
        base = math.floor((min(lows) - 15) / 10) * 10
    else:
        base = 0
    for is_open in (False, True):
        idx = [i for i, r in enumerate(rows) if r["open"] == is_open]
        if idx:
            bars(ax, [ys[i] for i in idx], [scores[i] - base for i in idx], base=base, width=0.72,
                 colors=[cols[i] for i in idx], horizontal=True, hatch="///" if is_open else None,
                 gid="series:scores", lw=0.8)
    if s["arena"]:
        err = [[r.get("ci_minus") or 0 for r in rows], [r.get("ci_plus") or 0 for r in rows]]
        if any(err[0]) or any(err[1]):
            ax.errorbar(scores, ys, xerr=err, fmt="none", ecolor="#333333", elinewidth=1, capsize=3, zorder=4)
    hi = max(scores) + (max(r.get("ci_plus") or 0 for r in rows) if s["arena"] else 0)
    span = hi - base
    label_room = max(text_w(f"{elo(r['score'])}    {short(r['organization'], 22)}", fs - 0.5) for r in rows)
    ax_w = (0.965 - left) * W
    extra = span * label_room / max(ax_w - label_room, 100)
    ax.set_xlim(base, hi + extra + span * 0.03)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_yticks(ys)
    ax.set_yticklabels(labels, fontsize=fs)
    ax.tick_params(axis="y", length=0)
    renderer = _renderer(fig)
    for y, r in zip(ys, rows):
        end = r["score"] + ((r.get("ci_plus") or 0) if s["arena"] else 0)
        v = elo(r["score"]) if s["arena"] else f"{r['score']:.1f}%"
        if n > 12:  # one text per row: half the text to draw
            ax.annotate(f"{v}  {short(r['organization'] or '', 22)}", (end, y), xytext=(6, 0),
                        textcoords="offset pixels", va="center", ha="left", fontsize=fs - 0.5, color=FG)
            continue
        t = ax.annotate(v, (end, y), xytext=(6, 0), textcoords="offset pixels", va="center", ha="left",
                        fontsize=fs - 0.5, fontweight="bold", color=FG)
        wv = t.get_window_extent(renderer).width
        ax.annotate(short(r["organization"] or "", 22), (end, y), xytext=(6 + wv + 7, 0),
                    textcoords="offset pixels", va="center", ha="left", fontsize=fs - 1.5, color=MUTED)
    if s["arena"]:
        ax.set_xlabel("Chatbot Arena score (Elo; the axis does not start at zero; whiskers = 95% CI)")
    else:
        ax.set_xlabel(f"{s['metric']} score (%)")
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, p: f"{v:.0f}%"))
    seen = list(dict.fromkeys(r["country"] or "unknown" for r in rows))
    handles = [Patch(color=color(c if c != "unknown" else None), label=c if c != "unknown" else "country unknown")
               for c in seen]
    if any(r["open"] for r in rows):
        handles.append(Patch(facecolor=GREY, hatch="///", edgecolor="white", label="open weights"))
    ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=10.5, ncol=len(handles),
              frameon=False, handlelength=1.4, columnspacing=1.2, borderaxespad=0.2)


def draw_small(fig: Figure, s: dict, top: float) -> None:
    pts = s["points"]
    if not pts:
        raise ChartError("small: no points")
    arena = s["benchmark"] == "arena"
    ax = fig.add_axes([0.075, 0.13, 0.90, top - 0.13 - LEGEND_ROW])
    style(ax, "both")
    log_axis(ax.xaxis)
    thr = s["threshold"]
    main, by = group_top(pts, 4)
    for c, ps in by.items():
        ax.scatter([p[1] for p in ps], [p[2] for p in ps], s=42, color=color(c) if c != "other" else LIGHT_GREY,
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
    thr_text = ax.text(0.995, thr, tl + " ", transform=ax.get_yaxis_transform(), ha="right", va="bottom",
                       fontsize=11, color="#007A5A", fontweight="bold")
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
        for r in reversed(shown):
            items.append({"x": r[2], "y": r[3], "text": f"{short(r[1], 28)}\n{params_label(r[2])} · {month_label(r[0])}",
                          "weight": "bold", "force": r is rec[-1]})
    ax.set_xlabel("Parameters (log scale)")
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, p: params_label(v)))
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
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, p: params_label(v)))
    ax.xaxis.set_minor_formatter(mticker.NullFormatter())
    bench = "Chatbot Arena" if arena else s["benchmark"]
    ax.set_ylabel(f"Best {bench} score ({'Elo' if arena else '%'})")
    if not arena:
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, p: f"{v:.0f}%"))
    handles = [Line2D([], [], marker="o", ls="", color=color(c) if c != "other" else LIGHT_GREY, ms=8, label=c)
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


def draw_count(fig: Figure, s: dict, top: float) -> None:
    years, groups = s["years"], s["groups"]
    if not years or not groups:
        raise ChartError("count: no data")
    names = list(groups)
    cols = colors([g if g not in ("other", "unknown") else None for g in names])
    cols = [LIGHT_GREY if g == "other" else "#A0A0A0" if g == "unknown" else c for g, c in zip(names, cols)]
    right = 1 - (max(text_w(short(g, 24), 11) for g in names) + 70) / W
    ax = fig.add_axes([0.07, 0.13, right - 0.07, top - 0.13])
    style(ax)
    xs = list(range(len(years)))
    bottom = [0] * len(years)
    sel = s.get("year")
    alphas = [1.0 if (not sel or y == sel) else 0.38 for y in years]
    handles = []
    for g, c in zip(names, cols):
        vals = groups[g]
        bars(ax, xs, vals, base=bottom, width=0.72, colors=c, alphas=alphas, gid=f"series:{g}")
        handles.append(Patch(color=c, label=short(g, 24)))
        bottom = [b + v for b, v in zip(bottom, vals)]
    tot = s["totals"]
    for x, t, a in zip(xs, tot, alphas):
        ax.text(x, t + max(tot) * 0.012, str(t), ha="center", va="bottom", fontsize=11.5, fontweight="bold",
                color=FG, alpha=max(a, 0.6))
    ax.set_xticks(xs)
    ax.set_xticklabels(years)
    if sel in years:
        ax.get_xticklabels()[years.index(sel)].set_fontweight("bold")
    ax.set_xlim(-0.6, len(years) - 0.4)
    ax.set_ylim(0, max(tot) * 1.12)
    ax.set_ylabel("Notable AI models (Epoch AI)")
    ax.set_xlabel("Year of release")
    ax.legend(handles=handles[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=11,
              title=s.get("by", "group").replace("organization", "organisation").capitalize(),
              title_fontsize=11.5, frameon=False)
    refs = s.get("reference") or []
    if refs:
        note(fig, f"AI Index 2025 counted for {sel}: " + ", ".join(f"{r['subject']} {r['value']:.0f}" for r in refs)
             + " (Epoch AI has revised its data since, so the counts differ).")
    else:
        note(fig, f"Counted by the first {s.get('by', 'group')} Epoch AI lists for each model; the latest year may be incomplete.")


def draw_depth(fig: Figure, s: dict, top: float) -> None:
    """Stacked shares of the Arena top n by country, board by board (steps)."""
    dates, shares = s["dates"], s["shares"]
    if not dates or not shares:
        raise ChartError("depth: no data")
    names = list(shares)
    cols = [LIGHT_GREY if c == "other" else color(c) for c in names]
    right = 1 - (max(text_w(short(c, 22), 11) for c in names) + 70) / W
    ax = fig.add_axes([0.075, 0.12, right - 0.075, top - 0.12])
    style(ax)
    xs = [dnum(d) for d in dates]
    # each board's shares hold until the next board
    xs_step = xs + [xs[-1] + 3]
    ys = [v + [v[-1]] for v in (shares[c] for c in names)]
    ax.stackplot(xs_step, ys, colors=cols, step="post", alpha=0.92, linewidth=0, labels=names)
    for coll, c in zip(ax.collections, names):
        coll.set_gid(f"series:{c}")
    date_axis(ax, xs[0] - 2, xs_step[-1])
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, p: f"{v:.0f}%"))
    ax.axhline(50, color=FG, lw=0.8, ls=":", zorder=5)
    ax.set_ylabel(f"Share of the Arena top {s['n']}")
    handles = [Patch(color=c, label=short(n, 22)) for n, c in zip(names, cols)]
    ax.legend(handles=handles[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=11, frameon=False,
              title="Country", title_fontsize=11.5)
    last = {c: v[-1] for c, v in s["counts"].items()}
    note(fig, f"Latest board ({s.get('as_of') or dates[-1]}): " +
         ", ".join(f"{c} {k}" for c, k in sorted(last.items(), key=lambda kv: -kv[1]) if k) +
         f" of {s['n']}." + ("" if s.get("all_listed") else " Retired models left out (see the reply)."))


def draw_compute(fig: Figure, s: dict, top: float) -> None:
    pts = [p for p in s["points"] if p[2] and p[1]]
    if len(pts) < 2:
        raise ChartError("compute: too few points")
    ax = fig.add_axes([0.085, 0.12, 0.89, top - 0.12 - 2 * LEGEND_ROW])
    style(ax, "both")
    log_axis(ax.yaxis)
    main, groups = group_top(pts, 3)
    order = [c for c in main if c in groups] + (["other"] if "other" in groups else [])
    for c in order[::-1]:
        ps = groups[c]
        ax.scatter([dnum(p[1]) for p in ps], [p[2] for p in ps], s=26,
                   color=color(c) if c != "other" else "#B5B5B5", alpha=0.72, edgecolor="white", linewidth=0.4,
                   zorder=3 if c != "other" else 2, gid=f"points:{c}")
    xs = [dnum(p[1]) for p in pts]
    ys = [p[2] for p in pts]
    lo, hi = min(xs), max(xs)
    handles = [Line2D([], [], marker="o", ls="", ms=8, color=color(c) if c != "other" else "#B5B5B5",
                      label=f"{c} ({len(groups[c])})") for c in order]
    trends = []
    for key, ls, since in (("fit", "-", None), ("fit_since_2020", "--", 2020.0)):
        f = s.get(key)
        if not f or not f.get("slope_log10_per_year"):
            continue
        if since and s.get("fit") and f.get("n") == s["fit"].get("n"):
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


def draw_compare(fig: Figure, s: dict, top: float) -> None:
    names = s["models"]
    if not names:
        raise ChartError("compare: no models")
    cols = model_colors(names, s["organizations"])
    handles = [Patch(color=c, label=short(n, 30)) for n, c in zip(names, cols)]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.07, top + 0.02), ncol=min(len(names), 3),
               fontsize=11, frameon=False, handlelength=1.2, columnspacing=1.4)
    rows = math.ceil(len(names) / 3)
    top2 = top - 0.045 * rows - 0.06
    if not s["benchmarks"] and not any(s["history"].get(n) for n in names) and not any(s["arena"]):
        _compare_sizes(fig, s, cols, top2)
        return
    ax1 = fig.add_axes([0.07, 0.15, 0.40, top2 - 0.15])
    style(ax1)
    benches = sorted(s["benchmarks"], key=lambda b: -sum(v is not None for v in s["scores"][b]))[:5]
    k = len(names)
    if benches:
        width = 0.8 / k
        for i, (n, c) in enumerate(zip(names, cols)):
            for j, b in enumerate(benches):
                v = s["scores"][b][i]
                x = j - 0.4 + width * (i + 0.5)
                if v is None:
                    continue
                bars(ax1, [x], [v], width=width * 0.92, colors=c, gid=f"bench:{n}:{b}", lw=0)
                if k <= 4:
                    ax1.text(x, v + 1.2, f"{v:.0f}", ha="center", va="bottom", fontsize=9.5 if k <= 3 else 8.5)
        ax1.set_xticks(range(len(benches)))
        ax1.set_xlim(-0.55, len(benches) - 0.45)
        import re

        ax1.set_xticklabels([wrap_label(re.sub(r"-(\d{4}-\d{2}-\d{2})-(\w+)$", r" \2 (\1)", b), 10, 3)
                             for b in benches], fontsize=9.5 if len(benches) > 3 else 10)
        ax1.set_ylim(0, 108)
        ax1.set_ylabel("Benchmark score (%, Epoch AI)")
        ax1.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, p: f"{v:.0f}%"))
        ax1.set_title("Benchmarks", fontsize=13, loc="left", fontweight="bold")
    else:
        have = [(n, v, c) for n, v, c in zip(names, s["arena"], cols) if v is not None]
        if have:
            vals = [v for _, v, _ in have]
            base = math.floor((min(vals) - 40) / 10) * 10
            bars(ax1, range(len(have)), [v - base for v in vals], base=base, colors=[c for *_, c in have],
                 width=0.6, gid="arena-latest")
            ax1.set_xlim(-0.6, len(have) - 0.4)
            for i, v in enumerate(vals):
                ax1.text(i, v + 2, elo(v), ha="center", va="bottom", fontsize=11, fontweight="bold")
            ax1.set_xticks(range(len(have)))
            ax1.set_xticklabels(["\n".join(textwrap.wrap(n, 14)[:2]) for n, _, _ in have], fontsize=10)
            ax1.set_ylim(base, max(vals) + (max(vals) - base) * 0.12)
            ax1.set_ylabel("Latest Arena score (Elo; axis not from zero)")
            ax1.set_title("Latest Chatbot Arena score", fontsize=13, loc="left", fontweight="bold")
        else:
            ax1.text(0.5, 0.5, "No benchmark scores", ha="center", va="center", transform=ax1.transAxes,
                     color=MUTED, fontsize=13)
            ax1.set_xticks([])
            ax1.set_yticks([])
    ax2 = fig.add_axes([0.56, 0.15, 0.30, top2 - 0.15])
    style(ax2)
    hist = s["history"]
    xs_all, ys_all, ends = [], [], []
    for n, c in zip(names, cols):
        h = hist.get(n) or []
        if not h:
            continue
        xs = [dnum(p[0]) for p in h]
        ys = [p[1] for p in h]
        xs_all += xs
        ys_all += ys
        ax2.step(*hold(xs, ys, xs[-1] + 3), where="post", color=c, lw=2.2, gid=f"series:{n}")
        ends.append((ys[-1], elo(ys[-1]), c))
    ax2.set_title("Chatbot Arena score over time", fontsize=13, loc="left", fontweight="bold")
    if xs_all:
        date_axis(ax2, min(xs_all) - 5, max(xs_all) + 5)
        ylo, yhi = pad_limits(min(ys_all), max(ys_all), 0.08, 20)
        ax2.set_ylim(ylo, yhi)
        ax2.set_ylabel("Arena score (Elo)")
        end_labels(ax2, ends, fontsize=11)
    else:
        ax2.text(0.5, 0.5, "Not on Chatbot Arena", ha="center", va="center", transform=ax2.transAxes,
                 color=MUTED, fontsize=13)
        ax2.set_xticks([])
        ax2.set_yticks([])
    msgs = []
    no_scores = [n for i, n in enumerate(names) if benches and all(s["scores"][b][i] is None for b in benches)]
    if no_scores:
        msgs.append("No benchmark scores (Epoch AI) for " + ", ".join(no_scores) + ".")
    missing = [n for n in names if not hist.get(n)]
    if missing and xs_all:
        msgs.append("Not on Chatbot Arena: " + ", ".join(missing) + ".")
    if msgs:
        note(fig, "  ".join(msgs))


def _compare_sizes(fig: Figure, s: dict, cols: list[str], top2: float) -> None:
    """Models with neither benchmarks nor Arena: compare size and compute."""
    names = s["models"]
    for i, (key, title, fmt) in enumerate((("parameters", "Parameters", params_label),
                                           ("training_compute", "Training compute (FLOP)", sci))):
        ax = fig.add_axes([0.07 + i * 0.49, 0.15, 0.40, top2 - 0.15])
        style(ax)
        vals = s.get(key) or []
        have = [(j, v) for j, v in enumerate(vals) if v]
        ax.set_title(title, fontsize=13, loc="left", fontweight="bold")
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels([wrap_label(n, 14, 2) for n in names], fontsize=10)
        if not have:
            ax.set_yticks([])
            ax.text(0.5, 0.5, "not disclosed", ha="center", va="center", transform=ax.transAxes, color=MUTED,
                    fontsize=13)
            continue
        log_axis(ax.yaxis)
        ax.bar([j for j, _ in have], [v for _, v in have], color=[cols[j] for j, _ in have], width=0.6,
               gid=f"series:{key}")
        lo, hi = min(v for _, v in have), max(v for _, v in have)
        ax.set_ylim(lo / 20, hi * 12)
        for j, v in have:
            ax.text(j, v * 1.3, fmt(v), ha="center", va="bottom", fontsize=11, fontweight="bold")
        for j, v in enumerate(vals):
            if not v:
                ax.text(j, lo / 10, "n/d", ha="center", va="bottom", fontsize=10, color=MUTED)
    note(fig, "None of these models has benchmark scores or an Arena rating; sizes and compute as Epoch AI reports them.")


def _history_panel(ax, hist: list, c: str, max_labels: int = 4, label_changes: bool = True) -> None:
    xs = [dnum(p[0]) for p in hist]
    ys = [p[1] for p in hist]
    ax.step(*hold(xs, ys, xs[-1] + 4), where="post", color=c, lw=2.4, gid="series:history")
    date_axis(ax, min(xs) - 5, max(xs) + 8)
    ylo, yhi = pad_limits(min(ys), max(ys), 0.1, 30)
    ax.set_ylim(ylo, yhi + (yhi - ylo) * 0.12)
    ax.set_ylabel("Best Arena score (Elo)")
    if label_changes and len(hist[0]) > 2:
        changes = [i for i in range(len(hist)) if i == 0 or hist[i][2] != hist[i - 1][2]]
        pick = changes[-max_labels:]
        ax.plot([xs[i] for i in pick], [ys[i] for i in pick], "o", color=c, ms=6, zorder=5)
        items = [{"x": xs[i], "y": ys[i], "text": short(hist[i][2], 26), "color": c} for i in reversed(pick)]
        place_labels(ax, items, fontsize=10, obstacles=point_boxes(ax, *hold(xs, ys, xs[-1] + 4)))


def draw_model(fig: Figure, s: dict, top: float) -> None:
    hist = s["history"]
    c = color(s.get("organization") or s.get("country"))
    box_x = 0.70
    top -= 0.045
    if hist:
        h_all = top - 0.11
        ax1 = fig.add_axes([0.075, 0.11 + h_all * 0.36, box_x - 0.11, h_all * 0.64])
        ax2 = fig.add_axes([0.075, 0.11, box_x - 0.11, h_all * 0.30], sharex=ax1)
        style(ax1)
        style(ax2)
        xs = [dnum(p[0]) for p in hist]
        ys = [p[1] for p in hist]
        ax1.step(*hold(xs, ys, xs[-1] + 3), where="post", color=c, lw=2.6, gid="series:score")
        ax1.plot([xs[-1]], [ys[-1]], "o", color=c, ms=8)
        ylo, yhi = pad_limits(min(ys), max(ys), 0.12, 20)
        ax1.set_ylim(ylo, yhi)
        ax1.set_ylabel("Arena score (Elo)")
        ax1.tick_params(axis="x", labelbottom=False)
        ranks = [p[2] for p in hist if p[2] is not None]
        if ranks:
            rx = [dnum(p[0]) for p in hist if p[2] is not None]
            ax2.step(*hold(rx, ranks, rx[-1] + 3), where="post", color=MUTED, lw=2, gid="series:rank")
            ax2.set_ylim(max(ranks) * 1.15 + 1, 0.5 if min(ranks) <= 1 else min(ranks) * 0.8)
            ax2.yaxis.set_major_locator(mticker.MaxNLocator(4, integer=True))
        ax2.set_ylabel("Rank")
        date_axis(ax2, min(xs) - 5, max(xs) + 5)
        last = hist[-1]
        t = f"Chatbot Arena{' as “' + short(s['arena_name'], 34) + '”' if s.get('arena_name') else ''}: " \
            f"{elo(last[1])} Elo" + (f", rank {last[2]}" if last[2] is not None else "") + f" on {last[0]}"
        ax1.set_title(t, fontsize=12, loc="left", color=FG)
    else:
        box_x = 0.06
    lines = [("Organisation", s.get("organization") or "unknown"), ("Country", s.get("country") or "unknown")]
    f = s["facts"]
    if f.get("release_date"):
        lines.append(("Released", f["release_date"]))
    lines.append(("Parameters", params_label(f["parameters"]) if f.get("parameters") else "not disclosed"))
    lines.append(("Training compute", f"{sci(f['training_compute'])} FLOP" if f.get("training_compute") else "not disclosed"))
    lines.append(("Access", f.get("access") or "unknown"))
    for b, v in list(s["scores"].items())[:4]:
        lines.append((short(b, 26), f"{v:.1f}%"))
    y = top - 0.01
    fig.patches.append(matplotlib.patches.FancyBboxPatch(
        (box_x, 0.11), 0.975 - box_x, top - 0.11, boxstyle="round,pad=0.005", transform=fig.transFigure,
        fc="#F5F6F8", ec="#D8DADF", zorder=0))
    fig.text(box_x + 0.015, y - 0.01, s.get("name") or "", fontsize=14, fontweight="bold", va="top",
             color=c)
    y -= 0.075
    step = max(0.05, min(0.068, (y - 0.12) / max(1, len(lines))))
    for k, v in lines:
        fig.text(box_x + 0.015, y, k, fontsize=10.5 if step > 0.055 else 9.5, color=MUTED, va="top")
        fig.text(box_x + 0.015, y - step * 0.44, short(str(v), 32), fontsize=12 if step > 0.055 else 11,
                 color=FG, va="top")
        y -= step


def draw_org(fig: Figure, s: dict, top: float) -> None:
    hist, per = s["history"], s["per_year"]
    if not hist and not per:
        raise ChartError("org: no data")
    c = color(s.get("name"))
    top -= 0.045
    if hist:
        ax1 = fig.add_axes([0.075, 0.12, 0.55, top - 0.12])
        style(ax1)
        _history_panel(ax1, hist, c)
        ax1.set_title("Best model on Chatbot Arena", fontsize=13, loc="left", fontweight="bold")
        x2 = 0.70
    else:
        x2 = 0.075
    ax2 = fig.add_axes([x2, 0.12, 0.965 - x2, top - 0.12])
    style(ax2)
    years, vals = year_range(per, 8 if hist else 14)
    bars(ax2, range(len(years)), vals, width=0.7, colors=c, gid="series:per_year", lw=0)
    ax2.set_xlim(-0.6, len(years) - 0.4)
    for i, v in enumerate(vals):
        if v:
            ax2.text(i, v, str(v), ha="center", va="bottom", fontsize=11, fontweight="bold")
    ax2.set_xticks(range(len(years)))
    ax2.set_xticklabels(years, rotation=0 if len(years) <= 5 or not hist else 45, fontsize=10.5)
    ax2.set_ylim(0, max(vals + [1]) * 1.15)
    ax2.yaxis.set_major_locator(mticker.MaxNLocator(5, integer=True))
    ax2.set_title("Models released per year", fontsize=13, loc="left", fontweight="bold")
    ax2.set_ylabel("Models (all sources)")
    note(fig, f"{s.get('name')}{' · ' + s['country'] if s.get('country') else ''}. "
              "Left: the organisation's best-rated model in each Arena snapshot.")


def draw_country(fig: Figure, s: dict, top: float) -> None:
    hist, per = s["history"], s["per_year"]
    if not hist and not per:
        raise ChartError("country: no data")
    c = color(s.get("name"))
    top -= 0.045
    ax1 = fig.add_axes([0.075, 0.13, 0.40 if hist else 0.89, top - 0.13])
    style(ax1)
    years, vals = year_range(per, 12)
    bars(ax1, range(len(years)), vals, width=0.72, colors=c, gid="series:per_year", lw=0)
    ax1.set_xlim(-0.6, len(years) - 0.4)
    ax1.yaxis.set_major_locator(mticker.MaxNLocator(6, integer=True))
    for i, v in enumerate(vals):
        if v:
            ax1.text(i, v, str(v), ha="center", va="bottom", fontsize=10.5, fontweight="bold")
    ax1.set_xticks(range(len(years)))
    ax1.set_xticklabels([y if (i % 2 == (len(years) - 1) % 2) else "" for i, y in enumerate(years)]
                        if len(years) > 8 else years, fontsize=10.5)
    ax1.set_ylim(0, max(vals + [1]) * 1.15)
    ax1.set_ylabel("Notable models (Epoch AI)")
    ax1.set_title("Notable AI models per year", fontsize=13, loc="left", fontweight="bold")
    if hist:
        ax2 = fig.add_axes([0.56, 0.13, 0.41, top - 0.13])
        style(ax2)
        _history_panel(ax2, hist, c, max_labels=4)
        ax2.set_title("Best model on Chatbot Arena", fontsize=13, loc="left", fontweight="bold")
    orgs = s.get("top_orgs") or []
    if orgs:
        note(fig, "Top organisations: " + " · ".join(f"{short(o, 28)} {n}" for o, n in orgs[:6]))


def draw_timeline(fig: Figure, s: dict, top: float) -> None:
    ev = s["events"]
    if not ev:
        raise ChartError("timeline: no events")
    label = s.get("label") or ""
    single = label in COLORS or label not in ("all organisations", "")
    xs_all = [dnum(e[0]) for e in ev]
    hi = max(xs_all)
    lo = max(min(xs_all), hi - 365.25 * (10 if not single else 12))
    ev = [e for e, x in zip(ev, xs_all) if x >= lo]
    ax = fig.add_axes([0.085, 0.27, 0.89, top - 0.27 - LEGEND_ROW])
    axs = fig.add_axes([0.085, 0.12, 0.89, 0.10], sharex=ax)
    style(ax, "both")
    style(axs, "x")
    log_axis(ax.yaxis)
    known = [e for e in ev if e[4]]
    unknown = [e for e in ev if not e[4]]
    if single:
        ckey = lambda e: label  # noqa: E731
    else:
        cnt = {}
        for e in ev:
            cnt[e[3]] = cnt.get(e[3], 0) + 1
        main = [k for k, _ in sorted(cnt.items(), key=lambda kv: -kv[1]) if k][:4]
        ckey = lambda e: e[3] if e[3] in main else "other"  # noqa: E731

    def col(e):
        k = ckey(e)
        return color(k) if k != "other" else "#B5B5B5"
    for group, size in ((False, 30 if single else 18), (True, 90)):
        g = [e for e in known if bool(e[5]) == group]
        if g:
            ax.scatter([dnum(e[0]) for e in g], [e[4] for e in g], s=size,
                       color=[col(e) for e in g] if group else "white",
                       edgecolor=[col(e) for e in g], linewidth=1.6 if not group else 1.0,
                       alpha=0.9 if group or single else 0.55, zorder=4 if group else 3,
                       gid=f"events:{'frontier' if group else 'other'}")
    if known:
        ys = [e[4] for e in known]
        ax.set_ylim(min(ys) / 10, max(ys) * 20)
    ax.set_ylabel("Training compute (FLOP, log)")
    ax.tick_params(axis="x", labelbottom=False)
    # releases without known compute: a strip below, jittered
    if unknown:
        jit = [(zlib.crc32(str(e[1]).encode()) % 1000) / 1000 for e in unknown]
        axs.scatter([dnum(e[0]) for e in unknown], jit, s=[60 if e[5] else 18 for e in unknown],
                    color=[col(e) if e[5] else "white" for e in unknown],
                    edgecolor=[col(e) for e in unknown], linewidth=1.0, alpha=0.85, gid="events:unknown")
    axs.set_ylim(-0.25, 1.25)
    axs.set_yticks([])
    axs.set_ylabel("compute\nnot disclosed", fontsize=9.5, rotation=0, ha="right", va="center", labelpad=4)
    date_axis(axs, lo - 40, hi + 40)
    frontier = sorted([e for e in known if e[5]], key=lambda e: e[0], reverse=True)
    picks = frontier[:7] if single else sorted(frontier, key=lambda e: -e[4])[:4]
    big = max(known, key=lambda e: e[4]) if known else None
    if big and big not in picks:
        picks.append(big)
    handles = [Line2D([], [], marker="o", ls="", ms=10, color=color(label) if single else FG,
                      label="frontier model (Epoch AI)"),
               Line2D([], [], marker="o", ls="", ms=7, color="white", mec=color(label) if single else FG, mew=1.6,
                      label="other notable model")]
    if not single:
        handles += [Patch(color=color(k), label=k) for k in main]
    legend_above(ax, handles, fontsize=10.5)
    tr = ax.transData
    obst = []
    for e in known:
        px, py = tr.transform((dnum(e[0]), e[4]))
        r = 7 if e[5] else 3
        obst.append((px - r, py - r, px + r, py + r))
    place_labels(ax, [{"x": dnum(e[0]), "y": e[4], "text": short(e[1], 24), "color": MUTED} for e in picks],
                 fontsize=10, point_r=6, obstacles=obst)
    n_front = sum(1 for e in ev if e[5])
    note(fig, f"{len(ev)} notable releases since {month_label(mdates.num2date(lo).date().isoformat())}, "
              f"{n_front} of them frontier models. Labels: the latest frontier models and the largest.")


DRAWERS = {
    "race": draw_race, "gap": draw_gap, "frontier": draw_frontier, "top": draw_top, "small": draw_small,
    "count": draw_count, "compute": draw_compute, "compare": draw_compare, "model": draw_model, "org": draw_org,
    "country": draw_country, "timeline": draw_timeline, "depth": draw_depth,
}


def build_figure(kind: str, data: dict, title: str | None, subtitle: str | None) -> Figure:
    """The chart as a matplotlib Figure (tests inspect its artists)."""
    drawer = DRAWERS.get(kind)
    if drawer is None:
        raise ChartError(f"no chart kind {kind!r}")
    series = chart_series(kind, data)
    fig = new_figure()
    top = header(fig, title, subtitle)
    drawer(fig, series, top)
    return fig


def figure_png(fig: Figure) -> bytes:
    """Draw the figure and encode it as a 256-colour palette PNG: a third of
    the bytes of a true-colour PNG and faster to encode; the charts use few
    colours, so it looks the same."""
    from PIL import Image

    canvas = fig.canvas
    canvas.draw()
    w, h = canvas.get_width_height()
    im = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    im = im.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    im.save(out, format="PNG", compress_level=6)
    png = out.getvalue()
    if len(png) > MAX_BYTES:  # pragma: no cover - never seen; fewer colours as a last resort
        im = im.convert("RGB").quantize(colors=64, method=Image.Quantize.FASTOCTREE)
        out = io.BytesIO()
        im.save(out, format="PNG", compress_level=9)
        png = out.getvalue()
    return png


def draw_png(kind: str, data: dict, title: str | None, subtitle: str | None) -> bytes:
    return figure_png(build_figure(kind, data, title, subtitle))


def _warm_data() -> list[tuple[str, dict]]:
    """Small synthetic data for every kind: drawing each once in a fresh
    worker loads the fonts, glyphs, log/date axes and mathtext it will need."""
    days = ["2024-06-19", "2024-09-01", "2025-01-15", "2025-05-01", "2025-08-06"]
    ser = lambda base: [[d, base + 10 * i, "m"] for i, d in enumerate(days)]  # noqa: E731
    gap_rows = [{"date": d, "a": 1300 + 10 * i, "b": 1250 + 12 * i, "a_arena": "a", "b_arena": "b",
                 "elo": 50 - 2 * i, "pct": 4.0 - 0.3 * i} for i, d in enumerate(days)]
    front = [{"date": d, "top1": 1300 + i, "top2": 1290 + i, "topn": 1250 + i, "spread_pct": 4.0, "top2_pct": 0.8,
              "top1_model": "a", "topn_model": "b"} for i, d in enumerate(days)]
    pts = [["m%d" % i, f"{2012 + i}-03-01", 10.0 ** (16 + i * 0.8), "United States" if i % 2 else "China", "o"]
           for i in range(14)]
    return [
        ("race", {"series": {"United States": ser(1300), "China": ser(1250)}, "countries": ["United States", "China"],
                  "leader": "United States", "leaders": [["2024-06-19", "United States", "m"]]}),
        ("gap", {"x": "United States", "y": "China", "x_key": "United States", "y_key": "China", "series": gap_rows,
                 "reference": [{"period": "2024-01", "value": 9.26}]}),
        ("frontier", {"n": 10, "series": front, "reference": [{"period": "early 2024", "value": 11.9,
                                                                "metric": "rank 1 and rank 10"}]}),
        ("top", {"metric": "Arena Elo", "rows": [{"rank": i + 1, "model": "m%d" % i, "score": 1400 - 5 * i,
                                                  "ci_plus": 4, "ci_minus": 4, "organization": "OpenAI",
                                                  "country": "China", "open": bool(i % 2)} for i in range(5)]}),
        ("small", {"benchmark": "GPQA diamond", "threshold": 50.0, "unit": "%",
                   "points": [["m%d" % i, 10.0 ** (9 + i / 3), 30 + 5 * i, days[i % 5], "China"] for i in range(6)],
                   "record": [["2024-06-19", "m5", 10.0 ** (9 + 5 / 3), 55.0]],
                   "reference": [{"id": "small_models_reduction", "value": 142.0}]}),
        ("count", _WARM_COUNT),
        ("compute", {"label": "x", "points": pts, "fit": {"slope_log10_per_year": 0.6, "intercept": -1191.0,
                                                          "doubling_months": 6.0, "n": 14}, "reference_months": 5.0}),
        ("compare", {"models": [{"name": "a", "organization": "OpenAI", "country": "United States",
                                 "arena": {"score": 1400}, "scores": {"GPQA diamond": 0.5}},
                                {"name": "b", "organization": "DeepSeek", "country": "China", "arena": None,
                                 "scores": {"GPQA diamond": 0.6}}],
                     "benchmarks": ["GPQA diamond"], "history": {"a": [[d, 1400] for d in days]}}),
        ("model", {"model": {"name": "a", "organization": "OpenAI", "country": "United States", "parameters": 1e11,
                             "training_compute": 3e24, "scores": {"GPQA diamond": 0.5}, "arena": {"name": "a"}},
                   "history": [[d, 1350 + i, 3 + i] for i, d in enumerate(days)]}),
        ("org", {"name": "DeepSeek", "models": [["a", d, None, None] for d in days], "history": ser(1200)}),
        ("country", {"name": "China", "per_year": {"2023": 3, "2024": 5}, "top_orgs": [["a", 2]],
                     "history": ser(1200)}),
        ("depth", {"n": 10, "dates": days, "as_of": days[-1],
                   "counts": {"United States": [7, 6, 6, 5, 5], "China": [2, 3, 3, 4, 5], "other": [1, 1, 1, 1, 0]}}),
        ("timeline", {"label": "OpenAI", "events": [[p[1], p[0], "OpenAI", "United States", p[2] if i % 3 else None,
                                                     i % 4 == 0] for i, p in enumerate(pts)]}),
    ]


_WARM_COUNT = {"by": "country", "year": "2024", "years": ["2023", "2024"],
               "groups": {"United States": [3, 4], "China": [1, 2], "other": [1, 1]},
               "reference": [{"subject": "China", "value": 15.0}]}


def warm() -> None:
    """Draw every kind once (worker start-up), so the first real charts are fast."""
    for kind, data in _warm_data():
        draw_png(kind, data, "warm-up title", "Source: warm-up · as of 2025-01-01")
