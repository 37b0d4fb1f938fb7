"""`sync arena` and the scheduled check, through a real HTTP server on 127.0.0.1.

Nothing is imported without a moderator's Confirm; a release identical to
the newest imported one is "no new data"; a failed download changes nothing.
"""
from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.adapters.discord import arena_watch
from bot.caller import Caller
from bot.commands.sync_arena import today
from bot.config import Settings
from bot.engine import Engine

MOD = Caller(user_id="1", name="mod", is_moderator=True)
MOD2 = Caller(user_id="2", name="other mod", is_moderator=True)
MEMBER = Caller(user_id="3", name="member")
NEW_KEY = "racebot-test-model-0001"


class Catalog:
    """What the loopback server publishes at /leaderboard-text.json."""

    def __init__(self, payload: bytes):
        self.payload = payload
        self.status = 200
        self.hits = 0


@pytest.fixture
def catalog(shared):
    releases = sorted((shared / "arena" / "catalog").glob("leaderboard-text-*.json"))
    if not releases:
        pytest.skip("no catalog releases in ../shared/data")
    data = json.loads(releases[-1].read_text(encoding="utf-8"))
    top = max(v["rating"] for v in data["full"].values())
    data["full"][NEW_KEY] = {"rating": top + 40.0, "rating_q025": top + 30.0, "rating_q975": top + 50.0}
    return Catalog(json.dumps(data).encode())


@pytest.fixture
def server(catalog):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            catalog.hits += 1
            if self.path != "/leaderboard-text.json" or catalog.status != 200:
                self.send_response(catalog.status if catalog.status != 200 else 404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(catalog.payload)))
            self.end_headers()
            self.wfile.write(catalog.payload)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    t.join(timeout=30)


@pytest.fixture
def sync_engine(seeded_db, tmp_path, server):
    dest = tmp_path / "sync.db"
    shutil.copy(seeded_db, dest)
    # the local server is plain http on 127.0.0.1: allowed only by these two explicit settings
    settings = Settings(arena_catalog_url=f"{server}/leaderboard-text.json", sync_timeout=20,
                        fetch_allow_http=True, allow_loopback_for_tests=True)
    e = Engine.open(dest, settings=settings)
    yield e
    e.close()


def _catalog_rows(e: Engine) -> int:
    return e.store.scalar("SELECT count(*) FROM arena_ratings WHERE source_id = 'arena-catalog'")


def test_sync_arena_dry_run_then_confirm(sync_engine, catalog):
    e = sync_engine
    before = _catalog_rows(e)
    r = e.handle("sync arena", MOD)
    assert r.status == "confirm", r.text
    assert "new #1 " + NEW_KEY in r.text and "dry run" in r.text.lower()
    assert _catalog_rows(e) == before  # the dry run changed nothing
    assert e.handle("sync arena", MEMBER).status == "refused"
    assert e.confirm(r.confirm_token, MOD2).status == "refused"  # only the moderator who asked
    assert _catalog_rows(e) == before
    done = e.confirm(r.confirm_token, MOD)
    assert done.status == "ok" and done.changed, done.text
    added = _catalog_rows(e) - before
    assert added == sum(len(board) for board in json.loads(catalog.payload).values())  # every category
    assert e.store.scalar("SELECT MAX(snapshot_date) FROM arena_ratings WHERE source_id = 'arena-catalog'") == today()
    top = e.handle("top 1", MEMBER)
    assert top.data["rows"][0]["model"] == NEW_KEY
    # the same release again: no new data, nothing pending
    again = e.handle("sync arena", MOD)
    assert again.status == "ok" and "No new data" in again.text and again.confirm_token is None


def test_failed_download_changes_nothing(sync_engine, catalog):
    e = sync_engine
    before = _catalog_rows(e)
    catalog.status = 503
    r = e.handle("sync arena", MOD)
    assert r.status == "error" and "Nothing was imported" in r.text and "503" in r.text
    catalog.status = 200
    catalog.payload = b"{not json"
    r = e.handle("sync arena", MOD)
    assert r.status == "error" and "Nothing was imported" in r.text
    catalog.payload = json.dumps({"coding": {}}).encode()
    r = e.handle("sync arena", MOD)
    assert r.status == "error" and "full" in r.text
    assert _catalog_rows(e) == before


def test_settings_read_the_catalog_url_and_the_check_interval():
    s = Settings.from_env({"ARENA_CATALOG_URL": "http://127.0.0.1:9/x.json", "ARENA_CHECK_HOURS": "0"},
                          dotenv_path=None)
    assert s.arena_catalog_url == "http://127.0.0.1:9/x.json" and s.arena_check_hours == 0
    d = Settings.from_env({}, dotenv_path=None)
    assert d.arena_catalog_url.endswith("lmarena/arena-catalog/main/data/leaderboard-text.json")
    assert d.arena_check_hours == 24 and d.moderator_channel_id is None  # the check needs a channel to run
    # off unless configured: the interval alone (default 24) never starts it, a channel does, 0 stops it
    assert not arena_watch.configured(Settings()) and not arena_watch.configured(d)
    assert arena_watch.configured(Settings(moderator_channel_id=42))
    assert not arena_watch.configured(Settings(moderator_channel_id=42, arena_check_hours=0))


def test_sync_arena_refuses_loopback_unless_tests_allow_it(seeded_db, tmp_path, server, catalog):
    """`sync arena` goes through the vetted fetch: the same local server is refused
    without the explicit test settings, and nothing is pending or imported."""
    dest = tmp_path / "strict.db"
    shutil.copy(seeded_db, dest)
    e = Engine.open(dest, settings=Settings(arena_catalog_url=f"{server}/leaderboard-text.json", fetch_allow_http=True))
    try:
        before = _catalog_rows(e)
        r = e.handle("sync arena")
        assert r.status == "error" and "Nothing was imported" in r.text
        assert r.confirm_token is None and _catalog_rows(e) == before
    finally:
        e.close()
