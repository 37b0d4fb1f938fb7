"""Benchmark the Discord side end to end: the real bot against the loopback Discord.

    python scripts/bench_discord.py [--json] [--rounds 30]

Measures, over real sockets on 127.0.0.1: start-to-ready (bot created ->
on_ready), prefix command latency (message typed -> answer posted, chart
included), slash command latency (interaction -> final answer), autocomplete
latency (target < 3 s, Discord's limit), and a burst of concurrent users.
Latency includes the engine and the chart renderer, so it is what a user sees
minus Discord's own network time.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from discord_sim import DiscordSimulator  # noqa: E402

from bot.adapters.discord_bot import create_bot  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.engine import Engine  # noqa: E402

PREFIX_LINES = [
    "!compare gpt-4o vs deepseek r1", "!race", "!gap us china", "!top 10", "!model deepseek r1",
    "!frontier", "!count 2024 by country", "!org openai", "!help", "!timeline openai",
]
SLASH = [("race", {}), ("compare", {"models": "gpt-4o vs DeepSeek-R1"}), ("gap", {"x": "us", "y": "china"})]


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(pct(values, 50) * 1000, 1),
        "p95_ms": round(pct(values, 95) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1) if values else float("nan"),
        "mean_ms": round(statistics.fmean(values) * 1000, 1) if values else float("nan"),
    }


async def bench(rounds: int) -> dict[str, object]:
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        engine = Engine.open(Path(tmp) / "bench.db")
        results["engine_open_s"] = round(time.perf_counter() - t0, 3)
        async with DiscordSimulator() as sim:
            guild = sim.create_guild("Bench")
            channel = sim.text_channel(guild)
            users = [sim.create_user(f"user{i}") for i in range(25)]
            for u in users:
                sim.add_member(guild, u)
            settings = Settings(
                discord_token=sim.token, discord_api_base=sim.api_base, cooldown_rate=1000, cooldown_per=1.0,
            )
            t0 = time.perf_counter()
            bot = create_bot(settings, engine)
            task = asyncio.create_task(bot.start(settings.discord_token))
            await asyncio.wait_for(bot.wait_until_ready(), 30)
            results["start_to_ready_s"] = round(time.perf_counter() - t0, 3)
            results["guild_ready_timeout_s"] = settings.guild_ready_timeout
            try:
                # prefix commands, one at a time
                lat: list[float] = []
                for i in range(rounds):
                    line = PREFIX_LINES[i % len(PREFIX_LINES)]
                    t = time.perf_counter()
                    m = sim.send_user_message(channel, users[i % len(users)], line)
                    await sim.wait_for_messages(channel, 1, 30, after=m)
                    lat.append(time.perf_counter() - t)
                results["prefix_command"] = summary(lat)

                # slash commands (deferred, then the answer)
                lat = []
                for i in range(max(3, rounds // 3)):
                    name, opts = SLASH[i % len(SLASH)]
                    t = time.perf_counter()
                    inter = sim.send_slash_command(name, opts, user=users[i % len(users)], channel=channel)
                    await sim.wait_for_answer(inter, 30)
                    lat.append(time.perf_counter() - t)
                results["slash_command"] = summary(lat)

                # autocomplete
                lat = []
                for i in range(rounds):
                    t = time.perf_counter()
                    inter = sim.send_autocomplete("compare", {"models": ["gpt", "deeps", "claude 3", "gemini", "ll"][i % 5]},
                                                  "models", user=users[0], channel=channel)
                    await sim.wait_for_response(inter, 5)
                    lat.append(time.perf_counter() - t)
                results["autocomplete"] = summary(lat)

                # a burst: every user asks at once
                t = time.perf_counter()
                first = max(sim.messages) if sim.messages else 0
                for i, u in enumerate(users):
                    sim.send_user_message(channel, u, PREFIX_LINES[i % len(PREFIX_LINES)])
                await sim.wait_for_messages(channel, len(users), 60, after=first)
                results["burst"] = {"users": len(users), "all_answered_s": round(time.perf_counter() - t, 3),
                                    "max_concurrency": settings.max_concurrency}
            finally:
                await bot.close()
                await asyncio.wait_for(task, 10)
        engine.close()
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args()
    res = asyncio.run(bench(args.rounds))
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print("| Discord end to end (loopback) | value |")
    print("|---|---|")
    for key, value in res.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        print(f"| {key} | {value} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
