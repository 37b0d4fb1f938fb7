"""Issue #13 item 8: chart workers die with the bot, SIGKILL included, and
never hold the bot's stdout or stderr."""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.render.charts.lifeline import owner_alive

ROOT = Path(__file__).resolve().parents[1]
CEILING = 60.0  # generous: the workers poll twice a second and the kernel kills at once

BOT = textwrap.dedent("""
    import json, os, sys, time
    from bot.engine import Engine
    from bot.render.charts.service import _ping
    from multiprocessing import forkserver
    e = Engine.open(sys.argv[1])
    svc = e.charts
    svc.warm(wait=True)
    pool = svc._process_pool()
    pids = sorted({pool.submit(_ping).result(timeout=120) for _ in range(30)})
    print(json.dumps({"workers": pids, "forkserver": forkserver._forkserver._forkserver_pid}), flush=True)
    sys.stderr.write("ready\\n"); sys.stderr.flush()
    time.sleep(600)
""")


def _wait(cond, ceiling: float) -> bool:
    end = time.monotonic() + ceiling
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def _eof(fd: int, ceiling: float) -> bool:
    """Whether the pipe `fd` reaches end-of-file (every writer closed it) within `ceiling`."""
    end = time.monotonic() + ceiling
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
        if ready and os.read(fd, 65536) == b"":
            return True
    return False


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_chart_workers_die_with_a_killed_bot_and_release_its_stdio(seeded_db, tmp_path):
    env = {**os.environ, "RACEBOT_CHART_PROCESSES": "1", "RACEBOT_CHART_WORKERS": "2", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", BOT, str(seeded_db)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT, env=env)
    pids: list[int] = []
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 180)
        assert ready, "the bot did not start its chart workers in time"
        info = json.loads(proc.stdout.readline())
        pids = [*info["workers"], info["forkserver"]]
        assert len(info["workers"]) >= 1 and all(owner_alive(p) for p in pids)
        # workers do not hold the bot's stdout/stderr
        for pid in info["workers"]:
            for fd in (1, 2):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                assert target == os.devnull, (pid, fd, target)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        assert _wait(lambda: not any(owner_alive(p) for p in pids), CEILING), \
            [p for p in pids if owner_alive(p)]
        assert _eof(proc.stdout.fileno(), CEILING), "something still holds the bot's stdout"
        assert _eof(proc.stderr.fileno(), CEILING), "something still holds the bot's stderr"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
        for p in pids:  # never leave a process behind, whatever the assertions said
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass


def test_owner_alive_sees_the_dead_and_the_zombies():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    assert _wait(lambda: not owner_alive(child.pid), 30)  # exited, not yet reaped: a zombie
    child.wait(30)
    assert not owner_alive(child.pid)
    assert owner_alive(os.getpid())
