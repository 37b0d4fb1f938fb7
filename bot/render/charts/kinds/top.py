"""The 'top' chart."""
from __future__ import annotations

import math
from typing import Any, TypedDict

import matplotlib.ticker as mticker
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.render.charts.axes import bars, style
from bot.render.charts.data import as_rows
from bot.render.charts.kind import ChartKind
from bot.render.charts.labels import short, text_w
from bot.render.charts.registry import ChartError
from bot.render.charts.style import FG, MUTED, W, figure_renderer
from bot.render.palette import GREY, color
from bot.render.text import elo


class Row(TypedDict):
    rank: int
    model: str | None
    score: float                        # Elo, or a benchmark score (percent)
    ci_plus: float | None               # Arena's confidence interval
    ci_minus: float | None
    organization: str | None
    country: str | None
    open: bool                          # open weights


class Data(TypedDict, total=False):
    """What ``top`` reads from ``Reply.data``."""
    metric: str                         # "Arena Elo" or a benchmark
    filters: list[str]
    rows: list[dict[str, Any]]          # the Row fields


class Series(TypedDict):
    """What the ``top`` chart draws."""
    metric: str
    arena: bool                         # an Elo leaderboard (else a benchmark's)
    filters: list[Any]
    rows: list[Row]


def series(d: Data) -> Series:
    """The exact series this chart draws, from a reply's data."""
    rows = as_rows(d.get("rows"))
    metric = d.get("metric") or "score"
    arena = "elo" in metric.lower() or "arena" in metric.lower()
    return {"metric": metric, "arena": arena, "filters": as_rows(d.get("filters")),
            "rows": [{"rank": r.get("rank"), "model": r.get("model"), "score": r.get("score"),
                      "ci_plus": r.get("ci_plus"), "ci_minus": r.get("ci_minus"),
                      "organization": r.get("organization"), "country": r.get("country"),
                      "open": bool(r.get("open"))} for r in rows]}


def draw(fig: Figure, s: Series, top: float) -> None:
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
    renderer = figure_renderer(fig)
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


KIND = ChartKind(
    name="top",
    series=series,
    draw=draw,
    gallery=(
        ("top", "top"),
        ("top-10-gpqa", "top 10 gpqa"),
        ("top-25", "top 25"),
    ),
    sample={"metric": "Arena Elo", "rows": [{"rank": i + 1, "model": "m%d" % i, "score": 1400 - 5 * i,
                                             "ci_plus": 4, "ci_minus": 4, "organization": "OpenAI",
                                             "country": "China", "open": bool(i % 2)} for i in range(5)]},
)
