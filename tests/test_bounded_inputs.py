"""Every member command, the question reader and autocomplete on pathological
arguments (issue 27): huge exponents, 5,000-digit and Arabic-Indic numbers,
long arguments, deep brackets. Each gets a short, named answer, never "something
went wrong", and each is bounded (the e2e test in test_hostile_inputs_e2e.py
shows the process stays free meanwhile). No timings here: a hang fails the run
by its timeout; the costs are in ``make bench``."""
from __future__ import annotations

import pytest

from bot.caller import Caller
from bot.commands.registry import REGISTRY
from bot.engine import MAX_LINE

MEMBER = Caller(user_id="5", name="member", guild_id="1", channel_id="2")
HOSTILE = [
    "1e20000000", "above 1e999999999999 elo", "9" * 1900, "٣" * 1900, "²³", "[" * 1900,
    " ".join(["united", "open", "gpt", "china", "x"] * 300)[:1900], "1e400b models over 9e999 flop",
]


@pytest.mark.parametrize("arg", HOSTILE, ids=range(len(HOSTILE)))
def test_every_member_command_answers_hostile_numbers_and_lengths(engine, arg):
    for name, info in REGISTRY.items():
        if info.admin:
            continue
        reply = engine.handle(f"{name} {arg}"[:MAX_LINE], MEMBER)
        assert "went wrong" not in reply.text, (name, reply.text[:200])
    for line in (arg, f"ask {arg}"):
        reply = engine.handle(line[:MAX_LINE], MEMBER)
        assert "went wrong" not in reply.text, (line[:40], reply.text[:200])
    for kind in ("model", "models", "org", "country", "benchmark", "category", "command"):
        assert len(engine.complete(kind, arg * 3)) <= 25


def test_the_reader_reads_a_huge_exponent_as_no_number(engine):
    reply = engine.handle("ask models above 1e999999999999 elo", MEMBER)
    assert reply.status in ("ok", "usage", "not_found", "unsure") and "went wrong" not in reply.text
    assert "1e999999999999" not in str(reply.data.get("routed") or "")  # never read as a number


def test_a_line_over_the_limit_is_refused_before_parsing(engine):
    reply = engine.handle("gap " + "open " * 1200, MEMBER)
    assert reply.status == "usage" and f"{MAX_LINE:,}" in reply.text and "Nothing was done" in reply.text


def test_gap_with_many_words_tries_a_bounded_number_of_splits(engine, monkeypatch):
    from bot.commands import sides

    calls = []
    real = sides.resolve_side

    def counting(ctx, text):  # the real lookup, counted
        calls.append(text)
        return real(ctx, text)

    monkeypatch.setattr(sides, "resolve_side", counting)
    engine.handle("gap " + " ".join(["united", "kingdom", "open"] * 120), MEMBER)
    assert len(calls) <= 2 * 2 * sides.MAX_SIDE_WORDS + 4  # bounded whatever the length, not 360 splits x 2
