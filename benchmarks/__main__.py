"""``python -m benchmarks [--out BENCHMARKS.md] [--json results.json]``.

``make bench`` runs it; ``make bench-quick`` (``BENCH_QUICK=1``) runs a
smaller version. Builds its own databases in a temporary folder: the seed,
and a synthetic history ten times the seed's."""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from benchmarks.common import QUICK, ROOT, copy_db, machine, read_model


def run(log=print) -> dict[str, Any]:
    from bot.engine import Engine

    from benchmarks import charts, e2e, lookup, memory, reader, refresh, synth, text

    r: dict[str, Any] = {"machine_start": machine(), "quick": QUICK}
    with tempfile.TemporaryDirectory(prefix="racebot-bench-") as tmp:
        tmp = Path(tmp)
        seed_db = tmp / "seed" / "seed.db"
        seed_db.parent.mkdir()
        t0 = time.perf_counter()
        engine = Engine.open(seed_db)
        r["seed_build_s"] = time.perf_counter() - t0
        engine.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        r["db_size_mb"] = sum(p.stat().st_size for p in seed_db.parent.glob("seed.db*")) / 1e6
        t0 = time.perf_counter()
        big_db = tmp / "big" / "big.db"
        r["synthetic"] = synth.build_scaled(seed_db, big_db, 10)
        r["synthetic"]["build_s"] = time.perf_counter() - t0
        huge_db = tmp / "huge" / "huge.db"
        if not QUICK:
            r["synthetic_30x"] = synth.build_scaled(seed_db, huge_db, 30)
        log(f"databases ready: seed, 10x ({r['synthetic']['ratings']:,} ratings)"
            + ("" if QUICK else f" and 30x ({r['synthetic_30x']['ratings']:,})"))

        t0 = time.perf_counter()
        read_model(engine)
        r["read_model_first_s"] = time.perf_counter() - t0
        r["lookup"] = lookup.bench_lookup(engine)
        log("lookup done")
        r["reader"] = reader.bench_reader(engine)
        log("question reader done")
        lines = text.command_lines()
        big = Engine.open(big_db)
        t0 = time.perf_counter()
        read_model(big)
        r["read_model_first_10x_s"] = time.perf_counter() - t0
        # a seed engine as fresh as the others (the lookup and reader benchmarks have used `engine`), so the
        # first calls of the three histories compare like with like
        seed_fresh = Engine.open(copy_db(seed_db, tmp / "text-seed" / "s.db"))
        read_model(seed_fresh)
        scales = [("seed", seed_fresh), ("10x", big)]
        huge = None
        if not QUICK:
            huge = Engine.open(huge_db)
            t0 = time.perf_counter()
            read_model(huge)
            r["read_model_first_30x_s"] = time.perf_counter() - t0
            scales.append(("30x", huge))
        by = text.bench_scales(scales, lines)
        r["text_seed"], r["text_10x"] = by["seed"], by["10x"]
        r["growth"] = text.growth(r["text_seed"], r["text_10x"], read_model(seed_fresh), read_model(big))
        r["growth_10x"] = {k: text.growth_per_10x(r["text_seed"], r["text_10x"], read_model(seed_fresh), read_model(big),
                                                  k) for k in ("p50_ms", "first_ms")}
        if huge is not None:
            r["text_30x"] = by["30x"]
            r["growth_30x"] = {k: text.growth_per_10x(r["text_10x"], r["text_30x"], read_model(big), read_model(huge), k)
                               for k in ("p50_ms", "first_ms")}
            huge.close()
            del huge
        big.close()
        seed_fresh.close()
        del big, seed_fresh
        log(f"text on the seed, 10x{'' if QUICK else ' and 30x'}, interleaved, done ({len(lines)} lines)")

        for name, src in (("seed", seed_db), ("10x", big_db)):
            e = Engine.open(copy_db(src, tmp / f"refresh-{name}" / "r.db"))
            r[f"refresh_{name}"] = refresh.bench_refresh(e)
            e.close()
        log("refresh done")
        for name, src in (("seed", seed_db), ("10x", big_db)):
            r[f"memory_{name}"] = memory.bench_memory(copy_db(src, tmp / f"memory-{name}" / "m.db"))
        log("memory done")

        r["charts"] = charts.bench_charts(engine)
        log("charts done")
        r["first_chart"] = charts.first_after_start(copy_db(seed_db, tmp / "first" / "f.db"))
        log("first chart after start done")
        render_ms = r["charts"]["ours_cold_p50_ms"]
        e2e_db = copy_db(seed_db, tmp / "e2e" / "e2e.db")
        engine.charts.close()
        r["e2e"] = e2e.bench_e2e(e2e_db, engine, render_ms, 0)
        procs = r["e2e"].get("processes_at_peak", [])
        workers = max(0, sum("forkserver" in p["cmd"] for p in procs) - 1)
        r["e2e"]["chart_workers"] = workers
        if workers and render_ms:
            r["e2e"]["ceiling_new_charts_per_s"] = workers * 1000 / render_ms
            r["e2e"]["ceiling_cmds_per_s_charts"] = r["e2e"]["ceiling_new_charts_per_s"] / e2e.MIX["new_chart"]
        log("end to end done")
        engine.close()
    r["machine_end"] = machine()
    return r


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"), help="the report (Markdown)")
    p.add_argument("--json", help="also write every figure as JSON here")
    args = p.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    t0 = time.perf_counter()
    r = run(log=lambda m: print(f"[{time.perf_counter() - t0:6.1f} s] {m}", file=sys.stderr, flush=True))
    r["seconds"] = time.perf_counter() - t0
    r["when"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=1, default=float), encoding="utf-8")
    from benchmarks.report import markdown

    md = markdown(r)
    Path(args.out).write_text(md, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
