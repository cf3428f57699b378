"""Limitation periods: the day a debt becomes time-barred, per jurisdiction; pure.

The rule table is data (`recoup/jurisdictions/data/limitation.csv`, read and checked by
`recoup.jurisdictions.tables.read_limitation_table`) and is passed in, the way
`recoup.domain.interest` gets its rates. This is not legal advice.

Conventions:

- `from_due` (GB, FR, NL, US states): the debt is treated as time-barred from the
  anniversary of its due date `years` later (a due date of 29 February counts from
  28 February in a year without one). The law counts from the day the claim accrued
  (the day after the due date), so this is a day early at most: on the safe side for a
  rule whose purpose is never to threaten legal action on a barred debt.
- `end_of_year` (DE, §§ 195, 199(1) BGB): the period starts at the end of the year in
  which the claim arose (taken as the due date's year) and runs `years` full years; the
  debt is time-barred from 1 January after that. Due 2021-05-10 → barred from 2025-01-01.
- Consumer debts use `consumer_years` when the jurisdiction has a different period.
- A country code is looked up as given (`US-CA`, `GB-SCT`), then by its country part
  (`DE-BY` → `DE`). A code the table does not hold has no known limitation (None).
- Suspension, interruption, acknowledgement and revival are not modelled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from recoup.domain.interest import Status


class LimitationStart(StrEnum):
    """When the limitation period starts to run."""

    FROM_DUE = "from_due"
    END_OF_YEAR = "end_of_year"


@dataclass(frozen=True, slots=True)
class LimitationRule:
    code: str  # ISO country (GB, DE) or subdivision (US-CA, GB-SCT)
    years: int
    start: LimitationStart
    consumer_years: int | None  # None: same as `years`
    source: str
    status: Status

    def years_for(self, consumer: bool) -> int:
        return self.consumer_years if consumer and self.consumer_years else self.years

    def describe(self, consumer: bool = False) -> str:
        start = (
            "from the end of the year the claim arose"
            if self.start is LimitationStart.END_OF_YEAR
            else "from the due date"
        )
        who = "consumer debt, " if consumer and self.consumer_years else ""
        return (
            f"{self.code}: {who}{self.years_for(consumer)} years {start}, "
            f"{self.source}, {self.status.value}"
        )


@dataclass(frozen=True, slots=True)
class LimitationTable:
    rules: Mapping[str, LimitationRule]

    def find(self, country: str) -> LimitationRule | None:
        code = country.strip().upper()
        if not code:
            return None
        rule = self.rules.get(code)
        if rule is None and "-" in code:
            rule = self.rules.get(code.split("-", 1)[0])
        return rule


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def barred_from(due: date, rule: LimitationRule, consumer: bool = False) -> date:
    """The first day on which a debt due on `due` is time-barred under `rule`."""
    years = rule.years_for(consumer)
    if rule.start is LimitationStart.END_OF_YEAR:
        return date(due.year + years + 1, 1, 1)
    return _add_years(due, years)


def time_barred_on(
    due: date, country: str, consumer: bool = False, *, table: LimitationTable
) -> date | None:
    """The first day the debt is time-barred; None when the country is not in `table`."""
    rule = table.find(country)
    return None if rule is None else barred_from(due, rule, consumer)


def days_to_limitation(
    due: date, country: str, as_of: date, consumer: bool = False, *, table: LimitationTable
) -> int | None:
    """Days from `as_of` to the day the debt is time-barred (0 or less: it is); None: unknown."""
    barred = time_barred_on(due, country, consumer, table=table)
    return None if barred is None else (barred - as_of).days
