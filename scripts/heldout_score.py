"""Score the bot on the held-out plain questions (tests/data/heldout_questions.csv).

Each question is asked the way a member's plain question arrives: ``@RaceBot
<question>`` and ``/ask`` both run ``ask <question>`` through the engine, as a
member of a server (not a moderator), on a fresh database built from the
bundled seed (``data/seed/``), so a local ``racebot.db`` never changes the
score. ``--console`` asks instead the way the console and ``!<question>``
do (``Engine.as_question``: a line that starts with a command runs it).

A question passes when the reply's full text (text, embed title,
description, fields and footer, on every page; "did you mean" buttons do not
count) contains every ``must`` fact and no ``must_not`` fact. Facts are
separated by `` | `` and matched case-insensitively:

* a fact that is a number (``1,487``, ``2.82%``, ``$0.262``) must appear as
  that number: not inside a longer one (``40`` is not found in ``1,400`` or
  ``140``), though ``1.7`` is found in ``1.70%``;
* any other fact (a name) is matched loosely: spaces, hyphens, underscores, colons,
  slashes and dots are all one separator, so ``Gemini 3 Pro`` is found in
  ``Gemini-3-Pro`` and ``Opus 4.5`` in ``claude-opus-4-5``; a digit at
  either end of the fact may not continue into a longer number
  (``GPT-5.1`` is not found in ``GPT-5.12``).

Prints the accuracy per style and overall and the failing ids (``-v``: with
the reply); ``--json`` prints the same as one JSON object. Always exits 0:
this is a measurement, not a test (a test with a floor belongs in tests/).

    python scripts/heldout_score.py [--json] [-v] [--ids q001,q017] [--style casual]
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.caller import Caller  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.render.text import unescape  # noqa: E402
from bot.reply import Reply  # noqa: E402

QUESTIONS = ROOT / "tests" / "data" / "heldout_questions.csv"
STYLES = ("casual", "enthusiast", "moderator")
COLUMNS = ("id", "style", "question", "must", "must_not", "note")

# a member of a server, not a data moderator: what most people asking are
MEMBER = Caller(user_id="heldout-member", name="member", guild_id="heldout-guild", channel_id="heldout-channel")

_NUMBER = re.compile(r"[$€]?[+\-−]?\d[\d,]*(\.\d+)?\s*(%|×|x|-fold|b|m|k)?", re.IGNORECASE)
_LOOSE_SEP = re.compile(r"[\s\-_/.·:]+")  # a colon too: "United States: 7" states "United States 7"


@dataclass
class Question:
    id: str
    style: str
    question: str
    must: list[str]
    must_not: list[str]
    note: str


@dataclass
class Result:
    question: Question
    passed: bool
    missing: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    status: str = ""
    command: str = ""
    text: str = ""


def facts(cell: str) -> list[str]:
    return [f.strip() for f in (cell or "").split(" | ") if f.strip()]


def load(path: Path = QUESTIONS) -> list[Question]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        out.append(Question(r["id"].strip(), r["style"].strip(), r["question"], facts(r["must"]),
                            facts(r["must_not"]), r.get("note", "")))
    return out


def full_text(reply: Reply) -> str:
    """Everything a member reads in the reply: text and embed, every page."""
    parts: list[str] = []
    for page in [reply, *reply.pages]:
        for piece in (page.text, page.title, page.description):
            if piece:
                parts.append(piece)
        for f in page.fields:  # as the console shows a field: "Organisation: DeepSeek"
            parts.append(f"{f.name}: {f.value}")
        if page.footer:
            parts.append(page.footer)
    return unescape("\n".join(parts).replace("**", ""))


def _is_number(fact: str) -> bool:
    return bool(_NUMBER.fullmatch(fact.strip()))


def _number_pattern(fact: str) -> re.Pattern:
    f = fact.strip().casefold()
    body = re.escape(f).replace(r"\ ", r"\s*")
    left = r"(?<![\d.,])" if f[0].isdigit() else ""
    if f[-1].isdigit():
        # 1.7 is found in 1.70 (trailing zeros), never in 1.75; 40 never in 400 or 40.5 (but in 40.0),
        # 1,487 never in 1,4870
        right = r"(?![0-9]*[1-9])(?!,\d)" if "." in f else r"(?!\d)(?!,\d)(?!\.\d*[1-9])"
    else:
        right = ""
    return re.compile(left + body + right)


def _loose(s: str) -> str:
    return _LOOSE_SEP.sub(" ", s.casefold()).strip()


def contains(text: str, fact: str) -> bool:
    """Whether `fact` is in `text`, by the rules in the module docstring."""
    if _is_number(fact):
        return _number_pattern(fact).search(" ".join(text.casefold().split())) is not None
    f = _loose(fact)
    if not f:
        return True
    pattern = (r"(?<!\d)" if f[0].isdigit() else "") + re.escape(f) + (r"(?!\d)" if f[-1].isdigit() else "")
    return re.search(pattern, _loose(text)) is not None


def score(q: Question, reply: Reply) -> Result:
    text = full_text(reply)
    missing = [f for f in q.must if not contains(text, f)]
    forbidden = [f for f in q.must_not if contains(text, f)]
    command = reply.data.get("routed") or reply.data.get("command", "") if isinstance(reply.data, dict) else ""
    return Result(q, not missing and not forbidden, missing, forbidden, reply.status, str(command), text)


def ask_line(engine: Engine, question: str, console: bool) -> str:
    return engine.as_question(question) if console else f"ask {question}"


def run(questions: list[Question], *, db: Path | None = None, console: bool = False) -> tuple[list[Result], float]:
    logging.disable(logging.WARNING)  # a refused or failed answer is a result here, not a log line
    with tempfile.TemporaryDirectory(prefix="heldout-") as tmp:
        engine = Engine.open(db or Path(tmp) / "heldout.db")
        try:
            t0 = time.perf_counter()
            results = [score(q, engine.handle(ask_line(engine, q.question, console), MEMBER)) for q in questions]
            return results, time.perf_counter() - t0
        finally:
            engine.close()


def summary(results: list[Result], seconds: float) -> dict:
    total: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for r in results:
        total[r.question.style] += 1
        passed[r.question.style] += r.passed
    styles = {s: {"passed": passed[s], "total": total[s],
                  "accuracy": round(passed[s] / total[s], 3) if total[s] else None}
              for s in [*STYLES, *sorted(set(total) - set(STYLES))] if total[s]}
    n = len(results)
    ok = sum(r.passed for r in results)
    return {
        "questions": n,
        "passed": ok,
        "accuracy": round(ok / n, 3) if n else None,
        "styles": styles,
        "failing": [r.question.id for r in results if not r.passed],
        "failures": [{"id": r.question.id, "style": r.question.style, "question": r.question.question,
                      "status": r.status, "command": r.command, "missing": r.missing, "forbidden": r.forbidden}
                     for r in results if not r.passed],
        "seconds": round(seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true", help="print a machine-readable summary")
    p.add_argument("-v", "--verbose", action="store_true", help="show each failing reply")
    p.add_argument("--ids", help="only these ids, comma-separated")
    p.add_argument("--style", choices=STYLES, help="only this style")
    p.add_argument("--console", action="store_true",
                   help="ask as the console and !<question> do (a line starting with a command runs it)")
    p.add_argument("--file", type=Path, default=QUESTIONS, help="the questions (default: %(default)s)")
    p.add_argument("--db", type=Path, help="use this database instead of a fresh one from the seed")
    args = p.parse_args(argv)

    questions = load(args.file)
    if args.ids:
        wanted = {i.strip() for i in args.ids.split(",")}
        questions = [q for q in questions if q.id in wanted]
    if args.style:
        questions = [q for q in questions if q.style == args.style]
    results, seconds = run(questions, db=args.db, console=args.console)
    s = summary(results, seconds)
    if args.json:
        print(json.dumps(s, ensure_ascii=False, indent=1))
        return 0
    for name, st in s["styles"].items():
        print(f"{name:11} {st['passed']:4}/{st['total']:<4} {st['accuracy']:.1%}")
    if s["questions"]:
        print(f"{'all':11} {s['passed']:4}/{s['questions']:<4} {s['accuracy']:.1%}  ({s['seconds']} s)")
    print("failing: " + (", ".join(s["failing"]) or "none"))
    if args.verbose:
        for r in results:
            if r.passed:
                continue
            print(f"\n--- {r.question.id} [{r.question.style}] {r.question.question}")
            print(f"    status {r.status}, command {r.command}; missing {r.missing}; forbidden {r.forbidden}")
            print("    " + r.text[:1200].replace("\n", "\n    "))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
