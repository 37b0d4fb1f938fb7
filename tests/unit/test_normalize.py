"""Normalisation on its own: folding, numbers, dates, countries, access."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.validate import parse_date, parse_number
from bot.domain.normalize import access_level, compact, country_name, fold, licence_name, period_end, split_countries, split_list


@pytest.mark.parametrize("raw, folded", [
    ("GPT-4o", "gpt 4o"),
    ("Claude 3.5 Sonnet", "claude 3.5 sonnet"),   # a dot inside a number stays
    ("Command R+", "command r+"),
    ("Mistral.AI", "mistral ai"),                  # a dot between words does not
    ("Zürich  Lab!", "zurich lab"),                # accents and punctuation go
    ("", ""),
])
def test_fold(raw, folded):
    assert fold(raw) == folded


@pytest.mark.parametrize("a, b", [("GPT 4o", "gpt-4o"), ("DeepSeek-R1", "deepseek r1"), ("Qwen2.5 Max", "qwen2.5-max")])
def test_compact_makes_spellings_meet(a, b):
    assert compact(a) == compact(b)


@given(st.text(max_size=80))
def test_fold_is_idempotent_and_tidy(text):
    f = fold(text)
    assert fold(f) == f
    assert f == f.strip() and "  " not in f and f == f.lower()
    assert " " not in compact(text)


@pytest.mark.parametrize("raw, value", [
    ("70B", 7e10), ("3.8e25", 3.8e25), ("1,234", 1234.0), ("1.5 T", 1.5e12), ("2bn", 2e9),
    ("", None), (None, None), (12, 12.0), ("  -3 ", -3.0),
])
def test_parse_number(raw, value):
    assert parse_number(raw) == value


@pytest.mark.parametrize("raw", ["seventy", "7x", "1.2.3e", float("nan"), "inf", "1e999"])
def test_parse_number_refuses_what_is_not_a_finite_number(raw):
    with pytest.raises(ValueError):
        parse_number(raw)


def test_parse_number_without_units():
    assert parse_number("70", units=False) == 70.0
    with pytest.raises(ValueError):
        parse_number("70B", units=False)


@pytest.mark.parametrize("raw, start, end", [
    ("2025-02-10", "2025-02-10", "2025-02-10"),
    ("2024-02", "2024-02-01", "2024-02-29"),      # a leap year
    ("2025/12", "2025-12-01", "2025-12-31"),
    ("2023", "2023-01-01", "2023-12-31"),
])
def test_dates_start_and_end(raw, start, end):
    assert parse_date(raw) == start
    assert period_end(raw) == end


@pytest.mark.parametrize("raw", ["Feb 2025", "2025-13", "25-01-01", "2025-02-30"])
def test_parse_date_refuses_other_forms(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


def test_countries():
    assert country_name("United States of America") == "United States"
    assert country_name("  ") is None and country_name(None) is None
    assert split_countries("United States of America,United States of America,China") == ["United States", "China"]
    assert split_list("a, b,,a , c") == ["a", "b", "c"]


@pytest.mark.parametrize("raw, level", [
    ("Open weights (unrestricted)", "open weights"), ("Open source", "open weights"), ("API access", "API"),
    ("Hosted access (no API)", "hosted"), ("Unreleased", "unreleased"), ("", None), ("something else", None),
])
def test_access_level(raw, level):
    assert access_level(raw) == level


def test_licence_spellings_meet():
    assert licence_name("propretary") == "Proprietary"
    assert licence_name("apache-2.0") == licence_name("Apache 2.0") == "Apache 2.0"
    assert licence_name("n/a") is None and licence_name(None) is None


# -- bounded numbers from what people type (issue 27): the text is checked before anything is computed
@pytest.mark.parametrize("raw, value", [("12", 12.0), ("1.5", 1.5), ("3.8e25", 3.8e25), ("-2", -2.0), ("1e308", 1e308)])
def test_small_float_reads_plain_numbers(raw, value):
    from bot.domain.validate import small_float
    assert small_float(raw) == value


@pytest.mark.parametrize("raw", ["1e20000000", "1e999999999999", "1e309", "9" * 400, "9" * 5000, "nan", "inf",
                                 "1_000", "٣", "²", "", "1e", "e5", "0x10"])
def test_small_float_refuses_what_would_be_huge_or_is_no_ascii_number(raw):
    from bot.domain.validate import small_float
    assert small_float(raw) is None


def test_small_int_and_scaled():
    from bot.domain.validate import scaled, small_int
    assert small_int("12", lo=1, hi=100) == 12 and small_int("0", lo=1) is None and small_int("101", hi=100) is None
    assert small_int("٣") is None and small_int("²") is None and small_int("9" * 5000) is None
    assert small_int("1e3") is None
    assert scaled("3.8", "25") == 3.8e25 and scaled("1", "20000000") is None and scaled("1", "9" * 5000) is None


def test_parse_number_refuses_a_5000_digit_string_by_name():
    with pytest.raises(ValueError, match="too long for a number"):
        parse_number("9" * 5000)
