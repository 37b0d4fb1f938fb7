"""The gallery (every chart kind rendered from the real data into a folder)
and chart measurements (cold renders, cache hits, event-loop lag)."""
from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from datetime import date
from pathlib import Path
from typing import Any

from bot.render.charts.registry import gallery_lines
from bot.render.charts.service import timed_render


MANIFEST = "manifest.json"


def gallery_day(engine) -> date:
    """The day the gallery is drawn on: the data's newest Arena board (so no answer in it
    carries an age that changes with the day it is regenerated)."""
    latest = engine.read_model().latest
    return date.fromisoformat(latest) if latest else engine.clock()


def spec_digest(reply) -> str:
    """A digest of exactly what a reply's chart draws: its kind, its series (the kind's
    ``series`` of the reply's data), title and subtitle. The same on every machine (no
    pixels, no fonts): what the committed gallery's manifest records for each chart."""
    from bot.render.charts.data import chart_series

    spec = {"kind": reply.chart.kind, "series": chart_series(reply.chart.kind, reply.data),
            "title": reply.title, "subtitle": reply.footer}
    blob = json.dumps(spec, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def gallery_replies(engine) -> list[tuple[str, str, Any]]:
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


def manifest(engine) -> dict[str, dict[str, str]]:
    """What the gallery holds, chart by chart: {slug: {line, kind, spec}} (``spec``: :func:`spec_digest`;
    an example that draws no chart has kind and spec "none")."""
    return {slug: _entry(line, reply) for slug, line, reply in gallery_replies(engine)}


def gallery(engine, folder: str | os.PathLike) -> list[Path]:
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


def _pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    i = min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))
    return s[i]


def time_renders(svc, replies: list, *, rounds: int, repeats: int) -> tuple[list[float], list[float], list[int]]:
    """Milliseconds of each reply's chart rendered with an empty cache (`rounds`
    times each), then of `repeats` cache hits each, and the PNGs' sizes."""
    cold, sizes = [], []
    for _ in range(rounds):
        for r in replies:
            svc.clear()
            t0 = time.perf_counter()
            png = svc.render(r)
            cold.append((time.perf_counter() - t0) * 1000)
            sizes.append(len(png))
    cached = []
    for r in replies:
        svc.render(r)
        for _ in range(repeats):
            t0 = time.perf_counter()
            svc.render(r)
            cached.append((time.perf_counter() - t0) * 1000)
    return cold, cached, sizes


def measure(engine, *, rounds: int = 2, concurrent_charts: int = 16, lines: list[str] | None = None) -> dict:
    """Time chart rendering on this machine (milliseconds).

    cold_*: a render with an empty cache (worker pool warm), one at a time;
    cached_*: the same request again; loop_lag_*: how late a 5 ms
    asyncio.sleep wakes up while `concurrent_charts` different charts render
    at once through ``render_async``; worker_*: ``render_png`` alone, timed
    inside a worker (no IPC). Uses the engine's chart service (and clears
    its cache). `lines`: the command lines to chart (default: the gallery's)."""
    svc = engine.charts
    svc.warm(wait=True)
    replies = []
    for line in lines or [line for _slug, line in gallery_lines()]:
        r = engine.handle(line)
        if r.chart is not None and r.status == "ok":
            replies.append(r)
    cold, cached, _sizes = time_renders(svc, replies, rounds=rounds, repeats=20)

    # 16 different charts at once: vary the titles so none is shared or cached
    from dataclasses import replace

    batch = [replace(replies[i % len(replies)], title=f"{replies[i % len(replies)].title} ({i})")
             for i in range(concurrent_charts)]

    async def lagged() -> tuple[list[float], float]:
        from bot.looplag import LagProbe

        async with LagProbe() as probe:
            await asyncio.sleep(0.05)
            svc.clear()
            t0 = time.perf_counter()
            await asyncio.gather(*(svc.render_async(r) for r in batch))
            wall = (time.perf_counter() - t0) * 1000
        return probe.lags, wall

    lags, wall = asyncio.run(lagged())
    # the drawing alone, timed inside a worker (keeps matplotlib out of this process)
    pool = svc._process_pool()
    worker = []
    for r in replies:
        args = (r.chart.kind, r.data, r.title, r.footer)
        worker.append(pool.submit(timed_render, *args).result(svc.timeout) if pool else timed_render(*args))
    res = {
        "charts": len(replies),
        "workers": svc.workers,
        "processes": svc.use_processes and svc._broken_at is None,
        "cold_p50_ms": round(_pct(cold, 50), 1),
        "cold_p95_ms": round(_pct(cold, 95), 1),
        "cold_max_ms": round(max(cold), 1),
        "cached_p50_ms": round(_pct(cached, 50), 3),
        "cached_p99_ms": round(_pct(cached, 99), 3),
        "loop_lag_p50_ms": round(_pct(lags, 50), 2),
        "loop_lag_p99_ms": round(_pct(lags, 99), 2),
        "loop_lag_max_ms": round(max(lags) if lags else 0, 2),
        "concurrent": concurrent_charts,
        "concurrent_wall_ms": round(wall, 1),
        "worker_p50_ms": round(_pct(worker, 50), 1),
    }
    res["targets_met"] = bool(res["cold_p50_ms"] < 150 and res["cached_p50_ms"] < 2 and res["loop_lag_p99_ms"] < 20)
    svc.clear()
    return res
