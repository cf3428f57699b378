"""Reads and writes of casework: the tables of `tables_casework`, and the ledger rows
(credit notes, debits, payments) casework adds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Table, and_, func, insert, select, update
from sqlalchemy.engine import Connection

from recoup.store.tables import actions, customers, invoices, payments
from recoup.store.tables_casework import (
    agency_recoveries,
    case_flags,
    casework_tasks,
    disputes,
    manual_contacts,
    placements,
    plan_installments,
    plans,
    promises,
    settlements,
    write_off_lines,
    write_off_reversals,
    write_offs,
)

__all__ = [
    "agency_recoveries",
    "case_flags",
    "casework_tasks",
    "disputes",
    "manual_contacts",
    "placements",
    "plan_installments",
    "plans",
    "promises",
    "settlements",
    "write_off_lines",
    "write_off_reversals",
    "write_offs",
]


def _chunks(ids: Sequence[int], size: int = 2000) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# --- generic rows ------------------------------------------------------------------------


def add(conn: Connection, table: Table, values: dict[str, Any]) -> int:
    """Insert one row; its id."""
    row = conn.execute(insert(table).values(**values).returning(table.c.id)).first()
    assert row is not None
    return int(row[0])


def add_plain(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows of a table without an id column."""
    if rows:
        conn.execute(insert(table), list(rows))


def change(conn: Connection, table: Table, row_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(table).where(table.c.id == row_id).values(**values))


def get(conn: Connection, table: Table, row_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(table).where(table.c.id == row_id)).mappings().first()
    return dict(row) if row else None


def get_for_update(conn: Connection, table: Table, row_id: int) -> dict[str, Any] | None:
    q = select(table).where(table.c.id == row_id)
    if conn.dialect.name != "sqlite":
        q = q.with_for_update()
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def rows(conn: Connection, table: Table, order: str = "id", **where: Any) -> list[dict[str, Any]]:
    q = select(table)
    for column, value in where.items():
        if isinstance(value, (list, tuple, set, frozenset)):
            q = q.where(table.c[column].in_(list(value)))
        else:
            q = q.where(table.c[column] == value)
    q = q.order_by(table.c[order])
    return [dict(r) for r in conn.execute(q).mappings()]


def customer_keys(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in _chunks(sorted(set(ids))):
        q = select(customers.c.id, customers.c.key).where(customers.c.id.in_(chunk))
        out.update({int(i): str(k) for i, k in conn.execute(q)})
    return out


# --- the ledger as casework sees it --------------------------------------------------------


def balances(conn: Connection, customer_id: int) -> dict[str, int]:
    """Open invoices less unapplied credit notes and payments, per currency (minor)."""
    out: dict[str, int] = defaultdict(int)
    q = (
        select(
            invoices.c.currency,
            invoices.c.kind,
            func.sum(invoices.c.amount_minor - invoices.c.paid_minor),
        )
        .where(invoices.c.customer_id == customer_id)
        .group_by(invoices.c.currency, invoices.c.kind)
    )
    for cur, kind, open_minor in conn.execute(q):
        out[cur] += int(open_minor or 0) * (-1 if kind == "credit_note" else 1)
    q = (
        select(payments.c.currency, func.sum(payments.c.amount_minor - payments.c.applied_minor))
        .where(payments.c.customer_id == customer_id)
        .group_by(payments.c.currency)
    )
    for row in conn.execute(q):
        out[row[0]] -= int(row[1] or 0)
    return dict(out)


def open_invoices(
    conn: Connection, customer_id: int, currency: str | None = None
) -> list[dict[str, Any]]:
    """The customer's invoices with something open, oldest due first."""
    q = select(invoices).where(
        invoices.c.customer_id == customer_id,
        invoices.c.kind == "invoice",
        invoices.c.amount_minor > invoices.c.paid_minor,
    )
    if currency is not None:
        q = q.where(invoices.c.currency == currency)
    q = q.order_by(invoices.c.due_date, invoices.c.issue_date, invoices.c.number)
    return [dict(r) for r in conn.execute(q).mappings()]


def invoice_by_number(conn: Connection, number: str) -> dict[str, Any] | None:
    row = conn.execute(select(invoices).where(invoices.c.number == number)).mappings().first()
    return dict(row) if row else None


def invoices_by_number(conn: Connection, numbers: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = sorted(set(numbers))
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), 2000):
        q = select(invoices).where(invoices.c.number.in_(wanted[start : start + 2000]))
        out.update({r["number"]: dict(r) for r in conn.execute(q).mappings()})
    return out


def payments_between(
    conn: Connection, customer_id: int, currency: str, start: date, end: date
) -> list[tuple[date, int]]:
    q = (
        select(payments.c.date, payments.c.amount_minor)
        .where(
            payments.c.customer_id == customer_id,
            payments.c.currency == currency,
            payments.c.date >= start,
            payments.c.date <= end,
        )
        .order_by(payments.c.date, payments.c.id)
    )
    return [(d, int(m)) for d, m in conn.execute(q)]


def unapplied_payments(conn: Connection, customer_id: int, currency: str) -> int:
    q = select(func.sum(payments.c.amount_minor - payments.c.applied_minor)).where(
        payments.c.customer_id == customer_id, payments.c.currency == currency
    )
    return int(conn.execute(q).scalar() or 0)


def last_payment_on(conn: Connection, customer_id: int) -> date | None:
    q = select(func.max(payments.c.date)).where(payments.c.customer_id == customer_id)
    value = conn.execute(q).scalar()
    return value if isinstance(value, date) else None


def add_document(
    conn: Connection,
    *,
    customer_id: int,
    number: str,
    kind: str,
    on: date,
    due: date,
    currency: str,
    amount_minor: int,
    tax_minor: int | None,
    reference: str,
    applies_to: str | None = None,
) -> int:
    """A credit note (kind "credit_note") or a debit (kind "invoice") in the ledger."""
    return add(
        conn,
        invoices,
        {
            "customer_id": customer_id,
            "number": number,
            "kind": kind,
            "issue_date": on,
            "due_date": due,
            "currency": currency,
            "amount_minor": amount_minor,
            "tax_minor": tax_minor,
            "reference": reference,
            "applies_to": applies_to,
            "status": "credit" if kind == "credit_note" else "open",
            "paid_minor": 0,
        },
    )


def add_payment(
    conn: Connection,
    *,
    customer_id: int,
    key: str,
    on: date,
    currency: str,
    amount_minor: int,
    method: str,
    reference: str,
    invoice_number: str | None = None,
) -> int:
    return add(
        conn,
        payments,
        {
            "customer_id": customer_id,
            "key": key,
            "date": on,
            "currency": currency,
            "amount_minor": amount_minor,
            "method": method,
            "reference": reference,
            "invoice_number": invoice_number,
        },
    )


# --- contacts and holds -------------------------------------------------------------------


def past_contacts(conn: Connection, customer_id: int) -> list[tuple[str, Any]]:
    """(kind, when) of every contact: the daily run's messages (a day; those withdrawn at
    delivery and the case-work notices left out) and those made by hand (an aware
    moment). Notes are not contacts."""
    out: list[tuple[str, Any]] = []
    q = select(actions.c.kind, actions.c.run_on).where(
        actions.c.customer_id == customer_id,
        actions.c.kind.in_(("email", "letter")),
        actions.c.withdrawn_on.is_(None),  # withdrawn at delivery: never made
        ~actions.c.stage.like("notice:%"),  # case-work notices answer the customer
    )
    out += [(k, d) for k, d in conn.execute(q)]
    q = select(manual_contacts.c.kind, manual_contacts.c.at).where(
        manual_contacts.c.customer_id == customer_id, manual_contacts.c.kind != "note"
    )
    out += [(k, at) for k, at in conn.execute(q)]
    return out


BULK = 2000  # above this many customers, read every row in force and filter here


def hold_rows(
    conn: Connection, customer_ids: Sequence[int], as_of: date, past: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """What may hold contact for these customers: flags in force, open promises, current
    plans, open disputes, placements with an agency. With `past` (a look at a day the
    book has moved past, `recoup.store.point_in_time`) also those that were so on
    `as_of` and were decided, resolved or recalled later.

    Rows in force are few however large the book; for many customers (the daily run's
    batches) each table is read once and filtered here instead of by long IN lists."""
    flag_q = select(case_flags).where(
        case_flags.c.since <= as_of,
        (case_flags.c.lifted_on.is_(None)) | (case_flags.c.lifted_on > as_of),
    )
    promise_open: Any = promises.c.status == "open"
    plan_current: Any = plans.c.status == "current"
    dispute_open: Any = disputes.c.status == "open"
    placed: Any = placements.c.status == "placed"
    if past:
        promise_open = promise_open | (promises.c.decided_on > as_of)
        # a plan ended later was current on `as_of` if it had started (checked by the
        # caller); a cancelled one only if it had needed no approval or had it
        was_current = plans.c.status.in_(("completed", "defaulted")) | (
            (plans.c.status == "cancelled")
            & (plans.c.within_authority | plans.c.approved_by.is_not(None))
        )
        plan_current = plan_current | ((plans.c.decided_on > as_of) & was_current)
        dispute_open = dispute_open | (disputes.c.resolved_on > as_of)
        placed = placed | (placements.c.recalled_on > as_of)
    queries = {
        "flags": (flag_q, case_flags.c.customer_id),
        "promises": (select(promises).where(promise_open), promises.c.customer_id),
        "plans": (select(plans).where(plan_current), plans.c.customer_id),
        "disputes": (
            select(disputes, invoices.c.number.label("invoice"))
            .select_from(disputes.join(invoices, invoices.c.id == disputes.c.invoice_id))
            .where(dispute_open),
            disputes.c.customer_id,
        ),
        "placements": (
            select(placements).where(placed),
            placements.c.customer_id,
        ),
    }
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    ids = list(customer_ids)
    if len(ids) > BULK:
        wanted = set(ids)
        for name, (q, _column) in queries.items():
            out[name] = [dict(r) for r in conn.execute(q).mappings() if r["customer_id"] in wanted]
        return out
    for chunk in _chunks(ids):
        for name, (q, column) in queries.items():
            out[name] += [dict(r) for r in conn.execute(q.where(column.in_(chunk))).mappings()]
    return out


def open_disputed(conn: Connection, customer_id: int, invoice_id: int) -> int:
    q = select(func.coalesce(func.sum(disputes.c.amount_minor), 0)).where(
        disputes.c.customer_id == customer_id,
        disputes.c.invoice_id == invoice_id,
        disputes.c.status == "open",
    )
    return int(conn.execute(q).scalar() or 0)


def disputed_by_customer(
    conn: Connection, customer_ids: Sequence[int], as_of: date | None = None
) -> dict[int, dict[str, int]]:
    """customer id -> invoice number -> minor units under open dispute (`as_of`: under
    dispute on that day: opened by then, and open or resolved later)."""
    out: dict[int, dict[str, int]] = defaultdict(dict)
    is_open: Any = disputes.c.status == "open"
    if as_of is not None:
        is_open = (disputes.c.opened_on <= as_of) & (is_open | (disputes.c.resolved_on > as_of))
    q = (
        select(disputes.c.customer_id, invoices.c.number, func.sum(disputes.c.amount_minor))
        .select_from(disputes.join(invoices, invoices.c.id == disputes.c.invoice_id))
        .where(is_open)
        .group_by(disputes.c.customer_id, invoices.c.number)
    )
    for cid, number, minor in _for_customers(conn, q, disputes.c.customer_id, customer_ids):
        out[cid][number] = int(minor)
    return dict(out)


def _for_customers(
    conn: Connection, q: Any, column: Any, customer_ids: Sequence[int]
) -> Iterable[Any]:
    """The rows of `q` for these customers (the first column is the customer id): for
    many customers (the daily run's batches) the few rows in force are read once and
    filtered here, for a few by an IN list (long IN lists cost more to build than the
    rows they find)."""
    ids = list(customer_ids)
    if len(ids) > BULK:
        wanted = set(ids)
        return [r for r in conn.execute(q) if r[0] in wanted]
    return [r for chunk in _chunks(ids) for r in conn.execute(q.where(column.in_(chunk)))]


# --- tasks -----------------------------------------------------------------------------------


def add_task(
    conn: Connection, customer_id: int, kind: str, source: str, due_on: date, text: str
) -> int | None:
    """A follow-up, once per source (None: there already is one for it)."""
    have = conn.execute(
        select(casework_tasks.c.id).where(casework_tasks.c.source == source)
    ).first()
    if have is not None:
        return None
    return add(
        conn,
        casework_tasks,
        {
            "customer_id": customer_id,
            "kind": kind,
            "source": source,
            "due_on": due_on,
            "text": text,
        },
    )


def open_tasks(conn: Connection, as_of: date) -> list[dict[str, Any]]:
    q = (
        select(casework_tasks, customers.c.key.label("customer"), customers.c.name)
        .select_from(casework_tasks.join(customers, customers.c.id == casework_tasks.c.customer_id))
        # open on `as_of`: not done, or done later (a look at an earlier day)
        .where(
            casework_tasks.c.due_on <= as_of,
            casework_tasks.c.done_on.is_(None) | (casework_tasks.c.done_on > as_of),
        )
        .order_by(casework_tasks.c.due_on, casework_tasks.c.id)
    )
    return [dict(r) for r in conn.execute(q).mappings()]


# --- reports ---------------------------------------------------------------------------------


def write_offs_between(conn: Connection, start: date, end: date) -> list[dict[str, Any]]:
    q = (
        select(write_offs, customers.c.key.label("customer"), customers.c.name)
        .select_from(write_offs.join(customers, customers.c.id == write_offs.c.customer_id))
        .where(
            write_offs.c.status == "done",
            write_offs.c.written_on >= start,
            write_offs.c.written_on <= end,
        )
        .order_by(write_offs.c.written_on, write_offs.c.id)
    )
    return [dict(r) for r in conn.execute(q).mappings()]


def reversals_between(conn: Connection, start: date, end: date) -> list[dict[str, Any]]:
    q = (
        select(
            write_off_reversals,
            write_offs.c.currency,
            write_offs.c.reason,
            customers.c.key.label("customer"),
            customers.c.name,
        )
        .select_from(
            write_off_reversals.join(
                write_offs, write_offs.c.id == write_off_reversals.c.write_off_id
            ).join(customers, customers.c.id == write_offs.c.customer_id)
        )
        .where(and_(write_off_reversals.c.day >= start, write_off_reversals.c.day <= end))
        .order_by(write_off_reversals.c.day, write_off_reversals.c.id)
    )
    return [dict(r) for r in conn.execute(q).mappings()]


def manual_contact_days(
    conn: Connection, customer_ids: Sequence[int], as_of: date
) -> dict[int, list[tuple[date, str]]]:
    """customer id -> (day, kind) of the calls, visits and letters made by hand."""
    out: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for chunk in _chunks(list(customer_ids)):
        q = select(
            manual_contacts.c.customer_id, manual_contacts.c.day, manual_contacts.c.kind
        ).where(
            manual_contacts.c.customer_id.in_(chunk),
            manual_contacts.c.kind != "note",
            manual_contacts.c.day <= as_of,
        )
        for cid, day, kind in conn.execute(q):
            out[int(cid)].append((day, str(kind)))
    return dict(out)


def broken_promise_counts(
    conn: Connection, customer_ids: Sequence[int], since: date, until: date
) -> dict[int, int]:
    q = (
        select(promises.c.customer_id, func.count())
        .where(
            promises.c.status == "broken",
            promises.c.decided_on >= since,
            promises.c.decided_on <= until,
        )
        .group_by(promises.c.customer_id)
    )
    return {
        int(c): int(n) for c, n in _for_customers(conn, q, promises.c.customer_id, customer_ids)
    }
