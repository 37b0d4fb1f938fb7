"""Moderator commands through the core: permissions, audit, undo, import, export."""
from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.commands import admin
from bot.commands.pending import CONFIRM_SECONDS, PendingActions
from bot.store.importers import IMPORTERS
from bot.engine import Caller, Engine
from bot.store.seed import open_store

MOD = Caller(user_id="1", name="mod", is_moderator=True)
MOD2 = Caller(user_id="2", name="other mod", is_moderator=True)
MEMBER = Caller(user_id="3", name="member")
DM_MEMBER = Caller(user_id="4", name="dm member")  # no guild_id: a direct message

ADMIN_LINES = [
    "add model Test-1 org=OpenAI country=us date=2025-01-01 params=7B",
    "set deepseek r1 params 700B", "score deepseek r1 GPQA diamond 80%", "elo deepseek r1 1500",
    "alias deepseek r1 r1x", "unalias DeepSeek-R1", "rename deepseek r1 to R1", "merge GPT-4o mini into o3",
    "remove deepseek r1", "restore deepseek r1", "import arena", "sync epoch", "undo", "history",
    "export csv", "backup", "stats",
]


@pytest.mark.parametrize("line", ADMIN_LINES)
@pytest.mark.parametrize("who", [MEMBER, DM_MEMBER])
def test_members_are_refused_and_nothing_changes(fresh_engine, line, who):
    before = fresh_engine.store.dump()
    r = fresh_engine.handle(line, who, attachments=[("a.csv", b"rank,model\n1,x\n")])
    assert r.status in ("refused", "unknown_command")
    assert not r.files and not r.confirm_token
    assert fresh_engine.store.dump() == before


def test_help_hides_admin_commands_from_members(engine):
    member = engine.handle("help", MEMBER).data["commands"]
    mod = engine.handle("help", MOD).data["commands"]
    assert "set" not in member and "set" not in mod  # help by role: a moderator asks for theirs
    assert "set" in engine.handle("help moderators", MOD).data["commands"]
    assert "set" not in engine.handle("help moderators", MEMBER).data["commands"]


def test_set_validates_and_changes_one_field(fresh_engine):
    e = fresh_engine
    for bad in ("set deepseek r1 params lots", "set deepseek r1 country atlantis", "set deepseek r1 date 2025-13-01",
                "set deepseek r1 access maybe", "set deepseek r1 colour blue"):
        before = e.store.dump()
        r = e.handle(bad, MOD)
        assert r.status == "usage", bad
        assert e.store.dump() == before
    r = e.handle("set deepseek r1 params 70B", MOD)
    assert r.status == "ok" and "70B" in r.text
    assert e.handle("model deepseek r1", MOD).data["model"]["parameters"] == 70e9
    assert e.handle("set deepseek r1 country usa", MOD).status == "ok"
    assert e.handle("model deepseek r1", MOD).data["model"]["country"] == "United States"


def test_add_model_then_lookup_sees_it_at_once(fresh_engine):
    e = fresh_engine
    assert e.handle("model Zephyrine 9", MOD).status == "not_found"
    r = e.handle("add model Zephyrine 9 org=Mistral AI country=france date=2025-03 params=9B compute=2e23 access=open", MOD)
    assert r.status == "ok", r.text
    m = e.handle("model zephyrine 9", MOD)
    assert m.status == "ok" and m.data["model"]["country"] == "France" and m.data["model"]["parameters"] == 9e9
    assert e.handle("add model Zephyrine 9 org=x country=france date=2025", MOD).status == "usage"


def test_elo_moves_rank_one_and_announces(fresh_engine):
    e = fresh_engine
    r = e.handle("elo deepseek r1 1600", MOD)
    assert r.status == "ok"
    assert any("New #1" in a and "DeepSeek-R1" in a for a in r.announcements)
    assert any("China" in a for a in r.announcements)  # the US-China lead flips too
    assert e.handle("top 1", MOD).data["rows"][0]["model"] == "DeepSeek-R1"
    u = e.handle("undo", MOD)
    assert any("New #1" in a for a in u.announcements)
    assert e.handle("top 1", MOD).data["rows"][0]["model"] != "DeepSeek-R1"


def test_alias_rename_merge_remove_restore(fresh_engine):
    e = fresh_engine
    assert e.handle("alias deepseek r1 whale-reasoner", MOD).status == "ok"
    assert e.handle("model whale-reasoner", MOD).data["model"]["name"] == "DeepSeek-R1"
    assert e.handle("unalias whale-reasoner", MOD).status == "ok"
    gone = e.handle("model whale-reasoner", MOD)
    assert gone.status != "ok" or gone.data["model"]["name"] != "DeepSeek-R1"
    assert e.handle("rename deepseek v3 to DeepSeek-V3 (Dec 2024)", MOD).status == "ok"
    assert e.handle("model deepseek v3", MOD).data["model"]["name"] == "DeepSeek-V3 (Dec 2024)"
    assert e.handle("add model Dup Model org=OpenAI country=us date=2025-01-01", MOD).status == "ok"
    assert e.handle("elo Dup Model 1300", MOD).status == "ok"
    assert e.handle("alias Dup Model dupe", MOD).status == "ok"
    n_ratings = e.store.scalar("SELECT count(*) FROM arena_ratings")
    r = e.handle("merge Dup Model into o3", MOD)
    assert r.status == "ok", r.text
    assert e.store.scalar("SELECT count(*) FROM arena_ratings") == n_ratings
    o3 = e.store.scalar("SELECT id FROM models WHERE name = 'o3'")
    assert e.store.scalar("SELECT model_id FROM arena_ratings WHERE arena_name = 'Dup Model'") == o3
    assert e.handle("model dupe", MOD).data["model"]["name"] == "o3"
    assert e.handle("model Dup Model", MOD).data["model"]["name"] == "o3"
    assert e.handle("remove o3", MOD).status == "ok"
    assert e.handle("model o3", MOD).data.get("model", {}).get("name") != "o3"
    assert e.handle("restore o3", MOD).status == "ok"
    assert e.handle("model o3", MOD).data["model"]["name"] == "o3"


def test_undo_reverts_exactly(fresh_engine):
    e = fresh_engine
    start = e.store.dump()
    for line in ("set deepseek r1 params 70B", "score deepseek r1 GPQA diamond 99%", "alias o3 three",
                 "remove grok 4", "merge GPT-4o mini into o3", "rename o1 to O-One"):
        assert e.handle(line, MOD).status == "ok", line
    assert e.handle("undo last 6", MOD).status == "ok"
    assert strip_audit(e.store.dump()) == strip_audit(start)


def strip_audit(dump: list[str]) -> list[str]:
    """Audit rows and counters record history; the data is everything else
    (in any row order: a row put back gets a new rowid)."""
    return sorted(line for line in dump if not line.startswith(('INSERT INTO "audit"', 'INSERT INTO "meta"')))


OPS = st.sampled_from([
    "set deepseek r1 params {n}B", "set o3 country {c}", "score o3 GPQA diamond {p}%", "elo grok 4 {elo}",
    "alias o3 alias-{n}", "remove claude 3 opus", "restore claude 3 opus", "rename o1 to o1-{n}",
    "add model Synthetic {n} org=OpenAI country={c} date=2024-0{m} params={n}B", "elo Synthetic {n} {elo}",
])


_START_DUMPS: dict[str, list[str]] = {}


@settings(max_examples=20, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(OPS, st.integers(1, 9), st.sampled_from(["us", "china", "france"]),
                          st.integers(1000, 1600)), min_size=1, max_size=8))
def test_random_admin_sequences_undo_to_the_start(seeded_db, tmp_path_factory, ops):
    import shutil

    path = tmp_path_factory.mktemp("prop") / "p.db"
    shutil.copy(seeded_db, path)
    e = Engine.open(path)
    # every example starts from a copy of the same database: its dump is taken once
    start = _START_DUMPS.get(str(seeded_db))
    if start is None:
        start = _START_DUMPS[str(seeded_db)] = strip_audit(e.store.dump())
    applied = 0
    for op, n, c, elo in ops:
        r = e.handle(op.format(n=n, c=c, p=n * 10, elo=elo, m=n), MOD)
        applied += r.status == "ok" and r.changed
    if applied:
        e.handle(f"undo last {applied}", MOD)
    assert strip_audit(e.store.dump()) == start
    e.close()


ARENA_CSV = (b"rank,model,arena_score,95_pct_ci,votes,organization,license,knowledge_cutoff,url\n"
             b"1,Brand-New-Model,1555,+3/-3,1000,DeepSeek,MIT,,http://a\n"
             b"2,Gemini-2.5-Pro,1470,+4/-4,900,Google,Proprietary,,http://b\n")


def test_import_dry_run_then_confirm(fresh_engine):
    e = fresh_engine
    before = e.store.dump()
    # (the newest board: the catalog releases run to 2025-12-11)
    r = e.handle("import arena", MOD, attachments=[("arena-text-2026-01-05.csv", ARENA_CSV)])
    assert r.status == "confirm" and r.confirm_token
    assert "1 added" in r.text or "added" in r.text
    assert e.store.dump() == before          # a dry run changes nothing
    assert e.confirm(r.confirm_token, MOD2).status == "refused"   # another moderator
    assert e.confirm(r.confirm_token, MEMBER).status == "refused"
    assert e.store.dump() == before
    done = e.confirm(r.confirm_token, MOD)
    assert done.status == "ok" and done.changed
    assert any("Brand-New-Model" in a for a in done.announcements)
    assert e.handle("top 1", MOD).data["rows"][0]["model"] == "Brand-New-Model"
    assert e.confirm(r.confirm_token, MOD).status == "refused"   # only once
    e.handle("undo", MOD)
    assert strip_audit(e.store.dump()) == strip_audit(before)


def test_import_confirm_expires(fresh_engine):
    e = fresh_engine
    clock = [1_000_000.0]
    e.pending = PendingActions(now=lambda: clock[0])
    r = e.handle("import arena", MOD, attachments=[("arena-text-2025-09-01.csv", ARENA_CSV)])
    before = e.store.dump()
    clock[0] += CONFIRM_SECONDS - 1          # still in time: the token is valid...
    assert r.confirm_token in e.pending
    clock[0] += 2                            # ...and now it is too late
    refused = e.confirm(r.confirm_token, MOD)
    assert refused.status == "refused" and "expired" in refused.text
    assert e.store.dump() == before
    assert r.confirm_token not in e.pending


def test_import_kinds_come_from_the_importer_registry(fresh_engine):
    e = fresh_engine
    r = e.handle("import", MOD, attachments=[("x.csv", b"a,b\n")])
    assert r.status == "usage"
    for name, importer in IMPORTERS.items():
        assert (f"{name} (" in r.text) == importer.in_chat, name
    hub = e.handle("import epoch-hub", MOD, attachments=[("benchmarks_runs.csv", b"id\n")])
    assert hub.status == "usage" and "epoch-hub" not in hub.text.split("Kinds:")[0]


def test_import_rejects_bad_files(fresh_engine):
    e = fresh_engine
    before = e.store.dump()
    r = e.handle("import arena", MOD, attachments=[("arena-text-2025-09-01.csv", ARENA_CSV.replace(b"1555", b"lots"))])
    assert r.status == "error" and "row 1" in r.text
    r = e.handle("import arena", MOD, attachments=[("x.exe", b"MZ\x00\x00")])
    assert r.status == "error"
    r = e.handle("import arena", MOD, attachments=[("big.csv", b"a" * (admin.MAX_UPLOAD + 1))])
    assert r.status == "error" and "25 MB" in r.text
    r = e.handle("import arena", MOD, attachments=[("../../etc/passwd.csv", ARENA_CSV)])
    assert r.status == "error" and "passwd.csv" in r.text and "../" not in r.text  # only the base name, as a label
    assert e.handle("import arena", MOD).status == "usage"  # no attachment
    r = e.handle("import arena", MOD, attachments=[("x.csv", ARENA_CSV)])
    assert r.status == "error" and "snapshot date" in r.text
    assert e.store.dump() == before


def test_export_escapes_formulas_and_reimports(fresh_engine, tmp_path):
    e = fresh_engine
    # (a formula without a link: names with links are refused by chat and every importer alike)
    assert e.handle('add model =HYPERLINK("x") org=OpenAI country=us date=2025-01-01', MOD).status == "ok"
    r = e.handle("export csv", MOD)
    models = next(a for a in r.files if a.filename == "models.csv").data.decode()
    assert "'=HYPERLINK" in models and "\n=HYPERLINK" not in models
    other = open_store(tmp_path / "other.db", seed_dir=None)
    from bot.store.importers import import_project

    for name in ("sources.csv", "organizations.csv", "models.csv", "aliases.csv", "scores.csv", "arena.csv", "figures.csv"):
        import_project(other, next(a.data for a in r.files if a.filename == name), name=name)
    from bot.store.seed import table_rows

    for t in ("models", "arena", "scores", "aliases", "figures"):
        assert table_rows(other, t) == table_rows(e.store, t), t


def test_export_json_and_sqlite(fresh_engine):
    r = fresh_engine.handle("export json", MOD)
    assert r.files and r.files[0].filename.endswith(".json")
    r = fresh_engine.handle("export sqlite", MOD)
    assert r.files[0].data[:16] == b"SQLite format 3\x00"


def test_backup_is_a_consistent_copy(fresh_engine):
    r = fresh_engine.handle("backup", MOD)
    path = Path(r.data["backup"])
    copy = sqlite3.connect(path)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT count(*) FROM arena_ratings").fetchone()[0] == \
        fresh_engine.store.scalar("SELECT count(*) FROM arena_ratings")


def test_history_shows_who_what_before_after(fresh_engine):
    e = fresh_engine
    e.handle("set deepseek r1 params 70B", MOD)
    r = e.handle("history deepseek r1", MOD)
    assert "mod (1)" in r.text and "671000000000.0 → 70000000000.0" in r.text


class _Handler(BaseHTTPRequestHandler):
    body = b""
    status = 200

    def do_GET(self):  # noqa: N802
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *a):
        pass


@pytest.fixture
def http_server():
    srv = HTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()


def test_sync_epoch_from_a_local_server(fresh_engine, http_server, shared):
    csv_path = next((shared / "epoch" / "notable-models").glob("*.csv"))
    _Handler.body, _Handler.status = csv_path.read_bytes(), 200

    class S:
        epoch_csv_url = f"http://127.0.0.1:{http_server.server_port}/notable.csv"
        sync_timeout = 5
        fetch_allow_http = True
        allow_loopback_for_tests = True

    fresh_engine.settings = S()
    r = fresh_engine.handle("sync epoch", MOD)
    assert r.status == "confirm", r.text
    assert "976 unchanged" in r.text or "unchanged" in r.text


def test_sync_epoch_download_failure_is_clear(fresh_engine, http_server):
    _Handler.body, _Handler.status = b"nope", 500

    class S:
        epoch_csv_url = f"http://127.0.0.1:{http_server.server_port}/notable.csv"
        sync_timeout = 5
        fetch_allow_http = True
        allow_loopback_for_tests = True

    fresh_engine.settings = S()
    before = fresh_engine.store.dump()
    r = fresh_engine.handle("sync epoch", MOD)
    assert r.status == "error" and "500" in r.text
    S.epoch_csv_url = "http://127.0.0.1:9/closed.csv"
    r = fresh_engine.handle("sync epoch", MOD)
    assert r.status == "error" and "failed" in r.text
    assert fresh_engine.store.dump() == before


def test_kill_during_a_large_import_loses_nothing(seeded_db, tmp_path):
    import shutil

    db = tmp_path / "kill.db"
    shutil.copy(seeded_db, db)
    before = strip_audit(open_store(db).dump())
    # a large Arena snapshot: 60,000 rows, imported by a separate process that we kill mid-way
    rows = ["rank,model,arena_score,95_pct_ci,votes,organization,license,knowledge_cutoff,url"]
    rows += [f"{i},Synthetic-{i},{2000 - i / 100:.1f},+3/-3,100,OpenAI,Proprietary,,http://x" for i in range(1, 60001)]
    big = tmp_path / "arena-text-2026-01-01.csv"
    big.write_text("\n".join(rows) + "\n")
    script = textwrap.dedent(f"""
        import sys
        from bot.store.seed import open_store
        from bot.store.importers import import_arena
        store = open_store({str(db)!r})
        def progress(done, total):
            if done == 2000:
                print("MIDWAY", flush=True)
        import_arena(store, {str(big)!r}, progress=progress)
        print("DONE", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[1])
    # a hard ceiling on the child: a hung import is killed (then readline sees EOF and the test fails)
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    try:
        line = proc.stdout.readline()
        assert line.strip() == "MIDWAY"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        proc.stdout.close()
    store = open_store(db)
    assert store.integrity_check() == "ok"
    assert strip_audit(store.dump()) == before


def test_cancel_drops_the_pending_import(fresh_engine):
    e = fresh_engine
    # (the newest board: the catalog releases run to 2025-12-11)
    r = e.handle("import arena", MOD, attachments=[("arena-text-2026-01-05.csv", ARENA_CSV)])
    assert e.cancel(r.confirm_token, MOD2).status == "refused"   # not theirs
    assert e.cancel(r.confirm_token, MOD).status == "ok"
    before = e.store.dump()
    assert e.confirm(r.confirm_token, MOD).status == "refused"
    assert e.store.dump() == before


def test_download_limits_size_and_time(http_server):
    from bot.store.fetch import FetchError, fetch

    _Handler.body, _Handler.status = b"x" * 5000, 200
    url = f"http://127.0.0.1:{http_server.server_port}/big.csv"
    local = dict(deadline=5, allow_http=True, allow_loopback_for_tests=True)
    with pytest.raises(FetchError, match="limit"):
        fetch(url, max_bytes=1000, **local)
    assert fetch(url, max_bytes=10_000, **local) == b"x" * 5000
    with pytest.raises(FetchError, match="https"):
        fetch("file:///etc/passwd", max_bytes=1000, **local)
