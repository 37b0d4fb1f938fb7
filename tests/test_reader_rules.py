"""The reader's rules, each on its own: a question that reaches the rule
builds the expected command line, and the rules before it let it through;
every rule in ``RULES`` has an example here. And the whole test set reads as
recorded (``tests/data/questions_readings.json``): a change to the rules that
changes any reading shows as a diff of that file (rewrite it with
``RACEBOT_WRITE_READINGS=1`` and review the diff)."""
from __future__ import annotations

import csv
import json
import os
from datetime import date
from pathlib import Path

import pytest

from bot.caller import LOCAL_OPERATOR
from bot.commands.ask import lexicon_for
from bot.reader import read
from bot.reader.parts import Parts
from bot.reader.question import Question
from bot.reader.rules import RULES, Built, Rule, first_rule

TODAY = date(2025, 9, 15)
DATA = Path(__file__).parent / "data"
RECORDED = DATA / "questions_readings.json"


@pytest.fixture(scope="module")
def lex(engine):
    return lexicon_for(engine.context(LOCAL_OPERATOR))


def reach(lex, question: str) -> tuple[Rule, Built]:
    q = Question.parse(question, lex, TODAY)
    return first_rule(q, Parts.of(q))


# rule name -> (question, command line it builds); None: no command answers it
EXAMPLES: dict[str, tuple[str, str | None]] = {
    "changes": ("what changed since march 2025", "changes since 2025-03-01"),
    "help": ("what can you do", "help"),
    "sources": ("where does your data come from", "sources"),
    "about_data": ("what is chatbot arena", "sources"),
    "index_facts": ("what does the ai index say about investment", "facts investment"),
    "records": ("when did china first enter the top 10", "records China top 10"),
    "price_fall": ("how much have prices fallen", "cheapest"),
    "rank_gap": ("gap between #1 and #5", "frontier 5"),
    "compare": ("gpt-4o vs deepseek r1", "compare GPT-4o (Mar 2025) vs DeepSeek-R1"),
    "price": ("how much does gpt-4o cost", "price GPT-4o (Mar 2025)"),
    "aspect": ("how big is llama 3.1 405b", "model Llama 3.1-405B"),
    "model_rank": ("is gpt-4o the best model?", "model GPT-4o (Mar 2025)"),
    "model": ("gpt-4o", "model GPT-4o (Mar 2025)"),
    "small": ("smallest model above 1400 elo", "small 1400 arena"),
    "cheap": ("cheapest model above 1400 elo", "cheapest 1400"),
    "depth": ("how many chinese models are in the top 20", "depth 20"),
    "count": ("how many models did china release in 2024", "count 2024 China"),
    "gap_two": ("us vs china", "gap United States vs China"),
    "gap_one": ("is china catching up", "gap China"),
    "compute": ("how fast is training compute growing", "compute"),
    "trend_gap": ("us china trend", "gap United States vs China"),
    "frontier": ("how close are the top 10 models", "frontier 10"),
    "race": ("which country leads the ai race", "race"),
    "biggest": ("largest model ever", None),
    "explain": ("what is gpqa", None),
    "leader": ("best open model from france", "top 1 open France"),
    "timeline": ("history of deepseek", "timeline DeepSeek"),
    "releases": ("when did anthropic release models", "timeline Anthropic"),
    "facts": ("ai headline figures", "facts"),
    "org": ("openai", "org OpenAI"),
    "country": ("how is france doing in ai", "country France"),
    "family_org": ("tell me about deepseek", "org DeepSeek"),
    "two_sides": ("us china", "gap United States vs China"),
    "access": ("open weights", "top 5 open"),
    "nothing_else": ("asdfghjkl", None),
}


def test_every_rule_has_an_example_and_names_are_unique():
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    assert set(names) == set(EXAMPLES)
    assert RULES[-1].applies is not None and RULES[-1].intent == "unknown"  # the last rule takes anything


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_each_rule_on_its_own(lex, name):
    question, command = EXAMPLES[name]
    rule = next(r for r in RULES if r.name == name)
    q = Question.parse(question, lex, TODAY)
    p = Parts.of(q)
    assert rule.applies(q, p), question
    assert rule.build(q, p).command == command
    first, _built = reach(lex, question)
    assert first.name == name, f"{question!r} is taken by {first.name} before {name}"


def test_a_rule_that_does_not_apply_says_so(lex):
    q = Question.parse("gpt-4o vs deepseek r1", lex, TODAY)
    p = Parts.of(q)
    for name in ("changes", "help", "sources", "depth", "count", "race", "nothing_else"):
        rule = next(r for r in RULES if r.name == name)
        assert rule.applies(q, p) is (name == "nothing_else"), name


def _readings(lex) -> dict[str, list]:
    rows = list(csv.DictReader((DATA / "questions.csv").open(encoding="utf-8")))
    out = {}
    for row in rows:
        r = read(row["question"], lex, today=TODAY)
        out[row["question"]] = [r.intent, r.command, r.sure, r.suggestions]
    return out


def test_the_test_set_reads_as_recorded(lex):
    got = _readings(lex)
    if os.environ.get("RACEBOT_WRITE_READINGS"):
        RECORDED.write_text(json.dumps(got, indent=0, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    want = json.loads(RECORDED.read_text(encoding="utf-8"))
    changed = {q: (want.get(q), got[q]) for q in got if want.get(q) != got[q]}
    assert changed == {}
    assert len(got) >= 430
