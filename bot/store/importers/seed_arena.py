"""The seed's compact form of the Arena ratings (about 100,000 rows).

The project table ``arena.csv`` (what `export csv` writes and moderators
re-import) repeats the source, date, category, model and organisation on every
row: for the whole history (three sources, up to 29 categories) that is over
10 MB. The seed stores the same facts in long format with integer ids:

* ``arena_boards.csv``: ``board, source, snapshot_date, category`` - one row per board;
* ``arena_names.csv``: ``name, arena_name, model, organization, licence, knowledge_cutoff`` -
  one row per way a board names a model (the CSV snapshots also say the
  organisation and licence as they listed them);
* ``arena_scores.csv``: ``board, name, rank, rank_stylectrl, score, ci_lower, ci_upper, votes``.

``load_compact`` reads them inside the seed's transaction with one
``executemany`` per table (a fresh database builds in well under 2 s); with
auditing on (a moderator importing a seed folder) every row goes through the
audited upsert instead. Every cell is checked; a bad one names the file and
row and nothing is written.
"""
from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path
from typing import Any, Literal, overload

from bot.store.change import Change
from bot.store.db import Store
from bot.store.importers.common import ImportFailed, ImportReport

FILES = ("arena_boards", "arena_names", "arena_scores")
COLUMNS = {
    "arena_boards": ["board", "source", "snapshot_date", "category"],
    "arena_names": ["name", "arena_name", "model", "organization", "licence", "knowledge_cutoff"],
    "arena_scores": ["board", "name", "rank", "rank_stylectrl", "score", "ci_lower", "ci_upper", "votes"],
}


def _num(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        return str(int(x)) if x == int(x) else repr(round(x, 3))
    return str(x)


def write_compact(store: Store, folder: Path) -> list[Path]:
    boards: dict[tuple, int] = {}
    names: dict[tuple, int] = {}
    scores: list[list[str]] = []
    rows = store.db.execute(
        """SELECT r.source_id, r.snapshot_date, r.category, r.arena_name, m.name, r.organization, r.licence,
                  r.knowledge_cutoff, r.rank, r.rank_stylectrl, r.score, r.ci_lower, r.ci_upper, r.votes
           FROM arena_ratings r JOIN models m ON m.id = r.model_id
           ORDER BY r.source_id, r.snapshot_date, r.category = 'full' DESC, r.category, r.score DESC, r.arena_name""")
    for src, day, cat, aname, model, org, lic, kc, rank, rsc, score, lo, hi, votes in rows:
        b = boards.setdefault((src, day, cat), len(boards) + 1)
        n = names.setdefault((aname, model, org or "", lic or "", kc or ""), len(names) + 1)
        scores.append([str(b), str(n), _num(rank), _num(rsc), _num(score), _num(lo), _num(hi), _num(votes)])
    out = []
    tables = {
        "arena_boards": [[str(i), *k] for k, i in boards.items()],
        "arena_names": [[str(i), *k] for k, i in names.items()],
        "arena_scores": scores,
    }
    for f in FILES:
        p = folder / f"{f}.csv"
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(COLUMNS[f])
        w.writerows(tables[f])
        p.write_text(buf.getvalue(), encoding="utf-8")
        out.append(p)
    return out


def has_compact(folder: Path) -> bool:
    return all((folder / f"{f}.csv").exists() for f in FILES)


def _read(folder: Path, f: str) -> list[list[str]]:
    path = folder / f"{f}.csv"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed(path.name, None, f"cannot read the file ({exc})") from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or rows[0] != COLUMNS[f]:
        raise ImportFailed(path.name, None, f"wrong header: expected {', '.join(COLUMNS[f])}")
    body = rows[1:]
    for i, r in enumerate(body, start=1):
        if len(r) != len(COLUMNS[f]):
            raise ImportFailed(path.name, i, f"has {len(r)} cells but the header has {len(COLUMNS[f])}")
    return body


@overload
def _int(f: str, i: int, col: str, s: str, *, empty: Literal[False]) -> int: ...
@overload
def _int(f: str, i: int, col: str, s: str, *, empty: bool = True) -> int | None: ...
def _int(f: str, i: int, col: str, s: str, *, empty: bool = True) -> int | None:
    """The cell as a whole number; blank is None unless `empty` is False (then blank is an error)."""
    if s == "" and empty:
        return None
    try:
        return int(s)
    except ValueError:
        raise ImportFailed(f"{f}.csv", i, f"column {col!r}: {s[:20]!r} is not a whole number") from None


def _float(f: str, i: int, col: str, s: str, *, empty: bool = True) -> float | None:
    if s == "" and empty:
        return None
    try:
        return float(s)
    except ValueError:
        raise ImportFailed(f"{f}.csv", i, f"column {col!r}: {s[:20]!r} is not a number") from None


def load_compact(ch: Change, folder: Path, report: ImportReport) -> None:
    """Read and check all three files, then write the ratings (see the module docstring)."""
    boards_raw, names_raw, scores_raw = (_read(folder, f) for f in FILES)
    sources = {r[0] for r in ch.db.execute("SELECT id FROM sources")}
    models = {n: i for n, i in ch.db.execute("SELECT name, id FROM models")}
    boards: dict[int, tuple[str, str, str]] = {}
    for i, (b, src, day, cat) in enumerate(boards_raw, start=1):
        bid = _int("arena_boards", i, "board", b, empty=False)
        if src not in sources:
            raise ImportFailed("arena_boards.csv", i, f"unknown source {src!r} (import sources.csv first)")
        if bid in boards or not day or not cat:
            raise ImportFailed("arena_boards.csv", i, "a repeated board id or an empty date or category")
        boards[bid] = (src, day, cat or "full")
    names: dict[int, tuple] = {}
    for i, (n, aname, model, org, lic, kc) in enumerate(names_raw, start=1):
        nid = _int("arena_names", i, "name", n, empty=False)
        if nid in names or not aname:
            raise ImportFailed("arena_names.csv", i, "a repeated name id or an empty arena_name")
        if model not in models:
            raise ImportFailed("arena_names.csv", i, f"unknown model {model!r} (import models.csv first)")
        names[nid] = (aname, models[model], org or None, lic or None, kc or None)
    rows = []
    try:
        for i, (b, n, rank, rsc, score, lo, hi, votes) in enumerate(scores_raw, start=1):  # noqa: B007 (i: the except names the row)
            src, day, cat = boards[int(b)]
            aname, mid, org, lic, kc = names[int(n)]
            rows.append((src, day, cat, aname, mid, int(rank) if rank else None, int(rsc) if rsc else None,
                         float(score), float(lo) if lo else None, float(hi) if hi else None,
                         int(votes) if votes else None, org, lic, kc))
    except (ValueError, KeyError):
        # say exactly which cell (the slow, careful reading of the same row)
        b, n, rank, rsc, score, lo, hi, votes = scores_raw[i - 1]
        if _int("arena_scores", i, "board", b, empty=False) not in boards or \
                _int("arena_scores", i, "name", n, empty=False) not in names:
            raise ImportFailed("arena_scores.csv", i, f"board {b} or name {n} is not in arena_boards/arena_names") \
                from None
        _int("arena_scores", i, "rank", rank), _int("arena_scores", i, "rank_stylectrl", rsc)
        _float("arena_scores", i, "score", score, empty=False), _float("arena_scores", i, "ci_lower", lo)
        _float("arena_scores", i, "ci_upper", hi), _int("arena_scores", i, "votes", votes)
        raise ImportFailed("arena_scores.csv", i, "a malformed row") from None
    cols = ["source_id", "snapshot_date", "category", "arena_name", "model_id", "rank", "rank_stylectrl", "score",
            "ci_lower", "ci_upper", "votes", "organization", "licence", "knowledge_cutoff"]
    if ch.audit:
        for r in rows:
            report.count(ch.upsert("arena_ratings", dict(zip(cols, r))))
        return
    # bulk path: rows in primary-key order, the secondary indexes built once afterwards
    rows.sort(key=lambda r: r[:4])
    indexes = [sql for (sql,) in ch.db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'arena_ratings' AND sql IS NOT NULL")]
    for (name,) in ch.db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'arena_ratings' "
                                 "AND sql IS NOT NULL").fetchall():
        ch.db.execute(f"DROP INDEX [{name}]")
    try:
        ch.db.executemany(f"INSERT INTO arena_ratings ({', '.join(cols)}) VALUES "
                               f"({', '.join('?' for _ in cols)})", rows)
    except sqlite3.IntegrityError as exc:
        raise ImportFailed("arena_scores.csv", None, f"a model is rated twice on one board, or the database "
                                                     f"already holds these ratings ({exc})") from None
    for sql in indexes:
        ch.db.execute(sql)
    ch.count += len(rows)
    report.added += len(rows)
