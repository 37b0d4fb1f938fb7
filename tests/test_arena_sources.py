"""The whole Arena history: importers of the history file, catalog releases and
prices; the board rule; key curation coverage; linking recall and precision;
curated sizes; and the AI Index's January 2024 frontier figure."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.importers.arena_sources import import_arena_catalog, import_arena_history, import_arena_prices
from bot.store.importers import IMPORTERS, ImportFailed
from bot.domain.measures import pct_gap

ROOT = Path(__file__).resolve().parents[1]
CURATION = ROOT / "data" / "curation"


def history_file(shared: Path) -> Path:
    return next((shared / "arena" / "history").glob("*.csv"))


def catalog_files(shared: Path) -> list[Path]:
    return sorted((shared / "arena" / "catalog").glob("leaderboard-text-*.json"))


def top50_keys(shared: Path) -> set[str]:
    """Every key ever in a top 50 of the history file or a catalog `full` board,
    computed from the raw files (not from the curation)."""
    rows = list(csv.reader(history_file(shared).open(encoding="utf-8")))
    keys, out = rows[0][1:], set()
    for r in rows[1:]:
        vals = sorted(((float(v), k) for k, v in zip(keys, r[1:]) if v and float(v) > 0), reverse=True)
        out |= {k for _, k in vals[:50]}
    for f in catalog_files(shared):
        full = json.loads(f.read_text(encoding="utf-8"))["full"]
        out |= {k for k, _ in sorted(full.items(), key=lambda kv: -kv[1]["rating"])[:50]}
    return out


# -- importers: the real files ----------------------------------------------------
def test_history_real_file_all_boards_and_idempotent(shared, empty_store):
    report = import_arena_history(empty_store, history_file(shared))
    boards = empty_store.query("SELECT DISTINCT snapshot_date FROM arena_ratings WHERE source_id = 'arena-history'")
    assert len(boards) == 98
    assert min(b["snapshot_date"] for b in boards) == "2023-05-08"
    assert max(b["snapshot_date"] for b in boards) == "2025-02-27"
    # 0.0 means not rated: no zero rating is stored, and no interval or rank is invented
    assert empty_store.scalar("SELECT count(*) FROM arena_ratings WHERE score <= 0") == 0
    assert empty_store.scalar("SELECT count(*) FROM arena_ratings WHERE ci_lower IS NOT NULL OR rank IS NOT NULL") == 0
    n = empty_store.scalar("SELECT count(*) FROM arena_ratings")
    assert report.added >= n  # (the models it made are counted too)
    dump = empty_store.dump()
    again = import_arena_history(empty_store, history_file(shared))
    assert again.added == again.updated == 0 and again.unchanged == n
    assert empty_store.dump() == dump


def test_catalog_release_every_category_with_intervals_and_idempotent(shared, empty_store):
    f = catalog_files(shared)[-1]
    raw = json.loads(f.read_text(encoding="utf-8"))
    import_arena_catalog(empty_store, f)
    cats = {r["category"] for r in empty_store.query("SELECT DISTINCT category FROM arena_ratings")}
    assert cats == set(raw)
    key, rec = next(iter(raw["coding"].items()))
    row = empty_store.one("SELECT * FROM arena_ratings WHERE category = 'coding' AND arena_name = ?", [key])
    assert row["snapshot_date"] == f.name[17:27] and row["source_id"] == "arena-catalog"
    assert row["score"] == pytest.approx(rec["rating"], abs=0.01)
    assert row["ci_lower"] == pytest.approx(rec["rating_q025"], abs=0.01)
    assert row["ci_upper"] == pytest.approx(rec["rating_q975"], abs=0.01)
    dump = empty_store.dump()
    again = import_arena_catalog(empty_store, f)
    assert again.added == again.updated == 0
    assert empty_store.dump() == dump


def test_prices_keep_source_and_date(shared, empty_store):
    f = next((shared / "arena" / "catalog").glob("scatterplot-data-*.json"))
    raw = {r["model_api_name"]: r for r in json.loads(f.read_text(encoding="utf-8"))}
    import_arena_prices(empty_store, f)
    rows = empty_store.query("SELECT * FROM prices")
    assert rows and {r["as_of"] for r in rows} == {f.name[17:27]}
    for r in rows:
        assert r["input_price"] == pytest.approx(float(raw[r["arena_name"]]["input_token_price"]))
        assert r["source_id"] == "arena-prices"
    # every listed key is a model with its organisation, priced or not
    assert empty_store.scalar("SELECT count(*) FROM arena_keys") == len(raw)


def test_importers_are_registered_kinds():
    assert {"arena-history", "arena-catalog", "arena-prices"} <= set(IMPORTERS)


# -- importers: bad input names the place and changes nothing ---------------------------
GOOD_HISTORY = b",model-a,model-b\n20240101,1200.5,0.0\n20240102,1201.0,1100.25\n"


@pytest.mark.parametrize("data, where", [
    (b",model-a,model-b\n20240101,1200.5,abc\n", "row 1"),
    (b",model-a,model-b\n20240101,1200.5,0.0\n2024013x,1201.0,1100.25\n", "row 2"),
    (b",model-a,model-b\n20240101,1200.5,0.0\n20240101,1201.0,1100.25\n", "repeats row 1"),
    (b",model-a,model-a\n20240101,1200.5,0.0\n", "repeats column 2"),
    (b",model-a,model-b\n20240101,1200.5\n", "row 1"),
    (b",model-a,model-b\n20240101,-5,0\n", "model-a"),
])
def test_history_malformed_names_the_place_and_changes_nothing(empty_store, data, where):
    import_arena_history(empty_store, GOOD_HISTORY, name="history.csv")
    dump = empty_store.dump()
    with pytest.raises(ImportFailed) as exc:
        import_arena_history(empty_store, data, name="bad-history.csv")
    assert "bad-history.csv" in str(exc.value) and where in str(exc.value)
    assert "Nothing was imported" in str(exc.value)
    assert empty_store.dump() == dump


def _release(**override) -> bytes:
    data = {"full": {"model-a": {"rating": 1300.0, "rating_q025": 1295.0, "rating_q975": 1305.0},
                     "model-b": {"rating": 1250.0, "rating_q025": 1240.0, "rating_q975": 1260.0}},
            "coding": {"model-a": {"rating": 1310.0, "rating_q025": 1300.0, "rating_q975": 1320.0}}}
    data.update(override)
    return json.dumps(data).encode()


@pytest.mark.parametrize("data, where", [
    (_release(coding={"model-a": {"rating": 1310.0, "rating_q025": 1300.0}}), "field 'rating_q975' is missing"),
    (_release(coding={"model-a": {"rating": "high", "rating_q025": 1300.0, "rating_q975": 1320.0}}),
     "category 'coding', model 'model-a', field 'rating'"),
    (_release(coding={"model-a": {"rating": 1400.0, "rating_q025": 1300.0, "rating_q975": 1320.0}}),
     "outside its interval"),
    (_release()[:-20], "malformed JSON"),
    (json.dumps({"coding": {}}).encode(), "no 'full' category"),
])
def test_catalog_malformed_names_the_place_and_changes_nothing(empty_store, data, where):
    import_arena_catalog(empty_store, _release(), name="leaderboard-text-2025-01-01.json")
    dump = empty_store.dump()
    with pytest.raises(ImportFailed) as exc:
        import_arena_catalog(empty_store, data, name="leaderboard-text-2025-01-02.json")
    assert "leaderboard-text-2025-01-02.json" in str(exc.value) and where in str(exc.value)
    assert empty_store.dump() == dump


def test_catalog_needs_a_date(empty_store):
    with pytest.raises(ImportFailed, match="no release date"):
        import_arena_catalog(empty_store, _release(), name="upload.json")
    assert empty_store.scalar("SELECT count(*) FROM arena_ratings") == 0


def test_prices_malformed_changes_nothing(empty_store):
    bad = json.dumps([{"name": "A", "model_api_name": "model-a", "input_token_price": "1.5",
                       "output_token_price": "cheap", "organization": "OpenAI", "license": "Proprietary"}]).encode()
    with pytest.raises(ImportFailed) as exc:
        import_arena_prices(empty_store, bad, name="scatterplot-data-2025-12-17.json")
    assert "model 'model-a', field 'output_token_price'" in str(exc.value)
    assert empty_store.scalar("SELECT count(*) FROM prices") == 0
    assert empty_store.scalar("SELECT count(*) FROM models") == 0


def test_moderator_import_catalog_json_dry_run_then_confirm(fresh_engine):
    from bot.caller import LOCAL_OPERATOR

    before = fresh_engine.store.scalar("SELECT count(*) FROM arena_ratings")
    data = _release()
    r = fresh_engine.handle("import arena-catalog", LOCAL_OPERATOR,
                            attachments=[("leaderboard-text-2026-01-05.json", data)])
    assert r.status == "confirm", r.text
    assert fresh_engine.store.scalar("SELECT count(*) FROM arena_ratings") == before


# -- the board rule ---------------------------------------------------------------
def test_board_rule_one_source_per_date(engine):
    read = engine.read_model()
    expect = {"2023-06-01": "arena-history", "2024-01-15": "arena-history", "2024-07-01": "arena-csv",
              "2025-04-01": "arena-csv", "2025-09-01": "arena-csv", "2025-11-10": "arena-catalog",
              "2025-12-31": "arena-catalog"}
    for day, source in expect.items():
        assert read.board_for(day).source == source, day
    assert read.board_for("2025-09-01").date == "2025-08-06"
    assert read.board_for("2023-01-01") is None
    # the chain spans May 2023 to December 2025 and every board in it is one source's
    assert read.dates[0] == "2023-05-08" and read.dates[-1] == "2025-12-11"
    for d in read.dates:
        src = read.source_of(d)
        assert {r.source for r in read.board(d)} <= {src, "moderators"}
    # categories: only the catalog has them, every release is eligible
    assert "coding" in read.categories() and "chinese" in read.categories()
    assert read.board_for("2025-04-01", "coding") == ("arena-catalog", "2025-03-17")
    assert len(read.chain("coding")) == 15
    coding = read.board_rows("arena-catalog", "2025-12-11", "coding")
    assert all(r.category == "coding" and r.ci_lower is not None for r in coding)
    # LMArena's rank: 1 + the models whose interval lies wholly above
    for r in coding[:20]:
        assert r.rank == 1 + sum(1 for x in coding if x.ci_lower > r.ci_upper)


def test_frontier_january_2024_reproduces_the_ai_index(engine):
    """AI Index 2025: rank 1 led rank 10 by 11.9% in early 2024 (gap = (x - y) / y),
    from the history file, the only source of January 2024."""
    read = engine.read_model()
    january = [b for b in read.chain() if b.date.startswith("2024-01")]
    assert january and all(b.source == "arena-history" for b in january)
    gaps = {}
    for b in january:
        rows = read.board_rows(*b)
        gaps[b.date] = pct_gap(rows[0].score, rows[9].score)
    best = min(gaps.values(), key=lambda g: abs(g - 11.9))
    assert abs(best - 11.9) <= 0.1, gaps
    assert all(11.0 <= g <= 12.5 for g in gaps.values()), gaps  # the month's boards agree


# -- curation: keys, links, sizes -----------------------------------------------------
def test_every_top50_key_is_mapped(shared, engine):
    rows = {r["key"]: r for r in csv.DictReader((CURATION / "arena_keys.csv").open(encoding="utf-8"))}
    missing = sorted(k for k in top50_keys(shared)
                     if k not in rows or not (rows[k]["display_name"] and rows[k]["organization"]
                                              and rows[k]["open"] in ("open", "closed")))
    assert not missing, f"unmapped top-50 keys: {missing}"
    for k, r in rows.items():
        assert r["name_from"] and r["org_from"] and r["open_from"], k
    # and in the database every one is a model, with its organisation's country unless undisclosed
    store = engine.store
    for k in top50_keys(shared):
        m = store.one("SELECT m.* FROM aliases a JOIN models m ON m.id = a.model_id WHERE a.alias = ?", [k])
        assert m is not None, k
        if rows[k]["organization"] != "undisclosed":
            assert m["country"] or store.scalar("SELECT country FROM organizations WHERE id = ?", [m["org_id"]]), k


def _links(store: Store) -> dict[str, tuple[str, str]]:
    """The model each name links to: a variant's (thinking, high, preview ...) is its family's
    (which variant a name is: tests/test_variants.py)."""
    return {r["alias"]: (r["name"], r["origin"]) for r in store.query(
        "SELECT a.alias, COALESCE(f.name, m.name) AS name, COALESCE(f.origin, m.origin) AS origin "
        "FROM aliases a JOIN models m ON m.id = a.model_id LEFT JOIN models f ON f.id = m.variant_of")}


def test_linking_recall_and_precision_against_reviewed_links(engine):
    expected = {r["key"]: r["model"] for r in csv.DictReader((CURATION / "expected_links.csv").open(encoding="utf-8"))}
    got = _links(engine.store)
    should = {k: m for k, m in expected.items() if m}
    hits = [k for k, m in should.items() if got.get(k, ("", ""))[0] == m]
    misses = sorted((k, m, got.get(k)) for k, m in should.items() if got.get(k, ("", ""))[0] != m)
    linked = {k: v for k, v in got.items() if k in expected and v[1] in ("epoch", "hub")}
    wrong = sorted((k, v[0], expected[k]) for k, v in linked.items() if v[0] != expected[k])
    recall = len(hits) / len(should)
    precision = 1 - len(wrong) / max(1, len(linked))
    assert recall >= 0.95, f"recall {recall:.3f}; misses: {misses}"
    assert precision >= 0.98, f"precision {precision:.3f}; wrong links: {wrong}"


def test_dated_versions_link_to_that_version_never_an_earlier_one(engine):
    got = _links(engine.store)
    assert got["claude-3-5-sonnet-20240620"][0] == "Claude 3.5 Sonnet"
    assert got["claude-3-5-sonnet-20241022"][0] != "Claude 3.5 Sonnet"
    assert got["deepseek-v3"][0] == "DeepSeek-V3" and got["deepseek-v3-0324"][0] != "DeepSeek-V3"
    assert got["gpt-4o-2024-05-13"][0] == "GPT-4o (May 2024)"
    assert got["gemini-2.5-pro-preview-05-06"][0] == "Gemini 2.5 Pro (May 2025)"
    for key, model in {"grok-3-preview-02-24": "Grok 3", "gpt-4.5-preview-2025-02-27": "GPT-4.5",
                       "kimi-k2-0711-preview": "Kimi K2", "llama-4-maverick-17b-128e-instruct": "Llama 4 Maverick"}.items():
        assert got[key][0] == model, key
    assert got["kimi-k2-0905-preview"][0] != "Kimi K2"


def test_linker_on_its_own_generalises(engine):
    """The automatic linker (no reviewed overrides) on the keys whose reviewed link
    is an Epoch or Hub model: a floor on its recall and its precision."""
    from bot.store.linking import Linker

    store = engine.store
    expected = {r["key"]: r["model"] for r in csv.DictReader((CURATION / "expected_links.csv").open(encoding="utf-8"))}
    overridden = {r["arena_name"] for r in csv.DictReader((CURATION / "links.csv").open(encoding="utf-8"))}
    first = {r["key"]: r["first_seen"] for r in csv.DictReader((CURATION / "arena_keys.csv").open(encoding="utf-8"))}
    models = store.query("SELECT id, name, org_id, release_date FROM models WHERE origin IN ('epoch', 'hub')")
    linker = Linker(models)
    right = wrong = total = 0
    for key, model in expected.items():
        if key in overridden:
            continue
        m = linker.link(key, seen_on=first[key])
        total += bool(model)
        if m and m["name"] == model:
            right += 1
        elif m and model:
            wrong += 1
    assert right / total >= 0.75 and wrong <= 3, (right, wrong, total)


def test_sizes_rows_have_model_card_urls(engine):
    rows = list(csv.DictReader((CURATION / "sizes.csv").open(encoding="utf-8")))
    assert len(rows) >= 60
    store = engine.store
    for r in rows:
        assert r["url"].startswith("https://"), r
        if r["total_parameters"] and r["active_parameters"]:
            assert float(r["active_parameters"]) < float(r["total_parameters"]), r
        m = store.one("SELECT m.* FROM aliases a JOIN models m ON m.id = a.model_id WHERE a.alias = ?",
                      [r["model"]]) or store.one("SELECT * FROM models WHERE name = ?", [r["model"]])
        assert m is not None and m["parameters_url"] == r["url"], r["model"]
        assert m["parameters_disclosed"] == (1 if r["total_parameters"] else 0)
    gemma = store.one("SELECT m.* FROM aliases a JOIN models m ON m.id = a.model_id WHERE a.alias = 'gemma-3-12b-it'")
    assert gemma["parameters"] == 12e9
