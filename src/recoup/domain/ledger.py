"""The records of the books: customers, contacts, invoices, credit notes, payments.

All are frozen. An invoice's `amount` is positive and includes its `tax` part. A credit
note is an invoice-like document with `kind == CREDIT_NOTE` and a positive amount that
reduces what the customer owes; it is applied to invoices like a payment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from recoup.domain.money import Money


class DocKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class CreditKind(StrEnum):
    PAYMENT = "payment"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PARTIAL = "partial"
    PAID = "paid"
    CREDIT = "credit"  # the document is itself a credit note


class Channel(StrEnum):
    EMAIL = "email"
    LETTER = "letter"
    PHONE = "phone"
    SMS = "sms"


@dataclass(frozen=True, slots=True)
class Contact:
    name: str
    email: str = ""
    phone: str = ""
    address: str = ""
    preferred_channel: Channel = Channel.EMAIL


@dataclass(frozen=True, slots=True)
class Customer:
    key: str
    name: str
    country: str = ""
    language: str = "en"
    timezone: str = "UTC"
    tags: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Invoice:
    number: str
    customer: str
    issue_date: date
    due_date: date
    amount: Money
    tax: Money | None = None
    reference: str = ""
    kind: DocKind = DocKind.INVOICE
    applies_to: str | None = None  # for a credit note: the invoice it corrects

    def __post_init__(self) -> None:
        if self.amount.is_negative():
            raise ValueError(f"invoice {self.number}: amount must not be negative")
        if self.due_date < self.issue_date:
            raise ValueError(f"invoice {self.number}: due date before issue date")
        if self.tax is not None and self.tax.currency != self.amount.currency:
            raise ValueError(f"invoice {self.number}: tax and amount in different currencies")


def due_date_from_terms(issue_date: date, terms_days: int) -> date:
    """The due date of an invoice payable `terms_days` after issue."""
    if terms_days < 0:
        raise ValueError("payment terms must not be negative")
    return issue_date + timedelta(days=terms_days)


@dataclass(frozen=True, slots=True)
class Credit:
    """Something that reduces what a customer owes: a payment or a credit note."""

    key: str
    customer: str
    date: date
    amount: Money
    kind: CreditKind = CreditKind.PAYMENT
    invoice: str | None = None  # the invoice it names, if any
    method: str = ""
    reference: str = ""

    def __post_init__(self) -> None:
        if self.amount.minor <= 0:
            raise ValueError(f"{self.kind} {self.key}: amount must be positive")
