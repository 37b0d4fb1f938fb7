"""The command registry: one decorator per handler.

A handler is ``def handler(ctx: Context, args: Args) -> Reply``. Registering
it with :func:`command` is all it takes for the console, the CLI and the
Discord adapter (prefix and slash) to offer it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from bot.commands.authority import PERMISSIONS
from bot.reply import Reply

# ``handler(ctx: Context, args: Args) -> Reply``; typed loosely here because
# bot.commands.context imports this module (CommandInfo), not the reverse.
Handler = Callable[[Any, Any], Reply]


@dataclass(frozen=True)
class Param:
    """One parameter of a command. ``kind`` is a key of ``bot.commands.params.KINDS``: typed kinds
    (date, count, category, country, benchmark, org, access, size, threshold, flag, word) are read
    from the words by ``params.bind``; the others (model, models, text, int, command, attachment)
    by the handler. ``words``: the words of a ``flag`` or ``word`` parameter. ``rest``: this
    parameter gets the words no other parameter takes, in their order, for the handler to resolve
    (a name with its "did you mean"); at most one per command."""
    name: str
    kind: str
    description: str
    required: bool = False
    words: tuple[str, ...] = ()
    rest: bool = False


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
    permission: str | None = None  # None | "moderator" | "manage_server" | "in_server" (bot.commands.authority)
    # long work (imports): not bounded by COMMAND_TIMEOUT; it reports progress instead
    long: bool = False


REGISTRY: dict[str, CommandInfo] = {}
ALIASES: dict[str, str] = {}


def command(name: str, *, summary: str, usage: str, example: str, aliases: tuple[str, ...] = (),
            params: tuple[Param, ...] = (), admin: bool = False, chart: bool = False,
            group: str | None = None, details: str = "", permission: str | None = None,
            long: bool = False) -> Callable:
    """Register a handler. ``admin=True`` is ``permission="moderator"`` (data
    moderators); ``permission="manage_server"`` is for the managers of the
    server the command is typed in; ``"in_server"`` for anyone, in a server.
    The engine checks the permission before the handler runs."""
    if admin:
        permission = "moderator"
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in REGISTRY or name in ALIASES:
            raise ValueError(f"command {name!r} registered twice")
        default_group = {"moderator": "moderators", "manage_server": "server"}.get(permission or "", "community")
        REGISTRY[name] = CommandInfo(name, summary, usage, example, fn, aliases, params, permission == "moderator",
                                     chart, group or default_group, details, permission, long)
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


# What a refresh computes for the next read model before readers get it (``Engine._build``): the
# tables a command would otherwise build on its first call after a change or a start (prices per
# board, each country's best per board, the overall scales, small's records). ``fn(read, previous)``:
# `previous` is the model being replaced (None at start), whose tables may be reused where the boards
# they read are the same objects (``board is previous_board``). Registered with :func:`at_refresh`.
AT_REFRESH: list[Callable[[Any, Any], None]] = []


def at_refresh(fn: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    AT_REFRESH.append(fn)
    return fn
