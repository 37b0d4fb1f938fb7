"""A :class:`~bot.reply.Reply` as Discord shows it: colours, the embed, content and files."""
from __future__ import annotations

import io
from typing import Any

import discord

from bot.render.palette import color
from bot.render.text import clip, nonblank
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
    """``Reply`` -> keyword arguments for ``send``/``edit``: content, embeds, files.

    The page suffix goes inside the footer's 2,048 characters (``fit_reply``
    kept room for it in the 6,000); blank field names and values become a
    zero-width space (Discord trims them and refuses an empty one); the image
    points only at a file that is attached."""
    files = [discord.File(io.BytesIO(a.data), filename=a.filename) for a in reply.files[:10]]
    image = next((a.filename for a in reply.files[:10] if (a.content_type or "").startswith("image/")), None)
    embeds: list[discord.Embed] = []
    title = reply.title if reply.title and reply.title.strip() else None
    description = reply.description if reply.description and reply.description.strip() else None
    if title or description or reply.fields or image:
        e = discord.Embed(
            title=clip(title, 256),
            description=clip(description, 4096),
            colour=colour_for(reply.color_key, reply.status),
        )
        for f in reply.fields[:25]:
            e.add_field(name=nonblank(clip(f.name, 256)), value=nonblank(clip(f.value, 1024)), inline=f.inline)
        footer = (reply.footer or "").strip()
        suffix = f"page {(page or 0) + 1}/{pages}" if pages and pages > 1 else ""
        if footer and suffix:
            footer = f"{clip(footer, 2048 - len(suffix) - 3)} · {suffix}"
        footer = footer or suffix
        if footer:
            e.set_footer(text=clip(footer, 2048))
        if image:
            e.set_image(url=f"attachment://{image}")
        embeds.append(e)
    content = clip(reply.text, 2000) or None
    if not content and not embeds and not files:
        content = "I have no answer to that."
    return {"content": content, "embeds": embeds, "files": files}
