"""Statutory late-payment interest and fixed compensation, worked out to the minor unit.

Pure rules: a jurisdiction's rule and its rate table come in as values (the
`recoup.jurisdictions` package reads them from files), and so do the principal, the
due date and the date of payment (or the as-of date). Nothing here reads a clock or
a file.

The conventions (see `recoup/jurisdictions/docs.md` for the sources):

- Interest runs from the day after the due date up to and including the day of
  payment; `days` is the number of those days (0 when paid on or before the due date).
- Simple interest on actual days over a 365-day year, leap years included:
  base x rate / 100 x days / 365 for each period.
- A rule's rate is fixed either once per debt (`Fixing.PER_DEBT`: the UK takes the
  reference rate on the 30 June or 31 December before interest starts, for the life
  of the debt) or per half-year (`Fixing.HALF_YEAR`: the reference rate in force on
  1 January / 1 July applies to the whole half-year).
- `Compounding.YEARLY` (the Netherlands): at the end of each full year of delay,
  counted from the first day of interest, that year's interest is added to the base.
  Within a year the interest is simple.
- Amounts are exact rational numbers (`fractions.Fraction`, built only from `Decimal`
  and `int`, never from float) until the very end: the total is the sum of the
  periods' exact amounts, rounded once, half-up, to the currency's minor unit. Each
  period also carries its own rounded amount for display; those display amounts can
  add up to a cent or so more or less than the total.
- Days the rate table does not cover are refused (`OutsideTableError`), never guessed.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise

from recoup.domain.currencies import minor_units
from recoup.domain.money import Money

DAYS_IN_YEAR = 365
_ONE_DAY = timedelta(days=1)


class InterestError(ValueError):
    """A late-payment interest question that cannot be answered as asked."""


class RateTableError(InterestError):
    """A rate table or rule that is not well formed (gaps, overlaps, bad bands)."""


class OutsideTableError(InterestError):
    """A day of interest whose rate the table does not know."""


class NoConsumerRateError(InterestError):
    """A consumer debt under a law that only covers business debts."""


class Status(StrEnum):
    """How well a figure is sourced (the legend of the jurisdictions reference)."""

    VERIFIED = "VERIFIED"
    SECONDARY = "SECONDARY"
    DERIVED = "DERIVED"
    CONFLICT = "CONFLICT"
    UNVERIFIED = "UNVERIFIED"


class Fixing(StrEnum):
    """When the reference rate is read."""

    PER_DEBT = "per_debt"
    """Once per debt, on the 30 June / 31 December before interest starts (UK)."""
    HALF_YEAR = "half_year"
    """For each half-year, the rate in force on 1 January / 1 July."""


class Compounding(StrEnum):
    NONE = "none"
    YEARLY = "yearly"
    """Each full year of delay, that year's interest joins the base (Netherlands)."""


class Debtor(StrEnum):
    BUSINESS = "business"
    CONSUMER = "consumer"


@dataclass(frozen=True, slots=True)
class RateRow:
    """One row of a rate table: `rate_percent` is in force from `start` to `end`, inclusive."""

    start: date
    end: date
    rate_percent: Decimal
    source: str
    status: Status


@dataclass(frozen=True, slots=True)
class RateSeries:
    """A reference rate over an unbroken run of days: sorted rows, no gaps, no overlaps."""

    name: str
    rows: tuple[RateRow, ...]
    _starts: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.rows:
            raise RateTableError(f"rate table {self.name} has no rows")
        for row in self.rows:
            if row.start > row.end:
                raise RateTableError(f"rate table {self.name}: {row.start} is after {row.end}")
        for prev, row in pairwise(self.rows):
            if row.start != prev.end + _ONE_DAY:
                raise RateTableError(
                    f"rate table {self.name}: the row from {row.start} does not follow "
                    f"the row ending {prev.end} (gap, overlap or wrong order)"
                )
        object.__setattr__(self, "_starts", tuple(row.start for row in self.rows))

    @property
    def first_day(self) -> date:
        return self.rows[0].start

    @property
    def last_day(self) -> date:
        return self.rows[-1].end

    def row_on(self, day: date) -> RateRow | None:
        """The row in force on `day`, or None outside the table."""
        if day < self.first_day or day > self.last_day:
            return None
        return self.rows[bisect_right(self._starts, day) - 1]


@dataclass(frozen=True, slots=True)
class CompensationBand:
    """A fixed sum due for a late debt of at least `debt_from` and below `debt_below`."""

    debt_from: Money
    debt_below: Money | None
    amount: Money
    source: str
    status: Status

    def covers(self, debt: Money) -> bool:
        return self.debt_from <= debt and (self.debt_below is None or debt < self.debt_below)


@dataclass(frozen=True, slots=True)
class InterestRule:
    """How one jurisdiction charges interest on one kind of debtor."""

    jurisdiction: str
    debtor: Debtor
    series: RateSeries
    margin_points: Decimal
    fixing: Fixing
    compounding: Compounding
    currency: str
    compensation: tuple[CompensationBand, ...]
    source: str
    status: Status

    def __post_init__(self) -> None:
        minor_units(self.currency)  # raises for an unknown code
        _check_bands(self)

    def rate_percent(self, row: RateRow) -> Decimal:
        """The statutory rate when the reference rate is the one in `row`."""
        return row.rate_percent + self.margin_points

    def compensation_band(self, debt: Money) -> CompensationBand | None:
        for band in self.compensation:
            if band.covers(debt):
                return band
        return None


def _check_bands(rule: InterestRule) -> None:
    bands = rule.compensation
    if not bands:
        return
    name = f"{rule.jurisdiction} {rule.debtor} compensation"
    for band in bands:
        for money in (band.debt_from, band.debt_below, band.amount):
            if money is not None and money.currency != rule.currency:
                raise RateTableError(f"{name}: {money} is not in {rule.currency}")
    if bands[0].debt_from.minor != 0:
        raise RateTableError(f"{name}: the first band must start at 0")
    for prev, band in pairwise(bands):
        if prev.debt_below is None or band.debt_from != prev.debt_below:
            raise RateTableError(f"{name}: the band from {band.debt_from} does not follow on")
    if bands[-1].debt_below is not None:
        raise RateTableError(f"{name}: the last band must have no upper limit")


@dataclass(frozen=True, slots=True)
class StatutoryRules:
    """A jurisdiction's rules: always one for business debts, maybe one for consumers."""

    jurisdiction: str
    business: InterestRule
    consumer: InterestRule | None = None

    def rule(self, consumer: bool) -> InterestRule:
        if not consumer:
            return self.business
        if self.consumer is None:
            raise NoConsumerRateError(
                f"{self.jurisdiction}: the statutory late-payment rules in the tables cover "
                "business debts only; there is no consumer rate"
            )
        return self.consumer


@dataclass(frozen=True, slots=True)
class InterestPeriod:
    """Days `start`..`end` (inclusive) at one rate on one base."""

    start: date
    end: date
    days: int
    rate_percent: Decimal
    base: Fraction
    """The amount interest runs on: the principal, plus earlier years' interest when compounding."""
    exact: Fraction
    """base x rate / 100 x days / 365, unrounded."""
    interest: Money
    """`exact` rounded half-up to the minor unit: for display only."""
    source: str
    status: Status


@dataclass(frozen=True, slots=True)
class InterestResult:
    jurisdiction: str
    debtor: Debtor
    principal: Money
    due: date
    until: date
    days: int
    periods: tuple[InterestPeriod, ...]
    exact_interest: Fraction
    interest: Money
    """The sum of the periods' exact amounts, rounded once, half-up."""
    compensation: Money
    compounding: Compounding
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "interest": self.interest.to_json(),
            "compensation": self.compensation.to_json(),
            "days": self.days,
            "periods": [
                {
                    "from": p.start.isoformat(),
                    "to": p.end.isoformat(),
                    "rate_percent": str(p.rate_percent),
                    "interest": p.interest.to_json(),
                }
                for p in self.periods
            ],
        }


# --- calendar pieces -------------------------------------------------------------------


def half_year_start(day: date) -> date:
    """1 January or 1 July: the start of the half-year holding `day`."""
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def next_half_year_start(day: date) -> date:
    return date(day.year, 7, 1) if day.month <= 6 else date(day.year + 1, 1, 1)


def uk_reference_date(first_interest_day: date) -> date:
    """The 31 December or 30 June immediately before the first day of interest."""
    if first_interest_day.month <= 6:
        return date(first_interest_day.year - 1, 12, 31)
    return date(first_interest_day.year, 6, 30)


def year_of_delay_start(first_interest_day: date, years: int) -> date:
    """The first day of year `years` + 1 of delay (`years` full years after the start).

    A delay that starts on 29 February starts its later years on 1 March when the
    year has no 29 February (so the first year is 366 days long).
    """
    try:
        return first_interest_day.replace(year=first_interest_day.year + years)
    except ValueError:
        return date(first_interest_day.year + years, 3, 1)


def round_half_up(amount: Fraction, currency: str) -> Money:
    """`amount` rounded half-up (away from zero on a tie) to the currency's minor unit."""
    scaled = abs(amount) * 10 ** minor_units(currency)
    minor = int(scaled + Fraction(1, 2))  # int() truncates; scaled is not negative
    return Money(-minor if amount < 0 else minor, currency)


# --- the calculation ------------------------------------------------------------------


def late_payment(
    rules: StatutoryRules, principal: Money, due: date, until: date, *, consumer: bool = False
) -> InterestResult:
    """Statutory interest and fixed compensation on `principal`, due on `due`, up to `until`.

    `until` is the day of payment, or the as-of date for a debt still open; it counts
    as a day of interest.
    """
    return interest_on(rules.rule(consumer), principal, due, until)


def interest_on(rule: InterestRule, principal: Money, due: date, until: date) -> InterestResult:
    """Interest and compensation under one rule (see `late_payment`)."""
    if principal.currency != rule.currency:
        raise InterestError(
            f"{rule.jurisdiction}: the statutory rules apply to {rule.currency} debts "
            f"here, not {principal.currency} (no currency conversion is made)"
        )
    if principal.is_negative():
        raise InterestError(f"the principal must not be negative, not {principal}")
    days = max((until - due).days, 0)
    if days == 0:
        zero = Money.zero(rule.currency)
        return InterestResult(
            jurisdiction=rule.jurisdiction,
            debtor=rule.debtor,
            principal=principal,
            due=due,
            until=until,
            days=0,
            periods=(),
            exact_interest=Fraction(0),
            interest=zero,
            compensation=zero,
            compounding=rule.compounding,
            notes=(),
        )

    periods = _periods(rule, principal, due + _ONE_DAY, until)
    exact = sum((p.exact for p in periods), Fraction(0))
    band = rule.compensation_band(principal) if principal.minor else None
    compensation = band.amount if band is not None else Money.zero(rule.currency)
    notes = _notes(rule, periods, band)
    return InterestResult(
        jurisdiction=rule.jurisdiction,
        debtor=rule.debtor,
        principal=principal,
        due=due,
        until=until,
        days=days,
        periods=periods,
        exact_interest=exact,
        interest=round_half_up(exact, rule.currency),
        compensation=compensation,
        compounding=rule.compounding,
        notes=notes,
    )


def _periods(
    rule: InterestRule, principal: Money, first: date, last: date
) -> tuple[InterestPeriod, ...]:
    fixed = _fixed_row(rule, first) if rule.fixing is Fixing.PER_DEBT else None
    base = Fraction(principal.amount)
    this_year = Fraction(0)  # interest of the current year of delay, not yet in the base
    years = 1
    next_year = year_of_delay_start(first, years)
    periods: list[InterestPeriod] = []
    cursor = first
    while cursor <= last:
        if rule.compounding is Compounding.YEARLY and cursor == next_year:
            base += this_year
            this_year = Fraction(0)
            years += 1
            next_year = year_of_delay_start(first, years)
        end = last
        if rule.compounding is Compounding.YEARLY:
            end = min(end, next_year - _ONE_DAY)
        if fixed is None:
            row = _half_year_row(rule, cursor)
            end = min(end, next_half_year_start(cursor) - _ONE_DAY)
        else:
            row = fixed
        days = (end - cursor).days + 1
        rate = rule.rate_percent(row)
        exact = base * Fraction(rate) * days / (100 * DAYS_IN_YEAR)
        this_year += exact
        periods.append(
            InterestPeriod(
                start=cursor,
                end=end,
                days=days,
                rate_percent=rate,
                base=base,
                exact=exact,
                interest=round_half_up(exact, rule.currency),
                source=row.source,
                status=row.status,
            )
        )
        cursor = end + _ONE_DAY
    return tuple(periods)


def _fixed_row(rule: InterestRule, first: date) -> RateRow:
    reference = uk_reference_date(first)
    row = rule.series.row_on(reference)
    if row is None:
        raise OutsideTableError(
            f"{rule.jurisdiction}: interest starting on {first} takes the rate in force on "
            f"{reference}, which the {rule.series.name} table (from {rule.series.first_day} "
            f"to {rule.series.last_day}) does not hold; interest can start between "
            f"{_first_per_debt_start(rule)} and {_last_per_debt_start(rule)}"
        )
    return row


def _half_year_row(rule: InterestRule, day: date) -> RateRow:
    fixing = half_year_start(day)
    row = rule.series.row_on(fixing)
    if row is None:
        first, last = _half_year_window(rule)
        raise OutsideTableError(
            f"{rule.jurisdiction}: no rate for the half-year from {fixing}: the "
            f"{rule.series.name} table runs from {rule.series.first_day} to "
            f"{rule.series.last_day}, so interest can be worked out for days from "
            f"{first} to {last}"
        )
    return row


def _half_year_window(rule: InterestRule) -> tuple[date, date]:
    """The first and last day whose half-year rate the table fixes."""
    series = rule.series
    first = half_year_start(series.first_day)
    if first < series.first_day:
        first = next_half_year_start(series.first_day)
    last = next_half_year_start(series.last_day) - _ONE_DAY
    return first, last


def _first_per_debt_start(rule: InterestRule) -> date:
    day = rule.series.first_day
    candidates = (date(day.year, 6, 30), date(day.year, 12, 31), date(day.year + 1, 6, 30))
    reference = min(c for c in candidates if c >= day)
    return reference + _ONE_DAY


def _last_per_debt_start(rule: InterestRule) -> date:
    day = rule.series.last_day
    candidates = (date(day.year - 1, 12, 31), date(day.year, 6, 30), date(day.year, 12, 31))
    reference = max(c for c in candidates if c <= day)
    return next_half_year_start(reference + _ONE_DAY) - _ONE_DAY


def _notes(
    rule: InterestRule, periods: tuple[InterestPeriod, ...], band: CompensationBand | None
) -> tuple[str, ...]:
    notes: list[str] = []
    if rule.fixing is Fixing.PER_DEBT and periods:
        first = periods[0]
        reference = uk_reference_date(first.start)
        row = rule.series.row_on(reference)
        basis = f"{row.rate_percent}% " if row is not None else ""
        notes.append(
            f"rate fixed for the life of the debt: {first.rate_percent}% = reference rate "
            f"{basis}on {reference} + {rule.margin_points} points"
        )
    if rule.compounding is Compounding.YEARLY and len({p.base for p in periods}) > 1:
        notes.append("interest compounded: each full year's interest was added to the base")
    if rule.status is not Status.VERIFIED:
        notes.append(f"the rule itself is {rule.status} ({rule.source})")
    for p in periods:
        if p.status is not Status.VERIFIED:
            notes.append(
                f"rate {p.rate_percent}% for {p.start}..{p.end} rests on a {p.status} "
                f"table row ({p.source})"
            )
    if band is not None and band.status is not Status.VERIFIED:
        notes.append(f"compensation {band.amount} is {band.status} ({band.source})")
    return tuple(dict.fromkeys(notes))
