"""An account's state on a day: the one definition of what a customer owes.

Everything that shows what an account owes (the account page, `recoup account`, the
customer list, messages and letters, the court case file, aging) reads this, or is held
to it by the tests. Per currency, on the as-of day:

- **open principal** per invoice: the invoice's amount less what payments and credit
  notes applied to it by that day (`recoup.domain.allocation`), with the part under an
  open dispute;
- **charges** (fees, statutory compensation, interest the daily run charged up to that
  day) and what paid them by then: payments pay costs and interest before the
  principal where the plan's order says so (`recoup.domain.charges`);
- **unapplied money**: payments on account and credit notes not (yet) used, dated by
  that day;
- the **balance**: open principal + open charges - unapplied money.

How the day is read: the book's documents are settled all together, exactly as the
store settles them (`settle`, which `recoup.services.allocation_sync` also runs), and
the state keeps what is dated on or before the day: invoices issued, credits dated,
charges made, allocations and charge payments dated by then. So an account read on a
past day agrees with the store's point-in-time reading (`recoup.store.point_in_time`),
which keeps the allocations dated by that day.

What a court is asked for is read from this too (`recoup.domain.claim`). Pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from recoup.domain.accrual import COMPENSATION_SUFFIX
from recoup.domain.allocation import Allocation, allocate
from recoup.domain.charges import Charge, ChargePaid, pay_from_rest, take_before_principal
from recoup.domain.ledger import Credit, CreditKind, Invoice
from recoup.domain.money import Money
from recoup.domain.policy import Part


class ChargeKind(StrEnum):
    FEE = "fee"
    COMPENSATION = "compensation"  # the statutory fixed sum per late invoice
    INTEREST = "interest"


def charge_kind(action_kind: str, stage: str) -> ChargeKind:
    """What a fee or interest action of the daily run charged."""
    if action_kind == "interest":
        return ChargeKind.INTEREST
    if stage.endswith(COMPENSATION_SUFFIX):
        return ChargeKind.COMPENSATION
    return ChargeKind.FEE


@dataclass(frozen=True, slots=True)
class Charged:
    """A fee, compensation or interest charge (a fee or interest action of the run)."""

    key: str  # "a:<action id>"
    kind: ChargeKind
    on: date
    amount: Money
    cycle: date | None = None  # the cycle of the case it was charged in
    invoices: tuple[str, ...] = ()
    stage: str = ""

    @property
    def part(self) -> Part:
        return Part.INTEREST if self.kind is ChargeKind.INTEREST else Part.COSTS


# --- settling: payments and credit notes against charges and invoices -----------------


@dataclass(frozen=True, slots=True)
class Settlement:
    allocations: tuple[Allocation, ...]
    charges_paid: tuple[ChargePaid, ...]
    unapplied: dict[str, Money]  # credit key -> what neither invoices nor charges took


def settle(
    invoices: Iterable[Invoice],
    credits: Iterable[Credit],
    charges: Sequence[Charge],
    order: Sequence[Part],
) -> Settlement:
    """Apply the credits: the charges before the principal in `order` out of each
    payment first, then the invoices (`allocate`), then the charges after the principal
    from what payments left (`recoup.domain.charges`)."""
    credits = list(credits)
    taken: list[ChargePaid] = []
    rest_credits = credits
    if charges:
        rest_credits, taken = take_before_principal(credits, charges, order)
    result = allocate(invoices, rest_credits)
    unapplied = {k: m for k, m in result.unapplied.items() if m.minor}
    if charges:
        payments = {c.key for c in credits if c.kind is CreditKind.PAYMENT}
        dates = {c.key: c.date for c in rest_credits}
        dates.update({t.credit: t.on for t in taken})
        rest = {k: m for k, m in unapplied.items() if k in payments}
        after = pay_from_rest(rest, dates, charges, taken, order)
        for t in after:
            left = unapplied[t.credit].minor - t.amount.minor
            unapplied[t.credit] = Money(left, t.amount.currency)
        taken += after
        unapplied = {k: m for k, m in unapplied.items() if m.minor}
    return Settlement(result.allocations, tuple(taken), unapplied)


# --- the state on a day ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceState:
    number: str
    issue_date: date
    due_date: date
    amount: Money
    paid: Money  # applied by payments and credit notes by the day
    disputed: Money  # of the open part, under an open dispute
    first_paid_on: date | None
    settled_on: date | None  # paid in full by the day

    @property
    def open(self) -> Money:
        return self.amount - self.paid

    def days_past_due(self, as_of: date) -> int:
        return (as_of - self.due_date).days

    def overdue(self, as_of: date) -> bool:
        return self.open.minor > 0 and self.due_date < as_of

    @property
    def status(self) -> str:
        if self.open.minor == 0:
            return "paid"
        return "partial" if self.paid.minor else "open"


@dataclass(frozen=True, slots=True)
class ChargePayment:
    credit: str  # the payment's key
    amount: Money
    on: date


@dataclass(frozen=True, slots=True)
class ChargeState:
    charge: Charged
    paid_by: tuple[ChargePayment, ...]  # dated by the day

    @property
    def paid(self) -> Money:
        total = Money.zero(self.charge.amount.currency)
        for p in self.paid_by:
            total = total + p.amount
        return total

    @property
    def open(self) -> Money:
        return self.charge.amount - self.paid


@dataclass(frozen=True, slots=True)
class CreditState:
    """A payment or credit note dated by the day, and what of it was used by then."""

    key: str
    kind: CreditKind
    on: date
    amount: Money
    to_invoices: Money
    to_charges: Money
    invoice: str | None = None  # the invoice it names
    reference: str = ""

    @property
    def unapplied(self) -> Money:
        return self.amount - self.to_invoices - self.to_charges


@dataclass(frozen=True, slots=True)
class CurrencyState:
    currency: str
    as_of: date
    invoices: tuple[InvoiceState, ...]  # issued by the day, oldest due first
    charges: tuple[ChargeState, ...]  # made by the day, oldest first
    credits: tuple[CreditState, ...]  # dated by the day, oldest first

    def _sum(self, items: Iterable[Money]) -> Money:
        total = Money.zero(self.currency)
        for m in items:
            total = total + m
        return total

    @property
    def open_invoices(self) -> tuple[InvoiceState, ...]:
        return tuple(i for i in self.invoices if i.open.minor > 0)

    @property
    def principal(self) -> Money:
        """Open principal: what the invoices still owe."""
        return self._sum(i.open for i in self.invoices)

    @property
    def overdue(self) -> Money:
        return self._sum(i.open for i in self.invoices if i.overdue(self.as_of))

    @property
    def disputed(self) -> Money:
        return self._sum(i.disputed for i in self.invoices)

    def charges_open(self, kind: ChargeKind | None = None) -> Money:
        return self._sum(c.open for c in self.charges if kind is None or c.charge.kind is kind)

    def charges_paid(self, kind: ChargeKind | None = None) -> Money:
        return self._sum(c.paid for c in self.charges if kind is None or c.charge.kind is kind)

    @property
    def unapplied(self) -> Money:
        """Payments on account and credit notes not used by the day."""
        return self._sum(c.unapplied for c in self.credits)

    @property
    def balance(self) -> Money:
        """What the customer owes in this currency: open principal and open charges,
        less money on account."""
        return self.principal + self.charges_open() - self.unapplied

    @property
    def oldest_due(self) -> date | None:
        dues = [i.due_date for i in self.invoices if i.open.minor > 0]
        return min(dues) if dues else None


@dataclass(frozen=True, slots=True)
class AccountState:
    as_of: date
    currencies: tuple[CurrencyState, ...]  # by currency code

    def of(self, currency: str) -> CurrencyState | None:
        return next((c for c in self.currencies if c.currency == currency), None)

    @property
    def balances(self) -> tuple[Money, ...]:
        return tuple(c.balance for c in self.currencies)


def account_state(
    invoices: Iterable[Invoice],
    credits: Iterable[Credit],
    charges: Iterable[Charged],
    order: Sequence[Part],
    as_of: date,
    disputed: Mapping[str, int] | None = None,
) -> AccountState:
    """The account on `as_of` from all its documents (later ones included: they are
    settled with the rest, as the store settles them, and then left out).

    `invoices` are invoices only (credit notes come as credits); `disputed` maps an
    invoice number to the minor units under open dispute on `as_of`."""
    invoices = list(invoices)
    credits = list(credits)
    charged = list(charges)
    settled = settle(
        invoices, credits, [Charge(c.key, c.part, c.on, c.amount) for c in charged], order
    )
    applied: dict[str, int] = defaultdict(int)
    first: dict[str, date] = {}
    last: dict[str, date] = {}
    by_credit: dict[str, int] = defaultdict(int)
    for a in settled.allocations:
        if a.date > as_of:
            continue
        applied[a.invoice] += a.amount.minor
        by_credit[a.credit] += a.amount.minor
        first[a.invoice] = min(first.get(a.invoice, a.date), a.date)
        last[a.invoice] = max(last.get(a.invoice, a.date), a.date)
    paid_by: dict[str, list[ChargePayment]] = defaultdict(list)
    to_charges: dict[str, int] = defaultdict(int)
    for t in settled.charges_paid:
        if t.on > as_of:
            continue
        paid_by[t.charge].append(ChargePayment(t.credit, t.amount, t.on))
        to_charges[t.credit] += t.amount.minor
    disputed = disputed or {}
    out: dict[str, tuple[list[InvoiceState], list[ChargeState], list[CreditState]]] = {}

    def bucket(currency: str) -> tuple[list[InvoiceState], list[ChargeState], list[CreditState]]:
        return out.setdefault(currency, ([], [], []))

    for inv in sorted(invoices, key=lambda i: (i.due_date, i.issue_date, i.number)):
        if inv.issue_date > as_of:
            continue
        cur = inv.amount.currency
        paid = applied.get(inv.number, 0)
        left = inv.amount.minor - paid
        bucket(cur)[0].append(
            InvoiceState(
                inv.number,
                inv.issue_date,
                inv.due_date,
                inv.amount,
                Money(paid, cur),
                Money(min(max(disputed.get(inv.number, 0), 0), left), cur),
                first.get(inv.number),
                last.get(inv.number, inv.issue_date) if left == 0 else None,
            )
        )
    for ch in sorted(charged, key=lambda c: (c.on, c.key)):
        if ch.on <= as_of:
            bucket(ch.amount.currency)[1].append(ChargeState(ch, tuple(paid_by.get(ch.key, ()))))
    for cr in sorted(credits, key=lambda c: (c.date, c.key)):
        if cr.date > as_of:
            continue
        cur = cr.amount.currency
        bucket(cur)[2].append(
            CreditState(
                cr.key,
                cr.kind,
                cr.date,
                cr.amount,
                Money(by_credit.get(cr.key, 0), cur),
                Money(to_charges.get(cr.key, 0), cur),
                cr.invoice,
                cr.reference,
            )
        )
    return AccountState(
        as_of,
        tuple(
            CurrencyState(cur, as_of, tuple(i), tuple(c), tuple(k))
            for cur, (i, c, k) in sorted(out.items())
        ),
    )
