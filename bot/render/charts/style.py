"""The look of every chart: size, colours and matplotlib settings, a new
figure, and the PNG encoding. Imported only where charts are drawn.
"""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg", force=False)
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

W, H, DPI = 1200, 675, 100
MAX_BYTES = 200_000
BG = "#FFFFFF"
FG = "#1F2328"
MUTED = "#5F6368"
GRIDC = "#E4E4E4"
PX_PER_PT = DPI / 72

matplotlib.rcParams.update({
    "font.family": "DejaVu Sans",
    "font.size": 12,
    "text.color": FG,
    "axes.labelcolor": FG,
    "axes.edgecolor": "#B0B0B0",
    "axes.linewidth": 0.8,
    "axes.labelsize": 12.5,
    "axes.facecolor": BG,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": GRIDC,
    "grid.linewidth": 0.8,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": FG,
    "ytick.labelcolor": FG,
    "xtick.labelsize": 11.5,
    "xtick.major.pad": 6.5,  # date ticks keep a clear pixel from a "0%" y tick at the corner, even on a phone
    "ytick.labelsize": 11.5,
    "legend.fontsize": 11,
    "legend.frameon": True,
    "legend.framealpha": 0.92,
    "legend.edgecolor": "#D0D0D0",
    "figure.facecolor": BG,
    "savefig.facecolor": BG,
    "path.simplify": True,
    "text.hinting": "no_hinting",  # measurably faster text drawing, no visible loss at these sizes
    "agg.path.chunksize": 10000,
})



def figure_renderer(fig):
    """The figure's Agg renderer (to measure texts and artists in pixels)."""
    return fig.canvas.get_renderer()


def new_figure() -> Figure:
    fig = Figure(figsize=(W / DPI, H / DPI), dpi=DPI, facecolor=BG)
    FigureCanvasAgg(fig)
    return fig


def figure_png(fig: Figure) -> bytes:
    """Draw the figure and encode it as a 256-colour palette PNG: a third of
    the bytes of a true-colour PNG and faster to encode; the charts use few
    colours, so it looks the same."""
    from PIL import Image

    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)  # new_figure() attached it
    canvas.draw()
    w, h = canvas.get_width_height()
    im = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    im = im.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    im.save(out, format="PNG", compress_level=6)
    png = out.getvalue()
    if len(png) > MAX_BYTES:  # pragma: no cover - never seen; fewer colours as a last resort
        im = im.convert("RGB").quantize(colors=64, method=Image.Quantize.FASTOCTREE)
        out = io.BytesIO()
        im.save(out, format="PNG", compress_level=9)
        png = out.getvalue()
    return png
