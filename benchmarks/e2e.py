"""End to end: ``python -m bot run`` as its own process, with its DEFAULT
settings (cooldown 5 commands per 15 s per user, 4 commands at once, the
default guild-ready timeout, the default chart workers), against the
loopback Discord simulator (``tests/discord_sim``) over real sockets.

Measured: process start to ready and to its first chart; slash commands and
autocomplete; users sending a realistic mix (stated in ``MIX``) at once;
and the memory of the bot's whole process tree (the bot, the forkserver and
the chart workers: RSS and PSS from /proc/<pid>/smaps_rollup), sampled all
along. Beside the throughput: the ceilings this machine and the settings
allow (chart workers / render time, and the cooldown)."""
from __future__ import annotations

import asyncio
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import QUICK, ROOT, pct, read_model, tree_cpu_s, tree_memory

# what each user sends, weighted like the traffic the bot sees: mostly the race, comparisons, the
# leaderboard and plain questions, each with its chart; some text; some charts nobody asked before
MIX = {"text": 0.2, "popular_chart": 0.6, "new_chart": 0.2}
TEXT_LINES = ["help", "sources", "facts", "model gpt-9000", "help compare", "facts investment"]
POPULAR_CHARTS = ["race", "race", "compare gpt-4o vs deepseek r1", "compare gpt-4o vs deepseek r1", "top", "top",
                  "ask who is winning, the US or China?", "ask who leads in coding?", "gap us china", "frontier"]
PER_USER = 5  # the default cooldown allows 5 commands per 15 s: each user sends exactly that many


def new_chart_lines(engine, n: int, rnd: random.Random) -> list[str]:
    """`n` different chart requests (none repeats, so none is cached): past
    races, gaps and frontiers by snapshot, models by name, leaderboards by size."""
    f = read_model(engine)
    dates = list(f.dates)
    names = sorted({r.arena_name for d in dates[-5:] for r in f.by_date[d]})
    pool = ([f"race {d}" for d in dates] + [f"gap us china {d}" for d in dates] + [f"frontier 10 {d}" for d in dates]
            + [f"model {m}" for m in names] + [f"top {k} {d}" for k in (5, 15) for d in dates])
    rnd.shuffle(pool)
    return pool[:n]


def plan(users: int, engine, rnd: random.Random) -> list[list[tuple[str, str]]]:
    """Each user's PER_USER (kind, line) requests, drawn with MIX's shares."""
    total = users * PER_USER
    kinds = (["text"] * round(total * MIX["text"]) + ["popular_chart"] * round(total * MIX["popular_chart"]))
    kinds += ["new_chart"] * (total - len(kinds))
    rnd.shuffle(kinds)
    fresh = iter(new_chart_lines(engine, kinds.count("new_chart"), rnd))
    out = []
    for u in range(users):
        reqs = []
        for k in kinds[u * PER_USER:(u + 1) * PER_USER]:
            line = (rnd.choice(TEXT_LINES) if k == "text" else rnd.choice(POPULAR_CHARTS) if k == "popular_chart"
                    else next(fresh))
            reqs.append((k, line))
        out.append(reqs)
    return out


class MemorySampler:
    """Samples the process tree's memory every `every` seconds; keeps the peaks."""

    def __init__(self, pid: int, every: float = 0.25):
        self.pid, self.every = pid, every
        self.peak_rss = self.peak_pss = 0.0
        self.at_peak: dict[str, Any] = {}
        self.last: dict[str, Any] = {}
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            m = await loop.run_in_executor(None, tree_memory, self.pid)
            self.last = m
            if m["rss_mb"] > self.peak_rss:
                self.peak_rss, self.at_peak = m["rss_mb"], m
            self.peak_pss = max(self.peak_pss, m["pss_mb"])
            await asyncio.sleep(self.every)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass


async def _run(db: Path, engine, levels: list[int]) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from tests.discord_sim import DiscordSimulator

    out: dict[str, Any] = {"mix": MIX, "per_user": PER_USER}
    rnd = random.Random(42)
    async with DiscordSimulator(message_content_intent=True, rate_limits=False) as sim:
        guild = sim.create_guild("Bench")
        pool_users = []

        def fresh_user():
            i = len(pool_users)
            u = sim.create_user(f"user{i}")
            sim.add_member(guild, u)
            ch = sim.create_channel(guild, f"bench-{i}")  # one channel each: replies are unambiguous
            pool_users.append((u, ch))
            return u, ch

        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DISCORD_", "COOLDOWN_", "MAX_CONCURRENCY", "COMMAND_", "GUILD_READY",
                                    "CHART_WORKERS", "RACEBOT_", "SYNC_", "DATABASE_", "COMMAND_PREFIX"))}
        env.update({"DISCORD_TOKEN": sim.token, "DISCORD_ADDRESS": sim.address, "DISCORD_CA_FILE": sim.ca_file, "DATABASE_PATH": str(db),
                    "LOG_LEVEL": "INFO", "MPLBACKEND": "Agg",
                    "PYTHONPATH": os.pathsep.join(p for p in [str(ROOT), os.environ.get("PYTHONPATH", "")] if p)})
        t0 = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=str(db.parent), env=env,
                                                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        mem = MemorySampler(proc.pid)
        mem.start()
        log: list[str] = []
        ready = asyncio.Event()

        async def read_log() -> None:
            assert proc.stdout is not None
            while True:
                line = await proc.stdout.readline()
                if not line:
                    return
                text = line.decode(errors="replace").rstrip()
                log.append(text)
                m = re.search(r"ready in ([0-9.]+) s", text)
                if m and not ready.is_set():
                    out["process_ready_s"] = time.perf_counter() - t0
                    out["bot_ready_s"] = float(m.group(1))
                    ready.set()

        reader = asyncio.create_task(read_log())
        try:
            try:
                await asyncio.wait_for(ready.wait(), 120)
            except asyncio.TimeoutError:
                raise RuntimeError("the bot never became ready:\n" + "\n".join(log[-30:])) from None
            # the first chart after start: a user asks at once
            u, ch = fresh_user()
            m = sim.send_user_message(ch, u, "!race")
            [first] = await sim.wait_for_messages(ch, 1, 120, after=m)
            out["process_first_chart_s"] = time.perf_counter() - t0
            out["first_chart_after_ready_s"] = out["process_first_chart_s"] - out["process_ready_s"]
            out["first_chart_has_png"] = bool(first.attachments)
            mem_idle = tree_memory(proc.pid)
            out["idle_rss_mb"], out["idle_pss_mb"] = mem_idle["rss_mb"], mem_idle["pss_mb"]

            # slash commands one at a time (each by a new user: the cooldown is per user)
            lat = []
            slash = [("race", {}), ("gap", {"x": "us", "y": "china"}), ("model", {"name": "deepsek r1"}),
                     ("sources", {}), ("top", {})]
            for i in range(5 if QUICK else 15):
                u, ch = fresh_user()
                name, opts = slash[i % len(slash)]
                t = time.perf_counter()
                inter = sim.send_slash_command(name, opts, user=u, channel=ch)
                await sim.wait_for_answer(inter, 60)
                lat.append((time.perf_counter() - t) * 1000)
            out["slash_p50_ms"], out["slash_p99_ms"] = pct(lat, 50), pct(lat, 99)
            lat = []
            for i in range(20 if QUICK else 60):
                u, ch = pool_users[0]
                t = time.perf_counter()
                inter = sim.send_autocomplete("compare", {"models": ["gpt", "deeps", "claude 3", "gemini", "ll"][i % 5]},
                                              "models", user=u, channel=ch)
                await sim.wait_for_response(inter, 10)
                lat.append((time.perf_counter() - t) * 1000)
            out["autocomplete_p50_ms"], out["autocomplete_p99_ms"] = pct(lat, 50), pct(lat, 99)

            for n in levels:
                reqs = plan(n, engine, rnd)
                people = [fresh_user() for _ in range(n)]
                by_kind: dict[str, list[float]] = {k: [] for k in MIX}
                every: list[float] = []
                counts = {"lost": 0, "cooldown": 0, "charts": 0, "new_chart_with_png": 0, "new_chart": 0}

                async def user(k: int, people=people, reqs=reqs, counts=counts, every=every,
                               by_kind=by_kind) -> None:
                    u, ch = people[k]
                    for kind, line in reqs[k]:
                        t = time.perf_counter()
                        m = sim.send_user_message(ch, u, "!" + line)
                        try:
                            answers = await sim.wait_for_messages(ch, 1, 120, after=m)
                        except AssertionError:
                            counts["lost"] += 1
                            continue
                        ms = (time.perf_counter() - t) * 1000
                        every.append(ms)
                        by_kind[kind].append(ms)
                        a = answers[0]
                        if a.content.startswith("Easy there"):
                            counts["cooldown"] += 1
                        if a.attachments:
                            counts["charts"] += 1
                        if kind == "new_chart":
                            counts["new_chart"] += 1
                            counts["new_chart_with_png"] += bool(a.attachments)
                        for att in a.attachments:  # the simulator need not keep the PNGs
                            att.data = att.data[:8]

                cpu0 = tree_cpu_s(proc.pid)
                t1 = time.perf_counter()
                await asyncio.gather(*(user(k) for k in range(n)))
                wall = time.perf_counter() - t1
                cpu = tree_cpu_s(proc.pid) - cpu0
                key = f"e2e_{n}"
                cpu_ms = cpu * 1000 / max(1, len(every))
                out[key] = {"users": n, "commands": len(every), "wall_s": wall, "cmds_per_s": len(every) / wall,
                            "bot_cpu_ms_per_cmd": cpu_ms, "bot_cpu_share": cpu / wall,
                            "ceiling_cpu_cmds_per_s": (os.cpu_count() or 1) * 1000 / cpu_ms if cpu_ms else float("nan"),
                            "p50_ms": pct(every, 50), "p99_ms": pct(every, 99),
                            **{f"{k}_p50_ms": pct(v, 50) for k, v in by_kind.items()},
                            **{f"{k}_p99_ms": pct(v, 99) for k, v in by_kind.items()}, **counts}
            # gateway capacity: ordinary chat (no command) the bot must read and ignore, then
            # one command; the shard handles events in order, so its answer marks the end
            u, chat = fresh_user()
            t1 = time.perf_counter()
            for i in range(1000 if QUICK else 3000):
                sim.send_user_message(chat, u, f"just chatting about the race, message {i}")
            m = sim.send_user_message(chat, u, "!help")
            await sim.wait_for_messages(chat, 1, 120, after=m)
            out["gateway_events_per_s"] = (1001 if QUICK else 3001) / (time.perf_counter() - t1)
            out["rate_limited"] = await rate_limited(sim, fresh_user, engine, rnd)
            out["peak_rss_mb"], out["peak_pss_mb"] = mem.peak_rss, mem.peak_pss
            out["processes_at_peak"] = mem.at_peak.get("processes", [])
            out["end_rss_mb"], out["end_pss_mb"] = mem.last.get("rss_mb"), mem.last.get("pss_mb")
        finally:
            await mem.stop()
            if proc.returncode is None:
                proc.terminate()
                try:
                    await asyncio.wait_for(proc.wait(), 20)
                except asyncio.TimeoutError:
                    proc.kill()
                    await proc.wait()
            reader.cancel()
    out["log_tail"] = log[-5:]
    return out


async def rate_limited(sim, fresh_user, engine, rnd: random.Random) -> dict[str, Any]:
    """The same bot under Discord's limits as the simulator enforces them: 5
    messages per 5 s per channel, 50 requests per second in all (interactions
    exempt). Two shapes: many users each in their own channel (the global
    limit binds), and many users at once in one busy channel (the per-channel
    limit binds: answers queue at about one a second)."""
    out: dict[str, Any] = {}
    sim.rate_limits = True
    sim._buckets.clear()
    try:
        n, per_user = (20 if QUICK else 50), PER_USER
        people = [fresh_user() for _ in range(n)]
        reqs = plan(n, engine, rnd)
        lat: list[float] = []
        lost = 0

        async def user(k: int) -> None:
            nonlocal lost
            u, ch = people[k]
            for _kind, line in reqs[k][:per_user]:
                t = time.perf_counter()
                m = sim.send_user_message(ch, u, "!" + line)
                try:
                    answers = await sim.wait_for_messages(ch, 1, 120, after=m)
                except AssertionError:
                    lost += 1
                    continue
                lat.append((time.perf_counter() - t) * 1000)
                for a in answers:
                    for att in a.attachments:
                        att.data = att.data[:8]

        t1 = time.perf_counter()
        await asyncio.gather(*(user(k) for k in range(n)))
        wall = time.perf_counter() - t1
        out["own_channels"] = {"users": n, "cmds_per_s": len(lat) / wall, "p50_ms": pct(lat, 50),
                               "p99_ms": pct(lat, 99), "lost": lost}
        # one busy channel: 15 users ask at once
        busy_users = [fresh_user()[0] for _ in range(15)]
        _u, busy = fresh_user()
        t1 = time.perf_counter()
        msgs = [sim.send_user_message(busy, bu, "!" + reqs[k % n][0][1]) for k, bu in enumerate(busy_users)]
        try:
            await sim.wait_for_messages(busy, len(msgs), 120, after=msgs[0].id - 1)
        except AssertionError:
            pass
        wall = time.perf_counter() - t1
        answered = sim.messages_in(busy, after=msgs[0].id - 1)
        # each user waited from the burst to the accepted POST of their answer
        lat = [(c.at - t1) * 1000 for c in sim.calls("POST", rf"/channels/{busy.id}/messages$") if c.status == 200]
        out["busy_channel"] = {"users": len(msgs), "cmds_per_s": len(answered) / wall, "p50_ms": pct(lat, 50),
                               "p99_ms": pct(lat, 99), "lost": len(msgs) - len(answered)}
        out["429s"] = len([c for c in sim.rest_calls if c.status == 429])
    finally:
        sim.rate_limits = False
    return out


def bench_e2e(db: Path, engine, chart_render_ms: float, workers: int) -> dict[str, Any]:
    levels = [10] if QUICK else [10, 50]
    r = asyncio.run(_run(db, engine, levels))
    # the ceilings: what the chart workers can render, and what the cooldown lets users send
    share = MIX["new_chart"]
    r["ceiling_new_charts_per_s"] = workers * 1000 / chart_render_ms if chart_render_ms else float("nan")
    r["ceiling_cmds_per_s_charts"] = r["ceiling_new_charts_per_s"] / share
    r["chart_workers"] = workers
    for n in levels:
        r[f"e2e_{n}"]["ceiling_cooldown_cmds_per_s"] = n * 5 / 15.0
    return r
