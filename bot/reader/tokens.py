"""Tokens: a question as lower-case words the later steps know.

Accents and emojis dropped, ``u.s.``/``u.k.`` made one word, possessives
cut ("OpenAI's"), ``$1``, ``60%``, ``>1400``, ``#1`` and ISO dates turned
into words (``usd``, ``pct``, ``above``, ``number``, ``date:YYYY-MM[-DD]``).
"""
from __future__ import annotations

import re
import unicodedata

from bot.reader import words
from bot.domain.normalize import fold
from bot.domain.validate import scaled, small_float

MAX_CHARS = 400  # a question longer than this is read from its first 400 characters

_ISO = re.compile(r"(?<![\w-])((?:19|20)\d\d)[-/](\d{1,2})(?:[-/](\d{1,2}))?\b")


_FLAG = re.compile("([\U0001F1E6-\U0001F1FF])([\U0001F1E6-\U0001F1FF])")


def _flag_word(m: re.Match) -> str:
    """A flag emoji (two regional indicators) as the country's word, when the reader knows it."""
    code = "".join(chr(ord(c) - 0x1F1E6 + ord("a")) for c in m.groups())
    return f" zzflag{code}zz " if code in words.FLAGS else " "


def tokenise(question: str) -> list[str]:
    """Lower-case words; ISO dates become ``date:YYYY-MM[-DD]`` tokens."""
    t = _FLAG.sub(_flag_word, question[:MAX_CHARS])
    t = unicodedata.normalize("NFKC", t).replace("’", "'").replace("‘", "'").lower()
    t = re.sub(r"\bu\.\s?s\.\s?a\.(?![a-z])|\bu\.\s?s\.?(?![a-z])", " usa ", t)
    t = re.sub(r"\bu\.\s?k\.?(?![a-z])", " uk ", t)
    t = re.sub(r"\be\.\s?u\.?(?![a-z])", " eu ", t)
    t = re.sub(r"'s\b|'re\b|'ve\b|'ll\b|'d\b", "", t)
    t = re.sub(r"n't\b", " not", t)
    t = re.sub(r"(\d),(\d{3})\b", r"\1\2", t)
    t = re.sub(r"\$\s*(\d+(?:\.\d+)?)\s*([kmb]\b)?", r" \1\2 usd ", t)
    t = re.sub(r"(\d)\s*(?:%|percent\b|pct\b)", r"\1 pct ", t)
    t = re.sub(r"(?<![\w./])(\d+(?:\.\d+)?)\+(?=\s|$|[?!.,)\]])", r" above \1 ", t)
    t = re.sub(r">=?|≥|=>", " above ", t)
    t = re.sub(r"<=?|≤|=<", " under ", t)
    t = re.sub(r"#\s*(\d+)", r" number \1 ", t)
    t = re.sub(r"\bno\.\s*(\d+)\b", r" number \1 ", t)
    dates: list[str] = []

    def keep(m: re.Match) -> str:
        y, mo, d = m.group(1), int(m.group(2)), m.group(3)
        if not 1 <= mo <= 12:
            return m.group(0)
        dates.append(f"{y}-{mo:02d}" + (f"-{int(d):02d}" if d else ""))
        return f" zzdate{len(dates) - 1}zz "

    t = _ISO.sub(keep, t)
    out = []
    for tok in fold(t).split():
        flag = re.fullmatch(r"zzflag([a-z]{2})zz", tok)
        if flag:  # a flag: its country's word, marked as a flag ("flag:fr")
            out.append(f"flag:{flag.group(1)}")
            continue
        m = re.fullmatch(r"zzdate(\d+)zz", tok)
        out.append(f"date:{dates[int(m.group(1))]}" if m else words.SHORT_FIXES.get(tok, tok))
    return out


_NUM = re.compile(r"^(\d+(?:\.\d+)?)(k|m|b|bn|t)?$")
_SCI = re.compile(r"^(\d+(?:\.\d+)?)e(\d+)$")


def number(tok: str) -> tuple[float, str | None] | None:
    m = _NUM.match(tok)
    if m:  # bounded: never a big integer, never infinity (bot.domain.validate)
        v = small_float(m.group(1))
        return (v, m.group(2)) if v is not None else None
    m = _SCI.match(tok)
    if m:
        v = scaled(m.group(1), m.group(2))
        return (v, "e") if v is not None else None
    return None


def is_modelish(tok: str) -> bool:
    """A word that looks like part of a model name: letters and digits mixed."""
    return bool(re.search(r"[a-z]", tok) and re.search(r"\d", tok)) and not tok.startswith("date:")


_PHRASES: dict[int, dict[str, list[list[str]]]] = {}


def phrase_index(phrases) -> dict[str, list[list[str]]]:
    """Phrases by their first word (built once per phrase table)."""
    key = id(phrases)
    if key not in _PHRASES:
        index: dict[str, list[list[str]]] = {}
        for p in phrases:
            ws = p.split()
            index.setdefault(ws[0], []).append(ws)
        _PHRASES[key] = index
    return _PHRASES[key]
