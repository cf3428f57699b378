"""Re-imports say what they changed: a record whose fields differ from the book's is
`updated`, with its key and the fields that changed; the same file again is
`unchanged` and changes nothing. Customers (and their contacts), invoices, payments;
SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from recoup.services import importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from tests.test_import_damaged import dump

CUSTOMERS = (
    "customer,name,country,region,language,tags,contact,email,phone,address,channel\n"
    "C1,Acme Ltd,GB,SCT,en,wholesale,Ann,ann@acme.example,+44 1,1 High St,email\n"
    "C2,Bolt GmbH,DE,BY,de,,Bo,bo@bolt.example,,,email\n"
    "C3,Crux SA,FR,,fr,,Cy,cy@crux.example,,,letter\n"
)
INVOICES = (
    "customer,number,issue_date,due_date,amount,currency,reference\n"
    "C1,INV-1,2026-01-05,2026-02-04,100.00,EUR,PO-1\n"
    "C2,INV-2,2026-01-06,2026-02-05,50.00,EUR,\n"
)
PAYMENTS = "invoice,date,amount,reference,method\nINV-1,2026-02-01,30.00,P-1,transfer\n"


def imported(book: Book, tmp_path: Path, kind: Kind, content: str) -> importing.ImportReport:
    path = tmp_path / f"{kind.value}.csv"
    path.write_text(content, encoding="utf-8")
    report = importing.import_file(book, kind, path, Options())
    assert report.ok, report.problems
    return report


def changes(report: importing.ImportReport) -> list[tuple[str, int, list[str]]]:
    return [(c["key"], c["line"], c["fields"]) for c in report.to_json()["changes"]]


@pytest.fixture
def filled(book: Book, tmp_path: Path) -> Book:
    imported(book, tmp_path, Kind.CUSTOMERS, CUSTOMERS)
    imported(book, tmp_path, Kind.INVOICES, INVOICES)
    imported(book, tmp_path, Kind.PAYMENTS, PAYMENTS)
    return book


@pytest.mark.parametrize(
    ("kind", "content"),
    [(Kind.CUSTOMERS, CUSTOMERS), (Kind.INVOICES, INVOICES), (Kind.PAYMENTS, PAYMENTS)],
)
def test_the_same_file_again_is_unchanged(
    filled: Book, tmp_path: Path, kind: Kind, content: str
) -> None:
    before = dump(filled)
    report = imported(filled, tmp_path, kind, content)
    rows = content.count("\n") - 1
    assert (report.imported, report.updated, report.unchanged) == (0, 0, rows)
    assert changes(report) == []
    assert dump(filled) == before


def test_a_new_email_is_an_update_of_the_email(filled: Book, tmp_path: Path) -> None:
    report = imported(
        filled,
        tmp_path,
        Kind.CUSTOMERS,
        CUSTOMERS.replace("ann@acme.example", "ann@acme-mail.example"),
    )
    assert (report.updated, report.unchanged) == (1, 2)
    assert changes(report) == [("C1", 2, ["email"])]
    with filled.read() as conn:
        emails = conn.execute(
            text(
                "SELECT ct.email FROM contacts ct JOIN customers c ON c.id = ct.customer_id "
                "WHERE c.key = 'C1'"
            )
        ).scalars()
        assert list(emails) == ["ann@acme-mail.example"]
    again = imported(
        filled,
        tmp_path,
        Kind.CUSTOMERS,
        CUSTOMERS.replace("ann@acme.example", "ann@acme-mail.example"),
    )
    assert (again.updated, again.unchanged, changes(again)) == (0, 3, [])


def test_every_customer_field_that_changes_is_named(filled: Book, tmp_path: Path) -> None:
    changed = (
        "customer,name,country,region,language,tags,contact,email,phone,address,channel\n"
        "C1,Acme Limited,GB,SCT,en,wholesale;vip,Ann,ann@acme.example,+44 1,1 High St,email\n"
        "C2,Bolt GmbH,AT,,de,,Bea,bo@bolt.example,+43 1,,letter\n"
        'C3,Crux SA,FR,,en,,Cy,"cy@crux.example, dé@crux.example",,,letter\n'
    )
    report = imported(filled, tmp_path, Kind.CUSTOMERS, changed)
    assert (report.imported, report.updated, report.unchanged) == (0, 3, 0)
    assert changes(report) == [
        ("C1", 2, ["name", "tags"]),
        ("C2", 3, ["country", "region", "contact", "phone", "channel"]),
        ("C3", 4, ["language", "email"]),
    ]


def test_invoice_and_payment_fields_that_change_are_named(filled: Book, tmp_path: Path) -> None:
    invoices = INVOICES.replace("2026-02-04,100.00,EUR,PO-1", "2026-02-14,120.00,EUR,PO-9")
    report = imported(filled, tmp_path, Kind.INVOICES, invoices)
    assert (report.updated, report.unchanged) == (1, 1)
    assert changes(report) == [("INV-1", 2, ["due_date", "amount", "reference"])]
    payments = PAYMENTS.replace("30.00,P-1,transfer", "35.00,P-1,card")
    report = imported(filled, tmp_path, Kind.PAYMENTS, payments)
    assert (report.updated, report.unchanged) == (1, 0)
    assert changes(report) == [("ref:P-1", 2, ["amount", "method"])]
    with filled.read() as conn:
        row = conn.execute(
            text("SELECT amount_minor, method FROM payments WHERE reference = 'P-1'")
        ).one()
    assert tuple(row) == (3500, "card")


def test_a_refused_re_import_reports_no_changes(filled: Book, tmp_path: Path) -> None:
    before = dump(filled)
    path = tmp_path / "bad.csv"
    path.write_text(
        INVOICES.replace("100.00", "120.00") + "C1,INV-3,2026-01-07,2026-02-06,ten,EUR,\n",
        encoding="utf-8",
    )
    report = importing.import_file(filled, Kind.INVOICES, path, Options())
    assert [str(p) for p in report.problems] == [f"{path}:4:5: amount 'ten' is not a number"]
    assert (report.updated, changes(report)) == (0, [])
    assert dump(filled) == before
