"""The one palette: fixed colours for countries, organisations and groups
(no matplotlib here: the Discord adapter colours its embeds from it too).

One mapping, used by every chart and every embed: a country or a major
organisation always gets the same colour, whatever the letter case. Based on the Okabe-Ito colour-blind-safe palette
(https://jfly.uni-koeln.de/color/), extended with Paul Tol's "muted" set for
the less frequent keys. Colours were chosen to read on a white background,
which is what the charts draw (readable inside Discord's dark and light
themes alike).

Keys shown side by side (a stack, a legend, lines ending next to each other)
take their colours from :func:`colors`, which keeps every two neighbours
apart for readers with protanopia or deuteranopia as well (a simulation and a
colour distance: :func:`cvd_distance`); a later key gives up its usual colour
when it would look like its neighbour's.
"""
from __future__ import annotations

import zlib
from collections.abc import Sequence

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

# the greys of "other" and "unknown", and the darker ones they take beside a colour like them
GREYS = [LIGHT_GREY, "#A0A0A0", "#707070", "#4D4D4D"]

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


# Colour vision deficiency: Machado, Oliveira & Fernandes (2009) simulation matrices at full
# severity, applied to linear RGB (https://www.inf.ufrgs.br/~oliveira/pubs_files/CVD_Simulation/).
PROTAN = ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998))
DEUTAN = ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881))
MIN_DISTANCE = 12.0  # CIE76 (Lab) distance neighbours keep, for normal, protan and deutan vision alike


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    return (int(h[0:2], 16) / 255, int(h[2:4], 16) / 255, int(h[4:6], 16) / 255)


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return c * 12.92 if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def simulate(hex_colour: str, matrix) -> tuple[float, float, float]:
    """The sRGB colour a reader with that deficiency sees (`matrix`: PROTAN or DEUTAN)."""
    lin = [_linear(c) for c in _rgb(hex_colour)]
    return (_gamma(sum(matrix[0][j] * lin[j] for j in range(3))),
            _gamma(sum(matrix[1][j] * lin[j] for j in range(3))),
            _gamma(sum(matrix[2][j] * lin[j] for j in range(3))))


def _lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (_linear(c) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116
    return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))


def _cie76(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = _lab(a), _lab(b)
    return sum((p - q) ** 2 for p, q in zip(la, lb)) ** 0.5


def cvd_distance(a: str, b: str) -> float:
    """How far apart two colours look (CIE76) to the reader who sees them closest:
    normal vision, protanopia or deuteranopia."""
    return min(_cie76(_rgb(a), _rgb(b)), _cie76(simulate(a, PROTAN), simulate(b, PROTAN)),
               _cie76(simulate(a, DEUTAN), simulate(b, DEUTAN)))


def colors(keys: Sequence[str | None]) -> list[str]:
    """Colours for keys shown together, in the order shown (stacked areas, legend rows).

    Keys with a fixed colour keep it, unless it looks like the previous fixed
    neighbour's to a colour-blind reader (:func:`cvd_distance` under
    ``MIN_DISTANCE``): then the later one gives it up. The other keys take their
    stable colour when it is free here and clear of both neighbours, else the
    free extra colour farthest from them. "other" and "unknown" stay grey (a
    lighter or darker one when needed)."""
    n = len(keys)
    out: list[str | None] = [None] * n
    used: set[str] = set()

    def near(i: int) -> list[str]:
        return [c for c in (out[i - 1] if i else None, out[i + 1] if i + 1 < n else None) if c]

    def pick(i: int, want: str) -> str:
        close = near(i)

        def clear(c: str) -> float:
            return min((cvd_distance(c, x) for x in close), default=100.0)

        if want not in used and clear(want) >= MIN_DISTANCE:
            return want
        pool = GREYS if want in GREYS else EXTRA
        free = [c for c in pool if c not in used] or list(pool)
        return max(free, key=clear)

    for i, k in enumerate(keys):  # fixed colours first, so a country looks the same everywhere
        fixed = fixed_color(k)
        if fixed:
            out[i] = pick(i, fixed)
            used.add(out[i])  # type: ignore[arg-type]
    for i, k in enumerate(keys):
        if out[i] is None:
            out[i] = pick(i, color(k))
            used.add(out[i])  # type: ignore[arg-type]
    return [c or COLORS["unknown"] for c in out]
