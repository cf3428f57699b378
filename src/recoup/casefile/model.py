"""What a court case file holds: plain, immutable values.

`recoup.services.casefile` gathers them from the book; `pdf` and `bundle` turn them into
files. Nothing here reads a database or the clock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from recoup.domain.claim import ClaimLine
from recoup.domain.kinds import CONTACTS, QUEUED, EntryGroup, EntryKind, kinds_in
from recoup.domain.money import Money

# What counts as a contact with the debtor, and the queued messages that are not one
# by themselves (`recoup.domain.kinds`); the entries of the promises and disputes parts.
CONTACT_KINDS = CONTACTS
QUEUED_KINDS = QUEUED
PROMISE_KINDS = kinds_in(EntryGroup.PROMISES) | kinds_in(EntryGroup.SETTLEMENTS)
DISPUTE_KINDS = frozenset({EntryKind.DISPUTE, EntryKind.DISPUTE_RESOLVED, EntryKind.HOLD})


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str
    address: str
    channel: str


@dataclass(frozen=True)
class Party:
    key: str
    name: str
    country: str
    region: str  # e.g. "TX" for a US customer whose address names the state; "" if unknown
    language: str
    timezone: str
    kind: str  # the debtor category (reliable, evader, juggler, troubled) or ""
    contacts: tuple[Contact, ...]


@dataclass(frozen=True)
class Invoice:
    number: str
    kind: str  # invoice | credit_note
    issue_date: date
    due_date: date
    amount: Money
    tax: Money | None
    open: Money
    status: str
    days_past_due: int
    settled_on: date | None
    reference: str


@dataclass(frozen=True)
class Payment:
    date: date
    amount: Money
    method: str
    reference: str
    invoice: str | None


@dataclass(frozen=True)
class Document:
    """A copy attached to a history entry, as it was kept."""

    entry_id: int
    name: str
    media_type: str
    sha256: str
    content: bytes
    text: str | None  # the readable text of an e-mail (.eml) or plain-text copy

    @property
    def archive_name(self) -> str:
        """Its path inside the zip of originals (entry id first: names may repeat)."""
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in self.name)
        return f"documents/{self.entry_id:06d}-{safe.lstrip('.') or 'document'}"


@dataclass(frozen=True)
class Event:
    """One entry of the account's history."""

    id: int
    on: date
    at: str
    kind: str
    actor: str
    text: str
    hash: str
    documents: tuple[Document, ...] = ()
    data: str = "{}"  # the entry's structured part (canonical JSON), as stored


@dataclass(frozen=True)
class Arrangement:
    """A promise, payment plan or settlement as the case records it, with its status."""

    kind: str  # promise | plan | settlement
    made_on: date
    amount: Money
    due: date  # the promised day, the last installment, the settlement's deadline
    status: str
    paid: Money | None  # paid towards it (None: not tracked)
    details: str = ""


@dataclass(frozen=True)
class Dispute:
    invoice: str
    amount: Money
    reason: str
    text: str
    opened_on: date
    status: str  # open | credit_note | upheld | rejected
    resolved_on: date | None
    credit: Money


@dataclass(frozen=True)
class InterestLine:
    """Statutory interest on one overdue invoice, or why none is shown."""

    invoice: str
    principal: Money
    due: date
    until: date
    days: int
    periods: tuple[tuple[date, date, str, Money], ...]  # from, to, rate %, interest
    interest: Money | None
    compensation: Money | None
    refused: str = ""  # why the law's tables give no figure


@dataclass(frozen=True)
class InterestWorkings:
    jurisdiction: str  # GB, DE, ... or "" when none applies
    debtor: str  # business | consumer
    lines: tuple[InterestLine, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Charge:
    """A fee or interest the collection plan charged (from the history)."""

    on: date
    kind: str
    text: str
    amount: Money | None


@dataclass(frozen=True)
class SmallClaims:
    """Does the claim fit the jurisdiction's small-claims limit?"""

    jurisdiction: str  # e.g. "US-TX", "GB" or "" when unknown
    court: str  # e.g. "England & Wales small claims track"
    limit: Money | None
    claim: Money
    fits: bool | None  # None: no limit known for this place
    status: str  # the reference's status of the limit (VERIFIED, SECONDARY ...)
    source: str
    note: str


@dataclass(frozen=True)
class AnchorSeen:
    """The newest signed anchor the account's history was checked against."""

    made_at: str
    fingerprint: str
    own_key: bool  # signed by the book's key on the machine that made the file
    entries: int  # the account's entries the anchor covers (0: its history began later)
    holds: bool
    problem: str  # "" when it holds

    def sentence(self) -> str:
        key = self.fingerprint + ("" if self.own_key else ", not this book's key")
        where = f"Checked against the signed anchor of {self.made_at} (key {key}): "
        if not self.holds:
            return where + f"this account's history before it does NOT hold: {self.problem}"
        if self.entries == 0:
            return where + "this account's history began after it."
        return where + (
            f"the {self.entries} entries of this account's history recorded before it are "
            "unchanged."
        )


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    problem: str  # "" when the chain holds
    anchor: AnchorSeen | None = None  # None: no anchor was made yet

    @property
    def anchor_sentence(self) -> str:
        if self.anchor is None:
            return (
                "No signed anchor of the history had been made (recoup log anchor): the "
                "chain is checked within the book only."
            )
        return self.anchor.sentence()

    @property
    def anchor_holds(self) -> bool:
        return self.anchor is None or self.anchor.holds


@dataclass(frozen=True)
class Totals:
    """One currency's figures for the claim (`recoup.domain.claim`): what is still
    owed on the as-of day, each line with its working."""

    currency: str
    invoiced: Money
    credited: Money
    paid: Money
    balance: Money  # open principal and open charges less money on account
    overdue: Money  # the overdue principal claimed
    interest: Money  # accrued since the last charge (all of it when none was charged)
    compensation: Money  # for late invoices not charged it yet
    charges: Money  # fees, compensation and interest charged and not paid
    on_account: Money  # payments and credit notes not applied, taken off
    claim: Money  # the sum of the lines below (never below zero)
    lines: tuple[ClaimLine, ...] = ()
    interest_basis: str = ""  # the interest the claim runs by, in words ("" when none)
    charged_before: bool = False  # the cycle had interest or compensation charged
    # every fee, compensation and interest charge made by the as-of day: (day, what, amount)
    charged: tuple[tuple[date, str, Money], ...] = ()


@dataclass(frozen=True)
class CaseFile:
    as_of: date
    made_at: datetime
    creditor: str
    debtor: Party
    invoices: tuple[Invoice, ...]
    payments: tuple[Payment, ...]
    totals: tuple[Totals, ...]
    events: tuple[Event, ...]  # the whole history, oldest first
    interest: tuple[InterestWorkings, ...]  # one per currency with overdue invoices
    charges: tuple[Charge, ...]
    small_claims: tuple[SmallClaims, ...]  # one per currency
    chain: ChainCheck
    arrangements: tuple[Arrangement, ...] = ()
    dispute_records: tuple[Dispute, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def contacts(self) -> tuple[Event, ...]:
        """Every contact, once: messages delivered, and calls, visits, letters, e-mails
        and notes recorded by hand (see CONTACT_KINDS)."""
        return tuple(e for e in self.events if is_contact(e))

    @property
    def promises(self) -> tuple[Event, ...]:
        """Promises, payment plans and settlements, with how they ended."""
        return tuple(e for e in self.events if e.kind in PROMISE_KINDS)

    @property
    def disputes(self) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.kind in DISPUTE_KINDS)

    @property
    def documents(self) -> tuple[Document, ...]:
        return tuple(d for e in self.events for d in e.documents)


def is_contact(e: Event) -> bool:
    """Whether a history entry is a contact with the debtor (see CONTACT_KINDS)."""
    if e.kind not in CONTACT_KINDS:
        return False
    if e.kind in QUEUED_KINDS:
        try:
            data = json.loads(e.data or "{}")
        except ValueError:
            return True
        return not (isinstance(data, dict) and "action" in data)
    return True
