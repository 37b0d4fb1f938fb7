"""What every importer shares: the source records, the report, the failure,
reading CSV text safely, the shared writers and the dry-run transaction.

Every import parses and validates the whole file first, then applies it in
one transaction: a bad row rejects the whole file with its row number and
the reason, and the database stays exactly as it was. Re-importing the same
file changes nothing.
"""
from __future__ import annotations

import bisect
import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from bot.reply import ReplyError
from bot.store.change import Change
from bot.store.db import Store
from bot.domain.board_chain import AMENDMENTS
from bot.domain.normalize import fold
from bot.domain.validate import Invalid, bounded_text, parse_day, parse_int, parse_number, safe_name

csv.field_size_limit(10_000_000)

Progress = Callable[[int, int], None]



SOURCE_EPOCH_NOTABLE = "epoch-notable"
SOURCE_EPOCH_HUB = "epoch-hub"
SOURCE_ARENA = "arena-csv"          # the CSV snapshots of the leaderboard
SOURCE_ARENA_HISTORY = "arena-history"
SOURCE_ARENA_CATALOG = "arena-catalog"
SOURCE_ARENA_PRICES = "arena-prices"
SOURCE_CURATION = "curation"
SOURCE_AI_INDEX = "ai-index-2025"  # the seed article's edition
SOURCE_AI_INDEX_2026 = "ai-index-2026"
# the AI Index editions the figures importer knows: source id -> the report's release day
AI_INDEX_EDITIONS: dict[str, str] = {SOURCE_AI_INDEX: "2025-04-07", SOURCE_AI_INDEX_2026: "2026-04-13"}
SOURCE_MODERATOR = AMENDMENTS  # moderators' own values and scores: one source id

SOURCES: dict[str, dict[str, str | None]] = {
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
    SOURCE_AI_INDEX_2026: dict(
        title="AI Index Report 2026 (Stanford HAI), as reported by news sources",
        url="https://hai.stanford.edu/ai-index/2026-ai-index-report",
        licence="facts as reported (only figures several independent reports agree on)"),
    "leaderboard": dict(
        title="An Arena leaderboard followed by the moderators (generic importer, declared column mapping)",
        url=None, licence="as published by the leaderboard's publisher"),
    SOURCE_MODERATOR: dict(
        title="Edits by the bot's moderators", url=None, licence="project data"),
}


class ImportFailed(ReplyError):
    """A file was rejected; nothing was written (answered with the message: which file, row and why)."""

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


def read_source(source: str | Path | bytes, name: str | None, default: str) -> tuple[str, bytes]:
    """The bytes of an import's file (a path, or bytes already read) and the
    name to show in messages; a file that cannot be read is an ImportFailed."""
    if isinstance(source, (str, Path)):
        name = name or Path(source).name
        try:
            return name, Path(source).read_bytes()
        except OSError as exc:
            raise ImportFailed(name, None, f"cannot read the file ({exc.strerror})") from None
    return name or default, source


def csv_rows(reader: Any, width: int, name: str) -> Iterator[tuple[int, int, list[str]]]:
    """(row number, line number, cells) of each non-blank row after the header,
    each checked to have the header's `width`; a malformed or short row fails
    the import naming its row and line."""
    n = 0
    try:
        for cells in reader:
            if not cells or all(not c.strip() for c in cells):
                continue
            n += 1
            if len(cells) != width:
                raise ImportFailed(name, n, f"has {len(cells)} cells but the header has {width} "
                                            "(a truncated or malformed line)", reader.line_num)
            yield n, reader.line_num, cells
    except csv.Error as exc:
        raise ImportFailed(name, n + 1, f"malformed CSV ({exc}); is the file truncated?", reader.line_num) from None


def read_table(source: str | Path | bytes | None, *, name: str | None = None,
               required: Iterable[str] = (), one_of: Iterable[Iterable[str]] = ()) -> Table:
    """Read a CSV file (path or bytes) and check it is text with the columns we need."""
    if source is None:
        raise ImportFailed(name or "the file", None, "no file was given")
    name, raw = read_source(source, name, "upload.csv")
    if not raw.strip():
        raise ImportFailed(name, None, "the file is empty")
    text = decode_text(raw, name)
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
    rows = [(n, line, dict(zip(header, cells))) for n, line, cells in csv_rows(reader, len(header), name)]
    if not rows:
        raise ImportFailed(name, None, "the file has a header but no rows")
    return Table(name, header, rows)


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode_text(raw: bytes, name: str) -> str:
    """CSV bytes as text: UTF-8 (with or without a BOM), or UTF-16/32 when a
    byte order mark says so (Excel's "Unicode text"). NUL characters after
    decoding mean a binary file posing as CSV."""
    encoding = next((enc for bom, enc in _BOMS if raw.startswith(bom)), "utf-8")
    if encoding.startswith("utf-8") and b"\x00" in raw[:65536]:
        raise ImportFailed(name, None, "this is not a CSV text file (it holds binary data)")
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        shown = "UTF-8" if encoding == "utf-8" else encoding.upper()
        raise ImportFailed(name, None, f"this is not {shown} text (bad byte at offset {exc.start})") from None
    if "\x00" in text[:65536]:
        raise ImportFailed(name, None, "this is not a CSV text file (it holds binary data)")
    return text


def cell_number(table: Table, rn: int, line: int, col: str, raw: str | None, *, units: bool = False,
                positive: bool = True) -> float | None:
    """A finite number (after any unit), or None for an empty cell; the
    refusal names the file, row and column."""
    try:
        v = parse_number(raw, units=units)
    except Invalid as exc:
        raise table.fail(rn, f"column {col!r}: {exc}", line) from None
    if v is not None and positive and v < 0:
        raise table.fail(rn, f"column {col!r}: {v} is negative", line)
    return v


def cell_date(table: Table, rn: int, line: int, col: str, raw: str | None) -> str | None:
    """A real calendar day (YYYY-MM-DD), or None for an empty cell."""
    try:
        return parse_day(raw)
    except Invalid as exc:
        raise table.fail(rn, f"column {col!r}: {exc}", line) from None


def cell_int(table: Table, rn: int, line: int, col: str, raw: str | None, *, required: bool = False) -> int | None:
    """A whole number in ASCII digits, or None for an empty cell unless `required`."""
    try:
        v = parse_int(raw, minimum=0, maximum=10**12)
    except Invalid as exc:
        raise table.fail(rn, f"column {col!r}: {exc}", line) from None
    if v is None and required:
        raise table.fail(rn, f"column {col!r} is empty", line)
    return v


def rerank_snapshot(ch: Change, day: str, source: str, *, category: str = "full",
                    overlay_day: str | None = None) -> int:
    """Recompute the ranks of one Arena board (one source, date and category)
    after a moderator's `elo` or a partial import changed it, the way LMArena
    ranks: 1 + the number of models whose whole 95% interval lies above this
    one's (a rating without an interval counts as the single point of its
    score). Moderators' corrections dated `overlay_day` replace the board's
    row of the same model and are ranked with it. Ranks are only ever compared
    within one board, never across sources. Each change is an audited upsert,
    so `undo` restores the published ranks. Returns how many ranks changed."""
    cols = "source_id, snapshot_date, category, arena_name, model_id, rank, score, ci_lower, ci_upper"
    rows = ch.db.execute(f"SELECT {cols} FROM arena_ratings WHERE source_id = ? AND snapshot_date = ? "
                         "AND category = ?", [source, day, category]).fetchall()
    if overlay_day is not None and source != SOURCE_MODERATOR:
        fixes = ch.db.execute(f"SELECT {cols} FROM arena_ratings WHERE source_id = ? AND snapshot_date = ? "
                              "AND category = ?", [SOURCE_MODERATOR, overlay_day, category]).fetchall()
        fixed = {r[4] for r in fixes}
        rows = [r for r in rows if r[4] not in fixed] + list(fixes)
    lows = sorted(score if lower is None else lower for *_k, _m, _r, score, lower, _u in rows)
    changed = 0
    for src, date, cat, name, _mid, rank, score, _lower, upper in rows:
        high = score if upper is None else upper
        better = len(lows) - bisect.bisect_right(lows, high)
        if better + 1 != rank:
            ch.upsert("arena_ratings", {"source_id": src, "snapshot_date": date, "category": cat,
                                        "arena_name": name, "rank": better + 1})
            changed += 1
    return changed


NAME_LIMIT = 200
TEXT_LIMIT = 2000


def cell_name(table: Table, rn: int, line: int, col: str, raw: str | None, *, required: bool = True) -> str | None:
    """A name (model, organisation, benchmark): one line, no control or
    invisible characters, at most NAME_LIMIT characters."""
    s = " ".join((raw or "").split())
    if not s and not required:
        return None
    try:
        return safe_name(s, limit=NAME_LIMIT, what=f"the {col} cell")
    except Invalid as exc:
        raise table.fail(rn, f"column {col!r}: {exc}", line) from None


def cell_text(table: Table, rn: int, line: int, col: str, raw: str | None, *, limit: int = TEXT_LIMIT) -> str | None:
    """Free text: bounded, no control or invisible characters; None when empty."""
    try:
        return bounded_text(raw, limit=limit, what=f"the {col} cell")
    except Invalid as exc:
        raise table.fail(rn, f"column {col!r}: {exc}", line) from None


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
    """``store.change(...)``; with ``dry_run`` everything is rolled back at the end.

    A dry run works on a snapshot of the database (:meth:`Store.snapshot`),
    so however long it takes it holds no lock of the real one: every other
    change (a server's settings, another moderator) goes on meanwhile."""

    def __init__(self, store: Store, actor: str, action: str, audit: bool, dry_run: bool):
        self.store, self.actor, self.action, self.audit = store, actor, action, audit
        self.dry_run = dry_run
        self.snap = store.snapshot() if dry_run else None

    def __enter__(self) -> Change:
        target = self.snap.__enter__() if self.snap is not None else self.store
        self.cm = target.change(self.actor, self.action, audit=self.audit)
        try:
            return self.cm.__enter__()
        except BaseException:
            if self.snap is not None:
                self.snap.__exit__(None, None, None)
            raise

    def __exit__(self, et, ev, tb):
        try:
            if et is None and self.dry_run:
                try:
                    self.cm.__exit__(DryRun, DryRun(), None)
                except DryRun:
                    pass
                return False
            return self.cm.__exit__(et, ev, tb)
        finally:
            if self.snap is not None:
                self.snap.__exit__(None, None, None)


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
