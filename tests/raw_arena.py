"""Read the raw Arena files directly (tests compare the bot with them).

One board of one source as a list of {name, score, lo, hi, rank, org}, best
first; lo/hi are None where the source gives no interval, rank where it
publishes none.
"""
from __future__ import annotations

import csv
import functools
import json
import re
from pathlib import Path

HISTORY_GLOB = "elo-overall-by-date-*.csv"


@functools.lru_cache(maxsize=4)
def _history(shared: Path) -> dict[str, list[dict]]:
    path = next((shared / "arena" / "history").glob(HISTORY_GLOB))
    out: dict[str, list[dict]] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        keys = next(rows)[1:]
        for row in rows:
            day = f"{row[0][:4]}-{row[0][4:6]}-{row[0][6:8]}"
            out[day] = [{"name": k, "score": float(v), "lo": None, "hi": None, "rank": None, "org": None}
                        for k, v in zip(keys, row[1:]) if v and float(v) > 0]
    return out


def csv_board(shared: Path, day: str) -> list[dict]:
    path = shared / "arena" / "snapshots" / f"arena-text-{day}.csv"
    out = []
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            score = float(r.get("arena_score") or r.get("arena_elo"))
            plus, minus = (r["95_pct_ci"].replace(" ", "").split("/") + ["", ""])[:2]
            out.append({"name": r["model"], "score": score, "rank": int(r["rank"]), "org": r["organization"],
                        "hi": score + float(plus), "lo": score + float(minus)})
    return out


def catalog_board(shared: Path, day: str, category: str = "full") -> list[dict]:
    data = json.loads((shared / "arena" / "catalog" / f"leaderboard-text-{day}.json").read_text(encoding="utf-8"))
    return [{"name": k, "score": v["rating"], "lo": v["rating_q025"], "hi": v["rating_q975"], "rank": None,
             "org": None} for k, v in data.get(category, {}).items()]


def board(shared: Path, source: str, day: str, category: str = "full") -> list[dict]:
    if source == "arena-csv":
        rows = csv_board(shared, day)
    elif source == "arena-catalog":
        rows = catalog_board(shared, day, category)
    elif source == "arena-history":
        rows = list(_history(shared).get(day, []))
    else:
        raise ValueError(source)
    return sorted(rows, key=lambda r: -r["score"])


def csv_dates(shared: Path) -> list[str]:
    return sorted(re.search(r"(\d{4}-\d{2}-\d{2})", p.name)[1]
                  for p in (shared / "arena" / "snapshots").glob("arena-text-*.csv"))


def catalog_dates(shared: Path) -> list[str]:
    return sorted(re.search(r"(\d{4}-\d{2}-\d{2})", p.name)[1]
                  for p in (shared / "arena" / "catalog").glob("leaderboard-text-*.json"))


def overlap(a: dict, b: dict) -> bool | None:
    if None in (a["lo"], a["hi"], b["lo"], b["hi"]):
        return None
    return max(a["lo"], b["lo"]) <= min(a["hi"], b["hi"])
