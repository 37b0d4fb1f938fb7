"""A command line read once: what the adapter needs to know before the engine answers it."""
from __future__ import annotations

from dataclasses import dataclass

from bot.caller import Caller
from bot.commands.authority import refusal
from bot.commands.grammar import split_command
from bot.commands.registry import CommandInfo, find


@dataclass(frozen=True)
class Plan:
    """What ``Engine.plan(line, caller)`` read of a line, with the caller's prefix (a server's own
    or the bot's): the adapter decides from it whether to download an attachment and which time
    limit applies, then hands the same plan to ``Engine.handle``/``aanswer``, which answer it
    without splitting the line again."""
    line: str
    prefix: str                  # the prefix the line was read with
    word: str                    # the command word as typed ("" when there is none)
    rest: str                    # the words after it
    command: CommandInfo | None  # its registry entry (None: no such command, or none typed)
    upload: bool                 # it reads an attached file and the caller may run it: download it, and only then
    long: bool                   # long work (an import, a sync): progress notes instead of COMMAND_TIMEOUT


def read_line(line: str, caller: Caller, prefix: str) -> Plan:
    """`line` as `caller` typed it, read with `prefix`."""
    word, rest = split_command(line, prefix)
    info = find(word) if word else None
    upload = (info is not None and any(p.kind == "attachment" for p in info.params)
              and refusal(info, caller, prefix) is None)
    return Plan(line, prefix, word, rest, info, upload, bool(info and info.long))
