"""Importers for the public formats, as they really are.

* Epoch AI notable models CSV (``import_epoch_notable``)
* Epoch AI Benchmarking Hub: runs + model versions + organisations (``import_epoch_hub``)
* Chatbot Arena (LMArena) leaderboard snapshots, all three header variants (``import_arena``)
* AI Index 2025 headline figures (``import_figures``)
* the project's own CSVs, the seed's format, which moderators export (``bot.store.seed``)

Every import parses and validates the whole file first, then applies it in
one transaction: a bad row rejects the whole file with its row number and
the reason, and the database stays exactly as it was. Re-importing the same
file changes nothing.
"""
from __future__ import annotations

import csv
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from bot.store.db import Change, Store
from bot.store.linking import Linker
from bot.store.normalize import (
    access_level, compact, fold, licence_name, parse_number, split_countries, split_list,
)

csv.field_size_limit(10_000_000)

Progress = Callable[[int, int], None]

SOURCE_EPOCH_NOTABLE = "epoch-notable"
SOURCE_EPOCH_HUB = "epoch-hub"
SOURCE_ARENA = "arena-csv"          # the CSV snapshots of the leaderboard
SOURCE_ARENA_HISTORY = "arena-history"
SOURCE_ARENA_CATALOG = "arena-catalog"
SOURCE_ARENA_PRICES = "arena-prices"
SOURCE_CURATION = "curation"
SOURCE_AI_INDEX = "ai-index-2025"
SOURCE_MODERATOR = "moderators"

SOURCES = {
    SOURCE_EPOCH_NOTABLE: dict(
        title='Epoch AI, "Data on Notable AI Models"', url="https://epoch.ai/data/notable-ai-models",
        licence="CC BY 4.0 (credit: Epoch AI)"),
    SOURCE_EPOCH_HUB: dict(
        title="Epoch AI Benchmarking Hub", url="https://epoch.ai/data/ai-benchmarking-dashboard",
        licence="CC BY 4.0 (credit: Epoch AI)"),
    SOURCE_ARENA: dict(
        title="LMArena (Chatbot Arena) text leaderboard, CSV snapshots (fboulnois/llm-leaderboard-csv)",
        url="https://lmarena.ai/leaderboard", licence="leaderboard data published by LMArena"),
    SOURCE_ARENA_HISTORY: dict(
        title="LMArena (Chatbot Arena) published Elo ratings by date (nakasyou/lmarena-history)",
        url="https://github.com/nakasyou/lmarena-history",
        licence="ratings published by LMArena; converter MIT"),
    SOURCE_ARENA_CATALOG: dict(
        title="LMArena text leaderboard releases (lmarena/arena-catalog)",
        url="https://github.com/lmarena/arena-catalog", licence="leaderboard data published by LMArena"),
    SOURCE_ARENA_PRICES: dict(
        title="LMArena model prices and licences (lmarena/arena-catalog scatterplot-data)",
        url="https://github.com/lmarena/arena-catalog", licence="data published by LMArena"),
    SOURCE_CURATION: dict(
        title="The project's reviewed curation (data/curation: names, organisations, sizes)",
        url=None, licence="project data; each size row names its model card or paper"),
    SOURCE_AI_INDEX: dict(
        title="AI Index Report 2025 (Stanford HAI)", url="https://hai.stanford.edu/ai-index/2025-ai-index-report",
        licence="facts as reported"),
    SOURCE_MODERATOR: dict(
        title="Edits by the bot's moderators", url=None, licence="project data"),
}


class ImportFailed(Exception):
    """A file was rejected; nothing was written."""

    def __init__(self, file: str, row: int | None, reason: str, line: int | None = None):
        self.file, self.row, self.reason, self.line = file, row, reason, line
        where = f"{file}"
        if row is not None:
            where += f", row {row}"
            if line is not None and line != row + 1:
                where += f" (line {line})"
        super().__init__(f"{where}: {reason}. Nothing was imported.")


@dataclass
class ImportReport:
    kind: str
    file: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # human lines for a dry run

    def count(self, outcome: str, what: str | None = None) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        if what and outcome in ("added", "updated") and len(self.changes) < 200:
            self.changes.append(f"{outcome}: {what}")

    def summary(self) -> str:
        return (f"{self.kind} {self.file}: {self.added} added, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.skipped} skipped")

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "file": self.file, "added": self.added, "updated": self.updated,
                "unchanged": self.unchanged, "skipped": self.skipped, "notes": self.notes}


# ---------------------------------------------------------------------------
# reading CSV text safely
# ---------------------------------------------------------------------------
@dataclass
class Table:
    name: str
    header: list[str]
    rows: list[tuple[int, int, dict[str, str]]]  # (row number, line number, cells)

    def fail(self, row: int, reason: str, line: int | None = None) -> ImportFailed:
        return ImportFailed(self.name, row, reason, line)

    def once(self, seen: dict, key: Any, what: str, row: int, line: int) -> None:
        """Reject the file when `key` is empty or was seen on an earlier row."""
        if not key:
            raise self.fail(row, f"the {what} cell is empty", line)
        if key in seen:
            raise self.fail(row, f"{what} {key!r} repeats row {seen[key]}", line)
        seen[key] = row


def read_table(source: str | Path | bytes, *, name: str | None = None,
               required: Iterable[str] = (), one_of: Iterable[Iterable[str]] = ()) -> Table:
    """Read a CSV file (path or bytes) and check it is text with the columns we need."""
    if isinstance(source, (str, Path)):
        name = name or Path(source).name
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise ImportFailed(name, None, f"cannot read the file ({exc.strerror})") from None
    else:
        raw = source
        name = name or "upload.csv"
    if not raw.strip():
        raise ImportFailed(name, None, "the file is empty")
    if b"\x00" in raw[:65536]:
        raise ImportFailed(name, None, "this is not a CSV text file (it holds binary data)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(name, None, f"this is not UTF-8 text (bad byte at offset {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ImportFailed(name, None, f"cannot read the header ({exc})") from None
    missing = [c for c in required if c not in header]
    for group in one_of:
        group = list(group)
        if not any(c in header for c in group):
            missing.append(" or ".join(group))
    if missing:
        raise ImportFailed(name, None, f"wrong header: missing column(s) {', '.join(missing)} "
                                       f"(found: {', '.join(header[:12])})")
    rows = []
    n = 0
    try:
        for cells in reader:
            if not cells or all(not c.strip() for c in cells):
                continue
            n += 1
            if len(cells) != len(header):
                raise ImportFailed(name, n, f"has {len(cells)} cells but the header has {len(header)} "
                                            "(a truncated or malformed line)", reader.line_num)
            rows.append((n, reader.line_num, dict(zip(header, cells))))
    except csv.Error as exc:
        raise ImportFailed(name, n + 1, f"malformed CSV ({exc}); is the file truncated?", reader.line_num) from None
    if not rows:
        raise ImportFailed(name, None, "the file has a header but no rows")
    return Table(name, header, rows)


def _num(table: Table, rn: int, line: int, col: str, raw: str | None, *, units: bool = False,
         positive: bool = True) -> float | None:
    try:
        v = parse_number(raw, units=units)
    except ValueError:
        raise table.fail(rn, f"column {col!r}: {raw.strip()[:40]!r} is not a number", line) from None
    if v is not None and positive and v < 0:
        raise table.fail(rn, f"column {col!r}: {v} is negative", line)
    return v


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(table: Table, rn: int, line: int, col: str, raw: str | None) -> str | None:
    s = (raw or "").strip()
    if not s:
        return None
    if not _ISO.match(s):
        raise table.fail(rn, f"column {col!r}: {s[:40]!r} is not a date (YYYY-MM-DD)", line)
    return s


# ---------------------------------------------------------------------------
# shared writers
# ---------------------------------------------------------------------------
def ensure_sources(ch: Change, *ids: str, as_of: dict[str, str] | None = None) -> None:
    for sid in ids:
        row = {"id": sid, **SOURCES[sid]}
        if as_of and sid in as_of:
            row["as_of"] = as_of[sid]
        if ch.get("sources", {"id": sid}) is None or (as_of and sid in as_of):
            ch.upsert("sources", row)


class OrgIndex:
    """Organisation spellings -> organisation rows, inside one change."""

    def __init__(self, ch: Change):
        self.ch = ch
        self.by_alias = {r[0]: r[1] for r in ch.db.execute("SELECT alias, org_id FROM org_aliases")}
        self.rows = {r[0]: {"id": r[0], "name": r[1], "country": r[2], "sector": r[3]}
                     for r in ch.db.execute("SELECT id, name, country, sector FROM organizations")}
        self.by_name = {fold(r["name"]): oid for oid, r in self.rows.items()}

    def find(self, spelling: str | None) -> dict | None:
        if not spelling or not spelling.strip():
            return None
        f = fold(spelling)
        oid = self.by_alias.get(f)
        if oid is None:
            oid = self.by_name.get(f)
        return self.rows.get(oid) if oid is not None else None

    def ensure(self, spelling: str, *, canonical: str | None = None, country: str | None = None,
               sector: str | None = None, source_id: str | None = None, fill: bool = True) -> dict:
        """The organisation for `spelling`, created if new; missing country or
        sector filled in when `fill`."""
        spelling = spelling.strip()
        org = self.find(spelling) or (self.find(canonical) if canonical else None)
        if org is None:
            row = {"name": canonical or spelling, "country": country, "sector": sector, "source_id": source_id}
            oid = self.ch.insert("organizations", row)
            org = {"id": oid, "name": row["name"], "country": country, "sector": sector}
            self.rows[oid] = org
            self.by_name.setdefault(fold(row["name"]), oid)
        elif fill and ((country and not org["country"]) or (sector and not org["sector"])):
            upd = {"id": org["id"]}
            if country and not org["country"]:
                upd["country"] = org["country"] = country
            if sector and not org["sector"]:
                upd["sector"] = org["sector"] = sector
            self.ch.upsert("organizations", upd)
        for s in {spelling, org["name"]}:
            a = fold(s)
            if a and a not in self.by_alias:
                self.ch.upsert("org_aliases", {"alias": a, "org_id": org["id"], "spelling": s})
                self.by_alias[a] = org["id"]
        return org


def _model_ids(ch: Change) -> dict[str, int]:
    return {r[0]: r[1] for r in ch.db.execute("SELECT name, id FROM models")}


def upsert_model(ch: Change, ids: dict[str, int], row: dict[str, Any], report: ImportReport) -> int:
    """Insert or update a model by name; counts the outcome."""
    mid = ids.get(row["name"])
    if mid is None:
        mid = ch.insert("models", row)
        ids[row["name"]] = mid
        report.count("added", f"model {row['name']}")
    else:
        outcome = ch.upsert("models", {"id": mid, **{k: v for k, v in row.items() if k != "name"}})
        report.count(outcome, f"model {row['name']}")
    return mid


# ---------------------------------------------------------------------------
# Epoch AI notable models
# ---------------------------------------------------------------------------
EPOCH_REQUIRED = ["Model", "Organization", "Publication date", "Domain", "Parameters",
                  "Training compute (FLOP)", "Country (of organization)", "Model accessibility"]


def parse_epoch_notable(table: Table) -> list[dict[str, Any]]:
    out = []
    seen: dict[str, int] = {}
    for rn, line, r in table.rows:
        name = " ".join(r["Model"].split())
        table.once(seen, name, "model", rn, line)
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
            "release_date": _date(table, rn, line, "Publication date", r.get("Publication date")),
            "domain": ", ".join(split_list(r.get("Domain"))) or None,
            "parameters": _num(table, rn, line, "Parameters", r.get("Parameters")),
            "training_compute": _num(table, rn, line, "Training compute (FLOP)", r.get("Training compute (FLOP)")),
            "training_cost": _num(table, rn, line, cost_col, r.get(cost_col)) if cost_col in r else None,
            "access": access_level(r.get("Model accessibility")),
            "frontier": 1 if (r.get("Frontier model") or "").strip().lower() == "true" else 0,
        })
    return out


def import_epoch_notable(store: Store, source: str | Path | bytes, *, name: str | None = None,
                         actor: str = "system", audit: bool = True, dry_run: bool = False,
                         progress: Progress | None = None) -> ImportReport:
    table = read_table(source, name=name, required=EPOCH_REQUIRED)
    records = parse_epoch_notable(table)
    report = ImportReport("epoch", table.name)
    as_of = max((m["release_date"] for m in records if m["release_date"]), default=None)
    with _transaction(store, actor, f"import epoch {table.name}", audit, dry_run) as ch:
        ensure_sources(ch, SOURCE_EPOCH_NOTABLE, as_of={SOURCE_EPOCH_NOTABLE: as_of} if as_of else None)
        orgs = OrgIndex(ch)
        ids = _model_ids(ch)
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
            "model": " ".join((r["Model"] or r.get("Display name") or vid).split()),
            "date": _date(vers_t, rn, line, "Version release date", r["Version release date"]),
            "developer": (r.get("Hugging Face developer id") or "").strip() or None,
            "display": " ".join((r.get("Display name") or "").split()) or None,
        }
    scores = []
    seen_runs: dict[tuple, int] = {}
    for rn, line, r in runs_t.rows:
        vid = r["model"].strip()
        if vid not in versions_by_id:
            raise runs_t.fail(rn, f"model version {vid!r} is not in model_versions.csv", line)
        value = _num(runs_t, rn, line, "Best score (across scorers)", r["Best score (across scorers)"])
        if value is None:
            continue
        if value > 1.0:
            raise runs_t.fail(rn, f"score {value} is above 1 (scores are fractions 0-1)", line)
        task = " ".join(r["task"].split())
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
    with _transaction(store, actor, "import epoch-hub", audit, dry_run) as ch:
        ensure_sources(ch, SOURCE_EPOCH_HUB, as_of={SOURCE_EPOCH_HUB: hub_as_of} if hub_as_of else None)
        orgs = OrgIndex(ch)
        if orgs_t is not None:
            for rn, line, r in orgs_t.rows:
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
        ids = _model_ids(ch)
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


def later_version(ch: Change, model_id: int, version_date: str | None) -> bool:
    """True when a version dated `version_date` came out more than a month
    after the model's release: it is a later version, not that model."""
    from bot.store.linking import WINDOW_MONTHS, _months

    rel = ch.db.execute("SELECT release_date FROM models WHERE id = ?", [model_id]).fetchone()
    if not rel or not rel[0] or not version_date:
        return False
    return _months(version_date[:7]) - _months(rel[0][:7]) > WINDOW_MONTHS


def infer_org(ch: Change, orgs: "OrgIndex", name: str) -> dict | None:
    """The organisation of a new model from its name's first word, when every
    notable model whose name starts with that word has the same one
    ("Gemini 2.0 Flash" -> Google DeepMind). None when in doubt."""
    words = fold(name).split()
    if not words or len(words[0]) < 4 or not words[0].isalpha():
        return None
    found = {r[0] for r in ch.db.execute(
        "SELECT DISTINCT org_id FROM models WHERE origin = 'epoch' AND org_id IS NOT NULL AND "
        "(lower(name) LIKE ? OR lower(name) LIKE ?)", [words[0] + " %", words[0] + "-%"])}
    if len(found) == 1:
        return orgs.rows.get(found.pop())
    return None


def store_models(ch: Change) -> list[dict]:
    cur = ch.db.execute("SELECT id, name, org_id, release_date FROM models WHERE origin IN ('epoch', 'hub')")
    return [dict(zip(("id", "name", "org_id", "release_date"), r)) for r in cur]


def org_words(ch: Change) -> frozenset[str]:
    words = set()
    for (alias,) in ch.db.execute("SELECT alias FROM org_aliases"):
        if " " not in alias:
            words.add(alias)
    words.update({"meta", "google", "mistralai", "microsoft", "nvidia"})
    return frozenset(words)


# ---------------------------------------------------------------------------
# Chatbot Arena leaderboard snapshots
# ---------------------------------------------------------------------------
ARENA_SCORE_COLUMNS = ("arena_score", "arena_elo")
_SNAPSHOT_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_CI = re.compile(r"^\s*\+?\s*(\d+(?:\.\d+)?)\s*/\s*-\s*(\d+(?:\.\d+)?)\s*$")


def snapshot_date_from_name(name: str) -> str | None:
    m = _SNAPSHOT_DATE.search(name)
    return m.group(1) if m else None


def parse_arena(table: Table, skipped: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows of a snapshot. A row repeated with the same figures (it happens in
    the published files) is skipped and noted; a model listed twice with
    different figures rejects the file."""
    score_col = next(c for c in ARENA_SCORE_COLUMNS if c in table.header)
    out = []
    seen: dict[str, tuple[int, tuple]] = {}
    for rn, line, r in table.rows:
        name = " ".join(r["model"].split())
        if not name:
            raise table.fail(rn, "the model cell is empty", line)
        figures = (r[score_col].strip(), (r.get("95_pct_ci") or "").strip(), (r.get("votes") or "").strip())
        if name in seen:
            first, first_figures = seen[name]
            if first_figures == figures and skipped is not None:
                skipped.append(f"row {rn} repeats row {first} ({name}) with the same figures: skipped")
                continue
            raise table.fail(rn, f"model {name!r} repeats row {first} with different figures", line)
        seen[name] = (rn, figures)
        try:
            rank = int(r["rank"].strip())
        except ValueError:
            raise table.fail(rn, f"column 'rank': {r['rank'].strip()[:20]!r} is not a whole number", line) from None
        rsc = None
        if "rank_stylectrl" in r and r["rank_stylectrl"].strip():
            try:
                rsc = int(r["rank_stylectrl"].strip())
            except ValueError:
                raise table.fail(rn, f"column 'rank_stylectrl': {r['rank_stylectrl'][:20]!r} is not a whole number",
                                 line) from None
        score = _num(table, rn, line, score_col, r[score_col])
        if score is None:
            raise table.fail(rn, f"column {score_col!r} is empty", line)
        ci_plus = ci_minus = None
        ci = (r.get("95_pct_ci") or "").strip()
        if ci:
            m = _CI.match(ci)
            if not m:
                raise table.fail(rn, f"column '95_pct_ci': {ci[:20]!r} is not like +3/-4", line)
            ci_plus, ci_minus = float(m.group(1)), float(m.group(2))
        votes = _num(table, rn, line, "votes", (r.get("votes") or "").replace(",", ""))
        kc = (r.get("knowledge_cutoff") or "").strip()
        out.append({
            "arena_name": name, "rank": rank, "rank_stylectrl": rsc, "score": score,
            "ci_lower": None if ci_minus is None else score - ci_minus,
            "ci_upper": None if ci_plus is None else score + ci_plus,
            "votes": int(votes) if votes is not None else None,
            "organization": (r.get("organization") or "").strip() or None,
            "licence": licence_name(r.get("license")),
            "knowledge_cutoff": None if kc.lower() in ("", "unknown", "n/a") else kc,
        })
    return out


def import_arena(store: Store, source: str | Path | bytes, *, name: str | None = None,
                 snapshot_date: str | None = None, actor: str = "system", audit: bool = True,
                 dry_run: bool = False, progress: Progress | None = None,
                 links: dict[str, str | None] | None = None) -> ImportReport:
    """Import one leaderboard snapshot. Its date comes from `snapshot_date` or
    the file name (``arena-text-2025-08-06.csv``). `links` maps Arena names to
    Epoch model names (None: not in Epoch) and wins over automatic linking."""
    table = read_table(source, name=name, required=["rank", "model", "organization", "license"],
                       one_of=[ARENA_SCORE_COLUMNS])
    date = snapshot_date or snapshot_date_from_name(table.name)
    if not date:
        raise ImportFailed(table.name, None, "no snapshot date: name the file arena-text-YYYY-MM-DD.csv "
                                             "or give the date")
    skipped: list[str] = []
    rows = parse_arena(table, skipped)
    report = ImportReport("arena", table.name, skipped=len(skipped), notes=skipped)
    with _transaction(store, actor, f"import arena {date}", audit, dry_run) as ch:
        as_of = ch.db.execute("SELECT MAX(snapshot_date) FROM arena_ratings WHERE source_id = ?",
                              [SOURCE_ARENA]).fetchone()[0]
        ensure_sources(ch, SOURCE_ARENA, as_of={SOURCE_ARENA: max(filter(None, [as_of, date]))})
        orgs = OrgIndex(ch)
        ids = _model_ids(ch)
        aliases = {r[0]: r[1] for r in ch.db.execute("SELECT alias, model_id FROM aliases")}
        linker = Linker(store_models(ch), org_words(ch))
        same_name = {compact(n): mid for n, mid in ids.items()}
        for a, mid in aliases.items():
            same_name.setdefault(compact(a), mid)
        for i, r in enumerate(rows):
            arena_name = r["arena_name"]
            org = orgs.ensure(r["organization"], source_id=SOURCE_ARENA) if r["organization"] else None
            note = f"organisation {org['name']!r} has no country yet: a moderator can set it" if org else ""
            if org and not org["country"] and note not in report.notes:
                report.notes.append(note)
            mid = aliases.get(arena_name)
            if mid is None:
                target = None
                if links is not None and arena_name in links:
                    tname = links[arena_name]
                    target = ids.get(tname) if tname else None
                else:
                    m = linker.link(arena_name, seen_on=date)
                    target = m["id"] if m else None
                if target is None and arena_name in ids:
                    target = ids[arena_name]
                if target is None:
                    # the same name in another case or punctuation ("Gemma-2-9b-it" / "Gemma-2-9B-it")
                    target = same_name.get(compact(arena_name))
                if target is None:
                    open_ = (r["licence"] or "").lower() != "proprietary" if r["licence"] else None
                    target = upsert_model(ch, ids, {
                        "name": arena_name, "organization": org["name"] if org else None,
                        "org_id": org["id"] if org else None, "country": org["country"] if org else None,
                        "countries": org["country"] if org else None, "sector": org["sector"] if org else None,
                        "release_date": date, "domain": "Language",
                        "access": None if open_ is None else ("open weights" if open_ else "API"),
                        "licence": r["licence"], "origin": "arena", "source_id": SOURCE_ARENA,
                    }, report)
                    same_name[compact(arena_name)] = target
                elif org:
                    # a model we knew without its maker learns it from Arena's organisation
                    known = ch.get("models", {"id": target})
                    if known and known["org_id"] is None and known["origin"] != "epoch":
                        ch.upsert("models", {"id": target, "org_id": org["id"], "organization": org["name"],
                                             "country": known["country"] or org["country"],
                                             "sector": known["sector"] or org["sector"]})
                ch.upsert("aliases", {"alias": arena_name, "model_id": target, "kind": "arena",
                                      "reviewed": 1 if links and arena_name in links else 0,
                                      "source_id": SOURCE_ARENA})
                aliases[arena_name] = target
                mid = target
            outcome = ch.upsert("arena_ratings", {"source_id": SOURCE_ARENA, "snapshot_date": date,
                                                  "category": "full", "model_id": mid, **r})
            report.count(outcome, f"{arena_name} #{r['rank']} {r['score']:.0f}")
            if progress:
                progress(i + 1, len(rows))
    return report


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
        value = _num(table, rn, line, "value", r["value"], positive=False)
        if value is None:
            raise table.fail(rn, "column 'value' is empty", line)
        recs.append({"id": fid, "topic": r["topic"].strip(), "metric": r["metric"].strip(),
                     "subject": r["subject"].strip() or None, "period": r["period"].strip() or None,
                     "value": value, "unit": r["unit"].strip() or None,
                     "citation": (r.get("source") or "").strip() or None,
                     "source_id": (r.get("source_id") or "").strip() or SOURCE_AI_INDEX})
    report = ImportReport("figures", table.name)
    with _transaction(store, actor, f"import figures {table.name}", audit, dry_run) as ch:
        ensure_sources(ch, SOURCE_AI_INDEX, as_of={SOURCE_AI_INDEX: "2025-04-07"})
        for i, rec in enumerate(recs):
            if ch.get("sources", {"id": rec["source_id"]}) is None:
                raise table.fail(i + 1, f"unknown source {rec['source_id']!r}")
            report.count(ch.upsert("figures", rec), f"figure {rec['id']}")
            if progress:
                progress(i + 1, len(recs))
    return report


# ---------------------------------------------------------------------------
# transactions and dry runs
# ---------------------------------------------------------------------------
class DryRun(Exception):
    """Raised inside a dry-run transaction to roll it back on purpose."""


class _transaction:
    """``store.change(...)``; with ``dry_run`` everything is rolled back at the end."""

    def __init__(self, store: Store, actor: str, action: str, audit: bool, dry_run: bool):
        self.cm = store.change(actor, action, audit=audit)
        self.dry_run = dry_run

    def __enter__(self) -> Change:
        return self.cm.__enter__()

    def __exit__(self, et, ev, tb):
        if et is None and self.dry_run:
            try:
                self.cm.__exit__(DryRun, DryRun(), None)
            except DryRun:
                pass
            return False
        return self.cm.__exit__(et, ev, tb)


def terminal_progress(label: str) -> Progress | None:
    """A progress callback that draws on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        if done == total or done % 200 == 0:
            sys.stderr.write(f"\r{label}: {done}/{total}")
            if done == total:
                sys.stderr.write("\n")
            sys.stderr.flush()

    return show


IMPORTERS = {
    "epoch": import_epoch_notable,
    "epoch-hub": import_epoch_hub,
    "arena": import_arena,
    "figures": import_figures,
}

# the Arena formats keyed by model key (history, catalog releases, prices) live in their own
# module, which imports this one: registered here through a late import, in the one list
def _arena_source(name: str):
    def run(*args, **kwargs):
        from bot.store import arena_sources

        return getattr(arena_sources, name)(*args, **kwargs)

    run.__name__ = name
    return run


IMPORTERS.update({
    "arena-history": _arena_source("import_arena_history"),
    "arena-catalog": _arena_source("import_arena_catalog"),
    "arena-prices": _arena_source("import_arena_prices"),
})
