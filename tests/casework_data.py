"""Small books for the casework tests: invoices and payments imported through the real
import service, so the ledger (allocations, balances) is the one production builds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import text

from recoup.services import importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options


def load_csv(book: Book, kind: Kind, folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    report = importing.import_file(book, kind, path, Options())
    assert report.ok, report.problems


def invoices(
    book: Book, folder: Path, rows: list[tuple[str, str, date, date, str, str, str]]
) -> None:
    """rows: (customer, number, issue, due, amount, currency, tax)."""
    body = "customer,number,issue_date,due_date,amount,currency,tax\n" + "".join(
        f"{c},{n},{i.isoformat()},{d.isoformat()},{a},{cur},{t}\n" for c, n, i, d, a, cur, t in rows
    )
    load_csv(book, Kind.INVOICES, folder, f"inv-{len(list(folder.iterdir()))}.csv", body)


def pay(
    book: Book,
    folder: Path,
    customer: str,
    day: date,
    amount: str,
    currency: str = "EUR",
    ref: str = "",
) -> None:
    ref = ref or f"P-{customer}-{day.isoformat()}-{amount}"
    body = (
        "customer,date,amount,currency,reference\n"
        f"{customer},{day.isoformat()},{amount},{currency},{ref}\n"
    )
    load_csv(book, Kind.PAYMENTS, folder, f"pay-{len(list(folder.iterdir()))}.csv", body)


def customers(book: Book, folder: Path, rows: list[tuple[str, str, str, str]]) -> None:
    """rows: (customer, name, country, tags)."""
    body = "customer,name,country,timezone,tags\n" + "".join(
        f'{c},{n},{co},UTC,"{t}"\n' for c, n, co, t in rows
    )
    load_csv(book, Kind.CUSTOMERS, folder, f"cust-{len(list(folder.iterdir()))}.csv", body)


def balance(book: Book, customer: str, currency: str = "EUR") -> int:
    """Open invoices less unapplied credits, in minor units, straight from the tables."""
    with book.read() as conn:
        cid = conn.execute(
            text("SELECT id FROM customers WHERE key = :k"), {"k": customer}
        ).scalar()
        inv = conn.execute(
            text(
                "SELECT COALESCE(SUM(CASE WHEN kind = 'invoice' THEN amount_minor - paid_minor "
                "ELSE paid_minor - amount_minor END), 0) FROM invoices "
                "WHERE customer_id = :c AND currency = :cur"
            ),
            {"c": cid, "cur": currency},
        ).scalar()
        unapplied = conn.execute(
            text(
                "SELECT COALESCE(SUM(amount_minor - applied_minor), 0) FROM payments "
                "WHERE customer_id = :c AND currency = :cur"
            ),
            {"c": cid, "cur": currency},
        ).scalar()
    return int(inv) - int(unapplied)
