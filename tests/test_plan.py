"""Engine.plan: the adapter's one reading of a line (the command, whether to download its
attachment, whether it is long work), with the caller's own prefix; the engine answers the plan
exactly as it answers the line."""
from __future__ import annotations

import dataclasses

import pytest

from bot.caller import Caller
from bot.engine import Plan

MEMBER = Caller(user_id="11", name="member")
MOD = Caller(user_id="12", name="mod", is_moderator=True)


def test_an_upload_is_read_only_for_a_command_that_takes_one_and_a_caller_who_may_run_it(engine):
    assert engine.plan("import leaderboard", MOD).upload
    assert not engine.plan("import leaderboard", MEMBER).upload  # refused before any download
    assert not engine.plan("race", MOD).upload and not engine.plan("help import", MOD).upload
    assert not engine.plan("no such command", MOD).upload


def test_long_work_is_named_by_the_plan(engine):
    assert engine.plan("import leaderboard", MOD).long and engine.plan("sync arena", MOD).long
    assert not engine.plan("top 5", MOD).long


def test_the_plan_reads_the_line_with_the_callers_own_prefix(engine):
    """A server's own prefix: its moderator's `?import` is the import command, whatever the bot's prefix."""
    mod_here = dataclasses.replace(MOD, prefix="?")
    plan = engine.plan("?import leaderboard", mod_here)
    assert plan.prefix == "?" and plan.command is not None and plan.command.name == "import"
    assert plan.upload and plan.long
    assert engine.plan("!import leaderboard", dataclasses.replace(MOD, prefix="!")).command.name == "import"


@pytest.mark.parametrize("line", ["top 5 open", "gap us china 2025-02", "model deepseek r1", "nosuchcommand x", "",
                                  "ask who leads in coding?", "race"])
def test_answering_the_plan_is_answering_the_line(engine, line):
    plan = engine.plan(line, MEMBER)
    assert isinstance(plan, Plan)
    by_plan, by_line = engine.handle(plan, MEMBER), engine.handle(line, MEMBER)
    assert (by_plan.status, by_plan.text, by_plan.data.get("command")) == (by_line.status, by_line.text,
                                                                          by_line.data.get("command"))
