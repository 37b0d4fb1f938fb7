"""Engine commands as discord.py hybrid commands: prefix (``!name``) and slash
(``/name``) from the one registry, with autocomplete from the engine."""
from __future__ import annotations

import inspect
import keyword
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.adapters.discord.host import Host
from bot.commands.params import KINDS
from bot.render.text import clip

AUTOCOMPLETE_KINDS = {k.name for k in KINDS.values() if k.autocomplete}
AUTOCOMPLETE_TIMEOUT = 2.0  # Discord drops autocomplete answers after 3 s


# ---------------------------------------------------------------------------- commands
_NAME_RX = re.compile(r"[^a-z0-9_-]")


def slash_name(name: str) -> str:
    n = _NAME_RX.sub("_", name.strip().lower().replace(" ", "_"))[:32]
    return n or "cmd"


def _py_name(name: str) -> str:
    n = re.sub(r"\W", "_", name)
    if not n or n[0].isdigit():
        n = "p_" + n
    if keyword.iskeyword(n) or n in ("ctx", "run"):
        n += "_"
    return n


_SLASH_TYPES: dict[str, Any] = {"str": str, "int": int, "bool": bool, "attachment": discord.Attachment}


def options(info: Any) -> list[Any]:
    """The command's parameters offered as slash options, required first (Discord's rule); a
    parameter whose kind has no slash type (filler words) is not one."""
    params = [p for p in info.params if KINDS[p.kind].slash]
    return [p for p in params if p.required] + [p for p in params if not p.required]


def option_text(p: Any, value: Any) -> str:
    """A slash option's value as the words the parameter reads: a flag's word when set
    (``all``), a threshold's lead word before a bare number (``above 1400``)."""
    if value is None or value is False:
        return ""
    if value is True:
        return (p.words or ("all",))[0]
    text = str(value).strip()
    lead = KINDS[p.kind].lead or (p.words[0] if p.kind == "count" and p.words else "")
    return f"{lead} {text}" if lead and text.isdigit() else text


_USAGE_TOKEN = re.compile(r"<[^<>]*>|\[[^\[\]]*\]|\S+")


def connectors(info: Any) -> dict[str, str]:
    """Literal words the usage puts before a parameter, between two placeholders:
    ``rename <model> to <new name>`` -> ``{"new": "to"}``; ``merge <duplicate>
    into <model>`` -> ``{"model": "into"}``. Placeholders match a parameter by
    their whole text or first word."""
    names = {p.name for p in info.params}
    out: dict[str, str] = {}
    pending: list[str] = []
    seen = False
    for tok in _USAGE_TOKEN.findall(getattr(info, "usage", "") or "")[1:]:
        if tok[0] in "<[":
            inner = tok[1:-1].strip()
            first = inner.split()[0] if inner else ""
            name = inner if inner in names else (first if first in names else None)
            if name and pending and seen:
                out[name] = " ".join(pending)
            pending, seen = [], True
        else:
            pending.append(tok)
    return out


def build_line(info: Any, values: dict[str, Any]) -> str:
    """Join a slash command's options into the command line the engine parses:
    the command name, then the given values in the command's parameter order
    (``/gap x:us y:china date:2025`` -> ``gap us china 2025``), with the
    usage's connecting words kept (``/rename model:a new:b`` -> ``rename a to b``)."""
    joins = connectors(info)
    parts = [info.name]
    for p in info.params:
        text = option_text(p, values.get(p.name))
        if not text:
            continue
        word = joins.get(p.name)
        if word and len(parts) > 1 and not text.lower().startswith(word.lower() + " "):
            parts.append(word)
        parts.append(text)
    return " ".join(parts)


class EngineCommand(commands.HybridCommand):
    """A hybrid command whose prefix form hands the raw message to the engine.

    discord.py would split ``!compare gpt-4o vs deepseek r1`` into parameters;
    the engine has its own parser, so the prefix path parses nothing and the
    callback reads the rest of the message. The slash path keeps its typed,
    autocompleted options.
    """

    async def _parse_arguments(self, ctx: commands.Context) -> None:
        if ctx.interaction is not None:
            return await super()._parse_arguments(ctx)
        ctx.args = [ctx] if self.cog is None else [self.cog, ctx]
        ctx.kwargs = {name: None for name in self.params}


def make_command(bot: Host, info: Any) -> EngineCommand:
    """One hybrid command for one ``CommandInfo``: its callback's signature is built from the
    declared parameters (``inspect.Signature``; discord.py reads options from it)."""
    ordered = options(info)
    names: dict[str, str] = {}  # python name -> engine param name
    # commands.Parameter (an inspect.Parameter with what discord.ext reads: converter, description)
    sig = [commands.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for p in ordered:
        py = _py_name(slash_name(p.name))
        names[py] = p.name
        kind = _SLASH_TYPES[KINDS[p.kind].slash]
        sig.append(commands.Parameter(py, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                     annotation=kind if p.required else kind | None,
                                     default=inspect.Parameter.empty if p.required else None))

    async def run(ctx: commands.Context, values: dict[str, Any]) -> None:
        if ctx.interaction is None:
            line = ctx.message.content[len(ctx.prefix or ""):].strip()
            files = list(ctx.message.attachments)
        else:
            given = {names[k]: v for k, v in values.items() if k in names}
            files = [v for v in given.values() if isinstance(v, discord.Attachment)]
            line = build_line(info, {k: v for k, v in given.items() if not isinstance(v, discord.Attachment)})
        await bot.run_command(ctx, line, files)

    async def func(ctx: commands.Context, **values: Any) -> None:
        await run(ctx, values)

    def shape(ctx: commands.Context, **values: Any) -> None:
        """Carries the options' signature: discord.py reads it through ``func.__wrapped__``
        (a ``__signature__`` on ``func`` itself is set and deleted again by ``HybridAppCommand``)."""

    shape.__signature__ = inspect.Signature(sig)  # type: ignore[attr-defined]
    func.__wrapped__ = shape  # type: ignore[attr-defined]
    func.__name__ = _py_name(slash_name(info.name)) + "_command"
    func.__doc__ = info.summary
    descriptions = {py: clip(p.description or p.name, 100) for py, p in zip(names, ordered)}
    renames = {py: slash_name(names[py]) for py in names if py != slash_name(names[py])}
    if descriptions:
        func = app_commands.describe(**descriptions)(func)
    if renames:
        func = app_commands.rename(**renames)(func)
    if info.admin or getattr(info, "permission", None) == "manage_server":
        # Moderator commands: servers only, and hidden from members until a
        # server admin grants them (Manage Server by default).
        func = app_commands.default_permissions(manage_guild=True)(func)
        func = app_commands.guild_only()(func)
        func = app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)(func)
    else:
        func = app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)(func)
    func = app_commands.allowed_installs(guilds=True, users=False)(func)
    help_text = (info.summary or info.name) + (f"\nUsage: {bot.settings.command_prefix}{info.usage}" if info.usage else "") + (
        f"\nExample: {bot.settings.command_prefix}{info.example}" if getattr(info, "example", "") else "")
    cmd = EngineCommand(
        func,
        name=slash_name(info.name),
        aliases=[a for a in info.aliases if a != info.name],
        description=clip(info.summary or info.name, 100),
        help=help_text,
    )
    for py, p in zip(names, ordered):
        if KINDS[p.kind].autocomplete:
            cmd.autocomplete(py)(bot.make_autocomplete(p.kind))
    return cmd
