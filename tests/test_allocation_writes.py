"""Re-allocating a customer writes only what changed (`allocation_sync.recompute` keeps
the invoices' and payments' derived fields that stay the same), and what it leaves is
what a re-allocation of everyone stores. SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from recoup.services import allocation_sync
from recoup.services.book import Book
from recoup.services.importing import Kind
from recoup.store import ledger_repo
from tests.test_sales_days import _import

CUSTOMERS = "customer,name,country\nC1,Acme Ltd,GB\nC2,Bolt GmbH,DE\n"
INVOICES = (
    "customer,number,issue_date,due_date,amount,currency\n"
    "C1,INV-1,2026-01-05,2026-02-04,100.00,EUR\n"
    "C1,INV-2,2026-01-06,2026-02-05,50.00,EUR\n"
    "C1,INV-3,2026-01-07,2026-02-06,70.00,EUR\n"
    "C2,INV-4,2026-01-08,2026-02-07,20.00,EUR\n"
)


def _derived(book: Book) -> list[tuple[Any, ...]]:
    with book.read() as conn:
        inv = conn.execute(
            text(
                "SELECT number, status, paid_minor, first_paid_on, last_paid_on, settled_on "
                "FROM invoices ORDER BY number"
            )
        ).all()
        pay = conn.execute(
            text("SELECT key, applied_minor, applied_on FROM payments ORDER BY key")
        ).all()
    return [tuple(r) for r in inv] + [tuple(r) for r in pay]


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[tuple[list[Any], list[Any]]]:
    """What each recompute asked the store to write: (invoice rows, payment rows)."""
    calls: list[tuple[list[Any], list[Any]]] = []
    real = ledger_repo.replace_allocations

    def spy(conn, invoice_ids, rows, derived, applied=(), everyone=False):  # type: ignore[no-untyped-def]
        calls.append((list(derived), list(applied)))
        return real(conn, invoice_ids, rows, derived, applied, everyone)

    monkeypatch.setattr(ledger_repo, "replace_allocations", spy)
    return calls


def test_only_what_changed_is_written_and_it_equals_a_full_recompute(
    book: Book, tmp_path: Path, written: list[tuple[list[Any], list[Any]]]
) -> None:
    _import(book, tmp_path, Kind.CUSTOMERS, CUSTOMERS)
    _import(book, tmp_path, Kind.INVOICES, INVOICES)
    with book.read() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM customers ORDER BY key"))]
    written.clear()
    with book.write() as conn:
        allocation_sync.recompute(conn, ids)
    assert written == [([], [])]  # nothing was paid: nothing to write again

    written.clear()
    _import(book, tmp_path, Kind.PAYMENTS, "invoice,date,amount\nINV-2,2026-02-01,50.00\n")
    with book.read() as conn:
        inv2 = conn.execute(text("SELECT id FROM invoices WHERE number = 'INV-2'")).scalar()
    assert [[row[0] for row in derived] for derived, _ in written] == [[inv2]]  # not INV-1, 3
    assert [len(applied) for _, applied in written] == [1]
    written.clear()
    with book.write() as conn:
        allocation_sync.recompute(conn, ids)
    assert written == [([], [])]  # the import re-allocated C1 already
    after = _derived(book)
    assert after[1][:3] == ("INV-2", "paid", 5000)
    assert after[0][:3] == ("INV-1", "open", 0)

    written.clear()
    with book.write() as conn:  # everyone, from nothing: the same fields
        conn.execute(text("UPDATE invoices SET status = 'open', paid_minor = 0, settled_on = NULL"))
        allocation_sync.recompute(conn, None)
    assert [row[0] for row in written[0][0]]  # rows that had been reset were written
    assert _derived(book) == after
