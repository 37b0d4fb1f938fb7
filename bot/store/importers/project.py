"""The project's own CSV format (the seed in ``data/seed/`` and what
moderators export): its columns, cell escaping, and ``import_project``,
which imports one table (found by its header) or a folder of them as one
audited change. Writing the tables lives in :mod:`bot.store.seed`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.store.db import Change, Store
from bot.store.importers.common import ImportFailed, ImportReport, OrgIndex, Table, import_transaction, read_table
from bot.store.normalize import fold

# table file -> its columns, in order
COLUMNS: dict[str, list[str]] = {
    "sources": ["id", "title", "url", "licence", "as_of", "note"],
    "organizations": ["name", "country", "sector", "spellings", "source"],
    "models": ["name", "organization", "country", "countries", "sector", "release_date", "domain",
               "parameters", "training_compute", "training_cost", "access", "licence", "frontier",
               "origin", "hidden", "source"],
    "aliases": ["alias", "model", "kind", "reviewed", "source"],
    "scores": ["model", "benchmark", "version", "value", "date", "source"],
    "arena": ["snapshot_date", "arena_name", "model", "rank", "rank_stylectrl", "score", "ci_plus",
              "ci_minus", "votes", "organization", "licence", "knowledge_cutoff", "source"],
    "figures": ["id", "topic", "metric", "subject", "period", "value", "unit", "citation", "source"],
}
LOAD_ORDER = ["sources", "organizations", "models", "aliases", "scores", "arena", "figures"]
NUMERIC = {"parameters", "training_compute", "training_cost", "value", "score", "ci_plus", "ci_minus"}
INTEGER = {"frontier", "hidden", "reviewed", "rank", "rank_stylectrl", "votes"}
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

    def need_source(rn, line, sid):
        if sid is not None and sid not in sources:
            raise table.fail(rn, f"unknown source {sid!r} (import sources.csv first)", line)
        return sid

    orgs = OrgIndex(ch) if kind in ("organizations", "models") else None
    seen: dict[tuple, int] = {}
    for i, (rn, line, r) in enumerate(rows):
        if kind == "sources":
            key: tuple[str, ...] = (r["id"],)
            if not r["id"] or not r["title"]:
                raise table.fail(rn, "id and title must not be empty", line)
            outcome = ch.upsert("sources", r)
            sources.add(r["id"])
        elif kind == "organizations":
            assert orgs is not None
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
            assert orgs is not None
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
            key = (r["snapshot_date"], r["arena_name"])
            if not r["snapshot_date"] or not r["arena_name"] or r["score"] is None or r["rank"] is None:
                raise table.fail(rn, "snapshot_date, arena_name, rank and score must not be empty", line)
            row = {k: r[k] for k in COLUMNS["arena"] if k not in ("model", "source")}
            row.update(model_id=need_model(rn, line, r["model"]), source_id=need_source(rn, line, r["source"]))
            outcome = ch.upsert("arena_ratings", row)
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
                  if (folder / f"{t}.csv").exists()]
        if not tables:
            raise ImportFailed(str(folder), None, "no project CSV files in this folder")
        label = str(folder)
    else:
        table = read_table(source, name=name)
        kind = detect_table(table.header)
        if kind is None:
            raise ImportFailed(table.name, None, "wrong header: this is not one of the project's CSV tables "
                                                 f"({', '.join(COLUMNS)})")
        tables = [(kind, table)]
        label = table.name
    report = ImportReport("project", label)
    with import_transaction(store, actor, f"import project {label}", audit, dry_run) as ch:
        for kind, table in tables:
            apply_table(ch, kind, table, report, progress)
    return report
