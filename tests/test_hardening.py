"""Issue #13: the smaller items and the checks that need no server.

Each test names the review finding it guards against."""
from __future__ import annotations

import pytest

from bot.store.importers.project import COLUMNS

from bot.config import ConfigError, Settings


@pytest.mark.parametrize("raw", ["1_000", "١٢٣", "+5", "１２３", "12 3x", "0x10", "1e3"])
@pytest.mark.parametrize("key", ["ADMIN_ROLE_IDS", "ADMIN_USER_IDS", "ANNOUNCE_CHANNEL_ID", "DEV_GUILD_ID"])
def test_discord_ids_are_ascii_digits_only(key, raw):
    with pytest.raises(ConfigError) as exc:
        Settings.from_env({key: raw}, dotenv_path=None)
    assert key in str(exc.value) and "digits" in str(exc.value)


def test_plain_ids_still_load():
    s = Settings.from_env({"ADMIN_ROLE_IDS": "123456789012345678, 42", "ADMIN_USER_IDS": "7"}, dotenv_path=None)
    assert s.admin_role_ids == {123456789012345678, 42} and s.admin_user_ids == {7}


# --------------------------------------------------------------------------- item 6: markdown and link injection
import re  # noqa: E402

from bot.engine import Caller  # noqa: E402

MOD = Caller(user_id="1", name="mod", is_moderator=True)
HOSTILE = "@everyone <@&123> [free nitro](https://evil.example)\n# HEADING\n```\nbreak `x` ||s|| **b**"


def _texts(reply) -> list[str]:
    out = []
    for page in [reply, *reply.pages]:
        out += [page.text or "", page.description or "", page.title or "", page.footer or ""]
        out += [f.name for f in page.fields] + [f.value for f in page.fields]
    return out + list(reply.announcements)


def _assert_inert(reply, where: str) -> None:
    for t in _texts(reply):
        assert not re.search(r"@(everyone|here)", t), (where, t)
        assert not re.search(r"<@[!&]?\d+>|<#\d+>", t), (where, t)
        assert not re.search(r"\]\s*[(<]", t), (where, t)  # a masked link
        assert not re.search(r"(?m)^[ \t]*(#{1,6}\s|-#\s|>|[-*+]\s|\d+[.)]\s)", t), (where, t)
        assert t.count("```") % 2 == 0 and "```\nbreak" not in t, (where, t)


def _poison(e, model_id: int, alias: str) -> None:
    """Store a hostile name as if an import had brought it (the change is not audited)."""
    with e.store.change("test", "poison", audit=False) as ch:
        ch.db.execute("UPDATE models SET name = ? WHERE id = ?", [HOSTILE + alias, model_id])
        ch.db.execute("UPDATE arena_ratings SET arena_name = ? || arena_name WHERE model_id = ?", [HOSTILE, model_id])
        ch.db.execute("INSERT INTO aliases (alias, model_id, kind, reviewed) VALUES (?, ?, 'alias', 1)", [alias, model_id])
        ch.count += 1


def test_hostile_names_stored_in_the_database_are_shown_as_text(fresh_engine):
    e = fresh_engine
    latest = e.store.scalar("SELECT MAX(snapshot_date) FROM arena_ratings")
    board = e.store.query("SELECT model_id FROM arena_ratings WHERE snapshot_date = ? ORDER BY score DESC LIMIT 3",
                          [latest])
    _poison(e, board[0]["model_id"], "poisonone")
    _poison(e, board[1]["model_id"], "poisontwo")
    for line in ("top", "top 5", "race", "model poisonone", "compare poisonone vs poisontwo", "gap us china",
                 "frontier", "timeline", "history poisonone"):
        r = e.handle(line, MOD)
        assert r.status in ("ok", "not_found"), (line, r.status, r.text)
        _assert_inert(r, line)
    shown = " ".join(_texts(e.handle("top 5")))
    # the name is shown, as text (a long name clipped in the middle: its start and its end)
    assert "@everyone <@&123> [f" in shown.replace("\u200b", "")
    # an Elo change that makes a hostile name the new #1: the announcement is inert too
    r = e.handle("elo poisontwo 3000", MOD)
    assert r.status == "ok" and r.announcements, r.text
    _assert_inert(r, "announcement")


@pytest.mark.parametrize("line", ["model [FREE NITRO, click](https://evil.example/login)",
                                  "model # heading\n- list", "compare @everyone vs <@&1>",
                                  "org [x](https://evil.example)", "top 3 [a](https://e.example)"])
def test_user_text_echoed_back_is_inert(engine, line):
    _assert_inert(engine.handle(line), line)


# --------------------------------------------------------------------------- item 4: poisoned numbers and dates
import json  # noqa: E402

from bot.store.importers import IMPORTERS, ImportFailed  # noqa: E402
from bot.store.importers.epoch import EPOCH_REQUIRED  # noqa: E402


POISONED_LINES = [
    "set deepseek r1 params 1e308T", "set deepseek r1 params inf", "set deepseek r1 compute nan",
    "set deepseek r1 compute 1e999", "set deepseek r1 cost 9" + "9" * 400, "set deepseek r1 params ١٢B",
    "set deepseek r1 date 2025-99-99", "set deepseek r1 date 2025-02-30", "set deepseek r1 date 9999-01-01",
    "score deepseek r1 GPQA diamond nan", "score deepseek r1 GPQA diamond inf%", "elo deepseek r1 nan",
    "elo deepseek r1 1e308", "elo deepseek r1 1500 2025-99-99",
    "add model Evil\nName org=OpenAI country=us date=2025-01-01",
    "add model X org=OpenAI country=us date=2025-13-01", "add model Y org=OpenAI country=us date=2025-01-01 params=1e308T",
    "set deepseek r1 domain " + "x" * 300, "alias deepseek r1 " + "y" * 300,
]


def test_chat_refuses_poisoned_values_and_changes_nothing(fresh_engine):
    before = fresh_engine.store.dump()
    for line in POISONED_LINES:
        r = fresh_engine.handle(line, MOD)
        assert r.status in ("usage", "error"), (line, r.status, r.text)
    assert fresh_engine.store.dump() == before


def test_chat_accepts_the_honest_values_and_exports_stay_valid(fresh_engine):
    for line in ("set deepseek r1 params 1e308T", "set deepseek r1 compute nan", "elo deepseek r1 inf"):
        fresh_engine.handle(line, MOD)
    assert fresh_engine.handle("set deepseek r1 params 671B", MOD).status == "ok"
    assert fresh_engine.handle("set deepseek r1 compute 3.5e24", MOD).status == "ok"
    export = fresh_engine.handle("export json", MOD)
    json.loads(export.files[0].data, parse_constant=lambda c: pytest.fail(f"{c} in the JSON export"))
    assert fresh_engine.handle("export csv", MOD).status == "ok"


def _epoch_csv(date: str, params: str = "7e9") -> bytes:
    header = EPOCH_REQUIRED
    row = {"Model": "Poisoned-1", "Organization": "OpenAI", "Publication date": date, "Domain": "Language",
           "Parameters": params, "Training compute (FLOP)": "", "Country (of organization)": "United States of America",
           "Model accessibility": "API access"}
    return (",".join(header) + "\n" + ",".join(row[h] for h in header) + "\n").encode()


def _project_csv(table: str, **cells: str) -> bytes:
    """One row of the project's own CSV `table`, its header from the exporter's columns."""
    cols = COLUMNS[table]
    defaults = {"name": "X", "organization": "OpenAI", "country": "United States", "frontier": "0",
                "origin": "moderator", "hidden": "0"} if table == "models" else {}
    row = [str({**defaults, **cells}.get(c, "")) for c in cols]
    return (",".join(cols) + "\n" + ",".join(row) + "\n").encode()


POISONED_FILES = [
    ("epoch", "notable.csv", _epoch_csv("2025-99-99"), "Publication date"),
    ("epoch", "notable.csv", _epoch_csv("2025-01-01", "1e309"), "Parameters"),
    ("epoch", "notable.csv", _epoch_csv("2025-01-01", "inf"), "Parameters"),
    ("arena", "arena-text-2025-99-99.csv",
     b"rank,model,arena_score,95_pct_ci,votes,organization,license\n1,m,1300,+3/-3,100,OpenAI,Proprietary\n", "2025-99-99"),
    ("arena", "arena-text-2025-08-07.csv",
     b"rank,model,arena_score,95_pct_ci,votes,organization,license\n1,m,1e400,+3/-3,100,OpenAI,Proprietary\n",
     "arena_score"),
    ("arena", "arena-text-2025-08-07.csv",
     b"rank,model,arena_score,95_pct_ci,votes,organization,license\n\xd9\xa1,m,1300,+3/-3,100,OpenAI,Proprietary\n",
     "rank"),
    ("figures", "figures.csv", b"id,topic,metric,subject,period,value,unit\nf1,t,m,s,2024,nan,%\n", "value"),
    ("project", "models.csv", _project_csv("models", release_date="2025-99-99"), "release_date"),
    ("project", "models.csv", _project_csv("models", release_date="2025-01-01", parameters="inf"), "parameters"),
    ("project", "arena.csv", _project_csv("arena", snapshot_date="2025-08-06", arena_name="x", model="GPT-4o", rank="1",
                                          score="nan"), "score"),
]


def test_every_importer_refuses_poison_and_names_file_row_field(fresh_engine):
    before = fresh_engine.store.dump()
    for kind, name, data, where in POISONED_FILES:
        with pytest.raises(ImportFailed) as exc:
            IMPORTERS[kind].run(fresh_engine.store, data, name=name)
        msg = str(exc.value)
        assert name in msg and where in msg and "Nothing was imported" in msg, msg
        if "row" not in msg:
            assert where == "2025-99-99", msg  # only a file-name date has no row
        # the same through chat: a dry run that refuses, nothing pending
        r = fresh_engine.handle(f"import {kind}", MOD, attachments=[(name, data)])
        assert r.status == "error" and where in r.text and not r.confirm_token, r.text
    assert fresh_engine.store.dump() == before


def test_cli_import_refuses_a_poisoned_file(seeded_db, tmp_path):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    db = tmp_path / "cli.db"
    shutil.copy(seeded_db, db)
    f = tmp_path / "arena-text-2025-99-99.csv"
    f.write_bytes(b"rank,model,arena_score,95_pct_ci,votes,organization,license\n1,m,1300,+3/-3,100,OpenAI,Proprietary\n")
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, "-m", "bot", "--db", str(db), "import", "arena", str(f)],
                          capture_output=True, text=True, cwd=root, timeout=120)
    assert proc.returncode == 1 and "2025-99-99" in proc.stderr and "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- item 10: the smaller ones
def test_history_of_model_10_is_not_model_100(fresh_engine):
    e = fresh_engine
    assert e.store.scalar("SELECT name FROM models WHERE id = 100") and e.store.scalar("SELECT name FROM models WHERE id = 10")
    from bot.store.importers import SOURCE_MODERATOR, ensure_sources

    with e.store.change("test", "score model 100") as ch:
        ensure_sources(ch, SOURCE_MODERATOR)
        ch.upsert("benchmark_scores", {"model_id": 100, "benchmark": "b", "version": "v", "value": 0.5,
                                       "date": "2025-01-01", "source_id": "moderators"})
    assert e.store.history(model_id=10) == []
    assert len(e.store.history(model_id=100)) == 1
    name10 = e.store.scalar("SELECT name FROM models WHERE id = 10")
    r = e.handle(f'history "{name10}"', MOD)
    assert "No changes recorded" in r.text, r.text


def _board(e, day, source):
    """The overall board of `source` on `day` as answers see it: a moderator's
    correction of that day replaces the board's row of the same model."""
    rows = list(e.store.query("SELECT source_id, arena_name, model_id, rank, score, ci_lower, ci_upper FROM arena_ratings "
                              "WHERE snapshot_date = ? AND category = 'full' AND source_id IN (?, 'moderators')",
                              [day, source]))
    fixed = {r["model_id"] for r in rows if r["source_id"] == "moderators"}
    return [r for r in rows if r["source_id"] == "moderators" or r["model_id"] not in fixed]


def _ranks(e, day, source):
    return {r["arena_name"]: (r["rank"], r["score"]) for r in _board(e, day, source)}


def _lmarena_ranks(e, day, source) -> bool:
    """Every rank is LMArena's: 1 + the models whose interval lies wholly above."""
    rows = _board(e, day, source)

    def low(r):
        return r["score"] if r["ci_lower"] is None else r["ci_lower"]

    def high(r):
        return r["score"] if r["ci_upper"] is None else r["ci_upper"]

    return all(r["rank"] == 1 + sum(1 for o in rows if low(o) > high(r)) for r in rows)


def test_ranks_follow_an_elo_change_and_undo_restores_them(fresh_engine):
    e = fresh_engine
    board = e.read_model().board_for(e.read_model().latest)
    day, source = board.date, board.source
    before = _ranks(e, day, source)
    r = e.handle(f"elo deepseek r1 3000 {day}", MOD)  # dated the board's own day: a correction of that board
    assert r.status == "ok", r.text
    after = _ranks(e, day, source)
    ones = [n for n, (rank, _s) in after.items() if rank == 1]
    assert ones == ["DeepSeek-R1"], ones
    assert _lmarena_ranks(e, day, source)
    top = e.handle("top 3")
    assert top.text.count("\n1  ") == 1, top.text
    e.handle("undo", MOD)
    assert _ranks(e, day, source) == before


def test_a_partial_arena_import_reranks_the_snapshot(fresh_engine):
    e = fresh_engine
    day = e.store.scalar("SELECT MAX(snapshot_date) FROM arena_ratings WHERE source_id = 'arena-csv'")
    data = (b"rank,model,arena_score,95_pct_ci,votes,organization,license\n"
            b"1,Brand-New-Model,1600,+4/-4,5000,OpenAI,Proprietary\n")
    report = IMPORTERS["arena"].run(e.store, data, name=f"arena-text-{day}.csv")
    assert report.added
    ranks = _ranks(e, day, "arena-csv")
    assert ranks["Brand-New-Model"][0] == 1
    assert sum(1 for rank, _s in ranks.values() if rank == 1) == 1
    assert _lmarena_ranks(e, day, "arena-csv")


def test_a_utf16_csv_with_a_bom_is_read(fresh_engine):
    text = "id,topic,metric,subject,period,value,unit\nutf16-fig,t,m,s,2024,12.5,%\n"
    for enc in ("utf-16", "utf-16-be", "utf-16-le"):
        data = text.encode(enc)
        if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            data = ("\ufeff" + text).encode(enc)
        report = IMPORTERS["figures"].run(fresh_engine.store, data, name="figures.csv", dry_run=True)
        assert report.added == 1, enc
    r = fresh_engine.handle("import figures", MOD, attachments=[("figures.csv", text.encode("utf-16"))])
    assert r.status == "confirm", r.text


def test_rename_refuses_to_shadow_another_models_alias(fresh_engine):
    e = fresh_engine
    assert e.handle("alias deepseek r1 whale", MOD).status == "ok"
    before = e.store.dump()
    r = e.handle("rename o1 to whale", MOD)
    assert r.status == "usage" and "whale" in r.text and "DeepSeek-R1" in r.text, r.text
    assert e.store.dump() == before
    assert e.handle("model whale").data.get("model", {}).get("name", "DeepSeek-R1") == "DeepSeek-R1" or \
        "DeepSeek-R1" in e.handle("model whale").text
