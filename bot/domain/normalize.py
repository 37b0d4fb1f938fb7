"""Normalising what sources spell many ways: countries, organisations,
access levels, licences, numbers with units and dates."""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

from bot.domain import validate as _validate

# Epoch's long ISO names -> the short names people use.
COUNTRY_NAMES = {
    "united states of america": "United States",
    "united kingdom of great britain and northern ireland": "United Kingdom",
    "korea (republic of)": "South Korea",
    "russian federation": "Russia",
    "iran (islamic republic of)": "Iran",
    "taiwan, province of china": "Taiwan",
    "viet nam": "Vietnam",
    "hong kong": "Hong Kong",
}

# What users type for a country -> the canonical short name.
COUNTRY_ALIASES = {
    "us": "United States", "usa": "United States", "u.s.": "United States",
    "u.s.a.": "United States", "america": "United States", "united states": "United States",
    "the us": "United States", "american": "United States", "states": "United States",
    "china": "China", "prc": "China", "cn": "China", "chinese": "China",
    "uk": "United Kingdom", "britain": "United Kingdom", "great britain": "United Kingdom",
    "england": "United Kingdom", "british": "United Kingdom", "united kingdom": "United Kingdom",
    "france": "France", "french": "France", "fr": "France",
    "germany": "Germany", "german": "Germany", "de": "Germany",
    "canada": "Canada", "canadian": "Canada", "ca": "Canada",
    "korea": "South Korea", "south korea": "South Korea", "kr": "South Korea", "korean": "South Korea",
    "japan": "Japan", "japanese": "Japan", "jp": "Japan",
    "israel": "Israel", "israeli": "Israel",
    "uae": "United Arab Emirates", "emirates": "United Arab Emirates",
    "united arab emirates": "United Arab Emirates",
    "india": "India", "indian": "India",
    "russia": "Russia", "russian": "Russia",
    "switzerland": "Switzerland", "swiss": "Switzerland",
    "singapore": "Singapore", "taiwan": "Taiwan", "hong kong": "Hong Kong",
    "netherlands": "Netherlands", "dutch": "Netherlands",
    "australia": "Australia", "italy": "Italy", "spain": "Spain", "sweden": "Sweden",
    "finland": "Finland", "saudi arabia": "Saudi Arabia", "multinational": "Multinational",
    "europe": "Europe", "eu": "Europe", "european": "Europe",
}


def country_name(raw: str | None) -> str | None:
    """One Epoch country cell entry (or a user's spelling) -> the short name."""
    if raw is None:
        return None
    s = raw.strip()
    if not s:
        return None
    low = s.lower()
    if low in COUNTRY_NAMES:
        return COUNTRY_NAMES[low]
    if low in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[low]
    return s


def split_countries(cell: str | None) -> list[str]:
    """``"United States of America,United States of America,China"`` ->
    ``["United States", "China"]``: distinct, in order of first mention."""
    out: list[str] = []
    for part in (cell or "").split(","):
        name = country_name(part)
        if name and name not in out:
            out.append(name)
    return out


def split_list(cell: str | None) -> list[str]:
    out: list[str] = []
    for part in (cell or "").split(","):
        p = part.strip()
        if p and p not in out:
            out.append(p)
    return out


def access_level(raw: str | None) -> str | None:
    """Epoch's accessibility and Arena's licences -> one of
    ``open weights``, ``API``, ``hosted``, ``unreleased`` (or None)."""
    if not raw:
        return None
    low = raw.strip().lower()
    if low.startswith("open weights") or low.startswith("open source"):
        return "open weights"
    if low.startswith("api"):
        return "API"
    if low.startswith("hosted"):
        return "hosted"
    if low.startswith("unreleased"):
        return "unreleased"
    return None


ACCESS_ALIASES = {
    "open": "open weights", "open weights": "open weights", "open-weights": "open weights",
    "open-weight": "open weights", "open weight": "open weights", "openweights": "open weights",
    "api": "API", "closed": "API", "proprietary": "API", "hosted": "hosted",
    "unreleased": "unreleased",
}

# Arena licence spellings -> one spelling.
LICENCE_FIXES = {
    "propretary": "Proprietary",
    "apache-2.0": "Apache 2.0",
    "apache 2.0": "Apache 2.0",
    "llama 3.1": "Llama 3.1 Community",
    "llama-3.3": "Llama 3.3 Community",
    "gemma": "Gemma license",
    "qwen": "Qianwen LICENSE",
    "deepseek license": "DeepSeek",
    "nvidia": "NVIDIA Open Model",
    "nvidia open model": "NVIDIA Open Model",
    "nvidia open": "NVIDIA Open Model",
    "n/a": "",
}


def licence_name(raw: str | None) -> str | None:
    s = (raw or "").strip()
    fixed = LICENCE_FIXES.get(s.lower(), s)
    return fixed or None


# Numbers and dates are parsed in one place, bot.domain.validate; re-exported here.
parse_number = _validate.parse_number
parse_date = _validate.parse_date
_DATE_RE = re.compile(r"^([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?$")


def period_end(raw: str) -> str:
    """The last day a user's date means: ``2025-02`` -> ``2025-02-28``."""
    s = raw.strip().replace("/", "-")
    m = _DATE_RE.match(s)
    if not m:
        raise ValueError(f"not a date: {raw!r}")
    y = int(m.group(1))
    if m.group(3):
        return date(y, int(m.group(2)), int(m.group(3))).isoformat()
    if m.group(2):
        mo = int(m.group(2))
        nxt = date(y + (mo == 12), mo % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1).isoformat()
    return date(y, 12, 31).isoformat()


_NOT_KEPT = re.compile(r"[^a-z0-9.+]+")
_LONE_DOT = re.compile(r"(?<![0-9])\.|\.(?![0-9])")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, accents removed, punctuation to spaces (but ``+``, as in
    Command R+, and dots inside numbers stay), spaces collapsed.

    Memoised (the lookup indexes fold the same names at every rebuild), and
    ASCII text skips the Unicode decomposition, which cannot change it."""
    if text.isascii():
        t = text.lower()
    else:
        t = unicodedata.normalize("NFKD", text)
        t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    t = _NOT_KEPT.sub(" ", t)
    t = _LONE_DOT.sub(" ", t)  # keep dots only inside numbers (3.5)
    return " ".join(t.split())


@lru_cache(maxsize=65536)
def compact(text: str) -> str:
    """Folded with no spaces at all: ``"GPT 4o"``, ``"gpt-4o"`` -> ``"gpt4o"``."""
    return fold(text).replace(" ", "")
