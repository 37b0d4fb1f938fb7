#!/usr/bin/env python3
"""Rewrite the operators' guide's configuration table from ``bot.config.SETTINGS``.

    python scripts/config_table.py        # rewrites docs/operators.md in place

The table sits between the header row ``| variable | default | meaning |`` and the
first line after it that is not a table row; ``tests/unit/test_docs.py`` checks it.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import SETTINGS  # noqa: E402


def table() -> str:
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for s in SETTINGS:
        default = f"`{s.shown_default}`" if s.shown_default else ""
        rows.append(f"| `{s.env}` | {default} | {s.doc} |")
    return "\n".join(rows) + "\n"


def main() -> None:
    readme = ROOT / "docs" / "operators.md"
    text = readme.read_text(encoding="utf-8")
    text = re.sub(r"(?:<<<<<<< [^\n]*\n)?\| variable \|[^\n]*\n(?:(?:\|[^\n]*|=======|>>>>>>> [^\n]*|<<<<<<< [^\n]*)\n)*",
                  lambda _m: table(), text, count=1)
    readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
