"""Run the Discord test files several times in a row while both cores are busy.

``make test-stress``: one busy-loop process per core keeps the machine loaded
(the way other work on a shared machine does), and the Discord suite
(simulator, adapter, end to end, reliability) must pass every round. The
busy loops are started in their own process group and killed at the end,
whatever happens. Exit status: 0 when every round passed.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DISCORD_TESTS = [
    "tests/test_discord_sim.py",
    "tests/test_discord_sim_rules.py",
    "tests/test_discord_adapter.py",
    "tests/test_discord_e2e.py",
    "tests/test_discord_bot_rules.py",
    "tests/test_reliability.py",
    "tests/test_cluster.py",
    "tests/test_servers_e2e.py",
    "tests/test_ask_mention_e2e.py",
    "tests/test_discord_limits_fuzz.py",
    "tests/test_hostile_inputs_e2e.py",
    "tests/test_small_hardening_e2e.py",
]
BUSY_LOOP = "while True: pass"


def start_load(n: int) -> list[subprocess.Popen]:
    return [
        subprocess.Popen([sys.executable, "-c", BUSY_LOOP], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(n)
    ]


def stop_load(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for p in procs:
        p.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--busy", type=int, default=os.cpu_count() or 2, help="busy-loop processes (default: one per core)")
    ap.add_argument("--round-timeout", type=float, default=900.0, help="hard ceiling for one round, seconds")
    ap.add_argument("pytest_args", nargs="*", help="extra pytest arguments")
    args = ap.parse_args(argv)
    env = {**os.environ, "MPLBACKEND": "Agg"}

    def stop(signum, _frame):  # SIGTERM/SIGINT: still run the clean-up below
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    load = start_load(args.busy)
    results: list[tuple[int, float]] = []
    try:
        for r in range(1, args.rounds + 1):
            t0 = time.monotonic()
            print(f"--- round {r}/{args.rounds} with {args.busy} busy process(es)", flush=True)
            proc = subprocess.Popen(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *DISCORD_TESTS, *args.pytest_args],
                cwd=ROOT, env=env, start_new_session=True,
            )
            try:
                rc = proc.wait(timeout=args.round_timeout)
            except subprocess.TimeoutExpired:
                rc = 124
                print(f"round {r} exceeded {args.round_timeout:.0f} s and was killed", flush=True)
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            results.append((rc, time.monotonic() - t0))
            if rc != 0:
                break
    finally:
        stop_load(load)
    for i, (rc, secs) in enumerate(results, 1):
        print(f"round {i}: {'passed' if rc == 0 else f'FAILED (exit {rc})'} in {secs:.1f} s")
    ok = len(results) == args.rounds and all(rc == 0 for rc, _ in results)
    print("stress: all rounds passed" if ok else "stress: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
