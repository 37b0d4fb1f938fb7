"""The 'timeline' chart."""
from __future__ import annotations

import zlib
from typing import Any, TypedDict

import matplotlib.dates as mdates
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from bot.render.charts.axes import LEGEND_ROW, date_axis, dnum, legend_above, log_axis, style
from bot.render.charts.data import as_rows
from bot.render.charts.kind import ChartKind
from bot.render.charts.labels import note, place_labels, short
from bot.render.charts.registry import ChartError
from bot.render.charts.samples import POINTS
from bot.render.charts.style import FG, MUTED
from bot.render.palette import COLORS, color
from bot.render.text import month


class Data(TypedDict, total=False):
    """What ``timeline`` reads from ``Reply.data``."""
    label: str
    events: list[list[Any]]             # [release date, name, organisation, country, training FLOP, frontier]


class Series(TypedDict):
    """What the ``timeline`` chart draws."""
    label: str | None
    events: list[list[Any]]             # those with a release date


def series(d: Data) -> Series:
    """The exact series this chart draws, from a reply's data."""
    ev = [list(e) for e in as_rows(d.get("events")) if e and e[0]]
    return {"label": d.get("label"), "events": ev}


def draw(fig: Figure, s: Series, top: float) -> None:
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
        cnt: dict[str, int] = {}
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
    handles: list[Artist] = [Line2D([], [], marker="o", ls="", ms=10, color=color(label) if single else FG,
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
    note(fig, f"{len(ev)} notable releases since {month(mdates.num2date(lo).date().isoformat())}, "
              f"{n_front} of them frontier models. Labels: the latest frontier models and the largest.")


KIND = ChartKind(
    name="timeline",
    series=series,
    draw=draw,
    gallery=(
        ("timeline", "timeline openai"),
        ("timeline-all", "timeline"),
    ),
    sample={"label": "OpenAI", "events": [[p[1], p[0], "OpenAI", "United States", p[2] if i % 3 else None,
                                           i % 4 == 0] for i, p in enumerate(POINTS)]},
)
