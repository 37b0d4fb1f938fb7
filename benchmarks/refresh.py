"""A moderator's change while others ask: how long until the answers show it
(the refresh), and what the other users feel meanwhile (their command
latency and the event loop's lag), beside the same users with nothing
changing (the baseline, same run)."""
from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks.common import QUICK, pct, read_model

OTHERS = ["top", "gap us china", "model deepseek r1", "race", "frontier", "compare gpt-4o vs deepseek r1",
          "country china", "sources"]


def _moderator():
    from bot.caller import Caller

    return Caller(user_id="bench-mod", name="bench moderator", is_moderator=True)


async def _window(engine, users: int, seconds: float, change: str | None, charts: bool = True) -> dict[str, Any]:
    """`users` tasks ask text commands back to back for `seconds`; with
    `change`, a moderator makes it a third of the way in. Other users'
    latencies are kept for commands that overlap the refresh."""
    from bot.looplag import LagProbe

    lat: list[tuple[float, float]] = []  # (start, ms)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    async def user(k: int) -> None:
        j = k
        while not stop.is_set():
            line = OTHERS[j % len(OTHERS)]
            j += 1
            t0 = time.perf_counter()
            await engine.ahandle(line, render=charts)
            lat.append((t0, (time.perf_counter() - t0) * 1000))

    refresh_ms = change_ms = None
    window = (0.0, 0.0)
    async with LagProbe() as probe:
        tasks = [asyncio.create_task(user(k)) for k in range(users)]
        await asyncio.sleep(seconds / 3)
        if change is not None:
            mod = _moderator()
            t0 = time.perf_counter()
            reply = await engine.ahandle(change, mod, render=False)
            change_ms = (time.perf_counter() - t0) * 1000
            if reply.status != "ok":
                raise RuntimeError(f"the moderator's change failed: {reply.text}")
            want = engine.store.data_version
            # until a reader gets the read model of the new version
            while (await loop.run_in_executor(None, lambda: read_model(engine).version)) != want:
                await asyncio.sleep(0.005)
            refresh_ms = (time.perf_counter() - t0) * 1000
            window = (t0, time.perf_counter())
        await asyncio.sleep(seconds * 2 / 3)
        stop.set()
        await asyncio.gather(*tasks)
    lags = probe.lags
    if change is not None:
        during = [ms for t, ms in lat if t <= window[1] and t + ms / 1000 >= window[0]]
    else:
        during = [ms for _t, ms in lat]
    return {"others_p50_ms": pct(during, 50), "others_p99_ms": pct(during, 99), "others_max_ms": max(during or [0]),
            "others_n": len(during), "loop_lag_p99_ms": pct(lags, 99), "loop_lag_max_ms": max(lags or [0]),
            "change_ms": change_ms, "refresh_ms": refresh_ms}


def _idle_refresh(engine, line: str) -> float:
    """Milliseconds from a moderator's change to its read model with nobody else asking."""
    t0 = time.perf_counter()
    reply = engine.handle(line, _moderator())
    if reply.status != "ok":
        raise RuntimeError(f"the moderator's change failed: {reply.text}")
    read_model(engine)
    return (time.perf_counter() - t0) * 1000


def first_after_change(engine, change: str) -> dict[str, Any]:
    """Every command line asked once (as traffic would have, over time), then a
    moderator's change to a rating; once the refresh (and its re-warming of the
    most asked answers) is done, the first call of each line on the new model.
    The worst of them is what the unluckiest user waits after a change."""
    from benchmarks.text import ANSWERS, command_lines

    lines = command_lines()
    status = {line: engine.handle(line).status for line in lines}
    _idle_refresh(engine, change)
    engine.wait_rewarmed(120)
    firsts = {}
    for line in lines:
        if status[line] in ANSWERS:
            t0 = time.perf_counter()
            engine.handle(line)
            firsts[line] = (time.perf_counter() - t0) * 1000
    worst = max(firsts, key=lambda k: firsts[k])
    return {"max_ms": firsts[worst], "worst": worst, "p50_ms": pct(list(firsts.values()), 50), "lines": len(firsts)}


def _freed(models: list, timeout: float = 60.0) -> dict[str, Any]:
    """How many of the replaced read models are still alive once the reaper
    has had `timeout` seconds (0 when none leak), and how long that took."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        alive = sum(1 for ref in models[:-1] if ref() is not None)
        if not alive:
            break
        time.sleep(0.05)
    return {"replaced": len(models) - 1, "alive": alive, "freed_within_s": time.perf_counter() - t0}


def bench_refresh(engine, *, users: int = 8) -> dict[str, Any]:
    """Baseline window, then moderator changes (Arena scores of one model,
    alternating values so each is a real change), then the same change with
    nobody else asking; last, whether the replaced read models were freed."""
    import weakref

    seconds = 1.5 if QUICK else 3.0
    repeats = 1 if QUICK else 3
    engine.charts.warm(wait=True)  # the users' charts are on: rendered in the workers, cached
    models = [weakref.ref(read_model(engine))]
    for line in OTHERS:  # the users' commands answered and their charts drawn once: the steady state
        engine.attach_chart(engine.handle(line))
    base = asyncio.run(_window(engine, users, seconds, None))
    runs = []
    for i in range(repeats):
        runs.append(asyncio.run(_window(engine, users, seconds, f"elo grok 4 {1390 + i}")))
        models.append(weakref.ref(read_model(engine)))
    idle, other = [], []
    for i in range(repeats):
        idle.append(_idle_refresh(engine, f"elo grok 4 {1380 + i}"))
        models.append(weakref.ref(read_model(engine)))
        # a change to what no rating reads (a model's size): the rating maps are kept
        other.append(_idle_refresh(engine, f"set grok 4 params {300 + i}B"))
        models.append(weakref.ref(read_model(engine)))
    freed = _freed(models)

    def med(key: str) -> float:
        vals = sorted(r[key] for r in runs)
        return vals[len(vals) // 2]

    first = first_after_change(engine, "elo grok 4 1377")
    return {"baseline": base, "runs": runs, "first_after_change": first,
            "others_max_ms": max(r["others_max_ms"] for r in runs), "refresh_ms": med("refresh_ms"), "change_ms": med("change_ms"),
            "idle_refresh_ms": sorted(idle)[len(idle) // 2], "freed": freed,
            "idle_other_refresh_ms": sorted(other)[len(other) // 2],
            "loop_lag_max_ms": max(r["loop_lag_max_ms"] for r in runs),
            "others_p99_ms": max(r["others_p99_ms"] for r in runs), "others_p50_ms": med("others_p50_ms"),
            "loop_lag_p99_ms": max(r["loop_lag_p99_ms"] for r in runs)}
