"""What a case is and what the plan makes of it: the values `recoup.domain.collection`
reads and returns. Kept apart from the rule itself so that each module stays readable;
`collection` re-exports every name.

- `CaseFacts`: everything the planning rule reads of a case; frozen and hashable, and
  two cases with equal facts are decided alike, so the facts are their own cache key
  (`recoup.domain.shared_plans`).
- `OpenSummary`: a case's figures (how many invoices, the balance, the overdue part,
  the oldest invoice's number, every number): what goes into the texts and amounts of
  its actions (`collection.fill`), not into the deciding.
- `CaseInput`: a whole case as a caller has it (its open invoices, or their summary,
  and the customer's facts); `facts` and `figures` split it.
- `CaseShape` / `ActionShape`: the decision before the figures are in, its texts
  templates (`NUMBER`, `BALANCE`, `OVERDUE`, `COUNT` are their fields); `CasePlan` /
  `PlannedAction`: the decision with them.
"""

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


class CaseFacts(NamedTuple):
    """What the planning rule (`collection.shape`) reads of a case with something open,
    and nothing else: two cases with equal facts get the same decision on a day under a
    plan, so a `CaseFacts` is the key that decision is kept under.

    `balance` (minor units) decides only which of the plan's amounts it lies between:
    a caller that wants cases to share decisions gives every balance of one stretch as
    the same figure (`SharedPlans.balance_floor`); `overdue` is whether any of it is past
    due (it matters only to a stage that charges a share of the overdue part). `tags`
    and `kind` likewise may be given as far as the plan tells them apart. `invoices`
    only for a plan that charges interest (worked out invoice by invoice). A named
    tuple: immutable, and made and hashed for every case of a run at C speed."""

    currency: str
    balance: int
    overdue: bool
    oldest_due: date
    debtor: Debtor  # country, time zone, past contacts, holds
    tags: tuple[str, ...] = ()
    kind: PayerKind = PayerKind.UNKNOWN
    done: tuple[tuple[str, date], ...] = ()  # stages (and recommendations) done this cycle
    broken_promises: int = 0
    limitation: date | None = None  # the day the oldest open invoice is time-barred
    limitation_basis: str = ""  # the jurisdiction's rule, in words, for the notes
    interest: InterestTerms | None = None  # None: the plan charges no interest
    interest_charged: int = 0  # minor units of interest charged so far this cycle
    compensated: frozenset[str] = frozenset()  # invoices that had the compensation
    invoices: tuple[OpenInvoice, ...] = ()  # for interest only


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

    def figures(self, as_of: date) -> OpenSummary | None:
        """The case's figures (None when nothing is open)."""
        return self.summary if self.summary is not None else summarize(self.invoices, as_of)

    def facts(self, figures: OpenSummary) -> CaseFacts:
        """What the planning rule reads of this case, whose figures these are."""
        if self.interest is not None and not self.invoices:
            raise ValueError("a plan that charges interest needs the invoices, not a summary")
        return CaseFacts(
            self.currency,
            figures.balance,
            figures.overdue > 0,
            figures.oldest_due,
            self.debtor,
            self.tags,
            self.kind,
            self.done,
            self.broken_promises,
            self.limitation,
            self.limitation_basis,
            self.interest,
            self.interest_charged,
            self.compensated,
            self.invoices if self.interest is not None else (),
        )


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


# A shape's texts are templates (`str.format`): these fields take the case's own
# figures (`collection.fill`); any other text goes in through `literal`.
NUMBER = "{number}"  # the oldest open invoice's number
BALANCE = "{balance}"  # the balance
OVERDUE = "{overdue}"  # the part overdue
COUNT = "{count}"  # how many invoices are open


def literal(text: object) -> str:
    """`text` as a part of a template that reads as it is (its braces doubled)."""
    return str(text).replace("{", "{{").replace("}", "}}")


@dataclass(frozen=True, slots=True)
class ActionShape:
    """A planned action before the case's own figures are in (`fill`): `amount` None
    is the case's balance, `invoices` None its open invoices, `percent` a fee of that
    share of the overdue part; `reason` is a template: NUMBER, BALANCE and OVERDUE
    where the figures go."""

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
    same facts have the same shape (`recoup.domain.shared_plans`). `next_review` is
    the first day on which something changes by itself (None: nothing does), before
    the safety net; the notes are templates (COUNT, BALANCE and NUMBER), the skipped
    texts plain."""

    actions: tuple[ActionShape, ...] = ()
    skipped: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    next_review: date | None = None
    upcoming: tuple[tuple[str, date], ...] = ()
