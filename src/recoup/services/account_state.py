"""An account's state on a day, read from the book: the one place every figure of what a
customer owes comes from (`recoup.domain.account_state` computes it).

It reads everything the customer's account holds (invoices, credit notes, payments, the
fee and interest charges of the daily run, the parts under dispute on the day) and has
the domain settle it and keep what is dated by the day. That is the store's
point-in-time reading (`recoup.store.point_in_time`: the allocations dated by the day)
for a day the book has moved past, and the stored figures for any other: the property
tests hold aging, the customer list and the worklist to it on both databases.

Reads run inside the caller's transaction (`read_states`, `read_state`), or in one of
their own (`state_of`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from sqlalchemy.engine import Connection

from recoup.domain.account_state import (
    AccountState,
    Charged,
    ChargeKind,
    account_state,
    charge_kind,
)
from recoup.domain.ledger import Credit, CreditKind, DocKind, Invoice
from recoup.domain.money import Money
from recoup.domain.policy import Part
from recoup.services.book import Book
from recoup.services.errors import NotFoundError
from recoup.services.policy import application_order
from recoup.store import casework_repo, ledger_repo

__all__ = ["open_charges", "read_state", "read_states", "state_of"]


def read_states(
    conn: Connection, customer_ids: Sequence[int], as_of: date
) -> dict[int, AccountState]:
    """customer id -> its account on `as_of` (every id given, known or not)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    inv_rows, pay_rows = ledger_repo.load_for_allocation(conn, ids)
    charge_rows = ledger_repo.charge_rows(conn, ids)
    order: tuple[Part, ...] = application_order(conn) if charge_rows else ()
    disputed = casework_repo.disputed_by_customer(conn, ids, as_of)
    invoices: dict[int, list[Invoice]] = defaultdict(list)
    credits: dict[int, list[Credit]] = defaultdict(list)
    charges: dict[int, list[Charged]] = defaultdict(list)
    for r in inv_rows:
        money = Money(r.amount_minor, r.currency)
        if r.kind == DocKind.CREDIT_NOTE:
            if r.amount_minor > 0:
                credits[r.customer_id].append(
                    Credit(
                        f"c:{r.id}",
                        "",
                        r.issue_date,
                        money,
                        CreditKind.CREDIT_NOTE,
                        r.applies_to,
                        reference=r.number,
                    )
                )
        else:
            invoices[r.customer_id].append(Invoice(r.number, "", r.issue_date, r.due_date, money))
    for p in pay_rows:
        if p.amount_minor > 0:
            credits[p.customer_id].append(
                Credit(
                    f"p:{p.id}",
                    "",
                    p.date,
                    Money(p.amount_minor, p.currency),
                    CreditKind.PAYMENT,
                    p.invoice_number,
                    reference=p.key,
                )
            )
    for c in charge_rows:
        charges[c.customer_id].append(
            Charged(
                f"a:{c.id}",
                charge_kind(c.kind, c.stage),
                c.run_on,
                Money(c.amount_minor, c.currency),
                c.cycle_start,
                tuple(_numbers(c.invoices)),
                c.stage,
            )
        )
    return {
        cid: account_state(
            invoices.get(cid, ()),
            credits.get(cid, ()),
            charges.get(cid, ()),
            order,
            as_of,
            disputed.get(cid),
        )
        for cid in ids
    }


def read_state(conn: Connection, customer_id: int, as_of: date) -> AccountState:
    return read_states(conn, [customer_id], as_of)[customer_id]


def state_of(book: Book, key: str, as_of: date) -> AccountState:
    """Customer `key`'s account on `as_of` (NotFoundError when there is no such customer)."""
    with book.read() as conn:
        found = ledger_repo.get_customer(conn, key)
        if found is None:
            raise NotFoundError(f"no customer {key!r}")
        return read_state(conn, int(found["id"]), as_of)


def open_charges(
    conn: Connection, customer_id: int, currency: str, as_of: date
) -> dict[ChargeKind, Money]:
    """The fees, compensation and interest charged to this customer in `currency` by
    `as_of` and not paid by then (nothing more is read for a customer never charged)."""
    zero = Money.zero(currency)
    out = dict.fromkeys(ChargeKind, zero)
    if not any(c.currency == currency for c in ledger_repo.charge_rows(conn, [customer_id], as_of)):
        return out
    state = read_state(conn, customer_id, as_of).of(currency)
    if state is not None:
        out = {kind: state.charges_open(kind) for kind in ChargeKind}
    return out


def _numbers(text: str) -> list[str]:
    try:
        found = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(n) for n in found] if isinstance(found, list) else []
