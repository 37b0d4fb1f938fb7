"""Typed parameters (bot.commands.params): the declared Params read a command's
words; the optional words may come in any order; a word none takes is named.

Real engine on the seed; the words are drawn from its data (categories,
countries, organisations, benchmarks), not from a list written here."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bot.domain.categories import spelling
from bot.commands.context import Usage
from bot.commands.params import KINDS, placements, typed
from bot.commands.registry import REGISTRY
from bot.engine import LOCAL_OPERATOR

TYPED = sorted(n for n, info in REGISTRY.items() if any(not p.required for p in typed(info.params)))


def _samples(ctx, kind: str, words: tuple[str, ...]) -> list[str]:
    """Ways of writing one value of `kind`, from the data."""
    read = ctx.read
    return {
        "date": ["2025-02", "2024", "as of 2025-01-10", "since 2024", "on 2025-03-04"],
        "count": ["3", "7", "12", *(f"{w} 5" for w in words)],
        "score": ["1300", "above 1350", "1,250"],
        "flag": ["all", "retired"],
        "word": list(words),
        "access": ["open", "closed", "open weights", "proprietary"],
        "size": ["under 10B", "over 100B"],
        "threshold": ["above 1400", "over 1350"],
        "category": [spelling(c) for c in sorted(read.categories()) if spelling(c) != "overall"],
        "country": sorted(read.countries)[:12],
        "benchmark": sorted(read.benchmarks)[:15],
        "org": sorted({r.organization for d in read.dates[-1:] for r in read.board(d) if r.organization})[:15],
    }[kind]


def _alone(ctx, info, p, text: str):
    """What `text` parses to on its own, when it goes to `p` (else None: not a sample of `p` here)."""
    try:
        got = placements(ctx, info.params, text.split())
    except Usage:
        return None
    return got if list(got) == [p.name] else None


@pytest.fixture(scope="module")
def ctx(engine):
    return engine.context(LOCAL_OPERATOR)


@pytest.mark.parametrize("name", TYPED)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_order_of_the_optional_words_parses_the_same(ctx, name, data) -> None:
    info = REGISTRY[name]
    optional = [p for p in typed(info.params) if not p.required]
    chosen = data.draw(st.lists(st.sampled_from(optional), unique_by=lambda p: p.name, min_size=1,
                                max_size=min(5, len(optional))), label="params")
    noise = {p.name for p in info.params if p.kind == "word"}  # filler words: "in" may lead a date instead
    groups, want = [], {}
    for p in chosen:
        pool = [t for t in _samples(ctx, p.kind, p.words) if _alone(ctx, info, p, t)]
        if not pool:
            continue
        text = data.draw(st.sampled_from(pool), label=p.name)
        groups.append(text)
        want.update({k: v for k, v in _alone(ctx, info, p, text).items() if k not in noise})
    order = data.draw(st.permutations(groups), label="order")
    try:
        got = placements(ctx, info.params, " ".join(order).split())
    except Usage as u:
        pytest.fail(f"{name} {' '.join(order)!r}: {u.message}")
    assert {k: v for k, v in got.items() if k not in noise} == want, f"{name} {' '.join(order)!r}"


@pytest.mark.parametrize("line, twin", [
    ("top 5 2025-12-11 openai", "top 5 openai 2025-12-11"),
    ("top 3 2024-01-18 open", "top 3 open 2024-01-18"),
    ("race 2025-01 coding", "race coding 2025-01"),
    ("frontier 2025-02 12", "frontier 12 2025-02"),
    ("depth 2025-01 10", "depth 10 2025-01"),
    ("gap 2025-01 us china", "gap us china 2025-01"),
    ("gap us china 2025-01 coding", "gap us china coding 2025-01"),
    ("org 2025-01 openai", "org openai 2025-01"),
    ("country 2025-01 china", "country china 2025-01"),
    ("timeline 2024 openai", "timeline openai 2024"),
    ("compute since 2020 china", "compute china since 2020"),
    ("cheapest 2025-01 1300", "cheapest 1300 2025-01"),
    ("cheapest top 3 1300", "cheapest 1300 top 3"),
    ("records 2025-01 us china", "records us china 2025-01"),
    ("records 2025 china", "records china 2025"),
    ("count 2024-06 china", "count china 2024-06"),
])
def test_a_word_after_a_date_is_not_read_as_a_benchmark(engine, line, twin) -> None:
    a, b = engine.handle(line), engine.handle(twin)
    assert a.status == "ok", a.text
    assert a.text == b.text and a.data == b.data
    if line.startswith("top"):
        assert a.data["metric"] == "Arena Elo"  # the Arena board, not a benchmark named after the words
        assert a.data["as_of"] <= line.split()[2]


def test_a_name_read_around_a_date_is_answered_as_of_that_date(engine) -> None:
    then, now = engine.handle("org 2025-01 openai"), engine.handle("org openai")
    assert then.data["name"] == now.data["name"] == "OpenAI"
    assert all((m[1] or "") <= "2025-01-31" for m in then.data["models"])
    assert len(then.data["models"]) < len(now.data["models"])
    since = engine.handle("compute china since 2020")
    assert since.data["label"] == "China" and since.data["points"]
    assert all(p[1] >= "2020-01-01" for p in since.data["points"]) and "since 2020" in since.text


def test_a_date_or_a_number_is_never_a_misspelt_benchmark(engine) -> None:
    ctx = engine.context(LOCAL_OPERATOR)
    dated = [b for b in ctx.read.benchmarks if any(ch.isdigit() for ch in b)]
    assert dated  # the seed has benchmarks with dates in their names (FrontierMath-2025-...)
    for word in ("2025-01", "2025-02-28", "2024-01-18", "1300"):
        assert ctx.benchmark(word) is None, word
    r = engine.handle("small gpqa 2025-01")  # `small` takes no date: said, not read as FrontierMath-2025-...
    assert r.status in ("usage", "not_found") and "2025-01'" in r.text and "FrontierMath" not in r.text


def test_the_date_filters_the_board_it_names(engine) -> None:
    r = engine.handle("top 5 2025-12-11 openai")
    assert r.data["filters"] == ["OpenAI"]
    assert r.data["rows"] and all(row["organization"] == "OpenAI" for row in r.data["rows"])
    assert r.data["as_of"] <= "2025-12-11"


@pytest.mark.parametrize("line, word", [
    ("race 2025-01 banana", "banana"),
    ("frontier 5 coding xyzzy", "xyzzy"),
    ("top 3 gpt-nonsense-9", "gpt-nonsense-9"),
])
def test_a_word_no_parameter_takes_is_named(engine, line, word) -> None:
    before = engine.read_model().version
    r = engine.handle(line)
    assert r.status == "usage"
    assert f"I don't know {word!r} as " in r.text and "can't place it" in r.text
    assert "Usage:" in r.text and "Traceback" not in r.text
    assert engine.read_model().version == before


@pytest.mark.parametrize("line, word", [
    ("top 5 open closed", "closed"),        # open/closed is given once
    ("depth 10 20", "20"),                  # one n
    ("race coding 2025-01 2024", "2024"),   # one date
])
def test_a_second_value_of_a_parameter_is_named(engine, line, word) -> None:
    r = engine.handle(line)
    assert r.status == "usage"
    assert f"I can't place {word!r}" in r.text and "is given once already" in r.text


def test_every_kind_a_command_declares_is_known_and_typed_kinds_have_labels() -> None:
    for info in REGISTRY.values():
        for p in info.params:
            assert p.kind in KINDS, (info.name, p.kind)
            k = KINDS[p.kind]
            assert k.take is None or k.label or p.kind == "word", p.kind
