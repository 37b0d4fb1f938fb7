"""A synthetic history ten times the seed's, built by the bench.

Every Arena snapshot of the seed is replicated ``factor - 1`` times, each
copy shifted back in time by whole spans of the real history (so dates never
collide and the real snapshots stay the latest), with every rating jittered
(Gaussian, sd 4 Elo) and the ranks of each copied board recomputed. Models,
organisations, benchmark scores and figures are the seed's: what grows is
the Arena history, which is what the race commands read.
"""
from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from benchmarks.common import copy_db


def build_scaled(seed_db: Path, dest: Path, factor: int = 10, rnd_seed: int = 1234) -> dict:
    copy_db(seed_db, dest)
    rnd = random.Random(rnd_seed)
    con = sqlite3.connect(str(dest))
    try:
        cur = con.execute("SELECT * FROM arena_ratings ORDER BY snapshot_date, score DESC")
        cols = [d[0] for d in cur.description]
        rows = cur.fetchall()
        di, si, ri = cols.index("snapshot_date"), cols.index("score"), cols.index("rank")
        dates = sorted({r[di] for r in rows})
        first, last = date.fromisoformat(dates[0]), date.fromisoformat(dates[-1])
        span = (last - first).days + 7
        by_date: dict[str, list[tuple]] = {}
        for r in rows:
            by_date.setdefault(r[di], []).append(r)
        new: list[tuple] = []
        for k in range(1, factor):
            shift = timedelta(days=span * k)
            for d, board in by_date.items():
                nd = (date.fromisoformat(d) - shift).isoformat()
                copied = []
                for r in board:
                    r = list(r)
                    r[di] = nd
                    r[si] = round(r[si] + rnd.gauss(0, 4), 2)
                    copied.append(r)
                copied.sort(key=lambda r: -r[si])
                for i, r in enumerate(copied, 1):
                    r[ri] = i
                new += [tuple(r) for r in copied]
        con.executemany(f"INSERT INTO arena_ratings ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})", new)
        con.execute("INSERT INTO meta (key, value) VALUES ('data_version', '1') "
                    "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")
        con.commit()
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        n = con.execute("SELECT count(*), count(DISTINCT snapshot_date) FROM arena_ratings").fetchone()
    finally:
        con.close()
    return {"ratings": n[0], "snapshots": n[1], "seed_ratings": len(rows), "seed_snapshots": len(dates)}
