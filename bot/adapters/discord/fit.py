"""Replies that fit what the bot may do in a channel.

Discord refuses a message the bot has no Send Messages (in threads: Send
Messages in Threads) permission for, refuses files without Attach Files, and
silently drops embeds without Embed Links. Each refusal is a 403 that counts
toward the 10,000 invalid requests per 10 minutes after which Cloudflare bans
the bot. So the adapter computes its permissions in the channel from what
discord.py caches (guild roles and channel overwrites, kept current by the
gateway) and shapes the reply before sending: the embed becomes text, a
chart becomes a note, and where it may not speak it stays silent.
"""
from __future__ import annotations

import logging
import time
from typing import Any

import discord

log = logging.getLogger("racebot.discord")

NO_FILES_NOTE = "(The chart is not attached: I don't have the Attach Files permission in this channel.)"
SILENT_LOG_EVERY = 600.0  # seconds between two "cannot send here" lines for one channel


def permissions_in(channel: Any, me: Any) -> discord.Permissions | None:
    """The bot's permissions in ``channel``; ``None`` where Discord does not apply
    channel permissions (DMs) or the channel cannot tell (not cached)."""
    if me is None or not hasattr(channel, "permissions_for") or getattr(channel, "guild", None) is None:
        return None
    try:
        return channel.permissions_for(me)
    except Exception:  # a thread whose parent is not cached, say: let Discord decide
        return None


def can_send(channel: Any, perms: discord.Permissions | None) -> bool:
    if perms is None:
        return True
    if not perms.view_channel:
        return False
    if isinstance(channel, discord.Thread):
        return perms.send_messages_in_threads
    return perms.send_messages


def missing_send_permission(channel: Any) -> str:
    return "Send Messages in Threads" if isinstance(channel, discord.Thread) else "Send Messages"


def embed_as_text(embed: discord.Embed, *, footer: bool = True) -> str:
    """The visible text of an embed as message content (Markdown)."""
    parts: list[str] = []
    if embed.title:
        parts.append(f"**{embed.title}**")
    if embed.description:
        parts.append(embed.description)
    for f in embed.fields:
        name = "" if f.name in (None, "\u200b") else f"**{f.name}**"
        value = "" if f.value in (None, "\u200b") else str(f.value)
        line = f"{name}: {value}" if name and value else (name or value)
        if line:
            parts.append(line)
    if footer and embed.footer and embed.footer.text:
        parts.append(f"-# {embed.footer.text}")
    return "\n".join(parts)


def _clip(text: str, limit: int = 2000) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def fit(kw: dict[str, Any], perms: discord.Permissions | None) -> dict[str, Any]:
    """``render()`` keyword arguments reshaped for ``perms``: embeds as text
    without Embed Links, files left out (with a note) without Attach Files.
    The source line (the embed footer) and the notes survive; the body is clipped."""
    if perms is None:
        return kw
    out = dict(kw)
    tail: list[str] = []
    if out.get("embeds") and not perms.embed_links:
        body = "\n\n".join(embed_as_text(e, footer=False) for e in out["embeds"])
        footers = [f"-# {e.footer.text}" for e in out["embeds"] if e.footer and e.footer.text]
        out["content"] = "\n\n".join(p for p in (out.get("content") or "", body) if p)
        out["embeds"] = []
        tail += footers[-1:]
    if out.get("files") and not perms.attach_files:
        out["files"] = []
        tail.append(NO_FILES_NOTE)
    if tail:
        end = "\n".join(tail)
        body = out.get("content") or ""
        out["content"] = (_clip(body, 2000 - len(end) - 1) + "\n" + end) if body else end
    return out


class SilenceLog:
    """One INFO line when the bot stays silent in a channel, at most every
    ``SILENT_LOG_EVERY`` seconds per channel (a busy channel must not flood the log)."""

    def __init__(self, every: float = SILENT_LOG_EVERY) -> None:
        self.every = every
        self._last: dict[int, float] = {}

    def note(self, channel: Any, what: str) -> None:
        now = time.monotonic()
        cid = getattr(channel, "id", 0)
        if now - self._last.get(cid, -self.every - 1) < self.every:
            return
        self._last[cid] = now
        guild = getattr(getattr(channel, "guild", None), "name", "?")
        log.info("not answering in #%s (%s): I don't have the %s permission there", getattr(channel, "name", cid),
                 guild, what)
