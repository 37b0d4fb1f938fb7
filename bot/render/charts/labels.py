"""Text on charts: the title and note lines, and label placement that keeps
labels off each other and off the data. Numbers and dates are formatted by
:mod:`bot.render.text`, the same as in text replies.
"""
from __future__ import annotations

import math
import textwrap

from matplotlib.figure import Figure

from bot.render.charts.style import FG, MUTED, PX_PER_PT, H, W, figure_renderer
from bot.render.text import clip, clip_name, superscript


def short(s: str | None, n: int) -> str:
    """A name as a label of at most `n` characters ('?' for a missing name),
    clipped in the middle so its version suffix stays (:func:`clip_name`)."""
    return clip_name(s or "?", n)


def _wrap(text: str, width: int) -> list[str]:
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
    return lines


def wrap_label(text: str, width: int = 11, max_lines: int = 3) -> str:
    """Wrap a tick label at spaces and hyphens (keeping the hyphen); a name too long for
    `max_lines` lines is clipped in the middle first (:func:`clip_name`: its end, the
    version, stays)."""
    lines = _wrap(text, width)
    limit = width * max_lines
    while len(lines) > max_lines and limit > 8:
        limit -= 2
        lines = _wrap(clip_name(text, limit), width)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = clip(lines[-1] + "…", width)
    return "\n".join(lines)


def pow10(v, pos=None) -> str:
    """A log tick as 10 with a Unicode superscript: no mathtext (slow) needed."""
    if v <= 0:
        return ""
    e = round(math.log10(v))
    if abs(v - 10 ** e) > 1e-9 * v:
        return ""
    return "10" + superscript(e)


def text_w(text: str, fontsize: float) -> float:
    """Estimated width in pixels (DejaVu Sans averages ~0.6 em)."""
    lines = str(text).split("\n")
    return max(len(ln) for ln in lines) * fontsize * PX_PER_PT * 0.6 + 4


def header(fig: Figure, title: str | None, subtitle: str | None) -> float:
    """Title and source line; returns the figure-fraction y where plots may start."""
    title = clip((title or "").strip(), 110)
    size: float = 19
    t = fig.text(0.022, 0.972, title, fontsize=size, fontweight="bold", va="top", ha="left", color=FG)
    fit_text(t, W - 40, min_size=14)
    size = float(t.get_fontsize())
    y = 0.972 - (size * PX_PER_PT * 1.25) / H
    if subtitle:
        sub = subtitle.strip().replace(" · as of ", " ·\u00a0as\u00a0of\u00a0")
        wrapped = textwrap.wrap(sub, 150, break_on_hyphens=False)
        lines = wrapped[:2]
        if len(wrapped) > 2:
            lines[1] = clip(lines[1], 147)
        fig.text(0.022, y - 0.004, "\n".join(lines), fontsize=10.5, va="top", ha="left", color=MUTED,
                 linespacing=1.25)
        y -= 0.004 + len(lines) * 10.5 * PX_PER_PT * 1.3 / H
    return y - 0.035


def fit_text(t, max_px: float, min_size: float = 9.0) -> None:
    """Shrink a text until it is at most `max_px` wide; then cut it short."""
    r = figure_renderer(t.figure)
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


def note(fig: Figure, text: str, y: float = 0.01, size: float = 10.5) -> None:
    t = fig.text(0.022, y, text, fontsize=size, color=MUTED, ha="left", va="bottom")
    fit_text(t, W * 0.96, min_size=9)


def end_labels(ax, ends: list[tuple[float, str, str]], fontsize: float = 11.5, bold: set | None = None) -> None:
    """Label line ends at the right edge of the axes, pushed apart so none overlap."""
    if not ends:
        return
    tr = ax.transData
    x0 = ax.get_xlim()[0]
    bb = ax.get_window_extent()
    gap = fontsize * PX_PER_PT * 1.45  # a text's height and a clear pixel at phone size (400 px wide)
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


def artist_box(artist) -> tuple[float, float, float, float]:
    """An artist's box in pixels (for obstacles: legends, texts)."""
    bb = artist.get_window_extent(figure_renderer(artist.figure))
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


LABEL_GAP = 4.0  # px between two labels: still a pixel apart when the chart is shown 400 px wide


def _overlaps(a, b, pad: float = 0.0) -> bool:
    return not (a[2] + pad < b[0] or a[0] - pad > b[2] or a[3] + pad < b[1] or a[1] - pad > b[3])


def place_labels(ax, items: list[dict], fontsize: float = 10.5, obstacles: list | None = None,
                 point_r: float = 7, arrows: bool = True) -> list[dict]:
    """Greedy, overlap-free labels: each item {x, y, text, color} gets the first
    spot around its point that is inside the axes and clear of every label,
    marker and obstacle so far (sizes measured by the renderer); an item with
    no clear spot gets no label rather than an overlapping one."""
    import numpy as np

    tr = ax.transData
    bb = ax.get_window_extent()
    renderer = figure_renderer(ax.figure)
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
        size = it.get("size", fontsize)
        ann = ax.annotate(it["text"], (it["x"], it["y"]), xytext=(0, 0), textcoords="offset pixels",
                          ha="left", va="bottom", fontsize=size, color=it.get("text_color", FG),
                          fontweight=it.get("weight", "normal"), annotation_clip=False, zorder=8)
        ext = ann.get_window_extent(renderer)
        w, h = ext.width + 2, ext.height + 1
        marks = [m for j, m in enumerate(placed_marks) if j != idx]
        ok = None
        fallback = None
        # further spots (a longer leader line) only for a label that must be shown
        for dist in (12, 22, 36, 56, 80) + ((110, 150, 200) if it.get("force") else ()):
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
                if fallback is None and not any(_overlaps(box, o, LABEL_GAP) for o in placed) \
                        and not any(_overlaps(box, m) for m in marks):
                    fallback = (dx, dy, box, dist)
                if any(_overlaps(box, o, LABEL_GAP) for o in placed) or any(_overlaps(box, m) for m in marks):
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
                    ha="left", va="bottom", fontsize=size, color=it.get("text_color", FG),
                    fontweight=it.get("weight", "normal"), arrowprops=ap, annotation_clip=False, zorder=8)
        done.append(it)
    return done


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


def right_margin(texts: list[str], fontsize: float = 11.5) -> float:
    w = max((text_w(t, fontsize) for t in texts), default=0)
    return 1 - (w + 30) / W
