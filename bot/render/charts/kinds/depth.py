"""The 'depth' chart: each country's share of the Arena top n, board by board."""
from __future__ import annotations

from typing import TypedDict

import matplotlib.ticker as mticker
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.render.charts.axes import date_axis, dnum, style
from bot.render.charts.data import as_rows
from bot.render.charts.kind import ChartKind
from bot.render.charts.labels import note, short, text_w
from bot.render.charts.registry import ChartError
from bot.render.charts.samples import DAYS
from bot.render.charts.style import FG, W
from bot.render.palette import colors


class Data(TypedDict, total=False):
    """What ``depth`` reads from ``Reply.data``."""
    n: int                              # the top n counted on each board
    dates: list[str]                    # the boards' dates
    counts: dict[str, list[int]]        # country (or "other") -> its models in the top n, aligned with dates
    as_of: str | None
    all_listed: bool                    # True: retired models counted too (`all`)


class Series(TypedDict):
    """What the ``depth`` chart draws (lists aligned with ``dates``)."""
    n: int
    dates: list[str]
    counts: dict[str, list[int]]
    shares: dict[str, list[float]]      # country -> share of the top n, percent
    as_of: str | None
    all_listed: bool


def series(d: Data) -> Series:
    """The exact series this chart draws, from a reply's data: counts and shares (%) per country."""
    dates = [str(x) for x in as_rows(d.get("dates"))]
    n = d.get("n") or 1
    counts = {c: list(v) for c, v in (d.get("counts") or {}).items() if len(v) == len(dates)}
    return {"n": n, "dates": dates, "counts": counts,
            "shares": {c: [k / n * 100 for k in v] for c, v in counts.items()}, "as_of": d.get("as_of"),
            "all_listed": bool(d.get("all_listed"))}


def draw(fig: Figure, s: Series, top: float) -> None:
    """Stacked shares (steps: a board's shares hold until the next board)."""
    dates, shares = s["dates"], s["shares"]
    if not dates or not shares:
        raise ChartError("depth: no data")
    names = list(shares)
    cols = colors(names)  # neighbours in the stack tell apart for colour-blind readers too
    right = 1 - (max(text_w(short(c, 22), 11) for c in names) + 70) / W
    ax = fig.add_axes([0.075, 0.12, right - 0.075, top - 0.12])
    style(ax)
    xs = [dnum(d) for d in dates]
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


KIND = ChartKind(
    name="depth",
    series=series,
    draw=draw,
    gallery=(
        ("depth", "depth"),
        ("depth-top-10", "depth 10 since 2024"),
    ),
    sample={"n": 10, "dates": DAYS, "as_of": DAYS[-1],
            "counts": {"United States": [7, 6, 6, 5, 5], "China": [2, 3, 3, 4, 5], "other": [1, 1, 1, 1, 0]}},
)
