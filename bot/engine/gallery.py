"""The gallery: every chart kind answered by the engine from the real data and rendered into a
folder (``racebot gallery DIR``, ``make gallery``). Engine-level: it asks the engine the
gallery's command lines, as a user would, and renders their charts with the engine's service."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from bot.render.charts.registry import gallery_lines

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.reply import Reply


def gallery(engine: Engine, folder: str | os.PathLike) -> list[Path]:
    """Render every chart kind from the engine's data into `folder`:
    one PNG per example and an index.md. Returns the paths written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    rows: list[tuple[str, str, Reply | None, str]] = []
    for slug, line in gallery_lines():
        reply = engine.handle(line)
        if reply.chart is None or reply.status != "ok":
            rows.append((slug, line, None, f"no chart ({reply.status}): {reply.text[:80]}"))
            continue
        png = engine.charts.render(reply)
        p = out / f"{slug}.png"
        p.write_bytes(png)
        written.append(p)
        rows.append((slug, line, reply, f"{len(png) // 1024} KB"))
    lines = ["# Chart gallery", "",
             "Every chart kind the bot draws, rendered from the real seed data "
             "(`make gallery`, that is `racebot gallery docs/gallery`). 1200x675 PNG each.", "",
             "One look for every chart: a solid white background that reads inside Discord's dark and light "
             "themes; the Okabe-Ito colour-blind-safe palette with one fixed colour per country and major "
             "organisation (`bot/render/palette.py`); the reply's title, and its source and as-of date as the "
             "subtitle; direct labels on the few points that matter, placed so they never overlap; legends "
             "outside the data. Each PNG is a 256-colour image of 20-60 KB.", ""]
    for slug, line, drawn, info in rows:
        lines.append(f"## `{line}`")
        lines.append("")
        if drawn is None or drawn.chart is None:
            lines.append(f"_{info}_")
        else:
            lines.append(f"Kind `{drawn.chart.kind}` · {drawn.title} · {info}")
            lines.append("")
            lines.append(f"![{line}]({slug}.png)")
        lines.append("")
    idx = out / "index.md"
    idx.write_text("\n".join(lines), encoding="utf-8")
    written.append(idx)
    return written
