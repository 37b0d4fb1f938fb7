"""The question reader (issue #16): reading one plain question
(``bot.reader.read``) over the reader's test set."""
from __future__ import annotations

import csv
import os
import time
from typing import Any

from benchmarks.common import QUICK, ROOT, pct

QUESTIONS = ROOT / "tests" / "data" / "questions.csv"  # the reader's test set: questions as people type them


def bench_reader(engine, rounds: int | None = None) -> dict[str, Any]:
    """p50/p99 of reading each question of the test set `rounds` times (the
    first reading of each, which fills the fuzzy-match cache, included), in
    wall time and in the reading thread's CPU time."""
    from bot.caller import LOCAL_OPERATOR
    from bot.commands.ask import lexicon_for
    from bot.reader import read

    rounds = rounds or (2 if QUICK else 5)
    questions = [row["question"] for row in csv.DictReader(QUESTIONS.open(encoding="utf-8"))]
    lex = lexicon_for(engine.context(LOCAL_OPERATOR))
    lex._fuzzy_cache.clear()
    ts: list[float] = []
    cpu: list[float] = []  # this thread's CPU time: the reader's own cost, without other processes' turns
    for _ in range(rounds):
        for q in questions:
            c0, t0 = time.thread_time(), time.perf_counter()
            read(q, lex)
            ts.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
    return {"reader_questions": len(questions), "reader_p50_ms": pct(ts, 50), "reader_p99_ms": pct(ts, 99),
            "reader_max_ms": max(ts), "reader_cpu_p50_ms": pct(cpu, 50), "reader_cpu_p99_ms": pct(cpu, 99),
            "load_average_1m": os.getloadavg()[0]}
