"""Calendar helpers: month arithmetic and day counts. No clock is read here."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months, clamped to the target month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def days_between(start: date, end: date) -> int:
    """Whole days from `start` to `end` (negative when `end` is earlier)."""
    return (end - start).days


def month_periods_back(as_of: date, count: int) -> list[tuple[date, date]]:
    """`count` consecutive periods of one calendar month each, ending on `as_of`.

    Each period is (first day, last day), both inclusive; the newest comes first. A
    period ends on the same day of the month as `as_of` (clamped at month ends), so for
    a month-end `as_of` these are the calendar months.
    """
    periods: list[tuple[date, date]] = []
    end = as_of
    for step in range(1, count + 1):
        start = _month_back_start(as_of, step)
        periods.append((start, end))
        end = start - timedelta(days=1)
    return periods


def _month_back_start(as_of: date, step: int) -> date:
    last_of_month = calendar.monthrange(as_of.year, as_of.month)[1]
    if as_of.day == last_of_month:
        # month ends: the period is the whole calendar month
        first = date(as_of.year, as_of.month, 1)
        return add_months(first, -(step - 1))
    return add_months(as_of, -step) + timedelta(days=1)
