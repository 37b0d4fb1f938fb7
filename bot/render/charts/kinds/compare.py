"""The 'compare' chart."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypedDict

import matplotlib.ticker as mticker
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.render.charts.axes import bars, date_axis, dnum, log_axis, model_colors, pad_limits, style
from bot.render.charts.data import as_rows
from bot.render.charts.kind import ChartKind
from bot.render.charts.labels import end_labels, note, short, wrap_label
from bot.render.charts.registry import ChartError
from bot.render.charts.sources import broken_step, mark_source_changes, seam_xs, source_changes
from bot.render.charts.samples import DAYS
from bot.render.charts.style import MUTED
from bot.render.text import big, elo, sci


class ModelData(TypedDict, total=False):
    name: str
    organization: str | None
    country: str | None
    arena: dict[str, Any] | None        # {"score": Elo, ...} of its latest Arena entry, or None
    scores: dict[str, float | None]     # benchmark -> score as a fraction 0..1
    parameters: float | None
    training_compute: float | None      # FLOP


class Data(TypedDict, total=False):
    """What ``compare`` reads from ``Reply.data``."""
    models: list[ModelData]             # two to six models, in the order asked
    benchmarks: list[str]               # the benchmarks they share
    history: dict[str, list[list[Any]]]  # model name -> [[date, Arena Elo], ...]
    board_sources: list[dict[str, Any]]  # [{date, source}]: the rating scale each board date is on (its runs)


class Series(TypedDict):
    """What the ``compare`` chart draws (one entry per model in each list)."""
    models: list[str]
    organizations: list[str | None]
    countries: list[str | None]
    benchmarks: list[str]
    scores: dict[str, list[float | None]]   # benchmark -> percent (0..100) per model
    arena: list[float | None]               # latest Arena Elo per model
    parameters: list[float | None]
    training_compute: list[float | None]
    history: dict[str, list[list[Any]]]     # model name -> [[date, Elo], ...]
    source_changes: list[list[str]]     # [date, short source name] where the history moves to another source


def series(d: Data) -> Series:
    """The exact series this chart draws, from a reply's data."""
    models = as_rows(d.get("models"))
    names = [m["name"] for m in models]
    benches = [b for b in as_rows(d.get("benchmarks"))]
    scores = {b: [(m.get("scores") or {}).get(b) for m in models] for b in benches}
    scores = {b: [None if v is None else v * 100 for v in vals] for b, vals in scores.items()}
    hist = d.get("history") or {}
    return {"models": names, "organizations": [m.get("organization") for m in models],
            "countries": [m.get("country") for m in models], "benchmarks": benches, "scores": scores,
            "arena": [m["arena"]["score"] if m.get("arena") else None for m in models],
            "parameters": [m.get("parameters") for m in models],
            "training_compute": [m.get("training_compute") for m in models],
            "history": {n: [[p[0], p[1]] for p in as_rows(hist.get(n))] for n in names},
            "source_changes": source_changes(as_rows(d.get("board_sources")))}


def draw(fig: Figure, s: Series, top: float) -> None:
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
            ax1.set_xticklabels([wrap_label(n, 14, 2) for n, _, _ in have], fontsize=10)
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
        broken_step(ax2, xs, ys, seam_xs(s["source_changes"]), xs[-1] + 3, color=c, lw=2.2, gid=f"series:{n}")
        ends.append((ys[-1], elo(ys[-1]), c))
    ax2.set_title("Chatbot Arena score over time", fontsize=13, loc="left", fontweight="bold")
    if xs_all:
        date_axis(ax2, min(xs_all) - 5, max(xs_all) + 5)
        ylo, yhi = pad_limits(min(ys_all), max(ys_all), 0.08, 20)
        ax2.set_ylim(ylo, yhi)
        ax2.set_ylabel("Arena score (Elo)")
        mark_source_changes(ax2, [ch for ch in s["source_changes"] if min(xs_all) < dnum(ch[0]) <= max(xs_all)],
                            fontsize=9)
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


def _compare_sizes(fig: Figure, s: Series, cols: list[str], top2: float) -> None:
    """Models with neither benchmarks nor Arena: compare size and compute."""
    names = s["models"]
    panels: tuple[tuple[str, list[float | None], str, Callable[[float], str]], ...] = (
        ("parameters", s["parameters"], "Parameters", big),
        ("training_compute", s["training_compute"], "Training compute (FLOP)", sci))
    for i, (key, vals, title, fmt) in enumerate(panels):
        ax = fig.add_axes([0.07 + i * 0.49, 0.15, 0.40, top2 - 0.15])
        style(ax)
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
        for j, value in enumerate(vals):
            if not value:
                ax.text(j, lo / 10, "n/d", ha="center", va="bottom", fontsize=10, color=MUTED)
    note(fig, "None of these models has benchmark scores or an Arena rating; sizes and compute as Epoch AI reports them.")


KIND = ChartKind(
    name="compare",
    series=series,
    draw=draw,
    gallery=(
        ("compare", "compare gpt-4o vs deepseek r1 vs claude 3.5 sonnet"),
    ),
    sample={"models": [{"name": "a", "organization": "OpenAI", "country": "United States",
                        "arena": {"score": 1400}, "scores": {"GPQA diamond": 0.5}},
                       {"name": "b", "organization": "DeepSeek", "country": "China", "arena": None,
                        "scores": {"GPQA diamond": 0.6}}],
            "benchmarks": ["GPQA diamond"], "history": {"a": [[d, 1400] for d in DAYS]}},
)
