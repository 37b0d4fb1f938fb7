"""Helpers shared by the benchmarks: percentiles, timing, quick mode, the
machine, and the memory of a whole process tree."""
from __future__ import annotations

import os
import platform
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
QUICK = os.environ.get("BENCH_QUICK", "").strip().lower() not in ("", "0", "false", "no")


def pct(xs: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of xs; NaN for none."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))]


def sample(fn: Callable[[], Any], rounds: int, budget_s: float, minimum: int = 3) -> list[float]:
    """Milliseconds of `rounds` calls of fn, fewer when they exceed `budget_s`
    together (but at least `minimum`): a slow command is measured, not waited for."""
    out: list[float] = []
    start = time.perf_counter()
    while len(out) < rounds:
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
        if len(out) >= minimum and time.perf_counter() - start > budget_s:
            break
    return out


def copy_db(src: Path, dest: Path) -> Path:
    """A consistent copy of a SQLite database (the backup API, WAL included)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    for p in dest.parent.glob(dest.name + "*"):
        p.unlink()
    with sqlite3.connect(str(src)) as a, sqlite3.connect(str(dest)) as b:
        a.backup(b)
    return dest


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) / 2**20
    except OSError:
        pass
    return {"cpu": model or platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "memory_gib": round(mem, 1), "python": platform.python_version(), "system": platform.platform(),
            "load": list(os.getloadavg()) if hasattr(os, "getloadavg") else []}


# ---------------------------------------------------------------------------
# memory of a process tree
# ---------------------------------------------------------------------------
def children(pid: int) -> list[int]:
    """Every descendant of `pid` (from /proc/*/stat parent ids)."""
    parent: dict[int, int] = {}
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            stat = (p / "stat").read_text()
        except OSError:
            continue
        parent[int(p.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    out, todo = [], [pid]
    while todo:
        cur = todo.pop()
        kids = [c for c, pp in parent.items() if pp == cur]
        out += kids
        todo += kids
    return out


def rollup(pid: int) -> dict[str, float]:
    """RSS and PSS (MB) of one process from /proc/<pid>/smaps_rollup."""
    out = {"rss_mb": 0.0, "pss_mb": 0.0}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                out["rss_mb"] = int(line.split()[1]) / 1024
            elif line.startswith("Pss:"):
                out["pss_mb"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and its live descendants."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for p in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def tree_memory(pid: int) -> dict[str, Any]:
    """RSS and PSS of `pid` and all its descendants, together and one by one."""
    procs = []
    for p in [pid, *children(pid)]:
        r = rollup(p)
        if r["rss_mb"]:
            procs.append({"pid": p, "cmd": cmdline(p)[:80], **r})
    return {"rss_mb": sum(p["rss_mb"] for p in procs), "pss_mb": sum(p["pss_mb"] for p in procs),
            "processes": procs}


def read_model(engine):
    """The engine's in-memory read model (``read_model()``; ``facts()`` before it was renamed)."""
    fn = getattr(engine, "read_model", None) or engine.facts
    return fn()


def have(cmd: str) -> bool:
    return shutil.which(cmd) is not None
