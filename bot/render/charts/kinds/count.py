"""The 'count' chart."""
from __future__ import annotations

from typing import TypedDict

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.render.charts.axes import bars, style
from bot.render.charts.data import as_rows
from bot.render.charts.kind import ChartKind
from bot.render.charts.labels import note, short, text_w
from bot.render.charts.registry import ChartError
from bot.render.charts.style import FG, W
from bot.render.palette import colors


class Reference(TypedDict, total=False):
    subject: str | None                 # e.g. "United States"
    value: float | None                 # the AI Index's count


class Data(TypedDict, total=False):
    """What ``count`` reads from ``Reply.data``."""
    by: str | None                      # "country", "organisation", "sector" or None (all)
    year: str | None                    # the year asked about, if any
    years: list[str | int]
    groups: dict[str, list[int]]        # group -> models per year (aligned with years)
    reference: list[Reference]


class Series(TypedDict):
    """What the ``count`` chart draws: stacked bars per year."""
    by: str | None
    year: str | None
    years: list[str]
    groups: dict[str, list[int]]
    totals: list[int]                   # per year, over all groups
    reference: list[Reference]


def series(d: Data) -> Series:
    """The exact series this chart draws, from a reply's data."""
    years = [str(y) for y in as_rows(d.get("years"))]
    groups = {g: list(v) for g, v in (d.get("groups") or {}).items()}
    totals = [sum(v[i] for v in groups.values()) for i in range(len(years))]
    return {"by": d.get("by"), "year": d.get("year"), "years": years, "groups": groups, "totals": totals,
            "reference": [{"subject": r.get("subject"), "value": r.get("value")} for r in as_rows(d.get("reference"))]}


def draw(fig: Figure, s: Series, top: float) -> None:
    years, groups = s["years"], s["groups"]
    if not years or not groups:
        raise ChartError("count: no data")
    names = list(groups)
    cols = colors(names)  # neighbours in the stack tell apart for colour-blind readers too
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
              title=(s["by"] or "group").replace("organization", "organisation").capitalize(),
              title_fontsize=11.5, frameon=False)
    refs = s.get("reference") or []
    if refs:
        note(fig, f"AI Index 2025 counted for {sel}: " + ", ".join(f"{r['subject']} {r['value']:.0f}" for r in refs)
             + " (Epoch AI has revised its data since, so the counts differ).")
    else:
        note(fig, f"Counted by the first {s.get('by', 'group')} Epoch AI lists for each model; the latest year may be incomplete.")


KIND = ChartKind(
    name="count",
    series=series,
    draw=draw,
    gallery=(
        ("count", "count"),
        ("count-2024-by-country", "count 2024 by country"),
        ("count-by-sector", "count by sector"),
    ),
    sample={"by": "country", "year": "2024", "years": ["2023", "2024"],
            "groups": {"United States": [3, 4], "China": [1, 2], "other": [1, 1]},
            "reference": [{"subject": "China", "value": 15.0}]},
)
