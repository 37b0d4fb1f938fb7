#!/usr/bin/env python3
"""The README's tour: answers the bot gives on the seed, written between the tour markers.

    python scripts/readme_tour.py          # rewrites README.md's tour in place
    python scripts/readme_tour.py --check  # exit 1 when the README's tour is stale

Each example is ``$ racebot ask "<line>"`` and the answer as the console prints it
(text, embed, footer), on a fresh database built from ``data/seed/`` with the clock
at :data:`TOUR_DAY` (the data's age is said as of that day). ``tests/test_readme_tour.py``
regenerates the tour the same way and compares, so the README's examples never go stale.
"""
from __future__ import annotations

import re
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.engine import Engine  # noqa: E402
from bot.render.text import as_plain  # noqa: E402

README = ROOT / "README.md"
BEGIN = "<!-- tour: begin (scripts/readme_tour.py writes this block; a test checks it) -->"
END = "<!-- tour: end -->"
TOUR_DAY = date(2026, 12, 7)
# (what the example shows, the line asked)
TOUR: list[tuple[str, str]] = [
    ("who leads, by country", "race"),
    ("the US-China gap, how it moved, beside the AI Index's figures", "gap us china"),
    ("one model; names are forgiving", "model deepsek r1"),
    ("a leaderboard of one Arena category; `=` marks a shared rank", "top 5 coding"),
    ("a plain question: the first line says how it was read", "are open models catching up?"),
    ("firsts and records from the whole Arena history", "has china ever been #1?"),
]


def answer(engine: Engine, line: str) -> str:
    """The answer to `line` as `racebot ask` prints it (a question, not a command, is read by `ask`)."""
    reply = engine.handle(engine.as_question(line))
    return "\n".join(as_plain(page) for page in [reply, *reply.pages])


def tour(engine: Engine) -> str:
    """The block between the markers, markers included."""
    parts = [BEGIN, "", f"Answers on the seed as of {TOUR_DAY.isoformat()} (the data's age is said as of that day):",
             "", "~~~"]  # ~~~: the answers hold ``` tables
    for i, (what, line) in enumerate(TOUR):
        if i:
            parts.append("")
        parts += [f"# {what}", f'$ racebot ask "{line}"', answer(engine, line)]
    parts += ["~~~", "", END]
    return "\n".join(parts)


def current(text: str) -> str:
    """The README's tour block as it stands (markers included)."""
    m = re.search(re.escape(BEGIN) + r".*?" + re.escape(END), text, re.S)
    if not m:
        raise SystemExit(f"README.md has no tour markers ({BEGIN!r} ... {END!r})")
    return m.group(0)


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="tour-") as tmp:
        engine = Engine.open(Path(tmp) / "tour.db", clock=lambda: TOUR_DAY)
        try:
            block = tour(engine)
        finally:
            engine.close()
    text = README.read_text(encoding="utf-8")
    if "--check" in argv:
        stale = current(text) != block
        print("README tour is stale: run python scripts/readme_tour.py" if stale else "README tour is current")
        return int(stale)
    README.write_text(text.replace(current(text), block), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
