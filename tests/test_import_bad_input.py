"""A corpus of broken files: each is refused with a clear message naming file, line and
column, and the book is exactly as it was before."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text

from recoup.services import importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options

HEADER = "customer,number,issue_date,due_date,amount,currency\n"
GOOD = (
    HEADER + "C1,INV-1,2026-01-05,2026-02-04,100.00,EUR\nC2,INV-2,2026-01-06,2026-02-05,50.00,EUR\n"
)


def snapshot(book: Book) -> dict[str, list[tuple]]:
    out = {}
    with book.read() as conn:
        for table in ("customers", "contacts", "invoices", "payments", "allocations"):
            out[table] = sorted(tuple(r) for r in conn.execute(text(f"SELECT * FROM {table}")))
    return out


@pytest.fixture
def seeded(book: Book, tmp_path: Path) -> Book:
    path = tmp_path / "seed.csv"
    path.write_text(GOOD, encoding="utf-8")
    report = importing.import_file(book, Kind.INVOICES, path, Options())
    assert report.ok, report.problems
    return book


def refused(
    book: Book, tmp_path: Path, name: str, content: bytes | str, kind=Kind.INVOICES, **options
) -> list[str]:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    before = snapshot(book)
    report = importing.import_file(book, kind, path, Options(**options))
    assert not report.ok, f"{name} was accepted"
    assert report.imported == report.updated == report.unchanged == 0
    assert snapshot(book) == before, f"{name} changed the book"
    lines = [str(p) for p in report.problems]
    assert all(line.startswith((str(path), "--")) for line in lines), lines
    return lines


CASES = [
    # name, content, options, expected message, expected location (line:column)
    (
        "missing_column.csv",
        "customer,number,issue_date,due_date,currency\nC1,X1,2026-01-01,2026-01-31,EUR\n",
        {},
        "no column for the field 'amount'",
        ":1:",
    ),
    (
        "bad_date.csv",
        HEADER + "C1,X1,2026-02-30,2026-03-30,10.00,EUR\n",
        {},
        "'2026-02-30' is not a date",
        ":2:3:",
    ),
    (
        "ambiguous_dates.csv",
        HEADER.replace("issue_date", "InvoiceDate")
        + "C1,X1,01/02/2026,03/04/2026,10.00,EUR\nC1,X2,05/06/2026,07/08/2026,10.00,EUR\n",
        {},
        "ambiguous dates",
        ":2:",
    ),
    (
        "non_numeric.csv",
        HEADER + "C1,X1,2026-01-01,2026-01-31,12.3x,EUR\n",
        {},
        "amount '12.3x' is not a number",
        ":2:5:",
    ),
    (
        "unknown_currency.csv",
        HEADER + "C1,X1,2026-01-01,2026-01-31,10.00,XYZ\n",
        {},
        "'XYZ' is not an ISO 4217 currency code",
        ":2:6:",
    ),
    ("no_currency.csv", HEADER + "C1,X1,2026-01-01,2026-01-31,10.00,\n", {}, "no currency", ":2:"),
    (
        "duplicate.csv",
        HEADER + "C1,X1,2026-01-01,2026-01-31,10.00,EUR\nC1,X1,2026-01-01,2026-01-31,12.00,EUR\n",
        {},
        "invoice X1 appears again (first at line 2)",
        ":3:2:",
    ),
    (
        "too_many_decimals.csv",
        HEADER + "C1,X1,2026-01-01,2026-01-31,10.005,EUR\n",
        {},
        "more than 2 decimal places",
        ":2:5:",
    ),
    (
        "due_before_issue.csv",
        HEADER + "C1,X1,2026-03-01,2026-01-31,10.00,EUR\n",
        {},
        "before the issue date",
        ":2:4:",
    ),
    (
        "mixed_decimals.csv",
        HEADER + 'C1,X1,2026-01-01,2026-01-31,"10,50",EUR\nC1,X2,2026-01-01,2026-01-31,10.50,EUR\n',
        {},
        "mixes decimal marks",
        ":",
    ),
    (
        "short_row.csv",
        HEADER + "C1,X1,2026-01-01\n",
        {},
        "3 cells where the header has 6: the row has no cell for columns 4 'due_date', "
        "5 'amount', 6 'currency'",
        ":2:4:",
    ),
    ("empty.csv", "", {}, "the file is empty", ""),
    ("blank_lines.csv", "\n\n  \n", {}, "the file is empty", ""),
    (
        "bad_map_column.csv",
        "customerID,invoiceNumber,InvoiceDate,DueDate,InvoiceAmount\n"
        "C1,X1,2026-01-01,2026-01-31,10.00\n",
        {
            "columns": {
                "InvoiceAmout": "amount",
                "customerID": "customer",
                "invoiceNumber": "number",
                "InvoiceDate": "issue_date",
                "DueDate": "due_date",
            },
            "currency": "USD",
        },
        "no column 'InvoiceAmout' in the header (did you mean 'InvoiceAmount'?)",
        ":1:",
    ),
    (
        "bad_map_field.csv",
        "customerID,invoiceNumber,InvoiceDate,DueDate,InvoiceAmount\n"
        "C1,X1,2026-01-01,2026-01-31,10.00\n",
        {"columns": {"InvoiceAmount": "amout"}, "currency": "USD"},
        "no field 'amout' (did you mean 'amount'?)",
        ":1:",
    ),
    ("bad_default_currency.csv", GOOD, {"currency": "EURO"}, "not an ISO 4217", ""),
    (
        "bad_terms.csv",
        "customer,number,issue_date,terms_days,amount,currency\n"
        "C1,X1,2026-01-01,thirty,10.00,EUR\n",
        {},
        "terms_days 'thirty'",
        ":2:4:",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "options", "message", "where"), CASES, ids=[c[0] for c in CASES]
)
def test_broken_invoice_files_are_refused(seeded, tmp_path, name, content, options, message, where):
    lines = refused(seeded, tmp_path, name, content, **options)
    hit = [line for line in lines if message in line]
    assert hit, lines
    assert where in hit[0], hit[0]


def test_latin1_is_refused_with_a_hint_and_imports_when_named(seeded, tmp_path):
    content = (
        HEADER.replace("currency", "currency,customer_name")
        + "C9,X9,2026-01-01,2026-01-31,10.00,EUR,Société Générale\n"
    ).encode("latin-1")
    lines = refused(seeded, tmp_path, "latin1.csv", content)
    assert re.search(r"latin1\.csv:2:\d+: byte 0xE9 is not valid utf-8 text", lines[0]), lines
    assert "--encoding cp1252" in lines[0]
    report = importing.import_file(
        seeded, Kind.INVOICES, tmp_path / "latin1.csv", Options(encoding="latin-1")
    )
    assert report.ok
    assert report.imported == 1
    with seeded.read() as conn:
        name = conn.execute(text("SELECT name FROM customers WHERE key = 'C9'")).scalar_one()
    assert name == "Société Générale"


def test_a_byte_order_mark_is_dropped(seeded, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "C3,X3,2026-01-01,2026-01-31,7.00,EUR\n").encode())
    report = importing.import_file(seeded, Kind.INVOICES, path, Options())
    assert report.ok, report.problems
    assert report.imported == 1


def test_negative_amounts_in_an_invoice_file_are_credit_notes(seeded, tmp_path):
    path = tmp_path / "credit.csv"
    path.write_text(HEADER + "C1,CN-1,2026-01-10,2026-01-10,-40.00,EUR\n", encoding="utf-8")
    report = importing.import_file(seeded, Kind.INVOICES, path, Options())
    assert report.ok, report.problems
    with seeded.read() as conn:
        kind, amount = conn.execute(
            text("SELECT kind, amount_minor FROM invoices WHERE number = 'CN-1'")
        ).one()
        open_inv1 = conn.execute(
            text("SELECT amount_minor - paid_minor FROM invoices WHERE number = 'INV-1'")
        ).scalar_one()
    assert (kind, amount) == ("credit_note", 4000)
    assert open_inv1 == 6000  # the credit note was applied to the customer's oldest invoice


def test_payments_that_cannot_be_placed_are_refused(seeded, tmp_path):
    head = "invoice,customer,date,amount\n"
    lines = refused(seeded, tmp_path, "p1.csv", head + "NOPE,,2026-02-01,10.00\n", Kind.PAYMENTS)
    assert "invoice NOPE is not in the book" in lines[0]
    lines = refused(seeded, tmp_path, "p2.csv", head + "INV-1,C2,2026-02-01,10.00\n", Kind.PAYMENTS)
    assert "belongs to customer C1, not C2" in lines[0]
    lines = refused(seeded, tmp_path, "p3.csv", head + "INV-1,,2026-02-01,-10.00\n", Kind.PAYMENTS)
    assert "more than zero" in lines[0]
    lines = refused(
        seeded,
        tmp_path,
        "p4.csv",
        head + "INV-1,,2026-02-01,10.00\nINV-2,,2026-02-01,\n",
        Kind.PAYMENTS,
    )
    assert ":3:4: amount is empty" in lines[0]


def test_a_huge_file_with_one_bad_row_at_the_end_changes_nothing(seeded, tmp_path):
    rows = [
        f"C{i % 997},H{i},2026-01-01,2026-01-31,{i % 5000}.{i % 100:02d},EUR"
        for i in range(200_000)
    ]
    rows.append("C1,H-bad,2026-01-01,2026-01-31,ten,EUR")
    lines = refused(seeded, tmp_path, "huge.csv", HEADER + "\n".join(rows) + "\n")
    assert len(lines) == 1
    assert ":200002:5: amount 'ten' is not a number" in lines[0]


def test_an_enormous_field_is_refused(seeded, tmp_path):
    lines = refused(
        seeded,
        tmp_path,
        "wide.csv",
        HEADER + "C1," + "N" * 5000 + ",2026-01-01,2026-01-31,1.00,EUR\n",
    )
    assert "number is 5000 characters long" in lines[0]


def test_xlsx_imports_and_problems_name_the_cell(seeded, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Customer", "Invoice No", "Invoice Date", "Due Date", "Total", "Currency"])
    ws.append(["C1", "XL-1", date(2026, 1, 2), date(2026, 2, 1), 123.45, "EUR"])
    ws.append(["C1", "XL-2", "2026-01-03", "2026-02-02", 99, "EUR"])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    report = importing.import_file(seeded, Kind.INVOICES, good, Options())
    assert report.ok, report.problems
    assert report.imported == 2
    ws.append(["C1", "XL-3", date(2026, 1, 4), date(2026, 2, 3), "lots", "EUR"])
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    before = snapshot(seeded)
    report = importing.import_file(seeded, Kind.INVOICES, bad, Options())
    assert [str(p) for p in report.problems] == [f"{bad}:4:E: amount 'lots' is not a number"]
    assert snapshot(seeded) == before


def test_dry_run_writes_nothing(seeded, tmp_path):
    path = tmp_path / "new.csv"
    path.write_text(HEADER + "C5,N1,2026-01-01,2026-01-31,5.00,EUR\n", encoding="utf-8")
    before = snapshot(seeded)
    report = importing.import_file(seeded, Kind.INVOICES, path, Options(), dry_run=True)
    assert report.ok
    assert report.imported == 1
    assert report.customers_created == 1
    assert snapshot(seeded) == before
