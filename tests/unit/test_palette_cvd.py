"""Colours that neighbours tell apart, for colour-blind readers too: the Machado (2009)
protanopia/deuteranopia simulation and a CIE76 distance, and ``colors`` keeping every two
neighbours at least ``MIN_DISTANCE`` apart under each."""
from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render.palette import COLORS, DEUTAN, MIN_DISTANCE, PROTAN, _cie76, _rgb, colors, cvd_distance, simulate

SEED = Path(__file__).resolve().parents[2] / "data" / "seed"


def _seed_keys() -> list[str]:
    keys: set[str] = set()
    with open(SEED / "organizations.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            keys.update(v for v in (r.get("name"), r.get("country")) if v)
    return sorted(keys)


KEYS = _seed_keys()


def test_the_simulation_merges_red_and_green_for_red_green_deficiencies():
    red, green = "#D62728", "#2CA02C"
    normal = _cie76(_rgb(red), _rgb(green))
    for m in (PROTAN, DEUTAN):
        assert _cie76(simulate(red, m), simulate(green, m)) < normal / 2
    # blue and orange stay apart for everyone (why Okabe-Ito pairs them)
    assert cvd_distance(COLORS["United States"], COLORS["China"]) > 30


def test_france_and_multinational_differ_in_a_stack():
    c = colors(["United States", "China", "France", "Multinational", "other"])
    assert cvd_distance(c[2], c[3]) >= MIN_DISTANCE
    assert c[:3] == [COLORS["United States"], COLORS["China"], COLORS["France"]]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=12)), min_size=2, max_size=10,
                unique_by=str.casefold))
def test_neighbours_differ_under_protanopia_and_deuteranopia(keys):
    out = colors(keys)
    assert len(set(out)) == len(out)
    for a, b in zip(out, out[1:]):
        assert cvd_distance(a, b) >= MIN_DISTANCE, (keys, out)
    first = COLORS.get(keys[0]) or next((c for k, c in COLORS.items() if k.casefold() == keys[0].casefold()), None)
    if first:
        assert out[0] == first  # the first (biggest) key keeps its own colour
