"""AI Index headline figures, one edition per file (2025, 2026 ...).

A file's edition is its ``source_id`` column when it has one, else the
report its rows cite ("AI Index Report 2026 ..."); each edition is a source
of its own (``ai-index-2025``, ``ai-index-2026``) with the report's release
day as its as-of date, so an answer cites the edition it read. A value
reported as a change ("60 -> near 100", "233 -> 362") is stored as its last
number, and the unit keeps what was reported.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path
from typing import Callable

from bot.store.db import Store
from bot.store.importers.common import (
    AI_INDEX_EDITIONS,
    SOURCE_AI_INDEX,
    ImportReport,
    Table,
    cell_name,
    cell_number,
    cell_text,
    ensure_sources,
    import_transaction,
    read_table,
)

csv.field_size_limit(10_000_000)

Progress = Callable[[int, int], None]

_CITES = re.compile(r"AI Index(?: Report)? (\d{4})", re.I)
_CHANGE = re.compile(r"^\s*([^>]*?)\s*->\s*(.+?)\s*$")  # "233 -> 362", "60 -> near 100"


def edition_of(source_id: str) -> str:
    """The edition's year of an AI Index source id (``ai-index-2026`` -> ``2026``)."""
    return source_id.rsplit("-", 1)[-1]


def edition_label(source_id: str) -> str:
    """How an answer names an edition: ``AI Index 2026``."""
    return f"AI Index {edition_of(source_id)}"


def _edition(table: Table, rows: list[tuple[int, int, dict]]) -> str:
    """The file's edition: what its rows cite most (the seed's edition when they cite none)."""
    years = Counter(m.group(1) for _rn, _line, r in rows for m in [_CITES.search(r.get("source") or "")] if m)
    if not years:
        return SOURCE_AI_INDEX
    year = years.most_common(1)[0][0]
    sid = f"ai-index-{year}"
    if sid not in AI_INDEX_EDITIONS:
        known = ", ".join(edition_of(s) for s in AI_INDEX_EDITIONS)
        raise table.fail(rows[0][0], f"the rows cite the AI Index {year}; known editions: {known}", rows[0][1])
    return sid


def _value(table: Table, rn: int, line: int, raw: str | None, unit: str) -> tuple[float, str]:
    """The number stored and the unit shown: a change "a -> b" is stored as b, and said in the unit."""
    m = _CHANGE.match(raw or "")
    if m:
        last = re.search(r"-?\d[\d,]*(?:\.\d+)?", m.group(2))
        if last is None:
            raise table.fail(rn, f"column 'value': {raw!r} has no number after '->'", line)
        value = cell_number(table, rn, line, "value", last.group(0), positive=False)
        assert value is not None
        shown = f"{unit} (reported as {' '.join((raw or '').split())})".strip()
        return value, shown
    value = cell_number(table, rn, line, "value", raw, positive=False)
    if value is None:
        raise table.fail(rn, "column 'value' is empty", line)
    return value, unit


# ---------------------------------------------------------------------------
# AI Index headline figures
# ---------------------------------------------------------------------------
def import_figures(store: Store, source: str | Path | bytes, *, name: str | None = None,
                   actor: str = "system", audit: bool = True, dry_run: bool = False,
                   progress: Progress | None = None) -> ImportReport:
    table = read_table(source, name=name, required=["id", "topic", "metric", "subject", "period", "value", "unit"])
    rows = list(table.rows)
    edition = _edition(table, rows) if rows else SOURCE_AI_INDEX
    recs = []
    seen: dict[str, int] = {}
    for rn, line, r in rows:
        fid = cell_name(table, rn, line, "id", r["id"])
        for col in ("topic", "metric", "subject", "period", "unit", "source"):
            cell_text(table, rn, line, col, r.get(col))
        table.once(seen, fid, "id", rn, line)
        value, unit = _value(table, rn, line, r["value"], r["unit"].strip())
        recs.append({"id": fid, "topic": r["topic"].strip(), "metric": r["metric"].strip(),
                     "subject": r["subject"].strip() or None, "period": r["period"].strip() or None,
                     "value": value, "unit": unit or None,
                     "citation": (r.get("source") or "").strip() or None,
                     "source_id": (r.get("source_id") or "").strip() or edition})
    report = ImportReport("figures", table.name)
    with import_transaction(store, actor, f"import figures {table.name}", audit, dry_run) as ch:
        editions = sorted({rec["source_id"] for rec in recs if rec["source_id"] in AI_INDEX_EDITIONS} | {edition})
        ensure_sources(ch, *editions, as_of={sid: AI_INDEX_EDITIONS[sid] for sid in editions})
        for i, rec in enumerate(recs):
            if ch.get("sources", {"id": rec["source_id"]}) is None:
                raise table.fail(i + 1, f"unknown source {rec['source_id']!r}")
            old = ch.get("figures", {"id": rec["id"]})
            if old is not None and old["source_id"] != rec["source_id"]:
                raise table.fail(i + 1, f"figure {rec['id']!r} belongs to {old['source_id']}, not "
                                        f"{rec['source_id']}: give it an id of its own")
            report.count(ch.upsert("figures", rec), f"figure {rec['id']}")
            if progress:
                progress(i + 1, len(recs))
    return report
