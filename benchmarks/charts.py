"""Charts: the project's renderer (worker processes, a cache) beside a
minimal pyplot chart of the same data rendered in a thread, the way most
bots do it (``await asyncio.to_thread(draw)`` around ``plt.subplots``,
``plot``, ``savefig``, no cache). Cold, cached, the event loop's lag while
16 different charts render, and the first chart after a process starts."""
from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.common import QUICK, ROOT, pct
from benchmarks.text import gallery_lines


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


def _d(x: Any):
    try:
        return date.fromisoformat(str(x)[:10])
    except ValueError:
        return date(int(str(x)[:4]), 7, 1)


def minimal_pyplot(kind: str, s: dict, title: str | None) -> bytes:
    """The same data as a plain pyplot chart: the obvious plot for each kind,
    default style, 1200x675 PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(12, 6.75), dpi=100)
    if kind == "race":
        for c, pts in s["lines"].items():
            ax.plot([_d(p[0]) for p in pts], [p[1] for p in pts], label=c)
        ax.legend()
    elif kind == "gap":
        ax.plot([_d(d) for d in s["dates"]], s["pct"], label=f"{s['x']} vs {s['y']}")
    elif kind == "frontier":
        ax.plot([_d(d) for d in s["dates"]], s["spread_pct"], label="1 vs n")
        ax.plot([_d(d) for d in s["dates"]], s["top2_pct"], label="1 vs 2")
        ax.legend()
    elif kind == "top":
        rows = s["rows"][::-1]
        ax.barh([r["model"] for r in rows], [r["score"] for r in rows])
    elif kind == "small":
        pts = s["points"]
        ax.scatter([_d(p[3]) for p in pts], [p[1] for p in pts], s=10)
        ax.set_yscale("log")
    elif kind == "count":
        bottom = [0] * len(s["years"])
        for g, vals in s["groups"].items():
            ax.bar(s["years"], vals, bottom=bottom, label=g)
            bottom = [a + b for a, b in zip(bottom, vals)]
        ax.legend()
    elif kind in ("compute", "timeline"):
        pts = s["points"] if kind == "compute" else [[e[1], e[0], e[4]] for e in s["events"] if e[4]]
        ax.scatter([_d(p[1]) for p in pts], [p[2] for p in pts], s=10)
        ax.set_yscale("log")
    elif kind == "compare":
        for name, pts in s["history"].items():
            if pts:
                ax.plot([_d(p[0]) for p in pts], [p[1] for p in pts], label=name)
        ax.legend()
    else:  # model, org, country: a history line
        pts = s.get("history") or []
        ax.plot([_d(p[0]) for p in pts], [p[1] for p in pts])
    ax.set_title(title or kind)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _replies(engine) -> list:
    out = []
    for line in gallery_lines():
        r = engine.handle(line)
        if r.chart is not None and r.status == "ok":
            out.append(r)
    return out


def _pyplot_args(r) -> tuple:
    try:
        from bot.render.charts.data import chart_series
    except ImportError:  # before the charts were split into a package
        from bot.render.chart_data import chart_series  # type: ignore[no-redef]

    return r.chart.kind, chart_series(r.chart.kind, r.data), r.title


async def _lag(render_all) -> tuple[list[float], float]:
    from bot.looplag import LagProbe

    async with LagProbe() as probe:
        await asyncio.sleep(0.05)
        t0 = time.perf_counter()
        await render_all()
        wall = (time.perf_counter() - t0) * 1000
    return probe.lags, wall


def bench_charts(engine) -> dict[str, Any]:
    svc = engine.charts
    svc.warm(wait=True)
    replies = _replies(engine)
    rounds = 1 if QUICK else 2
    ours_cold, ours_cached, ours_size = time_renders(svc, replies, rounds=rounds, repeats=10)
    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bench-pyplot")
    try:
        thread.submit(minimal_pyplot, *_pyplot_args(replies[0])).result()  # matplotlib imported, fonts cached
        plain_cold, plain_size = [], []
        for _ in range(rounds):
            for r in replies:
                args = _pyplot_args(r)
                t0 = time.perf_counter()
                png = thread.submit(minimal_pyplot, *args).result()
                plain_cold.append((time.perf_counter() - t0) * 1000)
                plain_size.append(len(png))
        n = 8 if QUICK else 16
        batch = [replace(replies[i % len(replies)], title=f"{replies[i % len(replies)].title} ({i})") for i in range(n)]

        async def ours_all():
            svc.clear()
            await asyncio.gather(*(svc.render_async(r) for r in batch))

        async def plain_all():
            loop = asyncio.get_running_loop()
            await asyncio.gather(*(loop.run_in_executor(thread, minimal_pyplot, *_pyplot_args(r)) for r in batch))

        ours_lags, ours_wall = asyncio.run(_lag(ours_all))
        plain_lags, plain_wall = asyncio.run(_lag(plain_all))
    finally:
        thread.shutdown()
    svc.clear()
    return {
        "charts": len(replies), "workers": svc.workers,
        "ours_cold_p50_ms": pct(ours_cold, 50), "ours_cold_p95_ms": pct(ours_cold, 95),
        "ours_cached_p50_ms": pct(ours_cached, 50), "ours_cached_p99_ms": pct(ours_cached, 99),
        "ours_png_kb": sum(ours_size) / len(ours_size) / 1024,
        "plain_cold_p50_ms": pct(plain_cold, 50), "plain_cold_p95_ms": pct(plain_cold, 95),
        "plain_png_kb": sum(plain_size) / len(plain_size) / 1024,
        "concurrent": n,
        "ours_lag_p50_ms": pct(ours_lags, 50), "ours_lag_p99_ms": pct(ours_lags, 99), "ours_wall_ms": ours_wall,
        "plain_lag_p50_ms": pct(plain_lags, 50), "plain_lag_p99_ms": pct(plain_lags, 99), "plain_wall_ms": plain_wall,
    }


# ---------------------------------------------------------------------------
# the first chart after a process starts
# ---------------------------------------------------------------------------
FIRST = r"""
import json, sys, time
from bot.engine import Engine
engine = Engine.open(sys.argv[1])
reply = engine.handle("race")
if sys.argv[2] == "ours":
    png = engine.charts.render(reply)
else:
    from benchmarks.charts import minimal_pyplot, _pyplot_args
    png = minimal_pyplot(*_pyplot_args(reply))
print(json.dumps({"done": time.time(), "bytes": len(png)}))
engine.close()
"""


def first_after_start(db: Path) -> dict[str, Any]:
    """Seconds from a new process's start to its first chart PNG (`race`):
    the engine opened, the answer computed, the chart drawn; ours in a
    worker process started on demand, the baseline with pyplot in-process."""
    out: dict[str, Any] = {}
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join(p for p in [str(ROOT), os.environ.get("PYTHONPATH", "")] if p)}
    for which in ("ours", "plain"):
        times = []
        for _ in range(1 if QUICK else 3):
            t0 = time.time()
            proc = subprocess.run([sys.executable, "-c", FIRST, str(db), which], capture_output=True, text=True,
                                  timeout=300, env=env, cwd=str(ROOT))
            if proc.returncode != 0:
                raise RuntimeError(f"first chart ({which}) failed:\n{proc.stderr[-2000:]}")
            times.append(json.loads(proc.stdout.strip().splitlines()[-1])["done"] - t0)
        out[f"{which}_first_s"] = sorted(times)[len(times) // 2]
    return out
