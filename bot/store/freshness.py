"""How old the data is, in one place: the age of the newest board, in words.

Every answer that uses an Arena board and every "how old is your data"
question reads the age from here (:func:`data_age`), so they agree. "Today"
is always passed in (the engine's clock), never read here: tests give a
fixed day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.board_chain import AMENDMENTS

STALE_DAYS = 30  # the default of the DATA_STALE_DAYS setting


def ago(days: int) -> str:
    """A span of days in words read at a glance: ``today``, ``3 days ago``,
    ``2 weeks ago``, ``5 months ago``, ``a year ago``, ``2 years ago``.
    Rounded to the nearest unit, never more precise than a reader needs."""
    if days < 0:
        n = -days
        return "tomorrow" if n == 1 else f"in {n} days"
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 45:
        weeks = round(days / 7)
        return f"{weeks} weeks ago"
    if days < 320:
        months = max(2, round(days / 30.44))
        return f"{months} months ago"
    if days < 548:  # up to a year and a half
        return "a year ago"
    years = round(days / 365.25)
    return f"{years} years ago"


@dataclass(frozen=True)
class DataAge:
    """The newest board's date, how many days before `today` it is, and
    whether that is older than the setting allows before saying so."""
    latest: str
    today: str
    days: int
    stale: bool

    @property
    def words(self) -> str:
        return ago(self.days)

    @property
    def line(self) -> str:
        """The short line an answer carries when the data is old."""
        return f"Latest board {self.latest}, {self.words}."

    def after_data(self, day: str) -> bool:
        """Whether `day` (ISO) is after the newest board."""
        return day > self.latest

    def ends_line(self) -> str:
        """What an answer about a time after the data says first."""
        return f"The data ends with the board of {self.latest} ({self.words}); this answers for that board."

    def to_dict(self) -> dict[str, object]:
        return {"latest": self.latest, "today": self.today, "days": self.days, "words": self.words,
                "stale": self.stale}


def data_age(latest: str | None, today: date, stale_days: int = STALE_DAYS) -> DataAge | None:
    """The age of a board dated `latest` (ISO) on `today`; None without a board."""
    if not latest:
        return None
    days = (today - date.fromisoformat(latest[:10])).days
    return DataAge(latest[:10], today.isoformat(), days, days > stale_days)


def board_sources(read: Any) -> frozenset[str]:
    """The sources that have Arena boards in a read model (kept on the model)."""
    def build() -> frozenset[str]:
        return frozenset(s for keys in (getattr(read, "_all_boards", None) or {}).values() for s, _d in keys)
    view = getattr(read, "view", None)
    return view(("board sources",), build) if view is not None else build()


def newest_board(read: Any) -> str | None:
    """The newest published Arena board of a read model, any source or category (not a moderator board)."""
    view = getattr(read, "view", None)
    return view(("newest board",), lambda: _newest(read)) if view is not None else _newest(read)


def _newest(read: Any) -> str | None:
    boards = getattr(read, "_all_boards", None) or {}
    # moderators' scores are never a published board, so never what makes data fresh
    return max((d for keys in boards.values() for s, d in keys if s != AMENDMENTS), default=None)


def age_note(age: DataAge | None, *, asked_start: str | None, asked_now: bool) -> str | None:
    """The one line an answer that used a board carries about time, or None.

    * asked about a day after the newest board (``in 2026``, a later date),
      or asked about "now" while the data is old: the data ends there;
    * asked nothing about time while the data is old: how old it is;
    * otherwise nothing (a question about the past is answered by its board).
    """
    if age is None:
        return None
    if asked_start is not None:
        return age.ends_line() if age.after_data(asked_start) else None
    if not age.stale:
        return None
    return age.ends_line() if asked_now else age.line
