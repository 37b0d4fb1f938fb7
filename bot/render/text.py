"""Numbers for people, and replies that fit Discord's limits.

The one set of number and date formats: text replies and chart labels
(:mod:`bot.render.charts`) both use these, so a figure reads the same in an
answer and on its chart. ``clip`` is the one way to cut text to a length.
"""
from __future__ import annotations

import math
import re
import secrets
from dataclasses import replace
from typing import overload

from bot.reply import (
    CONTENT_LIMIT, EMBED_DESCRIPTION_LIMIT, EMBED_FIELD_NAME_LIMIT, EMBED_FIELD_VALUE_LIMIT,
    EMBED_FIELDS_LIMIT, EMBED_FOOTER_LIMIT, EMBED_TITLE_LIMIT, EMBED_TOTAL_LIMIT, Field, Reply,
)


def big(n: float | None, unit: str = "") -> str:
    """1.2e12 -> '1.2T'; 7e10 -> '70B'."""
    if n is None:
        return "unknown"
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(n) >= size:
            v = n / size
            s = f"{v:.1f}".rstrip("0").rstrip(".") if v < 100 else f"{v:.0f}"
            return f"{s}{suffix}{unit}"
    return f"{n:g}{unit}"


def params(n: float | None) -> str:
    return "unknown" if n is None else big(n) + " parameters"


def flop(n: float | None) -> str:
    if n is None:
        return "unknown"
    m, e = f"{n:.1e}".split("e")
    return f"{m}e{int(e)} FLOP"


def usd(n: float | None) -> str:
    if n is None:
        return "unknown"
    return "$" + big(n)


def elo(n: float | None) -> str:
    return "n/a" if n is None else f"{n:,.0f}"


def pct(n: float | None, digits: int = 1) -> str:
    return "n/a" if n is None else f"{n:.{digits}f}%"


def score(v: float | None) -> str:
    """A benchmark score stored as 0..1."""
    return "n/a" if v is None else f"{v * 100:.1f}%"


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def month(d: str | None) -> str:
    """'2025-02-10' or '2025-02' -> 'Feb 2025'; a year or anything else as it is."""
    if not d:
        return "unknown"
    d = str(d)
    if len(d) >= 7 and d[5:7].isdigit() and 1 <= int(d[5:7]) <= 12:
        return f"{_MONTHS[int(d[5:7]) - 1]} {d[:4]}"
    return d


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def superscript(n: int) -> str:
    """-3 -> '⁻³' (Unicode, so charts need no mathtext)."""
    return str(n).translate(_SUPERSCRIPT)


def sci(v: float) -> str:
    """3.5e24 -> '3.5 × 10²⁴'."""
    if not v:
        return "0"
    e = math.floor(math.log10(abs(v)))
    return f"{v / 10 ** e:.1f} × 10{superscript(e)}"


@overload
def clip(text: str, limit: int) -> str: ...
@overload
def clip(text: None, limit: int) -> None: ...
def clip(text: str | None, limit: int) -> str | None:
    """`text` cut to at most `limit` characters, an ellipsis marking the cut."""
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


_NAME_SEP = re.compile(r"[-\s_/.:(]")


@overload
def clip_name(name: str, limit: int) -> str: ...
@overload
def clip_name(name: None, limit: int) -> None: ...
def clip_name(name: str | None, limit: int) -> str | None:
    """A model (or other) name cut to at most `limit` characters in the middle,
    keeping its start and its end: the end (version, date, size, variant) is
    what tells a name from its siblings ("Gemini-2.0-Flash-Thinking-Exp-01-21"
    at 30 -> "Gemini-2.0-Flash-…-Exp-01-21"). The one way to shorten a name,
    in text tables and chart labels alike. The end is kept whole from a
    separator on when that leaves at least a third of the room to the start."""
    if name is None or len(name) <= limit:
        return name
    if limit < 8:
        return clip(name, limit)
    room = limit - 1  # the ellipsis takes one
    tail_max = room // 2
    tail = name[-tail_max:]
    # start the end at a separator (whole words), unless that leaves too little of it
    cut = next((m.start() for m in _NAME_SEP.finditer(name) if len(name) - m.start() <= tail_max), None)
    if cut is not None and len(name) - cut >= tail_max // 2:
        tail = name[cut:]
    head = name[: room - len(tail)].rstrip(" -_/.:(")
    if tail.count(")") > tail.count("("):  # the end of a bracket: keep its opening one ("Large 2 (…large-2411)")
        q = name.rfind("(", 0, len(name) - len(tail))
        keep = room - (q + 1)
        if q + 1 >= limit // 3 and keep >= 6:
            head, tail = name[: q + 1], name[-keep:]
    return head + "…" + tail


_MENTION = re.compile(r"@(everyone|here)|<@[!&]?\d+>|<#\d+>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


# Discord markdown that data must never produce: masked links "[text](url)", and at the start of a
# line headings ("# ", "-# "), block quotes ("> ", ">>> ") and lists ("- ", "* ", "1. "). The bot's
# own replies use none of these, so they are neutralised everywhere (a zero-width space breaks them).
_MASKED_LINK = re.compile(r"\[([^\[\]]*)\]\s*(\(|<)")
_LINE_MARK = re.compile(r"(?m)^([ \t]*)(#{1,6}(?=\s|$)|-#(?=\s|$)|>{1,3}|[-*+](?=\s)|\d{1,9}[.)](?=\s))")
_EMPHASIS = re.compile(r"([*_~|\\])")
ZWSP = "\u200b"
BACKTICK = "`"
# The bot's own code fences are written as FENCE; fit_reply turns every other triple backtick (from
# data or users, wherever it hides) into three apostrophes and only then FENCE into a real fence.
# The random part means no name can forge it.
FENCE = f"\ue000{secrets.token_hex(6)}\ue000"


def code_block(lines: list[str]) -> str:
    """A code block the bot itself opens and closes (see FENCE)."""
    return FENCE + "\n" + "\n".join(lines) + "\n" + FENCE


def seal_fences(text: str | None) -> str | None:
    if not text:
        return text
    return text.replace(BACKTICK * 3, "'" * 3).replace(FENCE, BACKTICK * 3)


def neutralise_markdown(text: str) -> str:
    """No masked links and no line-start headings, quotes or lists in `text`
    (invisible zero-width spaces break them; what people read is unchanged)."""
    t = _MASKED_LINK.sub(lambda m: f"[{m.group(1)}]{ZWSP}{m.group(2)}", text)
    return _LINE_MARK.sub(lambda m: m.group(1) + ZWSP + m.group(2), t)


def clean(text: str, limit: int = 80) -> str:
    """Text from data or users, safe to show anywhere in a reply (``as_text``):
    one line (newlines and runs of space collapsed), no control or bidi
    characters, no mentions, no backticks or code fences, no masked links,
    no line-start markdown, emphasis characters escaped; bounded length."""
    t = _CONTROL.sub("", str(text))
    t = " ".join(t.split())
    t = _MENTION.sub(lambda m: m.group(0).replace("@", "@" + ZWSP).replace("<", "<" + ZWSP), t)
    t = t.replace(BACKTICK, "'")
    t = _EMPHASIS.sub(r"\\\1", t)
    t = neutralise_markdown(t)
    return t if len(t) <= limit else t[: limit - 1] + "…"


as_text = clean


def unescape(text: str) -> str:
    """Markdown escapes and zero-width spaces removed, for a terminal."""
    return re.sub(r"\\([*_~|\\])", r"\1", text).replace(ZWSP, "")


def code_cell(text: str, limit: int = 60) -> str:
    """Text from data inside a code block: one line, no backticks (a fence in
    a model's name would close the block), no control characters."""
    t = _CONTROL.sub("", str(text))
    t = " ".join(t.split()).replace(BACKTICK, "'")
    return t if len(t) <= limit else t[: limit - 1] + "…"


_PING = re.compile(r"@(everyone|here)|<(@[!&]?|#)(\d+)>")
# the shape of a Discord bot token: the bot never repeats one, even one a user typed
_TOKEN = re.compile(r"[A-Za-z\d_-]{20,40}\.[A-Za-z\d_-]{4,10}\.[A-Za-z\d_-]{20,}")


def defang(text: str | None) -> str | None:
    """No mention syntax and no control or bidi characters in anything the bot
    says (allowed mentions are off as well: this keeps the text honest too)."""
    if not text:
        return text
    t = _TOKEN.sub("[redacted]", _CONTROL.sub("", text))
    t = _PING.sub(lambda m: "@\u200b" + m.group(1) if m.group(1) else f"<\u200b{m.group(2)}{m.group(3)}>", t)
    return neutralise_markdown(t)


# The adapters add " · page 12/34" to a paged reply's footer: room for it is kept in every budget.
PAGE_SUFFIX_ROOM = len(" · page 999/999")
BLANK = "\u200b"  # Discord trims a field's name and value: a blank one must be a zero-width space


def nonblank(text: str | None) -> str:
    """``text``, or a zero-width space when it is empty or only whitespace (which Discord refuses)."""
    return text if text and text.strip() else BLANK


def _embed_size(r: Reply) -> int:
    """What ``r``'s embed counts against Discord's 6,000 characters, a page suffix included."""
    return (len(r.title or "") + len(r.description or "") + len(r.footer or "") + PAGE_SUFFIX_ROOM
            + sum(len(f.name) + len(f.value) for f in r.fields))


def fit_reply(reply: Reply) -> Reply:
    """Keep a reply (and its pages) within Discord's limits: long content and
    extra fields become further pages; no single part is cut mid-way unless
    it alone is too long."""
    pages = [reply, *reply.pages]
    out: list[Reply] = []
    for page in pages:
        page = replace(page, pages=[], text=seal_fences(defang(page.text)) or "",
                       description=seal_fences(defang(page.description)) or None,
                       suggestions=[defang(x) or "" for x in page.suggestions],
                       announcements=[clip(seal_fences(defang(a)) or "", CONTENT_LIMIT) for a in page.announcements])
        page.title = clip(seal_fences(defang(page.title)), EMBED_TITLE_LIMIT)
        page.footer = clip(seal_fences(defang(page.footer)), EMBED_FOOTER_LIMIT - PAGE_SUFFIX_ROOM)
        page.method = clip(seal_fences(defang(page.method)), CONTENT_LIMIT) or None
        if page.title is not None and not page.title.strip():
            page.title = None
        if page.footer is not None and not page.footer.strip():
            page.footer = None
        page.fields = [Field(nonblank(clip(seal_fences(defang(f.name)), EMBED_FIELD_NAME_LIMIT)),
                             nonblank(clip(seal_fences(defang(f.value)), EMBED_FIELD_VALUE_LIMIT)), f.inline)
                       for f in page.fields]
        # content over the limit: split at line breaks into more pages
        chunks = _split(page.text, CONTENT_LIMIT) if page.text else [""]
        # a description shares the 6,000 characters with the title and the footer (and its page suffix)
        room = EMBED_TOTAL_LIMIT - len(page.title or "") - len(page.footer or "") - PAGE_SUFFIX_ROOM
        desc_limit = max(1, min(EMBED_DESCRIPTION_LIMIT, room))
        desc_chunks = _split(page.description, desc_limit) if page.description and page.description.strip() else [None]
        first = replace(page, text=chunks[0], description=desc_chunks[0])
        extra_fields = []
        if len(first.fields) > EMBED_FIELDS_LIMIT:
            extra_fields = first.fields[EMBED_FIELDS_LIMIT:]
            first.fields = first.fields[:EMBED_FIELDS_LIMIT]
        while _embed_size(first) > EMBED_TOTAL_LIMIT and first.fields:
            extra_fields.insert(0, first.fields.pop())
        out.append(first)
        for c in chunks[1:]:
            out.append(Reply(text=c, status=page.status, title=page.title, footer=page.footer,
                             color_key=page.color_key))
        for d in desc_chunks[1:]:
            out.append(Reply(text="", status=page.status, title=page.title, description=d,
                             footer=page.footer, color_key=page.color_key))
        while extra_fields:
            nxt = Reply(text="", status=page.status, title=page.title, footer=page.footer,
                        color_key=page.color_key)
            while extra_fields and len(nxt.fields) < EMBED_FIELDS_LIMIT:
                nxt.fields.append(extra_fields.pop(0))
                if _embed_size(nxt) > EMBED_TOTAL_LIMIT:
                    extra_fields.insert(0, nxt.fields.pop())
                    break
            out.append(nxt)
    head = out[0]
    head.pages = out[1:]
    return head


def split_lines(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at line breaks where it can."""
    return _split(text, limit)


def _split(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    parts, cur = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            if cur:
                parts.append(cur)
                cur = ""
            parts.append(line[: limit - 1] + "…")
            line = line[limit - 1:]
        if len(cur) + len(line) + 1 > limit:
            parts.append(cur)
            cur = line
        else:
            cur = f"{cur}\n{line}" if cur else line
    if cur:
        parts.append(cur)
    return parts


def table(rows: list[list[str]], header: list[str] | None = None) -> str:
    """A monospace table in a code block (the text view of a leaderboard)."""
    allrows = [[code_cell(c) for c in r] for r in ([header] if header else []) + rows]
    widths = [max(len(r[i]) for r in allrows) for i in range(len(allrows[0]))]
    lines = ["  ".join(c.ljust(w) if i < len(widths) - 1 else c for i, (c, w) in enumerate(zip(r, widths)))
             for r in allrows]
    return code_block(lines)


def as_plain(reply: Reply, *, page: int | None = None) -> str:
    """A reply as a person reads it in a terminal: text, embed, footer."""
    out = []
    if reply.text:
        out.append(reply.text.replace("**", ""))
    if reply.title:
        out.append(f"== {reply.title} ==")
    if reply.description:
        out.append(reply.description)
    for f in reply.fields:
        value = f.value.replace("\n", "\n    ")
        out.append(f"  {f.name}: {value}")
    if reply.footer:
        out.append(f"-- {reply.footer}")
    if reply.suggestions:
        out.append("Try: " + " | ".join(reply.suggestions))
    return unescape("\n".join(out))
