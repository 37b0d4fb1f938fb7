"""``make bench`` / ``racebot bench``: the benchmark suite.

Measures, on this machine, what the bot promises: lookup latency and accuracy
(against the standard library's ``difflib``), text command latency, chart
rendering (cold, cached, against a naive per-request pyplot render), event
loop lag while charts render, end-to-end throughput and latency through the
loopback Discord simulator, memory, start-up and database size. Prints one
table and writes it to BENCHMARKS.md (``--json`` prints the raw figures).
Runs in under three minutes on 2 cores.
"""
from __future__ import annotations

import asyncio
import difflib
import io
import json
import os
import platform
import random
import resource
import string
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]

TARGETS = {
    "lookup_seed_p50_ms": ("<", 1.0), "lookup_100k_p50_ms": ("<", 5.0), "text_p99_ms": ("<", 10.0),
    "chart_cold_p50_ms": ("<", 150.0), "chart_cached_p50_ms": ("<", 2.0), "loop_lag_p99_ms": ("<", 20.0),
    "e2e_50_cmds_per_s": (">", 200.0), "e2e_50_p99_ms": ("<", 500.0), "rss_peak_mb": ("<", 250.0),
    "ready_s": ("<", 2.0), "process_ready_s": ("<", 2.0),
}

TEXT_COMMANDS = [
    "model deepsek r1", "compare gpt-4o vs deepseek r1", "top", "top 5 open china", "top 10 gpqa", "race",
    "gap us china", "gap closed open 2025-02", "frontier", "small", "count 2024 by country", "compute",
    "org deepseek", "country china", "timeline openai", "facts", "sources", "help",
    "ask who is winning, the US or China?", "model gpt-9000",
]


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))]


def timed(fn: Callable[[], Any], n: int = 1) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


# ---------------------------------------------------------------------------
# lookup
# ---------------------------------------------------------------------------
def misspell(name: str, rnd: random.Random) -> str:
    """A realistic misspelling: a dropped, doubled, swapped or wrong letter,
    lost hyphens, changed case or swapped words."""
    kind = rnd.choice(["drop", "double", "swap", "sub", "hyphens", "case", "words"])
    s = name
    letters = [i for i, c in enumerate(s) if c.isalpha()]
    if kind == "drop" and len(letters) > 4:
        i = rnd.choice(letters[1:])
        s = s[:i] + s[i + 1:]
    elif kind == "double" and letters:
        i = rnd.choice(letters)
        s = s[:i] + s[i] + s[i:]
    elif kind == "swap" and len(letters) > 3:
        i = rnd.choice(letters[:-1])
        if i + 1 < len(s):
            s = s[:i] + s[i + 1] + s[i] + s[i + 2:]
    elif kind == "sub" and letters:
        i = rnd.choice(letters[1:] or letters)
        s = s[:i] + rnd.choice(string.ascii_lowercase) + s[i + 1:]
    elif kind == "hyphens":
        s = s.replace("-", " ") if "-" in s else s.replace(" ", "")
    elif kind == "case":
        s = s.lower() if rnd.random() < 0.5 else s.upper()
    elif kind == "words" and " " in s:
        w = s.split()
        rnd.shuffle(w)
        s = " ".join(w)
    return s


def bench_lookup(engine) -> dict[str, Any]:
    from bot.lookup import Entry, Index

    idx = engine.model_index
    # a seed that was never used while developing the lookup, so the figure is not tuned to it
    rnd = random.Random(9001)
    known = [e for e in idx.entries.values() if e.weight >= 1]  # models people ask about (on Arena)
    sample = [rnd.choice(known) for _ in range(300)]
    queries = [(misspell(e.name, rnd), e.name) for e in sample]
    names = [e.name for e in idx.entries.values()]
    lower = {n.lower(): n for n in names}

    def ours(q):
        m = idx.resolve(q)
        return m.entry.name if m.found else None

    def stdlib(q):
        hits = difflib.get_close_matches(q.lower(), list(lower), n=1, cutoff=0.6)
        return lower[hits[0]] if hits else None

    ours_t, std_t, ours_ok, std_ok, ours_wrong = [], [], 0, 0, 0
    for q, want in queries:
        t0 = time.perf_counter(); got = ours(q); ours_t.append((time.perf_counter() - t0) * 1000)
        ours_ok += got == want
        ours_wrong += got is not None and got != want
        t0 = time.perf_counter(); got = stdlib(q); std_t.append((time.perf_counter() - t0) * 1000)
        std_ok += got == want
    # 100,000 synthetic names
    big_names = synthetic_names(100_000)
    big = Index([Entry(i, n) for i, n in enumerate(big_names)])
    brnd = random.Random(7)
    bq = [(misspell(n, brnd), n) for n in brnd.sample(big_names, 200)]
    big_t, big_ok = [], 0
    for q, want in bq:
        t0 = time.perf_counter(); m = big.resolve(q); big_t.append((time.perf_counter() - t0) * 1000)
        big_ok += (m.found and m.entry.name == want) or want in [s for s, _ in m.suggestions]
    big_lower = [n.lower() for n in big_names]
    big_std_t = []
    for q, _want in bq[:10]:  # difflib is too slow for more at this size
        t0 = time.perf_counter(); difflib.get_close_matches(q.lower(), big_lower, n=1, cutoff=0.6)
        big_std_t.append((time.perf_counter() - t0) * 1000)
    return {
        "lookup_queries": len(queries),
        "lookup_seed_p50_ms": pct(ours_t, 50), "lookup_seed_p99_ms": pct(ours_t, 99),
        "lookup_seed_top1": ours_ok / len(queries), "lookup_seed_wrong": ours_wrong / len(queries),
        "difflib_seed_p50_ms": pct(std_t, 50), "difflib_seed_p99_ms": pct(std_t, 99),
        "difflib_seed_top1": std_ok / len(queries),
        "lookup_100k_p50_ms": pct(big_t, 50), "lookup_100k_p99_ms": pct(big_t, 99),
        "lookup_100k_found_or_suggested": big_ok / len(bq),
        "difflib_100k_p50_ms": pct(big_std_t, 50),
    }


def synthetic_names(n: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    stems = ["Nova", "Atlas", "Orion", "Lumen", "Vega", "Kite", "Sable", "Quill", "Ember", "Tundra", "Helix",
             "Zenith", "Cobalt", "Prism", "Mosaic", "Falcon"]
    out: set[str] = set()
    while len(out) < n:
        out.add(f"{rnd.choice(stems)}{rnd.choice(['', '-', ' '])}{rnd.randint(1, 9)}.{rnd.randint(0, 9)}"
                f"-{rnd.choice([1, 3, 7, 8, 13, 34, 70, 405])}B-{''.join(rnd.choices(string.ascii_lowercase, k=4))}")
    return sorted(out)


# ---------------------------------------------------------------------------
# text commands
# ---------------------------------------------------------------------------
def bench_text(engine, rounds: int = 25) -> dict[str, Any]:
    per: dict[str, dict[str, float]] = {}
    every: list[float] = []
    for line in TEXT_COMMANDS:
        engine.handle(line)  # warm
        ts = timed(lambda: engine.handle(line), rounds)
        every += ts
        per[line] = {"p50_ms": pct(ts, 50), "p99_ms": pct(ts, 99)}
    return {"text_per_command": per, "text_p50_ms": pct(every, 50), "text_p99_ms": pct(every, 99)}


# ---------------------------------------------------------------------------
# charts
# ---------------------------------------------------------------------------
def naive_render(kind: str, data: dict, title: str | None, subtitle: str | None) -> bytes:
    """What a first version would do: pyplot, per request, in the request's thread, no cache."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bot.render.charts.data import chart_series
    from bot.render.charts.labels import header
    from bot.render.charts.registry import chart_kind
    from bot.render.charts.style import DPI, H, W

    series = chart_series(kind, data)
    fig = plt.figure(figsize=(W / DPI, H / DPI), dpi=DPI)
    top = header(fig, title, subtitle)
    chart_kind(kind).draw(fig, series, top)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def bench_charts(engine) -> dict[str, Any]:
    from bot.render.charts.gallery import measure
    from bot.render.charts.registry import gallery_lines

    m = measure(engine)
    replies = [r for r in (engine.handle(line) for _s, line in gallery_lines()) if r.chart is not None and r.status == "ok"]
    naive = []
    for r in replies:
        t0 = time.perf_counter()
        naive_render(r.chart.kind, r.data, r.title, r.footer)
        naive.append((time.perf_counter() - t0) * 1000)

    async def naive_lag() -> float:
        """Event-loop lag when the naive render runs on the loop (for contrast)."""
        from bot.looplag import LagProbe

        async with LagProbe() as probe:
            for r in replies[:4]:
                naive_render(r.chart.kind, r.data, r.title, r.footer)
                await asyncio.sleep(0)
        return pct(probe.lags, 99)

    return {
        "chart_cold_p50_ms": m["cold_p50_ms"], "chart_cold_p95_ms": m["cold_p95_ms"],
        "chart_cached_p50_ms": m["cached_p50_ms"], "chart_cached_p99_ms": m["cached_p99_ms"],
        "loop_lag_p50_ms": m["loop_lag_p50_ms"], "loop_lag_p99_ms": m["loop_lag_p99_ms"],
        "charts_concurrent": m["concurrent"], "charts_concurrent_wall_ms": m["concurrent_wall_ms"],
        "chart_workers": m["workers"], "chart_worker_p50_ms": m["worker_p50_ms"],
        "naive_pyplot_p50_ms": pct(naive, 50), "naive_pyplot_p95_ms": pct(naive, 95),
        "naive_on_loop_lag_p99_ms": asyncio.run(naive_lag()),
    }


# ---------------------------------------------------------------------------
# end to end through the Discord simulator
# ---------------------------------------------------------------------------
E2E_MIX = ["race", "gap us china", "top 5", "model deepseek r1", "compare gpt-4o vs deepseek r1", "frontier",
           "help", "sources", "facts investment", "model deepsek r1", "country china", "gap closed open"]


async def _e2e(db: Path, users_levels=(1, 10, 50), per_user: int = 20) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    from bot.adapters.discord import create_bot
    from bot.config import Settings
    from bot.engine import Engine
    from tests.discord_sim import DiscordSimulator

    saved = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    out: dict[str, Any] = {}
    engine = Engine.open(db)
    try:
        async with DiscordSimulator(max_concurrency=2) as sim:
            guild = sim.create_guild("Bench")
            users, channels = [], []
            for i in range(max(users_levels)):
                u = sim.create_user(f"user{i}")
                sim.add_member(guild, u)
                users.append(u)
                channels.append(sim.create_channel(guild, f"bench-{i}"))  # one each: replies are unambiguous
            channel = channels[0]
            settings = Settings(discord_token=sim.token, discord_api_base=sim.api_base, guild_ready_timeout=0.3,
                                cooldown_rate=10_000, cooldown_per=1.0, max_concurrency=8)
            out.update(await _process_start(sim, db, channel, users[0]))
            t0 = time.perf_counter()
            bot = create_bot(settings, engine)
            task = asyncio.create_task(bot.start(settings.discord_token))
            await asyncio.wait_for(bot.wait_until_ready(), 30)
            out["ready_s"] = time.perf_counter() - t0
            try:
                # warm: every command once (charts rendered and cached, as in a running bot)
                for line in E2E_MIX:
                    m = sim.send_user_message(channel, users[0], "!" + line)
                    await sim.wait_for_messages(channel, 1, 30, after=m)
                # slash commands (deferred, then the answer) and autocomplete, one at a time
                slash = [("race", {}), ("gap", {"x": "us", "y": "china"}), ("compare", {"models": "gpt-4o vs deepseek r1"}),
                         ("model", {"name": "deepsek r1"}), ("top", {})]
                lat = []
                for i in range(30):
                    name, opts = slash[i % len(slash)]
                    t = time.perf_counter()
                    inter = sim.send_slash_command(name, opts, user=users[0], channel=channel)
                    await sim.wait_for_answer(inter, 30)
                    lat.append((time.perf_counter() - t) * 1000)
                out["slash_p50_ms"], out["slash_p99_ms"] = pct(lat, 50), pct(lat, 99)
                lat = []
                for i in range(100):
                    t = time.perf_counter()
                    inter = sim.send_autocomplete("compare", {"models": ["gpt", "deeps", "claude 3", "gemini", "ll"][i % 5]},
                                                  "models", user=users[0], channel=channel)
                    await sim.wait_for_response(inter, 5)
                    lat.append((time.perf_counter() - t) * 1000)
                out["autocomplete_p50_ms"], out["autocomplete_p99_ms"] = pct(lat, 50), pct(lat, 99)
                for n in users_levels:
                    lat: list[float] = []
                    lost = 0

                    async def user(u, k):
                        nonlocal lost
                        for j in range(per_user):
                            line = E2E_MIX[(k + j) % len(E2E_MIX)]
                            t = time.perf_counter()
                            m = sim.send_user_message(channels[k], u, "!" + line)
                            try:
                                answers = await sim.wait_for_messages(channels[k], 1, 30, after=m)
                            except AssertionError:
                                lost += 1
                                continue
                            lat.append((time.perf_counter() - t) * 1000)
                            for a in answers:  # the simulator need not keep the PNGs: RSS is the bot's
                                for att in a.attachments:
                                    att.data = att.data[:8]

                    t1 = time.perf_counter()
                    await asyncio.gather(*(user(users[k], k) for k in range(n)))
                    wall = time.perf_counter() - t1
                    out[f"e2e_{n}_cmds_per_s"] = len(lat) / wall
                    out[f"e2e_{n}_p50_ms"] = pct(lat, 50)
                    out[f"e2e_{n}_p99_ms"] = pct(lat, 99)
                    out[f"e2e_{n}_lost"] = lost
                # the chart worker processes' peak memory, next to the bot's own
                pool = engine.charts._process_pool()
                pids = list(getattr(pool, "_processes", {}) or {}) if pool else []
                out["chart_workers_rss_mb"] = sum(_hwm(pid) for pid in pids)
                out["chart_workers"] = len(pids)
            finally:
                await bot.close()
                try:
                    await asyncio.wait_for(task, 5)
                except Exception:
                    pass
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = saved
        engine.close()
    return out


# ---------------------------------------------------------------------------
def run(settings=None) -> dict[str, Any]:
    from bot.engine import Engine

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        engine = Engine.open(db)
        results["seed_build_s"] = time.perf_counter() - t0
        engine.read_model()
        engine.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        results["db_size_mb"] = sum(os.path.getsize(p) for p in Path(tmp).glob("bench.db*")) / 1e6
        results.update(bench_lookup(engine))
        results.update(bench_text(engine))
        results.update(bench_charts(engine))
        engine.close()
        results["bench_process_rss_mb"] = peak_rss_mb()
        # the bot itself, under the end-to-end load, in a process of its own: its peak RSS is the bot's
        import subprocess

        proc = subprocess.run([sys.executable, "-m", "bot.bench", "--e2e", str(db)], capture_output=True, text=True,
                              cwd=ROOT, timeout=600)
        if proc.returncode != 0:
            raise RuntimeError("end-to-end benchmark failed:\n" + proc.stderr[-3000:])
        results.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    return results


async def _process_start(sim, db: Path, channel, user) -> dict[str, float]:
    """`python -m bot run` as a new process against the simulator: seconds from
    the process start to "ready", and to its first answer."""
    env = {**os.environ, "DISCORD_TOKEN": sim.token, "DISCORD_API_BASE": sim.api_base,
           "DATABASE_PATH": str(db), "LOG_LEVEL": "INFO", "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    t0 = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=str(db.parent), env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    ready_at = None
    try:
        assert proc.stdout is not None
        while ready_at is None:
            line = await asyncio.wait_for(proc.stdout.readline(), 30)
            if not line:
                raise RuntimeError("the bot process ended before it was ready")
            if b"ready in" in line:
                ready_at = time.perf_counter() - t0
        m = sim.send_user_message(channel, user, "!help")
        await sim.wait_for_messages(channel, 1, 30, after=m)
        first = time.perf_counter() - t0
    finally:
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except asyncio.TimeoutError:
            proc.kill()
    return {"process_ready_s": ready_at, "process_first_answer_s": first}


def _hwm(pid: int | str = "self") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM: unlike ru_maxrss it is not
    inherited from the parent across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def e2e_main(db: str) -> int:
    r = asyncio.run(_e2e(Path(db)))
    r["rss_peak_mb"] = peak_rss_mb()
    print(json.dumps(r))
    return 0


def verdict(key: str, value: float) -> str:
    if key not in TARGETS:
        return ""
    op, target = TARGETS[key]
    ok = value < target if op == "<" else value > target
    return f"{'✅' if ok else '❌'} target {op} {target:g}"


ROWS = [
    ("Lookup, seed, p50 / p99", "lookup_seed_p50_ms", "lookup_seed_p99_ms", "ms"),
    ("difflib.get_close_matches, seed, p50 / p99", "difflib_seed_p50_ms", "difflib_seed_p99_ms", "ms"),
    ("Misspellings resolved to the right model (ours / difflib)", "lookup_seed_top1", "difflib_seed_top1", "ratio"),
    ("Misspellings resolved to a wrong model (ours; the rest get 'did you mean')", "lookup_seed_wrong", None, "ratio1"),
    ("Lookup, 100,000 names, p50 / p99", "lookup_100k_p50_ms", "lookup_100k_p99_ms", "ms"),
    ("difflib, 100,000 names, p50", "difflib_100k_p50_ms", None, "ms"),
    ("Text commands, all, p50 / p99", "text_p50_ms", "text_p99_ms", "ms"),
    ("Chart render, cold, p50 / p95", "chart_cold_p50_ms", "chart_cold_p95_ms", "ms"),
    ("Chart render, cached, p50 / p99", "chart_cached_p50_ms", "chart_cached_p99_ms", "ms"),
    ("Naive per-request pyplot render, p50 / p95", "naive_pyplot_p50_ms", "naive_pyplot_p95_ms", "ms"),
    ("Event-loop lag while 16 charts render, p50 / p99", "loop_lag_p50_ms", "loop_lag_p99_ms", "ms"),
    ("Event-loop lag, naive render on the loop, p99", "naive_on_loop_lag_p99_ms", None, "ms"),
    ("End to end, 1 user: cmds/s, p50 / p99", "e2e_1_cmds_per_s", "e2e_1_p50_ms", "e2e"),
    ("End to end, 10 users: cmds/s, p50 / p99", "e2e_10_cmds_per_s", "e2e_10_p50_ms", "e2e"),
    ("End to end, 50 users: cmds/s, p50 / p99", "e2e_50_cmds_per_s", "e2e_50_p50_ms", "e2e"),
    ("Slash command, interaction to answer, p50 / p99", "slash_p50_ms", "slash_p99_ms", "ms"),
    ("Autocomplete, interaction to choices, p50 / p99", "autocomplete_p50_ms", "autocomplete_p99_ms", "ms"),
    ("Peak memory (RSS) of the bot under the 50-user load", "rss_peak_mb", None, "MB"),
    ("Peak memory (RSS) of the chart worker processes, together", "chart_workers_rss_mb", None, "MB"),
    ("Peak memory (RSS) of the benchmark process (100k-name index, difflib, pyplot)", "bench_process_rss_mb", None, "MB"),
    ("Bot object start to ready (simulator)", "ready_s", None, "s"),
    ("Process start (`python -m bot run`) to ready / to its first answer", "process_ready_s", "process_first_answer_s", "s"),
    ("Database built from seed", "seed_build_s", None, "s"),
    ("Database size", "db_size_mb", None, "MB"),
]


def table(r: dict[str, Any]) -> str:
    lines = ["| measure | value | target |", "|---|---|---|"]
    for label, a, b, unit in ROWS:
        if a not in r:
            continue
        if unit == "ratio":
            val = f"{r[a]:.1%} / {r[b]:.1%}"
            ver = ""
        elif unit == "ratio1":
            val = f"{r[a]:.1%}"
            ver = ""
        elif unit == "e2e":
            n = a.split("_")[1]
            val = f"{r[a]:.0f} cmds/s, {r[b]:.0f} / {r[f'e2e_{n}_p99_ms']:.0f} ms, {r.get(f'e2e_{n}_lost', 0)} lost"
            ver = " ".join(x for x in (verdict(a, r[a]), verdict(f"e2e_{n}_p99_ms", r[f"e2e_{n}_p99_ms"])) if x)
        else:
            val = f"{r[a]:.3g}" + (f" / {r[b]:.3g}" if b else "") + f" {unit}"
            ver = " ".join(x for x in (verdict(a, r[a]), verdict(b, r[b]) if b else "") if x)
        lines.append(f"| {label} | {val} | {ver} |")
    lines.append("")
    lines.append("Text command latency by command (p50 / p99, ms):")
    lines.append("")
    for line, v in r.get("text_per_command", {}).items():
        lines.append(f"- `{line}`: {v['p50_ms']:.2f} / {v['p99_ms']:.2f}")
    return "\n".join(lines)


def main(json_out: bool = False, settings=None) -> int:
    t0 = time.perf_counter()
    r = run(settings)
    r["bench_seconds"] = time.perf_counter() - t0
    if json_out:
        print(json.dumps(r, indent=1, default=float))
    md = (f"# Benchmarks\n\n`make bench` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; "
          f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"took {r['bench_seconds']:.0f} s.\n\n" + table(r) + "\n")
    (ROOT / "BENCHMARKS.md").write_text(md, encoding="utf-8")
    if not json_out:
        print(md)
    return 0


if __name__ == "__main__":
    if "--e2e" in sys.argv:
        raise SystemExit(e2e_main(sys.argv[sys.argv.index("--e2e") + 1]))
    raise SystemExit(main("--json" in sys.argv))
