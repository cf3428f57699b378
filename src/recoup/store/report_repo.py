"""Report queries that run in the database: aging, sales for DSO, the customer list.

Aging reads open amounts per due date and currency; the domain puts them in buckets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal_column, or_, select
from sqlalchemy.engine import Connection

from recoup.store.tables import allocations, customers, invoices, payments


@dataclass(frozen=True, slots=True)
class DueRow:
    """Invoices open at the as-of date that share a currency and a due date."""

    currency: str
    due_date: date
    count: int
    amount_minor: int


def _open_at(as_of: date) -> ColumnElement[bool]:
    return and_(
        invoices.c.kind == "invoice",
        invoices.c.issue_date <= as_of,
        or_(invoices.c.settled_on.is_(None), invoices.c.settled_on > as_of),
    )


def _paid_at(as_of: date) -> Any:
    """What had been applied to the invoice by `as_of`; the allocations are read only
    when some came before and some after it."""
    paid = (
        select(func.coalesce(func.sum(allocations.c.amount_minor), 0))
        .where(allocations.c.invoice_id == invoices.c.id, allocations.c.date <= as_of)
        .scalar_subquery()
    )
    return case(
        (or_(invoices.c.first_paid_on.is_(None), invoices.c.first_paid_on > as_of), 0),
        (invoices.c.last_paid_on <= as_of, invoices.c.paid_minor),
        else_=paid,
    )


def _open_amount_at(as_of: date) -> Any:
    return invoices.c.amount_minor - _paid_at(as_of)


def open_by_due_date(conn: Connection, as_of: date, customer_id: int | None = None) -> list[DueRow]:
    """Count and open amount of the invoices open at `as_of`, per currency and due date.

    The invoices not settled at all are read from `ix_invoices_open` in due-date order,
    so SQLite neither sorts nor touches the table: first those already due (issued
    before their due date, so no issue-date test is needed), then those not yet due.
    Invoices settled after `as_of` come from `ix_invoices_settled_on`. The kind is
    written into the SQL as a constant so that SQLite can match the partial index.
    """
    cols = (
        invoices.c.due_date,
        invoices.c.currency,
        func.count(),
        func.sum(_open_amount_at(as_of)),
    )
    is_invoice = invoices.c.kind == literal_column("'invoice'")
    issued = invoices.c.issue_date <= as_of
    parts = [
        (invoices.c.settled_on.is_(None), is_invoice, invoices.c.due_date <= as_of),
        (invoices.c.settled_on.is_(None), is_invoice, invoices.c.due_date > as_of, issued),
        (invoices.c.settled_on > as_of, is_invoice, issued),
    ]
    out: list[DueRow] = []
    for where in parts:
        q = select(*cols).where(*where).group_by(invoices.c.due_date, invoices.c.currency)
        if customer_id is not None:
            q = q.where(invoices.c.customer_id == customer_id)
        out.extend(DueRow(cur, due, int(n), int(a)) for due, cur, n, a in conn.execute(q))
    return out


def unapplied_credit(conn: Connection, as_of: date) -> dict[str, int]:
    """Payments and credit notes dated by `as_of` and not all applied by then, per currency.

    Only those not all applied today, or all applied after `as_of`, are read (through
    partial indexes); the rest were used up by `as_of`.
    """
    out: dict[str, int] = {}
    used_by_pay = (
        select(func.coalesce(func.sum(allocations.c.amount_minor), 0))
        .where(allocations.c.payment_id == payments.c.id, allocations.c.date <= as_of)
        .scalar_subquery()
    )
    for cond in (payments.c.applied_on.is_(None), payments.c.applied_on > as_of):
        q = (
            select(payments.c.currency, func.sum(payments.c.amount_minor - used_by_pay))
            .where(cond, payments.c.date <= as_of)
            .group_by(payments.c.currency)
        )
        for cur, amount in conn.execute(q):
            out[cur] = out.get(cur, 0) + int(amount)
    used_by_note = (
        select(func.coalesce(func.sum(allocations.c.amount_minor), 0))
        .where(allocations.c.credit_note_id == invoices.c.id, allocations.c.date <= as_of)
        .scalar_subquery()
    )
    is_note = invoices.c.kind == literal_column("'credit_note'")
    for cond in (invoices.c.settled_on.is_(None), invoices.c.settled_on > as_of):
        q = (
            select(invoices.c.currency, func.sum(invoices.c.amount_minor - used_by_note))
            .where(cond, is_note, invoices.c.issue_date <= as_of)
            .group_by(invoices.c.currency)
        )
        for cur, amount in conn.execute(q):
            out[cur] = out.get(cur, 0) + int(amount)
    return {cur: amount for cur, amount in out.items() if amount}


def sales_by_day(conn: Connection, start: date, end: date) -> list[tuple[str, date, int]]:
    """Invoiced minus credited, per currency and issue day, for days in [start, end]."""
    signed = case(
        (invoices.c.kind == "credit_note", -invoices.c.amount_minor), else_=invoices.c.amount_minor
    )
    q = (
        select(invoices.c.currency, invoices.c.issue_date, func.sum(signed))
        .where(invoices.c.issue_date >= start, invoices.c.issue_date <= end)
        .group_by(invoices.c.currency, invoices.c.issue_date)
    )
    return [(cur, day, int(amount)) for cur, day, amount in conn.execute(q)]


def first_issue_date(conn: Connection) -> date | None:
    first: date | None = conn.execute(select(func.min(invoices.c.issue_date))).scalar_one()
    return first


def currencies(conn: Connection) -> list[str]:
    q = select(invoices.c.currency).distinct().order_by(invoices.c.currency)
    return [r[0] for r in conn.execute(q)]


# --- customer list -----------------------------------------------------------------

SORTS = {
    "name": customers.c.name,
    "key": customers.c.key,
}


@dataclass(frozen=True, slots=True)
class CustomerLine:
    key: str
    name: str
    country: str
    currency: str | None
    balance_minor: int
    overdue_minor: int
    open_count: int
    oldest_due: date | None


def customer_page(
    conn: Connection,
    today: date,
    search: str,
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
    past: bool = False,
) -> tuple[int, list[CustomerLine]]:
    """One page of customers with their current balance, overdue part and oldest due date.

    Balances come from each invoice's stored open amount (everything recorded so far);
    with `past` (the book has moved past `today`, `recoup.store.point_in_time`), from
    the invoices open on `today` and what was paid of them by then, as aging reads them.
    """
    left: Any = invoices.c.amount_minor - invoices.c.paid_minor
    is_open: Any = and_(invoices.c.kind == "invoice", invoices.c.status != "paid")
    if past:
        left, is_open = _open_amount_at(today), _open_at(today)
    open_inv = (
        select(
            invoices.c.customer_id.label("cid"),
            func.min(invoices.c.currency).label("currency"),
            func.sum(left).label("balance"),
            func.sum(case((invoices.c.due_date < today, left), else_=0)).label("overdue"),
            func.count().label("n"),
            func.min(invoices.c.due_date).label("oldest"),
        )
        .where(is_open)
        .group_by(invoices.c.customer_id)
        .subquery()
    )
    cond = None
    if search:
        like = f"%{search.lower()}%"
        cond = or_(func.lower(customers.c.name).like(like), func.lower(customers.c.key).like(like))
    base = select(customers.c.id).select_from(customers)
    if cond is not None:
        base = base.where(cond)
    total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    order_cols: dict[str, Any] = {
        "name": customers.c.name,
        "key": customers.c.key,
        "balance": func.coalesce(open_inv.c.balance, 0),
        "overdue": func.coalesce(open_inv.c.overdue, 0),
        "oldest": open_inv.c.oldest,
    }
    order = order_cols.get(sort, customers.c.name)
    order_by = [order.desc() if descending else order.asc()]
    if sort in ("balance", "overdue"):
        # amounts in different currencies are not comparable: group by currency first
        order_by.insert(0, open_inv.c.currency.is_(None))
        order_by.insert(1, open_inv.c.currency)
    q = (
        select(
            customers.c.key,
            customers.c.name,
            customers.c.country,
            open_inv.c.currency,
            func.coalesce(open_inv.c.balance, 0),
            func.coalesce(open_inv.c.overdue, 0),
            func.coalesce(open_inv.c.n, 0),
            open_inv.c.oldest,
        )
        .select_from(customers.outerjoin(open_inv, open_inv.c.cid == customers.c.id))
        .order_by(*order_by, customers.c.key)
        .limit(limit)
        .offset(offset)
    )
    if cond is not None:
        q = q.where(cond)
    lines = [
        CustomerLine(k, n, c, cur, int(b), int(o), int(cnt), old)
        for k, n, c, cur, b, o, cnt, old in conn.execute(q)
    ]
    return total, lines


def top_overdue(conn: Connection, as_of: date, limit: int) -> list[dict[str, Any]]:
    """The customers with the largest amounts past due at `as_of` (all currencies)."""
    amount = _open_amount_at(as_of)
    q = (
        select(
            customers.c.key,
            customers.c.name,
            invoices.c.currency,
            func.sum(amount).label("overdue"),
            func.count().label("n"),
            func.min(invoices.c.due_date).label("oldest_due"),
        )
        .select_from(invoices.join(customers, customers.c.id == invoices.c.customer_id))
        .where(_open_at(as_of), invoices.c.due_date < as_of)
        .group_by(customers.c.key, customers.c.name, invoices.c.currency)
        .order_by(func.sum(amount).desc(), customers.c.key)
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(q).mappings()]


def settled_invoices(conn: Connection, customer_id: int) -> list[tuple[date, date, date]]:
    q = select(invoices.c.issue_date, invoices.c.due_date, invoices.c.settled_on).where(
        invoices.c.customer_id == customer_id,
        invoices.c.kind == "invoice",
        invoices.c.settled_on.is_not(None),
    )
    return [(a, b, c) for a, b, c in conn.execute(q)]
