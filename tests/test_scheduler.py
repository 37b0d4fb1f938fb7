"""The scheduler on a fake clock against a local server on 127.0.0.1 (a
host name the injected resolver maps there; nothing else is ever reached):
syncs applied with their diff and undo, held for a moderator's Confirm with
the reason, failing, unchanged, a source going silent, every step audited,
and each source's health in `sources` and `stats`."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.caller import Caller
from bot.commands import scheduler
from bot.config import Settings
from bot.engine import Engine
from bot.store.fetch import fetch
from bot.store.synclog import SyncLog

from tests.conftest import TODAY

MOD = Caller(user_id="1", name="mod", is_moderator=True)
MEMBER = Caller(user_id="3", name="member")
HOST = "leaderboard.example"
NOW = datetime(TODAY.year, TODAY.month, TODAY.day, 12, 0, tzinfo=timezone.utc)


class Published:
    def __init__(self, data: dict):
        self.data = data
        self.status = 200
        self.hits = 0

    @property
    def payload(self) -> bytes:
        return json.dumps(self.data).encode()


@pytest.fixture(scope="module")
def latest_release(shared):
    releases = sorted((shared / "arena" / "catalog").glob("leaderboard-text-*.json"))
    if not releases:
        pytest.skip("no catalog releases in ../shared/data")
    return json.loads(releases[-1].read_text(encoding="utf-8"))


@pytest.fixture
def published(latest_release):
    return Published(json.loads(json.dumps(latest_release)))


@pytest.fixture
def server(published):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            published.hits += 1
            if self.path != "/leaderboard-text.json" or published.status != 200:
                self.send_response(published.status if published.status != 200 else 404)
                self.end_headers()
                return
            body = published.payload
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()
    t.join(timeout=30)


def resolver(host: str, port: int) -> list[str]:
    assert host == HOST, host  # the only name the scheduler may look up here
    return ["127.0.0.1"]


@pytest.fixture
def sched(seed_copy, tmp_path, server):
    settings = Settings(arena_catalog_url=f"http://{HOST}:{server}/leaderboard-text.json", sync_timeout=20,
                        fetch_allow_http=True, allow_loopback_for_tests=True, moderator_channel_id=42,
                        arena_check_hours=24, source_silent_days=0)
    e = Engine.open(seed_copy(tmp_path / "sched.db"), settings=settings, clock=lambda: TODAY)

    def run(now: datetime, **kw) -> list[scheduler.Outcome]:
        if kw:
            e.settings = e.settings.with_(**kw)
        return e.run_due(now, fetcher=lambda url, timeout: fetch(
            url, settings=e.settings, deadline=timeout, resolver=resolver))

    yield e, run
    e.close()


def _catalog_boards(e) -> list[str]:
    return [r["snapshot_date"] for r in e.store.query(
        "SELECT DISTINCT snapshot_date FROM arena_ratings WHERE source_id = 'arena-catalog' AND category = 'full' "
        "ORDER BY snapshot_date")]


def _steps(e) -> list[str]:
    return [json.loads(r["after"])["step"] for r in reversed(SyncLog(e.store).steps("arena-catalog"))]


def test_a_sync_that_passes_the_checks_is_applied_announced_and_undoable(sched, published):
    e, run = sched
    top = max(v["rating"] for v in published.data["full"].values())
    published.data["full"]["racebot-new-model-0001"] = {"rating": top + 5, "rating_q025": top, "rating_q975": top + 10}
    before = _catalog_boards(e)
    out = run(NOW)
    assert [o.step for o in out] == ["applied"]
    reply = out[0].reply
    day = NOW.date().isoformat()
    assert _catalog_boards(e) == before + [day]
    assert f"applied: the board of {day}" in reply.text and "new #1 racebot-new-model-0001" in reply.text
    assert f"Against the {before[-1]} board" in reply.text
    batch = reply.data["batch"]
    assert reply.suggestions == [f"undo {batch}"]  # the undo button
    assert e.handle("top 1", MEMBER).data["rows"][0]["model"] == "racebot-new-model-0001"
    assert _steps(e) == ["fetched", "applied"]
    # not due again within the interval; due after it (unchanged now: nothing to post)
    assert run(NOW + timedelta(hours=23)) == []
    again = run(NOW + timedelta(hours=24))
    assert [o.step for o in again] == ["unchanged"] and again[0].reply is None
    # the undo button reverts the applied sync
    undone = e.handle(f"undo {batch}", MOD)
    assert undone.status == "ok" and _catalog_boards(e) == before


def test_a_sync_that_fails_a_check_waits_for_a_moderator_with_the_reason(sched, published):
    e, run = sched
    keys = sorted(published.data["full"])
    for k in keys[: len(keys) // 2]:  # half the board gone: a mass removal
        del published.data["full"][k]
    before = _catalog_boards(e)
    out = run(NOW)
    assert [o.step for o in out] == ["held"]
    reply = out[0].reply
    assert reply.status == "confirm" and "held for a moderator's Confirm" in reply.text and "missing" in reply.text
    assert _catalog_boards(e) == before  # nothing applied
    assert e.confirm(reply.confirm_token, MEMBER).status == "refused"
    assert e.confirm(reply.confirm_token, MOD).status == "ok"  # any moderator
    assert _catalog_boards(e) == before + [NOW.date().isoformat()]
    assert _steps(e) == ["fetched", "held"]


def test_ratings_that_moved_too_much_or_a_date_no_later_are_held(sched, published):
    e, run = sched
    for v in published.data["full"].values():
        for f in ("rating", "rating_q025", "rating_q975"):
            v[f] += 40
    out = run(NOW)
    assert out[0].step == "held" and "moved by more than 25 points" in out[0].reply.text
    # the same release with the limit raised: applied; then a change the same day is not a later board
    out = run(NOW + timedelta(hours=2), sync_max_moved_pct=100.0, arena_check_hours=1)
    assert out[0].step == "applied"
    key = sorted(published.data["full"])[0]
    published.data["full"][key]["rating"] = published.data["full"][key]["rating_q975"]
    out = run(NOW + timedelta(hours=4))
    day = NOW.date().isoformat()
    assert out[0].step == "held" and f"its date {day} is not later than the newest board already imported ({day})" \
        in out[0].reply.text


def test_a_failing_source_is_recorded_reported_and_changes_nothing(sched, published):
    e, run = sched

    def data() -> list[str]:  # the data, without the audit trail and the sync state (which must grow)
        return [x for x in e.store.dump() if not x.startswith(('INSERT INTO "audit"', 'INSERT INTO "meta"'))]

    before = data()
    published.status = 503
    out = run(NOW)
    assert [o.step for o in out] == ["failed"] and out[0].reply.status == "error"
    assert "503" in out[0].reply.text and "Nothing was imported" in out[0].reply.text
    published.status = 200
    published.data = {"coding": {}}
    out = run(NOW + timedelta(days=1))
    assert out[0].step == "failed" and "not a leaderboard of this source" in out[0].reply.text
    assert data() == before  # the data exactly as before (the steps are audit rows of their own)
    h = next(x for x in scheduler.health(e.read_model(), TODAY) if x["source"] == "arena-catalog")
    assert h["last_failure"] and "no 'full' category" in h["failure_reason"] and h["last_success"] is None
    assert _steps(e) == ["failed", "failed"]


def test_a_silent_source_is_reported_once_and_health_shows_in_sources_and_stats(sched, published):
    e, run = sched
    out = run(NOW, source_silent_days=30)
    steps = [o.step for o in out]
    assert steps == ["unchanged", "silent"]
    silent = out[1].reply
    latest = e.read_model().latest
    assert f"no newer board than the one of {latest} (a year ago)" in silent.text
    assert [o.step for o in run(NOW + timedelta(days=2))] == ["unchanged"]  # reported once, not every pass
    assert run(NOW + timedelta(days=2, hours=1)) == []  # within the interval: nothing at all
    src = e.handle("sources", MEMBER)
    health = {h["source"]: h for h in src.data["health"]}
    cat = health["arena-catalog"]
    assert cat["newest_board"] == latest and cat["age_days"] == (TODAY - datetime.fromisoformat(latest).date()).days
    assert cat["last_success"] and cat["last_failure"] is None
    assert "arena-csv" in health and not health["arena-csv"]["synced"]
    field = next(f for f in src.fields if f.name == "Source health")
    assert f"newest board {latest} (a year ago)" in field.value and "last success" in field.value
    stats = e.handle("stats", MOD)
    assert {h["source"] for h in stats.data["health"]} == set(health)
    assert any(f.name == "Source health" for f in stats.fields)


def test_the_scheduler_is_off_without_an_interval(sched):
    e, run = sched
    assert run(NOW, arena_check_hours=0) == []
    assert SyncLog(e.store).steps() == []


def test_sync_leaderboard_follows_any_published_board_with_a_mapping(sched, published, server):
    e, _run = sched
    top = e.handle("top 3", MEMBER).data["rows"]
    published.data = {"leaderboard": [
        {"name": r["model"], "rating": r["score"] + 30, "ci": "±6", "org": r["organization"], "when": "2026-05-01"}
        for r in top]}
    url = f"http://127.0.0.1:{server}/leaderboard-text.json"
    assert e.handle(f"sync leaderboard {url} score=rating date=when", MEMBER).status == "refused"
    bad = e.handle(f"sync leaderboard {url} colour=red", MOD)
    assert bad.status == "usage" and "'colour' is not a field" in bad.text
    r = e.handle(f"sync leaderboard {url} score=rating date=when", MOD)
    assert r.status == "confirm" and "3 added" in r.text, r.text
    assert e.store.scalar("SELECT count(*) FROM arena_ratings WHERE source_id = 'leaderboard'") == 0  # a dry run
    done = e.confirm(r.confirm_token, MOD)
    assert done.status == "ok" and done.changed
    now = e.handle("top 3", MEMBER)
    assert now.data["as_of"] == "2026-05-01" and now.data["source"] == "leaderboard"
    assert [x["score"] for x in now.data["rows"]] == [x["score"] + 30 for x in top]
    assert e.handle("undo", MOD).status == "ok"
    assert e.store.scalar("SELECT count(*) FROM arena_ratings WHERE source_id = 'leaderboard'") == 0


def test_a_followed_leaderboard_is_synced_by_the_scheduler_with_the_same_checks(sched, published, server):
    e, run = sched
    top = e.handle("top 5", MEMBER).data["rows"]
    board = [{"name": r["model"], "rating": r["score"], "ci": "±6"} for r in top]
    published.data = {"rows": board}
    url = f"http://{HOST}:{server}/leaderboard-text.json"
    # following needs a file that reads with the mapping: the first sync is a dry run and Confirm
    r = e.handle(f"sync leaderboard http://127.0.0.1:{server}/leaderboard-text.json score=rating follow", MOD)
    assert r.status == "confirm" and r.data["followed"]
    SyncLog(e.store).follow("leaderboard", url, {"score": "rating"}, "mod", NOW)  # reached through the resolver
    assert e.confirm(r.confirm_token, MOD).status == "ok"
    first = e.store.scalar("SELECT MAX(snapshot_date) FROM arena_ratings WHERE source_id = 'leaderboard'")
    assert first == TODAY.isoformat()
    # the next day: a small change passes the checks and is applied on its own
    board[0]["rating"] += 3
    out = {o.source: o for o in run(NOW + timedelta(days=1))}
    assert out["leaderboard"].step == "applied" and out["leaderboard"].reply.suggestions[0].startswith("undo ")
    # a day later most of it gone: held for a moderator with the reason
    published.data = {"rows": board[:1]}
    out = {o.source: o for o in run(NOW + timedelta(days=2))}
    assert out["leaderboard"].step == "held" and "missing" in out["leaderboard"].reply.text
    health = {h["source"]: h for h in scheduler.health(e.read_model(), TODAY)}
    assert health["leaderboard"]["synced"] and health["leaderboard"]["newest_board"] == \
        (NOW + timedelta(days=1)).date().isoformat()
    stop = e.handle("sync leaderboard stop", MOD)
    assert "no longer follows" in stop.text
    assert "leaderboard" not in {o.source for o in run(NOW + timedelta(days=4))}
