"""The command registry: one decorator per handler.

A handler is ``def handler(ctx: Context, args: Args) -> Reply``. Registering
it with :func:`command` is all it takes for the console, the CLI and the
Discord adapter (prefix and slash) to offer it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from bot.reply import Reply

# ``handler(ctx: Context, args: Args) -> Reply``; typed loosely here because
# bot.commands.context imports this module (CommandInfo), not the reverse.
Handler = Callable[[Any, Any], Reply]


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # model | models | org | country | benchmark | text | int | date | attachment
    description: str
    required: bool = False


@dataclass
class CommandInfo:
    name: str
    summary: str
    usage: str
    example: str
    handler: Handler
    aliases: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    admin: bool = False
    chart: bool = False
    group: str = "community"
    details: str = ""


REGISTRY: dict[str, CommandInfo] = {}
ALIASES: dict[str, str] = {}


def command(name: str, *, summary: str, usage: str, example: str, aliases: tuple[str, ...] = (),
            params: tuple[Param, ...] = (), admin: bool = False, chart: bool = False,
            group: str | None = None, details: str = "") -> Callable:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in REGISTRY or name in ALIASES:
            raise ValueError(f"command {name!r} registered twice")
        REGISTRY[name] = CommandInfo(name, summary, usage, example, fn, aliases, params, admin, chart,
                                     group or ("moderators" if admin else "community"), details)
        for a in aliases:
            if a in ALIASES or a in REGISTRY:
                raise ValueError(f"alias {a!r} registered twice")
            ALIASES[a] = name
        return fn

    return register


def find(word: str) -> CommandInfo | None:
    w = word.lower()
    name = w if w in REGISTRY else ALIASES.get(w)
    return REGISTRY.get(name) if name else None
