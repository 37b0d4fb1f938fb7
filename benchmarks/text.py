"""Text commands: every community command and every gallery line, p50 and
p99 each, on the seed and on the ten-times history (the growth table).

Timed through ``Engine.handle`` (parse, lookup, read model, SQL, reply
fitting; no chart rendering: charts have their own section)."""
from __future__ import annotations

from typing import Any

from benchmarks.common import QUICK, pct, read_model, sample

# lines people send that no example covers: the slow and the failing paths too
EXTRA = [
    "small 1300 arena", "ask smallest model above 1300 elo", "ask who is winning, the US or China?",
    "model deepsek r1", "model gpt-9000", "compare gpt-4o vs deepseek r1", "top 10 gpqa", "gap closed open 2025-02",
    "race", "gap us china", "frontier", "small", "count", "compute", "sources", "help", "facts", "timeline",
    "top 25", "country france", "org openai", "gap google deepmind openai",
]


def gallery_lines() -> list[str]:
    """The command line of every gallery chart (wherever the gallery lives)."""
    try:
        from bot.render.charts.registry import gallery_lines as lines

        return [line for _slug, line in lines()]
    except ImportError:  # before the charts were split into a package
        from bot.render.charts import GALLERY  # type: ignore[attr-defined]

        return [line for _slug, line in GALLERY]


def command_lines() -> list[str]:
    """Every community command's example and its bare form, every gallery
    line and the extras, each once."""
    from bot.commands.registry import REGISTRY

    lines: list[str] = []
    for info in REGISTRY.values():
        if info.admin:
            continue
        lines.append(info.example)
        if info.name not in ("model", "compare", "org", "country"):
            lines.append(info.name)
    lines += gallery_lines() + EXTRA
    return list(dict.fromkeys(lines))


def bench_text(engine, lines: list[str], *, rounds: int | None = None, budget_s: float | None = None) -> dict[str, Any]:
    rounds = rounds or (5 if QUICK else 25)
    budget_s = budget_s or (0.5 if QUICK else 2.0)
    per: dict[str, dict[str, Any]] = {}
    every: list[float] = []
    read_model(engine)
    for line in lines:
        first = sample(lambda: engine.handle(line), 1, 0, minimum=1)  # the first call fills caches
        reply = engine.handle(line)
        ts = sample(lambda: engine.handle(line), rounds, budget_s)
        every += ts
        per[line] = {"p50_ms": pct(ts, 50), "p99_ms": pct(ts, 99), "n": len(ts), "first_ms": first[0],
                     "status": reply.status}
    return {"per": per, "p50_ms": pct(every, 50), "p99_ms": pct(every, 99),
            "max_p99_ms": max(v["p99_ms"] for v in per.values()),
            "slowest": max(per, key=lambda k: per[k]["p99_ms"])}


def growth(seed: dict, big: dict) -> dict[str, Any]:
    """Growth factor of each command from the seed to the ten-times history (p50 / p50)."""
    out = {}
    for line, s in seed["per"].items():
        b = big["per"].get(line)
        if b:
            out[line] = b["p50_ms"] / s["p50_ms"] if s["p50_ms"] > 0 else float("nan")
    worst = max(out, key=lambda k: out[k]) if out else None
    return {"per": out, "worst": worst, "worst_factor": out.get(worst, float("nan")) if worst else float("nan")}
