"""Unknown means unknown: a model that is not in the data (a version after the
latest board, a size or tier that never was) is refused with close names as
suggestions, never answered by another model. The unknown names are made from
the data itself: every family's highest version, bumped."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from bot.lookup import same_model
from bot.store.freshness import newest_board
from bot.domain.normalize import compact, fold
from tests.test_commands import MEMBER

VERSIONED = re.compile(r"^(\D*?)([1-9]\d*)(?:\.(\d+))?(?!\d|-\d\d(?!\d))")  # not a checkpoint "05-14"


def _bumped_names(names: list[str]) -> list[str]:
    """For every family (the words before a name's first number: "gpt-", "deepseek-v", "claude opus "),
    its highest version bumped: the next minor ("GPT-5.2" after GPT-5.1) and the next major ("GPT-6")."""
    best: dict[str, tuple[int, int]] = {}
    spelt: dict[str, str] = {}
    for name in names:
        m = VERSIONED.match(name)
        if not m or not re.fullmatch(r"[A-Za-z]{2,}[A-Za-z -]*", m.group(1)) or len(m.group(2)) > 2:
            continue  # no family word before the number (or not only words), or a year or size
        fam = fold(m.group(1)).strip()
        v = (int(m.group(2)), int(m.group(3) or 0))
        if v > best.get(fam, (-1, -1)):
            best[fam], spelt[fam] = v, m.group(1)
    out = []
    for fam, (major, minor) in sorted(best.items()):
        out.append(f"{spelt[fam]}{major}.{minor + 1}")
        out.append(f"{spelt[fam]}{major + 1}")
    return out


@pytest.fixture(scope="module")
def unknown_names(engine) -> list[str]:
    idx = engine.model_index
    names = [e.name for e in idx.entries.values()]
    out = []
    for name in _bumped_names(names):
        c = compact(name)
        if c in idx.compact or any(compact(k) == c for k in idx.exact):
            continue  # the bump exists after all (a family with a gap): not an unknown name
        out.append(name)
    assert len(out) >= 30, out  # every family of the data, not a hand list
    return out


def _db_state(engine) -> str:
    h = hashlib.blake2b(digest_size=16)
    for suffix in ("", "-wal"):
        p = Path(str(engine.store.path) + suffix)
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()


def test_bumped_versions_of_every_family_are_never_answered_by_another(engine, unknown_names):
    idx = engine.model_index
    for name in unknown_names:
        m = idx.resolve(name)
        assert not m.found, (name, m.status, m.entry.name if m.entry else None)
        assert len(m.suggestions) <= 3


@pytest.mark.parametrize("command", ["model {}", "compare {} vs o3", "price {}", "small {}", "small {} gpqa"])
def test_commands_refuse_unknown_models_with_suggestions_and_change_nothing(engine, unknown_names, command):
    latest = newest_board(engine.read_model())
    before = _db_state(engine)
    refused = 0
    for name in unknown_names:
        if idx_found(engine, name):
            continue
        r = engine.handle(command.format(name), MEMBER)
        assert r.status == "not_found", (name, r.status, r.text[:200])
        assert "not in my data" in r.text and latest in r.text, r.text
        assert len(r.suggestions) <= 3
        head = command.split("{}")[0]
        assert all(s.startswith(head) for s in r.suggestions), r.suggestions
        refused += 1
    assert refused >= 30
    assert _db_state(engine) == before


def idx_found(engine, name: str) -> bool:
    return engine.model_index.resolve(name).found


@pytest.mark.parametrize("question", ["ask {} when was it released?", "ask is {} better than o3?"])
def test_ask_names_an_unknown_model_as_unknown(engine, unknown_names, question):
    latest = newest_board(engine.read_model())
    for name in unknown_names[::4]:  # a sample: the reader is slower than the lookup
        if idx_found(engine, name):
            continue
        r = engine.handle(question.format(name), MEMBER)
        routed = (r.data or {}).get("routed") or ""
        word, _, rest = routed.partition(" ")
        answered = [x.strip() for x in rest.split(" vs ")] if word in ("model", "compare", "price") else []
        for other in answered:  # never another version of the same family in this one's place
            assert _family(other) != _family(name), (name, other, r.text[:200])
        # it says the name is unknown, or at least answers no model in its place (o3 is named by the question)
        in_place = [a for a in answered if a != "o3"]
        assert ("not in my data" in r.text and latest in r.text) or not in_place, (name, in_place, r.text[:300])


def _family(name: str) -> str | None:
    m = VERSIONED.match(name)
    return fold(m.group(1)).strip() if m else None


@pytest.mark.parametrize("typed,expected", [
    ("deepsek r1", "DeepSeek-R1"), ("claud sonnet 4.5", "Claude Sonnet 4.5"), ("gpt4o", None),
    ("gemni 2.5 flash", "Gemini 2.5 Flash"), ("clade 3 opus", "Claude 3 Opus"),
])
def test_typos_in_name_words_still_resolve(engine, typed, expected):
    m = engine.model_index.resolve(typed)
    assert m.found, (typed, m.suggestions)
    if expected:
        assert m.entry.name == expected
    assert engine.handle(f"model {typed}", MEMBER).status == "ok"


@pytest.mark.parametrize("query,name,same", [
    ("gpt 5.2", "GPT-5.1", False), ("deepseek v4", "DeepSeek-V3", False), ("deepseek r2", "DeepSeek-R1", False),
    ("llama 3.1 7b", "Llama 3.1-70B", False), ("gpt-4o", "GPT-4o mini", False), ("gpt 4o mini", "GPT-4o", False),
    ("gemini 2.5 pro", "Gemini 2.5 Flash", False), ("deepsek r1", "DeepSeek-R1", True),
    ("claud sonet 4.5", "Claude Sonnet 4.5", True), ("gemini 2.5 pro", "Gemini 2.5 Pro (Jun 2025)", True),
    ("grok 4.1 thnking", "Grok 4.1 Thinking", True),
])
def test_what_makes_two_names_different_models(query, name, same):
    assert same_model(query, name) is same
