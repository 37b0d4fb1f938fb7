"""Chatbot Arena (LMArena) leaderboard snapshots, all three header variants."""
from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any, Callable

from bot.store.db import Store
from bot.store.importers.common import (
    SOURCE_ARENA,
    ImportFailed,
    ImportReport,
    OrgIndex,
    Table,
    cell_int,
    cell_name,
    cell_number,
    cell_text,
    ensure_sources,
    import_transaction,
    model_ids_by_name,
    org_words,
    read_table,
    rerank_snapshot,
    store_models,
    upsert_model,
)
from bot.store.linking import Linker
from bot.domain.normalize import (
    compact,
    licence_name,
)
from bot.domain.validate import Invalid, parse_day

csv.field_size_limit(10_000_000)

Progress = Callable[[int, int], None]



# ---------------------------------------------------------------------------
# Chatbot Arena leaderboard snapshots
# ---------------------------------------------------------------------------
ARENA_SCORE_COLUMNS = ("arena_score", "arena_elo")
_SNAPSHOT_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_CI = re.compile(r"^\s*\+?\s*(\d+(?:\.\d+)?)\s*/\s*-\s*(\d+(?:\.\d+)?)\s*$")


def snapshot_date_from_name(name: str) -> str | None:
    """The snapshot day a file name carries (``arena-text-2025-08-06.csv``);
    a day that is not on the calendar (``2025-99-99``) is refused."""
    m = _SNAPSHOT_DATE.search(name)
    if not m:
        return None
    try:
        return parse_day(m.group(1))
    except Invalid as exc:
        raise ImportFailed(name, None, f"the file name's snapshot date: {exc}") from None


def parse_arena(table: Table, skipped: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows of a snapshot. A row repeated with the same figures (it happens in
    the published files) is skipped and noted; a model listed twice with
    different figures rejects the file."""
    score_col = next(c for c in ARENA_SCORE_COLUMNS if c in table.header)
    out = []
    seen: dict[str, tuple[int, tuple]] = {}
    for rn, line, r in table.rows:
        name = cell_name(table, rn, line, "model", r["model"])
        assert name is not None  # cell_name refuses a blank name
        figures = (r[score_col].strip(), (r.get("95_pct_ci") or "").strip(), (r.get("votes") or "").strip())
        if name in seen:
            first, first_figures = seen[name]
            if first_figures == figures and skipped is not None:
                skipped.append(f"row {rn} repeats row {first} ({name}) with the same figures: skipped")
                continue
            raise table.fail(rn, f"model {name!r} repeats row {first} with different figures", line)
        seen[name] = (rn, figures)
        rank = cell_int(table, rn, line, "rank", r["rank"], required=True)
        rsc = cell_int(table, rn, line, "rank_stylectrl", r.get("rank_stylectrl"))
        score = cell_number(table, rn, line, score_col, r[score_col])
        if score is None:
            raise table.fail(rn, f"column {score_col!r} is empty", line)
        ci_plus = ci_minus = None
        ci = (r.get("95_pct_ci") or "").strip()
        if ci:
            m = _CI.match(ci)
            if not m:
                raise table.fail(rn, f"column '95_pct_ci': {ci[:20]!r} is not like +3/-4", line)
            ci_plus = cell_number(table, rn, line, "95_pct_ci", m.group(1))
            ci_minus = cell_number(table, rn, line, "95_pct_ci", m.group(2))
        votes = cell_number(table, rn, line, "votes", (r.get("votes") or "").replace(",", ""))
        if votes is not None and votes > 1e12:  # in range: no board has had a trillion votes (1e23 overflowed)
            raise table.fail(rn, f"column 'votes': {votes:g} is more votes than any board has", line)
        kc = (r.get("knowledge_cutoff") or "").strip()
        out.append({
            "arena_name": name, "rank": rank, "rank_stylectrl": rsc, "score": score,
            "ci_lower": None if ci_minus is None else score - ci_minus,
            "ci_upper": None if ci_plus is None else score + ci_plus,
            "votes": int(votes) if votes is not None else None,
            "organization": cell_name(table, rn, line, "organization", r.get("organization"), required=False),
            "licence": licence_name(cell_text(table, rn, line, "license", r.get("license"), limit=200)),
            "knowledge_cutoff": None if kc.lower() in ("", "unknown", "n/a")
            else cell_text(table, rn, line, "knowledge_cutoff", kc, limit=40),
        })
    return out


def import_arena(store: Store, source: str | Path | bytes, *, name: str | None = None,
                 snapshot_date: str | None = None, actor: str = "system", audit: bool = True,
                 dry_run: bool = False, progress: Progress | None = None,
                 links: dict[str, str | None] | None = None, source_id: str = SOURCE_ARENA) -> ImportReport:
    """Import one leaderboard snapshot. Its date comes from `snapshot_date` or
    the file name (``arena-text-2025-08-06.csv``). `links` maps Arena names to
    Epoch model names (None: not in Epoch) and wins over automatic linking."""
    table = read_table(source, name=name, required=["rank", "model", "organization", "license"],
                       one_of=[ARENA_SCORE_COLUMNS])
    if snapshot_date:
        try:
            snapshot_date = parse_day(snapshot_date)
        except Invalid as exc:
            raise ImportFailed(table.name, None, f"the snapshot date: {exc}") from None
    date = snapshot_date or snapshot_date_from_name(table.name)
    if not date:
        raise ImportFailed(table.name, None, "no snapshot date: name the file arena-text-YYYY-MM-DD.csv "
                                             "or give the date")
    skipped: list[str] = []
    rows = parse_arena(table, skipped)
    report = ImportReport("arena", table.name, skipped=len(skipped), notes=skipped)
    with import_transaction(store, actor, f"import arena {date}", audit, dry_run) as ch:
        as_of = ch.db.execute("SELECT MAX(snapshot_date) FROM arena_ratings WHERE source_id = ?",
                              [source_id]).fetchone()[0]
        ensure_sources(ch, source_id, as_of={source_id: max(filter(None, [as_of, date]))})
        orgs = OrgIndex(ch)
        ids = model_ids_by_name(ch)
        aliases = {r[0]: r[1] for r in ch.db.execute("SELECT alias, model_id FROM aliases")}
        linker = Linker(store_models(ch), org_words(ch))
        same_name = {compact(n): mid for n, mid in ids.items()}
        for a, mid in aliases.items():
            same_name.setdefault(compact(a), mid)
        for i, r in enumerate(rows):
            arena_name = r["arena_name"]
            org = orgs.ensure(r["organization"], source_id=source_id) if r["organization"] else None
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
                        "licence": r["licence"], "origin": "arena", "source_id": source_id,
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
                                      "source_id": source_id})
                aliases[arena_name] = target
                mid = target
            outcome = ch.upsert("arena_ratings", {"source_id": source_id, "snapshot_date": date,
                                                  "category": "full", "model_id": mid, **r})
            report.count(outcome, f"{arena_name} #{r['rank']} {r['score']:.0f}")
            if progress:
                progress(i + 1, len(rows))
        # A file that covers only part of a snapshot already here (or adds to one) leaves the
        # published ranks of the rest stale: rank the whole snapshot again.
        names = {r["arena_name"] for r in rows}
        others = [n for (n,) in ch.db.execute("SELECT arena_name FROM arena_ratings WHERE source_id = ? "
                                              "AND snapshot_date = ? AND category = 'full'", [source_id, date])
                  if n not in names]
        if others:
            moved = rerank_snapshot(ch, date, source_id)
            if moved:
                report.notes.append(f"the snapshot {date} already held {len(others)} other models: "
                                    f"{moved} ranks recomputed")
    return report
