"""Arena categories: `top coding`, `gap us china coding`, `race chinese prompts`,
checked against the raw catalog releases; autocomplete offers them."""
from __future__ import annotations

import pytest
import raw_arena

from bot.domain.categories import find_category, spelling
from bot.engine import Caller

MEMBER = Caller(user_id="42", name="member")


@pytest.mark.parametrize("category", ["coding", "math", "creative_writing"])
def test_top_all_in_a_category_is_the_raw_catalog_board(engine, shared, category):
    day = raw_arena.catalog_dates(shared)[-1]
    raw = raw_arena.board(shared, "arena-catalog", day, category)
    r = engine.handle(f"top 10 {spelling(category)} all", MEMBER)
    assert r.status == "ok" and r.data["category"] == category and r.data["as_of"] == day
    assert [x["key"] for x in r.data["rows"]] == [x["name"] for x in raw[:10]]
    assert f"({category.replace('_', ' ')} category)" in r.text
    for row, x in zip(r.data["rows"], raw):
        assert row["score"] == pytest.approx(x["score"], abs=0.01)


def test_gap_in_a_category_names_it_and_judges_ties_by_the_catalog_intervals(engine, shared):
    r = engine.handle("gap us china coding", MEMBER)
    assert r.data["category"] == "coding" and "(coding category)" in r.text.splitlines()[0]
    last = r.data["latest"]
    raw = {x["name"]: x for x in raw_arena.board(shared, "arena-catalog", last["date"], "coding")}
    overlap = raw_arena.overlap(raw[last["a_key"]], raw[last["b_key"]])
    assert r.data["verdict"] == ("tied" if overlap else "leads")
    assert all(p["source"] == "arena-catalog" for p in r.data["series"])  # only the catalog has categories


def test_race_in_a_language_category(engine, shared):
    day = raw_arena.catalog_dates(shared)[-1]
    raw = raw_arena.board(shared, "arena-catalog", day, "chinese")
    r = engine.handle("race chinese all", MEMBER)
    assert r.data["category"] == "chinese" and "chinese category" in r.text
    assert r.data["ranking"][0][4] == raw[0]["name"]
    # bare "chinese" in `top` still means China's models
    t = engine.handle("top 5 chinese", MEMBER)
    assert t.data["category"] == "full" and {x["country"] for x in t.data["rows"]} == {"China"}


def test_autocomplete_offers_every_category_and_each_choice_parses_back(engine):
    read = engine.read_model()
    choices = engine.complete("category", "")
    assert "coding" in choices and "math" in choices and "chinese prompts" in choices
    for c in read.categories():
        assert find_category(read, spelling(c)) == c
    assert engine.complete("category", "cod") == ["coding"]


def test_math_is_the_arena_category_and_the_benchmark_by_its_full_name(engine):
    assert engine.handle("top 3 math", MEMBER).data["category"] == "math"
    assert engine.handle("top 3 math level 5", MEMBER).data["metric"] == "MATH level 5"
    bad = engine.handle("top 3 gpqa coding", MEMBER)
    assert bad.status == "usage"
