"""The customer list and one customer's account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from recoup.domain.aging import DEFAULT_BUCKETS, days_past_due
from recoup.domain.dso import PaymentBehaviour, Settled, payment_behaviour
from recoup.domain.money import Money
from recoup.services.book import Book
from recoup.services.errors import NotFoundError
from recoup.services.reports import CurrencyAging, aging
from recoup.store import ledger_repo, point_in_time, report_repo
from recoup.store.report_repo import CustomerLine

__all__ = [
    "Account",
    "CustomerLine",
    "CustomerPage",
    "InvoiceLine",
    "NotFoundError",
    "account",
    "list_customers",
]

SORTS = ("name", "key", "balance", "overdue", "oldest")


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
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}; choose one of {', '.join(SORTS)}")
    page = max(1, page)
    per_page = min(max(1, per_page), 500)
    with book.read() as conn:
        past = point_in_time.moved_past(conn, today)
        total, lines = report_repo.customer_page(
            conn, today, search.strip(), sort, descending, per_page, (page - 1) * per_page, past
        )
    return CustomerPage(total, page, per_page, lines)


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
class Account:
    as_of: date
    customer: dict[str, Any]
    contacts: list[dict[str, Any]]
    invoices: list[InvoiceLine]
    payments: list[PaymentLine]
    balances: list[Money]  # open invoices less unapplied credit, per currency
    aging: tuple[CurrencyAging, ...]
    behaviour: PaymentBehaviour

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
            "balance": [{"currency": m.currency, "amount": m.to_json()} for m in self.balances],
            "aging": [a.to_json() for a in self.aging],
            "average_days_to_pay": _dec(self.behaviour.average_days_to_pay),
            "average_days_late": _dec(self.behaviour.average_days_late),
            "settled_invoices": self.behaviour.settled_count,
            "invoices": [i.to_json() for i in self.invoices],
            "payments": [p.to_json() for p in self.payments],
        }


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def account(book: Book, key: str, as_of: date) -> Account:
    with book.read() as conn:
        customer = ledger_repo.get_customer(conn, key)
        if customer is None:
            raise NotFoundError(f"no customer {key!r}")
        cid = customer["id"]
        contacts = ledger_repo.contacts_of(conn, cid)
        inv = ledger_repo.invoices_of(conn, cid)
        pay = ledger_repo.payments_of(conn, cid)
        settled = report_repo.settled_invoices(conn, cid)
        if point_in_time.moved_past(conn, as_of):
            inv, pay, settled = _as_known(conn, cid, as_of, inv, pay, settled)
    invoices = [
        InvoiceLine(
            r["number"],
            r["kind"],
            r["issue_date"],
            r["due_date"],
            Money(r["amount_minor"], r["currency"]),
            Money(r["tax_minor"], r["currency"]) if r["tax_minor"] is not None else None,
            Money(r["amount_minor"] - r["paid_minor"], r["currency"]),
            r["status"],
            days_past_due(r["due_date"], as_of),
            r["settled_on"],
            r["reference"],
        )
        for r in inv
    ]
    payments = [
        PaymentLine(
            r["date"],
            Money(r["amount_minor"], r["currency"]),
            r["method"],
            r["reference"],
            r["invoice_number"],
        )
        for r in pay
    ]
    balances = [
        Money(_balance(invoices, payments, cur), cur)
        for cur in sorted(
            {i.amount.currency for i in invoices} | {p.amount.currency for p in payments}
        )
    ]
    behaviour = payment_behaviour(Settled(a, b, c) for a, b, c in settled)
    report = aging(book, as_of, DEFAULT_BUCKETS, customer=key, with_unapplied=False)
    return Account(
        as_of, customer, contacts, invoices, payments, balances, report.currencies, behaviour
    )


def _as_known(
    conn: Any,
    cid: int,
    as_of: date,
    inv: list[dict[str, Any]],
    pay: list[dict[str, Any]],
    settled: list[tuple[date, date, date]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[date, date, date]]]:
    """The account's documents as known on `as_of`, a day the book has moved past: those
    dated later left out, open amounts and states from the allocations dated by then."""
    paid, used = point_in_time.applied_until(conn, cid, as_of)
    rows = []
    for r in inv:
        if r["issue_date"] > as_of:
            continue
        note = r["kind"] == "credit_note"
        done = used.get(r["id"], 0) if note else paid.get(r["id"], 0)
        on = r["settled_on"] if r["settled_on"] is not None and r["settled_on"] <= as_of else None
        status = "credit" if note else "paid" if on is not None else "partial" if done else "open"
        rows.append({**r, "paid_minor": done, "settled_on": on, "status": status})
    payments = [p for p in pay if p["date"] <= as_of]
    return rows, payments, [s for s in settled if s[2] <= as_of]


def _balance(invoices: list[InvoiceLine], payments: list[PaymentLine], currency: str) -> int:
    """Open invoices less unapplied credit notes and unapplied payments, in minor units."""
    open_invoices = applied = credit_unapplied = credit_applied = 0
    for line in invoices:
        if line.amount.currency != currency:
            continue
        if line.kind == "credit_note":
            credit_unapplied += line.open.minor
            credit_applied += line.amount.minor - line.open.minor
        else:
            open_invoices += line.open.minor
            applied += line.amount.minor - line.open.minor
    paid = sum(p.amount.minor for p in payments if p.amount.currency == currency)
    payments_unapplied = paid - (applied - credit_applied)
    return open_invoices - credit_unapplied - payments_unapplied
