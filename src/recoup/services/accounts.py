"""The customer list and one customer's account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from recoup.domain.account_state import AccountState, CurrencyState
from recoup.domain.aging import DEFAULT_BUCKETS, days_past_due
from recoup.domain.dso import PaymentBehaviour, Settled, payment_behaviour
from recoup.domain.money import Money
from recoup.services import account_state
from recoup.services.book import Book
from recoup.services.errors import NotFoundError
from recoup.services.reports import CurrencyAging, state_aging
from recoup.store import ledger_repo, point_in_time, report_repo

__all__ = [
    "Account",
    "CurrencyFigures",
    "CustomerLine",
    "CustomerPage",
    "InvoiceLine",
    "NotFoundError",
    "account",
    "list_customers",
]

SORTS = ("name", "key", "balance", "overdue", "oldest")


@dataclass(frozen=True)
class CurrencyFigures:
    """A listed customer's figures in one currency (from its account's state)."""

    currency: str
    balance: Money  # open principal and charges less money on account
    overdue: Money  # principal past due
    open_count: int
    oldest_due: date | None

    def to_json(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "balance": self.balance.to_json(),
            "overdue": self.overdue.to_json(),
            "open_invoices": self.open_count,
            "oldest_due": self.oldest_due.isoformat() if self.oldest_due else None,
        }


@dataclass(frozen=True)
class CustomerLine:
    """A customer on the list: one figure per currency, never added across currencies."""

    key: str
    name: str
    country: str
    figures: tuple[CurrencyFigures, ...]  # by currency code; empty: nothing owed or held

    @property
    def currency(self) -> str | None:
        """The first currency (the one the list sorts amounts by)."""
        return self.figures[0].currency if self.figures else None

    @property
    def balance_minor(self) -> int:
        return self.figures[0].balance.minor if self.figures else 0

    @property
    def overdue_minor(self) -> int:
        return self.figures[0].overdue.minor if self.figures else 0

    @property
    def open_count(self) -> int:
        return sum(f.open_count for f in self.figures)

    @property
    def oldest_due(self) -> date | None:
        dues = [f.oldest_due for f in self.figures if f.oldest_due is not None]
        return min(dues) if dues else None


@dataclass(frozen=True)
class CustomerPage:
    total: int
    page: int
    per_page: int
    lines: list[CustomerLine]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "customers": [line_json(c) for c in self.lines],
        }


def line_json(c: CustomerLine) -> dict[str, Any]:
    """A line as JSON: `balances` holds every currency's figures; `currency`, `balance`
    and `overdue` are the first currency's (the one the list sorts by)."""
    cur = c.currency
    return {
        "customer": c.key,
        "name": c.name,
        "country": c.country,
        "currency": cur,
        "balance": Money(c.balance_minor, cur).to_json() if cur else "0",
        "overdue": Money(c.overdue_minor, cur).to_json() if cur else "0",
        "open_invoices": c.open_count,
        "oldest_due": c.oldest_due.isoformat() if c.oldest_due else None,
        "balances": [f.to_json() for f in c.figures],
    }


def list_customers(
    book: Book,
    today: date,
    search: str = "",
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    per_page: int = 50,
) -> CustomerPage:
    """One page of customers with what each owes on `today`, per currency: the figures
    of each one's account state (`services.account_state`)."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; choose one of {', '.join(SORTS)}")
    page = max(1, page)
    per_page = min(max(1, per_page), 500)
    with book.read() as conn:
        past = point_in_time.moved_past(conn, today)
        total, listed = report_repo.customer_page(
            conn, today, search.strip(), sort, descending, per_page, (page - 1) * per_page, past
        )
        states = account_state.read_states(conn, [c.id for c in listed], today)
    lines = [CustomerLine(c.key, c.name, c.country, listed_figures(states[c.id])) for c in listed]
    return CustomerPage(total, page, per_page, lines)


def listed_figures(state: AccountState) -> tuple[CurrencyFigures, ...]:
    """The currencies an account has something in on its day (open invoices, or a
    balance of open charges or money on account), each with its own figures."""
    out = []
    for cs in state.currencies:
        count = len(cs.open_invoices)
        if count or cs.balance.minor:
            out.append(CurrencyFigures(cs.currency, cs.balance, cs.overdue, count, cs.oldest_due))
    return tuple(out)


@dataclass(frozen=True)
class InvoiceLine:
    number: str
    kind: str
    issue_date: date
    due_date: date
    amount: Money
    tax: Money | None
    open: Money
    status: str
    days_past_due: int
    settled_on: date | None
    reference: str

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "kind": self.kind,
            "issue_date": self.issue_date.isoformat(),
            "due_date": self.due_date.isoformat(),
            "currency": self.amount.currency,
            "amount": self.amount.to_json(),
            "tax": self.tax.to_json() if self.tax else None,
            "open": self.open.to_json(),
            "status": self.status,
            "days_past_due": self.days_past_due,
            "settled_on": self.settled_on.isoformat() if self.settled_on else None,
            "reference": self.reference,
        }


@dataclass(frozen=True)
class PaymentLine:
    date: date
    amount: Money
    method: str
    reference: str
    invoice: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "currency": self.amount.currency,
            "amount": self.amount.to_json(),
            "method": self.method,
            "reference": self.reference,
            "invoice": self.invoice,
        }


@dataclass(frozen=True)
class ChargeLine:
    """A fee, compensation or interest charge of the collection plan, and what paid it."""

    on: date
    kind: str  # fee | compensation | interest
    stage: str
    invoices: tuple[str, ...]
    amount: Money
    paid: Money
    open: Money

    def to_json(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "kind": self.kind,
            "stage": self.stage,
            "invoices": list(self.invoices),
            "currency": self.amount.currency,
            "amount": self.amount.to_json(),
            "paid": self.paid.to_json(),
            "open": self.open.to_json(),
        }


@dataclass(frozen=True)
class Account:
    as_of: date
    customer: dict[str, Any]
    contacts: list[dict[str, Any]]
    invoices: list[InvoiceLine]
    payments: list[PaymentLine]
    # what the customer owes, per currency: open principal and open charges less money
    # on account (`recoup.domain.account_state`)
    balances: list[Money]
    aging: tuple[CurrencyAging, ...]
    behaviour: PaymentBehaviour
    charges: tuple[ChargeLine, ...] = ()
    state: AccountState | None = None

    def figures(self, currency: str) -> CurrencyState | None:
        """The account's state in one currency (its principal, charges, money on account)."""
        return None if self.state is None else self.state.of(currency)

    def to_json(self) -> dict[str, Any]:
        c = self.customer
        return {
            "as_of": self.as_of.isoformat(),
            "customer": c["key"],
            "name": c["name"],
            "country": c["country"],
            "language": c["language"],
            "timezone": c["timezone"],
            "tags": [t for t in c["tags"].split(",") if t],
            "contacts": [
                {k: v for k, v in ct.items() if k not in ("id", "customer_id")}
                for ct in self.contacts
            ],
            "balance": [_balance_json(m, self.figures(m.currency)) for m in self.balances],
            "aging": [a.to_json() for a in self.aging],
            "average_days_to_pay": _dec(self.behaviour.average_days_to_pay),
            "average_days_late": _dec(self.behaviour.average_days_late),
            "settled_invoices": self.behaviour.settled_count,
            "invoices": [i.to_json() for i in self.invoices],
            "payments": [p.to_json() for p in self.payments],
            "charges": [ch.to_json() for ch in self.charges],
        }


def _balance_json(balance: Money, state: CurrencyState | None) -> dict[str, Any]:
    out = {"currency": balance.currency, "amount": balance.to_json()}
    if state is not None:
        out.update(
            principal=state.principal.to_json(),
            overdue=state.overdue.to_json(),
            charges=state.charges_open().to_json(),
            unapplied=state.unapplied.to_json(),
            disputed=state.disputed.to_json(),
        )
    return out


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def account(book: Book, key: str, as_of: date) -> Account:
    """Customer `key`'s account on `as_of`: every figure from its state on that day
    (`services.account_state`), the documents dated by then."""
    with book.read() as conn:
        customer = ledger_repo.get_customer(conn, key)
        if customer is None:
            raise NotFoundError(f"no customer {key!r}")
        cid = customer["id"]
        contacts = ledger_repo.contacts_of(conn, cid)
        inv = ledger_repo.invoices_of(conn, cid)
        pay = ledger_repo.payments_of(conn, cid)
        state = account_state.read_state(conn, cid, as_of)
    known = {i.number: i for cs in state.currencies for i in cs.invoices}
    notes = {c.key: c for cs in state.currencies for c in cs.credits}
    invoices = []
    for r in inv:
        if r["issue_date"] > as_of:
            continue
        cur = r["currency"]
        amount = Money(r["amount_minor"], cur)
        if r["kind"] == "credit_note":
            note = notes.get(f"c:{r['id']}")
            left, status, on = (note.unapplied if note else Money.zero(cur)), "credit", None
            if note is not None and note.unapplied.minor == 0:
                on = r["settled_on"] if r["settled_on"] and r["settled_on"] <= as_of else None
        else:
            found = known[r["number"]]
            left, status, on = found.open, found.status, found.settled_on
        invoices.append(
            InvoiceLine(
                r["number"],
                r["kind"],
                r["issue_date"],
                r["due_date"],
                amount,
                Money(r["tax_minor"], cur) if r["tax_minor"] is not None else None,
                left,
                status,
                days_past_due(r["due_date"], as_of),
                on,
                r["reference"],
            )
        )
    payments = [
        PaymentLine(
            r["date"],
            Money(r["amount_minor"], r["currency"]),
            r["method"],
            r["reference"],
            r["invoice_number"],
        )
        for r in pay
        if r["date"] <= as_of
    ]
    behaviour = payment_behaviour(
        Settled(i.issue_date, i.due_date, i.settled_on)
        for cs in state.currencies
        for i in cs.invoices
        if i.settled_on is not None
    )
    charges = tuple(
        ChargeLine(
            ch.charge.on,
            ch.charge.kind.value,
            ch.charge.stage,
            ch.charge.invoices,
            ch.charge.amount,
            ch.paid,
            ch.open,
        )
        for cs in state.currencies
        for ch in cs.charges
    )
    return Account(
        as_of,
        customer,
        contacts,
        invoices,
        payments,
        list(state.balances),
        state_aging(state, DEFAULT_BUCKETS),
        behaviour,
        charges,
        state,
    )
