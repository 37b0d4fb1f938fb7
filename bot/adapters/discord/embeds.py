"""A :class:`~bot.reply.Reply` as Discord shows it: colours, the embed, content and files."""
from __future__ import annotations

import io
import zlib
from typing import Any

import discord

from bot.reply import Reply

NO_MENTIONS = discord.AllowedMentions.none()


# ---------------------------------------------------------------------------- colours
# A fixed palette: known countries and organisations get their own colour, the
# rest a stable pick from PALETTE (crc32, not hash(): the same across runs).
KNOWN_COLOURS: dict[str, int] = {
    "us": 0x3C6E9F, "usa": 0x3C6E9F, "united states": 0x3C6E9F,
    "cn": 0xC8102E, "china": 0xC8102E,
    "uk": 0x6A1B9A, "united kingdom": 0x6A1B9A, "gb": 0x6A1B9A,
    "fr": 0x1E88E5, "france": 0x1E88E5,
    "eu": 0x003399,
    "openai": 0x10A37F, "anthropic": 0xD97757, "google": 0x4285F4, "google deepmind": 0x4285F4,
    "deepmind": 0x4285F4, "meta": 0x0866FF, "deepseek": 0x4D6BFE, "mistral": 0xFA520F,
    "mistral ai": 0xFA520F, "xai": 0x111111, "alibaba": 0xFF6A00, "qwen": 0xFF6A00,
    "microsoft": 0x00A4EF, "nvidia": 0x76B900, "amazon": 0xFF9900,
}
PALETTE = [0x5865F2, 0x57F287, 0xFEE75C, 0xEB459E, 0xED4245, 0x3BA55C, 0xFAA61A, 0x9B59B6, 0x1ABC9C, 0xE67E22]
STATUS_COLOURS = {
    "ok": 0x5865F2, "not_found": 0xFAA61A, "usage": 0xFAA61A, "unknown_command": 0xFAA61A,
    "refused": 0xED4245, "error": 0xED4245, "confirm": 0xFEE75C,
}


def colour_for(key: str | None, status: str = "ok") -> discord.Colour:
    if key:
        k = key.strip().lower()
        if k in KNOWN_COLOURS:
            return discord.Colour(KNOWN_COLOURS[k])
        return discord.Colour(PALETTE[zlib.crc32(k.encode()) % len(PALETTE)])
    return discord.Colour(STATUS_COLOURS.get(status, PALETTE[0]))




# ---------------------------------------------------------------------------- reply -> discord
def clip(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render(reply: "Reply", *, page: int | None = None, pages: int | None = None) -> dict[str, Any]:
    """``Reply`` -> keyword arguments for ``send``/``edit``: content, embeds, files."""
    files = [discord.File(io.BytesIO(a.data), filename=a.filename) for a in reply.files[:10]]
    image = next((a.filename for a in reply.files if (a.content_type or "").startswith("image/")), None)
    embeds: list[discord.Embed] = []
    if reply.title or reply.description or reply.fields or image:
        e = discord.Embed(
            title=clip(reply.title, 256),
            description=clip(reply.description, 4096),
            colour=colour_for(reply.color_key, reply.status),
        )
        for f in reply.fields[:25]:
            e.add_field(name=clip(f.name, 256) or "\u200b", value=clip(f.value, 1024) or "\u200b", inline=f.inline)
        footer = reply.footer or ""
        if pages and pages > 1:
            footer = f"{footer} · page {(page or 0) + 1}/{pages}" if footer else f"page {(page or 0) + 1}/{pages}"
        if footer:
            e.set_footer(text=clip(footer, 2048))
        if image:
            e.set_image(url=f"attachment://{image}")
        embeds.append(e)
    content = clip(reply.text, 2000) or None
    if not content and not embeds and not files:
        content = "I have no answer to that."
    return {"content": content, "embeds": embeds, "files": files}
