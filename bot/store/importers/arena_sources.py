"""Importers for the Arena formats keyed by model key: the rating history,
LMArena's catalog releases and the catalog's price list.

* ``import_arena_history``: ``elo-overall-by-date-*.csv`` (nakasyou/lmarena-history):
  one row per leaderboard date (``YYYYMMDD``), one column per Arena model key,
  ``0.0`` where the model was not rated that day. Source ``arena-history``.
* ``import_arena_catalog``: ``leaderboard-text-YYYY-MM-DD.json`` (lmarena/arena-catalog):
  ``{category: {model_key: {rating, rating_q025, rating_q975}}}``. Source
  ``arena-catalog``; one board per category (``full`` is the overall board).
* ``import_arena_prices``: ``scatterplot-data-YYYY-MM-DD.json``: display name,
  key, organisation, licence, input/output price (USD per million tokens) and
  where the price comes from. Source ``arena-prices``.

Like every importer, each one parses and validates the whole file first (a
bad cell names the file, the row or key and the field, and nothing is
written), then applies it in one transaction; re-importing the same file
changes nothing. Ratings are kept to 2 decimals (a hundredth of a point),
which keeps the seed compact and re-imports exact.

A model key becomes a model through :class:`KeyResolver`: an existing alias;
else the reviewed curation (``data/curation/arena_keys.csv`` and ``links.csv``,
passed in by the seed build); else the automatic linker (Epoch's notable
models and the Benchmarking Hub, dated versions by date); else a model of the
same name in another spelling (``gpt-4o-2024-05-13`` is the CSV snapshots'
``GPT-4o-2024-05-13``); else a new Arena model named by its key.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass
from datetime import date as _date
from pathlib import Path
from typing import Any

from bot.store.change import Change
from bot.store.db import Store
from bot.store.importers.common import (
    SOURCE_ARENA_CATALOG, SOURCE_ARENA_HISTORY, SOURCE_ARENA_PRICES, SOURCE_CURATION, ImportFailed, ImportReport,
    OrgIndex, Progress, ensure_sources, import_transaction as _transaction, model_ids_by_name as _model_ids,
    csv_rows, org_words, read_source, store_models, upsert_model,
)
from bot.store.linking import Linker
from bot.domain.normalize import compact, licence_name
from bot.domain.validate import Invalid, not_future, safe_key, safe_name, safe_url

RATING_DECIMALS = 2
_FILE_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class KeyInfo:
    """What the reviewed curation knows about one Arena model key."""
    key: str
    display_name: str
    organization: str | None = None
    open: bool | None = None          # open weights?
    licence: str | None = None
    model: str | None = None          # the model it links to; "" = a model of its own; None = not reviewed
    name_from: str = "hand"           # where the display name comes from (csv:<name> | scatterplot | hand)
    first_seen: str | None = None     # the first board that rates it


# ---------------------------------------------------------------------------
# reading files
# ---------------------------------------------------------------------------
def _read_bytes(source: str | Path | bytes, name: str | None, default: str) -> tuple[str, bytes]:
    name, raw = read_source(source, name, default)
    if not raw.strip():
        raise ImportFailed(name, None, "the file is empty")
    if b"\x00" in raw[:65536]:
        raise ImportFailed(name, None, "this is not a text file (it holds binary data)")
    return name, raw


def _text(name: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed(name, None, f"this is not UTF-8 text (bad byte at offset {exc.start})") from None


JSON_MAX_BYTES = 64 * 1024 * 1024  # the largest release LMArena publishes is a few MB


def read_json(source: str | Path | bytes, *, name: str | None = None) -> tuple[str, Any]:
    """A JSON file, with a named refusal for every malformed one: too large,
    not UTF-8, nested too deeply, a number with thousands of digits, bad syntax."""
    name, raw = _read_bytes(source, name, "upload.json")
    if len(raw) > JSON_MAX_BYTES:
        raise ImportFailed(name, None, f"the file is {len(raw) / 2**20:.0f} MB; the limit for JSON is "
                                       f"{JSON_MAX_BYTES // 2**20} MB")
    text = _text(name, raw)
    try:
        return name, json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(name, None, f"malformed JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}); "
                                       "is the file truncated?") from None
    except RecursionError:
        raise ImportFailed(name, None, "the JSON is nested too deeply to be a leaderboard file") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise ImportFailed(name, None, f"the JSON holds a value that cannot be read ({str(exc)[:80]})") from None


def file_date(name: str, given: str | None) -> str | None:
    if given:
        return given
    m = _FILE_DATE.search(name)
    return m.group(1) if m else None


def _iso(name: str, s: str, what: str) -> str:
    try:
        return not_future(_date.fromisoformat(s).isoformat(), s)
    except Invalid as exc:
        raise ImportFailed(name, None, f"{what}: {exc}") from None
    except ValueError:
        raise ImportFailed(name, None, f"{what} {s[:40]!r} is not a date (YYYY-MM-DD)") from None


def _finite(x: Any) -> float | None:
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float)):
        try:
            return float(x) if math.isfinite(x) else None
        except OverflowError:  # an integer of hundreds of digits
            return None
    if isinstance(x, str):
        if len(x) > 40:  # bounded before parsing: no number is written so long
            return None
        try:
            v = float(x.strip())
        except ValueError:
            return None
        return v if math.isfinite(v) else None
    return None


def _r(x: float) -> float:
    return round(x, RATING_DECIMALS)


# ---------------------------------------------------------------------------
# model keys -> models
# ---------------------------------------------------------------------------
class KeyResolver:
    """Resolves Arena model keys to model ids inside one change (see the
    module docstring for the order)."""

    def __init__(self, ch: Change, keys: dict[str, KeyInfo] | None = None):
        self.ch = ch
        self.keys = keys or {}
        self.ids = _model_ids(ch)
        self.aliases = {a: m for a, m in ch.db.execute("SELECT alias, model_id FROM aliases")}
        self._linker: Linker | None = None
        self._same: dict[str, int] | None = None
        self.orgs = OrgIndex(ch)
        self.named = {k for (k,) in ch.db.execute("SELECT key FROM arena_keys")}

    def _name_key(self, key: str, name: str, org: str | None, open_: bool | None, lic: str | None,
                  info: KeyInfo | None, source_id: str) -> None:
        self.ch.upsert("arena_keys", {
            "key": key, "display_name": name, "organization": org,
            "open": None if open_ is None else int(open_), "licence": lic,
            "name_from": info.name_from if info else "scatterplot",
            "source_id": SOURCE_CURATION if info else source_id})
        self.named.add(key)

    @property
    def linker(self) -> Linker:
        if self._linker is None:
            self._linker = Linker(store_models(self.ch), org_words(self.ch))
        return self._linker

    @property
    def same_name(self) -> dict[str, int]:
        if self._same is None:
            self._same = {compact(n): mid for n, mid in self.ids.items()}
            for a, mid in self.aliases.items():
                self._same.setdefault(compact(a), mid)
        return self._same

    def resolve(self, key: str, seen_on: str | None, report: ImportReport, source_id: str, *,
                display_name: str | None = None, organization: str | None = None,
                licence: str | None = None) -> int:
        info = self.keys.get(key)
        name = (info.display_name if info else None) or display_name or key
        org_name = (info.organization if info else None) or organization
        lic = (info.licence if info else None) or licence
        open_ = info.open if info and info.open is not None else (
            None if not lic else lic.lower() != "proprietary")
        mid = self.aliases.get(key)
        if mid is not None:
            if (info is not None or display_name) and key not in self.named:
                self._name_key(key, name, org_name, open_, lic, info, source_id)
            return mid
        reviewed = info is not None and info.model is not None
        target = None
        if info is not None and info.model:
            target = self.ids.get(info.model)
            if target is None:
                raise ImportFailed("data/curation", None, f"key {key!r} links to unknown model {info.model!r}")
        elif info is None or info.model is None:
            for spelling in dict.fromkeys([name, key]):
                target = self.aliases.get(spelling) or self.same_name.get(compact(spelling))
                if target is not None:
                    break
            if target is None:
                m = self.linker.link(key, seen_on=seen_on) or (
                    self.linker.link(name, seen_on=seen_on) if name != key else None)
                target = m["id"] if m else None
        if target is None:
            target = self.ids.get(name)
        org = self.orgs.ensure(org_name, source_id=source_id) if org_name else None
        if target is None:
            target = upsert_model(self.ch, self.ids, {
                "name": name, "organization": org["name"] if org else None,
                "org_id": org["id"] if org else None, "country": org["country"] if org else None,
                "countries": org["country"] if org else None, "sector": org["sector"] if org else None,
                # (the price list's date is when a list named it, never a release or a first rating)
                "release_date": None if source_id == SOURCE_ARENA_PRICES else seen_on, "domain": "Language",
                "access": None if open_ is None else ("open weights" if open_ else "API"),
                "licence": lic, "origin": "arena", "source_id": source_id,
            }, report)
        else:
            known = self.ch.get("models", {"id": target})
            if known and known["origin"] in ("arena", "hub"):  # (Epoch's own facts stay as Epoch wrote them)
                upd: dict[str, Any] = {}
                if org and known["org_id"] is None:
                    upd.update(org_id=org["id"], organization=org["name"],
                               country=known["country"] or org["country"], sector=known["sector"] or org["sector"])
                if lic and not known["licence"]:
                    upd["licence"] = lic
                if open_ is not None and not known["access"]:
                    upd["access"] = "open weights" if open_ else "API"
                if known["origin"] == "arena" and seen_on and source_id != SOURCE_ARENA_PRICES \
                        and (known["release_date"] or "9") > seen_on:
                    upd["release_date"] = seen_on  # an Arena model's date is the first board (or list) it is on
                if upd:
                    self.ch.upsert("models", {"id": target, **upd})
        if (info is not None or display_name) and key not in self.named:
            self._name_key(key, name, org["name"] if org else org_name, open_, lic, info, source_id)
        self.ch.upsert("aliases", {"alias": key, "model_id": target, "kind": "arena-key",
                                   "reviewed": 1 if reviewed else 0, "source_id": source_id})
        self.aliases[key] = target
        if self._same is not None:
            self._same.setdefault(compact(key), target)
        return target


# ---------------------------------------------------------------------------
# the rating history
# ---------------------------------------------------------------------------
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+/@()\- ]{0,119}$")


def _is_key(k: object) -> bool:
    """An Arena model key by the one rule every importer uses (bot.domain.validate.safe_key):
    bounded, a safe character set, never a URL or a mention (a URL key became a model name)."""
    try:
        safe_key(k)
    except Invalid:
        return False
    return True


def parse_history(name: str, raw: bytes) -> tuple[list[str], list[tuple[str, dict[str, float]]]]:
    """(keys, [(board date, {key: rating})]); a 0.0 cell means not rated."""
    text = _text(name, raw)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ImportFailed(name, None, f"cannot read the header ({exc})") from None
    if len(header) < 2 or header[0].strip().lower() not in ("", "date"):
        raise ImportFailed(name, None, "wrong header: expected an empty (or 'date') first column, then one "
                                       f"column per Arena model key (found: {', '.join(header[:6])})")
    keys = [h.strip() for h in header[1:]]
    seen: dict[str, int] = {}
    for i, k in enumerate(keys, start=2):
        if not _is_key(k):
            raise ImportFailed(name, None, f"header column {i}: {k[:40]!r} is not an Arena model key")
        if k in seen:
            raise ImportFailed(name, None, f"header column {i}: key {k!r} repeats column {seen[k]}")
        seen[k] = i
    boards: list[tuple[str, dict[str, float]]] = []
    dates: dict[str, int] = {}
    for n, line, cells in csv_rows(reader, len(header), name):
        d = cells[0].strip()
        if not re.fullmatch(r"\d{8}", d):
            raise ImportFailed(name, n, f"column 1: {d[:20]!r} is not a date (YYYYMMDD)", line)
        try:
            iso = _date(int(d[:4]), int(d[4:6]), int(d[6:])).isoformat()
        except ValueError:
            raise ImportFailed(name, n, f"column 1: {d!r} is not a real date", line) from None
        if iso in dates:
            raise ImportFailed(name, n, f"date {d} repeats row {dates[iso]}", line)
        dates[iso] = n
        ratings: dict[str, float] = {}
        for k, cell in zip(keys, cells[1:]):
            v = _finite(cell) if cell.strip() else 0.0
            if v is None or v < 0 or (v and not 100 <= v <= 5000):
                raise ImportFailed(name, n, f"date {d}, model {k!r}: {cell.strip()[:30]!r} is not a rating "
                                            "(a number between 100 and 5000, or 0.0 for not rated)", line)
            if v:
                ratings[k] = _r(v)
        if not ratings:
            raise ImportFailed(name, n, f"date {d} rates no model", line)
        boards.append((iso, ratings))
    if not boards:
        raise ImportFailed(name, None, "the file has a header but no rows")
    return keys, sorted(boards)


def import_arena_history(store: Store, source: str | Path | bytes, *, name: str | None = None,
                         actor: str = "system", audit: bool = True, dry_run: bool = False,
                         progress: Progress | None = None, keys: dict[str, KeyInfo] | None = None,
                         **_ignored: Any) -> ImportReport:
    """Import the whole rating history (one board per date, category ``full``)."""
    name, raw = _read_bytes(source, name, "history.csv")
    _keys, boards = parse_history(name, raw)
    report = ImportReport("arena-history", name)
    total = sum(len(r) for _, r in boards)
    with _transaction(store, actor, f"import arena-history {name}", audit, dry_run) as ch:
        ensure_sources(ch, SOURCE_ARENA_HISTORY, as_of={SOURCE_ARENA_HISTORY: boards[-1][0]})
        resolver = KeyResolver(ch, keys)
        done = 0
        for day, ratings in boards:
            for key, score in ratings.items():
                mid = resolver.resolve(key, day, report, SOURCE_ARENA_HISTORY)
                outcome = ch.upsert("arena_ratings", {
                    "source_id": SOURCE_ARENA_HISTORY, "snapshot_date": day, "category": "full",
                    "arena_name": key, "model_id": mid, "score": score})
                report.count(outcome, f"{day} {key} {score:.0f}")
                done += 1
                if progress and (done % 500 == 0 or done == total):
                    progress(done, total)
    return report


# ---------------------------------------------------------------------------
# the catalog releases
# ---------------------------------------------------------------------------
_CATEGORY = re.compile(r"^[a-z0-9_]{1,80}$")


def parse_catalog(name: str, data: Any) -> dict[str, dict[str, tuple[float, float, float]]]:
    """{category: {key: (rating, q025, q975)}}, checked through."""
    if not isinstance(data, dict) or not data:
        raise ImportFailed(name, None, "expected a JSON object {category: {model key: {rating, rating_q025, "
                                       "rating_q975}}}")
    if "full" not in data:
        raise ImportFailed(name, None, "no 'full' category (the overall board): is this a leaderboard release?")
    out: dict[str, dict[str, tuple[float, float, float]]] = {}
    for cat, board in data.items():
        if not isinstance(cat, str) or not _CATEGORY.match(cat):
            raise ImportFailed(name, None, f"category {str(cat)[:40]!r} is not a category name")
        if not isinstance(board, dict) or not board:
            raise ImportFailed(name, None, f"category {cat!r}: expected a non-empty object of models")
        rows = {}
        for key, rec in board.items():
            where = f"category {cat!r}, model {key[:60]!r}"
            if not _is_key(key):
                raise ImportFailed(name, None, f"{where}: not an Arena model key")
            if not isinstance(rec, dict):
                raise ImportFailed(name, None, f"{where}: expected an object with rating, rating_q025, rating_q975")
            vals = []
            for field in ("rating", "rating_q025", "rating_q975"):
                if field not in rec:
                    raise ImportFailed(name, None, f"{where}: field {field!r} is missing")
                v = _finite(rec[field]) if not isinstance(rec[field], str) else None
                if v is None or not 100 <= v <= 5000:
                    raise ImportFailed(name, None, f"{where}, field {field!r}: {str(rec[field])[:30]!r} is not a "
                                                   "rating (a number between 100 and 5000)")
                vals.append(v)
            rating, lo, hi = vals
            if not lo - 1e-6 <= rating <= hi + 1e-6:
                raise ImportFailed(name, None, f"{where}: rating {rating:.1f} lies outside its interval "
                                               f"{lo:.1f} .. {hi:.1f}")
            rows[key] = (_r(rating), _r(lo), _r(hi))
        out[cat] = rows
    return out


def import_arena_catalog(store: Store, source: str | Path | bytes, *, name: str | None = None,
                         snapshot_date: str | None = None, actor: str = "system", audit: bool = True,
                         dry_run: bool = False, progress: Progress | None = None,
                         keys: dict[str, KeyInfo] | None = None, **_ignored: Any) -> ImportReport:
    """Import one catalog release: every category's board on its date (from
    `snapshot_date` or the file name ``leaderboard-text-YYYY-MM-DD.json``)."""
    name, data = read_json(source, name=name)
    day = file_date(name, snapshot_date)
    if not day:
        raise ImportFailed(name, None, "no release date: name the file leaderboard-text-YYYY-MM-DD.json "
                                       "or give the date")
    day = _iso(name, day, "release date")
    boards = parse_catalog(name, data)
    report = ImportReport("arena-catalog", name)
    total = sum(len(b) for b in boards.values())
    with _transaction(store, actor, f"import arena-catalog {day}", audit, dry_run) as ch:
        as_of = ch.db.execute("SELECT MAX(snapshot_date) FROM arena_ratings WHERE source_id = ?",
                              [SOURCE_ARENA_CATALOG]).fetchone()[0]
        ensure_sources(ch, SOURCE_ARENA_CATALOG, as_of={SOURCE_ARENA_CATALOG: max(filter(None, [as_of, day]))})
        resolver = KeyResolver(ch, keys)
        done = 0
        # the overall board first, so models are made in its order
        for cat in sorted(boards, key=lambda c: (c != "full", c)):
            for key, (rating, lo, hi) in boards[cat].items():
                mid = resolver.resolve(key, day, report, SOURCE_ARENA_CATALOG)
                outcome = ch.upsert("arena_ratings", {
                    "source_id": SOURCE_ARENA_CATALOG, "snapshot_date": day, "category": cat,
                    "arena_name": key, "model_id": mid, "score": rating, "ci_lower": lo, "ci_upper": hi})
                report.count(outcome, f"{cat} {key} {rating:.0f}")
                done += 1
                if progress and (done % 500 == 0 or done == total):
                    progress(done, total)
    return report


# ---------------------------------------------------------------------------
# prices, organisations and licences (scatterplot-data)
# ---------------------------------------------------------------------------
def parse_prices(name: str, data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, list) or not data:
        raise ImportFailed(name, None, "expected a JSON list of models (scatterplot-data)")
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, rec in enumerate(data, start=1):
        if not isinstance(rec, dict):
            raise ImportFailed(name, i, "expected an object")
        key = rec.get("model_api_name")
        if not isinstance(key, str) or not _is_key(key.strip()):
            raise ImportFailed(name, i, f"field 'model_api_name': {str(key)[:40]!r} is not an Arena model key")
        key = key.strip()
        if key in seen:
            raise ImportFailed(name, i, f"model {key!r} repeats item {seen[key]}")
        seen[key] = i
        prices: dict[str, float | None] = {}
        for field in ("input_token_price", "output_token_price"):
            raw = rec.get(field)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                prices[field] = None
                continue
            v = _finite(raw)
            if v is None or not 0 <= v <= 1e6:
                raise ImportFailed(name, i, f"model {key!r}, field {field!r}: {str(raw)[:30]!r} is not a price "
                                            "(USD per million tokens)")
            prices[field] = v
        disp, org, url, lic = (rec.get(f) for f in ("name", "organization", "price_source", "license"))
        field = ""
        try:  # the one validation of names and URLs every importer applies (bot.domain.validate)
            for what, v in (("name", disp), ("organization", org), ("price_source", url), ("license", lic)):
                if v is not None and not isinstance(v, str):
                    field = what
                    raise Invalid(f"{str(v)[:30]!r} is not text")
            field = "name"
            shown = safe_name(disp, what="the name") if disp and disp.strip() else key
            field = "organization"
            organization = safe_name(org, what="the organization") if org and org.strip() else None
            field = "license"
            licence = safe_name(lic, limit=100, what="the license") if lic and lic.strip() else None
            field = "price_source"
            price_url = safe_url(url, what="the price source")
        except Invalid as exc:
            raise ImportFailed(name, i, f"model {key!r}, field {field!r}: {exc}") from None
        out.append({
            "key": key, "display_name": shown, "organization": organization,
            "licence": licence_name(licence),
            "input_price": prices["input_token_price"], "output_price": prices["output_token_price"],
            "price_url": price_url,
        })
    return out


def import_arena_prices(store: Store, source: str | Path | bytes, *, name: str | None = None,
                        snapshot_date: str | None = None, actor: str = "system", audit: bool = True,
                        dry_run: bool = False, progress: Progress | None = None,
                        keys: dict[str, KeyInfo] | None = None, **_ignored: Any) -> ImportReport:
    """Import the price list (prices as of the file's date). Models without a
    price are linked and keep their organisation and licence, but get no
    price row."""
    name, data = read_json(source, name=name)
    day = file_date(name, snapshot_date)
    if not day:
        raise ImportFailed(name, None, "no date: name the file scatterplot-data-YYYY-MM-DD.json or give the date")
    day = _iso(name, day, "date")
    recs = parse_prices(name, data)
    report = ImportReport("arena-prices", name)
    with _transaction(store, actor, f"import arena-prices {day}", audit, dry_run) as ch:
        ensure_sources(ch, SOURCE_ARENA_PRICES, as_of={SOURCE_ARENA_PRICES: day})
        resolver = KeyResolver(ch, keys)
        for i, r in enumerate(recs):
            mid = resolver.resolve(r["key"], day, report, SOURCE_ARENA_PRICES, display_name=r["display_name"],
                                   organization=r["organization"], licence=r["licence"])
            if r["input_price"] is None and r["output_price"] is None:
                report.count("skipped")
                continue
            outcome = ch.upsert("prices", {
                "arena_name": r["key"], "as_of": day, "model_id": mid, "display_name": r["display_name"],
                "input_price": r["input_price"], "output_price": r["output_price"], "price_url": r["price_url"],
                "source_id": SOURCE_ARENA_PRICES})
            report.count(outcome, f"price {r['display_name']}: ${r['input_price']} / ${r['output_price']}")
            if progress:
                progress(i + 1, len(recs))
    return report
