"""Text formatting on its own: the one set of number formats, clip, the
escaping of user text, and fitting replies to Discord's limits."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.render.palette import COLORS, color, colors
from bot.render.text import (
    seal_fences,
    as_plain,
    big,
    clean,
    clip,
    defang,
    elo,
    fit_reply,
    flop,
    month,
    params,
    pct,
    score,
    sci,
    superscript,
    table,
    usd,
)
from bot.reply import (
    CONTENT_LIMIT,
    EMBED_FIELD_VALUE_LIMIT,
    EMBED_FIELDS_LIMIT,
    EMBED_TITLE_LIMIT,
    EMBED_TOTAL_LIMIT,
    Field,
    Reply,
)


@pytest.mark.parametrize("fn, value, shown", [
    (big, 1.2e12, "1.2T"), (big, 7e10, "70B"), (big, 405e9, "405B"), (big, 3.8e9, "3.8B"), (big, 950, "950"),
    (big, None, "unknown"), (params, 7e10, "70B parameters"), (params, None, "unknown"),
    (flop, 3.5e24, "3.5e24 FLOP"), (flop, None, "unknown"), (usd, 1.9e8, "$190M"),
    (elo, 1372.4, "1,372"), (elo, None, "n/a"), (pct, 3.014, "3.0%"), (pct, None, "n/a"),
    (score, 0.5123, "51.2%"), (score, None, "n/a"), (sci, 3.5e24, "3.5 × 10²⁴"), (sci, 0, "0"),
])
def test_number_formats(fn, value, shown):
    assert fn(value) == shown


def test_pct_digits_and_superscript():
    assert pct(1.6912, 2) == "1.69%"
    assert superscript(-12) == "⁻¹²"


@pytest.mark.parametrize("d, shown", [
    ("2025-02-10", "Feb 2025"), ("2024-12", "Dec 2024"), ("2025", "2025"), (None, "unknown"),
    ("2025-13-01", "2025-13-01"),  # not a month: shown as it is, never an error
])
def test_month(d, shown):
    assert month(d) == shown


@given(st.text(max_size=300), st.integers(min_value=1, max_value=200))
def test_clip_keeps_within_the_limit(text, limit):
    out = clip(text, limit)
    assert len(out) <= limit
    assert out == text or out.endswith("…")
    assert clip(None, limit) is None


def test_clean_neutralises_mentions_markdown_and_control_characters():
    out = clean("@everyone <@123> ```x``` \u202eevil\x00", 200)
    assert "@everyone" not in out and "<@123>" not in out and "```" not in out
    assert "\u202e" not in out and "\x00" not in out
    assert len(clean("word " * 100, 30)) <= 30


def test_defang_redacts_a_token_shaped_string():
    token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.abcdefghijklmnopqrstuvwxyz012345"
    assert token not in defang(f"my token is {token}")
    assert defang(None) is None


def test_fit_reply_splits_long_content_into_pages_at_line_breaks():
    lines = [f"line {i} " + "x" * 80 for i in range(100)]
    fitted = fit_reply(Reply(text="\n".join(lines)))
    pages = [fitted, *fitted.pages]
    assert len(pages) > 1 and all(len(p.text) <= CONTENT_LIMIT for p in pages)
    assert "\n".join(p.text for p in pages).split("\n") == lines  # nothing lost, nothing cut


def test_fit_reply_moves_extra_fields_to_further_pages():
    fields = [Field(f"f{i}", "v" * 900) for i in range(40)]
    fitted = fit_reply(Reply(text="t", title="T" * 300, fields=fields))
    pages = [fitted, *fitted.pages]
    assert len(fitted.title or "") <= EMBED_TITLE_LIMIT
    assert sum(len(p.fields) for p in pages) == 40
    for p in pages:
        assert len(p.fields) <= EMBED_FIELDS_LIMIT
        assert all(len(f.value) <= EMBED_FIELD_VALUE_LIMIT for f in p.fields)
        size = len(p.title or "") + len(p.description or "") + len(p.footer or "") + sum(
            len(f.name) + len(f.value) for f in p.fields)
        assert size <= EMBED_TOTAL_LIMIT


def test_table_and_plain():
    t = seal_fences(table([["1", "GPT-4o"], ["10", "o1"]], header=["#", "model"]))  # as fit_reply seals it
    assert t.startswith("```\n") and t.endswith("\n```") and "10  o1" in t
    plain = as_plain(Reply(text="**bold**", title="T", fields=[Field("a", "b\nc")], footer="src"))
    assert plain.splitlines() == ["bold", "== T ==", "  a: b", "    c", "-- src"]


def test_one_palette_fixed_colours_any_case_and_distinct_fallbacks():
    assert color("China") == color("china") == COLORS["China"]
    assert color("United States") != color("China")
    assert color("Some New Lab") == color("SOME NEW LAB")          # stable fallback
    assert color(None) == COLORS["unknown"]
    shown = colors(["Lab A", "Lab B", "Lab C", "Lab D", "China"])
    assert len(set(shown)) == 5 and shown[-1] == COLORS["China"]


def _seed_names() -> list[str]:
    import csv
    from pathlib import Path

    seed = Path(__file__).resolve().parents[2] / "data" / "seed"
    names: set[str] = set()
    for fname, col in (("arena_names.csv", "arena_name"), ("models.csv", "name")):
        with open(seed / fname, newline="", encoding="utf-8") as f:
            names.update(r[col] for r in csv.DictReader(f) if r.get(col))
    return sorted(names)


def test_clip_name_fits_and_keeps_both_ends():
    from bot.render.text import clip_name

    names = _seed_names()
    assert len(names) > 200
    for n in names:
        for limit in (12, 20, 26, 34):
            out = clip_name(n, limit)
            assert len(out) <= limit
            if len(n) <= limit:
                assert out == n
                continue
            head, _, tail = out.partition("…")
            assert n.startswith(head) and n.endswith(tail), (n, out)
            assert len(head) >= limit // 3 and len(tail.strip(" -_")) >= 1, (n, out)


def test_clip_name_keeps_names_that_differ_at_the_end_apart():
    """Names the plain cut at 34 characters merges (siblings that differ only in
    their version or date suffix) stay different when clipped in the middle."""
    from bot.render.text import clip, clip_name

    names = [n for n in _seed_names() if len(n) > 34]
    merged = {}
    for n in names:
        merged.setdefault(clip(n, 34), []).append(n)
    siblings = [g for g in merged.values() if len(g) > 1]
    assert siblings, "the seed has long names the end cut merges"
    for group in siblings:
        clipped = {clip_name(n, 34) for n in group}
        assert len(clipped) == len(group), group
    assert clip_name("Gemini-2.0-Flash-Thinking-Exp-01-21", 34).endswith("-Exp-01-21")


def test_wrapped_tick_labels_keep_the_end_of_long_names():
    from bot.render.charts.labels import wrap_label

    for n in _seed_names():
        for width, lines in ((14, 2), (10, 3)):
            out = wrap_label(n, width, lines)
            assert out.count("\n") < lines
            flat = "".join(out.split())
            if "…" in flat:  # clipped: the name's last characters are still there
                assert "".join(n.split()).endswith(flat.rsplit("…", 1)[1]), (n, out)
