"""Write a generated demo book into a book, or out as CSV files."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from recoup.demo.generator import GeneratedBook, generate
from recoup.services import allocation_sync
from recoup.services.book import Book
from recoup.store import ledger_repo, run_repo

Step = Callable[[str], None]


@dataclass(frozen=True)
class GenerateReport:
    customers: int
    invoices: int
    payments: int

    def to_json(self) -> dict[str, int]:
        return {"customers": self.customers, "invoices": self.invoices, "payments": self.payments}


def make(
    customers: int, invoices: int, seed: int, as_of: date, currency: str | None = "USD"
) -> GeneratedBook:
    return generate(customers, invoices, seed, as_of, currency)


def write_book(book: Book, gen: GeneratedBook, step: Step | None = None) -> GenerateReport:
    """Add the generated records to `book` in one transaction; refuses a non-empty book."""
    say = step or (lambda _msg: None)
    with book.write() as conn:
        if ledger_repo.count_customers(conn):
            raise ValueError("the book already has customers; generate into a new book")
        say("customers")
        ledger_repo.insert_customers(
            conn,
            [(c.key, c.name, c.country, c.language, c.timezone, c.kind) for c in gen.customers],
        )
        ids = ledger_repo.customer_ids(conn)
        ledger_repo.insert_contacts(conn, [(ids[c.key], *c.contact) for c in gen.customers])
        say("invoices")
        ledger_repo.insert_plain_invoices(
            conn,
            [
                (
                    ids[i.customer],
                    i.number,
                    i.issue_date,
                    i.due_date,
                    i.currency,
                    i.amount_minor,
                    i.tax_minor,
                    "",
                    i.terms_days,
                )
                for i in gen.invoices
            ],
        )
        say("payments")
        ledger_repo.insert_payments(
            conn,
            [
                (
                    ids[p.customer],
                    f"ref:{p.reference}",
                    p.date,
                    p.currency,
                    p.amount_minor,
                    p.method,
                    p.reference,
                    p.invoice,
                )
                for p in gen.payments
            ],
        )
        say("allocations")
        allocation_sync.recompute(conn, None)
        run_repo.enqueue(conn, ids.values())
    return GenerateReport(len(gen.customers), len(gen.invoices), len(gen.payments))


def write_csv(gen: GeneratedBook, folder: Path) -> list[Path]:
    """customers.csv, invoices.csv and payments.csv in `folder`, in the import layout."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "customers.csv", folder / "invoices.csv", folder / "payments.csv"]
    with paths[0].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "customer",
                "name",
                "country",
                "language",
                "timezone",
                "tags",
                "contact",
                "email",
                "phone",
                "address",
                "channel",
            ]
        )
        for c in gen.customers:
            w.writerow([c.key, c.name, c.country, c.language, c.timezone, c.kind, *c.contact])
    with paths[1].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "customer",
                "number",
                "issue_date",
                "due_date",
                "amount",
                "currency",
                "tax",
                "terms_days",
            ]
        )
        for i in gen.invoices:
            w.writerow(
                [
                    i.customer,
                    i.number,
                    i.issue_date.isoformat(),
                    i.due_date.isoformat(),
                    _dec(i.amount_minor),
                    i.currency,
                    _dec(i.tax_minor),
                    i.terms_days,
                ]
            )
    with paths[2].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["invoice", "customer", "date", "amount", "currency", "reference", "method"])
        for p in gen.payments:
            w.writerow(
                [
                    p.invoice,
                    p.customer,
                    p.date.isoformat(),
                    _dec(p.amount_minor),
                    p.currency,
                    p.reference,
                    p.method,
                ]
            )
    return paths


def _dec(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole}.{cents:02d}"
