"""The moment Recoup acts at: the clock, or a moment set at an edge (a replay).

Rules never read this: they take `as_of` (a day) or `at` (an aware moment). The edges
do (the CLI's commands, the web app's pages, a service's default for "when"):

- `now()`: the moment, aware, in UTC;
- `local_today()`: the day it is: without a set moment, today on this machine's clock;
  with one, that moment's day as it was written (in its own offset, UTC when none).

**Setting the moment.** `recoup --now 2013-06-30T09:00 ...` (or `RECOUP_NOW`) and the
web app's `Settings.now` set it for one invocation or one request, through
`acting_at(moment)` or `set_moment`/`reset`: a context variable, so that it lasts exactly
as long as the `with` block (or until `reset`) and never leaks into the next command, the
next request or the next test. Tests that need a moment use `acting_at` (or the CLI's
`--now`) instead of patching anything.

**What a moment looks like** (`parse_moment`): an ISO 8601 date-time, naive = UTC
(`2013-06-30T09:00`, `2013-06-30T09:00:00+02:00`, `...Z`), or a date alone, which means
that day at 12:00 UTC: noon UTC falls on the same calendar day from UTC-11 to UTC+11,
so a replay "on the 30th" is on the 30th for nearly every customer, and inside common
contact hours for many.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, date, datetime, time

__all__ = [
    "acting_at",
    "local_today",
    "moment_set",
    "now",
    "parse_moment",
    "reset",
    "set_moment",
    "set_moment_text",
]

DATE_ONLY_TIME = time(12)
"""The time of day a moment given as a date alone stands for (UTC)."""

_MOMENT: ContextVar[datetime | None] = ContextVar("recoup_moment", default=None)


def now() -> datetime:
    """The moment to act at (aware, UTC): the set one, else the clock."""
    moment = _MOMENT.get()
    return datetime.now(UTC) if moment is None else moment.astimezone(UTC)


def local_today() -> date:
    """The day to act on: the set moment's day as written, else today on this
    machine's clock."""
    moment = _MOMENT.get()
    return datetime.now(UTC).astimezone().date() if moment is None else moment.date()


def moment_set() -> datetime | None:
    """The moment set at an edge (None: the clock runs)."""
    return _MOMENT.get()


def parse_moment(text: str) -> datetime:
    """An ISO date or date-time as an aware moment (see the module's notes); a
    ValueError says what is wrong."""
    value = text.strip()
    if not value:
        raise ValueError("a moment is a date (YYYY-MM-DD) or a date-time (YYYY-MM-DDTHH:MM)")
    if len(value) == 10:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
        return datetime.combine(day, DATE_ONLY_TIME, UTC)
    try:
        moment = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date (YYYY-MM-DD) or an ISO date-time "
            "(YYYY-MM-DDTHH:MM[:SS][+HH:MM])"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def set_moment(moment: datetime | None) -> Token[datetime | None]:
    """Act at `moment` (aware; naive means UTC; None: the clock) until `reset(token)`."""
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _MOMENT.set(moment)


def set_moment_text(text: str | None) -> Token[datetime | None]:
    """`set_moment(parse_moment(text))`; empty or None: the clock."""
    return set_moment(parse_moment(text) if text else None)


def reset(token: Token[datetime | None]) -> None:
    """Back to the moment before the `set_moment` that gave `token`."""
    _MOMENT.reset(token)


@contextmanager
def acting_at(moment: datetime | date | str | None) -> Iterator[datetime | None]:
    """Act at `moment` inside the block: a datetime (naive = UTC), a date (12:00 UTC
    that day), ISO text as `parse_moment` reads it, or None (the clock)."""
    if isinstance(moment, str):
        moment = parse_moment(moment)
    elif isinstance(moment, date) and not isinstance(moment, datetime):
        moment = datetime.combine(moment, DATE_ONLY_TIME, UTC)
    token = set_moment(moment)
    try:
        yield _MOMENT.get()
    finally:
        reset(token)
