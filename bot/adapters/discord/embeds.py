"""A :class:`~bot.reply.Reply` as Discord shows it: colours, the embed, content and files."""
from __future__ import annotations

import io
from typing import Any

import discord

from bot.render.palette import color
from bot.render.text import clip
from bot.reply import Reply

NO_MENTIONS = discord.AllowedMentions.none()


# ---------------------------------------------------------------------------- colours
# A reply about a country, organisation or group takes its colour from the one
# palette (bot.render.palette), so it is the same colour as on the charts; any
# other reply is coloured by its status.
STATUS_COLOURS = {
    "ok": 0x5865F2, "not_found": 0xFAA61A, "usage": 0xFAA61A, "unknown_command": 0xFAA61A,
    "refused": 0xED4245, "error": 0xED4245, "confirm": 0xFEE75C,
}


def colour_for(key: str | None, status: str = "ok") -> discord.Colour:
    """The embed colour: the palette's colour of `key`, else the status colour."""
    if key and key.strip():
        return discord.Colour(int(color(key.strip()).lstrip("#"), 16))
    return discord.Colour(STATUS_COLOURS.get(status, STATUS_COLOURS["ok"]))


# ---------------------------------------------------------------------------- reply -> discord
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
