"""The store's errors: what went wrong with the database file, said so a person can act on it.

Every one is a :class:`~bot.reply.ReplyError`: the engine answers it with its own text.
:func:`explain` turns a SQLite error into one of them.
"""
from __future__ import annotations

from typing import Any

from bot.reply import Reply, ReplyError


class StoreError(ReplyError):
    """A problem with the database file that a person can act on. The message
    names the file, says what happened and what to do."""

    def to_reply(self, ctx: Any = None, command: Any = None) -> Reply:
        return Reply(text=str(self), status=self.status, data={"store_error": type(self).__name__})


class ReadOnlyError(StoreError):
    """The database can be read but not changed (a read-only file or file system). Answered as a
    refusal; the message is a sentence's tail, ended with a full stop unless it ends in a bracket."""

    status = "refused"

    def to_reply(self, ctx: Any = None, command: Any = None) -> Reply:
        reply = super().to_reply(ctx, command)
        if not reply.text.endswith((".", ")")):
            reply.text += "."
        return reply


class UndoRefused(StoreError):
    """An undo or redo that would overwrite a later change (or has nothing to do)."""


class CorruptError(StoreError):
    """Part of the file is damaged (SQLITE_CORRUPT / NOTADB)."""


class DiskFullError(StoreError):
    """The disk (or the database's size limit) is full (SQLITE_FULL)."""


class BusyError(StoreError):
    """Another process holds the write lock longer than we wait (SQLITE_BUSY)."""


READ_ONLY_TEXT = "the database is read-only: answers work, changes are refused"


def explain(exc: BaseException, path: str, *, doing: str = "the change") -> StoreError:
    """A SQLite error as a :class:`StoreError` a person can act on: which
    file, what happened, what to do. Never advises deleting a file that may
    be healthy or recoverable."""
    if isinstance(exc, StoreError):
        return exc
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    low = text.lower()
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in low or "not a database" in low:
        return CorruptError(
            f"The database file {path} cannot be read in full: it is damaged (SQLite: {text}). "
            f"{doing[:1].upper() + doing[1:]} did not happen. What to do: stop the bot and keep the file "
            f"(`sqlite3 {path} .recover` can often save its rows); restore the newest copy from the backups "
            "folder (`racebot backup` writes them), or set DATABASE_PATH to a new file, which is built from "
            "data/seed on the next start.")
    if name.startswith("SQLITE_FULL") or "disk is full" in low:
        return DiskFullError(
            f"The disk holding the database file {path} is full: {doing} was not saved and the data is as it "
            "was. Free some disk space, then try again.")
    if name.startswith("SQLITE_READONLY") or "readonly" in low or "read-only" in low:
        return ReadOnlyError(f"{READ_ONLY_TEXT} (the file {path} or its folder cannot be written)")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in low:
        return BusyError(
            f"Another process is writing to the database file {path} (for example `racebot import`): "
            f"{doing} was not made and nothing changed. Try again when it has finished.")
    if name.startswith("SQLITE_IOERR") or "i/o error" in low:
        return StoreError(
            f"The database file {path} could not be read or written (SQLite: {text}); {doing} did not "
            "happen. Check the disk and the file system (dmesg), then try again.")
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")) or "unable to open" in low:
        return StoreError(
            f"The database file {path} cannot be opened (SQLite: {text}). Check that the path exists and "
            "that the bot may read it and its folder.")
    return StoreError(f"The database file {path} gave an error (SQLite: {text}); {doing} did not happen.")
