"""The held-out question set is well formed, and its scorer matches facts by its stated rules.

(No accuracy floor here: this only checks the file and the matching, never the reader.)
"""
from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.reply import Field, Reply

ROOT = Path(__file__).resolve().parents[2]


def _scorer():
    spec = importlib.util.spec_from_file_location("heldout_score", ROOT / "scripts" / "heldout_score.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("heldout_score", mod)
    spec.loader.exec_module(mod)
    return mod


hs = _scorer()


def test_the_file_has_enough_questions_in_every_style():
    qs = hs.load()
    assert len(qs) >= 150
    ids = [q.id for q in qs]
    assert len(set(ids)) == len(ids), [i for i, n in Counter(ids).items() if n > 1]
    styles = Counter(q.style for q in qs)
    assert set(styles) == set(hs.STYLES)
    assert min(styles.values()) >= 30, styles
    assert len({q.question.strip().lower() for q in qs}) == len(qs), "a question appears twice"
    for q in qs:
        assert q.question.strip(), q.id
        assert q.must or q.must_not, f"{q.id} checks nothing"
        assert q.note.strip(), f"{q.id} has no note"


def test_the_file_has_the_columns_the_scorer_reads():
    header = (ROOT / "tests" / "data" / "heldout_questions.csv").read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split(",")) == hs.COLUMNS


@pytest.mark.parametrize("text, fact, found", [
    ("Gemini-3-Pro 1,487", "Gemini 3 Pro", True),
    ("claude-opus-4-5-20251101-thinking", "Opus 4.5", True),
    ("GPT-5.1 (high)", "gpt-5.1", True),
    ("GPT-5.12", "GPT-5.1", False),
    ("rated 1,487 today", "1,487", True),
    ("rated 1,4870", "1,487", False),
    ("AI Index: 1.70% in 2025-02", "1.7", True),
    ("1.75%", "1.7", False),
    ("11.7", "1.7", False),
    ("1,400 or 140", "40", False),
    ("US 40 models", "40", True),
    ("$25.00 output", "25", True),
    ("$25.50 output", "25", False),
    ("blended $0.262", "$0.262", True),
    ("Top 10: United States 7, China 3.", "China 3", True),
    ("671B parameters", "671B", True),
    ("1671B parameters", "671B", False),
])
def test_facts_are_matched_by_the_stated_rules(text, fact, found):
    assert hs.contains(text, fact) is found


def test_the_whole_reply_counts_and_buttons_do_not():
    page2 = Reply(text="second page names GLM-4.6")
    reply = Reply(text="**Gemini-3-Pro** leads", title="Top", fields=[Field("Organisation", "Google"), Field("Elo", "1,487")],
                  footer="as of 2025-12-11", pages=[page2], suggestions=["top 1 ERNIE 5.0"])
    q = hs.Question("t1", "casual", "who leads", ["Gemini 3 Pro", "1,487", "GLM-4.6", "2025-12-11", "Organisation: Google"], ["ERNIE"], "n")
    result = hs.score(q, reply)
    assert result.passed, (result.missing, result.forbidden)
    q2 = hs.Question("t2", "casual", "who leads", ["ERNIE 5.0"], ["GLM-4.6"], "n")
    result2 = hs.score(q2, reply)
    assert result2.missing == ["ERNIE 5.0"] and result2.forbidden == ["GLM-4.6"]
