"""What every importer shares: the source records, the report, the failure,
reading CSV text safely, the shared writers and the dry-run transaction.

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
from bot.store.normalize import (
    fold,
    parse_number,
)

csv.field_size_limit(10_000_000)

Progress = Callable[[int, int], None]



SOURCE_EPOCH_NOTABLE = "epoch-notable"
SOURCE_EPOCH_HUB = "epoch-hub"
SOURCE_ARENA = "lmarena"
SOURCE_AI_INDEX = "ai-index-2025"
SOURCE_MODERATOR = "moderators"

SOURCES: dict[str, dict[str, str | None]] = {
    SOURCE_EPOCH_NOTABLE: dict(
        title='Epoch AI, "Data on Notable AI Models"', url="https://epoch.ai/data/notable-ai-models",
        licence="CC BY 4.0 (credit: Epoch AI)"),
    SOURCE_EPOCH_HUB: dict(
        title="Epoch AI Benchmarking Hub", url="https://epoch.ai/data/ai-benchmarking-dashboard",
        licence="CC BY 4.0 (credit: Epoch AI)"),
    SOURCE_ARENA: dict(
        title="LMArena (Chatbot Arena) text leaderboard", url="https://lmarena.ai/leaderboard",
        licence="leaderboard data published by LMArena"),
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


def read_table(source: str | Path | bytes | None, *, name: str | None = None,
               required: Iterable[str] = (), one_of: Iterable[Iterable[str]] = ()) -> Table:
    """Read a CSV file (path or bytes) and check it is text with the columns we need."""
    if source is None:
        raise ImportFailed(name or "the file", None, "no file was given")
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


def cell_number(table: Table, rn: int, line: int, col: str, raw: str | None, *, units: bool = False,
         positive: bool = True) -> float | None:
    try:
        v = parse_number(raw, units=units)
    except ValueError:
        raise table.fail(rn, f"column {col!r}: {(raw or '').strip()[:40]!r} is not a number", line) from None
    if v is not None and positive and v < 0:
        raise table.fail(rn, f"column {col!r}: {v} is negative", line)
    return v


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def cell_date(table: Table, rn: int, line: int, col: str, raw: str | None) -> str | None:
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
            name = canonical or spelling
            row = {"name": name, "country": country, "sector": sector, "source_id": source_id}
            oid = self.ch.insert("organizations", row)
            org = {"id": oid, "name": name, "country": country, "sector": sector}
            self.rows[oid] = org
            self.by_name.setdefault(fold(name), oid)
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


def model_ids_by_name(ch: Change) -> dict[str, int]:
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
# transactions and dry runs
# ---------------------------------------------------------------------------
class DryRun(Exception):
    """Raised inside a dry-run transaction to roll it back on purpose."""


class import_transaction:
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
