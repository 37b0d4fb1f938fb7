"""The 'gap' chart."""
from __future__ import annotations

from typing import Any, TypedDict

import matplotlib.ticker as mticker
from matplotlib.figure import Figure

from bot.render.charts.axes import date_axis, dnum, hold, pad_limits, side_name, style
from bot.render.charts.data import Reference, as_rows, references
from bot.render.charts.kind import ChartKind
from bot.render.charts.labels import artist_box, end_labels, note, place_labels, point_boxes, right_margin
from bot.render.charts.sources import broken_step, mark_source_changes, seam_xs, source_changes
from bot.render.charts.registry import ChartError
from bot.render.charts.samples import GAP_ROWS
from bot.render.charts.style import FG, MUTED
from bot.render.palette import GREY, colors
from bot.render.text import elo, month


class Point(TypedDict, total=False):
    date: str
    a: float                            # best Elo of side x
    b: float                            # best Elo of side y
    a_arena: str | None                 # their Arena names (or a_model/b_model)
    b_arena: str | None
    a_model: str | None
    b_model: str | None
    elo: float                          # a - b
    pct: float                          # (a - b) / b, percent
    source: str | None                  # the board's source (arena-history | arena-csv | arena-catalog)


class Data(TypedDict, total=False):
    """What ``gap`` reads from ``Reply.data``."""
    x: str                              # the sides as shown ("United States", "closed", ...)
    y: str
    x_key: str                          # their palette keys (default: x, y)
    y_key: str
    series: list[Point]
    reference: list[dict[str, Any]]     # AI Index figures: {period, value}
    leader: str | None


class Series(TypedDict):
    """What the ``gap`` chart draws (lists aligned with ``dates``)."""
    x: str | None
    y: str | None
    x_key: str | None
    y_key: str | None
    dates: list[str]
    a: list[float]
    b: list[float]
    a_model: list[str | None]
    b_model: list[str | None]
    pct: list[float]
    elo: list[float]
    reference: list[Reference]
    source_changes: list[list[str]]     # [date, short source name] where the series moves to another source
    leader: str | None


def series(d: Data) -> Series:
    """The exact series this chart draws, from a reply's data."""
    s = as_rows(d.get("series"))
    refs = [ref for ref, _row in references(d.get("reference"))]
    return {"x": d.get("x"), "y": d.get("y"), "x_key": d.get("x_key") or d.get("x"),
            "y_key": d.get("y_key") or d.get("y"),
            "dates": [p["date"] for p in s], "a": [p["a"] for p in s], "b": [p["b"] for p in s],
            "a_model": [p.get("a_arena") or p.get("a_model") for p in s],
            "b_model": [p.get("b_arena") or p.get("b_model") for p in s],
            "pct": [p["pct"] for p in s], "elo": [p["elo"] for p in s],
            "reference": refs, "leader": d.get("leader"), "source_changes": source_changes(s)}


def draw(fig: Figure, s: Series, top: float) -> None:
    if not s["dates"]:
        raise ChartError("gap: no series")
    xk, yk = s["x_key"], s["y_key"]
    cx, cy = colors([xk, yk])
    if cx == cy:
        cy = GREY
    nx, ny = side_name(s["x"], xk), side_name(s["y"], yk)
    xs = [dnum(d) for d in s["dates"]]
    lo, hi = min(xs), max(xs)
    refs_in: list[dict] = []
    refs_out: list[dict] = []
    for r in s["reference"]:
        x = dnum(r["date"])
        (refs_in if lo - 400 <= x <= hi + 400 else refs_out).append({**r, "x": x})
    right_end = hi  # the axis reaches a figure dated after the data (the AI Index 2026's March 2026)
    if refs_in:
        lo = min(lo, min(r["x"] for r in refs_in))
        right_end = max(hi, max(r["x"] for r in refs_in))
    texts = [f"{nx}  {elo(s['a'][-1])}", f"{ny}  {elo(s['b'][-1])}"]
    right = min(0.86, right_margin(texts + ["+10.00%"]))
    bottom = 0.125  # room for two-line date ticks above the note
    h_all = top - bottom
    ax1 = fig.add_axes([0.075, bottom + h_all * 0.47, right - 0.075, h_all * 0.53])
    ax2 = fig.add_axes([0.075, bottom, right - 0.075, h_all * 0.42], sharex=ax1)
    style(ax1)
    style(ax2)
    seams = seam_xs(s.get("source_changes"))
    broken_step(ax1, xs, s["a"], seams, hi + 3, color=cx, lw=2.4, gid="series:a")
    broken_step(ax1, xs, s["b"], seams, hi + 3, color=cy, lw=2.4, gid="series:b")
    ylo, yhi = pad_limits(min(s["a"] + s["b"]), max(s["a"] + s["b"]), 0.08, 20)
    ax1.set_ylim(ylo, yhi)
    ax1.set_ylabel("Best score (Elo)")
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
    date_axis(ax2, lo - 6, right_end + 6)
    ax1.tick_params(axis="x", labelbottom=False)
    mark_source_changes(ax1, s.get("source_changes"))
    mark_source_changes(ax2, s.get("source_changes"), label=False)  # a gap in percent is within one board
    # who is ahead, in words
    y0, y1 = ax2.get_ylim()
    if y1 > 0:
        ax2.text(0.008, 0.985, f"▲ {nx} ahead", transform=ax2.transAxes, color=cx, fontsize=10.5, va="top",
                 fontweight="bold")
    if y0 < 0 and min(pct) < 0:
        ax2.text(0.008, 0.015, f"▼ {ny} ahead", transform=ax2.transAxes, color=cy, fontsize=10.5, va="bottom",
                 fontweight="bold")
    # latest value: labelled at its point (an AI Index figure dated after it may sit further right)
    ax2.plot([xs[-1]], [pct[-1]], "o", color=FG, ms=7, zorder=5)
    items = [{"x": xs[-1], "y": pct[-1], "text": f"{month(s['dates'][-1])}: {pct[-1]:+.2f}%", "weight": "bold",
              "force": True, "color": FG}]
    # AI Index reference points
    for ref in refs_in:
        ax2.plot([ref["x"]], [ref["value"]], marker="D", ms=9, color="white", mec=FG, mew=2, zorder=6, gid="reference")
        items.append({"x": ref["x"], "y": ref["value"], "text": f"{ref.get('label', 'AI Index')}: {ref['value']:+.2f}%\n({month(ref['date'])})",
                      "color": MUTED})
    obst = point_boxes(ax2, hx, hp) + [artist_box(t) for t in ax2.texts]
    place_labels(ax2, items, fontsize=10, obstacles=obst)
    end_labels(ax1, [(s["a"][-1], texts[0], cx), (s["b"][-1], texts[1], cy)])
    msg = "Gap = (x − y) ÷ y for the best model of each side in the same Arena snapshot, as in the AI Index 2025."
    if refs_out:
        msg += "  " + "; ".join(f"{r.get('label', 'AI Index')}: {r['value']:+.2f}% ({r['period']})"
                                for r in refs_out) + "."
    note(fig, msg)


KIND = ChartKind(
    name="gap",
    series=series,
    draw=draw,
    gallery=(
        ("gap-us-china", "gap us china since 2024"),
        ("gap-us-china-all", "gap us china"),
        ("gap-closed-open", "gap closed open"),
        ("gap-google-deepmind-openai", "gap google deepmind openai"),
    ),
    sample={"x": "United States", "y": "China", "x_key": "United States", "y_key": "China", "series": GAP_ROWS,
            "reference": [{"period": "2024-01", "value": 9.26}]},
)
