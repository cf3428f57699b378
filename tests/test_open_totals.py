"""What is still to pay is kept as invoices are written (`open_repo`): after imports of
every kind (the fast path, credit notes, re-imports that change an amount, a day, a
currency or the customer, payments that pay part or all), the demo generator and the
migration, the kept rows equal what grouping every open invoice gives. The dashboard's
readings made from them (the aging's rows, the largest overdue accounts) equal those
grouped from the invoices themselves, on random books large enough that the largest
accounts are looked at page by page. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from recoup.services.book import Book
from recoup.services.importing import Kind
from recoup.store import open_repo, point_in_time, report_repo
from recoup.store.migrate import alembic_config
from tests.figures_data import customer, empty, invoice, payment, settle
from tests.test_sales_days import CHANGED, CUSTOMERS, INVOICES, _import

PAYMENTS = (
    "customer,payment_id,date,amount,currency,invoice\n"
    "C1,P-1,2026-02-10,30.00,EUR,INV-1\n"  # part of INV-1
    "C2,P-2,2026-02-11,70.00,EUR,INV-3\n"  # all of INV-3
)
MORE = (
    "customer,number,issue_date,due_date,amount,currency\n"
    "C1,INV-7,2026-03-01,2026-03-31,9.00,EUR\nC2,INV-8,2026-03-02,2026-04-01,5.00,EUR\n"
)
MOVED = (  # INV-2 to the other customer
    "customer,number,issue_date,due_date,amount,currency\nC2,INV-2,2026-01-09,2026-02-05,50.00,EUR\n"
)


def _agree(book: Book) -> tuple[list[Any], list[Any]]:
    with book.read() as conn:
        kept, grouped = open_repo.kept(conn), open_repo.from_invoices(conn)
    assert kept == grouped
    return kept


def test_imports_and_payments_keep_what_is_open(book: Book, tmp_path: Path) -> None:
    _import(book, tmp_path, Kind.CUSTOMERS, CUSTOMERS)
    _import(book, tmp_path, Kind.INVOICES, INVOICES)
    dues, accounts = _agree(book)
    assert [(c, d, n, m) for c, _, d, n, m in dues] == [
        ("EUR", date(2026, 2, 4), 1, 10000),
        ("EUR", date(2026, 2, 5), 1, 5000),
        ("GBP", date(2026, 2, 6), 1, 7000),
    ]
    assert [row[1:] for row in accounts] == [("EUR", 2, 15000, 15000), ("GBP", 1, 7000, 7000)]
    _import(book, tmp_path, Kind.INVOICES, CHANGED)  # new amount, day, currency; a credit note
    dues, accounts = _agree(book)
    assert [row[1:] for row in accounts] == [("EUR", 2, 15000, 15000), ("EUR", 1, 7000, 7000)]
    _import(book, tmp_path, Kind.PAYMENTS, PAYMENTS)
    dues, accounts = _agree(book)
    # C1: INV-1 120 - 20 credited - 30 paid, INV-2 50; C2: INV-3 paid and settled
    assert [row[1:] for row in accounts] == [("EUR", 2, 12000, 12000)]
    _import(book, tmp_path, Kind.INVOICES, MOVED)
    dues, accounts = _agree(book)
    assert [row[1:] for row in accounts] == [("EUR", 1, 7000, 7000), ("EUR", 1, 5000, 5000)]
    _import(book, tmp_path, Kind.INVOICES, MORE)  # new ones into a book that has some
    dues, accounts = _agree(book)
    assert [row[1:] for row in accounts] == [("EUR", 2, 7900, 7900), ("EUR", 2, 5500, 5500)]


def test_the_demo_and_the_fast_path_keep_them(sqlite_book: Book) -> None:
    from recoup.services import demo

    demo.write_book(sqlite_book, demo.make(40, 300, 7, date(2026, 11, 20), currency=None))
    dues, accounts = _agree(sqlite_book)
    assert dues
    assert accounts


def test_the_migration_fills_them_in(book: Book, tmp_path: Path) -> None:
    _import(book, tmp_path, Kind.CUSTOMERS, CUSTOMERS)
    _import(book, tmp_path, Kind.INVOICES, CHANGED)
    _import(book, tmp_path, Kind.PAYMENTS, PAYMENTS)
    config = alembic_config(book.engine)
    command.downgrade(config, "0025")
    listed = (
        text("SELECT table_name FROM information_schema.tables")
        if book.engine.dialect.name == "postgresql"
        else text("SELECT name FROM sqlite_master")
    )
    with book.read() as conn:
        assert not {"open_dues", "open_accounts"} & {r[0] for r in conn.execute(listed)}
    command.upgrade(config, "heads")
    dues, accounts = _agree(book)
    assert dues
    assert accounts


D0 = date(2026, 1, 1)
# many small accounts, so that the largest are looked at page by page (64 to a first
# page); terms up to 90 days, so that some of the largest accounts are not yet due
accounts_ = st.lists(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 90), st.integers(1, 500_000),
                  st.sampled_from(("EUR", "GBP")), st.integers(0, 3)),
        min_size=1, max_size=3,
    ),
    min_size=70, max_size=160,
)  # fmt: skip


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=accounts_, when=st.integers(0, 150), limit=st.integers(1, 12))
def test_the_dashboards_readings_equal_the_invoices_grouped(
    book: Book, drawn: list[list[tuple[int, int, int, str, int]]], when: int, limit: int
) -> None:
    """Each invoice is issued on a drawn day with drawn terms; a payment of a quarter
    of it (`paid` 1), all of it (2) or more (3, the rest on account) comes a week after
    its issue."""
    empty(book)
    with book.write() as conn:
        for n, account in enumerate(drawn):
            cid = customer(conn, f"K{n:03}")
            for i, (issued, terms, amount, cur, paid) in enumerate(account):
                on = D0 + timedelta(days=issued)
                invoice(conn, cid, f"I{n}-{i}", on, on + timedelta(days=terms), cur, amount)
                if paid:
                    part = {1: max(amount // 4, 1), 2: amount, 3: amount + 100}[paid]
                    payment(conn, cid, f"P{n}-{i}", on + timedelta(days=7), cur, part, f"I{n}-{i}")
        settle(conn, None)
    on = D0 + timedelta(days=when)
    with book.read() as conn:
        assert open_repo.kept(conn) == open_repo.from_invoices(conn)
        past = point_in_time.moved_past(conn, on)
        top = report_repo.top_overdue(conn, on, limit)
        grouped = report_repo._named(report_repo._overdue_sums(on, past)).limit(limit)
        assert top == [report_repo._public(r) for r in conn.execute(grouped).mappings()]
        if not past:
            due = report_repo.open_by_due_date(conn, on)
            plain = _due_rows_grouped(conn, on)
            assert [(r.due_date, r.currency, r.count, r.amount_minor) for r in due] == plain


def _due_rows_grouped(conn: Any, on: date) -> list[tuple[date, str, int, int]]:
    """The open invoices grouped by due day and currency in Python, in the order the
    aging reads them: those due by the day, then those due later and issued by it."""
    rows = conn.execute(
        text(
            "SELECT due_date, currency, issue_date, amount_minor - paid_minor FROM invoices "
            "WHERE kind = 'invoice' AND settled_on IS NULL"
        )
    ).all()
    sums: dict[tuple[bool, date, str], list[int]] = {}
    for due, cur, issued, left in rows:
        due, issued = (date.fromisoformat(str(d)) for d in (due, issued))
        if due > on and issued > on:
            continue
        s = sums.setdefault((due > on, due, cur), [0, 0])
        s[0] += 1
        s[1] += int(left)
    return [(due, cur, n, m) for (_, due, cur), (n, m) in sorted(sums.items())]
