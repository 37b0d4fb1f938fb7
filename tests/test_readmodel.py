"""The read model's maps, its rebuild after a change, and the helpers that keep
commands linear in the size of the data (issue #12)."""
from __future__ import annotations

import random
import threading
import unicodedata

import pytest

from bot.caller import Caller
from bot.engine import Engine
from bot.render.charts.service import default_workers
from bot.store.db import Store
from bot.domain.regions import EUROPE
from bot.domain.normalize import compact, fold
from bot.store.readmodel import ReadModel

MOD = Caller(user_id="900", name="mod", is_moderator=True)


def slow_fold(text: str) -> str:
    """fold as it was before the ASCII fast path and the memo: the reference."""
    import re

    t = unicodedata.normalize("NFKD", text)
    t = "".join(c for c in t if not unicodedata.combining(c)).lower()
    t = re.sub(r"[^a-z0-9.+]+", " ", t)
    t = re.sub(r"(?<![0-9])\.|\.(?![0-9])", " ", t)
    return " ".join(t.split())


def test_fold_fast_path_and_memo_give_the_same_answers(engine):
    rnd = random.Random(5)
    names = [m["name"] for m in engine.read_model().models.values()]
    odd = ["Clàude 3.5 Sönnet", "Ｆｕｌｌ-width GPT", "Command R+", "  v.2. x3.5. ", "ÉPOCH…AI", "gpt_4o-2024.05",
           "Qwen2.5-72B", "", "ﬁne-tuned", "İstanbul"]
    rnd_strings = ["".join(rnd.choice("aZ09 .-+_/éñ()") for _ in range(rnd.randint(0, 20))) for _ in range(300)]
    for s in names + odd + rnd_strings:
        assert fold(s) == slow_fold(s), s
        assert fold(s) == slow_fold(s)  # memoised: the same again
        assert compact(s) == slow_fold(s).replace(" ", "")


def brute_history(f: ReadModel, model_id: int) -> list:
    out = []
    for d in f.dates:
        for r in f.by_date[d]:
            if r.model_id == model_id:
                out.append(r)
                break
    return out


def brute_series(f: ReadModel, pred, until=None) -> list:
    out = []
    for d in f.dates:
        if until and d > until:
            break
        for r in f.by_date[d]:
            if pred(r):
                out.append(r)
                break
    return out


def test_maps_hold_what_a_scan_of_every_rating_finds(engine):
    f = engine.read_model()
    rnd = random.Random(3)
    cuts = [None, f.dates[0], f.dates[len(f.dates) // 2], "2024-12-31", "1999-01-01", "2100-01-01"]
    for mid in rnd.sample(sorted(f.history_of), 150) + [max(f.models) + 1000]:
        hist = brute_history(f, mid)
        assert f.model_history(mid) == hist
        for u in cuts:
            want = [r for r in hist if u is None or r.date <= u]
            assert f.latest_rating(mid, u) == (want[-1] if want else None)
    countries = {r.country for rows in f.by_date.values() for r in rows if r.country}
    for c in sorted(countries) + ["Europe", "Atlantis"]:
        pred = (lambda r: r.country in EUROPE) if c == "Europe" else (lambda r, c=c: r.country == c)
        for u in cuts:
            assert f.series(("country", c), u) == brute_series(f, pred, u)
    orgs = {r.org_id for rows in f.by_date.values() for r in rows if r.org_id is not None}
    for oid in rnd.sample(sorted(orgs), 20):
        assert f.series(("org", oid)) == brute_series(f, lambda r, oid=oid: r.org_id == oid)
    for is_open in (True, False):
        assert f.series(("open", is_open), "2025-02-28") == brute_series(f, lambda r, v=is_open: r.open == v, "2025-02-28")
        for d in f.dates[::7]:
            assert f.best_at(("open", is_open), d) == next((r for r in f.by_date[d] if r.open == is_open), None)
    assert f.countries == sorted({m["country"] for m in f.models.values() if m["country"]})
    assert f.counts["ratings"] == engine.store.scalar("SELECT count(*) FROM arena_ratings")


def same_read_model(a: ReadModel, b: ReadModel) -> None:
    assert a.version == b.version
    assert a.dates == b.dates and a.by_date == b.by_date
    assert a.history_of == b.history_of and a.best_of == b.best_of and a.rows_per_model == b.rows_per_model
    assert a.models == b.models and a.countries == b.countries and a.counts == b.counts
    assert a.sources == b.sources and a.benchmarks == b.benchmarks
    assert a.peak_of == b.peak_of and a.ratings_version == b.ratings_version
    from bot.domain.counted_boards import counted_boards
    assert counted_boards(a).by_date == counted_boards(b).by_date and counted_boards(a).dates == counted_boards(b).dates


CHANGES = ["elo grok 4 1300", "alias o3 threeee", "elo grok 4 1301 2025-08-03", "unalias threeee", "undo",
           "set o3 country france", "remove claude 3 opus", "restore claude 3 opus", "rename o1 to o1-three",
           "add model Synthetic 3 org=OpenAI country=us date=2024-03 params=3B", "elo Synthetic 3 1500",
           "set Synthetic 3 country france", "elo Synthetic 3 1350 2025-01-03", "remove Synthetic 3",
           "restore Synthetic 3", "set Synthetic 3 org DeepSeek",
           "score o3 GPQA diamond 50%", "set deepseek r1 params 5B", "alias deepseek r1 r-one",
           "set o3 org Google", "merge GPT-4o mini into o3", "undo", "remove o3", "undo"]


def test_each_change_is_read_at_once_and_matches_a_full_build(fresh_engine):
    """After each change the engine's read model (built by the changing thread
    and swapped in) is the one a fresh build reads: boards, maps and all."""
    e = fresh_engine
    e.read_model()
    for line in CHANGES:
        reply = e.handle(line, MOD)
        assert reply.status == "ok", (line, reply.text)
        same_read_model(e.read_model(), ReadModel(e.store))
    # the answers read the new data at once (the moderator's own change is visible to them)
    assert e.handle("model o3", MOD).data["model"]["country"] == "France"


def test_a_change_from_another_process_is_read_in_full(fresh_engine):
    e = fresh_engine
    before = e.read_model()
    other = Store.open(e.store.path)  # another connection: its changes are not in this store's log
    oid = other.scalar("SELECT id FROM models WHERE name = 'o3'")
    with other.change("elsewhere", "set") as ch:
        ch.upsert("models", {"id": oid, "country": "Japan"})
    other.close()
    assert e.read_model() is before  # a reader never builds: it answers from the model it has ...
    after = e.refresh()  # ... while the new one is built in the background (refresh waits for it)
    assert e.read_model() is after
    assert after.version == before.version + 1
    assert after.models[oid]["country"] == "Japan"
    same_read_model(after, ReadModel(e.store))


def test_others_answer_from_the_current_read_model_while_a_change_is_applied(fresh_engine, monkeypatch):
    """A moderator's change builds the next read model; a reader in the meantime
    does not wait for it (no lock): it answers from the version before."""
    e = fresh_engine
    e.read_model()
    building, release = threading.Event(), threading.Event()
    def slow_build(store, previous=None, patch=None):
        building.set()
        assert release.wait(60), "the test never released the build"
        return ReadModel(store, previous, patch)

    monkeypatch.setattr("bot.engine.versions.ReadModel", slow_build)
    top = e.handle("top 1").data["rows"][0]
    changer = threading.Thread(target=lambda: e.handle(f"elo {top['model']} {int(top['score']) + 200}", MOD))
    changer.start()
    try:
        assert building.wait(60)
        answers: list = []
        reader = threading.Thread(target=lambda: answers.append(e.handle("top 1")))
        reader.start()
        reader.join(60)
        assert not reader.is_alive(), "a reader waited for the moderator's refresh"
        assert answers[0].data["rows"][0]["score"] == top["score"]  # the data before the change
    finally:
        release.set()
        changer.join(60)
    assert e.handle("top 1").data["rows"][0]["score"] == int(top["score"]) + 200


def test_a_reader_racing_a_rebuild_neither_builds_nor_waits(fresh_engine, monkeypatch):
    """The window between a commit and the builder taking its lock (here: a
    change another connection committed, which no listener announces): a
    reader sees the newer version, gets the current model at once, and the
    build runs in the background, held here until the reader has answered."""
    e = fresh_engine
    before = e.read_model()
    building, release = threading.Event(), threading.Event()
    builders: list[str] = []

    def gated_build(store, previous=None, patch=None):
        builders.append(threading.current_thread().name)
        building.set()
        assert release.wait(60), "the test never released the build"
        return ReadModel(store, previous, patch)

    monkeypatch.setattr("bot.engine.versions.ReadModel", gated_build)
    was = e.handle("model o3").data["model"]["country"]
    other = Store.open(e.store.path)
    oid = other.scalar("SELECT id FROM models WHERE name = 'o3'")
    with other.change("elsewhere", "set") as ch:
        ch.upsert("models", {"id": oid, "country": "Japan"})
    other.close()
    try:
        answers: list = []
        readers = [threading.Thread(target=lambda: answers.append(e.handle("model o3"))) for _ in range(3)]
        for r in readers:
            r.start()
        for r in readers:
            r.join(60)
        assert not any(r.is_alive() for r in readers), "a reader waited for the rebuild"
        assert [a.data["model"]["country"] for a in answers] == [was] * 3  # the model before
        assert building.wait(60)  # the build runs meanwhile, in its own thread, once
        assert builders == ["racebot-refresh"]
        assert e.read_model() is before
    finally:
        release.set()
    after = e.refresh()
    assert after.version > before.version and len(builders) == 1
    assert e.handle("model o3").data["model"]["country"] == "Japan" != was


def test_history_finds_a_models_rows_by_index_exactly(fresh_engine):
    e = fresh_engine
    assert e.handle("merge GPT-4o mini into o3", MOD).status == "ok"
    o3 = e.store.scalar("SELECT id FROM models WHERE name = 'o3'")
    mini = e.store.scalar("SELECT id FROM models WHERE name = 'GPT-4o mini'")
    moved = e.store.scalar("SELECT count(*) FROM audit WHERE tbl = 'arena_ratings'")
    assert moved > 0
    for mid in (o3, mini):  # a moved rating concerns both: the model it left and the one it joined
        ids = {r["id"] for r in e.store.history(model_id=mid, limit=10_000)}
        assert {r["id"] for r in e.store.query("SELECT id FROM audit WHERE tbl = 'arena_ratings'")} <= ids
    # no prefix matches: model 1's history is not model 11's
    assert all(r["model_id"] == 1 or r["was_model_id"] == 1 for r in e.store.history(model_id=1, limit=100))
    plan = " ".join(str(r) for r in e.store.db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM audit WHERE model_id = ? UNION SELECT id FROM audit WHERE was_model_id = ?",
        [o3, o3]).fetchall())
    assert "audit_model" in plan and "audit_was_model" in plan


@pytest.mark.parametrize("cores, workers", [(1, 1), (2, 1), (4, 2), (64, 2)])
def test_one_chart_worker_on_small_machines(cores, workers):
    assert default_workers(cores) == workers


def test_chart_workers_setting():
    from bot.config import ConfigError, Settings

    assert Settings.from_env({}, dotenv_path=None).chart_workers == 0
    assert Settings.from_env({"RACEBOT_CHART_WORKERS": "3"}, dotenv_path=None).chart_workers == 3
    with pytest.raises(ConfigError):
        Settings.from_env({"RACEBOT_CHART_WORKERS": "many"}, dotenv_path=None)


def test_the_database_still_fits_an_upload(engine):
    """No index beyond what the answers need: the seed database stays under
    Discord's 25 MiB upload limit (`export sqlite`), as it was before issue #12."""
    engine.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = engine.store.scalar("PRAGMA page_count") * engine.store.scalar("PRAGMA page_size")
    assert pages < 25 * 1024 * 1024
    names = {r[0] for r in engine.store.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "arena_name" not in names


def test_engine_builds_a_read_model_once_per_version(fresh_engine):
    e = fresh_engine
    first = e.read_model()
    assert e.read_model() is first and e.context(MOD).read is first
    assert isinstance(e, Engine)


WARM = ["top", "top 20 all", "frontier", "frontier all", "race", "gap us china", "gap us china coding", "depth",
        "cheapest 1300", "small 1300 arena", "ask who is winning, the US or China?", "top coding",
        "model deepseek r1", "compare gpt-4o vs deepseek r1", "changes", "timeline", "country china"]


def test_a_read_model_holds_no_reference_cycles(fresh_engine, monkeypatch):
    """The read model is frozen out of the cyclic collector, so a cycle through
    it (a view referring back to the model) would never be freed: with the
    collector off and no reaper, letting go of a used model frees it at once."""
    import gc
    import weakref

    e = fresh_engine
    monkeypatch.setattr("bot.engine.versions.retire", lambda *parts: None)  # plain reference counting only
    gc.collect()
    gc.disable()
    try:
        for line in WARM:
            assert e.handle(line).status == "ok", line
        ref = weakref.ref(e.read_model())
        assert ref()._views and ref()._memo  # the views and series were filled
        assert e.handle("elo grok 4 1391", MOD).status == "ok"
        assert ref() is None, "the old read model outlived its last reference"
    finally:
        gc.enable()


def test_a_retired_read_model_is_freed_by_the_reaper(fresh_engine):
    import threading
    import weakref

    from bot.store.collector import retired_count

    e = fresh_engine
    for line in WARM[:6]:
        e.handle(line)
    ref = weakref.ref(e.read_model())
    before = retired_count()
    assert e.handle("elo grok 4 1392", MOD).status == "ok"
    for _ in range(6000):  # bounded wait for the reaper thread (up to 60 s on a loaded machine)
        if ref() is None and retired_count() > before:
            break
        threading.Event().wait(0.01)
    assert ref() is None and retired_count() > before
    assert e.handle("top 1").status == "ok"  # the current model is untouched


def _rating_inputs() -> list[tuple[str, str]]:
    """(table, column) of every model and organisation column an Arena rating reads."""
    import re

    from bot.store.readmodel import _RATING_COLUMNS

    cols = [("models", c) for c in re.findall(r"\bm\.(\w+)", _RATING_COLUMNS)]
    cols += [("organizations", c) for c in re.findall(r"\bo\.(\w+)", _RATING_COLUMNS)]
    return sorted(set(cols) | {("models", "hidden")})  # hidden: the WHERE clause


def test_ratings_version_moves_with_every_input_of_a_rating_and_nothing_else(fresh_engine):
    """The triggers behind ``ratings_version`` cover every column a rating
    joins (read from the rating query itself), the ratings and the display
    names, from any writer; a write elsewhere leaves it."""
    from bot.store.queries import ratings_version

    store = fresh_engine.store
    conn = store.db
    mid, oid = conn.execute("SELECT m.id, m.org_id FROM models m WHERE m.org_id IS NOT NULL AND EXISTS "
                            "(SELECT 1 FROM arena_ratings r WHERE r.model_id = m.id) LIMIT 1").fetchone()

    def moved(sql: str, *params) -> bool:
        before = ratings_version(store)
        with conn:
            conn.execute(sql, params)
        return ratings_version(store) != before

    for table, col in _rating_inputs():
        key = mid if table == "models" else oid
        new = 1 if col in ("org_id", "hidden") else f"changed-{col}"
        if col == "org_id":
            new = conn.execute("SELECT id FROM organizations WHERE id != ? LIMIT 1", [oid]).fetchone()[0]
        assert moved(f"UPDATE {table} SET [{col}] = ? WHERE id = ?", new, key), (table, col)
    one = conn.execute("SELECT source_id, snapshot_date, category, arena_name FROM arena_ratings LIMIT 1").fetchone()
    where = "WHERE source_id = ? AND snapshot_date = ? AND category = ? AND arena_name = ?"
    assert moved(f"UPDATE arena_ratings SET score = score + 1 {where}", *one)
    assert moved(f"DELETE FROM arena_ratings {where}", *one)
    key = conn.execute("SELECT key FROM arena_keys LIMIT 1").fetchone()[0]
    assert moved("UPDATE arena_keys SET display_name = 'x' WHERE key = ?", key)
    # what a rating does not read
    assert not moved("UPDATE models SET parameters = 123 WHERE id = ?", mid)
    assert not moved("UPDATE models SET country = country WHERE id = ?", mid)  # no real change
    assert not moved("INSERT INTO aliases (alias, model_id, kind) VALUES ('zz-alias', ?, 'alias')", mid)
    assert not moved("UPDATE organizations SET sector = 'x' WHERE id = ?", oid)


def test_a_change_outside_the_ratings_keeps_the_rating_maps(fresh_engine):
    e = fresh_engine
    first = e.read_model()
    e.handle("frontier")  # a memoised series on the counted boards
    assert e.handle("set deepseek r1 params 5B", MOD).status == "ok"
    kept = e.read_model()
    assert kept.version > first.version and kept.by_date is first.by_date  # kept, not rebuilt
    same_read_model(kept, ReadModel(e.store))
    assert e.handle("model deepseek r1", MOD).data["model"]["parameters"] == 5e9
    from bot.domain.counted_boards import counted_boards
    # the counted boards are kept, not their memoised series (the re-warming after the change may fill new ones)
    assert counted_boards(kept).by_date is counted_boards(first).by_date
    assert counted_boards(first).__dict__.get("_memo") and counted_boards(kept).__dict__.get("_memo") is not counted_boards(first).__dict__["_memo"]
    assert e.handle("set deepseek r1 country france", MOD).status == "ok"
    rebuilt = e.read_model()
    assert rebuilt.by_date is not kept.by_date
    same_read_model(rebuilt, ReadModel(e.store))


def test_a_command_reads_its_own_change_even_while_another_thread_builds(fresh_engine):
    """Inside a command, refreshes wait for its end; but the command itself
    reading after its change (an import's announcement compares before and
    after) gets the new data, not the version before, even when another
    thread is building at that moment (it waits for that build or builds)."""
    import threading

    e = fresh_engine
    before = e.read_model()

    class BusyElsewhere:  # another thread seems to be building: locked() says so
        def __init__(self):
            self._lock = threading.Lock()

        def locked(self):
            return True

        def __enter__(self):
            return self._lock.__enter__()

        def __exit__(self, *exc):
            return self._lock.__exit__(*exc)

    e._build_lock = BusyElsewhere()
    assert e.read_model() is before  # others answer from the current one meanwhile
    with e._one_refresh():
        mid = e.store.scalar("SELECT id FROM models WHERE name = 'o3'")
        with e.store.change("test", "set") as ch:
            ch.upsert("models", {"id": mid, "country": "Japan"})
        mine = e.read_model()
    assert mine.version > before.version and mine.models[mid]["country"] == "Japan"
    assert e.read_model() is mine


def test_the_refresh_builds_what_was_asked_before_and_re_answers_the_popular(fresh_engine):
    """The cold costs go to the refresh: a category's boards someone asked for
    are built with the next model, and the most asked chart commands are
    answered again (memoised) before anyone asks, equal to a fresh answer."""
    e = fresh_engine
    asked = e.handle("top 10 coding")
    e.handle("race")
    top = e.handle("top 1").data["rows"][0]
    assert e.handle(f"elo {top['model']} {int(top['score']) + 50}", MOD).status == "ok"
    now = e.read_model()
    assert {("category boards", "coding"), ("boards", False, "coding")} <= set(now.view_keys())
    assert e.wait_rewarmed(60)
    with e._lock:
        warmed = {k[3:5] for k in e._replies if k[0] == now.version and not k[5]}
    assert ("top", "10 coding") in warmed and ("race", "") in warmed
    again = e.handle("top 10 coding", Caller(user_id="1", name="u"))
    other = Engine.open(e.store.path, clock=e.clock)
    try:
        cold = other.handle("top 10 coding")
    finally:
        other.close()
    assert again.text == cold.text and again.data == cold.data
    assert asked.data["as_of"] == again.data["as_of"]
