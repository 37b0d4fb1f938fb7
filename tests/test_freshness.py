"""The data's age in answers, on a fixed clock: once per reply, in words, and
"the data ends there" for questions about a later time."""
from __future__ import annotations

from datetime import date

import pytest

from bot.domain.comparable import comparable
from bot.config import Settings
from bot.engine import Caller, Engine
from bot.store.freshness import ago, age_note, data_age

MEMBER = Caller(user_id="42", name="member")


@pytest.mark.parametrize("days, words", [
    (0, "today"), (1, "yesterday"), (5, "5 days ago"), (13, "13 days ago"), (14, "2 weeks ago"),
    (30, "4 weeks ago"), (61, "2 months ago"), (180, "6 months ago"), (361, "a year ago"), (500, "a year ago"),
    (730, "2 years ago"), (-1, "tomorrow"),
])
def test_ago_reads_at_a_glance(days, words):
    assert ago(days) == words


def test_data_age_counts_days_against_the_given_today_and_the_setting():
    age = data_age("2025-12-11", date(2026, 12, 7), 30)
    assert age is not None and age.days == 361 and age.stale and age.line == "Latest board 2025-12-11, a year ago."
    fresh = data_age("2025-12-11", date(2025, 12, 20), 30)
    assert fresh is not None and not fresh.stale and fresh.days == 9
    assert data_age(None, date(2026, 1, 1)) is None
    # a question about a later day is answered "the data ends" even when the data is fresh
    assert age_note(fresh, asked_start="2026-01-01", asked_now=False).startswith("The data ends")
    assert age_note(fresh, asked_start=None, asked_now=True) is None
    assert age_note(age, asked_start="2025-06-01", asked_now=False) is None  # the past: its own board


@pytest.fixture(scope="module")
def clocked(seed_copy, tmp_path_factory):
    """One engine whose clock the tests set (``day[0]``)."""
    day = [date(2026, 12, 7)]
    e = Engine.open(seed_copy(tmp_path_factory.mktemp("fresh") / "seed.db"), clock=lambda: day[0],
                    settings=Settings(data_stale_days=30))
    yield e, day
    e.close()


def _at(clocked, today: date) -> Engine:
    e, day = clocked
    day[0] = today
    return e


def test_a_now_answer_on_old_data_says_how_old_once(clocked):
    e = _at(clocked, date(2026, 12, 7))
    latest = e.read_model().latest
    for line in ("top 25", "race", "gap us china", "model gpt-4o", "frontier"):
        r = e.handle(line, MEMBER)
        assert r.status == "ok", line
        texts = [r.text] + [p.text for p in r.pages]
        said = f"Latest board {latest}, a year ago."
        assert sum(t.count(said) for t in texts) == 1, (line, texts)  # once per reply, not on every page
        assert said not in (r.footer or "")
        assert r.data["data_age"]["days"] == (date(2026, 12, 7) - date.fromisoformat(latest)).days


def test_the_age_follows_the_clock_and_the_setting(clocked):
    e = _at(clocked, date(2026, 2, 1))
    r = e.handle("top 3", MEMBER)
    assert "2 months ago" in r.text
    e = _at(clocked, date.fromisoformat(e.read_model().latest))
    r = e.handle("top 3", MEMBER)
    assert "Latest board" not in r.text and "data_age" not in r.data  # fresh data: nothing said


def test_a_question_about_the_past_gets_no_age_line(clocked):
    e = _at(clocked, date(2026, 12, 7))
    r = e.handle("top 3 2025-06", MEMBER)
    assert r.status == "ok" and "Latest board" not in r.text and "data ends" not in r.text


@pytest.mark.parametrize("line", ["top 5 2026-06-01", "race 2026", "gap us china 2026-03"])
def test_a_date_after_the_data_says_the_data_ends_then_answers_the_latest_board(clocked, line):
    e = _at(clocked, date(2026, 12, 7))
    latest = e.read_model().latest
    r = e.handle(line, MEMBER)
    first, _, rest = r.text.partition("\n")
    assert first == f"*The data ends with the board of {latest} (a year ago); this answers for that board.*"
    assert f"as of {latest}" in rest and r.data["as_of"] == latest
    assert r.text.count("data ends") == 1


def test_asking_about_now_on_old_data_says_the_data_ends(clocked):
    e = _at(clocked, date(2026, 12, 7))
    latest = e.read_model().latest
    r = e.handle("ask who is #1 right now", MEMBER)
    lines = r.text.splitlines()
    assert lines[0].startswith("Read as:")
    assert lines[1] == f"*The data ends with the board of {latest} (a year ago); this answers for that board.*"
    # the same question without "now" gets the age at the end instead
    r = e.handle("ask who is #1", MEMBER)
    assert "data ends" not in r.text and r.text.rstrip().endswith(f"Latest board {latest}, a year ago.*")


def test_answers_that_use_no_board_carry_no_age_line(clocked):
    e = _at(clocked, date(2026, 12, 7))
    for line in ("count 2024 by country", "help", "timeline openai"):
        r = e.handle(line, MEMBER)
        assert "Latest board" not in r.text, line


def test_the_digest_without_news_says_so_in_one_line_and_names_the_boards_otherwise(clocked):
    e = _at(clocked, date(2026, 12, 7))
    read = e.read_model()
    latest = read.latest
    r = e.handle("digest", MEMBER)
    then = r.data["since"]
    assert r.title == f"Weekly AI race digest: the {then} board → the {latest} board"
    quiet = e.handle("digest since 2026-11-30", MEMBER)
    assert quiet.status == "ok" and quiet.data["no_news"] and len(quiet.text.splitlines()) == 1
    assert quiet.text.startswith(f"No new Arena board since the last digest (2026-11-30): the newest is still "
                                 f"the {latest} board (a year ago)")
    assert "2026-11-30" in quiet.title and not quiet.fields and quiet.chart is None
    # a digest after a board that came later compares from the last digest's board
    # (a board behind its date is skipped for the one before it: bot.domain.comparable)
    earlier = [d for d in read.dates if not comparable(read).flagged(d)][-3]
    news = e.handle(f"digest since {earlier}", MEMBER)
    assert not news.data.get("no_news") and news.data["since"] == earlier and news.data["as_of"] == latest
    assert e.handle("digest yesterday", MEMBER).status == "usage"
