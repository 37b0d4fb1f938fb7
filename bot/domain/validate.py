"""The one place that decides what a number, a date and a piece of text may be.

Every way data gets in (chat commands, the command line, every importer,
``sync``) goes through these parsers, so one poisoned value cannot slip in
by a side door:

* :func:`parse_number` - a finite number, checked **after** the unit
  (``1e308T`` is infinity and is refused; so are ``inf``, ``nan`` and a
  400-digit number that overflows);
* :func:`parse_day` - a real calendar date written ``YYYY-MM-DD``
  (``2025-99-99`` and ``2025-02-30`` are refused), in a plausible range;
* :func:`parse_date` - what people type: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``;
* :func:`bounded_text` - one line of text, no control or bidi characters,
  at most ``limit`` characters.

Each raises :class:`Invalid` (a ``ValueError``) whose message says what is
wrong with the value; callers add the file, row and field.
"""
from __future__ import annotations

import math
import re
from datetime import date

# Dates the data can hold: the first notable models are from the 1950s, and
# nothing is dated far in the future.
MIN_YEAR = 1900
MAX_YEAR = 2100

UNITS = {"k": 1e3, "m": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12, "q": 1e15}
_NUM_RE = re.compile(r"^\s*([-+]?(?:[0-9]+(?:[.,][0-9]+)*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\s*([kmbtqKMBTQ]|[bB][nN])?\s*$")
_DAY_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_DATE_RE = re.compile(r"^([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


class Invalid(ValueError):
    """A value that must not enter the data; the message says why."""


def _shown(raw: object, n: int = 40) -> str:
    s = str(raw).strip()
    s = _CONTROL.sub("?", s)
    return repr(s if len(s) <= n else s[: n - 1] + "…")


def finite(value: float, raw: object = None) -> float:
    """`value` itself when it is a finite number; Invalid otherwise."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise Invalid(f"{_shown(raw if raw is not None else value)} is not a finite number")
    return float(value)


def parse_number(raw: str | float | int | None, *, units: bool = True) -> float | None:
    """``"70B"`` -> 7e10, ``"3.8e25"`` -> 3.8e25, ``"1,234"`` -> 1234, ``""`` -> None.

    ASCII digits only; the result is finite after the unit is applied.
    Raises :class:`Invalid` for anything else."""
    if raw is None:
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return finite(float(raw), raw)
    s = str(raw).strip()
    if not s:
        return None
    if len(s) > MAX_NUMBER_CHARS * 2:  # a bounded string before any parsing (5,000 digits is no number)
        raise Invalid(f"{_shown(s)} is {len(s)} characters long: too long for a number")
    m = _NUM_RE.match(s)
    if not m or (m.group(2) and not units):
        raise Invalid(f"{_shown(s)} is not a number")
    value = float(m.group(1).replace(",", ""))
    if m.group(2):
        value *= UNITS[m.group(2).lower()]
    return finite(value, s)


def parse_int(raw: str | int | None, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """A whole number in ASCII digits (``"12"``; ``"12.0"`` from a spreadsheet
    too), within the bounds; None for an empty cell."""
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        v = raw
    else:
        s = str(raw).strip()
        if not s:
            return None
        if not re.fullmatch(r"[-+]?[0-9]{1,18}(?:\.0+)?", s):
            raise Invalid(f"{_shown(s)} is not a whole number")
        v = int(s.split(".")[0])
    if (minimum is not None and v < minimum) or (maximum is not None and v > maximum):
        raise Invalid(f"{v} is outside {minimum if minimum is not None else '...'} to "
                      f"{maximum if maximum is not None else '...'}")
    return v


def _real_date(y: int, mo: int, d: int, raw: str) -> date:
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise Invalid(f"{_shown(raw)} is not a plausible date (years {MIN_YEAR} to {MAX_YEAR})")
    try:
        return date(y, mo, d)
    except ValueError:
        raise Invalid(f"{_shown(raw)} is not a real calendar date") from None


def parse_day(raw: str | None) -> str | None:
    """A day written ``YYYY-MM-DD`` that exists on the calendar, or None for
    an empty cell. Raises :class:`Invalid` otherwise."""
    if raw is None:
        return None
    s = str(raw).strip()
    if not s:
        return None
    m = _DAY_RE.match(s)
    if not m:
        raise Invalid(f"{_shown(s)} is not a date (YYYY-MM-DD)")
    return not_future(_real_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), s).isoformat(), s)


def parse_date(raw: str | None) -> str | None:
    """``2025-02-10``, ``2025-02`` or ``2025`` (``/`` works too) -> the ISO
    date of the period's first day. Raises :class:`Invalid` otherwise."""
    if raw is None:
        return None
    s = str(raw).strip().replace("/", "-")
    if not s:
        return None
    m = _DATE_RE.match(s)
    if not m:
        raise Invalid(f"not a date (use YYYY-MM-DD, YYYY-MM or YYYY): {_shown(raw)}")
    return _real_date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1), s).isoformat()


def bounded_text(raw: str | None, *, limit: int, what: str = "text", required: bool = False) -> str | None:
    """One line of text: surrounding space stripped, inner runs of space
    collapsed, no control, zero-width or bidi characters, at most `limit`
    characters. None for an empty value unless `required`."""
    if raw is None:
        raw = ""
    s = str(raw)
    if _CONTROL.search(s.replace("\t", " ").replace("\n", " ").replace("\r", " ")):
        raise Invalid(f"{what} holds control or invisible characters")
    s = " ".join(s.split())
    if not s:
        if required:
            raise Invalid(f"{what} is empty")
        return None
    if len(s) > limit:
        raise Invalid(f"{what} is {len(s)} characters long; the limit is {limit}")
    return s


def one_line_name(raw: str | None, *, limit: int, what: str = "the name") -> str:
    """A name as people see it: like :func:`bounded_text`, and newlines are
    refused rather than folded (a name never spans lines)."""
    s = "" if raw is None else str(raw)
    if any(c in s for c in "\r\n\u2028\u2029\x85"):
        raise Invalid(f"{what} must be on one line")
    return bounded_text(s, limit=limit, what=what, required=True)  # type: ignore[return-value]


# ---------------------------------------------------------------------------
# Numbers from what people type: bounded before anything is computed.
#
# Python integers have no size limit: ``10 ** int("20000000")`` or ``int()``
# of a 5,000-digit string holds the GIL for seconds (the whole process: the
# gateway heartbeat too). Every number read from a message goes through one
# of these, which look at the *text* first (ASCII digits, a bounded length,
# a bounded exponent) and only then compute, with floats, never big ints.
# ---------------------------------------------------------------------------
MAX_NUMBER_CHARS = 40       # a number longer than this (digits, point, exponent) is not a number
MAX_EXPONENT_DIGITS = 4     # e.g. 1e9999 is at most infinity, which is refused
_PLAIN_RE = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def small_float(raw: object, *, lo: float | None = None, hi: float | None = None) -> float | None:
    """A finite number written in ASCII (``12``, ``1.5``, ``3e25``), within
    [lo, hi] when given; None for anything else (never raises, never
    computes a big integer). Arabic-Indic or superscript digits, ``nan``,
    ``inf``, ``1_000`` and 5,000-digit strings are all None."""
    s = str(raw).strip() if raw is not None else ""
    if not s or len(s) > MAX_NUMBER_CHARS or not _PLAIN_RE.fullmatch(s):
        return None
    exp = re.search(r"[eE][-+]?([0-9]+)$", s)
    if exp and len(exp.group(1).lstrip("0")) > MAX_EXPONENT_DIGITS:
        return None
    value = float(s)  # a bounded string: float() never builds a big integer
    if not math.isfinite(value) or (lo is not None and value < lo) or (hi is not None and value > hi):
        return None
    return value


def small_int(raw: object, *, lo: int | None = None, hi: int | None = None) -> int | None:
    """A whole number in ASCII digits (at most 18 of them), within [lo, hi]
    when given; None otherwise. ``"٣"``, ``"²"``, ``"1e3"`` and huge digit
    strings are None (``str.isdigit`` says yes to the first two)."""
    s = str(raw).strip() if raw is not None else ""
    if not re.fullmatch(r"[0-9]{1,18}", s):
        return None
    v = int(s)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        return None
    return v


def scaled(mantissa: str, exponent: str) -> float | None:
    """``mantissa`` x 10^``exponent`` from their digits (``"3.8", "25"`` ->
    3.8e25) as a finite float, or None when the text is too long or the
    result is not finite. The way to read ``1e20000000`` without computing
    ``10 ** 20000000``."""
    return small_float(f"{mantissa}e{exponent}")


# ---------------------------------------------------------------------------
# One validation for what files bring in: names, URLs, keys, days.
# ---------------------------------------------------------------------------
URL_LIMIT = 500
KEY_LIMIT = 120
_MENTION = re.compile(r"@(?:everyone|here)\b|<(?:@[!&]?|#|/)[^>]*>", re.I)
_LINK = re.compile(r"[a-z][a-z0-9+.-]*://|\bwww\.|\bdiscord(?:app)?\.(?:gg|com/invite)\b|\]\(", re.I)
_KEY_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+/@()\- ]*")


def latest_day() -> date:
    """The latest day data may carry: today (UTC) plus one day, for time zones ahead."""
    from datetime import datetime, timedelta, timezone

    return datetime.now(timezone.utc).date() + timedelta(days=1)


def not_future(day: str, raw: object = None) -> str:
    """`day` (ISO) itself when it is not after :func:`latest_day`; Invalid otherwise
    (a board dated 2099-12-31 made `top` say "as of 2099-12-31")."""
    if day[:10] > latest_day().isoformat():
        raise Invalid(f"{_shown(raw if raw is not None else day)} is in the future (data can be dated up to "
                      f"{latest_day().isoformat()})")
    return day


def safe_name(raw: str | None, *, limit: int = 200, what: str = "the name") -> str:
    """A name shown to people (model, organisation, benchmark, key's display
    name): one line, no control or invisible characters, at most `limit`
    characters, and no mention (``@everyone``, ``<@1>``), link or code fence,
    whatever the file it came from."""
    s = one_line_name(raw, limit=limit, what=what)
    if _MENTION.search(s):
        raise Invalid(f"{what} holds a mention ({_shown(_MENTION.search(s).group(0), 20)})")  # type: ignore[union-attr]
    if _LINK.search(s):
        raise Invalid(f"{what} holds a link")
    if "```" in s:
        raise Invalid(f"{what} holds a code fence")
    return s


def safe_url(raw: str | None, *, what: str = "the URL") -> str | None:
    """An http(s) URL of at most URL_LIMIT characters on one line, with no
    space, quote, angle bracket or control character; None when empty. A
    short note in its place (``n/a``: no scheme, no link) is kept as a name is."""
    if raw is None or not str(raw).strip():
        return None
    s = str(raw).strip()
    if not re.match(r"[a-z][a-z0-9+.-]*:", s, re.I) and len(s) <= 40:
        return safe_name(s, limit=40, what=what)
    if len(s) > URL_LIMIT:
        raise Invalid(f"{what} is {len(s):,} characters long; the limit is {URL_LIMIT}")
    if not re.fullmatch(r"https?://[^\s<>\"'`\x00-\x1f\x7f]+", s, re.I):
        raise Invalid(f"{what} {_shown(s)} is not an http(s) address on one line")
    return s


def safe_key(raw: object, *, what: str = "the key") -> str:
    """A source's identifier for a model (an Arena key): letters, digits and
    ``._:+/@()-`` and spaces, at most KEY_LIMIT characters, and never a URL."""
    s = raw.strip() if isinstance(raw, str) else ""
    if not s or len(s) > KEY_LIMIT or not _KEY_RE.fullmatch(s):
        raise Invalid(f"{what} {_shown(raw)} is not a model key (letters, digits and ._:+/@()- , "
                      f"at most {KEY_LIMIT} characters)")
    if _LINK.search(s) or _MENTION.search(s) or re.match(r"(?:https?|ftp):", s, re.I):
        raise Invalid(f"{what} {_shown(s)} is a link or a mention, not a model key")
    return s
