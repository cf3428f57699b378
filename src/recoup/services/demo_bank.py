"""The demo's money in: today's bank statement, made from the demo book's own open
invoices and imported as a business would import its bank's CSV export, so that the
Bank page has lines applied by themselves and lines waiting for a person.

The lines are the kinds a small business's statement holds: an invoice paid in full
with its number written, two invoices paid together, a number mistyped by one
character, a payment with no reference from a payer whose name is the customer's, a
part payment, one with the bank's charges taken off, the bank's own fee (money out),
a transfer from someone who is no customer, an invoice's amount from an account
nobody knows, and a round sum from a customer that fits none of their invoices. Which
of them apply by themselves and which wait is the matching rules' decision
(`recoup.services.bank_matching`), not the demo's: the demo only says what came of
them.

The accounts the demo's collector works are left alone, so that the promise, the
dispute and the plan there stay as the collector left them.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from datetime import date
from pathlib import Path

from recoup.domain.money import format_minor
from recoup.imports.bank.csv_mapping import CsvMapping
from recoup.services.bank_import import BankImportReport, import_statement
from recoup.services.book import Book
from recoup.store.engine import sqlite_file

ACCOUNT = "DEMO-CHECKING-4471"  # the business's account the statement is of
HEADER = ["date", "amount", "currency", "name", "iban", "purpose", "transaction id"]


def statement_rows(book: Book, today: date, worked: Collection[str]) -> list[list[str]]:
    """The statement's lines (`HEADER`'s columns), made from the open invoices of the
    largest overdue accounts other than those the collector worked (`worked`)."""
    from recoup.services import reports
    from recoup.services.demo import _open_invoices

    found: list[tuple[str, list[tuple[date, str, int, str]]]] = []
    for a in reports.top_overdue(book, today, limit=len(worked) + 24):
        if a.customer in worked or any(name == a.name for name, _ in found):
            continue
        open_ = [i for i in _open_invoices(book, a.customer, today) if i[3] == "USD"]
        if len(open_) >= 2:
            found.append((a.name, open_))
    if len(found) < 8:
        return []
    day, ref = today.isoformat(), f"DEMO{today:%Y%m%d}"  # a bank id per line, unique
    rows: list[list[str]] = []

    def line(n: int, name: str, minor: int, currency: str, purpose: str) -> None:
        rows.append(
            [day, format_minor(minor, currency), currency, name, "", purpose, f"{ref}{n:03d}"]
        )

    name, invoices = found[0]  # paid in full, the number written
    _due, number, minor, cur = invoices[0]
    line(1, name, minor, cur, f"Invoice {number}")
    name, invoices = found[1]  # two invoices paid together
    (_d1, n1, m1, cur), (_d2, n2, m2, _c2) = invoices[:2]
    line(2, name.upper(), m1 + m2, cur, f"{n1} and {n2}")
    name, invoices = found[2]  # the number mistyped: its last digit changed
    _due, number, minor, cur = invoices[0]
    last = number[-1]
    typo = number[:-1] + ("1" if last != "1" else "2") if last.isdigit() else number
    line(3, name, minor, cur, f"inv {typo}")
    name, invoices = found[3]  # no reference at all, the customer's name
    _due, number, minor, cur = invoices[0]
    line(4, name, minor, cur, "thank you")
    name, invoices = found[4]  # a part payment of a named invoice
    _due, number, minor, cur = invoices[0]
    line(5, name, minor // 2, cur, f"{number} first half")
    name, invoices = found[5]  # the bank's charges taken off on the way
    _due, number, minor, cur = invoices[0]
    line(6, name, minor - 250, cur, f"Payment {number}")
    line(7, "Cascade Community Bank", -1250, "USD", "Monthly account fee")
    line(8, "J. Smith", 10000, "USD", "refund?")
    _name, invoices = found[6]  # an invoice's amount from an account nobody knows
    _due, number, minor, cur = invoices[0]
    line(9, "ACH CREDIT 20231", minor, cur, "")
    name, invoices = found[7]  # the customer pays a round sum that fits no invoice
    line(10, name, 50000, "USD", "on account")
    return rows


def money_in(
    book: Book, today: date, worked: Collection[str]
) -> tuple[Path, BankImportReport] | None:
    """Write today's statement beside the book (a SQLite book's folder; the current
    folder for PostgreSQL) and import it; None when the book has too few open accounts
    to make one. `worked`: the collector's accounts, left alone."""
    rows = statement_rows(book, today, worked)
    if not rows:
        return None
    file = sqlite_file(book.url)
    folder = file.parent if file is not None else Path.cwd()
    path = folder / f"bank-statement-{today.isoformat()}.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows([HEADER, *rows])
    return path, import_statement(book, path, CsvMapping(account=ACCOUNT), actor="demo")
