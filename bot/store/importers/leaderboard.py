"""Any published Arena-style leaderboard: CSV or JSON, with a declared column mapping.

So a moderator can follow the Arena leaderboard wherever it is published
next, without code: the file's columns are named by a mapping of the fields
the bot knows to the file's own column names::

    model=Model organisation=Organization licence=License score="Arena Score"
    interval="95% CI" votes=Votes date=Date

Only ``model`` and ``score`` are required; a field the mapping does not name
is looked for under its usual names (``model``/``name``, ``score``/``rating``/
``arena_score``/``elo``, ``organization``/``organisation``/``org``, ...). An
interval may read ``+5/-4``, ``±5``, ``1480-1495`` (lower-upper) or ``5``
(plus or minus). JSON may be a list of objects, an object holding one such
list, or an object of objects keyed by model. Every row of a file is one board
(one date: the ``date`` column, else the date given, else the file name's);
the board is imported as the source ``leaderboard`` through the Arena
importer (models linked the same way, one audited change, undone like any
other) after every cell is checked: a name, a score between 100 and 5000,
an interval around the score, whole votes, a calendar day.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any, Callable

from bot.store.db import Store
from bot.store.importers.arena import import_arena, snapshot_date_from_name
from bot.store.importers.common import ImportFailed, ImportReport, decode_text, read_source
from bot.domain.validate import Invalid, one_line_name, parse_day, parse_number

Progress = Callable[[int, int], None]

SOURCE_LEADERBOARD = "leaderboard"
FIELDS = ("model", "organisation", "licence", "score", "interval", "votes", "date", "rank")
USUAL = {  # the names a column usually has, folded
    "model": ("model", "name", "model_name", "modelname", "model name"),
    "organisation": ("organisation", "organization", "org", "provider", "developer", "company", "lab"),
    "licence": ("licence", "license", "license_type"),
    "score": ("score", "rating", "arena_score", "arena score", "elo", "arena_elo"),
    "interval": ("interval", "95_pct_ci", "95% ci", "ci", "95% ci (±)", "confidence interval"),
    "votes": ("votes", "vote", "battles", "num_battles"),
    "date": ("date", "snapshot_date", "day", "published"),
    "rank": ("rank", "position", "#"),
}
_PAIR = re.compile(r"""(\w+)\s*=\s*("[^"]*"|'[^']*'|[^\s,]+)""")
MAX_ROWS = 20_000


def parse_mapping(text: str) -> dict[str, str]:
    """``model=Model score="Arena Score"`` -> {"model": "Model", "score": "Arena Score"}; unknown fields refused."""
    out: dict[str, str] = {}
    for key, value in _PAIR.findall(text or ""):
        k = {"organization": "organisation", "org": "organisation", "license": "licence", "ci": "interval",
             "rating": "score", "elo": "score", "name": "model"}.get(key.lower(), key.lower())
        if k not in FIELDS:
            raise ValueError(f"{key!r} is not a field: the mapping names " + ", ".join(FIELDS))
        out[k] = value.strip("\"'").strip()
    return out


def _fold(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().lower())


def _records(name: str, raw: bytes) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, rows) of a CSV or JSON file."""
    text = decode_text(raw, name)
    stripped = text.lstrip()
    if name.lower().endswith(".json") or stripped[:1] in ("[", "{"):
        try:
            data = json.loads(stripped)
        except ValueError as exc:
            raise ImportFailed(name, None, f"not JSON ({exc.__class__.__name__})") from None
        if isinstance(data, dict):
            lists = [v for v in data.values() if isinstance(v, list)]
            if len(lists) == 1:
                data = lists[0]
            elif data and all(isinstance(v, dict) for v in data.values()):  # {model: {fields}}
                data = [{"model": k, **v} for k, v in data.items()]
        if not isinstance(data, list) or not data or not all(isinstance(r, dict) for r in data):
            raise ImportFailed(name, None, "expected a list of objects (one per model), an object holding one, "
                                           "or an object of objects keyed by model")
        columns = list(dict.fromkeys(str(k) for r in data for k in r))
        return columns, [{str(k): ("" if v is None else str(v)) for k, v in r.items()} for r in data]
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailed(name, None, "the file is empty") from None
    except csv.Error as exc:
        raise ImportFailed(name, None, f"not CSV ({exc})") from None
    rows: list[dict[str, str]] = []
    try:
        for cells in reader:
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise ImportFailed(name, len(rows) + 1, f"has {len(cells)} cells but the header has {len(header)}",
                                   reader.line_num)
            rows.append(dict(zip(header, cells)))
    except csv.Error as exc:
        raise ImportFailed(name, len(rows) + 1, f"malformed CSV ({exc})") from None
    return [h.strip() for h in header], [{k.strip(): v for k, v in r.items()} for r in rows]


def _columns(name: str, columns: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Each field -> the file's column: as mapped, else found under a usual name."""
    by_fold = {_fold(c): c for c in columns}
    out = {}
    for f in FIELDS:
        if f in mapping:
            col = by_fold.get(_fold(mapping[f]))
            if col is None:
                raise ImportFailed(name, None, f"the mapping names the column {mapping[f]!r} for {f}, but the file "
                                               "has " + ", ".join(repr(c) for c in columns[:12]))
            out[f] = col
            continue
        hit = next((by_fold[u] for u in USUAL[f] if u in by_fold), None)
        if hit is not None:
            out[f] = hit
    for f in ("model", "score"):
        if f not in out:
            raise ImportFailed(name, None, f"no {f} column: name it in the mapping ({f}=<column>); the file has "
                                           + ", ".join(repr(c) for c in columns[:12]))
    return out


def _interval(raw: str, score: float) -> tuple[float, float] | None:
    """(plus, minus) from ``+5/-4``, ``±5``, ``1480-1495``, ``5``; None when blank."""
    s = raw.strip().replace("−", "-").replace("–", "-").replace("—", "-")
    if not s or s.lower() in ("n/a", "na", "-"):
        return None
    m = re.fullmatch(r"\+?\s*(\d+(?:\.\d+)?)\s*/\s*-\s*(\d+(?:\.\d+)?)", s)
    if m:
        return float(m.group(1)), float(m.group(2))
    m = re.fullmatch(r"(?:±|\+/-|\+-)\s*(\d+(?:\.\d+)?)", s)
    if m:
        return float(m.group(1)), float(m.group(1))
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(?:-|to|,)\s*(\d+(?:\.\d+)?)", s)
    if m:
        lo, hi = float(m.group(1)), float(m.group(2))
        if not lo <= score <= hi:
            raise ValueError(f"{raw.strip()!r} does not contain the score {score:g}")
        return hi - score, score - lo
    m = re.fullmatch(r"\d+(?:\.\d+)?", s)
    if m:
        return float(s), float(s)
    raise ValueError(f"{raw.strip()[:20]!r} is not an interval (+5/-4, ±5, 1480-1495 or 5)")


def to_arena_csv(name: str, raw: bytes, mapping: dict[str, str], snapshot_date: str | None) -> tuple[str, bytes]:
    """The file as one Arena board (the Arena importer's CSV) and its date; every cell checked."""
    columns, rows = _records(name, raw)
    if not rows:
        raise ImportFailed(name, None, "no rows")
    if len(rows) > MAX_ROWS:
        raise ImportFailed(name, None, f"{len(rows):,} rows; a board has at most {MAX_ROWS:,}")
    col = _columns(name, columns, mapping)
    out_rows = []
    dates = set()
    for i, r in enumerate(rows, 1):
        def cell(f: str, r: dict[str, Any] = r) -> str:
            return (r.get(col[f]) or "").strip() if f in col else ""

        try:
            model = one_line_name(cell("model"), limit=200, what="the model")
            score = parse_number(cell("score"), units=False)
            if score is None:
                raise Invalid("the score is empty")
            if not 100 <= score <= 5000:
                raise Invalid(f"the score {score:g} is not a rating (100 to 5000)")
            ci = _interval(cell("interval"), score)
            votes = parse_number(cell("votes").replace(",", ""), units=False) if cell("votes") else None
            if votes is not None and (votes < 0 or votes != int(votes)):
                raise Invalid(f"votes {cell('votes')!r} is not a whole number")
            day = parse_day(cell("date")[:10]) if cell("date") else None
        except (Invalid, ValueError) as exc:
            raise ImportFailed(name, i, str(exc)) from None
        if day:
            dates.add(day)
        out_rows.append((model, score, ci, votes, cell("organisation"), cell("licence")))
    if len(dates) > 1:
        raise ImportFailed(name, None, f"one board per file: the rows are dated {', '.join(sorted(dates)[:4])}")
    try:
        date = dates.pop() if dates else (parse_day(snapshot_date) if snapshot_date else
                                          snapshot_date_from_name(name))
    except Invalid as exc:
        raise ImportFailed(name, None, f"the board's date: {exc}") from None
    if not date:
        raise ImportFailed(name, None, "no date: map a date column, give the date, or put it in the file name")
    # ranks by score, one entry per model (a repeated row is the importer's to skip or refuse)
    scores = sorted({m: s for m, s, *_ in reversed(out_rows)}.values(), reverse=True)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["rank", "model", "arena_score", "95_pct_ci", "votes", "organization", "license"])
    for model, score, ci, votes, org, lic in out_rows:
        rank = 1 + sum(1 for s in scores if s > score)
        w.writerow([rank, model, f"{score:g}", f"+{ci[0]:g}/-{ci[1]:g}" if ci else "",
                    "" if votes is None else int(votes), org, lic])
    return date, buf.getvalue().encode()


def import_leaderboard(store: Store, source: str | Path | bytes, *, name: str | None = None,
                       mapping: dict[str, str] | str | None = None, snapshot_date: str | None = None,
                       actor: str = "system", audit: bool = True, dry_run: bool = False,
                       progress: Progress | None = None) -> ImportReport:
    fname, raw = read_source(source, name, "leaderboard.csv")
    if isinstance(mapping, str):
        try:
            mapping = parse_mapping(mapping)
        except ValueError as exc:
            raise ImportFailed(fname, None, f"the mapping: {exc}") from None
    date, board = to_arena_csv(fname, raw, mapping or {}, snapshot_date)
    report = import_arena(store, board, name=fname, snapshot_date=date, actor=actor, audit=audit, dry_run=dry_run,
                          progress=progress, source_id=SOURCE_LEADERBOARD)
    report.kind = "leaderboard"
    return report
