"""AI Index 2025 headline figures."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable

from bot.store.db import Store
from bot.store.importers.common import (
    SOURCE_AI_INDEX,
    ImportReport,
    cell_number,
    ensure_sources,
    import_transaction,
    read_table,
)

csv.field_size_limit(10_000_000)

Progress = Callable[[int, int], None]



# ---------------------------------------------------------------------------
# AI Index headline figures
# ---------------------------------------------------------------------------
def import_figures(store: Store, source: str | Path | bytes, *, name: str | None = None,
                   actor: str = "system", audit: bool = True, dry_run: bool = False,
                   progress: Progress | None = None) -> ImportReport:
    table = read_table(source, name=name, required=["id", "topic", "metric", "subject", "period", "value", "unit"])
    recs = []
    seen: dict[str, int] = {}
    for rn, line, r in table.rows:
        fid = r["id"].strip()
        table.once(seen, fid, "id", rn, line)
        value = cell_number(table, rn, line, "value", r["value"], positive=False)
        if value is None:
            raise table.fail(rn, "column 'value' is empty", line)
        recs.append({"id": fid, "topic": r["topic"].strip(), "metric": r["metric"].strip(),
                     "subject": r["subject"].strip() or None, "period": r["period"].strip() or None,
                     "value": value, "unit": r["unit"].strip() or None,
                     "citation": (r.get("source") or "").strip() or None,
                     "source_id": (r.get("source_id") or "").strip() or SOURCE_AI_INDEX})
    report = ImportReport("figures", table.name)
    with import_transaction(store, actor, f"import figures {table.name}", audit, dry_run) as ch:
        ensure_sources(ch, SOURCE_AI_INDEX, as_of={SOURCE_AI_INDEX: "2025-04-07"})
        for i, rec in enumerate(recs):
            if ch.get("sources", {"id": rec["source_id"]}) is None:
                raise table.fail(i + 1, f"unknown source {rec['source_id']!r}")
            report.count(ch.upsert("figures", rec), f"figure {rec['id']}")
            if progress:
                progress(i + 1, len(recs))
    return report
