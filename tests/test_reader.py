"""The question reader: questions as community members type them, each with
its expected reading; a property test that a number inside a model name is
never read as a threshold; and `ask` end to end, answering the asked thing."""
from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.caller import LOCAL_OPERATOR, Caller
from bot.commands.ask import lexicon_for, UNSURE
from bot.reader import Lexicon, read, tokenise
from bot.commands.registry import find

MEMBER = Caller(user_id="42", name="member")
TODAY = date(2025, 9, 15)  # "this year", "last month" in the table are read against this day
TABLE = Path(__file__).parent / "data" / "questions.csv"
QUESTIONS = list(csv.DictReader(TABLE.open(encoding="utf-8")))


@pytest.fixture(scope="module")
def lex(engine) -> Lexicon:
    return lexicon_for(engine.context(LOCAL_OPERATOR))


def test_the_table_is_big_and_varied():
    assert len(QUESTIONS) >= 200
    intents = {q["intent"] for q in QUESTIONS}
    assert len(intents) >= 20
    # several phrasings per intent, not one
    for intent in intents - {"help", "sources"}:
        assert sum(q["intent"] == intent for q in QUESTIONS) >= 2, intent
    assert len({q["question"].lower() for q in QUESTIONS}) == len(QUESTIONS)


@pytest.mark.parametrize("row", QUESTIONS, ids=[q["question"][:50] for q in QUESTIONS])
def test_reading(lex, row):
    r = read(row["question"], lex, today=TODAY)
    if row["intent"] == "unsure":
        assert not r.sure, (r.intent, r.command)
        assert 1 <= len(r.suggestions) <= 3
        return
    assert r.sure, (r.intent, r.command, r.unknown)
    assert (r.intent, r.command) == (row["intent"], row["command"])


# -- tokens -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, tokens", [
    ("is the u.s. ahead?", ["is", "the", "usa", "ahead"]),
    ("OpenAI's best", ["openai", "best"]),
    ("gpt4o vs claude??", ["gpt4o", "vs", "claude"]),
    ("above 60% on mmlu", ["above", "60", "pct", "on", "mmlu"]),
    ("cheaper than $1", ["cheaper", "than", "1", "usd"]),
    ("1300+ elo", ["above", "1300", "elo"]),
    ("#1 in 2025-02 🔥", ["number", "1", "in", "date:2025-02"]),
    ("🇨🇳 vs 🇺🇸", ["flag:cn", "vs", "flag:us"]),  # flags are read as their countries
    ("🇦🇶 models", ["models"]),             # a flag the reader does not know is dropped like any emoji
])
def test_tokenise(text, tokens):
    assert tokenise(text) == tokens


# -- quantities with units, times ---------------------------------------------------------------------
@pytest.mark.parametrize("question, kind, value, op", [
    ("smallest model above 1400 elo", "elo", 1400, ">="),
    ("smallest model with 60% on mmlu", "pct", 60, "="),
    ("best model under 10B parameters", "params", 1e10, "<="),
    ("best model with fewer than 7 billion params", "params", 7e9, "<="),
    ("models cheaper than $1", "usd", 1, "<="),
    ("top 5 open models", "n", 5, "="),
    ("top ten models", "n", 10, "="),
])
def test_quantities_keep_their_unit(lex, question, kind, value, op):
    qs = read(question, lex, today=TODAY).quantities
    assert [(q.kind, q.value, q.op) for q in qs] == [(kind, value, op)]


@pytest.mark.parametrize("question, kind, raw", [
    ("best model this year", "asof", "2025"),
    ("best model last month", "asof", "2025-08"),
    ("what changed since 2024", "since", "2024"),
    ("who led in feb 2025", "asof", "2025-02"),
    ("who led in march", "asof", "2025-03"),
    ("who led in november", "asof", "2024-11"),
    ("best model before 2025", "asof", "2024-12-31"),
    ("best open model at the end of 2024", "asof", "2024-12"),
    ("who leads as of 2025-02-10", "asof", "2025-02-10"),
    ("who led 3 months ago", "asof", "2025-06-17"),
    ("the best model a year ago", "asof", "2024-09-15"),
    ("who led on march 30 2025", "asof", "2025-03-30"),
    ("best model on 5th may 2024", "asof", "2024-05-05"),
])
def test_times(lex, question, kind, raw):
    t = read(question, lex, today=TODAY).time
    assert t is not None and (t.kind, t.raw) == (kind, raw)


def test_right_now_is_no_date(lex):
    r = read("what's the best model right now", lex, today=TODAY)
    assert r.time is None and r.command == "top 1"


# -- a number inside a model name is never a threshold ---------------------------------------------------
def _names_with_numbers(engine) -> list[str]:
    """Names people type: Arena names and Epoch names with a digit, without
    parenthesised dates (nobody types "GPT-4o (Mar 2025)")."""
    read = engine.read_model()
    arena = {r.arena_name for rows in read.by_date.values() for r in rows}
    epoch = {m["name"] for m in read.visible_models() if m["origin"] == "epoch" and m["release_date"]
             and m["release_date"] >= "2022"}
    names = sorted(n for n in arena | epoch if re.search(r"\d", n) and "(" not in n and len(n) <= 40)
    return names


PREFIXES = ["", "what's the smallest model that beats", "how big is", "is", "who makes", "smallest model better than",
            "how does", "compare", "when was", "tell me about", "cheapest model as good as", "best model like"]
SUFFIXES = ["", "?", "??", "vs claude", "right now", "on arena", "better than claude", "size", "score on gpqa",
            "released", "🔥"]


def _spellings(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from([name, name.lower(), name.replace("-", " "), name.lower().replace("-", ""),
                            name.replace(".", " ").lower() if False else name.lower().replace(" ", "-")])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_number_inside_a_model_name_is_never_a_threshold(engine, lex, data):
    name = data.draw(st.sampled_from(_names_with_numbers(engine)))
    spelled = data.draw(_spellings(name))
    question = " ".join(x for x in (data.draw(st.sampled_from(PREFIXES)), spelled,
                                    data.draw(st.sampled_from(SUFFIXES))) if x)
    r = read(question, lex, today=TODAY)
    assert r.quantities == [], (question, r.quantities, r.found)
    assert r.time is None, (question, r.time)
    # and a real threshold next to it is read as exactly that
    r2 = read(question + " above 1400 elo", lex, today=TODAY)
    assert [(q.kind, q.value) for q in r2.quantities] == [("elo", 1400)], (question, r2.quantities)


@pytest.mark.parametrize("question, model", [
    ("what's the smallest model that beats gpt-4?", "GPT-4"),
    ("smallest model as good as llama 3.1 405b", "Llama 3.1-405B"),
    ("how big is qwen2.5-72b", "Qwen2.5-72B"),
    ("o3 vs claude 3.5 sonnet", "o3"),
])
def test_named_models_come_first(lex, question, model):
    r = read(question, lex, today=TODAY)
    assert r.quantities == []
    assert any(f.kind == "model" and f.value.startswith(model) for f in r.found)


# -- speed is measured in `make bench`; here only that reading is pure ---------------------------------------
def test_reading_is_deterministic(lex):
    for row in QUESTIONS[:50]:
        a, b = read(row["question"], lex, today=TODAY), read(row["question"], lex, today=TODAY)
        assert a.to_dict() == b.to_dict()


# -- ask, end to end: the answer is about the asked thing ----------------------------------------------------
def ask(engine, question):
    return engine.handle(f"ask {question}", MEMBER)


def test_best_model_from_france_is_french(engine):
    r = ask(engine, "best model from france")
    assert r.text.startswith("Read as: `!top 1 France`")
    assert r.data["rows"] and all(row["country"] == "France" for row in r.data["rows"])


def test_best_chinese_open_models_are_chinese_and_open(engine):
    r = ask(engine, "top 3 open chinese models??")
    assert len(r.data["rows"]) == 3
    assert all(row["country"] == "China" and row["open"] for row in r.data["rows"])


def test_best_european_model_is_european(engine):
    from bot.domain.regions import EUROPE

    r = ask(engine, "best european model")
    assert r.data["rows"] and r.data["rows"][0]["country"] in EUROPE


def test_who_makes_qwen_says_alibaba(engine):
    r = ask(engine, "who makes qwen?")
    assert r.data["model"]["name"].lower().startswith("qwen")
    assert r.data["model"]["organization"] == "Alibaba" and "Alibaba" in r.text


def test_how_many_models_china_released_in_2024_is_chinas_count(engine):
    r = ask(engine, "how many models did china release in 2024?")
    read = engine.read_model()
    want = sum(1 for m in read.visible_models() if m["origin"] in ("epoch", "moderator")
               and (m["release_date"] or "").startswith("2024") and m["country"] == "China")
    assert r.data["who"] == "China" and r.data["year"] == "2024" and r.data["total"] == want
    assert f"{want} notable AI models from China in 2024" in r.text


def test_smallest_model_that_beats_gpt4_uses_gpt4_as_the_bar(engine):
    r = ask(engine, "what's the smallest model that beats gpt-4?")
    read = engine.read_model()
    gpt4 = next(m for m in read.models.values() if m["name"] == r.data["rival"])
    assert gpt4["name"].startswith("GPT-4")
    best = max(x.score for x in read.model_history(gpt4["id"]))
    assert r.data["threshold"] == best and r.data["benchmark"] == "arena"
    assert "4.0%" not in r.text


def test_us_ahead_of_china_is_the_us_china_gap(engine):
    r = ask(engine, "is the u.s. ahead of china?")
    assert {r.data["x"], r.data["y"]} == {"United States", "China"}


def test_gpt4o_vs_claude_compares_both(engine):
    r = ask(engine, "gpt4o vs claude??")
    names = [m["name"] for m in r.data["models"]]
    assert len(names) == 2 and names[0].startswith("GPT-4o") and names[1].startswith("Claude")


def test_size_question_answers_the_size(engine):
    r = ask(engine, "how big is llama 3.1 405b")
    assert r.data["model"]["parameters"] == 405e9 and "405B parameters" in r.text


def test_open_model_under_10b_is_small_and_open(engine):
    r = ask(engine, "best open model under 10b")
    read = engine.read_model()
    by_arena = {x.arena_name: x.model_id for x in read.board(r.data["as_of"])}
    assert r.data["rows"]
    for row in r.data["rows"]:
        assert row["open"] and read.models[by_arena[row["model"]]]["parameters"] <= 1e10
    assert "under 10B" in r.text


def test_count_by_country_question(engine):
    r = ask(engine, "which country released the most models in 2024")
    assert r.data["by"] == "country" and r.data["year"] == "2024"


@pytest.mark.parametrize("question, command", [
    ("what happened in the ai race this year", "changes"),
    ("who leads in coding?", "top"),
    ("how much does gpt-4o cost", "price"),
])
def test_a_question_the_bot_cannot_answer_yet_is_said_so(engine, question, command):
    r = ask(engine, question)
    assert r.text.startswith("Read as: `!")
    if r.data.get("answered") is False:
        assert "can't answer that yet" in r.text
        assert "Top 1 model" not in r.text and "leads on Chatbot Arena" not in r.text
    else:  # the command exists in this branch (another helper added it): it answered that question
        assert r.data["command"] == command


def test_unsure_says_so_and_offers_commands(engine):
    r = ask(engine, "what is the meaning of life")
    assert r.text.startswith(UNSURE)
    assert 1 <= len(r.suggestions) <= 3
    assert all(find(s.split()[0]) for s in r.suggestions)
    assert r.data["routed"] is None


def test_suggestions_are_filled_in_from_the_words(engine):
    r = ask(engine, "france pizza recipes")
    assert r.text.startswith(UNSURE)
    assert any("France" in s for s in r.suggestions)


def test_a_question_that_is_exactly_a_command_runs_it(engine):
    for line in ("top 5 open china", "compare gpt-4o vs deepseek r1", "gap us china 2025-02", "count 2024 by country"):
        r = ask(engine, line)
        direct = engine.handle(line, MEMBER)
        assert r.text == direct.text and not r.text.startswith("Read as")


def test_a_command_word_with_plain_words_is_read(engine):
    r = ask(engine, "top models for coding")
    assert r.text.startswith("Read as: `!top 10 coding`")


def test_hostile_and_huge_questions_are_read_quickly_and_safely(engine, lex):
    import time

    for q in ["@everyone who leads?", "<@123> best model", "a " * 5000, "🔥" * 3000, "gpt-4 " * 800, "\x00\u202e"]:
        t0 = time.process_time()
        r = read(q, lex, today=TODAY)
        assert time.process_time() - t0 < 1.0  # CPU time, generous: a cap, not a benchmark
        reply = engine.handle(f"ask {q}", MEMBER)
        for page in [reply, *reply.pages]:
            assert "@everyone" not in page.text and "<@123>" not in page.text and len(page.text) <= 2000
        if q.strip(" a🔥\x00\u202e") == "":
            assert not r.sure and reply.text.startswith(UNSURE)  # nothing asked: nothing answered


def test_an_alias_that_is_a_plain_word_does_not_hijack_a_question(engine):
    r = ask(engine, "about china")  # `about` is an alias of `sources`
    assert r.text.startswith("Read as: `!country China`") and r.data["name"] == "China"
    r = ask(engine, "who")  # ... but a bare alias is still its command
    assert r.data["command"] == "race"


# -- the questions reach the commands of the whole Arena history (depth, categories, prices) -------------
@pytest.mark.parametrize("question, routed, says", [
    ("how many chinese models are in the top 20?", "depth 20", "of the Arena top 20"),
    ("how many chinese models are in the top 20 for coding", "depth 20 coding", "coding category"),
    ("best model for math", "top 1 math", "math category"),                # math: the Arena category
    ("best model at chinese", "top 1 chinese prompts", "chinese category"),  # the language, not China's models
    ("top 3 on math level 5", None, "MATH level 5"),                     # the benchmark by its full name
    ("how much does gpt-4o cost", "price GPT-4o (Mar 2025)", "per million tokens"),
    ("cheapest model above 1400 elo", "cheapest 1400", "rated 1,400 or more"),
])
def test_questions_run_the_arena_commands(engine, question, routed, says):
    r = ask(engine, question)
    assert r.status == "ok", r.text
    if routed is not None:
        assert r.data["routed"] == routed and r.data["answered"] is True, r.text
    assert says in r.text


def test_the_cheapest_model_beating_a_model_uses_its_score_on_the_latest_board(engine, lex):
    view = engine.read_model()
    latest = view.latest
    gpt4 = next(m for m in view.models.values() if m["name"] == "GPT-4 (Mar 2023)")
    score = next(r.score for r in view.board(latest) if r.model_id == gpt4["id"])
    r = ask(engine, "whats the cheapest model that beats gpt-4")
    assert r.data["routed"] == f"cheapest {score:.0f}", r.text


def test_a_count_the_depth_command_cannot_split_says_so(engine):
    # depth counts countries, not open and closed: the bot says it can't, never answers with country counts
    r = ask(engine, "how many open models are in the top 10")
    assert r.data["answered"] is False and "can't answer that yet" in r.text


def test_every_category_the_reader_names_is_one_the_commands_read(engine):
    from bot.reader import words
    from bot.domain.categories import find_category
    read = engine.read_model()
    for said, cat in words.CATEGORIES.items():
        assert find_category(read, cat) in read.categories(), (said, cat)
    for language in words.LANGUAGES:  # as the reader writes it on a command line
        assert find_category(read, f"{language} prompts") == language
