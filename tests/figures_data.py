"""Small books written straight into the store for the tests of an account's figures:
customers, invoices, credit notes, payments, the daily run's charges (as it records
them) and disputes; then the allocations, as every import recomputes them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from recoup.services import allocation_sync
from recoup.services.book import Book
from recoup.store import ledger_repo, run_repo
from recoup.store.tables import (
    actions,
    allocations,
    cases,
    contacts,
    customers,
    ended_cycles,
    invoices,
    outbox,
    payments,
    review_queue,
)
from recoup.store.tables_casework import disputes
from recoup.store.tables_open import open_accounts, open_dues
from recoup.store.tables_sales import sales_days


def minor(amount: str) -> int:
    return int(Decimal(amount) * 100)


def customer(conn: Connection, key: str, country: str = "DE", tags: str = "") -> int:
    [cid] = ledger_repo.insert_customers(
        conn, [(key, f"Customer {key}", country, "en", "UTC", tags)]
    )
    return cid


def invoice(
    conn: Connection,
    cid: int,
    number: str,
    issued: date,
    due: date,
    currency: str,
    amount: int,
    *,
    credit_note: bool = False,
    applies_to: str | None = None,
) -> None:
    ledger_repo.insert_invoices(
        conn,
        [
            (
                cid, number, "credit_note" if credit_note else "invoice", issued, due, currency,
                amount, None, "", None, applies_to, "credit" if credit_note else "open",
                0, None, None, None,
            )
        ],
    )  # fmt: skip


def payment(
    conn: Connection,
    cid: int,
    key: str,
    on: date,
    currency: str,
    amount: int,
    invoice_number: str | None = None,
) -> None:
    ledger_repo.insert_payments(
        conn, [(cid, key, on, currency, amount, "transfer", key, invoice_number)]
    )


def charge(
    conn: Connection,
    cid: int,
    kind: str,
    stage: str,
    on: date,
    currency: str,
    amount: int,
    numbers: Sequence[str] = (),
    cycle: date | None = None,
) -> int:
    """A fee ("fee"; stage "<stage>:compensation" for the statutory compensation) or
    interest ("interest") as the daily run records it."""
    # the action alone: its case's steps are the test's to set
    [action_id] = run_repo.record_action_rows(
        conn,
        [
            (
                cid, currency, cycle or on, on, kind, stage, json.dumps(list(numbers)), amount,
                None, f"{kind} for the test", 0, None,
            )
        ],
    )  # fmt: skip
    assert action_id is not None
    return action_id


def dispute(
    conn: Connection,
    cid: int,
    number: str,
    amount: int,
    opened: date,
    resolved: date | None = None,
) -> None:
    row = conn.execute(
        select(invoices.c.id, invoices.c.currency).where(invoices.c.number == number)
    ).one()
    conn.execute(
        insert(disputes).values(
            customer_id=cid,
            invoice_id=row[0],
            currency=row[1],
            amount_minor=amount,
            reason="quality",
            text="",
            opened_on=opened,
            status="open" if resolved is None else "rejected",
            resolved_on=resolved,
            actor="test",
        )
    )


def settle(conn: Connection, ids: Sequence[int] | None = None) -> None:
    """What every import does after writing: allocations and the charges' paid parts."""
    allocation_sync.recompute(conn, ids)


def empty(book: Book) -> None:
    """Every row the helpers above write, gone (a property test's next example)."""
    with book.write() as conn:
        for table in (
            allocations, disputes, outbox, actions, payments, invoices, contacts, cases,
            ended_cycles, review_queue, customers,
        ):  # fmt: skip
            conn.execute(delete(table))
        # the figures kept as invoices are written go with them
        conn.execute(delete(open_dues))
        conn.execute(delete(open_accounts))
        conn.execute(delete(sales_days))


def stored_paid(conn: Connection) -> tuple[dict[str, int], dict[int, int]]:
    """(invoice number -> paid minor, action id -> paid minor) as the store keeps them."""
    paid = dict(
        conn.execute(
            select(invoices.c.number, invoices.c.paid_minor).where(invoices.c.kind == "invoice")
        ).all()
    )
    charged = dict(
        conn.execute(
            select(actions.c.id, actions.c.paid_minor).where(
                actions.c.kind.in_(("fee", "interest"))
            )
        ).all()
    )
    return paid, charged


def numbers_of(text: str) -> list[str]:
    return list(json.loads(text))
