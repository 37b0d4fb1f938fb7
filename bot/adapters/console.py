"""The local console: the same bot without Discord.

``make run`` with no ``DISCORD_TOKEN`` lands here. Line editing and history
come from the standard library's readline; charts are written to a folder
and their paths printed. The local operator holds the database file, so it
is a moderator here.
"""
from __future__ import annotations

import itertools
import re
import sys
from pathlib import Path
from types import ModuleType

from bot.engine import LOCAL_OPERATOR, Engine
from bot.render.text import as_plain


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name)[:80] or "file"


_FILE_NUMBERS = itertools.count(1)  # charts written in this session: 001-..., 002-...


METHOD_WORDS = ("method", "how", "how is this measured?", "how is this measured")


def show(engine: Engine, line: str, out_dir: Path, *, write=print, ask=input, last: dict | None = None) -> None:
    """Answer `line`. `last` (the console's memory) keeps the previous answer's method: `method`
    shows it, as Discord's "How is this measured?" button does (with none: `help method`)."""
    if last is not None and line.strip().lower() in METHOD_WORDS:
        if last.get("method"):
            write(last["method"])
            return
        line = "help method"
    line = engine.as_question(line)  # a question, not a command: `ask` reads it
    reply = engine.attach_chart(engine.handle(line, LOCAL_OPERATOR))
    if last is not None:
        last["method"] = reply.method if reply.status == "ok" else None
    pages = [reply, *reply.pages]
    for i, page in enumerate(pages):
        if len(pages) > 1:
            write(f"[page {i + 1}/{len(pages)}]")
        write(as_plain(page))
    if last is not None and last.get("method"):
        write("(How is this measured? Type `method`.)")
    for att in reply.files:
        out_dir.mkdir(parents=True, exist_ok=True)
        word = _safe(line.split()[0].lstrip(engine.prefix) if line.split() else "chart")
        path = out_dir / f"{next(_FILE_NUMBERS):03d}-{word}-{_safe(att.filename)}"
        path.write_bytes(att.data)
        write(f"[{att.filename} written to {path}]")
    if reply.status == "confirm" and reply.confirm_token:
        answer = ask("Confirm? [y/N] ").strip().lower()
        if answer in ("y", "yes"):
            write(as_plain(engine.confirm(reply.confirm_token, LOCAL_OPERATOR)))
        else:
            write("Cancelled; nothing changed.")


def run_console(engine: Engine, *, out_dir: Path = Path("charts"), stdin=None) -> int:
    interactive = (stdin or sys.stdin).isatty()
    history = engine.settings.history_path  # RACEBOT_HISTORY
    engine.charts.warm()  # start the chart workers while the first question is typed
    last: dict = {}  # the previous answer's method, for `method`
    readline: ModuleType | None = None
    if interactive:
        try:
            import readline as _readline

            readline = _readline
            if history.exists():
                readline.read_history_file(history)
            readline.set_history_length(1000)
        except (ImportError, OSError):
            readline = None
        print(f"AI Race Bot console on {engine.store.path}. Type `help`, or `quit` to leave. "
              f"Charts go to {out_dir}/.")
    try:
        while True:
            try:
                line = input("race> " if interactive else "")
            except EOFError:
                break
            except KeyboardInterrupt:
                print()
                continue
            if not line.strip():
                continue
            if line.strip().lower() in ("quit", "exit", ":q"):
                break
            show(engine, line, out_dir, last=last)
    finally:
        if readline is not None:
            try:
                readline.write_history_file(history)
            except OSError:
                pass
    return 0
