"""The sales per currency and issue day that the DSO reads are kept as invoices are
written (`sales_repo`): after imports of every kind (the fast path, credit notes,
re-imports that change an amount, a day, a currency), the demo generator and an
e-invoice, they equal what grouping every invoice gives; the migration fills them in
for a book made before. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from alembic import command
from sqlalchemy import text

from recoup.services import importing, reports
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from recoup.store import sales_repo
from recoup.store.migrate import alembic_config

CUSTOMERS = "customer,name,country\nC1,Acme Ltd,GB\nC2,Bolt GmbH,DE\n"
INVOICES = (
    "customer,number,issue_date,due_date,amount,currency\n"
    "C1,INV-1,2026-01-05,2026-02-04,100.00,EUR\n"
    "C1,INV-2,2026-01-05,2026-02-05,50.00,EUR\n"
    "C2,INV-3,2026-01-07,2026-02-06,70.00,GBP\n"
)
CHANGED = (  # INV-1 a new amount, INV-2 a new day, INV-3 a new currency; a credit note
    "customer,number,issue_date,due_date,amount,currency,applies_to\n"
    "C1,INV-1,2026-01-05,2026-02-04,120.00,EUR,\n"
    "C1,INV-2,2026-01-09,2026-02-05,50.00,EUR,\n"
    "C2,INV-3,2026-01-07,2026-02-06,70.00,EUR,\n"
    "C1,CN-1,2026-01-10,2026-01-10,-20.00,EUR,INV-1\n"
)


def _import(book: Book, tmp_path: Path, kind: Kind, content: str) -> None:
    path = tmp_path / f"{kind.value}.csv"
    path.write_text(content, encoding="utf-8")
    report = importing.import_file(book, kind, path, Options())
    assert report.ok, report.problems


def _kept(book: Book) -> list[tuple[str, date, int]]:
    with book.read() as conn:
        return sorted(sales_repo.of_days(conn, date(2000, 1, 1), date(2100, 1, 1)))


def _grouped(book: Book) -> list[tuple[str, date, int]]:
    with book.read() as conn:
        return sorted(sales_repo.from_invoices(conn))


def test_imports_keep_the_days_sales(book: Book, tmp_path: Path) -> None:
    _import(book, tmp_path, Kind.CUSTOMERS, CUSTOMERS)
    _import(book, tmp_path, Kind.INVOICES, INVOICES)
    assert _kept(book) == [
        ("EUR", date(2026, 1, 5), 15000),
        ("GBP", date(2026, 1, 7), 7000),
    ]
    _import(book, tmp_path, Kind.INVOICES, CHANGED)
    assert _kept(book) == [
        ("EUR", date(2026, 1, 5), 12000),
        ("EUR", date(2026, 1, 7), 7000),
        ("EUR", date(2026, 1, 9), 5000),
        ("EUR", date(2026, 1, 10), -2000),
    ]
    assert _kept(book) == _grouped(book)
    dso = reports.dso(book, date(2026, 1, 31), 30)  # the dashboard's figure reads them
    assert dso.to_json()["credit_sales"] == "220.00"


def test_the_demo_and_the_fast_path_keep_them(sqlite_book: Book, tmp_path: Path) -> None:
    from recoup.services import demo

    demo.write_book(sqlite_book, demo.make(40, 300, 7, date(2026, 11, 20), currency=None))
    assert _kept(sqlite_book)
    assert _kept(sqlite_book) == _grouped(sqlite_book)


def test_the_migration_fills_them_in(book: Book, tmp_path: Path) -> None:
    _import(book, tmp_path, Kind.CUSTOMERS, CUSTOMERS)
    _import(book, tmp_path, Kind.INVOICES, CHANGED)
    config = alembic_config(book.engine)
    command.downgrade(config, "0023")
    with book.read() as conn:
        assert "sales_days" not in {
            r[0]
            for r in conn.execute(
                text("SELECT table_name FROM information_schema.tables")
                if book.engine.dialect.name == "postgresql"
                else text("SELECT name FROM sqlite_master")
            )
        }
    command.upgrade(config, "heads")
    assert _kept(book) == _grouped(book) != []
