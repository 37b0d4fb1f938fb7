"""Running the bot: ``export``, ``backup`` and ``stats``."""
from __future__ import annotations

import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

from bot.commands import scheduler
from bot.commands.admin.imports import MAX_UPLOAD
from bot.commands.context import Args, Context, Usage
from bot.commands.registry import Param, command
from bot.render.text import clip
from bot.reply import Attachment, Field, Reply
from bot.store import queries
from bot.store.exporter import FORMATS, export
from bot.domain.normalize import fold


@command("export", summary="The data as CSV tables, one JSON file or a SQLite copy.", usage="export [csv|json|sqlite]",
         example="export csv", admin=True, params=(Param("format", "text", "csv, json or sqlite"),))
def export_(ctx: Context, args: Args) -> Reply:
    fmt = fold(args.raw) or "csv"
    if fmt not in FORMATS:
        raise Usage("Formats: csv, json, sqlite.")
    files = export(ctx.store, fmt)
    total = sum(len(d) for _n, d in files)
    cli = f"racebot export {fmt} --out export/"  # where an export too big for a chat upload is got
    if total > MAX_UPLOAD:
        return Reply(text=f"The export is {total / 2**20:.1f} MiB, over what a Discord message carries; on the "
                          f"bot's machine, `{cli}` writes it.", status="error", data={"export": fmt, "cli": cli})
    mime = {"csv": "text/csv", "json": "application/json", "sqlite": "application/vnd.sqlite3"}[fmt]
    return Reply(text=f"Export ({fmt}): {', '.join(n for n, _ in files)}. Cells a spreadsheet would run as "
                      "formulas are escaped with a leading apostrophe; `import project` reads these back.",
                 files=[Attachment(n, d, mime) for n, d in files],
                 data={"export": fmt, "files": [n for n, _ in files], "cli": cli})


@command("backup", summary="A consistent copy of the database (SQLite's backup API).", usage="backup",
         example="backup", admin=True)
def backup(ctx: Context, args: Args) -> Reply:
    folder = ctx.settings.backup_dir or Path(ctx.store.path).resolve().parent / "backups"
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    dest = ctx.store.backup(folder / f"racebot-{stamp}.db")
    size = dest.stat().st_size
    return Reply(text=f"Backup written: `{dest.name}` ({size / 1e6:.1f} MB) in the bot's backups folder.",
                 data={"backup": str(dest)})


@command("stats", summary="Uptime, commands served, latency and data as-of dates.", usage="stats", example="stats",
         admin=True)
def stats(ctx: Context, args: Args) -> Reply:
    e = ctx.load
    up = time.time() - e.started
    lat = sorted(e.latencies)
    p50 = statistics.median(lat) * 1000 if lat else 0.0
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else 0.0
    as_of = queries.source_dates(ctx.store)
    served = sum(e.served.values())
    fields = [Field("Uptime", f"{up / 3600:.1f} h"), Field("Commands served", f"{served:,}"),
              Field("Latency", f"p50 {p50:.1f} ms · p99 {p99:.1f} ms"),
              Field("Data as of", "\n".join(f"{k}: {v or '-'}" for k, v in as_of.items()), inline=False)]
    health = scheduler.health(ctx.read, ctx.today)
    fields.append(Field("Source health", "\n".join(clip(scheduler.health_line(h), 300) for h in health)[:1000],
                        inline=False))
    return Reply(text=f"Up {up / 3600:.1f} h, {served:,} commands served.", title="Bot stats", fields=fields,
                 data={"uptime_s": up, "served": dict(e.served), "p50_ms": p50, "p99_ms": p99, "as_of": as_of,
                       "health": health})
