#!/usr/bin/env python3
"""Generate candidates for data/curation/arena_keys.csv and merge the reviewed rows.

    python scripts/arena_keys.py [--shared ../shared/data] [--check]

Every Arena model key of the history file and the catalog releases gets a
display name, an organisation and open/closed, each with where it came from:

* ``csv:<display name>``: the key is a CSV snapshot's display name in another
  spelling (same letters and digits), so the snapshot's organisation and
  licence are LMArena's own for it;
* ``scatterplot``: LMArena's scatterplot-data lists the key with its
  display name, organisation and licence;
* ``hand``: reviewed by hand (the maker's announcement or model card);
  these rows are kept as they are when the script runs again.

Rows still without a reviewed fact are printed (``--check`` fails on them).
"""
from __future__ import annotations

import argparse
import csv
import glob
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "curation" / "arena_keys.csv"
COLUMNS = ["key", "display_name", "organization", "open", "licence", "top50", "first_seen", "name_from", "org_from",
           "open_from"]


def comp(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def arena_keys(shared: Path) -> tuple[dict[str, str], set[str]]:
    """{key: first date seen} and the keys ever in a top 50 (history, catalog full)."""
    first: dict[str, str] = {}
    top50: set[str] = set()
    hist = sorted(glob.glob(str(shared / "arena" / "history" / "*.csv")))
    for f in hist:
        rows = list(csv.reader(open(f, encoding="utf-8")))
        keys = rows[0][1:]
        for r in rows[1:]:
            d = f"{r[0][:4]}-{r[0][4:6]}-{r[0][6:]}"
            vals = [(float(v), k) for k, v in zip(keys, r[1:]) if v and float(v) > 0]
            for _, k in vals:
                first.setdefault(k, d)
            top50 |= {k for _, k in sorted(vals, reverse=True)[:50]}
    for f in sorted(glob.glob(str(shared / "arena" / "catalog" / "leaderboard-text-*.json"))):
        found = re.search(r"(\d{4}-\d{2}-\d{2})", f)
        if found is None:
            continue
        d = found.group(1)
        data = json.load(open(f, encoding="utf-8"))
        for board in data.values():
            for k in board:
                first.setdefault(k, d)
        full = data["full"]
        top50 |= {k for k, _ in sorted(full.items(), key=lambda kv: -kv[1]["rating"])[:50]}
    return first, top50


def csv_names(shared: Path) -> dict[str, dict]:
    """compact display name -> the latest CSV snapshot row naming it."""
    out: dict[str, dict] = {}
    for f in sorted(glob.glob(str(shared / "arena" / "snapshots" / "arena-text-*.csv"))):
        for r in csv.DictReader(open(f, encoding="utf-8")):
            out[comp(r["model"])] = r
    return out


def is_open(licence: str | None) -> str:
    if not licence:
        return ""
    return "closed" if licence.strip().lower() in ("proprietary", "propretary") else "open"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--check", action="store_true", help="fail when a top-50 key lacks a reviewed fact")
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    first, top50 = arena_keys(shared)
    snap = csv_names(shared)
    scatter = {r["model_api_name"]: r for r in json.load(
        open(next((shared / "arena" / "catalog").glob("scatterplot-data-*.json")), encoding="utf-8"))}
    kept = {}
    if OUT.exists():
        kept = {r["key"]: r for r in csv.DictReader(OUT.open(encoding="utf-8"))}
    rows = []
    for key in sorted(first):
        old = kept.get(key)
        row = {c: "" for c in COLUMNS}
        row["key"] = key
        s = snap.get(comp(key))
        sp = scatter.get(key)
        if s:
            row.update(display_name=s["model"], organization=s["organization"], licence=s["license"],
                       open=is_open(s["license"]), name_from=f"csv:{s['model']}", org_from=f"csv:{s['model']}",
                       open_from=f"csv:{s['model']}")
        elif sp:
            row.update(display_name=sp["name"], organization=sp["organization"], licence=sp["license"],
                       open=is_open(sp["license"]), name_from="scatterplot", org_from="scatterplot",
                       open_from="scatterplot")
        if sp and not s:
            pass
        elif sp and s and not row["organization"]:
            row.update(organization=sp["organization"], org_from="scatterplot")
        # reviewed-by-hand facts win, field by field
        if old:
            for field, src in (("display_name", "name_from"), ("organization", "org_from"),
                               ("open", "open_from")):
                if old.get(src) == "hand":
                    row[field] = old[field]
                    row[src] = "hand"
                    if field == "open":
                        row["licence"] = old.get("licence", "")
        row["top50"] = "yes" if key in top50 else ""
        row["first_seen"] = first[key]
        rows.append(row)
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    missing = [r for r in rows if not (r["display_name"] and r["organization"] and r["open"])]
    for r in missing:
        print(f"unreviewed: {r['key']}{' (top 50)' if r['top50'] else ''}", file=sys.stderr)
    print(f"{len(rows)} keys ({sum(1 for r in rows if r['top50'])} ever in a top 50), "
          f"{len(missing)} without a reviewed fact", file=sys.stderr)
    return 1 if args.check and any(r["top50"] for r in missing) else 0


if __name__ == "__main__":
    raise SystemExit(main())
