"""Every top-10 model of each LMArena catalog release answers `model` with its Arena score."""
from __future__ import annotations

import re

import pytest
import raw_arena

from bot.engine import Caller

MEMBER = Caller(user_id="42", name="member")


def test_every_catalog_top_10_model_answers_with_its_arena_score(engine, shared):
    read = engine.read_model()
    link = {r["alias"]: r["model_id"] for r in engine.store.query("SELECT alias, model_id FROM aliases")}
    missing, wrong = [], []
    checked = 0
    for day in raw_arena.catalog_dates(shared):
        for row in raw_arena.board(shared, "arena-catalog", day)[:10]:
            mid = link.get(row["name"])
            if mid is None:
                missing.append((day, row["name"]))
                continue
            name = read.models[mid]["name"]
            r = engine.handle(f'model "{name}"', MEMBER)
            if r.status != "ok" or "not on the Arena leaderboard" in r.text:
                wrong.append((day, row["name"], r.text[:120]))
                continue
            latest = read.latest_rating(mid) or read.latest_any_rating(mid)  # a board the chain does not read
            assert latest is not None
            assert f"{latest.score:,.0f} Elo" in r.text, (name, r.text[:200])
            # on the boards the catalog answers (from 2025-11-05), as of that day the card shows that release's rating
            if read.source_of(day) == "arena-catalog":
                on_day = engine.handle(f'model "{name}" as of {day}', MEMBER)
                shown = re.search(r"Arena: ([\d,]+) Elo", on_day.text)
                best_row = max((x for x in read.by_date[day] if x.model_id == mid), key=lambda x: x.score)
                assert shown and shown[1] == f"{best_row.score:,.0f}", (name, day, on_day.text[:200])
                if best_row.arena_name == row["name"]:
                    assert best_row.score == pytest.approx(row["score"], abs=0.01)
            checked += 1
    assert not missing, f"catalog top-10 keys without a model: {missing}"
    assert not wrong, f"catalog top-10 models the card does not rate: {wrong}"
    assert checked >= 100
