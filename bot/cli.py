"""The ``racebot`` command line: the same bot, one command at a time.

    racebot run                      Discord bot with DISCORD_TOKEN, else the console
    racebot console                  the interactive console
    racebot ask "compare gpt-4o vs deepseek r1" [--json] [--out DIR]
    racebot ask "who's winning the ai race?"          (a plain question, read as the console reads it)
    racebot import KIND FILE [--date YYYY-MM-DD] [--dry-run]
    racebot export [csv|json|sqlite] [--out DIR]
    racebot backup [PATH]
    racebot db info
    racebot gallery DIR
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

from bot.config import ConfigError, Settings


def _settings(args) -> Settings:
    s = Settings.from_env()
    if getattr(args, "db", None):
        s = s.with_(database_path=Path(args.db))
    return s


_OPENED: list = []  # the engines this command opened: closed (and their WAL checkpointed) when it ends


def _engine(settings: Settings):
    from bot.engine import Engine

    engine = Engine.open(settings.database_path, settings=settings, prefix=settings.command_prefix)
    _OPENED.append(engine)
    return engine


def _close_engines() -> None:
    """Close what this command opened: the WAL is checkpointed into the database
    file (``Engine.close``), so the file alone holds every confirmed change."""
    while _OPENED:
        try:
            _OPENED.pop().close()
        except Exception:  # noqa: BLE001 - closing never hides the command's own result
            pass


def cmd_ask(args) -> int:
    from bot.engine import LOCAL_OPERATOR
    from bot.render.text import as_plain

    settings = _settings(args)
    engine = _engine(settings)
    # a command line runs as that command; anything else is a plain question, read as the console reads it
    reply = engine.handle(engine.as_question(" ".join(args.line)), LOCAL_OPERATOR)
    if args.out or args.json:
        reply = engine.attach_chart(reply) if args.out else reply
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for att in reply.files:
            (out / Path(att.filename).name).write_bytes(att.data)
    if args.json:
        print(json.dumps(reply.to_json(), ensure_ascii=False, default=str, indent=1))
    else:
        pages = [reply, *reply.pages]
        print("\n\n".join(as_plain(p) for p in pages))
        for att in reply.files:
            print(f"[{att.filename} written to {Path(args.out) / att.filename}]")
    return 0 if reply.status in ("ok", "confirm") else 1


def cmd_import(args) -> int:
    from bot.store.importers import IMPORTERS, ImportFailed, terminal_progress

    engine = _engine(_settings(args))
    kind = args.kind
    importer = IMPORTERS.get(kind)
    if importer is None:
        print(f"unknown kind {kind!r}; use one of: {', '.join(IMPORTERS)}", file=sys.stderr)
        return 2
    kwargs = {"actor": "cli", "dry_run": args.dry_run, "progress": terminal_progress(f"import {kind}")}
    if args.date and importer.snapshot_date:
        kwargs["snapshot_date"] = args.date
    if getattr(args, "map", None) and importer.mapping:
        kwargs["mapping"] = args.map
    try:
        report = importer.run(engine.store, Path(args.file), **kwargs)
    except ImportFailed as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(("dry run: " if args.dry_run else "") + report.summary())
    for n in report.notes[:20]:
        print(f"  note: {n}")
    return 0


def cmd_export(args) -> int:
    from bot.store.exporter import export

    engine = _engine(_settings(args))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in export(engine.store, args.format):
        (out / name).write_bytes(data)
        print(out / name)
    return 0


def cmd_backup(args) -> int:
    engine = _engine(_settings(args))
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    dest = Path(args.path or f"backups/racebot-{stamp}.db")
    engine.store.backup(dest)
    print(dest)
    return 0


def cmd_db(args) -> int:
    engine = _engine(_settings(args))
    s = engine.store
    info = {
        "path": str(s.path),
        "schema_version": s.schema_version,
        "data_version": s.data_version,
        "tables": {t: s.tables[t].count for t in
                   ("models", "organizations", "aliases", "arena_ratings", "benchmark_scores", "figures", "sources",
                    "audit")},
        "as_of": {r["id"]: r["as_of"] for r in s.query("SELECT id, as_of FROM sources ORDER BY id")},
        "integrity": s.integrity_check(),
        "seeded_in_seconds": s.get_meta("seed_seconds"),
    }
    print(json.dumps(info, indent=1))
    return 0


def cmd_gallery(args) -> int:
    from bot.engine.gallery import gallery

    engine = _engine(_settings(args))
    for p in gallery(engine, Path(args.dir)):
        print(p)
    return 0


def cmd_run(args) -> int:
    settings = _settings(args)
    if settings.discord_token and not args.console:
        from bot.adapters.discord import main as discord_main

        return discord_main(settings)
    return cmd_console(args)


def cmd_console(args) -> int:
    from bot.adapters.console import run_console

    engine = _engine(_settings(args))
    return run_console(engine)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="racebot", description="The AI Race Bot.")
    p.add_argument("--db", help="database file (default: DATABASE_PATH or racebot.db)")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="the Discord bot with DISCORD_TOKEN set, else the console")
    r.add_argument("--console", action="store_true", help="the console even when a token is set")
    r.set_defaults(fn=cmd_run)
    sub.add_parser("console", help="the interactive console").set_defaults(fn=cmd_console)
    a = sub.add_parser("ask", help="answer one command line or plain question")
    a.add_argument("line", nargs="+")
    a.add_argument("--json", action="store_true", help="print {status, text, embeds, files, data}")
    a.add_argument("--out", help="write attachments (charts) to this folder")
    a.set_defaults(fn=cmd_ask)
    i = sub.add_parser("import", help="import a file of one importer's kind (an unknown kind lists them all)")
    i.add_argument("kind")
    i.add_argument("file")
    i.add_argument("--date", help="Arena snapshot date, when the file name has none")
    i.add_argument("--map", help='leaderboard: the column mapping, like \'model=Model score="Arena Score"\'')
    i.add_argument("--dry-run", action="store_true", help="show what would change, change nothing")
    i.set_defaults(fn=cmd_import)
    e = sub.add_parser("export", help="export the data")
    e.add_argument("format", nargs="?", default="csv", choices=["csv", "json", "sqlite"])
    e.add_argument("--out", default="export")
    e.set_defaults(fn=cmd_export)
    b = sub.add_parser("backup", help="a consistent copy of the database (SQLite backup API)")
    b.add_argument("path", nargs="?")
    b.set_defaults(fn=cmd_backup)
    d = sub.add_parser("db", help="database information")
    d.add_argument("what", choices=["info"])
    d.set_defaults(fn=cmd_db)
    g = sub.add_parser("gallery", help="render every chart kind into a folder")
    g.add_argument("dir")
    g.set_defaults(fn=cmd_gallery)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    finally:
        _close_engines()


def _run(args) -> int:
    try:
        return args.fn(args)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `racebot ask ... | head`
        sys.stderr.close()
        return 0
    except Exception as exc:  # a clear line, not a traceback
        import sqlite3

        from bot.store.errors import explain, StoreError

        if isinstance(exc, (StoreError, sqlite3.Error)):
            print(str(explain(exc, str(getattr(args, "db", None) or "the database"))), file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    raise SystemExit(main())
