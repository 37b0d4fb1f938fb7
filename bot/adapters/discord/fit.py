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

import asyncio
import gzip
import logging
import time
from dataclasses import replace
from collections.abc import Iterable
from typing import Any

import discord

from bot.render.text import BLANK, clip, split_lines
from bot.reply import CONTENT_LIMIT, EMBED_TOTAL_LIMIT, Attachment, Reply

log = logging.getLogger("racebot.discord")

NO_FILES_NOTE = "(The chart is not attached: I don't have the Attach Files permission in this channel.)"
NO_FILES_NOTE_ANY = "(The files are not attached: I don't have the Attach Files permission in this channel.)"
# Uploads (https://discord.com/developers/docs/reference#uploading-files): each file at most the
# channel's limit (10 MiB by default; a boosted server's, or the interaction's `attachment_size_limit`),
# at most 10 files a message, at most 25 MiB a request.
DEFAULT_UPLOAD_LIMIT = 10 * 2**20
MAX_FILES = 10
MAX_REQUEST_BYTES = 25 * 2**20
REQUEST_MARGIN = 64 * 1024  # the JSON part and the multipart framing share the request
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


def _visible_text(title: str | None, description: str | None, fields: Iterable[tuple[Any, Any]]) -> str:
    """An embed's words as message content (Markdown): the bold title, the
    description, a ``**name**: value`` line a field; blank names and values
    (empty, or the zero-width placeholder) are left out."""
    parts = [f"**{title}**"] if title else []
    if description:
        parts.append(description)
    for raw_name, raw_value in fields:
        name = "" if raw_name in (None, "", BLANK) else f"**{raw_name}**"
        value = "" if raw_value in (None, "", BLANK) else str(raw_value)
        line = f"{name}: {value}" if name and value else (name or value)
        if line:
            parts.append(line)
    return "\n".join(parts)


def embed_as_text(embed: discord.Embed, *, footer: bool = True) -> str:
    """The visible text of an embed as message content (Markdown)."""
    text = _visible_text(embed.title, embed.description, ((f.name, f.value) for f in embed.fields))
    if footer and embed.footer and embed.footer.text:
        text = "\n".join(x for x in (text, f"-# {embed.footer.text}") if x)
    return text


def _clip(text: str, limit: int = 2000) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def upload_limit(ctx: Any) -> int:
    """The largest file Discord takes in ``ctx``'s channel: an interaction says
    (`attachment_size_limit`), a server's boost tier sets it, else 10 MiB."""
    interaction = getattr(ctx, "interaction", None)
    if interaction is not None and getattr(interaction, "filesize_limit", None):
        return int(interaction.filesize_limit)
    guild = getattr(ctx, "guild", None)
    if guild is not None and getattr(guild, "filesize_limit", None):
        return int(guild.filesize_limit)
    return DEFAULT_UPLOAD_LIMIT


def _with_note(text: str, note: str) -> str:
    """``text`` with ``note`` on its own last line, the whole within the content limit."""
    note = _clip(note, CONTENT_LIMIT)
    if not text:
        return note
    return _clip(text, CONTENT_LIMIT - len(note) - 1) + "\n" + note


def fit_files(reply: Reply, *, may_attach: bool, limit: int = DEFAULT_UPLOAD_LIMIT) -> Reply:
    """``reply`` with files Discord will take here: none without Attach Files;
    otherwise at most 10, each within ``limit`` (a bigger one compressed with gzip
    when that makes it fit), together within the 25 MiB request. What is left
    out is said in the text, with the command line that gets it when the reply
    names one (``data["cli"]``). An embed image goes with its file (render draws
    the image only from the files that are there). May take a moment (gzip):
    call it off the event loop when there are big files."""
    if not reply.files:
        return reply
    cli = reply.data.get("cli") if isinstance(reply.data, dict) else None
    how = f" On the bot's machine, `{cli}` writes it." if cli else ""
    if not may_attach:
        charts_only = all((a.content_type or "").startswith("image/") for a in reply.files)
        note = NO_FILES_NOTE if charts_only else NO_FILES_NOTE_ANY[:-2] + "." + how + ")"
        return replace(reply, files=[], text=_with_note(reply.text, note))
    kept: list[Attachment] = []
    notes: list[str] = []
    total = 0
    for a in reply.files:
        data, name, ctype = a.data, a.filename, a.content_type
        if len(data) > limit:
            packed = gzip.compress(data, compresslevel=6, mtime=0)
            if len(packed) <= limit:
                notes.append(f"`{name}` ({mib(len(data))}) is over this channel's {mib(limit)} upload limit, so it "
                             f"is attached compressed as `{name}.gz`.")
                data, name, ctype = packed, name + ".gz", "application/gzip"
            else:
                notes.append(f"`{name}` ({mib(len(a.data))}) is over this channel's {mib(limit)} upload limit even "
                             f"compressed, so it is not attached.{how}")
                continue
        if len(kept) >= MAX_FILES or total + len(data) > MAX_REQUEST_BYTES - REQUEST_MARGIN:
            notes.append(f"`{name}` is not attached: a message carries at most {MAX_FILES} files and "
                         f"{mib(MAX_REQUEST_BYTES)}.{how}")
            continue
        kept.append(Attachment(name, data, ctype) if data is not a.data else a)
        total += len(data)
    if not notes:
        return reply
    text = reply.text
    for note in notes:
        text = _with_note(text, note)
    return replace(reply, files=kept, text=text)


def _embed_text(page: Reply) -> str:
    return _visible_text(page.title, page.description, ((f.name, f.value) for f in page.fields))


def has_embed(reply: Reply) -> bool:
    return any(p.title or p.description or p.fields for p in (reply, *reply.pages))


def as_text(reply: Reply) -> Reply:
    """``reply`` (and its pages) as plain messages, for a channel without Embed
    Links: the embed's words become content, cut into pages of at most 2,000
    characters, each ending with the source line."""
    out: list[str] = []
    for page in (reply, *reply.pages):
        body = "\n\n".join(p for p in (page.text, _embed_text(page)) if p)
        foot = f"-# {clip(page.footer, 300)}" if page.footer else ""
        room = CONTENT_LIMIT - (len(foot) + 1 if foot else 0)
        for chunk in (split_lines(body, room) if body else [""]):
            text = "\n".join(x for x in (chunk, foot) if x)
            if text:
                out.append(text)
    out = out or [""]
    pages = [Reply(text=t, status=reply.status, color_key=reply.color_key) for t in out[1:]]
    return replace(reply, text=out[0], title=None, description=None, fields=[], footer=None, pages=pages)


def for_channel(reply: Reply, perms: discord.Permissions | None, limit: int = DEFAULT_UPLOAD_LIMIT) -> Reply:
    """``reply`` as the bot may send it where ``perms`` hold (None: DMs and
    interactions, where only the upload limit applies)."""
    reply = fit_files(reply, may_attach=perms is None or perms.attach_files, limit=limit)
    if perms is not None and not perms.embed_links and has_embed(reply):
        reply = as_text(reply)
    return reply


def embed_length(e: discord.Embed) -> int:
    """What an embed counts against the 6,000 characters of a message: title,
    description, field names and values, footer text and author name."""
    d = e.to_dict()
    return (len(d.get("title") or "") + len(d.get("description") or "")
            + sum(len(f.get("name") or "") + len(f.get("value") or "") for f in d.get("fields") or [])
            + len((d.get("footer") or {}).get("text") or "") + len((d.get("author") or {}).get("name") or ""))


def within_total(embeds: list[discord.Embed]) -> list[discord.Embed]:
    """``embeds`` (at most 10) within 6,000 characters together: the last fields
    go first, then descriptions are clipped, then whole embeds."""
    embeds = list(embeds[:10])
    while embeds and sum(embed_length(e) for e in embeds) > EMBED_TOTAL_LIMIT:
        over = sum(embed_length(e) for e in embeds) - EMBED_TOTAL_LIMIT
        last = embeds[-1]
        if last.fields:
            last.remove_field(len(last.fields) - 1)
        elif last.description and len(last.description) > over + 1:
            last.description = clip(last.description, len(last.description) - over)
        else:
            embeds.pop()
    return embeds


def guard(kw: dict[str, Any]) -> dict[str, Any]:
    """The last check before a send: content within 2,000 characters, the embeds
    within 6,000 together, no image pointing at a file that is not attached."""
    out = dict(kw)
    if out.get("content") and len(out["content"]) > CONTENT_LIMIT:
        out["content"] = _clip(out["content"], CONTENT_LIMIT)
    names = {f.filename for f in out.get("files") or []}
    embeds = within_total(list(out.get("embeds") or []))
    for e in embeds:
        url = e.image.url if e.image else None
        if url and url.startswith("attachment://") and url[len("attachment://"):] not in names:
            e.set_image(url=None)
    out["embeds"] = embeds
    return out


def fit(kw: dict[str, Any], perms: discord.Permissions | None) -> dict[str, Any]:
    """``render()`` keyword arguments reshaped for ``perms``: embeds as text
    without Embed Links, files left out (with a note) without Attach Files.
    The source line (the embed footer) and the notes survive; the body is clipped."""
    if perms is None:
        return guard(kw)
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
    return guard(out)


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


async def shape(reply: "Reply", perms: discord.Permissions | None, limit: int) -> "Reply":
    """``reply`` as the bot may send it here (:func:`for_channel`); files over
    the limit are compressed in a thread, off the event loop."""
    if any(len(a.data) > limit for a in reply.files):
        return await asyncio.to_thread(for_channel, reply, perms, limit)
    return for_channel(reply, perms, limit)
