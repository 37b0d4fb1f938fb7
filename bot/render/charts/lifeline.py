"""Chart workers die with the bot, however the bot dies (SIGKILL included).

The chart pool's workers are started by multiprocessing's forkserver, so the
bot is not even their parent. :func:`bind_to_owner` runs first in every
worker (the pool's initializer) and ties the worker to the bot's process in
three ways:

* its standard input, output and error are moved to ``/dev/null``: a worker
  never holds the bot's stdout or stderr (a supervisor reading them sees
  them close when the bot dies, not when the last worker does);
* on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the
  worker when its parent (the forkserver) dies, and the forkserver ends when
  the bot does (it watches a pipe from the bot);
* everywhere, a daemon thread checks every ``POLL`` seconds that the bot's
  process is still alive (and not a zombie), and ends the worker when it is not.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading

POLL = 0.5
PR_SET_PDEATHSIG = 1


def owner_alive(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie (a dead process its
    parent has not reaped yet)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except (OSError, IndexError):
        return True  # no /proc: kill(0) said it exists


def _die_with_parent() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _quiet_stdio() -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        try:
            os.dup2(devnull, fd)
        except OSError:
            pass
    os.close(devnull)


def _watch(owner_pid: int) -> None:
    def run() -> None:
        while owner_alive(owner_pid):
            threading.Event().wait(POLL)
        os._exit(0)

    threading.Thread(target=run, name="racebot-owner-watch", daemon=True).start()


def bind_to_owner(owner_pid: int) -> None:
    """Tie this worker's life to process `owner_pid` (the bot)."""
    _quiet_stdio()
    parent = os.getppid()
    if _die_with_parent() and os.getppid() != parent:
        os._exit(0)  # the parent died before the signal was armed
    if not owner_alive(owner_pid):
        os._exit(0)
    _watch(owner_pid)
