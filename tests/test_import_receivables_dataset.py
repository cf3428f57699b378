"""The real accounts-receivable dataset (IBM sample, see shared/corpus/SOURCES.md).

It is imported once as invoices and once as payments (SettledDate as the payment date,
the full amount), and aging and DSO at several dates are checked against a computation
written here from the raw CSV, independently of Recoup's code.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from recoup.domain.aging import DEFAULT_BUCKETS
from recoup.services import importing, reports
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from tests.conftest import corpus_file

DATES = [
    date(2012, 3, 31),
    date(2012, 9, 15),
    date(2013, 1, 1),
    date(2013, 6, 30),
    date(2013, 12, 31),
    date(2014, 3, 1),
]

INVOICE_MAP = {
    "customerID": "customer",
    "invoiceNumber": "number",
    "InvoiceDate": "issue_date",
    "DueDate": "due_date",
    "InvoiceAmount": "amount",
}
PAYMENT_MAP = {
    "invoiceNumber": "invoice",
    "customerID": "customer",
    "SettledDate": "date",
    "InvoiceAmount": "amount",
}


def _us(text: str) -> date:
    return datetime.strptime(text, "%m/%d/%Y").date()


def load_rows(path: Path) -> list[dict[str, object]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [
            {
                "issue": _us(r["InvoiceDate"]),
                "due": _us(r["DueDate"]),
                "settled": _us(r["SettledDate"]),
                "amount": Decimal(r["InvoiceAmount"]),
            }
            for r in csv.DictReader(fh)
        ]


def expected_aging(rows, as_of: date) -> dict[str, tuple[Decimal, int]]:
    limits = [
        ("current", None, 0),
        ("1-30", 1, 30),
        ("31-60", 31, 60),
        ("61-90", 61, 90),
        ("91-120", 91, 120),
        ("over-120", 121, None),
    ]
    out = {label: (Decimal("0.00"), 0) for label, _, _ in limits}
    for r in rows:
        if r["issue"] <= as_of < r["settled"]:
            dpd = (as_of - r["due"]).days
            for label, low, high in limits:
                if (low is None or dpd >= low) and (high is None or dpd <= high):
                    amount, count = out[label]
                    out[label] = (amount + r["amount"], count + 1)
    return out


def expected_dso(rows, as_of: date, window: int) -> tuple[Decimal, Decimal, Decimal | None]:
    receivable = sum((r["amount"] for r in rows if r["issue"] <= as_of < r["settled"]), Decimal(0))
    start = as_of - timedelta(days=window)
    sales = sum((r["amount"] for r in rows if start < r["issue"] <= as_of), Decimal(0))
    dso = None if not sales else (receivable / sales * window).quantize(Decimal("0.01"))
    return receivable, sales, dso


def import_both(book: Book, path: Path) -> None:
    inv = importing.import_file(
        book,
        Kind.INVOICES,
        path,
        Options(columns=INVOICE_MAP, date_format="%m/%d/%Y", currency="USD"),
    )
    assert inv.problems == []
    pay = importing.import_file(
        book,
        Kind.PAYMENTS,
        path,
        Options(columns=PAYMENT_MAP, date_format="%m/%d/%Y", currency="USD"),
    )
    assert pay.problems == []
    assert inv.imported == pay.imported == len(load_rows(path))


@pytest.mark.parametrize(
    "name",
    ["WA_Fn-UseC_-Accounts-Receivable.csv", "WA_Fn-UseC_-Accounts-Receivable_with_missing.csv"],
)
def test_aging_and_dso_match_an_independent_computation(book: Book, name: str):
    path = corpus_file("receivables_history", name)
    import_both(book, path)
    rows = load_rows(path)
    for as_of in DATES:
        report = reports.aging(book, as_of, DEFAULT_BUCKETS).to_json()
        want = expected_aging(rows, as_of)
        got = {b["label"]: (Decimal(b["amount"]), b["count"]) for b in report["buckets"]}
        assert got == want, as_of
        receivable, sales, dso = expected_dso(rows, as_of, 90)
        d = reports.dso(book, as_of, 90).to_json()
        assert Decimal(d["receivable"]) == receivable
        assert Decimal(d["credit_sales"]) == sales
        assert (Decimal(d["dso"]) if d["dso"] is not None else None) == dso


def test_reimporting_changes_nothing(sqlite_book: Book):
    path = corpus_file("receivables_history", "WA_Fn-UseC_-Accounts-Receivable.csv")
    import_both(sqlite_book, path)
    before = reports.aging(sqlite_book, date(2013, 6, 30)).to_json()
    again = importing.import_file(
        sqlite_book,
        Kind.INVOICES,
        path,
        Options(columns=INVOICE_MAP, date_format="%m/%d/%Y", currency="USD"),
    )
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 2466)
    again = importing.import_file(
        sqlite_book,
        Kind.PAYMENTS,
        path,
        Options(columns=PAYMENT_MAP, date_format="%m/%d/%Y", currency="USD"),
    )
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 2466)
    assert reports.aging(sqlite_book, date(2013, 6, 30)).to_json() == before


def test_dates_are_detected_without_a_format(sqlite_book: Book):
    """The US dates of this file include days above 12, so only M/D/YYYY reads them all."""
    path = corpus_file("receivables_history", "WA_Fn-UseC_-Accounts-Receivable.csv")
    report = importing.import_file(
        sqlite_book, Kind.INVOICES, path, Options(columns=INVOICE_MAP, currency="USD")
    )
    assert report.problems == []
    assert report.imported == 2466
