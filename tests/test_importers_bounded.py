"""Issue 27, item 4: every importer bounded the same way. One validation for
names, URLs and keys (length, one line, safe characters, no mentions or
links), dates not after tomorrow, numbers finite and in range, and a named
refusal for every malformed file, never "something went wrong". Each file is
tried through chat (`import <kind>` with the file attached) and must leave
the database exactly as it was."""
from __future__ import annotations

import json

import pytest

from bot.engine import Caller

MOD = Caller(user_id="1", name="mod", is_moderator=True)
DAY = "2025-08-01"
ARENA_HEAD = "rank,model,arena_score,95_pct_ci,votes,organization,license\n"


def _price(**over) -> dict:
    rec = {"model_api_name": "brand-new-model", "name": "Brand New Model", "organization": "OpenAI",
           "license": "Proprietary", "input_token_price": 1.0, "output_token_price": 4.0,
           "price_source": "https://openai.com/api/pricing/"}
    return {**rec, **over}


def _catalog(key: str = "brand-new-model", rating=1400.0) -> bytes:
    return json.dumps({"full": {key: {"rating": rating, "rating_q025": 1390.0, "rating_q975": 1410.0}}}).encode()


POISON = [
    # (kind, file name, bytes, what the refusal says)
    ("arena-prices", f"scatterplot-data-{DAY}.json",
     json.dumps([_price(name="```\n@everyone " + "x" * 3000)]).encode(), "name"),
    ("arena-prices", f"scatterplot-data-{DAY}.json",
     json.dumps([_price(name="@everyone look")]).encode(), "mention"),
    ("arena-prices", f"scatterplot-data-{DAY}.json",
     json.dumps([_price(price_source="https://example.com/" + "a" * 5050)]).encode(), "price_source"),
    ("arena-prices", f"scatterplot-data-{DAY}.json",
     json.dumps([_price(organization="[click](https://evil.example)")]).encode(), "link"),
    ("arena-prices", f"scatterplot-data-{DAY}.json", json.dumps([_price(input_token_price=1e23)]).encode(), "price"),
    ("arena-prices", "scatterplot-data-2099-12-31.json", json.dumps([_price()]).encode(), "future"),
    ("arena-catalog", f"leaderboard-text-{DAY}.json", _catalog("https://evil.example/model"), "model key"),
    ("arena-catalog", f"leaderboard-text-{DAY}.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("arena-catalog", f"leaderboard-text-{DAY}.json",
     b'{"full": {"m": {"rating": ' + b"9" * 5000 + b', "rating_q025": 1, "rating_q975": 2}}}', "cannot be read"),
    ("arena-catalog", f"leaderboard-text-{DAY}.json",
     b'{"full": {"m": {"rating": ' + b"9" * 400 + b', "rating_q025": 1, "rating_q975": 2}}}', "rating"),
    ("arena-catalog", "leaderboard-text-2099-12-31.json", _catalog(), "future"),
    ("arena", f"arena-text-{DAY}.csv", (ARENA_HEAD + "1,New-Model,1400,+4/-4,1e23,OpenAI,Proprietary\n").encode(),
     "votes"),
    ("arena", f"arena-text-{DAY}.csv",
     (ARENA_HEAD + "1,New-Model,1400,+4/-4," + "٣" * 5000 + ",OpenAI,Proprietary\n").encode(), "votes"),
    ("arena", f"arena-text-{DAY}.csv", (ARENA_HEAD + "1,New-Model," + "9" * 5000 + ",+4/-4,10,OpenAI,P\n").encode(),
     "arena_score"),
    ("arena", f"arena-text-{DAY}.csv", (ARENA_HEAD + "1,@everyone hi,1400,+4/-4,10,OpenAI,P\n").encode(), "mention"),
    ("arena", "arena-text-2099-12-31.csv", (ARENA_HEAD + "1,New-Model,1400,+4/-4,10,OpenAI,P\n").encode(), "future"),
]


@pytest.mark.parametrize("kind, fname, data, says", POISON, ids=[f"{p[0]}-{i}" for i, p in enumerate(POISON)])
def test_every_importer_refuses_poison_by_name_and_changes_nothing(fresh_engine, kind, fname, data, says):
    e = fresh_engine
    before = e.store.dump()
    r = e.handle(f"import {kind}", MOD, attachments=[(fname, data)])
    assert r.status == "error", r.text[:300]
    assert "went wrong" not in r.text and says in r.text.lower(), r.text[:300]
    assert e.store.dump() == before


def test_the_honest_price_list_still_imports(fresh_engine):
    r = fresh_engine.handle("import arena-prices", MOD,
                            attachments=[(f"scatterplot-data-{DAY}.json", json.dumps([_price()]).encode())])
    assert r.status == "confirm", r.text


def test_project_refuses_negative_parameters_and_long_urls(fresh_engine):
    e = fresh_engine
    before = e.store.dump()
    head = ("name,organization,country,countries,sector,release_date,domain,parameters,active_parameters,"
            "parameters_url,parameters_disclosed,training_compute,training_cost,access,licence,frontier,origin,"
            "hidden,source\n")
    for row, says in ((f"Neg Model,OpenAI,United States,,,{DAY},Language,-7e9,,,,,,,,,,,\n", "negative"),
                      (f"Url Model,OpenAI,United States,,,{DAY},Language,7e9,,https://x.example/{'a' * 600},,,,,,,,,\n",
                       "parameters_url"),
                      ("Late Model,OpenAI,United States,,,2099-12-31,Language,7e9,,,,,,,,,,,\n", "future")):
        r = e.handle("import project", MOD, attachments=[("models.csv", (head + row).encode())])
        assert r.status == "error" and "went wrong" not in r.text and says in r.text.lower(), r.text[:300]
    assert e.store.dump() == before


@pytest.mark.parametrize("line", ["elo deepseek r1 1400 2099-12-31", "score deepseek r1 GPQA diamond 70% 2099-12-31",
                                  "set deepseek r1 date 2099-12-31"])
def test_chat_refuses_future_dates(fresh_engine, line):
    before = fresh_engine.store.dump()
    r = fresh_engine.handle(line, MOD)
    assert r.status == "usage" and ("future" in r.text or "after today" in r.text), r.text
    assert fresh_engine.store.dump() == before
