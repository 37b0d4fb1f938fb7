"""Watches and server settings without Discord: the pure evaluator, the settings
store (audited, apart from the data's undo), the once-only claims across two
engines on one SQLite file, and the two authorities in the engine."""
from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.commands.alerts import AlertPlanner, iso_week
from bot.caller import Caller
from bot.commands.watching import evaluate, race_view
from bot.engine import Engine
from bot.store.server_state import MAX_WATCHES, ServerStore, TooManyWatches


# ----------------------------------------------------------------------------- the evaluator
@dataclass
class W:
    id: int
    kind: str
    spec: dict
    label: str = "w"


def view(version: int, rows: list[tuple], date: str = "2025-08-06") -> dict:
    """rows: (model_id, name, score, country, open)."""
    board = [[mid, name, name, score, country, None, "Org", is_open]
             for mid, name, score, country, is_open in sorted(rows, key=lambda r: -r[2])]
    return {"version": version, "date": date, "source": "LMArena", "board": board}


US, CN, FR = "United States", "China", "France"
BASE = [(1, "Alpha", 1400.0, US, False), (2, "Beta", 1380.0, CN, True), (3, "Gamma", 1300.0, FR, True)]
US_CN = {"a": {"kind": "country", "key": US, "label": US}, "b": {"kind": "country", "key": CN, "label": CN},
         "below": None, "above": None}


def test_gap_fires_on_a_leader_change_only() -> None:
    w = W(1, "gap", US_CN)
    before = view(1, BASE)
    assert evaluate(w, before, view(2, [*BASE[:1], (2, "Beta", 1390.0, CN, True), BASE[2]])) is None
    after = view(2, [BASE[0], (2, "Beta", 1410.0, CN, True), BASE[2]])
    alert = evaluate(w, before, after)
    assert alert is not None and alert.key == "v2:leader:b"
    assert "China now leads United States" in alert.text and "as of 2025-08-06" in alert.footer
    assert alert.chart_line == "gap United States vs China"


@pytest.mark.parametrize("threshold,was,now,fires", [
    ({"below": 2.0}, 1370.0, 1390.0, True),    # 2.19% -> 0.72%: crosses 2% downwards
    ({"below": 2.0}, 1380.0, 1390.0, False),   # 1.45% -> 0.72%: was below 2% already
    ({"below": 1.0}, 1380.0, 1390.0, True),    # 1.45% -> 0.72%: crosses 1% downwards
    ({"below": 1.0}, 1390.0, 1395.0, False),   # 0.72% -> 0.36%: already below
    ({"above": 1.0}, 1390.0, 1380.0, True),    # 0.72% -> 1.45%: crosses 1% upwards
    ({"above": 5.0}, 1390.0, 1380.0, False),
])
def test_gap_threshold_crossings(threshold: dict, was: float, now: float, fires: bool) -> None:
    spec = {**US_CN, "below": None, "above": None, **threshold}
    before = view(1, [BASE[0], (2, "Beta", was, CN, True)])
    after = view(2, [BASE[0], (2, "Beta", now, CN, True)])
    alert = evaluate(W(1, "gap", spec), before, after)
    assert (alert is not None) is fires
    if alert:
        assert alert.key.startswith("v2:below:" if "below" in threshold else "v2:above:")


def test_top_model_and_country() -> None:
    before = view(1, BASE + [(10 + i, f"M{i}", 1200.0 - i, US, False) for i in range(10)])
    after_rows = [(1, "Alpha", 1400.0, US, False), (2, "Beta", 1380.0, CN, True), (3, "Gamma", 1450.0, FR, True)]
    after = view(2, after_rows + [(10 + i, f"M{i}", 1200.0 - i, US, False) for i in range(10)])
    top = evaluate(W(1, "top", {}), before, after)
    assert top is not None and "Gamma" in top.text and top.key == "v2:top:3"
    assert evaluate(W(1, "top", {}), before, before | {"version": 2}) is None
    moved = evaluate(W(2, "model", {"model_id": 3, "name": "Gamma", "by": 2}), before, after)
    assert moved is not None and "#3 to #1" in moved.text
    assert evaluate(W(2, "model", {"model_id": 1, "name": "Alpha", "by": 2}), before, after) is None  # 1 place
    assert evaluate(W(2, "model", {"model_id": 1, "name": "Alpha", "by": 1}), before, after) is not None
    # entering the top 10
    late = view(3, [(r[0], r[1], r[2] + (300 if r[0] == 19 else 0), r[3], r[4])
                    for r in after_rows + [(10 + i, f"M{i}", 1200.0 - i, US, False) for i in range(10)]])
    entered = evaluate(W(3, "model", {"model_id": 19, "name": "M9", "by": 50}), after, late)
    assert entered is not None and "entered the top 10" in entered.text
    # a country's best
    fr = evaluate(W(4, "country", {"country": FR}), before, view(2, BASE + [(4, "Delta", 1350.0, FR, True)]))
    assert fr is not None and "Delta" in fr.text and "replacing Gamma" in fr.text
    assert evaluate(W(4, "country", {"country": CN}), before, view(2, BASE + [(4, "Delta", 1350.0, FR, True)])) is None


def test_top_of_a_category() -> None:
    def with_coding(v: dict, row: tuple) -> dict:
        mid, name, score, country, is_open = row
        return v | {"categories": {"coding": {"date": v["date"], "source": "LMArena releases",
                                              "top": [mid, name, name, score, country, None, "Org", is_open]}}}
    before = with_coding(view(1, BASE), BASE[0])
    w = W(5, "top", {"category": "coding"})
    assert evaluate(w, before, with_coding(view(2, BASE), BASE[0]) | {"version": 2}) is None  # same #1
    # the overall #1 stays; coding's changes: only the coding watch fires
    after = with_coding(view(2, BASE), (2, "Beta", 1420.0, CN, True))
    alert = evaluate(w, before, after)
    assert alert is not None and alert.key == "v2:top:coding:2" and "(coding category)" in alert.title
    assert "Beta" in alert.text and "taking the top spot from Alpha" in alert.text
    assert alert.chart_line == "top 10 coding"
    assert evaluate(W(1, "top", {}), before, after) is None
    # a view kept before categories were (no "categories") never fires a category watch
    assert evaluate(w, view(1, BASE), after) is None


def test_watch_top_of_a_category_in_the_engine(fresh_engine: Engine) -> None:
    mgr = Caller(user_id="2", name="mgr", guild_id="9", can_manage_guild=True, channels=(("70", "general"),))
    r = fresh_engine.handle("watch top coding", mgr)
    assert r.status == "ok", r.text
    watches = ServerStore(fresh_engine.store).watches(9)
    assert [(w.kind, w.spec, w.label) for w in watches] == [("top", {"category": "coding"}, "top coding")]
    # the view the watch compares against holds the coding board's #1, as `top 1 coding` shows it
    v = race_view(fresh_engine.read_model())
    top = fresh_engine.handle("top 1 coding", mgr)
    assert v["categories"]["coding"]["top"][2] == top.data["rows"][0]["model"]
    assert v["categories"]["coding"]["date"] == top.data["as_of"]
    bad = fresh_engine.handle("watch top atlantis", mgr)
    assert bad.status == "usage" and "coding" in bad.text


def test_nothing_fires_without_a_before() -> None:
    assert evaluate(W(1, "top", {}), None, view(1, BASE)) is None


# ----------------------------------------------------------------------------- the settings store
def test_settings_are_audited_apart_from_the_data(fresh_engine: Engine) -> None:
    servers = ServerStore(fresh_engine.store)
    version = fresh_engine.store.data_version
    s, changed = servers.update(42, "mgr (7)", "settings prefix ?", prefix="?")
    assert changed and s.prefix == "?"
    assert servers.update(42, "mgr (7)", "settings prefix ?", prefix="?")[1] is False  # no change, no audit
    assert fresh_engine.store.data_version == version  # settings are not data: no cache or watch churn
    [row] = servers.log(42)
    assert (row["scope"], row["guild_id"], row["actor"], row["action"]) == ("server", "42", "mgr (7)", "settings prefix ?")
    assert fresh_engine.store.history() == []       # not in the moderators' history
    assert fresh_engine.handle("undo last 5").data["undone"] == []   # and not undoable by them
    assert servers.get(42).prefix == "?"
    # a data change is still undone exactly, around the server's rows
    fresh_engine.handle("set deepseek r1 params 1B")
    assert len(fresh_engine.handle("undo last 5").data["undone"]) == 1 and servers.get(42).prefix == "?"


def test_watches_limit_scope_and_drop(fresh_engine: Engine) -> None:
    servers = ServerStore(fresh_engine.store)
    for i in range(MAX_WATCHES):
        servers.add_watch(1, "mgr", kind="top", spec={}, label=f"top {i}", channel_id=None, origin_channel_id="9",
                          baseline_version=1)
    with pytest.raises(TooManyWatches):
        servers.add_watch(1, "mgr", kind="top", spec={}, label="one too many", channel_id=None,
                          origin_channel_id="9", baseline_version=1)
    other = servers.add_watch(2, "mgr2", kind="top", spec={}, label="top", channel_id=None, origin_channel_id="8",
                              baseline_version=1)
    first = servers.watches(1)[0]
    assert servers.remove_watch(2, first.id, "mgr2") is None  # another server's watch is not found
    assert servers.remove_watch(1, first.id, "mgr") is not None
    assert servers.drop_guild(1, "discord", "removed") == MAX_WATCHES  # 24 watches + the settings row
    assert servers.watches(1) == [] and [w.id for w in servers.watches(2)] == [other.id]
    dropped = [r for r in servers.log(1, limit=100) if r["action"] == "removed"]
    assert len(dropped) == MAX_WATCHES and all(r["after"] is None for r in dropped)


def test_claims_happen_once(fresh_engine: Engine) -> None:
    servers = ServerStore(fresh_engine.store)
    w = servers.add_watch(5, "mgr", kind="top", spec={}, label="top", channel_id=None, origin_channel_id="9",
                          baseline_version=3)
    assert servers.claim_fire(w.id, "v4:top:1") and not servers.claim_fire(w.id, "v4:top:1")
    assert servers.claim_fire(w.id, "v5:top:2")
    assert servers.advance_baseline(5, 3, 4) and not servers.advance_baseline(5, 3, 4)
    servers.update(5, "mgr", "settings digest weekly", digest="weekly")
    week = iso_week(datetime(2026, 3, 4, tzinfo=timezone.utc))
    assert servers.claim_digest(5, week) and not servers.claim_digest(5, week)
    assert servers.claim_digest(5, iso_week(datetime(2026, 3, 11, tzinfo=timezone.utc)))


def test_two_engines_on_one_file_post_a_change_once(seeded_db: Path, tmp_path: Path) -> None:
    """Two processes' engines evaluating the same server at the same time: one alert in all."""
    path = tmp_path / "cluster.db"
    shutil.copy(seeded_db, path)
    e1, e2 = Engine.open(path), Engine.open(path)
    try:
        mgr = Caller(user_id="7", name="mgr", guild_id="77", can_manage_guild=True, channel_id="70")
        assert e1.handle("watch top", mgr).ok
        assert e1.handle("watch gap us china", mgr).ok
        e1.handle("elo DeepSeek-R1 1600")  # a moderator's change in process 1
        results: list = []
        barrier = threading.Barrier(4)

        def run(engine: Engine) -> None:
            planner = AlertPlanner(engine.store, engine.refresh)
            barrier.wait()
            results.extend(planner.alerts(["77"]))

        threads = [threading.Thread(target=run, args=(e,)) for e in (e1, e2, e1, e2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(o.alert.key.split(":", 1)[1] for o in results) == ["leader:b", "top:" + str(
            e1.model_index.resolve("DeepSeek-R1").entry.id)]
        assert all(o.channel_id == "70" for o in results)
        assert AlertPlanner(e2.store, e2.refresh).alerts(["77"]) == []  # and nothing more later
    finally:
        e1.close()
        e2.close()


def test_race_view_is_one_row_per_model(engine: Engine) -> None:
    v = race_view(engine.read_model())
    ids = [r[0] for r in v["board"]]
    assert len(ids) == len(set(ids)) > 50
    scores = [r[3] for r in v["board"]]
    assert scores == sorted(scores, reverse=True) and v["date"] == engine.read_model().latest


# ----------------------------------------------------------------------------- the two authorities
@pytest.mark.parametrize("caller,settings_ok,data_ok", [
    (Caller(user_id="1", guild_id="9"), False, False),
    (Caller(user_id="2", guild_id="9", can_manage_guild=True), True, False),
    (Caller(user_id="3", guild_id="9", is_moderator=True), False, True),
    (Caller(user_id="4", guild_id="9", is_moderator=True, can_manage_guild=True), True, True),
    (Caller(user_id="5", is_moderator=True, can_manage_guild=True), False, True),  # DM: no server
], ids=["member", "manager", "data-moderator", "both", "dm"])
def test_authorities_are_kept_apart(fresh_engine: Engine, caller: Caller, settings_ok: bool, data_ok: bool) -> None:
    version = fresh_engine.store.data_version
    s = fresh_engine.handle("settings charts off", caller)
    d = fresh_engine.handle("set deepseek r1 params 1B", caller)
    assert (s.status == "ok") is settings_ok and (d.status == "ok") is data_ok
    assert s.status in ("ok", "refused") and d.status in ("ok", "refused")
    assert (fresh_engine.store.data_version > version) is data_ok
    assert bool(ServerStore(fresh_engine.store).log(9)) is settings_ok
    w = fresh_engine.handle("watch top", caller)
    assert (w.status == "ok") is settings_ok


def test_bad_input_changes_nothing(fresh_engine: Engine) -> None:
    mgr = Caller(user_id="2", name="mgr", guild_id="9", can_manage_guild=True, channels=(("70", "general"),))
    for line in ("settings prefix", "settings prefix <@1>", "settings prefix toolong", "settings channel #nope",
                 "settings channel 123456789012345678", "settings digest weekly blursday", "settings charts maybe",
                 "settings colour red", "watch", "watch gap atlantis", "watch gap us china below 200%", "watch model",
                 "watch model zzzzqqqq", "watch country atlantis", "watch top atlantis", "unwatch x", "unwatch 99"):
        r = fresh_engine.handle(line, mgr)
        assert r.status in ("usage", "not_found", "refused"), (line, r.status, r.text)
        assert "Traceback" not in r.text
    assert ServerStore(fresh_engine.store).log(9) == []
