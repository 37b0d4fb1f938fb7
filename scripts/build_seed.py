#!/usr/bin/env python3
"""Build the curated seed in data/seed/ from the raw public data in ../shared/data.

    python scripts/build_seed.py [--shared ../shared/data] [--out data/seed]

It runs the bot's own importers on the raw files (Epoch AI notable models,
Epoch Benchmarking Hub, AI Index 2025 and 2026 figures, every Arena snapshot), applies
the reviewed curation in data/curation/ (organisation countries, model links),
and writes the project's CSV tables. Only facts and figures are kept: no
abstracts, author lists or notes.
"""
from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.store import Store  # noqa: E402
from bot.store.importers import (  # noqa: E402
    ImportReport, OrgIndex, ensure_sources, import_arena, import_epoch_hub, import_epoch_notable, import_figures,
)
from bot.store.importers.common import SOURCE_CURATION  # noqa: E402
from bot.store.importers.arena_sources import (  # noqa: E402
    KeyInfo, KeyResolver, import_arena_catalog, import_arena_history, import_arena_prices,
)
from bot.domain.normalize import fold  # noqa: E402
from bot.store.seed import open_store, write_tables  # noqa: E402
from bot.store.variants import (  # noqa: E402
    apply_key_access, apply_merges, first_rated_dates, name_sizes, read_merges, split_variants, unify_entries,
)


def apply_curated_orgs(store: Store, path: Path) -> int:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    with store.change("seed", "curation organizations", audit=False) as ch:
        orgs = OrgIndex(ch)
        for r in rows:
            org = orgs.find(r["organization"])
            if org is None:
                org = orgs.ensure(r["organization"], country=r["country"], sector=r["sector"])
            ch.upsert("organizations", {"id": org["id"], "country": r["country"], "sector": r["sector"]})
            org.update(country=r["country"], sector=r["sector"])
            a = fold(r["spelling"])
            ch.upsert("org_aliases", {"alias": a, "org_id": org["id"], "spelling": r["spelling"]})
            orgs.by_alias[a] = org["id"]
    return len(rows)


def read_links(path: Path) -> dict[str, str | None]:
    if not path.exists():
        return {}
    return {r["arena_name"]: (r["model"] or None) for r in csv.DictReader(path.open(encoding="utf-8"))}


def read_arena_keys(path: Path, links: dict[str, str | None]) -> dict[str, KeyInfo]:
    """The reviewed key -> display name, organisation, open/closed; a key's
    row in links.csv says which model it is ("" = a model of its own)."""
    out = {}
    for r in csv.DictReader(path.open(encoding="utf-8")):
        key = r["key"]
        model = (links[key] or "") if key in links else None
        out[key] = KeyInfo(key=key, display_name=r["display_name"], organization=r["organization"] or None,
                           open={"open": True, "closed": False}.get(r["open"]), licence=r["licence"] or None,
                           model=model, name_from=r["name_from"], first_seen=r["first_seen"] or None)
    return out


def apply_sizes(store: Store, path: Path) -> int:
    """Parameter counts from data/curation/sizes.csv (model card or paper URL on
    every row): the total where Epoch has none, the active count of a mixture
    of experts, and an empty total = the maker does not disclose it."""
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    with store.change("seed", "curation sizes", audit=False) as ch:
        for r in rows:
            m = ch.db.execute("SELECT m.id, m.parameters FROM aliases a JOIN models m ON m.id = a.model_id "
                              "WHERE a.alias = ?", [r["model"]]).fetchone() or \
                ch.db.execute("SELECT id, parameters FROM models WHERE name = ?", [r["model"]]).fetchone()
            if m is None:
                raise SystemExit(f"sizes.csv: no model {r['model']!r}")
            total = float(r["total_parameters"]) if r["total_parameters"] else None
            upd = {"id": m[0], "parameters_url": r["url"], "parameters_disclosed": 1 if total else 0}
            if total and m[1] is None:
                upd["parameters"] = total
            if r["active_parameters"]:
                upd["active_parameters"] = float(r["active_parameters"])
            ch.upsert("models", upd)
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--out", default=str(ROOT / "data" / "seed"))
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    if not shared.is_dir():
        print(f"no raw data at {shared}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "build.db", seed_dir=None)
        # curated organisations first, so every importer resolves spellings the same way (and
        # re-importing a raw file onto the seed changes nothing)
        apply_curated_orgs(store, ROOT / "data" / "curation" / "organizations.csv")
        reports = [import_epoch_notable(store, next((shared / "epoch" / "notable-models").glob("*.csv")),
                                        audit=False)]
        links = read_links(ROOT / "data" / "curation" / "links.csv")
        keys = read_arena_keys(ROOT / "data" / "curation" / "arena_keys.csv", links)
        # reviewed links of Arena keys first: the Hub names versions by the same keys
        # (claude-3-5-sonnet-20241022), so its scores follow the reviewed decision
        with store.change("seed", "reviewed key links", audit=False) as ch:
            ensure_sources(ch, SOURCE_CURATION)
            rep = ImportReport("curation", "links.csv")
            resolver = KeyResolver(ch, keys)
            known = {n for (n,) in ch.db.execute("SELECT name FROM models")}
            for k, info in keys.items():
                # (a link to a Hub model waits until the Hub is imported)
                if info.model is not None and (info.model == "" or info.model in known):
                    resolver.resolve(k, info.first_seen, rep, SOURCE_CURATION)
        reports.append(import_epoch_hub(store, shared / "epoch" / "benchmarking-hub", audit=False))
        for edition in sorted(shared.glob("ai-index-*/headline-figures.csv")):  # one AI Index edition each
            reports.append(import_figures(store, edition, audit=False))
        for f in sorted((shared / "arena" / "snapshots").glob("arena-text-*.csv")):
            reports.append(import_arena(store, f, audit=False, links=links or None))
        catalog = shared / "arena" / "catalog"
        reports.append(import_arena_prices(store, next(catalog.glob("scatterplot-data-*.json")), audit=False,
                                           keys=keys))
        reports.append(import_arena_history(store, next((shared / "arena" / "history").glob("*.csv")),
                                            audit=False, keys=keys))
        for f in sorted(catalog.glob("leaderboard-text-*.json")):
            reports.append(import_arena_catalog(store, f, audit=False, keys=keys))
        # one Arena entry, one model variant: the reviewed merges, then every other entry its own variant
        merges = read_merges(csv.DictReader((ROOT / "data" / "curation" / "merges.csv").open(encoding="utf-8")))
        with store.change("seed", "one entry, one variant", audit=False) as ch:
            ensure_sources(ch, SOURCE_CURATION)
            merged = apply_merges(ch, merges)
            display = {k: d for k, d in ch.db.execute("SELECT key, display_name FROM arena_keys")}
            access = {k: {"open": i.open, "licence": i.licence} for k, i in keys.items()}
            unified = unify_entries(ch, display, merges)
            made = split_variants(ch, display, merges, access)
            apply_key_access(ch, access)
            first_rated_dates(ch)
        print(f"variants: {merged} reviewed merges, {unified} entries brought onto one model, "
              f"{len(made)} entries made variants of their family")
        apply_sizes(store, ROOT / "data" / "curation" / "sizes.csv")
        with store.change("seed", "sizes from names", audit=False) as ch:
            print(f"sizes: {name_sizes(ch)} open models sized from their Arena names")
        # organisations that Arena named but curation did not: say so
        missing = store.query("""SELECT DISTINCT o.name FROM organizations o JOIN models m ON m.org_id = o.id
                                 WHERE o.country IS NULL""")
        for org in missing:
            print(f"warning: organisation without a country: {org['name']}", file=sys.stderr)
        paths = write_tables(store, Path(args.out), compact_arena=True)
        # the links as reviewed data: every Arena name and the model it resolved to
        link_rows = store.query("""SELECT a.alias AS arena_name, m.name AS model, m.origin
                                   FROM aliases a JOIN models m ON m.id = a.model_id
                                   WHERE a.kind = 'arena' ORDER BY a.alias""")
        with (Path(args.out) / "links.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["arena_name", "model", "linked_to_epoch"])
            for link in link_rows:
                w.writerow([link["arena_name"], link["model"], "yes" if link["origin"] != "arena" else "no"])
    arena = [r for r in reports if r.kind == "arena"]
    for r in reports[:3] + [r for r in reports if r.kind in ("arena-prices", "arena-history")]:
        print(r.summary())
    cat = [r for r in reports if r.kind == "arena-catalog"]
    print(f"arena-catalog: {len(cat)} releases, {sum(r.added for r in cat)} rows added")
    print(f"arena: {len(arena)} snapshots, {sum(r.added for r in arena)} rows added")
    print(f"wrote {len(paths) + 1} files to {args.out} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
