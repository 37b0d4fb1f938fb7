"""Memory of the whole process tree (the bot's process and its chart
workers) on the seed and on the ten-times history, before, during and after
a moderator's change.

A child process opens the engine, builds its read model, starts the chart
workers and answers a mix of chart commands (charts drawn), then a moderator
changes a rating (the next read model is built while the old one still
serves), then the mix again. The parent samples RSS and PSS of the child and
its descendants (``/proc/<pid>/smaps_rollup``) every 0.1 s and keeps the peak
of each phase."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, tree_memory

CHILD = r"""
import sys, time
from bot.caller import Caller
from bot.engine import Engine
e = Engine.open(sys.argv[1])
e.read_model()
e.charts.warm(wait=True)
LINES = ["race", "gap us china", "top", "frontier", "compare gpt-4o vs deepseek r1", "depth", "top 10 coding",
         "ask who is winning, the US or China?", "race 2025-01", "gap closed open", "model deepseek r1"]
def mix():
    for line in LINES:
        e.attach_chart(e.handle(line))
mix()
print("phase loaded", flush=True)
time.sleep(1)
print("phase change", flush=True)
r = e.handle("elo grok 4 1391", Caller(user_id="bench", name="bench", is_moderator=True))
assert r.status == "ok", r.text
e.wait_rewarmed(120)
mix()
print("phase after", flush=True)
time.sleep(3)  # the reaper frees the replaced model
mix()
print("phase done", flush=True)
time.sleep(1)  # the sampler reads the tree in this phase before the process exits
"""


def bench_memory(db: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in [str(ROOT), os.environ.get("PYTHONPATH", "")] if p),
           "MPLBACKEND": "Agg"}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], stdout=subprocess.PIPE, text=True, env=env,
                            cwd=str(db.parent))
    phase = ["start"]
    peaks: dict[str, dict[str, float]] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            m = tree_memory(proc.pid)
            p = peaks.setdefault(phase[0], {"rss_mb": 0.0, "pss_mb": 0.0})
            p["rss_mb"] = max(p["rss_mb"], m["rss_mb"])
            p["pss_mb"] = max(p["pss_mb"], m["pss_mb"])
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    deadline = time.monotonic() + 600
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("phase "):
                phase[0] = line.split()[1]
            if time.monotonic() > deadline:
                break
        proc.wait(timeout=max(1, deadline - time.monotonic()))
    finally:
        stop.set()
        sampler.join(5)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if proc.returncode != 0:
        raise RuntimeError(f"the memory child failed ({proc.returncode})")
    before = max(peaks.get(k, {}).get("rss_mb", 0.0) for k in ("start", "loaded"))
    return {"phases": peaks, "peak_before_change_mb": before,
            "peak_during_change_mb": peaks.get("change", {}).get("rss_mb", 0.0),
            "after_change_mb": peaks.get("done", {}).get("rss_mb", 0.0) or peaks.get("after", {}).get("rss_mb", 0.0),
            "peak_mb": max(p["rss_mb"] for p in peaks.values())}
