"""Interest and compensation the daily run charges on a case's overdue invoices.

The plan says whether interest runs (`[fees] interest`): contractual (a yearly rate,
simple, from the day after the due date plus any grace days) or statutory (the
jurisdiction's rules, `recoup.domain.interest`). The run charges it when a stage sends a
message (email or letter), so that the message can show it apart from the principal:

- interest accrued on each overdue invoice up to and including the as-of date, on the
  amount open now, each invoice rounded once, half-up, to the minor unit;
- minus what was already charged in this cycle: each charge is the increment since the
  last one, so the charges of a cycle always add up to the interest accrued so far;
- statutory compensation (e.g. EUR 40 per late invoice, `compensation = true`) once per
  invoice and cycle: at a stage that charges, for each invoice past due that has not
  had it in this cycle (so an invoice that falls due later in the cycle has it at the
  next stage that charges). The stage that charges it is the message stage's name with
  `COMPENSATION_SUFFIX`.

Simplification (documented in the plan's docs): interest runs on the amount open on the
as-of date for the whole period; a part payment made along the way is not split out.
Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from recoup.domain.currencies import minor_units
from recoup.domain.interest import InterestError, InterestRule, interest_on, round_half_up
from recoup.domain.money import Money

_YEAR = 365
COMPENSATION_SUFFIX = ":compensation"  # a compensation charge's stage: "<stage>:compensation"


@dataclass(frozen=True, slots=True)
class InterestTerms:
    """How interest runs for a case: a contractual rate, or a statutory rule."""

    rate_percent: Decimal | None = None  # contractual: yearly, simple
    grace_days: int = 0  # contractual: interest starts this many days after the due date
    rule: InterestRule | None = None  # statutory (for this kind of debtor)
    compensation: bool = False  # statutory: also the fixed compensation per invoice

    def describe(self) -> str:
        if self.rule is not None:
            return f"statutory interest ({self.rule.jurisdiction}, {self.rule.source})"
        grace = f", from {self.grace_days} days after the due date" if self.grace_days else ""
        return f"contractual interest at {self.rate_percent}% a year, simple{grace}"


@dataclass(frozen=True, slots=True)
class Accrued:
    interest: Money  # accrued to date on the overdue invoices
    per_invoice: tuple[tuple[str, Money], ...]
    compensation: Money  # the fixed sums for the invoices given
    notes: tuple[str, ...] = ()
    compensated: tuple[tuple[str, Money], ...] = ()  # each invoice's fixed sum, in that total


def contractual_interest(open_amount: Money, due: date, as_of: date, terms: InterestTerms) -> Money:
    """Simple interest at the contractual rate, actual days / 365, from the day after the
    due date (plus grace) up to and including `as_of`, rounded once half-up."""
    assert terms.rate_percent is not None
    start = due + timedelta(days=terms.grace_days)
    days = max((as_of - start).days, 0)
    exact = (
        Fraction(open_amount.minor)
        * Fraction(terms.rate_percent)
        / 100
        * days
        / _YEAR
        / 10 ** minor_units(open_amount.currency)
    )
    return round_half_up(exact, open_amount.currency)


def accrue(
    invoices: Iterable[tuple[str, date, Money]],
    as_of: date,
    terms: InterestTerms,
    compensate: Iterable[str] = (),
) -> Accrued | None:
    """Interest accrued to `as_of` on (number, due, open) invoices past due, and the
    compensation for the invoice numbers in `compensate`; None when none is past due."""
    wanted = set(compensate)
    items = [(n, due, amount) for n, due, amount in invoices if due < as_of and amount.minor > 0]
    currency = next((a.currency for _n, _d, a in items), None)
    if currency is None:
        return None
    per: list[tuple[str, Money]] = []
    comp = Money.zero(currency)
    compensated: list[tuple[str, Money]] = []
    notes: list[str] = []
    for number, due, amount in items:
        if terms.rule is not None:
            try:
                result = interest_on(terms.rule, amount, due, as_of)
            except InterestError as err:
                notes.append(f"no statutory interest on invoice {number}: {err}")
                continue
            per.append((number, result.interest))
            if terms.compensation and number in wanted and result.compensation.minor:
                comp = comp + result.compensation
                compensated.append((number, result.compensation))
        elif terms.rate_percent is not None:
            per.append((number, contractual_interest(amount, due, as_of, terms)))
    total = Money(sum(m.minor for _n, m in per), currency)
    return Accrued(total, tuple(per), comp, tuple(notes), tuple(compensated))


def compensation_words(compensated: Sequence[tuple[str, Money]]) -> str:
    """A compensation charge in words, made from the figures it charges (invoice number,
    sum): "80.00 EUR compensation for 2 late invoices (INV-1, INV-2), 40.00 EUR each"."""
    if not compensated:
        return "no compensation"
    total = Money.zero(compensated[0][1].currency)
    for _number, amount in compensated:
        total = total + amount
    if len(compensated) == 1:
        return f"{total} compensation for 1 late invoice ({compensated[0][0]})"
    head = f"{total} compensation for {len(compensated)} late invoices"
    if len({amount for _number, amount in compensated}) == 1:
        numbers = ", ".join(number for number, _amount in compensated)
        return f"{head} ({numbers}), {compensated[0][1]} each"
    return f"{head} ({', '.join(f'{n}: {m}' for n, m in compensated)})"
