"""Exports: the project's CSV tables, one JSON document, or a SQLite copy.

CSV cells that a spreadsheet would run as formulas are escaped (see
:func:`bot.store.seed.escape_cell`); the CSVs re-import with
``import project`` and give the same data back.
"""
from __future__ import annotations

import json
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from bot.store.db import Store
from bot.store.seed import LOAD_ORDER, table_csv, table_rows

FORMATS = ("csv", "json", "sqlite")


def export(store: Store, fmt: str = "csv") -> list[tuple[str, bytes]]:
    """The export as (filename, bytes) pairs."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        return [(f"{t}.csv", table_csv(store, t)) for t in LOAD_ORDER]
    if fmt == "json":
        # each table as {"columns": [...], "rows": [[...], ...]}: about 100,000 Arena ratings
        # fit an upload as columns and rows, not as one object per row
        tables = {}
        for t in LOAD_ORDER:
            rows = table_rows(store, t)
            cols = list(rows[0]) if rows else []
            tables[t] = {"columns": cols, "rows": [[r[c] for c in cols] for r in rows]}
        doc = {"exported_at": stamp, "schema_version": store.schema_version, "tables": tables}
        return [(f"racebot-{stamp}.json",
                 json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))]
    if fmt == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            p = store.backup(Path(tmp) / "copy.db")
            return [(f"racebot-{stamp}.db", p.read_bytes())]
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
