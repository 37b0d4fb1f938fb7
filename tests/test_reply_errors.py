"""One user-facing error base: every error a handler may raise to stop with a friendly answer is a
``ReplyError``, and the engine answers each with its own ``to_reply`` (and never raises)."""
from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from bot.commands.context import NotFound, Usage
from bot.commands.grammar import GrammarError
from bot.commands.registry import REGISTRY
from bot.lookup import Match
from bot.reply import Reply, ReplyError
from bot.store import errors as store_errors
from bot.store.freshness import newest_board
from bot.store.importers import ImportFailed


@pytest.mark.parametrize("cls", [Usage, NotFound, GrammarError, ImportFailed, store_errors.StoreError,
                                 store_errors.ReadOnlyError, store_errors.UndoRefused, store_errors.CorruptError,
                                 store_errors.DiskFullError, store_errors.BusyError])
def test_every_user_facing_error_is_a_reply_error(cls):
    assert issubclass(cls, ReplyError)


def _raising(monkeypatch, name: str, exc: BaseException) -> None:
    """A command `name` (a copy of `top`'s entry) whose handler raises `exc`."""
    def handler(ctx, args):
        raise exc
    monkeypatch.setitem(REGISTRY, name, dataclasses.replace(REGISTRY["top"], name=name, handler=handler))


class Sold(ReplyError):
    """A new kind of error needs no new branch in the engine: its own to_reply is the answer."""
    status = "refused"

    def to_reply(self, ctx=None, command=None) -> Reply:
        return Reply(text=f"{command.name} in {ctx.prefix}: {self}", status=self.status)


def test_a_new_reply_error_is_answered_by_its_own_to_reply(engine, monkeypatch):
    _raising(monkeypatch, "boomtest", Sold("sold out"))
    r = engine.handle("boomtest now")
    assert (r.status, r.text) == ("refused", "boomtest in !: sold out")
    assert r.data["command"] == "boomtest"


def test_each_error_answers_in_its_own_words(engine, monkeypatch):
    cases = [
        (Usage("Give me a count."), "usage", "Give me a count.\nUsage: `!top"),
        (GrammarError("That date has no month 13."), "usage", "That date has no month 13.\nUsage: `!top"),
        (ImportFailed("x.csv", 3, "no score"), "error", "x.csv, row 3: no score. Nothing was imported."),
        (store_errors.UndoRefused("There is no change #9."), "error", "There is no change #9."),
        (store_errors.ReadOnlyError(store_errors.READ_ONLY_TEXT), "refused", store_errors.READ_ONLY_TEXT + "."),
    ]
    for exc, status, text in cases:
        _raising(monkeypatch, "boomtest", exc)
        r = engine.handle("boomtest")
        assert r.status == status and r.text.startswith(text), (exc, r.status, r.text)
        assert "Traceback" not in r.text


def test_not_found_names_the_newest_board_and_suggests(engine, monkeypatch):
    match = Match("none", suggestions=[("GPT-4o", 90.0), ("GPT-5", 88.0)], query="gpt 9")
    _raising(monkeypatch, "boomtest", NotFound("model", match, rebuild="model {}"))
    r = engine.handle("boomtest")
    latest = newest_board(engine.read_model())
    assert latest
    assert r.status == "not_found"
    assert r.text == f"'gpt 9' is not in my data (latest board {latest}). Did you mean **GPT-4o** or **GPT-5**?"
    assert r.suggestions == ["model GPT-4o", "model GPT-5"]


def test_a_sqlite_error_escaping_a_handler_is_explained_not_raised(engine, monkeypatch):
    _raising(monkeypatch, "boomtest", sqlite3.OperationalError("disk I/O error"))
    r = engine.handle("boomtest")
    assert r.status == "error" and engine.store.path in r.text and "disk" in r.text.lower()
    assert r.data["store_error"] == "StoreError"
