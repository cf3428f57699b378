"""The store: migrations match the tables, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from recoup.services.book import Book
from recoup.store.migrate import current_revisions, head_revisions, upgrade
from recoup.store.schema import metadata


def test_migrations_build_exactly_the_declared_schema(book: Book):
    assert current_revisions(book.engine) == head_revisions(book.engine)
    with book.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(book: Book):
    upgrade(book.engine)
    upgrade(book.engine)
    assert current_revisions(book.engine) == head_revisions(book.engine)


def test_aging_partial_payments_and_unapplied_credit_at_any_date(book: Book, tmp_path):
    """A partial payment, a later payment that overpays, and a credit note with nothing
    left to apply to: the aging at each date sees exactly what was known by then."""
    from datetime import date

    from recoup.services import importing, reports
    from recoup.services.importing import Kind, Options

    inv = tmp_path / "inv.csv"
    inv.write_text(
        "customer,number,issue_date,due_date,amount,currency\n"
        "C1,A,2026-01-01,2026-01-31,100.00,EUR\n"
        "C1,B,2026-02-01,2026-03-03,50.00,EUR\n"
        "C2,CN,2026-02-10,2026-02-10,-20.00,EUR\n",
        encoding="utf-8",
    )
    pay = tmp_path / "pay.csv"
    pay.write_text(
        "invoice,customer,date,amount,reference\n"
        "A,,2026-02-15,30.00,r1\n"
        ",C1,2026-03-20,150.00,r2\n",
        encoding="utf-8",
    )
    assert importing.import_file(book, Kind.INVOICES, inv, Options()).ok
    assert importing.import_file(book, Kind.PAYMENTS, pay, Options()).ok

    def at(day: str) -> dict:
        report = reports.aging(book, date.fromisoformat(day)).to_json()
        return {
            "total": report["total"],
            "unapplied": report["unapplied"],
            "buckets": {b["label"]: b["amount"] for b in report["buckets"] if b["count"]},
        }

    assert at("2026-01-15") == {
        "total": "100.00",
        "unapplied": "0.00",
        "buckets": {"current": "100.00"},
    }
    assert at("2026-02-20") == {
        "total": "120.00",
        "unapplied": "20.00",
        "buckets": {"current": "50.00", "1-30": "70.00"},
    }
    assert at("2026-03-19") == {
        "total": "120.00",
        "unapplied": "20.00",
        "buckets": {"1-30": "50.00", "31-60": "70.00"},
    }
    # 150 pays the 70 left on A and the 50 of B; 30 stays on account, plus the credit note
    assert at("2026-03-20") == {"total": "0.00", "unapplied": "50.00", "buckets": {}}
