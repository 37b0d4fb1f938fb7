"""Importers for the public formats, as they really are, and their one registry.

* Epoch AI notable models CSV (``epoch``, :mod:`.epoch`)
* Epoch AI Benchmarking Hub: runs + model versions + organisations (``epoch-hub``, :mod:`.epoch`)
* Chatbot Arena (LMArena) leaderboard snapshots, all three header variants (``arena``, :mod:`.arena`)
* the Arena rating history, LMArena's catalog releases and price list, keyed by model key
  (``arena-history``, ``arena-catalog``, ``arena-prices``, :mod:`.arena_sources`)
* AI Index headline figures, one edition per file (``figures``, :mod:`.figures`)
* any Arena-style leaderboard, CSV or JSON, with a declared column mapping (``leaderboard``, :mod:`.leaderboard`)
* the project's own CSVs, the seed's format, which moderators export (``project``, :mod:`.project`)

:data:`IMPORTERS` is the one list: the CLI (``racebot import``), the chat
``import`` command and ``sync`` all read it. To add an importer: write
``import_<name>(store, source, *, name=None, actor, audit, dry_run, progress)``
in a module of this package and add one :class:`Importer` line below.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from bot.store.importers.arena import import_arena
from bot.store.importers.arena_sources import import_arena_catalog, import_arena_history, import_arena_prices
from bot.store.importers.common import (
    SOURCE_MODERATOR,
    SOURCES,
    ImportFailed,
    ImportReport,
    OrgIndex,
    ensure_sources,
    read_table,
    rerank_snapshot,
    terminal_progress,
)
from bot.store.importers.epoch import import_epoch_hub, import_epoch_notable
from bot.store.importers.figures import import_figures
from bot.store.importers.leaderboard import import_leaderboard
from bot.store.importers.project import import_project


@dataclass(frozen=True)
class Importer:
    """One import format.

    ``run(store, source, *, name=None, actor=..., audit=..., dry_run=..., progress=...)``
    reads `source` (a path, or bytes with `name`) and applies it as one change.
    ``in_chat`` says whether moderators may use it from chat with a single
    attached file; formats that need a folder of files are for the CLI only.
    """
    name: str
    run: Callable[..., ImportReport]
    summary: str
    in_chat: bool = True
    snapshot_date: bool = False  # takes an optional ``snapshot_date`` (arena)
    mapping: bool = False  # takes a ``mapping`` of its fields to the file's columns (leaderboard)


IMPORTERS: dict[str, Importer] = {i.name: i for i in (
    Importer("epoch", import_epoch_notable, "Epoch AI notable models CSV"),
    Importer("arena", import_arena, "a Chatbot Arena leaderboard snapshot", snapshot_date=True),
    Importer("arena-history", import_arena_history, "the Arena rating history CSV (one row per date, one column "
             "per model key)"),
    Importer("arena-catalog", import_arena_catalog, "an LMArena leaderboard release (leaderboard-text JSON, "
             "every category)", snapshot_date=True),
    Importer("arena-prices", import_arena_prices, "LMArena's price list (scatterplot-data JSON)",
             snapshot_date=True),
    Importer("figures", import_figures, "AI Index headline figures"),
    Importer("leaderboard", import_leaderboard, "any Arena-style leaderboard, CSV or JSON, with a column mapping "
             "(model=... score=... interval=... votes=... organisation=... licence=... date=...)",
             snapshot_date=True, mapping=True),
    Importer("project", import_project, "one of the project's own CSV tables (what `export` writes)"),
    Importer("epoch-hub", import_epoch_hub, "the Epoch AI Benchmarking Hub folder (three CSV files)",
             in_chat=False),
)}


def chat_importers() -> dict[str, Importer]:
    """The importers moderators may run from chat."""
    return {n: i for n, i in IMPORTERS.items() if i.in_chat}


__all__ = [
    "IMPORTERS", "Importer", "chat_importers", "ImportFailed", "ImportReport", "OrgIndex", "SOURCES",
    "SOURCE_MODERATOR", "ensure_sources", "read_table", "rerank_snapshot", "terminal_progress", "import_arena", "import_epoch_hub",
    "import_epoch_notable", "import_figures", "import_leaderboard", "import_project", "import_arena_history", "import_arena_catalog",
    "import_arena_prices",
]
