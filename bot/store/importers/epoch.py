"""Epoch AI: the notable models CSV and the Benchmarking Hub (runs + model
versions + organisations)."""
from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any, Callable

from bot.store.db import Store
from bot.store.importers.common import (
    SOURCE_EPOCH_HUB,
    SOURCE_EPOCH_NOTABLE,
    ImportReport,
    OrgIndex,
    Table,
    cell_date,
    cell_name,
    cell_number,
    cell_text,
    ensure_sources,
    import_transaction,
    infer_org,
    model_ids_by_name,
    org_words,
    read_table,
    store_models,
    upsert_model,
)
from bot.store.linking import Linker
from bot.domain.normalize import (
    access_level,
    split_countries,
    split_list,
)

csv.field_size_limit(10_000_000)

Progress = Callable[[int, int], None]



# ---------------------------------------------------------------------------
# Epoch AI notable models
# ---------------------------------------------------------------------------
EPOCH_REQUIRED = ["Model", "Organization", "Publication date", "Domain", "Parameters",
                  "Training compute (FLOP)", "Country (of organization)", "Model accessibility"]


def parse_epoch_notable(table: Table) -> list[dict[str, Any]]:
    out = []
    seen: dict[str, int] = {}
    for rn, line, r in table.rows:
        name = cell_name(table, rn, line, "Model", r["Model"])
        table.once(seen, name, "model", rn, line)
        cell_text(table, rn, line, "Organization", r.get("Organization"))
        cell_text(table, rn, line, "Country (of organization)", r.get("Country (of organization)"))
        orgs = split_list(r.get("Organization"))
        countries = split_countries(r.get("Country (of organization)"))
        sectors = split_list(r.get("Organization categorization"))
        cost_col = "Training compute cost (2023 USD)"
        out.append({
            "name": name,
            "organization": orgs[0] if orgs else None,
            "organizations": orgs,
            "country": countries[0] if countries else None,
            "countries": ", ".join(countries) or None,
            "sector": sectors[0] if sectors else None,
            "release_date": cell_date(table, rn, line, "Publication date", r.get("Publication date")),
            "domain": ", ".join(split_list(r.get("Domain"))) or None,
            "parameters": cell_number(table, rn, line, "Parameters", r.get("Parameters")),
            "parameters_note": parameters_note(r.get("Parameters notes")) if r.get("Parameters") else None,
            "training_compute": cell_number(table, rn, line, "Training compute (FLOP)", r.get("Training compute (FLOP)")),
            "training_cost": cell_number(table, rn, line, cost_col, r.get(cost_col)) if cost_col in r else None,
            "access": access_level(r.get("Model accessibility")),
            "frontier": 1 if (r.get("Frontier model") or "").strip().lower() == "true" else 0,
        })
    return out


_SPECULATIVE = re.compile(r"rumou?r|speculat|leak|unconfirmed|reportedly|unofficial")
_ESTIMATE = re.compile(r"estimat|approx|assum|guess|extrapolat")


def parameters_note(notes: str | None) -> str | None:
    """How sure Epoch AI's parameter count is, from its own notes: 'speculative' (a rumour,
    a leak), 'estimate' (Epoch estimated it), else None (as published)."""
    low = (notes or "").lower()
    if _SPECULATIVE.search(low):
        return "speculative"
    if _ESTIMATE.search(low):
        return "estimate"
    return None


def import_epoch_notable(store: Store, source: str | Path | bytes, *, name: str | None = None,
                         actor: str = "system", audit: bool = True, dry_run: bool = False,
                         progress: Progress | None = None) -> ImportReport:
    table = read_table(source, name=name, required=EPOCH_REQUIRED)
    records = parse_epoch_notable(table)
    report = ImportReport("epoch", table.name)
    as_of = max((m["release_date"] for m in records if m["release_date"]), default=None)
    with import_transaction(store, actor, f"import epoch {table.name}", audit, dry_run) as ch:
        ensure_sources(ch, SOURCE_EPOCH_NOTABLE, as_of={SOURCE_EPOCH_NOTABLE: as_of} if as_of else None)
        orgs = OrgIndex(ch)
        ids = model_ids_by_name(ch)
        for i, m in enumerate(records):
            org = None
            if m["organization"]:
                org = orgs.ensure(m["organization"], country=m["country"], sector=m["sector"],
                                  source_id=SOURCE_EPOCH_NOTABLE)
            row = {k: v for k, v in m.items() if k != "organizations"}  # the organisation as Epoch wrote it
            row.update(org_id=org["id"] if org else None, origin="epoch", source_id=SOURCE_EPOCH_NOTABLE)
            upsert_model(ch, ids, row, report)
            if progress:
                progress(i + 1, len(records))
    return report


# ---------------------------------------------------------------------------
# Epoch AI Benchmarking Hub
# ---------------------------------------------------------------------------
def later_version(ch, model_id: int, version_date: str | None) -> bool:
    """True when a version dated `version_date` came out more than a month
    after the model's release: it is a later version, not that model."""
    from bot.store.linking import WINDOW_MONTHS, _months

    rel = ch.db.execute("SELECT release_date FROM models WHERE id = ?", [model_id]).fetchone()
    if not rel or not rel[0] or not version_date:
        return False
    return _months(version_date[:7]) - _months(rel[0][:7]) > WINDOW_MONTHS


def _hub_paths(source: str | Path) -> tuple[Path, Path, Path]:
    p = Path(source)
    d = p if p.is_dir() else p.parent
    return d / "benchmarks_runs.csv", d / "model_versions.csv", d / "organizations.csv"


def import_epoch_hub(store: Store, source: str | Path, *, actor: str = "system", audit: bool = True,
                     dry_run: bool = False, progress: Progress | None = None,
                     versions: bytes | None = None, organizations: bytes | None = None,
                     runs: bytes | None = None) -> ImportReport:
    """Import the Benchmarking Hub. `source` is its folder or its runs file;
    ``model_versions.csv`` and ``organizations.csv`` are read from beside it
    (or given as bytes)."""
    runs_p, versions_p, orgs_p = _hub_paths(source) if source else (None, None, None)
    runs_t = read_table(runs if runs is not None else runs_p, name="benchmarks_runs.csv",
                        required=["id", "task", "model", "Best score (across scorers)"])
    vers_t = read_table(versions if versions is not None else versions_p, name="model_versions.csv",
                        required=["id", "Model", "Version release date"])
    orgs_t = None
    if organizations is not None or (orgs_p and orgs_p.exists()):
        orgs_t = read_table(organizations if organizations is not None else orgs_p, name="organizations.csv",
                            required=["Organization", "Country", "Organization categorization"])
    versions_by_id: dict[str, dict] = {}
    seen_versions: dict[str, int] = {}
    for rn, line, r in vers_t.rows:
        vid = r["id"].strip()
        vers_t.once(seen_versions, vid, "version id", rn, line)
        # a version with no Model cell is a model of its own, named by its display name or id
        versions_by_id[vid] = {
            "model": cell_name(vers_t, rn, line, "Model", r["Model"] or r.get("Display name") or vid),
            "date": cell_date(vers_t, rn, line, "Version release date", r["Version release date"]),
            "developer": (r.get("Hugging Face developer id") or "").strip() or None,
            "display": " ".join((r.get("Display name") or "").split()) or None,
        }
    scores: list[dict[str, Any]] = []
    seen_runs: dict[tuple, int] = {}
    for rn, line, r in runs_t.rows:
        vid = r["model"].strip()
        if vid not in versions_by_id:
            raise runs_t.fail(rn, f"model version {vid!r} is not in model_versions.csv", line)
        value = cell_number(runs_t, rn, line, "Best score (across scorers)", r["Best score (across scorers)"])
        if value is None:
            continue
        if value > 1.0:
            raise runs_t.fail(rn, f"score {value} is above 1 (scores are fractions 0-1)", line)
        task = cell_name(runs_t, rn, line, "task", r["task"])
        key = (vid, task)
        if key in seen_runs:
            # two runs of one task on one version: keep the best, as the hub does
            prev = scores[seen_runs[key]]
            prev["value"] = max(prev["value"], value)
            continue
        seen_runs[key] = len(scores)
        scores.append({"version": vid, "benchmark": task, "value": value})
    report = ImportReport("epoch-hub", runs_t.name)
    hub_as_of = max((versions_by_id[x["version"]]["date"] for x in scores
                     if versions_by_id[x["version"]]["date"]), default=None)
    with import_transaction(store, actor, "import epoch-hub", audit, dry_run) as ch:
        ensure_sources(ch, SOURCE_EPOCH_HUB, as_of={SOURCE_EPOCH_HUB: hub_as_of} if hub_as_of else None)
        orgs = OrgIndex(ch)
        if orgs_t is not None:
            for _rn, _line, r in orgs_t.rows:
                oname = " ".join(r["Organization"].split())
                if not oname:
                    continue
                cs = split_countries(r["Country"])
                cs = [c for c in cs if c != "Multinational"] or cs
                secs = split_list(r["Organization categorization"])
                if orgs.find(oname) is None:
                    orgs.ensure(oname, country=cs[0] if cs else None, sector=secs[0] if secs else None,
                                source_id=SOURCE_EPOCH_HUB)
                    report.count("added")
                else:
                    report.count("unchanged")
        ids = model_ids_by_name(ch)
        aliases = {r[0]: r[1] for r in ch.db.execute("SELECT alias, model_id FROM aliases")}
        linker = Linker(store_models(ch), org_words(ch))
        for i, s in enumerate(scores):
            v = versions_by_id[s["version"]]
            mid = aliases.get(s["version"])
            family = ids.get(v["model"])
            if mid is None and family is not None and not later_version(ch, family, v["date"]):
                mid = family
            if mid is None:
                # the version id carries the date ("gpt-4o-2024-11-20"): it picks the right dated model
                linked = linker.link(s["version"], seen_on=v["date"]) or (
                    # the family name with the version's date, so only that version links
                    linker.link(f"{v['model']} {v['date'] or ''}", seen_on=v["date"]) if family is None else None)
                mid = linked["id"] if linked else aliases.get(v["model"])
            if mid is None:
                org = (orgs.find(v["developer"]) if v["developer"] else None) or infer_org(ch, orgs, v["model"])
                # a later version of a model we have is a model of its own, by its display name
                own = v["model"] if family is None else (v["display"] or f"{v['model']} ({s['version']})")
                row = {"name": own, "organization": org["name"] if org else None,
                       "org_id": org["id"] if org else None, "country": org["country"] if org else None,
                       "sector": org["sector"] if org else None, "release_date": v["date"],
                       "origin": "hub", "source_id": SOURCE_EPOCH_HUB}
                mid = upsert_model(ch, ids, row, report)
            if s["version"] not in aliases and s["version"] != v["model"]:
                ch.upsert("aliases", {"alias": s["version"], "model_id": mid, "kind": "version",
                                      "source_id": SOURCE_EPOCH_HUB})
                aliases[s["version"]] = mid
            outcome = ch.upsert("benchmark_scores", {
                "model_id": mid, "benchmark": s["benchmark"], "version": s["version"],
                "value": s["value"], "date": v["date"], "source_id": SOURCE_EPOCH_HUB})
            report.count(outcome, f"{s['benchmark']} {s['version']} = {s['value']:.3f}")
            if progress:
                progress(i + 1, len(scores))
    return report
