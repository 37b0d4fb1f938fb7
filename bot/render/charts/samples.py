"""Small synthetic data the chart kinds' ``sample`` declarations share
(drawn once at worker start-up to load fonts, glyphs, log and date axes)."""
from __future__ import annotations

DAYS = ["2024-06-19", "2024-09-01", "2025-01-15", "2025-05-01", "2025-08-06"]
GAP_ROWS = [{"date": d, "a": 1300 + 10 * i, "b": 1250 + 12 * i, "a_arena": "a", "b_arena": "b",
             "elo": 50 - 2 * i, "pct": 4.0 - 0.3 * i} for i, d in enumerate(DAYS)]
FRONT = [{"date": d, "top1": 1300 + i, "top2": 1290 + i, "topn": 1250 + i, "spread_pct": 4.0, "top2_pct": 0.8,
          "top1_model": "a", "topn_model": "b"} for i, d in enumerate(DAYS)]
POINTS = [["m%d" % i, f"{2012 + i}-03-01", 10.0 ** (16 + i * 0.8), "United States" if i % 2 else "China", "o"]
          for i in range(14)]


def ser(base: float) -> list[list]:
    """A rising Arena line over DAYS."""
    return [[d, base + 10 * i, "m"] for i, d in enumerate(DAYS)]
