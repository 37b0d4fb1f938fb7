"""The project's own CSV format (the seed in ``data/seed/`` and what
moderators export): its columns, cell escaping, and ``import_project``,
which imports one table (found by its header) or a folder of them as one
audited change. Writing the tables lives in :mod:`bot.store.seed`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.store.change import Change
from bot.store.db import Store
from bot.store.importers.common import (
    NAME_LIMIT, TEXT_LIMIT, ImportFailed, ImportReport, OrgIndex, Table, import_transaction, read_table,
)
from bot.domain.normalize import fold
from bot.domain.validate import Invalid, bounded_text, parse_day, parse_int, parse_number, safe_name, safe_url

# table file -> its columns, in order
COLUMNS: dict[str, list[str]] = {
    "sources": ["id", "title", "url", "licence", "as_of", "note"],
    "organizations": ["name", "country", "sector", "spellings", "source"],
    "models": ["name", "organization", "country", "countries", "sector", "release_date", "domain",
               "parameters", "active_parameters", "parameters_url", "parameters_disclosed",
               "training_compute", "training_cost", "access", "licence", "frontier",
               "origin", "hidden", "source", "variant_of", "parameters_note"],
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
# columns an older export may lack (read as empty)
OPTIONAL = {"variant_of", "parameters_note"}
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



def detect_table(header: list[str]) -> str | None:
    for t, cols in COLUMNS.items():
        if header == cols:
            return t
    for t, cols in COLUMNS.items():
        if set(cols) - OPTIONAL <= set(header):
            return t
    return None


DATES = {"release_date", "date", "snapshot_date", "as_of"}
URLS = {"url", "parameters_url", "price_url"}
NAMES = {"name", "variant_of", "alias", "arena_name", "model", "organization", "id", "benchmark", "version"}


def _typed(table: Table, rn: int, line: int, col: str, raw: str) -> Any:
    """One cell, checked by bot.domain.validate: finite numbers, real dates,
    one-line names and bounded text; the refusal names the row and column."""
    s = unescape_cell(raw.strip())
    if s == "":
        return None
    try:
        if col in NUMERIC:
            v = parse_number(s, units=False)
            if v is not None and v < 0:  # sizes, compute, costs, scores and prices are never negative
                raise Invalid(f"{v:g} is negative")
            return v
        if col in INTEGER:
            return parse_int(s, minimum=0, maximum=10**12)
        if col in DATES:
            return parse_day(s)
        if col in URLS:
            return safe_url(s)
        if col in NAMES:
            return safe_name(s, limit=NAME_LIMIT, what="the text")
        return bounded_text(s, limit=TEXT_LIMIT, what="the text")
    except Invalid as exc:
        raise table.fail(rn, f"column {col!r}: {exc}", line) from None


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
    families: list[tuple[int, int, str, str | None]] = []  # (row, line, model, the family it is a variant of)
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
            row = {k: r[k] for k in COLUMNS["models"] if k not in ("source", "variant_of")}
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
            if "variant_of" in table.header:
                families.append((rn, line, r["name"], r["variant_of"]))
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
    for rn, line, name, family in families:  # (a family may be listed after its variant)
        fid = None if not family else model_ids.get(family)
        if family and fid is None:
            raise table.fail(rn, f"column 'variant_of': unknown model {family!r}", line)
        if fid == model_ids[name]:
            raise table.fail(rn, "column 'variant_of': a model is not a variant of itself", line)
        ch.upsert("models", {"id": model_ids[name], "variant_of": fid})


def import_project(store: Store, source: str | Path | bytes, *, name: str | None = None, actor: str = "system",
                   audit: bool = True, dry_run: bool = False, progress=None) -> ImportReport:
    """Import one of the project's CSVs (the table is found from its header),
    or a folder of them (all tables, in order, in one transaction)."""
    folder: Path | None = None  # a folder of tables (then also the compact Arena files, if any)
    if isinstance(source, (str, Path)) and Path(source).is_dir():
        folder = Path(source)
        tables = [(t, read_table(folder / f"{t}.csv", required=[c for c in COLUMNS[t] if c not in OPTIONAL]))
                  for t in LOAD_ORDER
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
    from bot.store.importers.seed_arena import has_compact, load_compact

    compact = folder if folder is not None and has_compact(folder) else None
    report = ImportReport("project", label)
    with import_transaction(store, actor, f"import project {label}", audit, dry_run) as ch:
        for kind, table in tables:
            apply_table(ch, kind, table, report, progress)
        if compact is not None:
            load_compact(ch, compact, report)
    return report


def _has_rows(path: Path) -> bool:
    """A project table with more than its header (an empty table is skipped)."""
    with path.open("rb") as fh:
        return len([ln for ln in fh.read(1 << 16).splitlines()[:2] if ln.strip()]) > 1
