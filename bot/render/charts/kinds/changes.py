"""The 'changes' chart: what changed between two Arena boards (``changes``,
``digest``, "what changed this month"), drawn as the change itself: one
dumbbell per model from its score on the earlier board to its score on the
later one, new entries marked, models that left the top n listed below."""
from __future__ import annotations

from typing import Any, TypedDict

import matplotlib.ticker as mticker
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bot.render.charts.axes import LEGEND_ROW, legend_above, pad_limits, style
from bot.render.charts.data import as_rows
from bot.render.charts.kind import ChartKind
from bot.render.charts.labels import note, short, text_w
from bot.render.charts.registry import ChartError
from bot.render.charts.style import FG, MUTED, W
from bot.render.palette import GREY, color

NEW = "#B8A000"   # the star of a new entry (Okabe-Ito yellow, darkened for white)
MAX_LEFT = 4      # models that left the top n, shown under it


class Row(TypedDict, total=False):
    rank: int                           # place on the later board
    model: str | None
    score: float                        # Elo on the later board
    before_rank: int | None             # place on the earlier board (None: not on it)
    before_score: float | None
    organization: str | None
    country: str | None
    open: bool


class Left(TypedDict, total=False):
    model: str | None
    before_rank: int                    # its place in the earlier board's top n
    before_score: float
    rank: int | None                    # its place on the later board (None: not on it)
    score: float | None
    country: str | None


class Data(TypedDict, total=False):
    """What ``changes`` reads from ``Reply.data``."""
    since: str                          # the earlier board's date
    as_of: str                          # the later board's date
    rows: list[dict[str, Any]]          # the later board's top n: the Row fields
    left: list[dict[str, Any]]          # the earlier top n's models no longer in it: the Left fields
    scales_differ: bool                 # the two boards come from sources on different rating scales


class Line(TypedDict):
    model: str
    rank: int | None                    # later board (None: gone)
    score: float | None
    before_rank: int | None             # earlier board (None: new)
    before_score: float | None
    country: str | None
    status: str                         # "new", "stay" or "left"


class Series(TypedDict):
    """What the ``changes`` chart draws: one line per model, the later board's top n first."""
    since: str | None
    as_of: str | None
    lines: list[Line]
    scales_differ: bool


def series(d: Data) -> Series:
    """The exact series this chart draws, from a reply's data."""
    lines: list[Line] = []
    for r in as_rows(d.get("rows")):
        new = r.get("before_score") is None
        lines.append({"model": str(r.get("model") or "?"), "rank": r.get("rank"), "score": r.get("score"),
                      "before_rank": r.get("before_rank"), "before_score": r.get("before_score"),
                      "country": r.get("country"), "status": "new" if new else "stay"})
    for r in as_rows(d.get("left"))[:MAX_LEFT]:
        lines.append({"model": str(r.get("model") or "?"), "rank": r.get("rank"), "score": r.get("score"),
                      "before_rank": r.get("before_rank"), "before_score": r.get("before_score"),
                      "country": r.get("country"), "status": "left"})
    return {"since": d.get("since"), "as_of": d.get("as_of"), "lines": lines,
            "scales_differ": bool(d.get("scales_differ"))}


def _place(rank: int | None) -> str:
    return f"#{rank}" if rank else "off"


def draw(fig: Figure, s: Series, top: float) -> None:
    lines = s["lines"]
    if not lines:
        raise ChartError("changes: no rows")
    n_top = sum(ln["status"] != "left" for ln in lines)
    fs = 11 if len(lines) <= 12 else 10
    labels = [short(ln["model"], 34) for ln in lines]
    right_texts = []
    for ln in lines:
        if ln["status"] == "new":
            right_texts.append(f"new, {_place(ln['rank'])}")
        else:
            right_texts.append(f"{_place(ln['before_rank'])} → {_place(ln['rank'])}")
    left = 0.03 + (max(text_w(t, fs) for t in labels) + 14) / W
    right = 1 - (max(text_w(t, fs) for t in right_texts) + 24) / W
    ax = fig.add_axes([left, 0.135, right - left, top - 0.135 - LEGEND_ROW])
    style(ax, "x")
    gap_rows = 0.8 if n_top < len(lines) else 0.0
    ys = [-(i + (gap_rows if ln["status"] == "left" else 0)) for i, ln in enumerate(lines)]
    # boards on different rating scales: Elo moves would mix in the change of scale, so draw places
    by_place = s["scales_differ"]
    then_of = (lambda ln: ln["before_rank"]) if by_place else (lambda ln: ln["before_score"])
    now_of = (lambda ln: ln["rank"]) if by_place else (lambda ln: ln["score"])
    vals = [v for ln in lines for v in (now_of(ln), then_of(ln)) if v is not None]
    for y, ln in zip(ys, lines):
        c = color(ln["country"]) if ln["status"] != "left" else GREY
        a, b = then_of(ln), now_of(ln)
        if a is not None and b is not None:
            ax.annotate("", (b, y), (a, y), arrowprops={"arrowstyle": "-|>", "color": c, "lw": 2.2,
                                                         "shrinkA": 5, "shrinkB": 6, "mutation_scale": 12},
                        zorder=3, annotation_clip=False)
        if a is not None:
            ax.plot([a], [y], "o", ms=8, mfc="white", mec=c, mew=2, zorder=4, gid=f"before:{ln['model']}")
        if b is not None:
            if ln["status"] == "new":
                ax.plot([b], [y], "*", ms=16, color=NEW, mec=FG, mew=0.8, zorder=5, gid=f"new:{ln['model']}")
            else:
                ax.plot([b], [y], "o", ms=9, color=c, zorder=5, gid=f"after:{ln['model']}")
    if by_place:
        ax.set_xscale("log")  # places 1..40 and beyond: the top ones apart
        ax.set_xlim(max(vals) * 1.25, 0.8)  # #1 on the right, as the best score would be
        ax.xaxis.set_major_locator(mticker.FixedLocator([p for p in (1, 2, 3, 5, 10, 20, 50, 100, 200)
                                                         if p <= max(vals) * 1.2]))
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, p: f"#{v:.0f}"))
        ax.xaxis.set_minor_locator(mticker.NullLocator())
    else:
        lo, hi = pad_limits(min(vals), max(vals), 0.05, 20)
        ax.set_xlim(lo, hi)
    ax.set_ylim(min(ys) - 0.7, 0.7)
    ax.set_yticks(ys)
    ax.set_yticklabels(labels, fontsize=fs)
    ax.tick_params(axis="y", length=0)
    for y, ln, t in zip(ys, lines, right_texts):
        up = (ln["before_rank"] or 0) > (ln["rank"] or 10 ** 6) or ln["status"] == "new"
        ax.text(1.01, y, t, transform=ax.get_yaxis_transform(), va="center", ha="left", fontsize=fs,
                color=FG if up else MUTED, fontweight="bold" if ln["status"] == "new" else "normal",
                clip_on=False)
    if gap_rows:
        ax.axhline(-(n_top - 0.5 + gap_rows / 2), color=MUTED, lw=0.8, ls=":")
        ax.text(0.005, -(n_top - 0.5 + gap_rows / 2), f"left the top {n_top}", transform=ax.get_yaxis_transform(),
                va="center", ha="left", fontsize=fs - 1, color=MUTED,
                bbox={"fc": "white", "ec": "none", "pad": 1})
    ax.set_xlabel("Place on the board (log scale)" if by_place else "Chatbot Arena score (Elo)")
    handles = [Line2D([], [], marker="o", ls="", ms=8, mfc="white", mec=FG, mew=2, label=f"the {s['since']} board"),
               Line2D([], [], marker="o", ls="", ms=9, color=FG, label=f"the {s['as_of']} board"),
               Line2D([], [], marker="*", ls="", ms=15, color=NEW, mec=FG, mew=0.8, label="new on the board")]
    legend_above(ax, handles, fontsize=10.5)
    msg = f"Top {n_top} of the {s['as_of']} board: arrows from each model's score on the {s['since']} board; " \
          "right: its place then → now."
    if by_place:
        msg = (f"The two boards come from sources on different rating scales, so the chart compares places "
               f"(each within its board), not Elo: arrows from each model's place on the {s['since']} board.")
    note(fig, msg)


KIND = ChartKind(
    name="changes",
    series=series,
    draw=draw,
    gallery=(
        ("changes", "changes since 2025-06"),
        ("digest", "digest"),
    ),
    sample={"since": "2025-01-15", "as_of": "2025-01-22",
            "rows": [{"rank": 1, "model": "a", "score": 1410.0, "before_rank": 2, "before_score": 1398.0,
                      "country": "United States", "organization": "OpenAI", "open": False},
                     {"rank": 2, "model": "b", "score": 1402.0, "before_rank": None, "before_score": None,
                      "country": "China", "organization": "DeepSeek", "open": True}],
            "left": [{"model": "c", "before_rank": 1, "before_score": 1400.0, "rank": 12, "score": 1380.0,
                      "country": "China"}],
            "scales_differ": False},
)
