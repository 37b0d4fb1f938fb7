"""Plain questions reach the reader from every entry point (issue 22):
`racebot ask "<question>"` reads it as the console does, and `@RaceBot`
typed before any text (in the console, or a mention) makes it a question."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.adapters.console import show
from bot.commands.ask import as_question

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("line, runs", [
    ("@RaceBot who leads in coding?", "ask who leads in coding?"),
    ("@racebot, top 5", "ask top 5"),
    ("@Race Bot: is china catching up", "ask is china catching up"),
    ("<@123456> best open model", "ask best open model"),
    ("<@!42>   gap us china", "ask gap us china"),
    ("@RaceBot", "ask"),
    ("who's winning the ai race", "ask who's winning the ai race"),
    ("top 5 open", "ask top 5 open"),  # ask runs a command line as that command (and reads it if it is not one)
    ("!gap us china", "ask gap us china"),
    ("top", "top"),  # a bare command word is its command
    ("comapre gpt-4o vs o1", "comapre gpt-4o vs o1"),  # a near miss gets "did you mean"
    ("undo", "undo"),  # a moderator's command runs as itself (confirmations, uploads)
])
def test_what_is_run_for_a_typed_line(line, runs):
    assert as_question(line, "!") == runs


def test_the_console_reads_racebot_as_a_question(engine, tmp_path):
    out: list[str] = []
    show(engine, "@RaceBot who leads in coding, us or china?", tmp_path, write=out.append)
    assert out[0].startswith("Read as: `!gap United States vs China coding`"), out[0]
    out.clear()
    show(engine, "@RaceBot", tmp_path, write=out.append)  # nothing asked: the friendly usage, nothing run
    assert "Ask a question" in out[0]


def test_racebot_ask_reads_a_plain_question(seed_copy, tmp_path):
    db = seed_copy(tmp_path / "cli.db")
    proc = subprocess.run([sys.executable, "-m", "bot", "--db", str(db), "ask", "who's winning the ai race?"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Read as: `!race`") and "no command" not in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "bot", "--db", str(db), "ask", "top", "3"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0 and not proc.stdout.startswith("Read as")  # a command line runs as itself


@pytest.mark.parametrize("line, says", [
    ("top 3 models on lmarena", "Top 3 models"),        # starts with a command, but is a question
    ("price of glm-4.6", "per million tokens"),
    ("gap between the best closed and best open model right now", "best closed model"),
])
def test_a_question_that_starts_with_a_command_word_is_answered(engine, tmp_path, line, says):
    out: list[str] = []
    show(engine, line, tmp_path, write=out.append)
    assert says in "\n".join(out), out


def test_a_command_line_its_command_refuses_keeps_the_commands_usage(engine, tmp_path):
    out: list[str] = []
    show(engine, "top 5 xyzzy", tmp_path, write=out.append)  # a word top does not know: top's own reply
    assert "I don't know 'xyzzy'" in "\n".join(out) and "Read as" not in "\n".join(out)
