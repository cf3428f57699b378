"""Days sales outstanding and payment behaviour.

- Standard DSO = receivable at the as-of date / credit sales invoiced in the window
  x window days. The window is the `window_days` days ending on the as-of date.
- Countback DSO walks back from the as-of date one period at a time (calendar months,
  see `dates.month_periods_back`), using up the receivable against each period's sales;
  it is the whole days of the periods used up plus the part of the last one, in
  proportion to its sales.
- Average days to pay: settled date minus issue date, averaged over settled invoices.
- Average days late: settled date minus due date, floored at zero, averaged likewise.

Results are Decimals rounded half-up to two places.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")


def _q(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, ROUND_HALF_UP)


def standard_dso(
    receivable_minor: int, credit_sales_minor: int, window_days: int
) -> Decimal | None:
    """Standard DSO, or None when nothing was sold in the window."""
    if window_days <= 0:
        raise ValueError("the window must be at least one day")
    if credit_sales_minor <= 0:
        return None
    return _q(Decimal(receivable_minor) / Decimal(credit_sales_minor) * window_days)


@dataclass(frozen=True, slots=True)
class SalesPeriod:
    start: date
    end: date
    sales_minor: int

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def countback_dso(receivable_minor: int, periods: Sequence[SalesPeriod]) -> Decimal | None:
    """Countback DSO over `periods` (newest first); None if the receivable outlasts them."""
    if receivable_minor <= 0:
        return Decimal("0.00")
    left = Decimal(receivable_minor)
    days = Decimal(0)
    for period in periods:
        sales = Decimal(period.sales_minor)
        if left <= sales:
            return _q(days + left / sales * period.days)
        left -= sales
        days += period.days
    return None


@dataclass(frozen=True, slots=True)
class Settled:
    issue_date: date
    due_date: date
    settled_on: date


@dataclass(frozen=True, slots=True)
class PaymentBehaviour:
    settled_count: int
    average_days_to_pay: Decimal | None
    average_days_late: Decimal | None
    late_count: int


def payment_behaviour(settled: Iterable[Settled]) -> PaymentBehaviour:
    count = late = to_pay = days_late = 0
    for s in settled:
        count += 1
        to_pay += (s.settled_on - s.issue_date).days
        lateness = max(0, (s.settled_on - s.due_date).days)
        days_late += lateness
        late += lateness > 0
    if count == 0:
        return PaymentBehaviour(0, None, None, 0)
    return PaymentBehaviour(
        count, _q(Decimal(to_pay) / count), _q(Decimal(days_late) / count), late
    )
