"""The plain reply object every command returns.

The core answers a parsed request with a :class:`Reply`; it knows nothing of
Discord. Adapters (Discord, console, CLI) only translate it. Every reply is
kept within Discord's limits by :func:`bot.render.text.fit_reply` before it
leaves the core.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Discord's documented limits (https://discord.com/developers/docs/resources/message).
CONTENT_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELDS_LIMIT = 25
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000


@dataclass
class Field:
    name: str
    value: str
    inline: bool = True


@dataclass
class Chart:
    """A chart request: `kind` names a renderer in :mod:`bot.render.charts`;
    it draws `Reply.data` and nothing else."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Attachment:
    filename: str
    data: bytes
    content_type: str = "image/png"


@dataclass
class Reply:
    """What a command answers.

    status: ``ok``, ``not_found`` (did you mean), ``usage`` (wrong arguments),
    ``unknown_command``, ``refused`` (not a moderator), ``confirm`` (an admin
    action waiting for its Confirm button), ``error`` (something failed; the
    text says what, never a traceback).
    """

    text: str = ""
    status: str = "ok"
    title: str | None = None
    description: str | None = None
    fields: list[Field] = field(default_factory=list)
    footer: str | None = None  # source and as-of date
    # how the figures were measured: rules, legends, methods (shown on request: Discord's "How is this
    # measured?" button, the console's `method`), never in the answer itself
    method: str | None = None
    color_key: str | None = None  # a country or organisation; adapters pick the colour
    data: dict[str, Any] = field(default_factory=dict)
    chart: Chart | None = None
    files: list[Attachment] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)  # "did you mean" command lines
    pages: list["Reply"] = field(default_factory=list)  # further pages of a long answer
    confirm_token: str | None = None  # for a pending admin action
    ephemeral: bool = False
    changed: bool = False  # the data changed (caches must be invalidated)
    announcements: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict[str, Any]:
        """The `racebot ask --json` shape: status, text, embeds, files, data."""
        embed = None
        if self.title or self.fields or self.description:
            embed = {
                "title": self.title,
                "description": self.description,
                "fields": [asdict(f) for f in self.fields],
                "footer": self.footer,
                "color_key": self.color_key,
            }
        return {
            "status": self.status,
            "text": self.text,
            "embeds": [embed] if embed else [],
            "files": [a.filename for a in self.files],
            "data": self.data,
            "suggestions": self.suggestions,
            "method": self.method,
            "pages": len(self.pages) + 1,
        }


class ReplyError(Exception):
    """An error meant for the person who asked: the one base of every error a
    handler (or what it calls) may raise to stop with a short, friendly answer
    (usage, an unknown name, a rejected file, a database fault). The engine
    catches this base alone and answers with :meth:`to_reply`; anything else
    that escapes a handler is a bug (a logged apology, never a traceback).

    `ctx` (the request's context: its prefix, read model) and `command` (the
    registry entry being run) are given by the engine when it has them; a
    subclass whose answer needs them (usage lines, "did you mean") reads them,
    the base does not."""

    status = "error"  # the reply's status (see :class:`Reply`)

    def to_reply(self, ctx: Any = None, command: Any = None) -> Reply:
        return Reply(text=str(self), status=self.status)
