"""The one palette: fixed colours for countries, organisations and groups
(no matplotlib here: the Discord adapter colours its embeds from it too).

One mapping, used by every chart and every embed: a country or a major
organisation always gets the same colour, whatever the letter case. Based on the Okabe-Ito colour-blind-safe palette
(https://jfly.uni-koeln.de/color/), extended with Paul Tol's "muted" set for
the less frequent keys. Colours were chosen to read on a white background,
which is what the charts draw (readable inside Discord's dark and light
themes alike).
"""
from __future__ import annotations

import zlib

# Okabe-Ito
BLUE = "#0072B2"
VERMILLION = "#D55E00"
GREEN = "#009E73"
ORANGE = "#E69F00"
SKY = "#56B4E9"
PURPLE = "#CC79A7"
YELLOW_DARK = "#B8A000"  # Okabe-Ito yellow (#F0E442) darkened: the original vanishes on white
BLACK = "#222222"
# Paul Tol muted
INDIGO = "#332288"
WINE = "#882255"
TEAL = "#44AA99"
OLIVE = "#999933"
ROSE = "#CC6677"
CYAN = "#88CCEE"
DKGREEN = "#117733"
PURPLE2 = "#AA4499"
GREY = "#8C8C8C"
LIGHT_GREY = "#C8C8C8"

COLORS: dict[str, str] = {
    # countries
    "United States": BLUE,
    "China": VERMILLION,
    "France": PURPLE,
    "United Kingdom": GREEN,
    "Canada": ORANGE,
    "Israel": SKY,
    "South Korea": WINE,
    "Germany": OLIVE,
    "Japan": PURPLE2,
    "United Arab Emirates": TEAL,
    "Saudi Arabia": DKGREEN,
    "India": ROSE,
    "Singapore": CYAN,
    "Switzerland": INDIGO,
    "Russia": YELLOW_DARK,
    # major organisations
    "OpenAI": GREEN,
    "Google DeepMind": BLUE,
    "Google": BLUE,
    "Anthropic": ORANGE,
    "Meta AI": SKY,
    "Meta": SKY,
    "DeepSeek": INDIGO,
    "Alibaba": VERMILLION,
    "xAI": BLACK,
    "Mistral AI": PURPLE,
    "Z.ai (Zhipu AI)": WINE,
    "Microsoft": TEAL,
    "Amazon": YELLOW_DARK,
    "NVIDIA": DKGREEN,
    "Tencent": ROSE,
    "Moonshot": PURPLE2,
    "ByteDance": CYAN,
    "01.AI": OLIVE,
    # sides and groups
    "closed": "#6A3D9A",  # dark purple: apart from "open" green for every colour vision
    "open": GREEN,
    "Industry": BLUE,
    "Academia": ORANGE,
    "Research collective": GREEN,
    "Government": PURPLE,
    "Industry - Academia Collaboration": SKY,
    "other": LIGHT_GREY,
    "unknown": "#A0A0A0",
}

# for keys that have no fixed colour, in this order
EXTRA = [TEAL, ROSE, OLIVE, CYAN, PURPLE2, DKGREEN, INDIGO, WINE, YELLOW_DARK, SKY, ORANGE, PURPLE, GREEN,
         VERMILLION, BLUE]


_FIXED = {k.casefold(): c for k, c in COLORS.items()}


def fixed_color(key: str | None) -> str | None:
    """The fixed colour of a known key (any letter case), or None."""
    return _FIXED.get(key.casefold()) if key else COLORS["unknown"]


def color(key: str | None) -> str:
    """The fixed colour of a country, organisation or group; a stable
    fallback (same key in any case, same colour; crc32, not hash(): the same
    across runs) for any other key."""
    if not key:
        return COLORS["unknown"]
    c = fixed_color(key)
    if c:
        return c
    return EXTRA[zlib.crc32(key.casefold().encode()) % len(EXTRA)]


def colors(keys: list[str | None]) -> list[str]:
    """Colours for keys shown together: fixed ones first; the others take
    their stable fallback unless it is already used in this chart."""
    out: list[str | None] = [fixed_color(k) for k in keys]
    used = {c for c in out if c}
    for i, k in enumerate(keys):
        if out[i] is None:
            c = color(k)
            if c in used:
                start = EXTRA.index(c) if c in EXTRA else 0
                for j in range(1, len(EXTRA) + 1):
                    cand = EXTRA[(start + j) % len(EXTRA)]
                    if cand not in used:
                        c = cand
                        break
            out[i] = c
            used.add(c)
    return out  # type: ignore[return-value]
