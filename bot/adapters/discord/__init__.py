"""The Discord adapter: discord.py on the outside, the engine on the inside.

Every command in ``engine.commands`` becomes a hybrid command (``!name ...``
and ``/name ...``) at start, so a command added to the core needs no change
here. The adapter only translates: a message or an interaction becomes a
command line and a :class:`~bot.engine.Caller`; a :class:`~bot.reply.Reply`
becomes an embed, a chart attachment, content and buttons.

Safety: no mentions ever (``AllowedMentions.none()`` on the bot and on every
send), a per-user cooldown, a semaphore bounding engine/chart work, friendly
replies instead of tracebacks, and the token redacted from every log line.

Modules: ``bot`` (the client: a command's life, sending), ``launch`` (building, running and
closing it), ``race_cog`` (its lifecycle listeners and command errors), ``gateway`` (intents,
IDENTIFY turns, the slash commands' shape, the invite link), ``progress`` (long work's progress
note), ``slash`` (registry -> hybrid commands), ``views`` (buttons), ``embeds`` (Reply -> embed),
``callers`` (user -> Caller), ``logs`` (token redaction). Only this package imports discord.
"""
from bot.adapters.discord.bot import RaceBot
from bot.adapters.discord.launch import create_bot, main, run_bot

__all__ = ["RaceBot", "create_bot", "main", "run_bot"]
