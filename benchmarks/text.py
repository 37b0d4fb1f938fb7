"""Text commands: every community command and every gallery line, first
call, p50, p99 and maximum each, on the seed and on the ten- and thirty-times
histories, interleaved (each round asks every line of every history in turn,
so a burst of load on the shared machine falls on all of them), and the
growth factors between them.

Timed through ``Engine.handle`` (parse, lookup, read model, SQL, reply
fitting; no chart rendering: charts have their own section). Lines answered
with a usage or refusal reply are timed and listed, but left out of the
aggregates and the growth figures."""
from __future__ import annotations

import time
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
        first = sample(lambda line=line: engine.handle(line), 1, 0, minimum=1)  # the first call fills caches
        reply = engine.handle(line)
        ts = sample(lambda line=line: engine.handle(line), rounds, budget_s)
        every += ts
        as_of = reply.data.get("as_of") if isinstance(reply.data, dict) else None
        per[line] = {"p50_ms": pct(ts, 50), "p99_ms": pct(ts, 99), "n": len(ts), "first_ms": first[0],
                     "status": reply.status, "as_of": as_of if isinstance(as_of, str) else None}
    return {"per": per, "p50_ms": pct(every, 50), "p99_ms": pct(every, 99),
            "max_p99_ms": max(v["p99_ms"] for v in per.values()),
            "slowest": max(per, key=lambda k: per[k]["p99_ms"])}


ANSWERS = ("ok", "not_found")  # what counts in the aggregates (a usage or refusal line is not a command answered)


def bench_scales(engines: list[tuple[str, Any]], lines: list[str], *, rounds: int | None = None,
                 budget_s: float | None = None) -> dict[str, dict[str, Any]]:
    """Every line on every engine: its first call (on a read model just built),
    then `rounds` rounds, each asking every line of every engine in turn."""
    rounds = rounds or (5 if QUICK else 20)
    budget_s = budget_s or (20.0 if QUICK else 120.0)
    out: dict[str, dict[str, Any]] = {label: {"per": {}} for label, _e in engines}
    times: dict[tuple[str, str], list[float]] = {}
    for _label, e in engines:
        read_model(e)
    for line in lines:  # first calls, interleaved too
        for label, e in engines:
            first = sample(lambda e=e, line=line: e.handle(line), 1, 0, minimum=1)[0]
            reply = e.handle(line)
            as_of = reply.data.get("as_of") if isinstance(reply.data, dict) else None
            out[label]["per"][line] = {"first_ms": first, "status": reply.status,
                                       "as_of": as_of if isinstance(as_of, str) else None}
            times[(label, line)] = []
    start = time.perf_counter()
    for k in range(rounds):
        for line in lines:
            for label, e in engines:
                t0 = time.perf_counter()
                e.handle(line)
                times[(label, line)].append((time.perf_counter() - t0) * 1000)
        if k >= 2 and time.perf_counter() - start > budget_s:
            break
    for label, _e in engines:
        every: list[float] = []
        firsts: list[float] = []
        per = out[label]["per"]
        for line in lines:
            ts = times[(label, line)]
            per[line].update({"p50_ms": pct(ts, 50), "p99_ms": pct(ts, 99), "max_ms": max(ts), "n": len(ts)})
            if per[line]["status"] in ANSWERS:
                every += ts
                firsts.append(per[line]["first_ms"])
        answered = [ln for ln in lines if per[ln]["status"] in ANSWERS]
        out[label].update({"p50_ms": pct(every, 50), "p99_ms": pct(every, 99), "max_ms": max(every),
                           "lines": len(answered), "left_out": len(lines) - len(answered),
                           "max_p99_ms": max(per[ln]["p99_ms"] for ln in answered),
                           "slowest": max(answered, key=lambda ln: per[ln]["p99_ms"]),
                           "first_max_ms": max(firsts), "first_p50_ms": pct(firsts, 50),
                           "first_slowest": max(answered, key=lambda ln: per[ln]["first_ms"])})
    return out


FLOOR_MS = 0.05  # below this, a ratio is timer noise: growth is taken from at least this


def growth_per_10x(small: dict, big: dict, small_rm, big_rm, key: str) -> dict[str, Any]:
    """Per answered line: how `key` (p50_ms or first_ms) grows per ten times the
    data it reads, from `small` to `big`: the time ratio, divided by how much
    more than the histories' ratio the line reads (a dated question reads more:
    the copies are older than the real snapshots), to the power 1 / log10(ratio)."""
    import math

    factor = ratings_up_to(big_rm, None) / max(1, ratings_up_to(small_rm, None))
    last = small_rm.dates[-1] if small_rm.dates else ""
    out = {}
    for line, s in small["per"].items():
        b = big["per"].get(line)
        if not b or s["status"] not in ANSWERS:
            continue
        day = s.get("as_of")
        day = day if day and day < last else None
        n0, n1 = ratings_up_to(small_rm, day), ratings_up_to(big_rm, day)
        data = n1 / n0 if n0 else factor
        ratio = max(b[key], FLOOR_MS) / max(s[key], FLOOR_MS) * factor / max(factor, data)
        out[line] = ratio ** (1 / math.log10(factor))
    worst = max(out, key=lambda k: out[k]) if out else None
    return {"per": out, "worst": worst, "worst_factor": out.get(worst, float("nan")) if worst else float("nan")}


def ratings_up_to(rm, day: str | None) -> int:
    """How many Arena ratings a read model holds on or before `day` (all without one)."""
    return sum(len(rows) for d, rows in rm.by_date.items() if day is None or d <= day)


def growth(seed: dict, big: dict, seed_rm, big_rm) -> dict[str, Any]:
    """Growth factor of each command from the seed to the ten-times history
    (p50 over p50), beside the growth of the data it reads: the ratings on or
    before its as-of date. The synthetic history is older than the seed's, so a
    dated question ("race 2025-01") has more than ten times the ratings before
    its date; its growth is also given per ten times its data (normalised)."""
    out, data, norm = {}, {}, {}
    for line, s in seed["per"].items():
        b = big["per"].get(line)
        if not b:
            continue
        out[line] = b["p50_ms"] / s["p50_ms"] if s["p50_ms"] > 0 else float("nan")
        day = s.get("as_of")
        day = day if day and day < (seed_rm.dates[-1] if seed_rm.dates else "") else None
        n0, n1 = ratings_up_to(seed_rm, day), ratings_up_to(big_rm, day)
        data[line] = n1 / n0 if n0 else float("nan")
        norm[line] = out[line] * 10 / max(10.0, data[line])
    worst = max(norm, key=lambda k: norm[k]) if norm else None
    worst_raw = max(out, key=lambda k: out[k]) if out else None
    return {"per": out, "data": data, "normalised": norm, "worst": worst,
            "worst_factor": norm.get(worst, float("nan")) if worst else float("nan"),
            "worst_raw": worst_raw, "worst_raw_factor": out.get(worst_raw, float("nan")) if worst_raw else float("nan")}
