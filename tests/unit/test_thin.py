"""Series cut to what a chart can show (bot.commands.thin)."""
from __future__ import annotations

import random

from bot.commands.thin import MAX_POINTS, source_runs, thin


def points(n: int, rnd: random.Random) -> list[dict]:
    src = "arena-history"
    out = []
    for i in range(n):
        if rnd.random() < 0.003:
            src = rnd.choice(["arena-csv", "arena-history", "arena-catalog"])
        out.append({"date": f"{1000 + i:04d}-01-01", "source": src, "pct": rnd.gauss(0, 5)})
    return out


def test_a_series_within_the_limit_comes_back_as_it_is():
    ps = points(MAX_POINTS, random.Random(1))
    assert thin(ps, lambda p: p["pct"]) is ps
    assert source_runs(ps) is ps


def test_a_long_series_keeps_its_ends_extremes_and_source_changes():
    for seed in range(20):
        rnd = random.Random(seed)
        ps = points(rnd.randint(MAX_POINTS + 1, 12 * MAX_POINTS), rnd)
        out = thin(ps, lambda p: p["pct"], source=lambda p: p["source"])
        assert len(out) <= MAX_POINTS + 2
        assert out[0] is ps[0] and out[-1] is ps[-1]
        assert [p["date"] for p in out] == sorted(p["date"] for p in out)  # in order, a subset
        assert all(p in ps for p in out[:5])
        assert max(ps, key=lambda p: p["pct"]) in out and min(ps, key=lambda p: p["pct"]) in out
        changes = [p for i, p in enumerate(ps) if i and p["source"] != ps[i - 1]["source"]]
        assert all(p in out for p in changes)
        # the source marks read the same changes from the cut list
        runs = source_runs(ps)
        assert [p for i, p in enumerate(runs) if i and p["source"] != runs[i - 1]["source"]] == changes


def test_every_slice_keeps_its_own_extremes():
    ps = [[f"d{i:06d}", float(i % 97), "m"] for i in range(10 * MAX_POINTS)]
    out = thin(ps, lambda p: p[1])
    kept = {p[0] for p in out}
    slices = (MAX_POINTS - 2) // 2
    size = len(ps) / slices
    for k in range(slices):
        part = ps[int(k * size):int((k + 1) * size)]
        assert max(part, key=lambda p: p[1])[0] in kept or any(p[1] == max(q[1] for q in part) and p[0] in kept
                                                                for p in part)
