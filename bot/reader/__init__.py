"""The question reader: plain words -> one command line of an existing command.

Pure and deterministic: :func:`read` takes the question, a
:class:`~bot.reader.lexicon.Lexicon` (built once per data version from the
bot's own lookup indexes and read model, by ``bot.commands.ask.lexicon_for``)
and today's date, and returns a :class:`~bot.reader.reading.Reading`: what
is asked (the intent), the command line that answers it, whether the reading
is sure, and up to three filled-in commands to offer when it is not. It
never touches Discord, the network or the database.

The package, in the order a question goes through it:

* :mod:`~bot.reader.words`: the vocabulary (cue words, filler, categories,
  benchmarks, months, units), plain data.
* :mod:`~bot.reader.tokens`: the question as lower-case words.
* :mod:`~bot.reader.lexicon`: the bot's names (models, families,
  organisations, countries, benchmarks).
* :mod:`~bot.reader.question`: the passes that take names, times and
  quantities, token by token; :mod:`~bot.reader.reading`: what a reading
  returns.
* :mod:`~bot.reader.parts` and :mod:`~bot.reader.rules`: an ordered list
  of ``Rule(intent, applies, build)``; the first that applies writes the
  command line.
* :mod:`~bot.reader.decide`: how sure the reading is, and suggestions.
"""
from __future__ import annotations

from datetime import date

from bot.reader.decide import decide
from bot.reader.lexicon import Lexicon
from bot.reader.question import Question
from bot.reader.reading import INTENTS, Found, Quantity, Reading, Time
from bot.reader.tokens import tokenise

__all__ = ["INTENTS", "Found", "Lexicon", "Quantity", "Reading", "Time", "read", "tokenise"]


def read(question: str, lex: Lexicon, today: date | None = None, *, commands: bool = True) -> Reading:
    """Read one question. With `commands`, a line that starts with a command's
    name or alias reads the rest with that command as the cue ("top models for
    coding" -> ``top 10 coding``)."""
    return decide(Question.parse(question, lex, today or date.today(), commands=commands))
