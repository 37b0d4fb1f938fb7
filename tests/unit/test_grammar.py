"""The command grammar on its own: prefix and command word, trailing dates,
model lists (no engine, no database)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands.grammar import GrammarError, split_command, split_models, take_date, unquote, words


@pytest.mark.parametrize("line, prefix, expected", [
    ("!Compare a vs b", "!", ("compare", "a vs b")),
    ("compare a vs b", "!", ("compare", "a vs b")),       # the prefix is optional
    ("  !  TOP   5 open ", "!", ("top", "5 open")),
    ("/gap us china", "!", ("gap", "us china")),          # a slash reads as a prefix too
    ("?race", "?", ("race", "")),
    ("!", "!", ("", "")),
    ("", "!", ("", "")),
])
def test_split_command(line, prefix, expected):
    assert split_command(line, prefix) == expected


@pytest.mark.parametrize("text, rest, raw, start, end", [
    ("race 2025-02-10", "race", "2025-02-10", "2025-02-10", "2025-02-10"),
    ("gap us china 2025-02", "gap us china", "2025-02", "2025-02-01", "2025-02-28"),
    ("top 5 as of 2024-09", "top 5", "2024-09", "2024-09-01", "2024-09-30"),
    ("race 2024", "race", "2024", "2024-01-01", "2024-12-31"),
    ("race on 2024/2/29", "race", "2024-2-29", "2024-02-29", "2024-02-29"),
    ("frontier until 2023-12", "frontier", "2023-12", "2023-12-01", "2023-12-31"),
])
def test_take_date_splits_a_trailing_date(text, rest, raw, start, end):
    left, when = take_date(text)
    assert left == rest
    assert when is not None and (when.raw, when.start, when.end) == (raw, start, end)


def test_month_and_year_flags():
    assert take_date("x 2025-02")[1].is_month and not take_date("x 2025-02")[1].is_year
    assert take_date("x 2025")[1].is_year and not take_date("x 2025")[1].is_month


def test_a_bare_year_is_part_of_a_model_name_when_asked():
    assert take_date("model llama 3 2024", bare_year=False) == ("model llama 3 2024", None)
    assert take_date("model gpt-4o as of 2024")[0] == "model gpt-4o"
    left, when = take_date("model gpt-4o 2024-05", bare_year=False)
    assert left == "model gpt-4o" and when is not None and when.start == "2024-05-01"


@pytest.mark.parametrize("text", ["gpt-4o", "no date here", "o3 mini", "top 5", "year 1900"])
def test_no_date_leaves_the_text(text):
    assert take_date(text) == (text, None)


@pytest.mark.parametrize("text", ["race 2025-13", "race 2025-02-30", "race as of 2025-00"])
def test_an_impossible_date_is_a_grammar_error(text):
    with pytest.raises(GrammarError):
        take_date(text)


@pytest.mark.parametrize("text, names", [
    ("gpt-4o vs deepseek r1", ["gpt-4o", "deepseek r1"]),
    ("a, b | c; d", ["a", "b", "c", "d"]),
    ('"claude 3.5 sonnet" versus \'o1\'', ["claude 3.5 sonnet", "o1"]),
    ("llama and mistral & qwen", ["llama", "mistral", "qwen"]),
    ("x v. y", ["x", "y"]),
    ("solo", ["solo"]),
    (" , , ", []),
])
def test_split_models(text, names):
    assert split_models(text) == names


def test_unquote_and_words():
    assert unquote(" “GPT-4o” ") == "GPT-4o"
    assert words("  a  b\tc ") == ["a", "b", "c"]


@given(st.text(max_size=60))
def test_split_command_never_fails_and_lowers_the_word(line):
    word, rest = split_command(line)
    assert word == word.lower() and not any(c.isspace() for c in word)
    assert rest == rest.strip()
