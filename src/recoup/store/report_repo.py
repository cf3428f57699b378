"""Report queries that run in the database: aging, sales for DSO, the customer list.

Aging reads open amounts per due date and currency; the domain puts them in buckets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.engine import Connection

from recoup.store import open_repo, point_in_time, sales_repo
from recoup.store.tables import (
    CHARGE_KINDS_SQL,
    actions,
    allocations,
    customers,
    invoices,
    payments,
)


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


def _open_amount_at(as_of: date, past: bool = True) -> Any:
    """What was still to pay of an invoice at `as_of`. For a day the book has not moved
    past (`point_in_time.moved_past` false: no payment or credit note dated or applied
    after it) every allocation of an invoice issued by then is dated by then, so the
    stored figure is the day's: a difference of two columns, no CASE or subquery to
    evaluate per row."""
    if not past:
        return invoices.c.amount_minor - invoices.c.paid_minor
    return invoices.c.amount_minor - _paid_at(as_of)


def open_by_due_date(conn: Connection, as_of: date, customer_id: int | None = None) -> list[DueRow]:
    """Count and open amount of the invoices open at `as_of`, per currency and due date.

    The invoices not settled at all are read from `ix_invoices_open` in due-date order,
    so SQLite neither sorts nor touches the table: first those already due (issued
    before their due date, so no issue-date test is needed), then those not yet due.
    Invoices settled after `as_of` come from `ix_invoices_settled_on`. The kind is
    written into the SQL as a constant so that SQLite can match the partial index.

    For the whole book on a day it has not moved past, the same rows come from the
    figures kept as invoices are written (`open_repo.dues`): a few thousand rows, not
    every open invoice.
    """
    past = point_in_time.moved_past(conn, as_of)
    if customer_id is None and not past:
        return [DueRow(cur, due, n, a) for due, cur, n, a in open_repo.dues(conn, as_of)]
    cols = (
        invoices.c.due_date,
        invoices.c.currency,
        func.count(),
        func.sum(_open_amount_at(as_of, past)),
    )
    is_invoice = invoices.c.kind == literal_column("'invoice'")
    issued = invoices.c.issue_date <= as_of
    parts = [
        (invoices.c.settled_on.is_(None), is_invoice, invoices.c.due_date <= as_of),
        (invoices.c.settled_on.is_(None), is_invoice, invoices.c.due_date > as_of, issued),
    ]
    if past:  # else nothing was settled after the day
        parts.append((invoices.c.settled_on > as_of, is_invoice, issued))
    out: list[DueRow] = []
    for where in parts:
        q = select(*cols).where(*where).group_by(invoices.c.due_date, invoices.c.currency)
        if customer_id is not None:
            q = q.where(invoices.c.customer_id == customer_id)
        out.extend(DueRow(cur, due, int(n), int(a)) for due, cur, n, a in conn.execute(q))
    return out


def unapplied_credit(
    conn: Connection, as_of: date, customer_ids: Sequence[int] | None = None
) -> dict[str, int]:
    """Payments and credit notes dated by `as_of` and not all applied to invoices by
    then, per currency (of `customer_ids` only, when given).

    Only those not all applied today, or all applied after `as_of`, are read (through
    partial indexes); the rest were used up by `as_of`. What a payment paid of fees and
    interest counts here as not applied: an account's state works that part out
    (`recoup.services.account_state`).
    """
    if customer_ids is not None:
        out: dict[str, int] = {}
        for start in range(0, len(customer_ids), 2000):
            chunk = list(customer_ids[start : start + 2000])
            for cur, amount in _unapplied(conn, as_of, chunk).items():
                out[cur] = out.get(cur, 0) + amount
        return {cur: amount for cur, amount in out.items() if amount}
    return {cur: amount for cur, amount in _unapplied(conn, as_of, None).items() if amount}


def _unapplied(conn: Connection, as_of: date, chunk: list[int] | None) -> dict[str, int]:
    out: dict[str, int] = {}
    used_by_pay = (
        select(func.coalesce(func.sum(allocations.c.amount_minor), 0))
        .where(allocations.c.payment_id == payments.c.id, allocations.c.date <= as_of)
        .scalar_subquery()
    )
    later = point_in_time.applied_after(conn, as_of)
    for cond in (payments.c.applied_on.is_(None), payments.c.applied_on > as_of)[: 1 + later]:
        q = (
            select(payments.c.currency, func.sum(payments.c.amount_minor - used_by_pay))
            .where(cond, payments.c.date <= as_of)
            .group_by(payments.c.currency)
        )
        if chunk is not None:
            q = q.where(payments.c.customer_id.in_(chunk))
        for cur, amount in conn.execute(q):
            out[cur] = out.get(cur, 0) + int(amount)
    used_by_note = (
        select(func.coalesce(func.sum(allocations.c.amount_minor), 0))
        .where(allocations.c.credit_note_id == invoices.c.id, allocations.c.date <= as_of)
        .scalar_subquery()
    )
    is_note = invoices.c.kind == literal_column("'credit_note'")
    later = point_in_time.settled_after(conn, as_of)
    for cond in (invoices.c.settled_on.is_(None), invoices.c.settled_on > as_of)[: 1 + later]:
        q = (
            select(invoices.c.currency, func.sum(invoices.c.amount_minor - used_by_note))
            .where(cond, is_note, invoices.c.issue_date <= as_of)
            .group_by(invoices.c.currency)
        )
        if chunk is not None:
            q = q.where(invoices.c.customer_id.in_(chunk))
        for cur, amount in conn.execute(q):
            out[cur] = out.get(cur, 0) + int(amount)
    return out


def sales_by_day(conn: Connection, start: date, end: date) -> list[tuple[str, date, int]]:
    """Invoiced minus credited, per currency and issue day, for days in [start, end]:
    kept as the invoices are written (`sales_repo`), not grouped from them here."""
    return sales_repo.of_days(conn, start, end)


def first_issue_date(conn: Connection) -> date | None:
    first: date | None = conn.execute(select(func.min(invoices.c.issue_date))).scalar_one()
    return first


def currencies(conn: Connection) -> list[str]:
    q = select(invoices.c.currency).distinct().order_by(invoices.c.currency)
    return [r[0] for r in conn.execute(q)]


# --- customer list -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListedCustomer:
    """A customer on a page of the list (its figures come from its account's state)."""

    id: int
    key: str
    name: str
    country: str


def customer_page(
    conn: Connection,
    today: date,
    search: str,
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
    past: bool = False,
) -> tuple[int, list[ListedCustomer]]:
    """The number of customers found and one page of them, in the order asked for.

    Sorted by name or key, only the page is read. Sorted by balance, overdue part or
    oldest due date, the database works each customer's figures out per currency
    (`_by_currency`) and orders by those of the customer's first currency (amounts in
    different currencies are not comparable: each currency's customers come together).
    """
    cond = None
    if search:
        like = f"%{search.lower()}%"
        cond = or_(func.lower(customers.c.name).like(like), func.lower(customers.c.key).like(like))
    base = select(customers.c.id).select_from(customers)
    if cond is not None:
        base = base.where(cond)
    total = conn.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    cols = (customers.c.id, customers.c.key, customers.c.name, customers.c.country)
    source: Any = customers
    order_by: list[Any]
    if sort in ("balance", "overdue", "oldest"):
        first = _first_currency(_by_currency(today, past))
        source = customers.outerjoin(first, first.c.cid == customers.c.id)
        column = {"balance": first.c.balance, "overdue": first.c.overdue, "oldest": first.c.oldest}
        order: Any = column[sort]
        if sort != "oldest":
            order = func.coalesce(order, 0)
        order_by = [order.desc() if descending else order.asc()]
        if sort in ("balance", "overdue"):
            order_by[:0] = [first.c.currency.is_(None), first.c.currency]
    else:
        order = customers.c.key if sort == "key" else customers.c.name
        order_by = [order.desc() if descending else order.asc()]
    q = (
        select(*cols)
        .select_from(source)
        .order_by(*order_by, customers.c.key)
        .limit(limit)
        .offset(offset)
    )
    if cond is not None:
        q = q.where(cond)
    return total, [ListedCustomer(int(i), k, n, c) for i, k, n, c in conn.execute(q)]


def _by_currency(today: date, past: bool) -> Any:
    """Each customer's figures per currency on `today`: the open invoices (balance part,
    overdue part, count, oldest due date), less payments and credit notes not applied,
    plus fees and interest charged and not paid. With `past`, open amounts and money on
    account as known on `today` (`recoup.store.point_in_time`). What payments paid of
    the charges is the stored figure (all of it): exact when the charges were made by
    `today` and the book has not moved past it; otherwise a charged customer's place in
    the order may differ slightly from its shown balance (from its account's state)."""
    left: Any = invoices.c.amount_minor - invoices.c.paid_minor
    is_open: Any = and_(invoices.c.kind == "invoice", invoices.c.status != "paid")
    if past:
        left, is_open = _open_amount_at(today), _open_at(today)
    opened = select(
        invoices.c.customer_id.label("cid"),
        invoices.c.currency.label("currency"),
        left.label("balance"),
        case((invoices.c.due_date < today, left), else_=0).label("overdue"),
        literal_column("1").label("n"),
        invoices.c.due_date.label("oldest"),
    ).where(is_open, left > 0)
    used_by_pay = (
        select(func.coalesce(func.sum(allocations.c.amount_minor), 0))
        .where(allocations.c.payment_id == payments.c.id, allocations.c.date <= today)
        .scalar_subquery()
    )
    used_ever = (
        select(func.coalesce(func.sum(allocations.c.amount_minor), 0))
        .where(allocations.c.payment_id == payments.c.id)
        .scalar_subquery()
    )
    # what a payment paid of fees and interest is what it applied beyond the invoices
    to_charges = payments.c.applied_minor - used_ever
    paid_in = select(
        payments.c.customer_id,
        payments.c.currency,
        -(payments.c.amount_minor - used_by_pay - to_charges),
        literal_column("0"),
        literal_column("0"),
        null(),
    ).where(
        or_(payments.c.applied_on.is_(None), payments.c.applied_on > today),
        payments.c.date <= today,
    )
    used_by_note = (
        select(func.coalesce(func.sum(allocations.c.amount_minor), 0))
        .where(allocations.c.credit_note_id == invoices.c.id, allocations.c.date <= today)
        .scalar_subquery()
    )
    credited = select(
        invoices.c.customer_id,
        invoices.c.currency,
        -(invoices.c.amount_minor - used_by_note),
        literal_column("0"),
        literal_column("0"),
        null(),
    ).where(
        invoices.c.kind == literal_column("'credit_note'"),
        or_(invoices.c.settled_on.is_(None), invoices.c.settled_on > today),
        invoices.c.issue_date <= today,
    )
    charged = select(
        actions.c.customer_id,
        actions.c.currency,
        actions.c.amount_minor - actions.c.paid_minor,
        literal_column("0"),
        literal_column("0"),
        null(),
    ).where(text(CHARGE_KINDS_SQL), actions.c.run_on <= today)
    parts = union_all(opened, paid_in, credited, charged).subquery()
    return (
        select(
            parts.c.cid,
            parts.c.currency,
            func.sum(parts.c.balance).label("balance"),
            func.sum(parts.c.overdue).label("overdue"),
            func.sum(parts.c.n).label("n"),
            func.min(parts.c.oldest).label("oldest"),
        )
        .group_by(parts.c.cid, parts.c.currency)
        .having(or_(func.sum(parts.c.n) > 0, func.sum(parts.c.balance) != 0))
        .subquery()
    )


def _first_currency(per_currency: Any) -> Any:
    """Per customer: the figures in its first currency (by code), and the oldest due
    date over all its currencies."""
    first = (
        select(
            per_currency.c.cid,
            func.min(per_currency.c.currency).label("currency"),
            func.min(per_currency.c.oldest).label("oldest"),
        )
        .group_by(per_currency.c.cid)
        .subquery()
    )
    return (
        select(
            first.c.cid,
            first.c.currency,
            first.c.oldest,
            per_currency.c.balance,
            per_currency.c.overdue,
        )
        .select_from(
            first.join(
                per_currency,
                and_(
                    per_currency.c.cid == first.c.cid,
                    per_currency.c.currency == first.c.currency,
                ),
            )
        )
        .subquery()
    )


def top_overdue(conn: Connection, as_of: date, limit: int) -> list[dict[str, Any]]:
    """The customers with the largest amounts past due at `as_of` (all currencies),
    largest first, then by customer key and currency.

    On a day the book has not moved past, the accounts are looked at in the order of
    what is left to pay of them (`open_repo.largest`, kept as invoices are written):
    what is overdue of an account is part of that, so once the last of the `limit`
    largest overdue amounts found is more than what is left of any account not yet
    looked at, the rest cannot come in. A book whose open money is mostly overdue (a
    collection book) is done after the first few dozen accounts; one where little is
    overdue reads on, and past `_MOST_LOOKED_AT` accounts groups every open invoice
    as on other days."""
    past = point_in_time.moved_past(conn, as_of)
    if not past and limit > 0:
        found = _top_from_largest(conn, as_of, limit)
        if found is not None:
            return found
    q = _named(_overdue_sums(as_of, past)).limit(limit)
    return [_public(r) for r in conn.execute(q).mappings()]


_MOST_LOOKED_AT = 8192


def _top_from_largest(conn: Connection, as_of: date, limit: int) -> list[dict[str, Any]] | None:
    found: list[dict[str, Any]] = []
    offset, size = 0, max(4 * limit, 64)
    while offset < _MOST_LOOKED_AT:
        batch = open_repo.largest(conn, offset, size)
        if batch:
            pairs = {(cid, cur) for cid, cur, _ in batch}
            q = _named(_overdue_of(as_of, sorted({cid for cid, _ in pairs})))
            found.extend(
                _public(r)
                for r in conn.execute(q).mappings()
                if (r["customer_id"], r["currency"]) in pairs
            )
            found.sort(key=lambda r: (-int(r["overdue"]), r["key"], r["currency"]))
            del found[limit:]
        if len(batch) < size:
            return found  # every open account looked at
        offset += size
        if len(found) == limit and int(found[-1]["overdue"]) > batch[-1][2]:
            return found
        size *= 2
    return None


def _public(row: Any) -> dict[str, Any]:
    return {k: row[k] for k in ("key", "name", "currency", "overdue", "n", "oldest_due")}


def _overdue_of(as_of: date, customer_ids: Sequence[int]) -> Any:
    """`_overdue_sums` of these customers on a day the book has not moved past, read
    from `ix_invoices_open_by_customer` by customer: what is past due is told apart in
    the sums, not in the WHERE, which would lead a PostgreSQL book never analysed to
    read every open invoice by due date and keep these customers' ones."""
    late = and_(invoices.c.due_date < as_of, invoices.c.issue_date <= as_of)
    left = invoices.c.amount_minor - invoices.c.paid_minor
    n = func.count(case((late, 1)))
    return (
        select(
            invoices.c.customer_id,
            invoices.c.currency,
            func.sum(case((late, left), else_=0)).label("overdue"),
            n.label("n"),
            func.min(case((late, invoices.c.due_date))).label("oldest_due"),
        )
        .where(
            invoices.c.settled_on.is_(None),
            invoices.c.kind == literal_column("'invoice'"),
            invoices.c.customer_id.in_(list(customer_ids)),
        )
        .group_by(invoices.c.customer_id, invoices.c.currency)
        .having(n > 0)
        .subquery()
    )


def _overdue_sums(as_of: date, past: bool, customer_ids: Sequence[int] | None = None) -> Any:
    """Per customer and currency: what is past due at `as_of`, of how many invoices,
    and the oldest due day.

    The invoices open now are added up from `ix_invoices_open_by_customer` (the kind
    written as a constant so that SQLite matches the partial index; no OR, which
    PostgreSQL can only answer by reading the whole table); those settled after `as_of`
    are added only when there are any (`past`)."""
    amount = _open_amount_at(as_of, past)
    is_invoice = invoices.c.kind == literal_column("'invoice'")
    past_due = [invoices.c.due_date < as_of, invoices.c.issue_date <= as_of, is_invoice]
    if customer_ids is not None:
        past_due.append(invoices.c.customer_id.in_(list(customer_ids)))
    cols = (
        invoices.c.customer_id,
        invoices.c.currency,
        func.sum(amount).label("overdue"),
        func.count().label("n"),
        func.min(invoices.c.due_date).label("oldest_due"),
    )
    by = (invoices.c.customer_id, invoices.c.currency)
    parts = [select(*cols).where(invoices.c.settled_on.is_(None), *past_due).group_by(*by)]
    if past:  # else nothing was settled after the day
        later = invoices.c.settled_on > as_of
        parts.append(select(*cols).where(later, *past_due).group_by(*by))
    if len(parts) == 1:
        return parts[0].subquery()
    part = union_all(*parts).subquery()
    return (
        select(
            part.c.customer_id,
            part.c.currency,
            func.sum(part.c.overdue).label("overdue"),
            func.sum(part.c.n).label("n"),
            func.min(part.c.oldest_due).label("oldest_due"),
        )
        .group_by(part.c.customer_id, part.c.currency)
        .subquery()
    )


def _named(sums: Any) -> Any:
    """The sums with their customers' keys and names (joined to the sums, not to every
    invoice), largest first."""
    return (
        select(
            sums.c.customer_id,
            customers.c.key,
            customers.c.name,
            sums.c.currency,
            sums.c.overdue,
            sums.c.n,
            sums.c.oldest_due,
        )
        .select_from(sums.join(customers, customers.c.id == sums.c.customer_id))
        .order_by(sums.c.overdue.desc(), customers.c.key, sums.c.currency)
    )


def settled_invoices(conn: Connection, customer_id: int) -> list[tuple[date, date, date]]:
    q = select(invoices.c.issue_date, invoices.c.due_date, invoices.c.settled_on).where(
        invoices.c.customer_id == customer_id,
        invoices.c.kind == "invoice",
        invoices.c.settled_on.is_not(None),
    )
    return [(a, b, c) for a, b, c in conn.execute(q)]
