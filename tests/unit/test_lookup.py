"""Fuzzy model lookup on the real seed, and on a synthetic index of 100,000 names."""
from __future__ import annotations

import random
import string

import pytest

from bot.lookup import Entry, Index
from bot.domain.normalize import compact

# (what people type, the model it must be) -- typos, missing hyphens, spaces, word order, case
SPELLINGS = [
    ("deepsek r1", "DeepSeek-R1"),
    ("DeepSeek R1", "DeepSeek-R1"),
    ("deepseek-v3", "DeepSeek-V3"),
    ("claude sonnet 3.5", "Claude 3.5 Sonnet"),
    ("claude 3 opus", "Claude 3 Opus"),
    ("clade 3 opus", "Claude 3 Opus"),
    ("llama 3.1 405b", "Llama 3.1-405B"),
    ("Llama-3.1-405B", "Llama 3.1-405B"),
    ("lama 3 70b", "Llama 3-70B"),
    ("gpt-4o mini", "GPT-4o mini"),
    ("gpt4o-mini", "GPT-4o mini"),
    ("o3 mini", "o3-mini"),
    ("qwen2.5 max", "Qwen2.5-Max"),
    ("grok 4", "Grok 4"),
    ("mixtral 8x7b", "Mixtral 8x7B"),
    ("GPT-4o-2024-05-13", "GPT-4o (May 2024)"),       # an Arena name is an alias
    ("Meta-Llama-3.1-405B-Instruct-bf16", "Llama 3.1-405B"),
    ("gemini 2.5 pro", None),  # a family: resolves to one of its versions
]


@pytest.mark.parametrize("typed,expected", SPELLINGS)
def test_spellings_resolve(engine, typed, expected):
    m = engine.model_index.resolve(typed)
    assert m.found, (typed, m.suggestions)
    if expected:
        assert m.entry.name == expected
    else:
        assert compact(typed).replace(".", "") in compact(m.entry.name).replace(".", "")


def test_family_answers_newest_and_lists_the_rest(engine):
    m = engine.model_index.resolve("gpt-4o")
    assert m.status == "family"
    versions = [m.entry, *m.others]
    assert all(v.name.startswith("GPT-4o (") for v in versions) and len(versions) >= 4
    assert m.entry.date == max(v.date for v in versions)


def test_below_threshold_is_did_you_mean(engine):
    for typed in ("gemini", "sonnet 4", "qwen"):
        m = engine.model_index.resolve(typed)
        assert not m.found and m.status == "ambiguous" and 1 <= len(m.suggestions) <= 3


def test_nonsense_finds_nothing(engine):
    m = engine.model_index.resolve("xyzzy plugh")
    assert not m.found


def test_word_prefix_prefers_the_closest_name(engine):
    m = engine.model_index.resolve("llama 3.1")
    assert m.status == "family" and m.entry.name.startswith("Llama 3.1")


def synthetic_names(n: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    stems = ["Nova", "Atlas", "Orion", "Lumen", "Vega", "Kite", "Sable", "Quill", "Ember", "Tundra"]
    out = set()
    while len(out) < n:
        out.add(f"{rnd.choice(stems)}{rnd.choice(['', '-', ' '])}{rnd.randint(1, 9)}.{rnd.randint(0, 9)}"
                f"-{rnd.choice([1, 3, 7, 8, 13, 34, 70, 405])}B-{''.join(rnd.choices(string.ascii_lowercase, k=4))}")
    return sorted(out)


@pytest.mark.slow  # builds an index of 100,000 names: in `make test`, not in `make test-fast`
def test_large_index_still_resolves_typos():
    names = synthetic_names(100_000)
    idx = Index([Entry(i, n) for i, n in enumerate(names)])
    target = names[12345]
    typo = target[:-2] + target[-1] + target[-2]   # swap the last two letters
    m = idx.resolve(typo)
    assert (m.found and m.entry.name == target) or target in [s for s, _ in m.suggestions]
    assert idx.resolve(target.upper()).entry.name == target
