"""docs/handler-api.md names every public name of what a handler uses (as Datasette tests that
each plugin hook is documented): the Context, Args and Load, the Param declaration and the typed
parameters, the read model (class and instance), the counted boards and the user-facing errors."""
from __future__ import annotations

import ast
import dataclasses
import inspect
import re
from pathlib import Path

import pytest

from bot.commands import context, params, registry
from bot.domain import counted_boards as boards_module
from bot.domain.counted_boards import CountedBoards, counted_boards
from bot.reply import ReplyError
from bot.store.readmodel import ReadModel

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "handler-api.md").read_text(encoding="utf-8")
FENCED = re.findall(r"^```[a-z]*\n(.*?)^```", DOC, re.S | re.M)
CODE = " ".join(FENCED + re.findall(r"`([^`\n]+)`", re.sub(r"^```.*?^```", "", DOC, flags=re.S | re.M)))  # names as code


def public(obj: object, instance: object | None = None) -> set[str]:
    """The public names of a class (its attributes, methods, dataclass fields) and of one instance."""
    names = {n for n in dir(obj) if not n.startswith("_")}
    if dataclasses.is_dataclass(obj):
        names |= {f.name for f in dataclasses.fields(obj)}
    if instance is not None:
        names |= {n for n in vars(instance) if not n.startswith("_")}
    return names


def defined_in(module) -> set[str]:
    """The public names a module defines itself (not the ones it imports)."""
    tree = ast.parse(inspect.getsource(module))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return {n for n in names if not n.startswith("_")}


def missing(names: set[str]) -> list[str]:
    return sorted(n for n in names if not re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", CODE))


def test_the_finder_misses_a_name_not_on_the_page():
    assert missing({"route", "no_such_name_here"}) == ["no_such_name_here"]


def test_the_context_is_documented():
    assert missing(public(context.Context)) == []
    assert missing(public(context.Args) | public(context.Load)) == []


def test_the_parameters_are_documented():
    assert missing(public(registry.Param)) == []
    assert missing(set(params.__all__)) == []
    assert missing(set(params.KINDS)) == []  # every kind of parameter
    for cls in (params.Values, params.Period, params.Bound, params.Kind):
        assert missing(public(cls)) == [], cls.__name__


def test_the_read_model_is_documented(engine):
    read = engine.read_model()
    assert isinstance(read, ReadModel)
    assert missing(public(ReadModel, read)) == []


def test_the_boards_are_documented(engine):
    counted = counted_boards(engine.read_model())
    assert isinstance(counted, CountedBoards)
    assert missing(public(CountedBoards, counted)) == []
    assert missing(defined_in(boards_module)) == []


@pytest.mark.parametrize("error", ["Usage", "NotFound", "GrammarError", "ImportFailed", "StoreError", "ReadOnlyError",
                                   "UndoRefused", "CorruptError", "DiskFullError", "BusyError"])
def test_each_user_facing_error_is_documented(error):
    assert missing({error}) == []
    assert missing(public(ReplyError) - public(Exception)) == []
