"""The gallery: every chart kind answered by the engine from the real data and rendered into a
folder (``racebot gallery DIR``, ``make gallery``), with a manifest of what each chart draws.
Engine-level: it asks the engine the gallery's command lines, as a user would, and renders their
charts with the engine's chart service. (Timing the renders is a benchmark: ``benchmarks/charts.py``.)"""
from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.render.charts.data import chart_series
from bot.render.charts.registry import gallery_lines

if TYPE_CHECKING:
    from bot.engine import Engine


MANIFEST = "manifest.json"


def gallery_day(engine: Engine) -> date:
    """The day the gallery is drawn on: the data's newest Arena board (so no answer in it
    carries an age that changes with the day it is regenerated)."""
    latest = engine.read_model().latest
    return date.fromisoformat(latest) if latest else engine.clock()


def spec_digest(reply) -> str:
    """A digest of exactly what a reply's chart draws: its kind, its series (the kind's
    ``series`` of the reply's data), title and subtitle. The same on every machine (no
    pixels, no fonts): what the committed gallery's manifest records for each chart."""
    spec = {"kind": reply.chart.kind, "series": chart_series(reply.chart.kind, reply.data),
            "title": reply.title, "subtitle": reply.footer}
    blob = json.dumps(spec, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def gallery_replies(engine: Engine) -> list[tuple[str, str, Any]]:
    """(slug, command line, reply) of every gallery example, answered on :func:`gallery_day`."""
    clock = engine.clock
    day = gallery_day(engine)
    engine.clock = lambda: day
    try:
        return [(slug, line, engine.handle(line)) for slug, line in gallery_lines()]
    finally:
        engine.clock = clock


def _entry(line: str, reply) -> dict[str, str]:
    if reply.chart is None or reply.status != "ok":
        return {"line": line, "kind": "none", "spec": "none"}
    return {"line": line, "kind": reply.chart.kind, "spec": spec_digest(reply)}


def manifest(engine: Engine) -> dict[str, dict[str, str]]:
    """What the gallery holds, chart by chart: {slug: {line, kind, spec}} (``spec``: :func:`spec_digest`;
    an example that draws no chart has kind and spec "none")."""
    return {slug: _entry(line, reply) for slug, line, reply in gallery_replies(engine)}


def gallery(engine: Engine, folder: str | os.PathLike) -> list[Path]:
    """Render every chart kind from the engine's data into `folder`: one PNG per
    example, an index.md and the manifest (what each PNG draws, as a digest; a test
    compares it with what the code draws now). Old PNGs are removed. Returns the paths written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    written: list[Path] = []
    rows = []
    specs: dict[str, dict[str, str]] = {}
    for slug, line, reply in gallery_replies(engine):
        specs[slug] = _entry(line, reply)
        if specs[slug]["kind"] == "none":
            rows.append((slug, line, None, f"no chart ({reply.status}): {reply.text[:80]}"))
            continue
        png = engine.charts.render(reply)
        p = out / f"{slug}.png"
        p.write_bytes(png)
        written.append(p)
        rows.append((slug, line, reply, f"{len(png) // 1024} KB"))
    lines = ["# Chart gallery", "",
             "Every chart kind the bot draws, rendered from the real seed data by `make gallery` "
             "(answers as on the day of the data's newest board). 1200x675 PNG each. "
             f"`{MANIFEST}` records a digest of what each chart draws; a test fails when the code "
             "would draw something else: run `make gallery` and commit the result.", "",
             "One look for every chart: a solid white background that reads inside Discord's dark and light "
             "themes; the Okabe-Ito colour-blind-safe palette with one fixed colour per country and major "
             "organisation (`bot/render/palette.py`), series side by side kept apart for protanopia and "
             "deuteranopia too; the reply's title, and its source and as-of date as the subtitle; direct "
             "labels on the few points that matter, placed so they never overlap; a break with a labelled "
             "marker where the boards' source (and rating scale) changes; legends outside the data.", ""]
    for slug, line, reply, info in rows:
        lines.append(f"## `{line}`")
        lines.append("")
        if reply is None:
            lines.append(f"_{info}_")
        else:
            lines.append(f"Kind `{reply.chart.kind}` · {reply.title} · {info}")
            lines.append("")
            lines.append(f"![{line}]({slug}.png)")
        lines.append("")
    idx = out / "index.md"
    idx.write_text("\n".join(lines), encoding="utf-8")
    written.append(idx)
    man = out / MANIFEST
    man.write_text(json.dumps(specs, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(man)
    return written
