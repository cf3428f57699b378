"""The sales per currency and issue day (`tables_sales.sales_days`), kept with the
invoices: `add` takes what invoices bring or take away, `of_days` reads them, and
`recount` makes them again from the invoices (the migration, and the check that they
agree)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.engine import Connection

from recoup.store.sums import add_to
from recoup.store.tables import invoices
from recoup.store.tables_sales import sales_days

Sale = tuple[str, str, date | str, int]  # kind ('invoice' or 'credit_note'), currency, day, minor


def signed(kind: str, minor: int) -> int:
    return -minor if kind == "credit_note" else minor


def add(conn: Connection, sales: Iterable[Sale], sign: int = 1) -> None:
    """Count these documents in (sign 1) or out (sign -1) of their days' sales."""
    sums: dict[tuple[str, date | str], int] = defaultdict(int)
    for kind, currency, day, minor in sales:
        sums[(currency, day)] += sign * signed(kind, int(minor))
    _write(conn, sums)


def add_plain(conn: Connection, rows: Iterable[tuple[str, date | str, int]]) -> None:
    """Ordinary invoices (currency, issue day, minor units) counted in: the import's
    fast path, a million rows summed in one loop."""
    sums: dict[tuple[str, date | str], int] = defaultdict(int)
    for currency, day, minor in rows:
        sums[(currency, day)] += minor
    _write(conn, sums)


def _write(conn: Connection, sums: dict[tuple[str, date | str], int]) -> None:
    merged: dict[tuple[str, date], int] = defaultdict(int)
    for (currency, day), minor in sums.items():
        merged[(currency, date.fromisoformat(day) if isinstance(day, str) else day)] += minor
    rows = [{"currency": c, "day": d, "amount_minor": m} for (c, d), m in merged.items() if m]
    add_to(conn, sales_days, ("currency", "day"), rows)


def of_days(conn: Connection, start: date, end: date) -> list[tuple[str, date, int]]:
    """Invoiced minus credited, per currency and issue day, for days in [start, end]."""
    q = select(sales_days.c.currency, sales_days.c.day, sales_days.c.amount_minor).where(
        sales_days.c.day >= start, sales_days.c.day <= end, sales_days.c.amount_minor != 0
    )
    return [(cur, day, int(amount)) for cur, day, amount in conn.execute(q)]


def from_invoices(conn: Connection) -> list[tuple[str, date, int]]:
    """The same figures grouped from the invoices themselves (every one of them)."""
    amount = case(
        (invoices.c.kind == "credit_note", -invoices.c.amount_minor), else_=invoices.c.amount_minor
    )
    q = (
        select(invoices.c.currency, invoices.c.issue_date, func.sum(amount))
        .group_by(invoices.c.currency, invoices.c.issue_date)
        .having(func.sum(amount) != 0)
    )
    return [(cur, day, int(total)) for cur, day, total in conn.execute(q)]


def recount(conn: Connection) -> None:
    """The sales made again from the invoices."""
    conn.execute(delete(sales_days))
    rows = [{"currency": c, "day": d, "amount_minor": m} for c, d, m in from_invoices(conn)]
    if rows:
        conn.execute(insert(sales_days), rows)
