"""Reads and writes of the ledger: customers, contacts, invoices, payments, allocations."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, select, text, update
from sqlalchemy.engine import Connection

from recoup.store import open_repo, sales_repo
from recoup.store.bulk import insert_rows
from recoup.store.tables import (
    CHARGE_KINDS_SQL,
    actions,
    allocations,
    contacts,
    customers,
    invoices,
    payments,
)

_SOLD = ("kind", "currency", "issue_date", "amount_minor")  # what a day's sales count
CUSTOMER_COLUMNS = ("key", "name", "country", "language", "timezone", "tags")
INVOICE_COLUMNS = (
    "customer_id",
    "number",
    "kind",
    "issue_date",
    "due_date",
    "currency",
    "amount_minor",
    "tax_minor",
    "reference",
    "terms_days",
    "applies_to",
    "status",
    "paid_minor",
    "first_paid_on",
    "last_paid_on",
    "settled_on",
)
# an ordinary invoice: kind, status, paid and the dates of payment take their defaults
PLAIN_INVOICE_COLUMNS = (
    "customer_id",
    "number",
    "issue_date",
    "due_date",
    "currency",
    "amount_minor",
    "tax_minor",
    "reference",
    "terms_days",
)
PAYMENT_COLUMNS = (
    "customer_id",
    "key",
    "date",
    "currency",
    "amount_minor",
    "method",
    "reference",
    "invoice_number",
)
CONTACT_COLUMNS = ("customer_id", "name", "email", "phone", "address", "preferred_channel")


# --- customers -------------------------------------------------------------------


def customer_ids(conn: Connection) -> dict[str, int]:
    """key -> id of every customer (read with the driver: this can be 200,000 rows)."""
    return dict(conn.exec_driver_sql("SELECT key, id FROM customers").fetchall())


CUSTOMER_ROW = ("id", *CUSTOMER_COLUMNS, "region")  # what `customer_rows` gives


def customer_rows(conn: Connection) -> dict[str, tuple[Any, ...]]:
    """key -> the customer's row, in `CUSTOMER_ROW` order."""
    cols = [customers.c[c] for c in CUSTOMER_ROW]
    return {row[1]: tuple(row) for row in conn.execute(select(*cols))}


def insert_customers(
    conn: Connection, rows: Sequence[Sequence[Any]], columns: Sequence[str] = CUSTOMER_COLUMNS
) -> list[int]:
    """Insert new customers (rows in `columns` order, key first: by default
    `CUSTOMER_COLUMNS`); their ids, in the same order.

    On SQLite a row without an id gets one more than the largest id in the table, so
    rows inserted together under the write lock get consecutive ids; the count is
    checked, and the ids are read back by key when it does not add up (and always on
    PostgreSQL, where a sequence hands them out)."""
    before = _max_customer_id(conn) if conn.dialect.name == "sqlite" else None
    insert_rows(conn, customers, tuple(columns), rows, rebuild_indexes=True)
    if before is not None and _max_customer_id(conn) == before + len(rows):
        return list(range(before + 1, before + len(rows) + 1))
    known = customer_ids(conn)
    return [known[row[0]] for row in rows]


def _max_customer_id(conn: Connection) -> int:
    return int(conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM customers").scalar_one())


def update_customer(conn: Connection, customer_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(customers).where(customers.c.id == customer_id).values(**values))


def get_customer(conn: Connection, key: str) -> dict[str, Any] | None:
    row = conn.execute(select(customers).where(customers.c.key == key)).mappings().first()
    return dict(row) if row else None


def contacts_of(conn: Connection, customer_id: int) -> list[dict[str, Any]]:
    q = select(contacts).where(contacts.c.customer_id == customer_id).order_by(contacts.c.id)
    return [dict(r) for r in conn.execute(q).mappings()]


def contact_rows(conn: Connection) -> dict[int, list[tuple[Any, ...]]]:
    """customer id -> its contacts (`CONTACT_COLUMNS` without the customer), by id."""
    out: dict[int, list[tuple[Any, ...]]] = {}
    cols = [contacts.c[c] for c in CONTACT_COLUMNS]
    for row in conn.execute(select(*cols).order_by(contacts.c.id)):
        out.setdefault(row[0], []).append(tuple(row[1:]))
    return out


def replace_contacts(conn: Connection, customer_id: int, rows: Sequence[Sequence[Any]]) -> None:
    conn.execute(delete(contacts).where(contacts.c.customer_id == customer_id))
    insert_rows(conn, contacts, CONTACT_COLUMNS, [(customer_id, *r) for r in rows])


def insert_contacts(conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
    insert_rows(conn, contacts, CONTACT_COLUMNS, rows)


def count_customers(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(customers)).scalar_one()


# --- invoices and payments --------------------------------------------------------

INVOICE_KEY_FIELDS = (
    "customer_id",
    "kind",
    "issue_date",
    "due_date",
    "currency",
    "amount_minor",
    "tax_minor",
    "reference",
    "terms_days",
    "applies_to",
)


def invoice_index(conn: Connection) -> dict[str, tuple[Any, ...]]:
    """number -> (id, *INVOICE_KEY_FIELDS) for every invoice and credit note."""
    cols = [invoices.c.number, invoices.c.id, *[invoices.c[c] for c in INVOICE_KEY_FIELDS]]
    return {row[0]: tuple(row[1:]) for row in conn.execute(select(*cols))}


def invoice_owners(conn: Connection, numbers: Iterable[str]) -> dict[str, tuple[int, str]]:
    """number -> (customer id, currency) for the given invoice numbers that exist."""
    wanted = list(set(numbers))
    out: dict[str, tuple[int, str]] = {}
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        q = select(invoices.c.number, invoices.c.customer_id, invoices.c.currency).where(
            invoices.c.number.in_(chunk)
        )
        out.update({n: (c, cur) for n, c, cur in conn.execute(q)})
    return out


def currencies_of_customers(conn: Connection, ids: set[int]) -> dict[int, set[str]]:
    """The currencies each customer has been invoiced in."""
    out: dict[int, set[str]] = {}
    for chunk in _chunks(sorted(ids)):
        q = (
            select(invoices.c.customer_id, invoices.c.currency)
            .where(invoices.c.customer_id.in_(chunk))
            .distinct()
        )
        for cid, cur in conn.execute(q):
            out.setdefault(cid, set()).add(cur)
    return out


def insert_invoices(conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
    insert_rows(conn, invoices, INVOICE_COLUMNS, rows)
    k, c, d, a = (
        INVOICE_COLUMNS.index(n) for n in ("kind", "currency", "issue_date", "amount_minor")
    )
    sales_repo.add(conn, ((r[k], r[c], r[d], r[a]) for r in rows))
    at = [INVOICE_COLUMNS.index(n) for n in open_repo.OPEN_COLUMNS]
    open_repo.add(conn, ([r[i] for i in at] for r in rows))


def insert_plain_invoices(
    conn: Connection,
    rows: Sequence[Sequence[Any]],
    while_indexing: Callable[[], object] | None = None,
) -> None:
    """Ordinary open invoices, rows in PLAIN_INVOICE_COLUMNS order; the fast path."""
    # SQLite has one writer, so the rows this call inserts are those after the last id
    last = None
    if conn.dialect.name == "sqlite" and rows:
        last = int(conn.execute(select(func.coalesce(func.max(invoices.c.id), 0))).scalar_one())
    insert_rows(
        conn,
        invoices,
        PLAIN_INVOICE_COLUMNS,
        rows,
        rebuild_indexes=True,
        always_rebuild=frozenset({"ix_invoices_open", "ix_invoices_open_by_customer"}),
        while_indexing=while_indexing,
    )
    k, c, d, due, a = (
        PLAIN_INVOICE_COLUMNS.index(n)
        for n in ("customer_id", "currency", "issue_date", "due_date", "amount_minor")
    )
    if last is not None:  # the database groups the new rows once, for both
        sales_repo.add_plain(conn, open_repo.add_inserted(conn, last))
    else:
        sales_repo.add_plain(conn, ((r[c], r[d], r[a]) for r in rows))
        open_repo.add_plain(conn, ((r[k], r[d], r[due], r[c], r[a]) for r in rows))


def has_invoices(conn: Connection) -> bool:
    return bool(conn.execute(select(exists().select_from(invoices))).scalar())


def update_invoice(conn: Connection, invoice_id: int, values: dict[str, Any]) -> None:
    """Change an invoice; its day's sales follow when its kind, currency, issue day or
    amount changes, and what is open follows too (`open_repo`)."""
    before = None
    if any(n in values for n in _SOLD):
        q = select(*(invoices.c[n] for n in _SOLD)).where(invoices.c.id == invoice_id)
        before = conn.execute(q).first()
    was = None
    if any(n in values for n in open_repo.OPEN_COLUMNS):
        was = open_repo.before(conn, [invoice_id])
    conn.execute(update(invoices).where(invoices.c.id == invoice_id).values(**values))
    if before is not None:
        after = tuple(values.get(n, old) for n, old in zip(_SOLD, before, strict=True))
        sales_repo.add(conn, [tuple(before)], sign=-1)
        sales_repo.add(conn, [after])
    if was:
        old = was[invoice_id]
        now = [values.get(n, v) for n, v in zip(open_repo.OPEN_COLUMNS, old, strict=True)]
        open_repo.add(conn, [old], sign=-1)
        open_repo.add(conn, [now])


def payment_index(conn: Connection) -> dict[str, tuple[Any, ...]]:
    """key -> (id, customer_id, date, currency, amount_minor, method, reference, invoice)."""
    cols = [payments.c[c] for c in ("id", *PAYMENT_COLUMNS) if c != "key"]
    q = select(payments.c.key, *cols)
    return {row[0]: tuple(row[1:]) for row in conn.execute(q)}


def insert_payments(conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
    insert_rows(conn, payments, PAYMENT_COLUMNS, rows)


def payments_dated(
    conn: Connection, first: date | None, last: date, *, not_keyed: str
) -> list[tuple[Any, ...]]:
    """The payments dated from `first` (None: any day) to `last`, as PAYMENT_COLUMNS
    tuples in date and id order, leaving out those whose key starts with `not_keyed`."""
    # a prefix compared as it is written (SQLite's LIKE would ignore the letters' case)
    prefix = func.substr(payments.c.key, 1, len(not_keyed))
    q = select(*(payments.c[c] for c in PAYMENT_COLUMNS)).where(
        payments.c.date <= last, prefix != not_keyed
    )
    if first is not None:
        q = q.where(payments.c.date >= first)
    return [tuple(r) for r in conn.execute(q.order_by(payments.c.date, payments.c.id))]


def update_payment(conn: Connection, payment_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(payments).where(payments.c.id == payment_id).values(**values))


def customers_with_credits(conn: Connection) -> set[int]:
    q1 = select(payments.c.customer_id).distinct()
    q2 = select(invoices.c.customer_id).where(invoices.c.kind == "credit_note").distinct()
    return {r[0] for r in conn.execute(q1)} | {r[0] for r in conn.execute(q2)}


# --- allocation: what a recomputation reads and writes ------------------------------


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    id: int
    customer_id: int
    number: str
    kind: str
    issue_date: date
    due_date: date
    currency: str
    amount_minor: int
    applies_to: str | None
    # what the last allocation derived, as stored: only what changes is written again
    status: str | None = None
    paid_minor: int = 0
    first_paid_on: date | None = None
    last_paid_on: date | None = None
    settled_on: date | None = None

    def stored(self) -> tuple[int, str | None, int, date | None, date | None, date | None]:
        """The derived fields as `replace_allocations` takes them."""
        return (
            self.id,
            self.status,
            self.paid_minor,
            self.first_paid_on,
            self.last_paid_on,
            self.settled_on,
        )


_Day = date  # `PaymentRow.date` hides the type inside that class


@dataclass(frozen=True, slots=True)
class PaymentRow:
    id: int
    customer_id: int
    key: str
    date: date
    currency: str
    amount_minor: int
    invoice_number: str | None
    applied_minor: int = 0  # as stored (see InvoiceRow)
    applied_on: _Day | None = None


def _chunks(ids: Sequence[int], size: int = 5000) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def load_for_allocation(
    conn: Connection, customer_ids: Sequence[int] | None
) -> tuple[list[InvoiceRow], list[PaymentRow]]:
    """Invoices, credit notes and payments of the customers (None: of everyone)."""
    inv_cols = [invoices.c[f] for f in InvoiceRow.__dataclass_fields__]
    pay_cols = [payments.c[f] for f in PaymentRow.__dataclass_fields__]
    inv: list[InvoiceRow] = []
    pay: list[PaymentRow] = []
    if customer_ids is None:
        inv = [InvoiceRow(*r) for r in conn.execute(select(*inv_cols))]
        pay = [PaymentRow(*r) for r in conn.execute(select(*pay_cols))]
        return inv, pay
    for chunk in _chunks(list(customer_ids)):
        q = select(*inv_cols).where(invoices.c.customer_id.in_(chunk))
        inv.extend(InvoiceRow(*r) for r in conn.execute(q))
        q = select(*pay_cols).where(payments.c.customer_id.in_(chunk))
        pay.extend(PaymentRow(*r) for r in conn.execute(q))
    return inv, pay


ALLOCATION_COLUMNS = ("invoice_id", "payment_id", "credit_note_id", "date", "amount_minor")


def replace_allocations(
    conn: Connection,
    invoice_ids: Sequence[int],
    rows: Sequence[Sequence[Any]],
    derived: Sequence[tuple[int, str, int, date | None, date | None, date | None]],
    payments_applied: Sequence[tuple[int, int, date | None]] = (),
    everyone: bool = False,
) -> None:
    """Replace the allocations of `invoice_ids` and store the derived fields.

    `derived` holds (invoice id, status, paid minor, first and last paid on, settled on);
    `payments_applied` holds (payment id, applied minor, the day it was all applied).
    What is open follows the invoices' new paid and settled figures (`open_repo`).
    """
    if everyone:
        conn.execute(delete(allocations))
    else:
        for chunk in _chunks(list(invoice_ids)):
            conn.execute(delete(allocations).where(allocations.c.invoice_id.in_(chunk)))
    insert_rows(conn, allocations, ALLOCATION_COLUMNS, rows)
    if payments_applied:
        conn.execute(
            update(payments)
            .where(payments.c.id == bindparam("b_id"))
            .values(applied_minor=bindparam("b_applied"), applied_on=bindparam("b_on")),
            [{"b_id": i, "b_applied": a, "b_on": d} for i, a, d in payments_applied],
        )
    if not derived:
        return
    stmt = (
        update(invoices)
        .where(invoices.c.id == bindparam("b_id"))
        .values(
            status=bindparam("b_status"),
            paid_minor=bindparam("b_paid"),
            first_paid_on=bindparam("b_first"),
            last_paid_on=bindparam("b_last"),
            settled_on=bindparam("b_settled"),
        )
    )
    params = [
        {"b_id": i, "b_status": s, "b_paid": o, "b_first": f, "b_last": la, "b_settled": d}
        for i, s, o, f, la, d in derived
    ]
    was = open_repo.before(conn, [d[0] for d in derived])
    conn.execute(stmt, params)
    _follow_open(conn, was, derived)


def _follow_open(
    conn: Connection,
    was: dict[int, tuple[Any, ...]],
    derived: Sequence[tuple[int, str, int, date | None, date | None, date | None]],
) -> None:
    """Count the re-allocated invoices out as they were (`was`, by id) and in with
    their new paid and settled figures."""
    cols = open_repo.OPEN_COLUMNS
    paid, settled = cols.index("paid_minor"), cols.index("settled_on")
    now = []
    for invoice_id, _, paid_minor, _, _, settled_on in derived:
        row = list(was[invoice_id])
        row[paid], row[settled] = paid_minor, settled_on
        now.append(row)
    open_repo.add(conn, was.values(), sign=-1)
    open_repo.add(conn, now)


# --- account view --------------------------------------------------------------------


def invoices_of(conn: Connection, customer_id: int) -> list[dict[str, Any]]:
    q = (
        select(invoices)
        .where(invoices.c.customer_id == customer_id)
        .order_by(invoices.c.due_date, invoices.c.number)
    )
    return [dict(r) for r in conn.execute(q).mappings()]


def payments_of(conn: Connection, customer_id: int) -> list[dict[str, Any]]:
    q = (
        select(payments)
        .where(payments.c.customer_id == customer_id)
        .order_by(payments.c.date, payments.c.key)
    )
    return [dict(r) for r in conn.execute(q).mappings()]


# --- charges: fees and interest the daily run charged ---------------------------------

# the condition of `ix_actions_charges`, written as it is so that SQLite uses the index
_CHARGES = text(CHARGE_KINDS_SQL)


def charges_of(
    conn: Connection, customer_ids: Sequence[int] | None
) -> list[tuple[int, int, str, date, str, int]]:
    """(action id, customer id, kind, charged on, currency, amount minor) of the fee and
    interest actions of these customers (None: of everyone)."""
    cols = (
        actions.c.id,
        actions.c.customer_id,
        actions.c.kind,
        actions.c.run_on,
        actions.c.currency,
        actions.c.amount_minor,
    )
    base = select(*cols).where(_CHARGES, actions.c.amount_minor > 0)
    if customer_ids is None:
        return [tuple(r) for r in conn.execute(base)]
    out: list[tuple[int, int, str, date, str, int]] = []
    for chunk in _chunks(list(customer_ids)):
        out.extend(tuple(r) for r in conn.execute(base.where(actions.c.customer_id.in_(chunk))))
    return out


@dataclass(frozen=True, slots=True)
class ChargeRow:
    id: int
    customer_id: int
    kind: str  # fee | interest
    stage: str
    run_on: date
    cycle_start: date
    currency: str
    amount_minor: int
    invoices: str  # JSON list of invoice numbers


def charge_rows(
    conn: Connection, customer_ids: Sequence[int], until: date | None = None
) -> list[ChargeRow]:
    """The fee and interest actions of these customers (charged by `until`, when given),
    with what an account's state needs of each."""
    cols = [actions.c[f] for f in ChargeRow.__dataclass_fields__]
    base = select(*cols).where(_CHARGES, actions.c.amount_minor > 0)
    if until is not None:
        base = base.where(actions.c.run_on <= until)
    out: list[ChargeRow] = []
    for chunk in _chunks(list(customer_ids)):
        q = base.where(actions.c.customer_id.in_(chunk)).order_by(actions.c.id)
        out.extend(ChargeRow(*r) for r in conn.execute(q))
    return out


def customers_charged(conn: Connection, until: date) -> set[int]:
    """The customers with a fee or interest action recorded by `until` (read from
    `ix_actions_charges` alone)."""
    q = select(actions.c.customer_id).where(_CHARGES, actions.c.run_on <= until).distinct()
    return {int(r[0]) for r in conn.execute(q)}


def set_charges_paid(conn: Connection, paid: Sequence[tuple[int, int]]) -> None:
    """Store (action id, paid minor) for charges."""
    if paid:
        conn.execute(
            update(actions)
            .where(actions.c.id == bindparam("b_id"))
            .values(paid_minor=bindparam("b_paid")),
            [{"b_id": i, "b_paid": p} for i, p in paid],
        )
