"""The command grammar: prefix, command word, model lists, dates, filters.

    [prefix]command [arguments] [date]

* prefix: configurable (default ``!``), optional in the console and CLI;
* command names are case-insensitive and have short aliases;
* model lists are separated by ``vs``, ``,`` or ``|`` (quotes optional);
* a date at the end (``2025-02-10``, ``2025-02``, ``2025``, ``as of ...``)
  means the latest data on or before the end of that day, month or year.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.validate import parse_date
from bot.domain.normalize import period_end
from bot.reply import Reply, ReplyError

_DATE_TAIL = re.compile(
    r"(?:^|\s)(?:(?:as\s+of|as-of|asof|on|in|at|until|by)\s+)?"
    r"(\d{4}(?:[-/]\d{1,2}(?:[-/]\d{1,2})?)?)\s*$", re.I)
_ASOF_TAIL = re.compile(r"(?:^|\s)(?:as\s+of|as-of|asof)\s+(\d{4}(?:[-/]\d{1,2}(?:[-/]\d{1,2})?)?)\s*$", re.I)
_FULLDATE_TAIL = re.compile(r"(?:^|\s)(\d{4}[-/]\d{1,2}(?:[-/]\d{1,2})?)\s*$")
SEPARATORS = re.compile(r"\s+(?:vs\.?|versus|v\.?)\s+|\s*[,|;]\s*|\s+(?:and|&)\s+", re.I)


class GrammarError(ReplyError, ValueError):
    """The arguments do not fit; the message says why (answered with the command's usage)."""

    status = "usage"

    def to_reply(self, ctx=None, command=None) -> Reply:
        return usage_reply(command, getattr(ctx, "prefix", "!"), str(self))


def usage_reply(info, prefix: str, message: str = "") -> Reply:
    """`message`, then the command's usage and example (`info`: its registry entry; without one, the message)."""
    if info is None:
        return Reply(text=message, status="usage")
    lines = []
    if message:
        lines.append(message)
    lines.append(f"Usage: `{prefix}{info.usage}`")
    lines.append(f"Example: `{prefix}{info.example}`")
    return Reply(text="\n".join(lines), status="usage", data={"command": info.name})


@dataclass
class When:
    raw: str        # what the user wrote: 2025-02
    start: str      # 2025-02-01
    end: str        # 2025-02-28: data on or before this day

    @property
    def is_month(self) -> bool:
        return len(self.raw.replace("/", "-").split("-")) == 2

    @property
    def is_year(self) -> bool:
        return len(self.raw) == 4


def split_command(line: str, prefix: str = "!") -> tuple[str, str]:
    """``"!Compare a vs b"`` -> ``("compare", "a vs b")``."""
    s = line.strip()
    if prefix and s.startswith(prefix):
        s = s[len(prefix):].lstrip()
    elif s.startswith("/"):
        s = s[1:].lstrip()
    if not s:
        return "", ""
    parts = s.split(None, 1)
    return parts[0].lower(), (parts[1].strip() if len(parts) > 1 else "")


def take_date(text: str, *, bare_year: bool = True) -> tuple[str, When | None]:
    """Split a trailing date off `text`. A bare year counts only when
    `bare_year` (in model names a number is more likely part of the name)."""
    pat = _DATE_TAIL if bare_year else None
    m = _ASOF_TAIL.search(text) or (pat.search(text) if pat else None) or _FULLDATE_TAIL.search(text)
    if not m:
        return text, None
    raw = m.group(1).replace("/", "-")
    if not ("1950" <= raw[:4] <= "2100"):  # "top 1000", a model's number: not a date
        return text, None
    try:
        start = parse_date(raw)
        end = period_end(raw)
    except ValueError as exc:
        raise GrammarError(str(exc)) from None
    if start is None:
        return text, None
    return text[: m.start()].strip(), When(raw, start, end)


def unquote(s: str) -> str:
    s = s.strip()
    for q in ('"', "'", "“", "”", "‘", "’", "`"):
        s = s.strip(q)
    return s.strip()


def split_models(text: str) -> list[str]:
    """``"gpt-4o vs deepseek r1, claude"`` -> three names."""
    return [unquote(p) for p in SEPARATORS.split(text) if unquote(p)]


def words(text: str) -> list[str]:
    return [w for w in re.split(r"\s+", text.strip()) if w]
