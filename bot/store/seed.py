"""The seed: the curated tables in ``data/seed/`` that build a fresh database,
and writing the project's tables as CSV (the format is defined in
:mod:`bot.store.importers.project`).

``open_store`` opens a database and, the first time, builds it from the seed;
it lives here, above the store, so the store itself never imports importers.
"""
from __future__ import annotations

import csv
import io
import os
import time
from pathlib import Path
from typing import Any

from bot.store.db import REPO_ROOT, Store
from bot.store.importers.common import ImportReport
from bot.store.importers.project import COLUMNS, LOAD_ORDER, escape_cell, import_project

DEFAULT_SEED_DIR = REPO_ROOT / "data" / "seed"


def open_store(path: str | os.PathLike, *, seed_dir: str | os.PathLike | None = DEFAULT_SEED_DIR,
               readonly: bool = False) -> Store:
    """Open (and if needed create, migrate and seed from `seed_dir`) the database at `path`."""
    seeder = None if seed_dir is None else (lambda store: load_seed(store, Path(seed_dir)))
    return Store.open(path, readonly=readonly, seeder=seeder)


def table_rows(store: Store, table: str) -> list[dict[str, Any]]:
    """The rows of one project table, with names in place of ids."""
    q = {
        "sources": "SELECT id, title, url, licence, as_of, note FROM sources ORDER BY id",
        "organizations": """SELECT o.name, o.country, o.sector, o.source_id AS source,
                 (SELECT group_concat(spelling, '|') FROM (SELECT spelling FROM org_aliases a
                   WHERE a.org_id = o.id ORDER BY spelling)) AS spellings
                 FROM organizations o ORDER BY o.name""",
        "models": """SELECT m.*, m.source_id AS source, v.name AS family FROM models m
                 LEFT JOIN models v ON v.id = m.variant_of ORDER BY m.name""",
        "aliases": """SELECT a.alias, m.name AS model, a.kind, a.reviewed, a.source_id AS source
                 FROM aliases a JOIN models m ON m.id = a.model_id ORDER BY a.alias""",
        "scores": """SELECT m.name AS model, s.benchmark, s.version, s.value, s.date, s.source_id AS source
                 FROM benchmark_scores s JOIN models m ON m.id = s.model_id
                 ORDER BY s.benchmark, m.name, s.version""",
        "arena": """SELECT r.*, m.name AS model, r.source_id AS source FROM arena_ratings r
                 JOIN models m ON m.id = r.model_id
                 ORDER BY r.source_id, r.snapshot_date, r.category, r.rank, r.score DESC, r.arena_name""",
        "arena_keys": "SELECT k.*, k.source_id AS source FROM arena_keys k ORDER BY k.key",
        "prices": """SELECT p.*, m.name AS model, p.source_id AS source FROM prices p
                 JOIN models m ON m.id = p.model_id ORDER BY p.arena_name, p.as_of""",
        "figures": "SELECT f.*, f.source_id AS source FROM figures f ORDER BY f.id",
    }[table]
    rows = store.query(q)
    if table == "models":
        for r in rows:
            r["variant_of"] = r.pop("family")
    return [{c: r.get(c) for c in COLUMNS[table]} for r in rows]


def table_csv(store: Store, table: str) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS[table])
    for r in table_rows(store, table):
        w.writerow([escape_cell(r[c]) for c in COLUMNS[table]])
    return buf.getvalue().encode("utf-8")


def write_tables(store: Store, folder: Path, *, compact_arena: bool = False) -> list[Path]:
    """Write every project table. With `compact_arena` (the seed) the Arena
    ratings go to the compact files of :mod:`bot.store.importers.seed_arena` instead of
    ``arena.csv``."""
    from bot.store.importers.seed_arena import FILES, write_compact

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for t in LOAD_ORDER:
        p = folder / f"{t}.csv"
        if t == "arena" and compact_arena:
            p.unlink(missing_ok=True)
            out.extend(write_compact(store, folder))
            continue
        p.write_bytes(table_csv(store, t))
        out.append(p)
    if not compact_arena:
        for f in FILES:
            (folder / f"{f}.csv").unlink(missing_ok=True)
    return out


def load_seed(store: Store, folder: Path) -> ImportReport:
    """Build an empty database from the seed folder (no audit entries: the
    seed is where history starts)."""
    t0 = time.perf_counter()
    # A fresh database: no fsync while it is filled (about 100,000 Arena ratings). A crash of
    # the process still rolls back; only an OS crash mid-build could leave a file to delete and
    # build again. The usual setting is back before the database answers anything.
    store.db.execute("PRAGMA synchronous = OFF")
    try:
        report = import_project(store, folder, actor="seed", audit=False)
        with store.change("seed", "seed", audit=False) as ch:
            ch.upsert("meta", {"key": "seeded_at", "value": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
            ch.upsert("meta", {"key": "seed_seconds", "value": f"{time.perf_counter() - t0:.2f}"})
    finally:
        store.db.execute("PRAGMA synchronous = NORMAL")
    return report
