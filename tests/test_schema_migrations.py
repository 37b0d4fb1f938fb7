"""The migrations apply in sequence on a fresh database and bring every earlier
database up to date: main's (1: data, 2: server tables) and those built by the
issue #11 branch before it met the server tables (its Arena steps numbered 2
and 3) and by the issue #12 branch (its audit model columns numbered 3, now 5). Real SQLite files; the data already in them survives."""
from __future__ import annotations

import sqlite3

import pytest

from bot.store.db import Store
from bot.store.schema import MIGRATIONS, SCHEMA_VERSION

ALL_TABLES = {"models", "arena_ratings", "guild_settings", "watches", "race_views", "prices", "arena_keys"}


def _build(path, steps: list[int], version: int) -> None:
    """A database as an older build left it: these MIGRATIONS steps, this user_version,
    one source, one model and one Arena rating (in the columns of its time)."""
    con = sqlite3.connect(path)
    con.executescript(MIGRATIONS[steps[0]])
    src = "lmarena"
    con.execute("INSERT INTO sources (id, title) VALUES (?, 'Chatbot Arena')", (src,))
    con.execute("INSERT INTO models (id, name, source_id) VALUES (1, 'Model A', ?)", (src,))
    con.execute("""INSERT INTO arena_ratings (snapshot_date, arena_name, model_id, rank, score, ci_plus, ci_minus,
                   source_id) VALUES ('2025-01-01', 'model-a', 1, 1, 1300, 5, 4, ?)""", (src,))
    for i in steps[1:]:
        con.executescript(MIGRATIONS[i])
    con.execute(f"PRAGMA user_version = {version}")
    con.commit()
    con.close()


def _check(path) -> Store:
    store = Store(path)
    assert store.migrate() == SCHEMA_VERSION
    assert store.schema_version == SCHEMA_VERSION
    tables = {r["name"] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert ALL_TABLES <= tables
    cols = {r["name"] for r in store.query("PRAGMA table_info(arena_ratings)")}
    assert {"source_id", "category", "ci_lower", "ci_upper"} <= cols and "ci_plus" not in cols
    audit = {r["name"] for r in store.query("PRAGMA table_info(audit)")}
    assert {"scope", "guild_id", "model_id", "was_model_id"} <= audit
    # a second start changes nothing
    assert store.migrate() == SCHEMA_VERSION
    return store


def test_a_fresh_database_gets_every_step(tmp_path):
    store = _check(tmp_path / "fresh.db")
    assert store.scalar("SELECT count(*) FROM models") == 0


@pytest.mark.parametrize("label, steps, version", [
    ("main schema 1", [0], 1),
    ("main schema 2 (server tables)", [0, 1], 2),
    ("issue #11 branch schema 2 (Arena history)", [0, 2], 2),
    ("issue #11 branch schema 3 (Arena history, arena_keys)", [0, 2, 3], 3),
    ("main schema 4 (server tables, Arena history, arena_keys)", [0, 1, 2, 3], 4),
    ("issue #12 branch schema 3 (server tables, audit model columns)", [0, 1, 4], 3),
])
def test_an_earlier_database_is_brought_up_to_date(tmp_path, label, steps, version):
    path = tmp_path / "old.db"
    _build(path, steps, version)
    store = _check(path)
    rows = store.query("SELECT source_id, category, score, ci_lower, ci_upper FROM arena_ratings")
    assert len(rows) == 1, label
    r = rows[0]
    assert (r["source_id"], r["category"], r["score"]) == ("arena-csv", "full", 1300)
    assert (r["ci_lower"], r["ci_upper"]) == (1296, 1305)
    assert store.scalar("SELECT name FROM models WHERE id = 1") == "Model A"


def test_a_newer_database_is_refused(tmp_path):
    path = tmp_path / "new.db"
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(Exception, match="newer than this bot"):
        Store(path).migrate()


def test_the_sqlite_utils_view_reads_what_sql_reads_and_writes_nothing(tmp_path):
    """Store.tables (sqlite-utils' table API over the thread's connection) is what the
    migrations and the counts read: it must agree with plain SQL and change nothing."""
    from bot.store.queries import row_counts

    path = tmp_path / "old.db"
    _build(path, [0, 1], 2)
    store = _check(path)
    before = store.dump()
    view = store.tables
    assert set(view.table_names()) == {r["name"] for r in store.query(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(view["arena_ratings"].columns_dict) == {r["name"] for r in store.query(
        "PRAGMA table_info(arena_ratings)")}
    counts = row_counts(store)
    assert counts["ratings"] == store.scalar("SELECT count(*) FROM arena_ratings") == 1
    assert counts["models"] == store.scalar("SELECT count(*) FROM models WHERE hidden = 0") == 1
    assert [r["name"] for r in view["models"].rows_where("id = ?", [1])] == ["Model A"]
    assert store.dump() == before
