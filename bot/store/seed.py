"""The project's own CSV format: the curated seed in ``data/seed/`` and what
moderators export and re-import.

One CSV per table, names instead of internal ids, so a person can read and
edit it in a spreadsheet. ``write_tables`` writes them (escaping cells a
spreadsheet would run as formulas), ``load_seed`` builds a fresh database
from them, ``import_project`` imports one of them (found by its header) as an
audited change.
"""
from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Any

from bot.store.db import Change, Store
from bot.store.importers import ImportFailed, ImportReport, OrgIndex, Table, _transaction, read_table
from bot.store.normalize import fold

# table file -> its columns, in order
COLUMNS: dict[str, list[str]] = {
    "sources": ["id", "title", "url", "licence", "as_of", "note"],
    "organizations": ["name", "country", "sector", "spellings", "source"],
    "models": ["name", "organization", "country", "countries", "sector", "release_date", "domain",
               "parameters", "active_parameters", "parameters_url", "parameters_disclosed",
               "training_compute", "training_cost", "access", "licence", "frontier",
               "origin", "hidden", "source"],
    "aliases": ["alias", "model", "kind", "reviewed", "source"],
    "scores": ["model", "benchmark", "version", "value", "date", "source"],
    # one rating per (source, board date, category, Arena name); `model` may be empty when
    # `arena_name` is an alias (the seed leaves it empty to stay compact)
    "arena": ["source", "snapshot_date", "category", "arena_name", "model", "rank", "rank_stylectrl", "score",
              "ci_lower", "ci_upper", "votes", "organization", "licence", "knowledge_cutoff"],
    "arena_keys": ["key", "display_name", "organization", "open", "licence", "name_from", "source"],
    "prices": ["arena_name", "as_of", "model", "display_name", "input_price", "output_price", "price_url",
               "source"],
    "figures": ["id", "topic", "metric", "subject", "period", "value", "unit", "citation", "source"],
}
LOAD_ORDER = ["sources", "organizations", "models", "aliases", "scores", "arena", "arena_keys", "prices", "figures"]
NUMERIC = {"parameters", "active_parameters", "training_compute", "training_cost", "value", "score",
           "ci_lower", "ci_upper", "input_price", "output_price"}
INTEGER = {"frontier", "hidden", "reviewed", "rank", "rank_stylectrl", "votes", "parameters_disclosed", "open"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> str:
    """A cell as text; text a spreadsheet would run as a formula gets a
    leading apostrophe (numbers are left alone)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if value != int(value) or abs(value) >= 1e16 else str(int(value))
    s = str(value)
    if s.startswith(FORMULA_START) and not _is_number(s):
        return "'" + s
    return s


def unescape_cell(s: str) -> str:
    if s.startswith("'") and s[1:2] and s[1:2] in "=+-@\t\r":
        return s[1:]
    return s


def _is_number(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def table_rows(store: Store, table: str) -> list[dict[str, Any]]:
    """The rows of one project table, with names in place of ids."""
    q = {
        "sources": "SELECT id, title, url, licence, as_of, note FROM sources ORDER BY id",
        "organizations": """SELECT o.name, o.country, o.sector, o.source_id AS source,
                 (SELECT group_concat(spelling, '|') FROM (SELECT spelling FROM org_aliases a
                   WHERE a.org_id = o.id ORDER BY spelling)) AS spellings
                 FROM organizations o ORDER BY o.name""",
        "models": """SELECT m.*, m.source_id AS source FROM models m ORDER BY m.name""",
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
    return [{c: r.get(c) for c in COLUMNS[table]} for r in store.query(q)]


def table_csv(store: Store, table: str) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS[table])
    for r in table_rows(store, table):
        w.writerow([escape_cell(r[c]) for c in COLUMNS[table]])
    return buf.getvalue().encode("utf-8")


def write_tables(store: Store, folder: Path, *, compact_arena: bool = False) -> list[Path]:
    """Write every project table. With `compact_arena` (the seed) the Arena
    ratings go to the compact files of :mod:`bot.store.seed_arena` instead of
    ``arena.csv``."""
    from bot.store.seed_arena import FILES, write_compact

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


def detect_table(header: list[str]) -> str | None:
    for t, cols in COLUMNS.items():
        if header == cols:
            return t
    for t, cols in COLUMNS.items():
        if set(cols) <= set(header):
            return t
    return None


def _typed(table: Table, rn: int, line: int, col: str, raw: str) -> Any:
    s = unescape_cell(raw.strip())
    if s == "":
        return None
    if col in NUMERIC:
        try:
            return float(s)
        except ValueError:
            raise table.fail(rn, f"column {col!r}: {s[:40]!r} is not a number", line) from None
    if col in INTEGER:
        try:
            return int(float(s))
        except ValueError:
            raise table.fail(rn, f"column {col!r}: {s[:40]!r} is not a whole number", line) from None
    return s


def apply_table(ch: Change, kind: str, table: Table, report: ImportReport, progress=None) -> None:
    """Upsert the rows of one project table inside the change `ch`."""
    rows = []
    for rn, line, r in table.rows:
        rows.append((rn, line, {c: _typed(table, rn, line, c, r.get(c, "")) for c in COLUMNS[kind]}))
    model_ids = {n: i for n, i in ch.db.execute("SELECT name, id FROM models")}
    sources = {r[0] for r in ch.db.execute("SELECT id FROM sources")}

    def need_model(rn, line, name):
        if name not in model_ids:
            raise table.fail(rn, f"unknown model {name!r} (import models.csv first)", line)
        return model_ids[name]

    alias_ids: dict[str, int] | None = None

    def need_alias(rn, line, alias):
        nonlocal alias_ids
        if alias_ids is None:
            alias_ids = {a: i for a, i in ch.db.execute("SELECT alias, model_id FROM aliases")}
        if alias not in alias_ids:
            raise table.fail(rn, f"no model column and {alias!r} is no known alias (import aliases.csv first)",
                             line)
        return alias_ids[alias]

    def need_source(rn, line, sid):
        if sid is not None and sid not in sources:
            raise table.fail(rn, f"unknown source {sid!r} (import sources.csv first)", line)
        return sid

    orgs = OrgIndex(ch) if kind in ("organizations", "models") else None
    seen: dict[tuple, int] = {}
    for i, (rn, line, r) in enumerate(rows):
        if kind == "sources":
            key = (r["id"],)
            if not r["id"] or not r["title"]:
                raise table.fail(rn, "id and title must not be empty", line)
            outcome = ch.upsert("sources", r)
            sources.add(r["id"])
        elif kind == "organizations":
            key = (r["name"],)
            if not r["name"]:
                raise table.fail(rn, "the name cell is empty", line)
            org = orgs.find(r["name"])
            row = {"name": r["name"], "country": r["country"], "sector": r["sector"],
                   "source_id": need_source(rn, line, r["source"])}
            if org is None:
                org = orgs.ensure(r["name"], country=r["country"], sector=r["sector"], source_id=row["source_id"])
                outcome = "added"
            else:
                outcome = ch.upsert("organizations", {"id": org["id"], **row})
                org.update(country=r["country"], sector=r["sector"])
            for sp in (r["spellings"] or "").split("|"):
                a = fold(sp)
                if a and orgs.by_alias.get(a) != org["id"]:
                    ch.upsert("org_aliases", {"alias": a, "org_id": org["id"], "spelling": sp})
                    orgs.by_alias[a] = org["id"]
        elif kind == "models":
            key = (r["name"],)
            if not r["name"]:
                raise table.fail(rn, "the name cell is empty", line)
            org = orgs.find(r["organization"]) if r["organization"] else None
            if r["organization"] and org is None:
                org = orgs.ensure(r["organization"], country=r["country"], sector=r["sector"])
            row = {k: r[k] for k in COLUMNS["models"] if k not in ("source",)}
            row["frontier"] = row["frontier"] or 0
            row["hidden"] = row["hidden"] or 0
            row["origin"] = row["origin"] or "moderator"
            row.update(org_id=org["id"] if org else None, source_id=need_source(rn, line, r["source"]))
            mid = model_ids.get(r["name"])
            if mid is None:
                model_ids[r["name"]] = ch.insert("models", row)
                outcome = "added"
            else:
                outcome = ch.upsert("models", {"id": mid, **{k: v for k, v in row.items() if k != "name"}})
        elif kind == "aliases":
            key = (r["alias"],)
            if not r["alias"]:
                raise table.fail(rn, "the alias cell is empty", line)
            outcome = ch.upsert("aliases", {"alias": r["alias"], "model_id": need_model(rn, line, r["model"]),
                                            "kind": r["kind"] or "alias", "reviewed": r["reviewed"] or 0,
                                            "source_id": need_source(rn, line, r["source"])})
        elif kind == "scores":
            key = (r["model"], r["benchmark"], r["version"] or "")
            if not r["benchmark"] or r["value"] is None:
                raise table.fail(rn, "benchmark and value must not be empty", line)
            outcome = ch.upsert("benchmark_scores", {
                "model_id": need_model(rn, line, r["model"]), "benchmark": r["benchmark"],
                "version": r["version"] or "", "value": r["value"], "date": r["date"],
                "source_id": need_source(rn, line, r["source"]) or "moderators"})
        elif kind == "arena":
            key = (r["source"], r["snapshot_date"], r["category"] or "full", r["arena_name"])
            if not r["source"] or not r["snapshot_date"] or not r["arena_name"] or r["score"] is None:
                raise table.fail(rn, "source, snapshot_date, arena_name and score must not be empty", line)
            row = {k: r[k] for k in COLUMNS["arena"] if k not in ("model", "source")}
            row["category"] = row["category"] or "full"
            mid = need_model(rn, line, r["model"]) if r["model"] else need_alias(rn, line, r["arena_name"])
            row.update(model_id=mid, source_id=need_source(rn, line, r["source"]))
            outcome = ch.upsert("arena_ratings", row)
        elif kind == "arena_keys":
            key = (r["key"],)
            if not r["key"] or not r["display_name"]:
                raise table.fail(rn, "key and display_name must not be empty", line)
            row = {k: r[k] for k in COLUMNS["arena_keys"] if k != "source"}
            row["source_id"] = need_source(rn, line, r["source"])
            outcome = ch.upsert("arena_keys", row)
        elif kind == "prices":
            key = (r["arena_name"], r["as_of"])
            if not r["arena_name"] or not r["as_of"]:
                raise table.fail(rn, "arena_name and as_of must not be empty", line)
            row = {k: r[k] for k in COLUMNS["prices"] if k not in ("model", "source")}
            mid = need_model(rn, line, r["model"]) if r["model"] else need_alias(rn, line, r["arena_name"])
            row.update(model_id=mid, source_id=need_source(rn, line, r["source"]) or "arena-prices")
            outcome = ch.upsert("prices", row)
        elif kind == "figures":
            key = (r["id"],)
            if not r["id"] or r["value"] is None:
                raise table.fail(rn, "id and value must not be empty", line)
            row = {k: r[k] for k in COLUMNS["figures"] if k != "source"}
            row["source_id"] = need_source(rn, line, r["source"])
            outcome = ch.upsert("figures", row)
        else:  # pragma: no cover
            raise ValueError(kind)
        if key in seen:
            raise table.fail(rn, f"repeats row {seen[key]}", line)
        seen[key] = rn
        report.count(outcome, f"{kind} {' / '.join(str(k) for k in key)}")
        if progress:
            progress(i + 1, len(rows))


def import_project(store: Store, source: str | Path | bytes, *, name: str | None = None, actor: str = "system",
                   audit: bool = True, dry_run: bool = False, progress=None) -> ImportReport:
    """Import one of the project's CSVs (the table is found from its header),
    or a folder of them (all tables, in order, in one transaction)."""
    if isinstance(source, (str, Path)) and Path(source).is_dir():
        folder = Path(source)
        tables = [(t, read_table(folder / f"{t}.csv", required=COLUMNS[t])) for t in LOAD_ORDER
                  if (folder / f"{t}.csv").exists() and _has_rows(folder / f"{t}.csv")]
        if not tables:
            raise ImportFailed(str(folder), None, "no project CSV files in this folder")
        # (the compact Arena files, if any, are read after the tables they refer to)
        label = str(folder)
    else:
        table = read_table(source, name=name)
        kind = detect_table(table.header)
        if kind is None:
            raise ImportFailed(table.name, None, "wrong header: this is not one of the project's CSV tables "
                                                 f"({', '.join(COLUMNS)})")
        tables = [(kind, table)]
        label = table.name
    from bot.store.seed_arena import has_compact, load_compact

    compact = isinstance(source, (str, Path)) and Path(source).is_dir() and has_compact(Path(source))
    report = ImportReport("project", label)
    with _transaction(store, actor, f"import project {label}", audit, dry_run) as ch:
        for kind, table in tables:
            apply_table(ch, kind, table, report, progress)
        if compact:
            load_compact(ch, Path(source), report)
    return report


def _has_rows(path: Path) -> bool:
    """A project table with more than its header (an empty table is skipped)."""
    with path.open("rb") as fh:
        return len([ln for ln in fh.read(1 << 16).splitlines()[:2] if ln.strip()]) > 1


def load_seed(store: Store, folder: Path) -> ImportReport:
    """Build an empty database from the seed folder (no audit entries: the
    seed is where history starts)."""
    t0 = time.perf_counter()
    report = import_project(store, folder, actor="seed", audit=False)
    with store.change("seed", "seed", audit=False) as ch:
        ch.upsert("meta", {"key": "seeded_at", "value": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        ch.upsert("meta", {"key": "seed_seconds", "value": f"{time.perf_counter() - t0:.2f}"})
    return report
