"""Lookup: what people type (realistic misspellings of models people ask
about) resolved by the project's index, beside the standard library's
``difflib.get_close_matches`` on the same names, on the seed and on a large
synthetic index."""
from __future__ import annotations

import difflib
import random
import string
import time
from typing import Any

from benchmarks.common import QUICK, pct


def misspell(name: str, rnd: random.Random) -> str:
    """A realistic misspelling: a dropped, doubled, swapped or wrong letter,
    lost hyphens, changed case or swapped words."""
    kind = rnd.choice(["drop", "double", "swap", "sub", "hyphens", "case", "words"])
    s = name
    letters = [i for i, c in enumerate(s) if c.isalpha()]
    if kind == "drop" and len(letters) > 4:
        i = rnd.choice(letters[1:])
        s = s[:i] + s[i + 1:]
    elif kind == "double" and letters:
        i = rnd.choice(letters)
        s = s[:i] + s[i] + s[i:]
    elif kind == "swap" and len(letters) > 3:
        i = rnd.choice(letters[:-1])
        if i + 1 < len(s):
            s = s[:i] + s[i + 1] + s[i] + s[i + 2:]
    elif kind == "sub" and letters:
        i = rnd.choice(letters[1:] or letters)
        s = s[:i] + rnd.choice(string.ascii_lowercase) + s[i + 1:]
    elif kind == "hyphens":
        s = s.replace("-", " ") if "-" in s else s.replace(" ", "")
    elif kind == "case":
        s = s.lower() if rnd.random() < 0.5 else s.upper()
    elif kind == "words" and " " in s:
        w = s.split()
        rnd.shuffle(w)
        s = " ".join(w)
    return s


def bench_lookup(engine) -> dict[str, Any]:
    from bot.lookup import Entry, Index

    idx = engine.model_index
    # a seed that was never used while developing the lookup, so the figure is not tuned to it
    rnd = random.Random(9001)
    known = [e for e in idx.entries.values() if e.weight >= 1]  # models people ask about (on Arena)
    sample = [rnd.choice(known) for _ in range(300)]
    queries = [(misspell(e.name, rnd), e.name) for e in sample]
    names = [e.name for e in idx.entries.values()]
    lower = {n.lower(): n for n in names}

    def ours(q):
        m = idx.resolve(q)
        return m.entry.name if m.found else None

    def stdlib(q):
        hits = difflib.get_close_matches(q.lower(), list(lower), n=1, cutoff=0.6)
        return lower[hits[0]] if hits else None

    ours_t, std_t, ours_ok, std_ok, ours_wrong = [], [], 0, 0, 0
    for q, want in queries:
        t0 = time.perf_counter()
        got = ours(q)
        ours_t.append((time.perf_counter() - t0) * 1000)
        ours_ok += got == want
        ours_wrong += got is not None and got != want
        t0 = time.perf_counter()
        got = stdlib(q)
        std_t.append((time.perf_counter() - t0) * 1000)
        std_ok += got == want
    # 100,000 synthetic names
    big_names = synthetic_names(20_000 if QUICK else 100_000)
    big = Index([Entry(i, n) for i, n in enumerate(big_names)])
    brnd = random.Random(7)
    bq = [(misspell(n, brnd), n) for n in brnd.sample(big_names, 200)]
    big_t, big_ok = [], 0
    for q, want in bq:
        t0 = time.perf_counter()
        m = big.resolve(q)
        big_t.append((time.perf_counter() - t0) * 1000)
        big_ok += (m.found and m.entry.name == want) or want in [s for s, _ in m.suggestions]
    big_lower = [n.lower() for n in big_names]
    big_std_t = []
    for q, _want in bq[:10]:  # difflib is too slow for more at this size
        t0 = time.perf_counter()
        difflib.get_close_matches(q.lower(), big_lower, n=1, cutoff=0.6)
        big_std_t.append((time.perf_counter() - t0) * 1000)
    return {
        "lookup_queries": len(queries),
        "lookup_seed_p50_ms": pct(ours_t, 50), "lookup_seed_p99_ms": pct(ours_t, 99),
        "lookup_seed_top1": ours_ok / len(queries), "lookup_seed_wrong": ours_wrong / len(queries),
        "difflib_seed_p50_ms": pct(std_t, 50), "difflib_seed_p99_ms": pct(std_t, 99),
        "difflib_seed_top1": std_ok / len(queries),
        "lookup_big_p50_ms": pct(big_t, 50), "lookup_big_p99_ms": pct(big_t, 99),
        "lookup_big_found_or_suggested": big_ok / len(bq),
        "difflib_big_p50_ms": pct(big_std_t, 50), "lookup_big_names": len(big_names),
    }


def synthetic_names(n: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    stems = ["Nova", "Atlas", "Orion", "Lumen", "Vega", "Kite", "Sable", "Quill", "Ember", "Tundra", "Helix",
             "Zenith", "Cobalt", "Prism", "Mosaic", "Falcon"]
    out: set[str] = set()
    while len(out) < n:
        out.add(f"{rnd.choice(stems)}{rnd.choice(['', '-', ' '])}{rnd.randint(1, 9)}.{rnd.randint(0, 9)}"
                f"-{rnd.choice([1, 3, 7, 8, 13, 34, 70, 405])}B-{''.join(rnd.choices(string.ascii_lowercase, k=4))}")
    return sorted(out)
