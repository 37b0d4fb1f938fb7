"""Every command on the real seed: correct, sourced, within Discord's limits."""
from __future__ import annotations

import re

import pytest

from bot.engine import Caller
from bot.reply import (
    CONTENT_LIMIT, EMBED_FIELD_VALUE_LIMIT, EMBED_FIELDS_LIMIT, EMBED_TITLE_LIMIT, EMBED_TOTAL_LIMIT,
)
from bot.domain.measures import pct_gap

MEMBER = Caller(user_id="42", name="member")

EXAMPLES = [
    "help", "help gap", "model deepseek r1", "compare gpt-4o vs deepseek r1", "top", "top 5 open china",
    "top 10 gpqa", "race", "race 2024-09", "gap us china", "gap closed open 2025-02", "gap openai google",
    "frontier", "frontier 5 2025-01", "small", "small 1300 arena", "count", "count 2024 by country",
    "count by sector", "compute", "compute china", "org deepseek", "country china", "timeline openai",
    "facts", "facts investment", "sources", "ask who is winning, the US or China?",
    "ask are open models catching up?", "ask how big is llama 3.1?", "ask is the race tighter than ever?",
]


def assert_within_limits(reply):
    for page in [reply, *reply.pages]:
        assert len(page.text) <= CONTENT_LIMIT
        assert len(page.title or "") <= EMBED_TITLE_LIMIT
        assert len(page.fields) <= EMBED_FIELDS_LIMIT
        assert all(len(f.value) <= EMBED_FIELD_VALUE_LIMIT for f in page.fields)
        total = len(page.title or "") + len(page.description or "") + len(page.footer or "") + sum(
            len(f.name) + len(f.value) for f in page.fields)
        assert total <= EMBED_TOTAL_LIMIT
        assert "Traceback" not in page.text


@pytest.mark.parametrize("line", EXAMPLES)
def test_every_example_answers_with_a_source(engine, line):
    reply = engine.handle(line, MEMBER)
    assert reply.status == "ok", reply.text
    assert_within_limits(reply)
    if not line.startswith("help"):
        assert reply.footer and "Source:" in reply.footer or line == "sources"


@pytest.mark.parametrize("line", [f"!{c}" for c in ("model deepsek r1", "COMPARE gpt4o VS deepseek r1", "Race")])
def test_prefix_and_case(engine, line):
    assert engine.handle(line, MEMBER).status == "ok"


def test_compare_names_both_and_who_leads(engine):
    r = engine.handle("compare gpt-4o vs deepseek r1", MEMBER)
    names = [m["name"] for m in r.data["models"]]
    assert len(names) == 2 and names[1] == "DeepSeek-R1" and names[0].startswith("GPT-4o")
    rated = [m for m in r.data["models"] if m["arena"]]
    best = max(rated, key=lambda m: m["arena"]["score"])
    assert r.data["leads"]["Chatbot Arena"] == best["name"]
    assert best["name"] in r.text


def test_compare_limits(engine):
    assert engine.handle("compare gpt-4o", MEMBER).status == "usage"
    seven = " vs ".join(["gpt-4o", "o3", "grok 4", "claude 3 opus", "deepseek r1", "deepseek v3", "qwen2.5 max"])
    assert engine.handle(f"compare {seven}", MEMBER).status == "usage"


def test_unknown_model_did_you_mean(engine):
    r = engine.handle("model deepseek r7000x", MEMBER)
    assert r.status == "not_found" and "Did you mean" in r.text
    assert r.suggestions and all(s.startswith("model ") for s in r.suggestions)
    r = engine.handle("compare gpt-4o vs gemni", MEMBER)
    assert r.status == "not_found"
    assert all(s.startswith("compare gpt-4o vs ") for s in r.suggestions)


def test_unknown_command_suggests_closest(engine):
    r = engine.handle("comapre gpt-4o vs o3", MEMBER)
    assert r.status == "unknown_command" and "compare" in r.data["did_you_mean"]
    assert "compare gpt-4o vs o3" in r.suggestions


def test_wrong_arguments_show_usage_with_example(engine):
    r = engine.handle("frontier banana", MEMBER)
    assert r.status == "usage" and "Usage:" in r.text and "Example:" in r.text
    r = engine.handle("race 2025-13", MEMBER)
    assert r.status == "usage"


def test_as_of_date_uses_latest_snapshot_on_or_before(engine):
    read = engine.read_model()
    r = engine.handle("top 3 2025-02", MEMBER)
    feb = [d for d in read.dates if d.startswith("2025-02")]
    assert r.data["as_of"] == max(feb)
    r = engine.handle("top 3 as of 2024-09-20", MEMBER)
    assert r.data["as_of"] == max(d for d in read.dates if d <= "2024-09-20")
    r = engine.handle("race 2020", MEMBER)
    assert "No Arena snapshot" in r.text


def test_top_is_sorted_and_filtered(engine):
    r = engine.handle("top 8 open", MEMBER)
    rows = r.data["rows"]
    assert len(rows) == 8 and all(x["open"] for x in rows)
    assert [x["score"] for x in rows] == sorted((x["score"] for x in rows), reverse=True)
    r = engine.handle("top 5 china", MEMBER)
    assert all(x["country"] == "China" for x in r.data["rows"])


def test_gap_matches_its_own_series(engine):
    r = engine.handle("gap us china", MEMBER)
    last = r.data["series"][-1]
    assert last["pct"] == pytest.approx(pct_gap(last["a"], last["b"]), abs=1e-3)
    read = engine.read_model()
    us = read.best(last["date"], lambda x: x.country == "United States")
    cn = read.best(last["date"], lambda x: x.country == "China")
    assert (last["a"], last["b"]) == (us.score, cn.score)
    # reversed sides flip the sign
    rev = engine.handle("gap china us", MEMBER)
    assert rev.data["series"][-1]["elo"] == -last["elo"]


@pytest.mark.parametrize("line,figure", [("gap us china 2025-02", "us_china_gap_arena_2025_02"),
                                         ("gap closed open 2025-02", "open_closed_gap_2025_02")])
def test_cross_check_against_the_ai_index(engine, line, figure):
    """The AI Index 2025: 1.70% in February 2025, for both gaps. The median over
    the February 2025 snapshots must agree within rounding."""
    published = engine.store.one("SELECT value FROM figures WHERE id = ?", [figure])["value"]
    r = engine.handle(line, MEMBER)
    ours = r.data["monthly_median_pct"]["2025-02"]
    assert abs(ours - published) < 0.05, (ours, published)
    assert "AI Index 2025" in r.text and "How it's measured" not in r.text
    assert r.method and "gap = (x − y) ÷ y" in r.method  # the method is said on request, not in the answer


def test_frontier_spreads(engine):
    r = engine.handle("frontier", MEMBER)
    for p in r.data["series"]:
        assert p["top1"] >= p["top2"] >= p["topn"]
        assert p["spread_pct"] == pytest.approx(pct_gap(p["top1"], p["topn"]), abs=1e-3)


def test_race_leader_is_the_top_rated_country(engine):
    r = engine.handle("race", MEMBER)
    read = engine.read_model()
    top = next(x for x in read.board(r.data["as_of"]) if x.country)
    assert r.data["leader"] == top.country


def test_small_records_shrink(engine):
    r = engine.handle("small 40% gpqa", MEMBER)
    sizes = [x[2] for x in r.data["record"]]
    assert sizes == sorted(sizes, reverse=True) and len(sizes) >= 2
    assert all(x[3] >= 40 for x in r.data["record"])


def test_count_matches_the_store(engine):
    r = engine.handle("count 2024 by country", MEMBER)
    n = engine.store.scalar("""SELECT count(*) FROM models WHERE origin IN ('epoch','moderator') AND hidden = 0
                               AND country = 'United States' AND release_date LIKE '2024%'""")
    assert r.data["groups"]["United States"][r.data["years"].index("2024")] == n


def test_compute_doubling_time_is_plausible(engine):
    r = engine.handle("compute", MEMBER)
    assert 3 < r.data["fit"]["doubling_months"] < 12


def test_numbers_are_formatted_for_people(engine):
    r = engine.handle("model llama 3.1 405b", MEMBER)
    assert "405B parameters" in r.text
    assert re.search(r"\d\.\de2\d FLOP", " ".join(f.value for f in r.fields))
    assert re.search(r"\d,\d{3} Elo", r.text)


def test_ask_routes(engine):
    for question, command in [("who is winning, the US or China?", "gap"), ("are open models catching up?", "gap"),
                              ("how big is llama 3.1?", "model"), ("is the race tighter than ever?", "frontier"),
                              ("how many models did china release in 2024?", "count"),
                              ("how small can a strong model be?", "small")]:
        r = engine.handle(f"ask {question}", MEMBER)
        assert r.status == "ok" and r.data.get("routed", "").startswith(command), (question, r.data)


def test_ask_unroutable_is_helpful(engine):
    r = engine.handle("ask what is the meaning of life", MEMBER)
    assert r.status in ("ok", "not_found") and ("gap us china" in r.text or "Did you mean" in r.text)


def test_long_answers_become_pages(engine):
    r = engine.handle("facts 2025", MEMBER)  # the longest edition: every figure on some page
    assert_within_limits(r)
    everything = " ".join(f.value for p in [r, *r.pages] for f in p.fields)
    assert everything.count("AI Index") + everything.count(":") >= engine.store.scalar(
        "SELECT count(*) FROM figures WHERE source_id = ?", [r.data["source"]])


def _edition_count(engine, sid):
    return engine.store.scalar("SELECT count(*) FROM figures WHERE source_id = ?", [sid])


def test_facts_shows_the_newest_edition_and_names_the_others(engine):
    editions = engine.store.query("""SELECT f.source_id, s.as_of FROM figures f JOIN sources s ON s.id = f.source_id
                                     GROUP BY f.source_id ORDER BY s.as_of""")
    assert [e["source_id"] for e in editions] == ["ai-index-2025", "ai-index-2026"]
    r = engine.handle("facts", MEMBER)
    assert r.data["source"] == "ai-index-2026" and r.data["as_of"] == "2026-04-13"
    assert len(r.data["figures"]) == _edition_count(engine, "ai-index-2026")
    assert "AI Index 2026" in r.title and "2026-04-13" in r.footer and "`!facts 2025`" in r.text
    old = engine.handle("facts 2025", MEMBER)
    assert old.data["source"] == "ai-index-2025" and len(old.data["figures"]) == _edition_count(engine, "ai-index-2025")
    assert "AI Index 2025" in old.title and "2025-04-07" in old.footer
    topic = engine.handle("facts 2026 models", MEMBER)
    values = {f["subject"]: f["value"] for f in topic.data["figures"] if f["metric"] == "notable AI models produced"}
    assert values == {"United States": 50, "China": 30, "South Korea": 5}
    bad = engine.handle("facts 2019", MEMBER)
    assert bad.status == "usage" and "2025, 2026" in bad.text


def test_gap_us_china_labels_each_ai_index_figure_with_its_edition(engine):
    r = engine.handle("gap us china", MEMBER)
    refs = {x["period"]: x["source_id"] for x in r.data["reference"]}
    assert refs == {"2024-01": "ai-index-2025", "2025-02": "ai-index-2025", "2026-03": "ai-index-2026"}
    assert "AI Index 2025: 9.26% in 2024-01" in r.text and "AI Index 2025: 1.70% in 2025-02" in r.text
    assert "AI Index 2026: 2.70% in 2026-03 (after our latest snapshot)" in r.text
    assert "AI Index 2025;" in r.footer and "AI Index 2026" in r.footer
    flipped = engine.handle("gap china us", MEMBER)
    # the other direction on the other base: China's gap to the US is -2.7 / 1.027, not -2.7
    assert {x["period"]: x["value"] for x in flipped.data["reference"]}["2026-03"] == pytest.approx(-2.7 / 1.027,
                                                                                                    abs=1e-3)


def test_count_sets_epoch_beside_the_edition_that_counted_that_year(engine):
    r = engine.handle("count 2025 by country", MEMBER)
    assert {x["subject"]: x["value"] for x in r.data["reference"]} == {"United States": 50, "China": 30,
                                                                      "South Korea": 5}
    line = next(x for x in r.text.splitlines() if x.startswith("The AI Index"))
    for country in ("United States", "China", "South Korea"):
        epoch = r.data["groups"][country][r.data["years"].index("2025")] if country in r.data["groups"] else None
        n = engine.store.scalar("""SELECT count(*) FROM models WHERE origin IN ('epoch','moderator') AND hidden = 0
                                   AND country = ? AND release_date LIKE '2025%'""", [country])
        assert epoch in (None, n)
        assert f"(Epoch AI now: {n})" in line.split(country, 1)[1].split(")", 1)[0] + ")"
    assert line.startswith("The AI Index 2026 counted United States 50") and "AI Index 2026" in r.footer
    old = engine.handle("count 2024 by country", MEMBER)
    assert "The AI Index 2025 counted United States 40" in old.text and "AI Index 2026" not in old.footer


def test_hostile_text_never_pings_or_breaks(engine):
    for line in ["model @everyone", "compare <@123> vs @here", "model " + "a" * 5000, "ask ```rm -rf```",
                 "model '; DROP TABLE models; --", "model \u202eevil", "top \x00\x01"]:
        r = engine.handle(line, MEMBER)
        assert_within_limits(r)
        for page in [r, *r.pages]:
            assert "@everyone" not in page.text and "@here" not in page.text and "<@123>" not in page.text
    assert engine.store.scalar("SELECT count(*) FROM models") > 0


def test_gap_with_one_side_measures_against_the_natural_other(engine):
    read = engine.read_model()
    leader = next(r.country for r in read.board(read.latest) if r.country)
    r = engine.handle("gap china", MEMBER)
    assert {r.data["x"], r.data["y"]} == {leader if leader != "China" else r.data["x"], "China"}
    r = engine.handle("gap open", MEMBER)
    assert {r.data["x_key"], r.data["y_key"]} == {"open", "closed"}


def test_ask_reads_a_loose_name_as_the_best_rated_of_its_family(engine):
    r = engine.handle("ask is deepseek better than gpt-4o?", MEMBER)
    assert r.data["routed"].startswith("compare")
    read = engine.read_model()
    deepseek = [m for m in r.data["models"] if m["name"].lower().startswith("deepseek")][0]
    best = max((x for x in read.board(read.latest) if x.model.lower().startswith("deepseek")), key=lambda x: x.score)
    assert deepseek["name"] == best.model


def test_ask_catching_up_is_a_gap_with_the_leader(engine):
    r = engine.handle("ask is france catching up?", MEMBER)
    assert r.data["routed"].startswith("gap") and "France" in (r.data["x"], r.data["y"])


def test_benchmark_words_pick_the_benchmark_they_name(engine):
    assert engine.handle("top 3 math level 5", MEMBER).data["metric"] == "MATH level 5"
    assert engine.handle("top 3 math", MEMBER).data["category"] == "math"  # the Arena category (issue #11)
    assert engine.handle("top 3 gpqa", MEMBER).data["metric"] == "GPQA diamond"
    assert engine.handle("top 3 frontiermath", MEMBER).data["metric"].startswith("FrontierMath")
