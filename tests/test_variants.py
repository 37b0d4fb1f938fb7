"""One Arena entry, one model variant (issue #21): every name any Arena source ever rated
lands on exactly one variant, no variant holds two entries, and every curated spelling
answers as its own variant. Checked against the raw files, not against the seed's own view."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import raw_arena

from bot.engine import Caller
from bot.store.variants import entries_of, read_merges

ROOT = Path(__file__).resolve().parents[1]
CURATION = ROOT / "data" / "curation"
MEMBER = Caller(user_id="42", name="member")


def _raw_boards(shared: Path) -> list[tuple[str, str, list[str]]]:
    """(source, date, names) of every raw board: the history file's days, every category of
    every catalog release, every CSV snapshot."""
    out = []
    path = next((shared / "arena" / "history").glob(raw_arena.HISTORY_GLOB))
    with path.open(newline="", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        keys = next(rows)[1:]
        for row in rows:
            out.append(("arena-history", row[0], [k for k, v in zip(keys, row[1:]) if v and float(v) > 0]))
    for f in sorted((shared / "arena" / "catalog").glob("leaderboard-text-*.json")):
        for cat, board in json.loads(f.read_text(encoding="utf-8")).items():
            out.append(("arena-catalog", f"{f.stem} {cat}", list(board)))
    for day in raw_arena.csv_dates(shared):
        out.append(("arena-csv", day, [r["name"] for r in raw_arena.csv_board(shared, day)]))
    return out


def _merges():
    return read_merges(csv.DictReader((CURATION / "merges.csv").open(encoding="utf-8")))


def test_every_rated_name_lands_on_one_variant_and_no_variant_holds_two_entries(engine, shared):
    alias = {r["alias"]: r["model_id"] for r in engine.store.query("SELECT alias, model_id FROM aliases")}
    display = {r["key"]: r["display_name"] for r in engine.store.query("SELECT key, display_name FROM arena_keys")}
    boards = _raw_boards(shared)
    names = {n for _, _, ns in boards for n in ns}
    assert len(names) > 600  # the three sources' names, keys and display names
    missing = sorted(n for n in names if n not in alias)
    assert not missing, missing[:10]
    # the database agrees: every rating of a name is on the one model its alias names
    spread = engine.store.query("SELECT arena_name, COUNT(DISTINCT model_id) AS n FROM arena_ratings "
                                "GROUP BY arena_name HAVING n > 1")
    assert not spread, spread[:5]
    wrong = engine.store.query("SELECT r.arena_name FROM arena_ratings r JOIN aliases a ON a.alias = r.arena_name "
                               "WHERE a.model_id != r.model_id LIMIT 5")
    assert not wrong, wrong
    # two names on one raw board are two entries: never one model (the raw files prove it)
    merged = []
    for source, day, ns in boards:
        seen: dict[int, str] = {}
        for n in ns:
            if alias[n] in seen and seen[alias[n]] != n:  # (a raw snapshot may repeat a row)
                merged.append((source, day, seen[alias[n]], n))
            seen[alias[n]] = n
    assert not merged, merged[:5]
    # every model holds one entry: its names are one key's spellings, or a reviewed merge joins them
    by_model: dict[int, set[str]] = {}
    for n in names:
        by_model.setdefault(alias[n], set()).add(n)
    read = engine.read_model()
    several = {read.models[m]["name"]: entries_of(ns, display, _merges()) for m, ns in by_model.items()
               if len(entries_of(ns, display, _merges())) > 1}
    assert not several, list(several.items())[:5]
    # and the cases the issue found, by their raw names (each its own model)
    for a, b in (("claude-opus-4-5-20251101-thinking-32k", "claude-opus-4-5-20251101"),
                 ("gpt-5.1-high", "gpt-5.1"), ("llama-4-maverick-03-26-experimental",
                                               "llama-4-maverick-17b-128e-instruct"),
                 ("Gemini-2.0-Flash-Thinking-Exp-01-21", "Gemini-2.0-Flash-001"),
                 ("chatgpt-4o-latest-20240808", "gpt-4o-2024-08-06"), ("qwq-32b-preview", "qwq-32b"),
                 ("gemini-2.5-flash-preview-05-20", "gemini-2.5-flash")):
        if a in alias and b in alias:
            assert alias[a] != alias[b], (a, b)


def test_every_variant_is_linked_to_a_family_that_is_not_a_variant(engine):
    read = engine.read_model()
    variants = [m for m in read.models.values() if m["variant_of"]]
    assert len(variants) >= 20
    for v in variants:
        fam = read.models[v["variant_of"]]
        assert fam["variant_of"] is None, (v["name"], fam["name"])
        assert fam["id"] != v["id"]


def test_every_curated_merge_is_one_entry_never_rated_twice_on_one_board(engine, shared):
    alias = {r["alias"]: r["model_id"] for r in engine.store.query("SELECT alias, model_id FROM aliases")}
    merges = _merges()
    assert merges
    together = {(m.name, m.same_as) for m in merges}
    for source, day, ns in _raw_boards(shared):
        on = set(ns)
        for a, b in together:
            assert not (a in on and b in on), f"{a} and {b} are both on the {source} board {day}: two entries"
    for m in merges:
        assert len(m.why) > 20, m
        assert alias[m.name] == alias[m.same_as], m


def test_every_curated_name_answers_as_its_own_variant(engine):
    """Each reviewed key's display name (data/curation/arena_keys.csv) and its key, asked
    with `model`, answer the variant the key is, not a sibling or the family."""
    read = engine.read_model()
    alias = {r["alias"]: r["model_id"] for r in engine.store.query("SELECT alias, model_id FROM aliases")}
    rated = {r["arena_name"] for r in engine.store.query("SELECT DISTINCT arena_name FROM arena_ratings")}
    wrong = []
    checked = 0
    for r in csv.DictReader((CURATION / "arena_keys.csv").open(encoding="utf-8")):
        key = r["key"]
        if key not in rated:
            continue
        want = read.models[alias[key]]["name"]
        for spelling in dict.fromkeys([key, r["display_name"]]):
            m = engine.models.resolve(spelling) if hasattr(engine, "models") else None
            got = m.entry.name if m is not None and m.found else None
            if m is None:
                reply = engine.handle(f'model "{spelling}"', MEMBER)
                got = reply.data.get("model", {}).get("name") if reply.data else None
            checked += 1
            if got != want:
                wrong.append((spelling, want, got))
    assert checked > 300
    assert not wrong, (len(wrong), wrong[:60])


def test_a_family_answers_its_own_model_and_lists_its_rated_variants_with_their_scores(engine):
    """Every family with variants: `model <family>` is the family's own model and names each
    rated variant with its latest score; `model <variant>` is the variant and names its family."""
    read = engine.read_model()
    families = {m["variant_of"] for m in read.models.values() if m["variant_of"]}
    checked = 0
    for fid in sorted(families):
        fam = read.models[fid]
        r = engine.handle(f'model "{fam["name"]}"', MEMBER)
        assert r.data["model"]["name"] == fam["name"], (fam["name"], r.text[:200])
        for v in (m for m in read.models.values() if m["variant_of"] == fid):
            rating = read.latest_rating(v["id"]) or read.latest_any_rating(v["id"])
            if rating is None:
                continue
            assert f"{v['name']} {rating.score:,.0f} ({rating.date})" in r.text, (fam["name"], v["name"], r.text)
            rv = engine.handle(f'model "{v["name"]}"', MEMBER)
            assert rv.data["model"]["name"] == v["name"] and rv.data["variant_of"] == fam["name"], rv.text[:200]
            assert f"A variant of {fam['name']}" in rv.text
            checked += 1
    assert checked >= 20


def test_an_arena_only_model_has_no_release_date_of_its_own(engine):
    """The price list's date is never a release date: a model known only from LMArena is
    dated by its first rating (and says so), one no board rates has no date."""
    read = engine.read_model()
    prices_day = engine.store.scalar("SELECT MAX(as_of) FROM prices")
    for m in read.models.values():
        if m["origin"] != "arena":
            continue
        first = engine.store.scalar("SELECT MIN(snapshot_date) FROM arena_ratings WHERE model_id = ?", [m["id"]])
        assert m["release_date"] == first, (m["name"], m["release_date"], first)
    dated_by_list = [m["name"] for m in read.models.values()
                     if m["release_date"] == prices_day and m["origin"] == "arena"]
    assert not dated_by_list, dated_by_list[:5]
    r = engine.handle("model o3", MEMBER)  # Epoch dates o3 by its December 2024 announcement
    assert "2024-12-20" in r.text and "o3-2025-04-16 is dated 2025-04-16" in r.text, r.text[:300]


def test_sizes_say_how_sure_they_are_and_open_models_of_known_size_show_it(engine):
    """A parameter count Epoch AI notes as a rumour or an estimate says so; an open model
    whose Arena name states its size is never 'size not disclosed'."""
    import re

    read = engine.read_model()
    notes = {m["parameters_note"] for m in read.models.values() if m["parameters"]}
    assert {"speculative", "estimate", "from its name"} <= notes
    checked = 0
    for m in read.models.values():
        rating = read.latest_rating(m["id"])
        if rating is None or m["access"] != "open weights":
            continue
        names = " ".join(read.aliases(m["id"])).lower()
        if not re.search(r"(?<![a-z\dx.])\d+(\.\d+)?b\b", names):
            continue
        r = engine.handle(f'model "{m["name"]}"', MEMBER)
        assert "size not disclosed" not in r.text, (m["name"], r.text[:200])
        checked += 1
        if m["parameters_note"]:
            assert f"({m['parameters_note']}" in r.text or f", {m['parameters_note']})" in r.text, r.text[:200]
    assert checked >= 40
    speculative = [m for m in read.models.values() if m["parameters_note"] == "speculative" and read.latest_rating(m["id"])]
    for m in speculative:
        assert "speculative" in engine.handle(f'model "{m["name"]}"', MEMBER).text
