"""The 'model' chart."""
from __future__ import annotations

from typing import Any, TypedDict

import matplotlib
import matplotlib.ticker as mticker
from matplotlib.figure import Figure

from bot.render.charts.axes import date_axis, dnum, hold, pad_limits, style
from bot.render.charts.data import as_rows
from bot.render.charts.kind import ChartKind
from bot.render.charts.labels import fit_text, note, short, text_w
from bot.render.charts.samples import DAYS
from bot.render.charts.sources import broken_step, mark_source_changes, seam_xs, source_changes
from bot.render.charts.style import FG, MUTED, W
from bot.render.palette import GREY, color
from bot.render.text import big, elo, sci


class Data(TypedDict, total=False):
    """What ``model`` reads from ``Reply.data``."""
    model: dict[str, Any]               # name, organization, country, release_date, parameters,
                                        # training_compute, access, scores {benchmark: 0..1}, arena {name}
    history: list[list[Any]]            # [date, Arena Elo, rank]
    neighbours: list[dict[str, Any]]    # one board only: the models around it there, best first:
                                        # {rank, model, score, ci_plus, ci_minus, organization, country, self}
    board_sources: list[dict[str, Any]]  # [{date, source}]: the rating scale each board date is on (its runs)


class Series(TypedDict):
    """What the ``model`` chart draws."""
    name: str | None
    organization: str | None
    country: str | None
    history: list[list[Any]]            # [date, Elo, rank or None]
    facts: dict[str, Any]               # release_date, parameters, training_compute, access
    scores: dict[str, float]            # benchmark -> percent
    arena_name: str | None
    neighbours: list[dict[str, Any]]    # the models around it on its only board (the Data's), best first
    source_changes: list[list[str]]     # [date, short source name] where the history moves to another source


def series(d: Data) -> Series:
    """The exact series this chart draws, from a reply's data."""
    m = d.get("model") or {}
    return {"name": m.get("name"), "organization": m.get("organization"), "country": m.get("country"),
            "history": [[p[0], p[1], p[2] if len(p) > 2 else None] for p in as_rows(d.get("history"))],
            "facts": {k: m.get(k) for k in ("release_date", "parameters", "training_compute", "access")},
            "scores": {b: v * 100 for b, v in (m.get("scores") or {}).items() if v is not None},
            "arena_name": (m.get("arena") or {}).get("name"),
            "neighbours": [dict(n) for n in as_rows(d.get("neighbours")) if isinstance(n, dict)],
            "source_changes": source_changes(as_rows(d.get("board_sources")))}


def draw(fig: Figure, s: Series, top: float) -> None:
    hist = s["history"]
    c = color(s.get("organization") or s.get("country"))
    box_x = 0.70
    top -= 0.045
    if len(hist) == 1 and any(n.get("self") for n in s["neighbours"]):
        _neighbours_panel(fig, s, c, hist[0], box_x, top)
    elif hist:
        h_all = top - 0.11
        ax1 = fig.add_axes([0.075, 0.11 + h_all * 0.36, box_x - 0.11, h_all * 0.64])
        ax2 = fig.add_axes([0.075, 0.11, box_x - 0.11, h_all * 0.30], sharex=ax1)
        style(ax1)
        style(ax2)
        xs = [dnum(p[0]) for p in hist]
        ys = [p[1] for p in hist]
        seams = seam_xs(s["source_changes"])
        broken_step(ax1, xs, ys, seams, xs[-1] + 3, color=c, lw=2.6, gid="series:score")
        ax1.plot([xs[-1]], [ys[-1]], "o", color=c, ms=8)
        ylo, yhi = pad_limits(min(ys), max(ys), 0.12, 20)
        ax1.set_ylim(ylo, yhi)
        ax1.set_ylabel("Arena score (Elo)")
        ax1.tick_params(axis="x", labelbottom=False)
        ranks = [p[2] for p in hist if p[2] is not None]
        if ranks:
            rx = [dnum(p[0]) for p in hist if p[2] is not None]
            ax2.step(*hold(rx, ranks, rx[-1] + 3), where="post", color=MUTED, lw=2, gid="series:rank")
            ax2.set_ylim(max(ranks) * 1.15 + 1, 0.5 if min(ranks) <= 1 else min(ranks) * 0.8)
            ax2.yaxis.set_major_locator(mticker.MaxNLocator(4, integer=True))
        ax2.set_ylabel("Rank")
        date_axis(ax2, min(xs) - 5, max(xs) + 5)
        inside = [ch for ch in s["source_changes"] if xs[0] < dnum(ch[0]) <= xs[-1]]
        mark_source_changes(ax1, inside, fontsize=9)
        mark_source_changes(ax2, inside, label=False)
        last = hist[-1]
        t = f"Chatbot Arena{' as “' + short(s['arena_name'], 34) + '”' if s.get('arena_name') else ''}: " \
            f"{elo(last[1])} Elo" + (f", rank {last[2]}" if last[2] is not None else "") + f" on {last[0]}"
        ax1.set_title(t, fontsize=12, loc="left", color=FG)
    else:
        box_x = 0.06
    lines = [("Organisation", s.get("organization") or "unknown"), ("Country", s.get("country") or "unknown")]
    f = s["facts"]
    if f.get("release_date"):
        lines.append(("Released", f["release_date"]))
    lines.append(("Parameters", big(f["parameters"]) if f.get("parameters") else "not disclosed"))
    lines.append(("Training compute", f"{sci(f['training_compute'])} FLOP" if f.get("training_compute") else "not disclosed"))
    lines.append(("Access", f.get("access") or "unknown"))
    for b, score in list(s["scores"].items())[:4]:
        lines.append((short(b, 26), f"{score:.1f}%"))
    y = top - 0.01
    fig.patches.append(matplotlib.patches.FancyBboxPatch(
        (box_x, 0.11), 0.975 - box_x, top - 0.11, boxstyle="round,pad=0.005", transform=fig.transFigure,
        fc="#F5F6F8", ec="#D8DADF", zorder=0))
    name = fig.text(box_x + 0.015, y - 0.01, s.get("name") or "", fontsize=14, fontweight="bold", va="top",
                    color=c)
    fit_text(name, (0.975 - box_x - 0.03) * W, min_size=10)
    y -= 0.075
    # one row per fact: the name muted on the left, the value on the right
    step = max(0.042, min(0.06, (y - 0.12) / max(1, len(lines))))
    size = 11.5 if step > 0.05 else 10.5
    right = 0.975 - 0.012
    for k, v in lines:
        fig.text(box_x + 0.015, y, k, fontsize=size - 1, color=MUTED, va="top")
        val = fig.text(right, y, short(str(v), 32), fontsize=size, color=FG, va="top", ha="right")
        key_w = text_w(k, size - 1) / W
        fit_text(val, (right - box_x - 0.03 - key_w) * W, min_size=8)
        y -= step


def _neighbours_panel(fig: Figure, s: Series, c: str, only: list, box_x: float, top: float) -> None:
    """A model on one board only: where it stands there, among the models around it (no line from one point)."""
    rows = s["neighbours"]
    n = len(rows)
    labels = [f"{r.get('rank')}. {short(r.get('model'), 30)}" for r in rows]
    left = 0.03 + (max(text_w(t, 11) for t in labels) + 12) / W
    ax = fig.add_axes([left, 0.13, box_x - 0.04 - left, top - 0.13 - 0.05])
    style(ax, "x")
    ys = list(range(n))[::-1]
    for y, r in zip(ys, rows):
        me = bool(r.get("self"))
        col = c if me else GREY
        lo, hi = r["score"] - (r.get("ci_minus") or 0), r["score"] + (r.get("ci_plus") or 0)
        ax.plot([lo, hi], [y, y], color=col, lw=2.2 if me else 1.4, solid_capstyle="butt", zorder=3)
        ax.plot([r["score"]], [y], "o", ms=11 if me else 7, color=col, zorder=4,
                gid="self" if me else "neighbour")
    vals = [r["score"] - (r.get("ci_minus") or 0) for r in rows] + [r["score"] + (r.get("ci_plus") or 0) for r in rows]
    xlo, xhi = pad_limits(min(vals), max(vals), 0.06, 10)
    ax.set_xlim(xlo, xhi)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_yticks(ys)
    ax.set_yticklabels(labels, fontsize=11)
    for tick, r in zip(ax.get_yticklabels(), rows):
        if r.get("self"):
            tick.set_fontweight("bold")
            tick.set_color(c)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("Arena score (Elo; bars = 95% CI)")
    t = (f"Chatbot Arena{' as “' + short(s['arena_name'], 34) + '”' if s.get('arena_name') else ''}: "
         f"{elo(only[1])} Elo" + (f", rank {only[2]}" if only[2] is not None else "") + f" on {only[0]}, "
         "its only board so far")
    title = fig.text(0.03, top - 0.005, t, fontsize=12, color=FG, va="top", ha="left")
    fit_text(title, (box_x - 0.05) * W, min_size=9)
    note(fig, "Its neighbours on that board: the models just above and below it, with their 95% intervals.")

KIND = ChartKind(
    name="model",
    series=series,
    draw=draw,
    gallery=(
        ("model", "model deepseek r1"),
    ),
    sample={"model": {"name": "a", "organization": "OpenAI", "country": "United States", "parameters": 1e11,
                      "training_compute": 3e24, "scores": {"GPQA diamond": 0.5}, "arena": {"name": "a"}},
            "history": [[d, 1350 + i, 3 + i] for i, d in enumerate(DAYS)]},
)
