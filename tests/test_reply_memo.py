"""Replies memoised per data version and arguments (issue 24): asked again, a
chart command is answered without walking its history, equal to a fresh answer;
a change, another day or another prefix is a new answer."""
from __future__ import annotations

import datetime

from bot.caller import Caller
from bot.engine import Engine

MOD = Caller(user_id="900", name="mod", is_moderator=True)


def plain(reply) -> dict:
    return {k: v for k, v in reply.__dict__.items() if k != "files"}


def test_a_chart_command_asked_again_is_the_memoised_answer(fresh_engine):
    e = fresh_engine
    first = e.handle("gap us china")
    again = e.handle("gap us china")
    assert again is not first and again.data is first.data  # from the memo: no new data built
    assert plain(again) == plain(first)
    again.text += " (changed by a caller)"
    again.files.append("x")
    assert e.handle("gap us china").text == first.text and not e.handle("gap us china").files
    assert e.chart_key(again) == e.chart_key(first) == e.charts.key(first)
    # a new version: a new answer, which reads the change
    before = first.data["latest"]["a"]
    top = e.handle("top 1").data["rows"][0]
    assert e.handle(f"elo {top['model']} {int(top['score']) + 100}", MOD).status == "ok"
    after = e.handle("gap us china")
    assert after.data is not first.data
    if top.get("country") == "United States":
        assert after.data["latest"]["a"] > before


def test_the_memo_keys_on_the_day_and_the_prefix(seed_copy, tmp_path):
    day = [datetime.date(2026, 1, 15)]
    e = Engine.open(seed_copy(tmp_path / "m.db"), clock=lambda: day[0])
    try:
        a = e.handle("race")
        day[0] = datetime.date(2027, 6, 1)  # the data's age is part of the answer
        b = e.handle("race")
        fresh = Engine.open(e.store.path, clock=lambda: day[0])
        try:
            assert plain(b) == plain(fresh.handle("race"))  # what a cold engine answers that day
        finally:
            fresh.close()
        assert b.data is not a.data
        assert e.handle("?race", Caller(user_id="1", name="u", prefix="?")).data is not b.data
        # moderator and server commands are never memoised, nor those that run others
        assert e.handle("history").data is not e.handle("history").data
        assert e.handle("ask who leads?").data is not e.handle("ask who leads?").data
        assert e.handle("records").data is e.handle("records").data
    finally:
        e.close()
