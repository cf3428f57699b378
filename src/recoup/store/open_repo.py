"""What is still to pay per currency and pair of days, and per customer and currency
(`tables_open`), kept with the invoices: `add` counts invoices in or out as they are
written, `dues` and `largest` read them, `from_invoices` groups the invoices themselves
(the migration, and the checks that both agree).

The invoices come as `Open` tuples of the columns that decide whether and where an
invoice counts; those that are not open (a credit note, a settled invoice) count
nowhere. Changing an invoice is counting it out as it was and in as it is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import case, delete, func, insert, literal_column, or_, select, text
from sqlalchemy.engine import Connection

from recoup.store import sums
from recoup.store.tables import invoices
from recoup.store.tables_open import open_accounts, open_dues

# the columns that decide where an invoice counts, in this order
OPEN_COLUMNS = (
    "customer_id",
    "kind",
    "issue_date",
    "due_date",
    "currency",
    "amount_minor",
    "paid_minor",
    "settled_on",
)
Open = Sequence[Any]  # values in OPEN_COLUMNS order
_Day = date | str


def _day(value: _Day) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def add(conn: Connection, rows: Iterable[Open], sign: int = 1) -> None:
    """Count the open ones among these invoices in (sign 1) or out (sign -1)."""
    dues: dict[tuple[str, _Day, _Day], list[int]] = defaultdict(lambda: [0, 0])
    accounts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for cid, kind, issued, due, currency, amount, paid, settled in rows:
        if (kind or "invoice") != "invoice" or settled is not None:
            continue
        left = int(amount) - int(paid or 0)
        d = dues[(currency, issued, due)]
        d[0] += sign
        d[1] += sign * left
        a = accounts[(cid, currency)]
        a[0] += sign
        a[1] += sign * left
        a[2] += sign * max(left, 0)
    _write(conn, dues, accounts)


def add_plain(conn: Connection, rows: Iterable[tuple[int, _Day, _Day, str, int]]) -> None:
    """New ordinary invoices (customer, issue day, due day, currency, minor units), all
    open and unpaid: the import's fast path on PostgreSQL, where other writers may add
    invoices meanwhile (on SQLite, `add_inserted` has the database group them)."""
    dues: dict[tuple[str, _Day, _Day], list[int]] = defaultdict(lambda: [0, 0])
    accounts: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for cid, issued, due, currency, amount in rows:
        d = dues[(currency, issued, due)]
        d[0] += 1
        d[1] += amount
        a = accounts[(cid, currency)]
        a[0] += 1
        a[1] += amount
        a[2] += amount if amount > 0 else 0
    _write(conn, dues, accounts)


def add_inserted(conn: Connection, after: int) -> list[tuple[str, date, int]]:
    """Count in the invoices whose id is above `after`, all of them ordinary invoices
    just inserted (on SQLite, the one writer: a million rows grouped by the database,
    not in Python). After none (`after` 0: the table was empty), the whole table is
    grouped along the partial indexes of open invoices, in their order, without a
    sort. Returns what they sold per currency and issue day (`sales_repo.add_plain`
    takes it: the same grouping serves both)."""
    new = (invoices.c.id > after,) if after > 0 else ()
    grouped = conn.execute(_dues(*new, sold=True)).all()
    keys = ("currency", "issue_date", "due_date", "invoices", "amount_minor")
    rows = [dict(zip(keys, r[:5], strict=True)) for r in grouped]
    sums.add_to(conn, open_dues, keys[:3], rows)
    since = "" if after <= 0 else f" AND id > {int(after)}"
    left = "amount_minor - paid_minor"
    conn.execute(
        text(
            "INSERT INTO open_accounts (customer_id, currency, invoices, amount_minor, "
            f"bound_minor) SELECT customer_id, currency, COUNT(*), SUM({left}), "
            f"SUM(CASE WHEN {left} > 0 THEN {left} ELSE 0 END) FROM invoices "
            f"WHERE kind = 'invoice' AND settled_on IS NULL{since} "
            "GROUP BY customer_id, currency "
            "ON CONFLICT (customer_id, currency) DO UPDATE SET "
            "invoices = open_accounts.invoices + excluded.invoices, "
            "amount_minor = open_accounts.amount_minor + excluded.amount_minor, "
            "bound_minor = open_accounts.bound_minor + excluded.bound_minor"
        )
    )
    return [(cur, issued, int(sold)) for cur, issued, _due, _n, _left, sold in grouped]


def _write(
    conn: Connection,
    dues: dict[tuple[str, _Day, _Day], list[int]],
    accounts: dict[tuple[int, str], list[int]],
) -> None:
    merged: dict[tuple[str, date, date], list[int]] = defaultdict(lambda: [0, 0])
    for (currency, issued, due), (n, minor) in dues.items():
        m = merged[(currency, _day(issued), _day(due))]
        m[0] += n
        m[1] += minor
    sums.add_to(
        conn,
        open_dues,
        ("currency", "issue_date", "due_date"),
        [
            {"currency": c, "issue_date": i, "due_date": d, "invoices": n, "amount_minor": m}
            for (c, i, d), (n, m) in merged.items()
            if n or m
        ],
    )
    sums.add_to(
        conn,
        open_accounts,
        ("customer_id", "currency"),
        [
            {"customer_id": k, "currency": c, "invoices": n, "amount_minor": m, "bound_minor": b}
            for (k, c), (n, m, b) in accounts.items()
            if n or m or b
        ],
    )


def before(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """The `OPEN_COLUMNS` of these invoices as stored, by id."""
    cols = [invoices.c[c] for c in OPEN_COLUMNS]
    out: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(ids), 2000):
        q = select(invoices.c.id, *cols).where(invoices.c.id.in_(list(ids[start : start + 2000])))
        out.update((r[0], tuple(r[1:])) for r in conn.execute(q))
    return out


# --- reading -------------------------------------------------------------------------


def dues(conn: Connection, as_of: date) -> list[tuple[date, str, int, int]]:
    """(due day, currency, invoices, left to pay) of what is open now, as
    `report_repo.open_by_due_date` groups the invoices themselves on a day the book
    has not moved past: first those due by `as_of`, then those due later and issued by
    then, each part by due day and currency."""
    n = func.sum(open_dues.c.invoices)
    cols = (open_dues.c.due_date, open_dues.c.currency, n, func.sum(open_dues.c.amount_minor))
    by = (open_dues.c.due_date, open_dues.c.currency)
    parts = [
        (open_dues.c.due_date <= as_of,),
        (open_dues.c.due_date > as_of, open_dues.c.issue_date <= as_of),
    ]
    out: list[tuple[date, str, int, int]] = []
    for where in parts:
        q = select(*cols).where(*where).group_by(*by).having(n > 0).order_by(*by)
        out.extend((due, cur, int(k), int(m)) for due, cur, k, m in conn.execute(q))
    return out


def largest(conn: Connection, offset: int, limit: int) -> list[tuple[int, str, int]]:
    """(customer, currency, bound) of the open accounts with the largest bounds, from
    the `offset`-th on (the bound: what is left to pay, nothing below zero counted),
    in one order that pages (read backwards along `ix_open_accounts_bound`)."""
    q = (
        select(open_accounts.c.customer_id, open_accounts.c.currency, open_accounts.c.bound_minor)
        .where(open_accounts.c.invoices > 0)
        .order_by(
            open_accounts.c.bound_minor.desc(),
            open_accounts.c.customer_id.desc(),
            open_accounts.c.currency.desc(),
        )
        .offset(offset)
        .limit(limit)
    )
    return [(int(c), cur, int(b)) for c, cur, b in conn.execute(q)]


# --- checking --------------------------------------------------------------------------


def _open_now() -> tuple[Any, ...]:
    # the kind written as a constant so that SQLite can use its partial index
    return (
        invoices.c.kind == literal_column("'invoice'"),
        invoices.c.settled_on.is_(None),
    )


def _dues(*where: Any, sold: bool = False) -> Any:
    """The open invoices (and `where`) grouped as `open_dues` keeps them: currency,
    issue day, due day, how many, left to pay (and with `sold`, what they were issued
    for). Grouped in the order of `ix_invoices_open`, which SQLite reads without a sort."""
    cols = [
        invoices.c.currency,
        invoices.c.issue_date,
        invoices.c.due_date,
        func.count(),
        func.sum(invoices.c.amount_minor - invoices.c.paid_minor),
    ]
    if sold:
        cols.append(func.sum(invoices.c.amount_minor))
    return (
        select(*cols)
        .where(*_open_now(), *where)
        .group_by(invoices.c.due_date, invoices.c.currency, invoices.c.issue_date)
    )


def from_invoices(conn: Connection) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Both tables' rows as grouping every open invoice gives them, sorted."""
    left = invoices.c.amount_minor - invoices.c.paid_minor
    bound = func.sum(case((left > 0, left), else_=0))
    dues_rows = sorted((c, i, d, int(n), int(m)) for c, i, d, n, m in conn.execute(_dues()))
    q = (
        select(invoices.c.customer_id, invoices.c.currency, func.count(), func.sum(left), bound)
        .where(*_open_now())
        .group_by(invoices.c.customer_id, invoices.c.currency)
    )
    account_rows = sorted((k, c, int(n), int(m), int(b)) for k, c, n, m, b in conn.execute(q))
    return dues_rows, account_rows


def kept(conn: Connection) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Both tables' rows as kept (those that hold anything but zeros), sorted."""
    d = open_dues.c
    dues_rows = sorted(
        (c, i, due, int(n), int(m))
        for c, i, due, n, m in conn.execute(
            select(d.currency, d.issue_date, d.due_date, d.invoices, d.amount_minor).where(
                or_(d.invoices != 0, d.amount_minor != 0)
            )
        )
    )
    a = open_accounts.c
    account_rows = sorted(
        (k, c, int(n), int(m), int(b))
        for k, c, n, m, b in conn.execute(
            select(a.customer_id, a.currency, a.invoices, a.amount_minor, a.bound_minor).where(
                or_(a.invoices != 0, a.amount_minor != 0, a.bound_minor != 0)
            )
        )
    )
    return dues_rows, account_rows


def recount(conn: Connection) -> None:
    """Both tables made again from the invoices."""
    conn.execute(delete(open_dues))
    conn.execute(delete(open_accounts))
    dues_rows, account_rows = from_invoices(conn)
    keys = ("currency", "issue_date", "due_date", "invoices", "amount_minor")
    if dues_rows:
        conn.execute(insert(open_dues), [dict(zip(keys, r, strict=True)) for r in dues_rows])
    keys = ("customer_id", "currency", "invoices", "amount_minor", "bound_minor")
    if account_rows:
        conn.execute(insert(open_accounts), [dict(zip(keys, r, strict=True)) for r in account_rows])
