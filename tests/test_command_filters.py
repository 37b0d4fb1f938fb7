"""The filters the question reader needed, on the commands themselves:
count for one country, region or organisation; small against a model's
best; top for a region, a multi-word organisation and a size bound; gap of
one organisation against the leading one."""
from __future__ import annotations

from bot.engine import Caller
from bot.domain.regions import EUROPE

MEMBER = Caller(user_id="42", name="member")


def notable(engine, year, pred):
    return sum(1 for m in engine.read_model().visible_models() if m["origin"] in ("epoch", "moderator")
               and (m["release_date"] or "").startswith(year) and pred(m))


def test_count_one_country_in_one_year(engine):
    r = engine.handle("count 2024 china", MEMBER)
    assert r.status == "ok" and r.data["who"] == "China" and r.data["by"] == "organization"
    assert r.data["total"] == notable(engine, "2024", lambda m: m["country"] == "China")


def test_count_a_region_and_an_organisation(engine):
    r = engine.handle("count 2024 europe", MEMBER)
    assert r.data["total"] == notable(engine, "2024", lambda m: m["country"] in EUROPE)
    r = engine.handle("count 2023 openai", MEMBER)
    oid = next(m["org_id"] for m in engine.read_model().models.values() if m["org_name"] == "OpenAI")
    assert r.data["who"] == "OpenAI" and r.data["total"] == notable(engine, "2023", lambda m: m["org_id"] == oid)


def test_count_unknown_word_is_usage(engine):
    r = engine.handle("count 2024 narnia", MEMBER)
    assert r.status == "usage" and "narnia" in r.text


def test_small_against_a_models_best_arena_score(engine):
    r = engine.handle("small gpt-4", MEMBER)
    read = engine.read_model()
    rival = next(m for m in read.models.values() if m["name"] == r.data["rival"])
    assert r.data["threshold"] == max(x.score for x in read.model_history(rival["id"]))
    winner = r.data["record"][-1]
    assert winner[3] >= r.data["threshold"]


def test_small_against_a_model_without_that_score_says_so(engine):
    r = engine.handle("small gpt-4o gpqa", MEMBER)
    assert r.status == "usage" and "no GPQA diamond score" in r.text


def test_small_threshold_still_works_next_to_model_words(engine):
    assert engine.handle("small 60% gpqa", MEMBER).data["threshold"] == 60


def test_top_region_multiword_org_and_size(engine):
    read = engine.read_model()
    r = engine.handle("top 5 europe", MEMBER)
    assert r.data["rows"] and all(x["country"] in EUROPE for x in r.data["rows"])
    r = engine.handle("top 3 Mistral AI", MEMBER)
    assert r.data["rows"] and all(x["organization"] == "Mistral AI" for x in r.data["rows"])
    r = engine.handle("top 5 under 10B", MEMBER)
    ids = {x.arena_name: x.model_id for x in read.board(r.data["as_of"])}
    assert r.data["rows"] and all(0 < read.models[ids[x["model"]]]["parameters"] <= 1e10 for x in r.data["rows"])
    r = engine.handle("top 5 over 100B gpqa", MEMBER)
    assert r.data["rows"]


def test_gap_of_one_organisation_is_against_the_leading_one(engine):
    read = engine.read_model()
    leader = read.board(read.latest)[0].organization
    r = engine.handle("gap anthropic", MEMBER)
    assert {r.data["x"], r.data["y"]} == {leader, "Anthropic"}
    r = engine.handle(f"gap {leader}", MEMBER)
    assert leader in (r.data["x"], r.data["y"]) and r.data["x"] != r.data["y"]
