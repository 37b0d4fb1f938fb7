"""A rating change patched into the read model equals a full build (issue #24).

Random changes (seeded: edit a rating, a moderator's score on any day, a model
added with its rating, a rating deleted, a new board, undo), each made through
the engine's store as a moderator would, then the engine's refreshed read model
(patched) compared field by field with a read model built whole from the same
database, with the counted boards and category boards the engine carried over."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from bot.caller import Caller
from bot.engine import Engine
from bot.domain.board_chain import AMENDMENTS
from bot.domain.categories import OVERALL
from bot.store.importers.common import ensure_sources
from bot.domain.counted_boards import counted_boards
from bot.store.readmodel import ReadModel

MOD = Caller(user_id="900", name="mod", is_moderator=True)
CATEGORY = "coding"
MAPS = ("_all_boards", "display", "by_date", "dates", "moderator_bases", "history_of", "peak_of",
        "rows_per_model", "best_of", "_history_dates", "_best_dates")
IN_ORDER = ("history_of", "peak_of", "rows_per_model", "best_of")  # dicts whose order answers may read


def _views(read: ReadModel) -> None:
    """The boards the bot's commands read: counted and listed overall, counted of a category."""
    counted_boards(read)
    counted_boards(read, True)
    counted_boards(read, False, CATEGORY)
    read.category_boards(CATEGORY)
    read.board_scores()


def assert_same(patched: ReadModel, full: ReadModel) -> None:
    for name in MAPS:
        a, b = getattr(patched, name), getattr(full, name)
        assert a == b, name
        if name in IN_ORDER:
            assert list(a) == list(b), f"{name}: order"
    assert patched.counts == full.counts  # what `sources` reports, its ratings not counted again
    assert patched.chains.keys() == full.chains.keys()
    for c, chain in full.chains.items():
        assert patched.chains[c].boards == chain.boards, c
        assert patched.chains[c].dates == chain.dates, c
    _views(full)
    for key, view in full._views.items():
        mine = patched._views.get(key)
        assert mine is not None, key
        if key[0] == "boards":
            for field in ("by_date", "dates", "listed", "sources", "rule", "category", "include_retired"):
                assert getattr(mine, field) == getattr(view, field), (key, field)
        else:
            assert mine == view, key
    assert patched._board_cache.keys() <= {(b.source, b.date, c) for c in full._all_boards for b in full.board_keys(c)}
    for c in (OVERALL, CATEGORY):  # the boards as published, read through the cache the patch carried
        for b in full.board_keys(c)[-6:]:
            assert patched.board_rows(b.source, b.date, c) == full.board_rows(b.source, b.date, c), (c, b)


def assert_tables_same(patched: ReadModel, full: ReadModel) -> None:
    """The tables the refresh built for the patched model (reusing the previous model's where
    its boards were the same) equal the same tables built afresh over the full build."""
    from bot.commands.prices import _prices_of, cheapest_from
    from bot.commands.trends import _small_boards, arena_records

    mine, theirs = counted_boards(patched), counted_boards(full)
    assert mine.__dict__["_country_best"] == {d: theirs.country_best(d) for d in theirs.dates}
    from bot.domain.comparable import comparable

    assert vars(comparable(patched)) == vars(comparable(full))  # scales, seams, flags
    small = _small_boards(full)
    assert patched._views[("small boards",)] == small
    assert patched._views[("arena records", False)] == arena_records(small)
    table = mine.__dict__["_memo"][("cheapest by board",)]
    assert table == cheapest_from(theirs, *_prices_of(full))


def _rating_rows(store, where: str = "", params=()):
    return store.query(f"SELECT * FROM arena_ratings {where}", list(params))


def _day(rnd: random.Random, first: str, last: str) -> str:
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    return (a + timedelta(days=rnd.randint(0, (b - a).days))).isoformat()


KINDS = ["edit", "moderator", "add model", "delete", "new board", "undo"]


def _random_change(rnd: random.Random, engine: Engine, step: int, kind: str) -> str:
    """One random change of `kind` through the store (as the moderators' commands make them); says what."""
    store = engine.store
    read = engine.read_model()
    if kind == "undo":
        live = store.query("SELECT DISTINCT batch FROM audit WHERE undone = 0 AND scope = 'data' "
                           "AND action NOT LIKE 'undo #%' AND action NOT LIKE 'redo #%' ORDER BY batch DESC LIMIT 3")
        if live:
            store.undo_batch(rnd.choice(live)["batch"], "test", force=True)
            return kind
        kind = "edit"
    recent = rnd.random() < 0.6  # most changes land on the latest boards, as moderators' do
    if kind in ("edit", "delete"):
        category = rnd.choice([OVERALL, OVERALL, CATEGORY])
        keys = read.board_keys(category)
        b = keys[-1 - rnd.randrange(3)] if recent else rnd.choice(keys)
        rows = _rating_rows(store, "WHERE source_id = ? AND snapshot_date = ? AND category = ?",
                            [b.source, b.date, category])
        row = rnd.choice(rows)
        with store.change("test", f"{kind} {step}") as ch:
            if kind == "edit":
                ch.upsert("arena_ratings", {**row, "score": round(row["score"] + rnd.uniform(-40, 40), 2)})
            else:
                ch.delete("arena_ratings", {k: row[k] for k in ("source_id", "snapshot_date", "category", "arena_name")})
        return f"{kind} {category} {b.date}"
    if kind == "moderator":
        on_board = rnd.random() < 0.3
        day = rnd.choice(read.chain()).date if on_board else (
            _day(rnd, read.dates[-3], "2026-12-07") if recent else _day(rnd, read.dates[0], "2026-12-07"))
        mid = rnd.choice(list(read.history_of))
        name = read.models[mid]["name"]
        with store.change("test", f"moderator {step}") as ch:
            ensure_sources(ch, AMENDMENTS)
            ch.upsert("arena_ratings", {"source_id": AMENDMENTS, "snapshot_date": day, "category": OVERALL,
                                        "arena_name": name, "model_id": mid, "rank": None,
                                        "score": round(rnd.uniform(1000, 1500), 1), "licence": "Proprietary"})
        return f"moderator {day}"
    if kind == "add model":
        b = read.board_keys(OVERALL)[-1] if recent else rnd.choice(read.board_keys(OVERALL))
        org = rnd.choice([m for m in read.models.values() if m["org_id"]])
        with store.change("test", f"add model {step}") as ch:
            mid = ch.insert("models", {"name": f"Patchtest Model {step}", "organization": org["organization"],
                                       "org_id": org["org_id"], "country": org["country"], "origin": "moderator"})
            ch.upsert("arena_ratings", {"source_id": b.source, "snapshot_date": b.date, "category": OVERALL,
                                        "arena_name": f"patchtest-model-{step}", "model_id": mid, "rank": None,
                                        "score": round(rnd.uniform(1000, 1500), 1)})
        return f"add model {b.date}"
    # a new board of a source, a few of the latest board's models on it: moves the chain
    source = rnd.choice(["arena-catalog", "arena-csv", "arena-history"])
    last = read.board_keys(OVERALL)[-1]
    day = _day(rnd, read.dates[-20], "2026-12-07") if recent else _day(rnd, read.dates[0], read.dates[-1])
    rows = rnd.sample(_rating_rows(store, "WHERE source_id = ? AND snapshot_date = ? AND category = ?",
                                   [last.source, last.date, OVERALL]), 5)
    with store.change("test", f"new board {step}") as ch:
        for r in rows:
            ch.upsert("arena_ratings", {**r, "source_id": source, "snapshot_date": day, "rank": None,
                                        "score": round(r["score"] + rnd.uniform(-10, 10), 2)})
    return f"new board {source} {day}"


@pytest.mark.parametrize("seed", [1, 2])
def test_a_patched_read_model_equals_a_full_build(fresh_engine, seed):
    rnd = random.Random(seed)
    engine = fresh_engine
    _views(engine.read_model())
    patched = 0
    kinds = rnd.sample(KINDS, len(KINDS)) + rnd.sample(KINDS, 2)  # every kind, in a random order
    for step, kind in enumerate(kinds):
        what = _random_change(rnd, engine, step, kind)
        read = engine.read_model()
        assert read.version == engine.store.data_version
        assert read.patched is not None, what
        patched += 1
        try:
            full = ReadModel(engine.store)
            assert_same(read, full)
            assert_tables_same(read, full)
        except AssertionError as exc:
            raise AssertionError(f"after step {step} ({what}): {exc}") from None
    assert patched == len(kinds)  # every change above is exact to patch


def test_what_is_not_exact_to_patch_is_built_whole(fresh_engine):
    engine = fresh_engine
    read = engine.read_model()
    _views(read)
    mid = max(read.history_of, key=lambda m: len(read.history_of[m]))
    name = read.models[mid]["name"]
    with engine.store.change("test", "rename") as ch:  # a name every board it is on reads
        ch.upsert("models", {"id": mid, "name": name + " (renamed)"})
    read = engine.read_model()
    assert read.patched is None
    assert_same(read, ReadModel(engine.store))
    # a write the audit log does not hold: the ratings' version counts it, the patch is refused
    with engine.store.change("test", "unaudited", audit=False) as ch:
        row = _rating_rows(engine.store, "WHERE category = ? ORDER BY snapshot_date DESC LIMIT 1", [OVERALL])[0]
        ch.upsert("arena_ratings", {**row, "score": row["score"] + 5})
    read = engine.read_model()
    assert read.patched is None
    assert_same(read, ReadModel(engine.store))
    reply = engine.handle(f"elo {name} (renamed) 1391", MOD)  # and the next audited change is patched again
    assert reply.status == "ok", reply.text
    read = engine.read_model()
    assert read.patched == "full: 1 board(s)"
    assert_same(read, ReadModel(engine.store))
