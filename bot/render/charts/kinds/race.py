"""The 'race' chart."""
from __future__ import annotations

from typing import Any, TypedDict

from matplotlib.figure import Figure

from bot.render.charts.axes import LEGEND_ROW, date_axis, dnum, pad_limits, style
from bot.render.charts.data import as_rows
from bot.render.charts.kind import ChartKind
from bot.render.charts.labels import end_labels, note, right_margin
from bot.render.charts.registry import ChartError
from bot.render.charts.samples import ser
from bot.render.charts.sources import broken_step, mark_source_changes, seam_xs, source_changes
from bot.render.palette import color, colors
from bot.render.text import elo


class Data(TypedDict, total=False):
    """What ``race`` reads from ``Reply.data``."""
    series: dict[str, list[list[Any]]]  # country -> [[date, best Elo, Arena name], ...]
    countries: list[str]                # drawing order
    leader: str | None
    leaders: list[list[Any]]            # [date, country, Arena name]: each change of the lead
    as_of: str | None
    board_sources: list[dict[str, Any]]  # [{date, source}]: the board each date's values come from


class Series(TypedDict):
    """What the ``race`` chart draws."""
    lines: dict[str, list[list[Any]]]   # country -> [[date, Elo, Arena name or None], ...]
    leader: str | None
    leaders: list[list[Any]]
    as_of: str | None
    source_changes: list[list[str]]     # [date, short source name] where the series moves to another source


def series(d: Data) -> Series:
    """The exact series this chart draws, from a reply's data."""
    series = d.get("series") or {}
    order = [c for c in (d.get("countries") or list(series)) if c in series]
    return {"lines": {c: [[p[0], p[1], p[2] if len(p) > 2 else None] for p in series[c]] for c in order},
            "leader": d.get("leader"), "leaders": [list(x) for x in as_rows(d.get("leaders"))],
            "as_of": d.get("as_of"), "source_changes": source_changes(as_rows(d.get("board_sources")))}


def draw(fig: Figure, s: Series, top: float) -> None:
    lines = s["lines"]
    if not any(lines.values()):
        raise ChartError("race: no series")
    leader = s.get("leader")
    ends_text = {c: f"{c}  {elo(pts[-1][1])}" for c, pts in lines.items() if pts}
    right = min(0.86, right_margin(list(ends_text.values())))
    ax = fig.add_axes([0.075, 0.12, right - 0.075, top - 0.12 - LEGEND_ROW])
    style(ax)
    xs_all, ys_all = [], []
    ends = []
    # colours in the order the lines end, top to bottom: neighbours tell apart for colour-blind readers too
    by_end = sorted((c for c in lines if lines[c]), key=lambda c: -lines[c][-1][1])
    col = dict(zip(by_end, colors(by_end)))
    seams = seam_xs(s.get("source_changes"))
    until = max(dnum(q[-1][0]) for q in lines.values() if q) + 3
    for c, pts in lines.items():
        if not pts:
            continue
        xs = [dnum(p[0]) for p in pts]
        ys = [p[1] for p in pts]
        xs_all += xs
        ys_all += ys
        lead = c == leader
        broken_step(ax, xs, ys, seams, until, color=col.get(c) or color(c), lw=3.4 if lead else 2.0, zorder=4 if lead else 3,
                    gid=f"series:{c}", solid_joinstyle="miter")
        if lead:
            ax.plot([xs[-1]], [ys[-1]], marker="*", ms=17, color=col.get(c) or col[c], mec="white", mew=1.2, zorder=6,
                    gid="leader")
        ends.append((ys[-1], ends_text[c], col[c]))
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
                color=col.get(leader) or color(leader))
    changes = [x for x in s.get("leaders", [])[1:]][-4:]
    for d, c, _name in changes:
        x = dnum(d)
        ax.axvline(x, color=col.get(c) or color(c), lw=1, ls=":", zorder=1)
        ax.text(x, 0.86, f" {c} leads", transform=ax.get_xaxis_transform(), fontsize=10, color=col.get(c) or color(c),
                rotation=90, va="top", ha="right")
    end_labels(ax, ends, bold={ends_text.get(leader)} if leader else None)
    note(fig, "Each line: the best-rated model from that country in each Arena snapshot (step = the value "
              "holds until the next snapshot); a break: the boards' source changes, and its rating scale.")


KIND = ChartKind(
    name="race",
    series=series,
    draw=draw,
    gallery=(
        ("race", "race"),
    ),
    sample={"series": {"United States": ser(1300), "China": ser(1250)}, "countries": ["United States", "China"],
            "leader": "United States", "leaders": [["2024-06-19", "United States", "m"]]},
)
