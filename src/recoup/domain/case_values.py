"""What a case is and what the plan makes of it: the values `recoup.domain.collection`
reads (a case's open invoices, or their summary) and returns (planned actions, a plan,
and the shape of a plan before a case's own figures are in). Kept apart from the rule
itself so that each module stays readable; `collection` re-exports every name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from recoup.domain.accrual import InterestTerms
from recoup.domain.contact_rules import Debtor
from recoup.domain.money import Money
from recoup.domain.priority import PayerKind

_DUE_THEN_NUMBER = itemgetter(1, 0)  # an OpenInvoice's (due date, number)


class OpenInvoice(NamedTuple):
    """An invoice open at the as-of date: its number, due date and open amount (in minor
    units of `currency`). A named tuple, not a dataclass: a run makes one per open invoice
    of the book, and this is the cheapest immutable record Python has."""

    number: str
    due_date: date
    minor: int
    currency: str

    @property
    def open(self) -> Money:
        return Money(self.minor, self.currency)


NUMBER_SEPARATOR = "\x1f"  # between invoice numbers in `OpenSummary.numbers_text`


class OpenSummary(NamedTuple):
    """What the plan needs of a case's open invoices when it charges no interest: how
    many, the balance, the part due before the as-of date (minor units), the oldest one
    (by due date, then number) and every number, joined by `NUMBER_SEPARATOR` (sorted
    only when an action lists them). The daily run has the database add these up
    instead of reading every open invoice; `summarize` makes the same from the
    invoices, and a property test holds the two ways of planning equal."""

    invoice_count: int
    balance: int
    overdue: int
    oldest_due: date
    oldest_number: str
    numbers_text: str
    # False: a summary without `oldest_number` and `numbers_text` (left empty), and with
    # `overdue` only when a stage charges a share of it (else 0): what the figures of
    # actions need, not the deciding (`shape`); `fill` refuses to make actions from it
    detailed: bool = True

    def numbers(self) -> tuple[str, ...]:
        return tuple(sorted(self.numbers_text.split(NUMBER_SEPARATOR)))


def summarize(invoices: Sequence[OpenInvoice], as_of: date) -> OpenSummary | None:
    """The summary of these open invoices at `as_of` (None when there are none)."""
    if not invoices:
        return None
    oldest = min(invoices, key=_DUE_THEN_NUMBER)
    return OpenSummary(
        len(invoices),
        sum(i.minor for i in invoices),
        sum(i.minor for i in invoices if i.due_date < as_of),
        oldest.due_date,
        oldest.number,
        NUMBER_SEPARATOR.join(i.number for i in invoices),
    )


@dataclass(frozen=True, slots=True)
class CaseInput:
    customer: str
    currency: str
    invoices: tuple[OpenInvoice, ...]  # open at the as-of date, any order
    debtor: Debtor  # country, time zone, past contacts, holds
    tags: tuple[str, ...] = ()
    kind: PayerKind = PayerKind.UNKNOWN
    cycle_start: date | None = None  # None: no cycle yet
    done: tuple[tuple[str, date], ...] = ()  # stages (and recommendations) done this cycle
    broken_promises: int = 0
    limitation: date | None = None  # the day the oldest open invoice is time-barred
    limitation_basis: str = ""  # the jurisdiction's rule, in words, for the notes
    interest: InterestTerms | None = None  # None: the plan charges no interest
    interest_charged: int = 0  # minor units of interest charged so far this cycle
    # invoices that had the statutory compensation in this cycle (read only for a plan
    # that charges it)
    compensated: frozenset[str] = frozenset()
    # given instead of `invoices` (left empty) when the plan charges no interest: the
    # daily run's cheaper read (see `OpenSummary`)
    summary: OpenSummary | None = None


@dataclass(frozen=True, slots=True)
class PlannedAction:
    kind: str  # email | letter | call | fee | escalate | write_off_recommendation
    stage: str
    invoices: tuple[str, ...]
    amount: Money
    template: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class CasePlan:
    actions: tuple[PlannedAction, ...] = ()
    skipped: tuple[str, ...] = ()  # why something due was not done today
    notes: tuple[str, ...] = ()  # what was looked at, for `explain`
    cycle_start: date | None = None
    next_review: date | None = None
    upcoming: tuple[tuple[str, date], ...] = field(default=())  # stage, earliest day


# Where a shape's texts take the case's own figures (`fill`); no text of a plan or a
# policy holds these characters.
NUMBER = "\x00number\x00"  # the oldest open invoice's number
BALANCE = "\x00balance\x00"  # the balance
OVERDUE = "\x00overdue\x00"  # the part overdue
COUNT = "\x00count\x00"  # how many invoices are open


@dataclass(frozen=True, slots=True)
class ActionShape:
    """A planned action before the case's own figures are in (`fill`): `amount` None
    is the case's balance, `invoices` None its open invoices, `percent` a fee of that
    share of the overdue part; `reason` holds NUMBER, BALANCE and OVERDUE where the
    figures go."""

    kind: str
    stage: str
    template: str | None
    reason: str
    amount: Money | None = None
    invoices: tuple[str, ...] | None = None
    percent: Decimal | None = None


@dataclass(frozen=True, slots=True)
class CaseShape:
    """What the plan decides for a case, before its own figures are in: cases in the
    same situation have the same shape (`recoup.domain.shared_plans`). `next_review` is
    the first day on which something changes by itself (None: nothing does), before
    the safety net; the notes hold COUNT, BALANCE and NUMBER."""

    actions: tuple[ActionShape, ...] = ()
    skipped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    next_review: date | None = None
    upcoming: tuple[tuple[str, date], ...] = ()
