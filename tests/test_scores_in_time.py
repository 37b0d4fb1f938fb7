"""Moderator scores in time, on the shared fixed clock (2026-12-07): a score
without a date goes on a moderator board of its own dated the day it is
entered, labelled wherever it is read; the published board never changes;
a score dated before the model's release is refused with both dates."""
from __future__ import annotations

from datetime import date, timedelta

from bot.engine import Caller

MOD = Caller(user_id="1", name="mod", is_moderator=True)
MEMBER = Caller(user_id="42", name="member")


def _published(e, day):
    return e.store.query("SELECT source_id, arena_name, rank, score FROM arena_ratings WHERE snapshot_date = ? "
                         "AND category = 'full' AND source_id != 'moderators' ORDER BY arena_name", [day])


def test_an_undated_score_makes_a_moderator_board_of_today_and_never_changes_the_published_board(fresh_engine):
    e = fresh_engine
    today = e.clock().isoformat()
    latest = e.read_model().latest
    assert latest < today
    before = _published(e, latest)
    r = e.handle("elo deepseek r1 1600", MOD)
    assert r.status == "ok" and f"moderator board of {today}" in r.text and f"published {latest} board is unchanged" in r.text
    assert _published(e, latest) == before  # ranks and scores as published
    stored = e.store.one("SELECT snapshot_date FROM arena_ratings WHERE source_id = 'moderators'")
    assert stored["snapshot_date"] == today
    read = e.read_model()
    assert read.latest == today and read.moderator_bases[today].date == latest
    # every answer that reads it says which board it is
    top = e.handle("top 3", MEMBER)
    assert top.data["as_of"] == today and top.data["rows"][0]["model"] == "DeepSeek-R1"
    assert f"as of {today} (moderator board: the {latest} board with moderators' scores)" in top.text
    assert "moderators" in top.footer and "LMArena" in top.footer
    race = e.handle("race", MEMBER)
    assert race.data["leader"] == "China" and "moderator board" in race.text.splitlines()[0]
    card = e.handle("model deepseek r1", MEMBER)
    assert card.data["model"]["arena"]["date"] == today and "moderator board" in card.text
    changes = e.handle("changes", MEMBER)
    assert changes.data["as_of"] == today and f"The {today} board is a moderator board" in changes.text
    assert "different sources" not in changes.text  # the same scale: the published board's
    # the published board still answers its own date, without the moderator's score
    old = e.handle(f"top 3 {latest}", MEMBER)
    assert old.data["as_of"] == latest and "DeepSeek-R1" not in {x["model"] for x in old.data["rows"]}
    assert "moderator board" not in old.text
    # the data's age is the published board's: a moderator's score does not make the data fresh
    assert f"Latest board {latest}" in top.text
    # undo takes the moderator board away
    assert e.handle("undo", MOD).status == "ok"
    assert e.read_model().latest == latest and not e.read_model().moderator_bases


def test_a_second_undated_score_joins_the_same_moderator_board(fresh_engine):
    e = fresh_engine
    today = e.clock().isoformat()
    assert e.handle("elo deepseek r1 1600", MOD).status == "ok"
    r = e.handle("elo Gemini-3-Pro 1610", MOD)
    assert r.status == "ok" and f"moderator board of {today}" in r.text
    rows = e.handle("top 2", MEMBER).data["rows"]
    assert [x["score"] for x in rows] == [1610, 1600] and rows[1]["model"] == "DeepSeek-R1"
    assert e.store.scalar("SELECT count(*) FROM arena_ratings WHERE source_id = 'moderators'") == 2


def test_a_score_dated_a_published_board_is_a_correction_of_it(fresh_engine):
    e = fresh_engine
    latest = e.read_model().latest
    r = e.handle(f"elo deepseek r1 1600 {latest}", MOD)
    assert r.status == "ok" and "a correction of that board" in r.text
    read = e.read_model()
    assert read.latest == latest and not read.moderator_bases
    assert e.handle("top 1", MEMBER).data["rows"][0]["model"] == "DeepSeek-R1"


def test_a_score_dated_between_boards_is_a_moderator_board_on_its_day(fresh_engine):
    e = fresh_engine
    read = e.read_model()
    a, b = next((x, y) for x, y in zip(read.dates[-12:], read.dates[-11:])
                if (date.fromisoformat(y) - date.fromisoformat(x)).days > 1)
    mid = (date.fromisoformat(a) + timedelta(days=1)).isoformat()
    r = e.handle(f"elo deepseek r1 1600 {mid}", MOD)
    assert r.status == "ok" and f"moderator board of {mid}" in r.text
    top = e.handle(f"top 1 {mid}", MEMBER)
    assert top.data["as_of"] == mid and top.data["rows"][0]["model"] == "DeepSeek-R1"
    assert e.handle(f"top 1 {b}", MEMBER).data["rows"][0]["model"] != "DeepSeek-R1"


def test_a_score_dated_before_the_release_or_after_today_is_refused_with_both_dates(fresh_engine):
    e = fresh_engine
    before = e.store.dump()
    released = e.store.one("SELECT release_date FROM models WHERE name = 'DeepSeek-R1'")["release_date"][:10]
    r = e.handle("elo DeepSeek-R1 1500 2024-06-01", MOD)
    assert r.status == "usage" and released in r.text and "2024-06-01" in r.text
    later = e.handle("elo DeepSeek-R1 1500 2027-01-01", MOD)
    assert later.status == "usage" and "2027-01-01" in later.text and e.clock().isoformat() in later.text
    assert e.store.dump() == before
