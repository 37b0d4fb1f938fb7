"""Where a series moves to another source's boards.

The Arena history comes from three sources, each on its own rating scale
(the late-2025 catalog sits about 20 points above the mid-2025 CSVs), so
levels jump where a series changes source, while gaps in percent, computed
within one board, do not. Charts draw a dotted line there.
"""
from __future__ import annotations

from bot.render.charts.axes import dnum
from bot.render.charts.style import MUTED

SOURCE_SHORT = {"arena-history": "history file", "arena-csv": "CSV snapshots", "arena-catalog": "LMArena releases"}


def source_changes(points: list) -> list[list]:
    """[[date, short source name]] where a series moves to another source's boards."""
    out, prev = [], None
    for p in points:
        src = p.get("source") if isinstance(p, dict) else None
        if src and src != prev:
            if prev is not None:
                out.append([p["date"], SOURCE_SHORT.get(src, src)])
            prev = src
    return out


def mark_source_changes(ax, changes: list) -> None:
    """A dotted line and a small label at each change of source."""
    for d, name in changes or []:
        x = dnum(d)
        ax.axvline(x, color=MUTED, lw=0.9, ls=":", zorder=1, gid="source-change")
        ax.text(x, 0.02, f" {name} →", transform=ax.get_xaxis_transform(), fontsize=9, color=MUTED,
                ha="left", va="bottom")
