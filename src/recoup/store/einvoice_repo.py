"""Reads and writes an e-invoice import needs beyond the ledger's: one invoice by its
number with every stored value, a customer by VAT id, and writing the fields only
e-invoices give (the payment reference, the buyer's VAT id and reference)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection

from recoup.store import open_repo, sales_repo
from recoup.store.tables import customers, invoices

# what an e-invoice sets on an invoice, in the order the import compares them
EINVOICE_FIELDS = (
    "customer_id", "kind", "issue_date", "due_date", "currency", "amount_minor", "tax_minor",
    "reference", "terms_days", "applies_to", "payment_reference",
)  # fmt: skip


def invoice_by_number(conn: Connection, number: str) -> dict[str, Any] | None:
    """The invoice's id and `EINVOICE_FIELDS`, or None."""
    cols = [invoices.c.id, *[invoices.c[c] for c in EINVOICE_FIELDS]]
    row = conn.execute(select(*cols).where(invoices.c.number == number)).mappings().first()
    return dict(row) if row else None


def insert_invoice(conn: Connection, values: dict[str, Any]) -> int:
    key = conn.execute(insert(invoices).values(**values)).inserted_primary_key
    assert key is not None
    kind = values.get("kind") or "invoice"
    sales_repo.add(conn, [(kind, values["currency"], values["issue_date"], values["amount_minor"])])
    open_repo.add(conn, [[{**values, "kind": kind}.get(c) for c in open_repo.OPEN_COLUMNS]])
    return int(key[0])


def customer_by_vat_id(conn: Connection, vat_id: str) -> dict[str, Any] | None:
    """The first customer (by id) whose VAT id is `vat_id`, spaces and case aside."""
    folded = vat_id.replace(" ", "").upper()
    stored = func.upper(func.replace(customers.c.vat_id, " ", ""))
    q = select(customers).where(stored == folded).order_by(customers.c.id).limit(1)
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def customer_key_of_invoice(conn: Connection, number: str) -> str | None:
    """The key of the customer the invoice `number` belongs to, or None."""
    q = (
        select(customers.c.key)
        .join(invoices, invoices.c.customer_id == customers.c.id)
        .where(invoices.c.number == number)
    )
    found = conn.execute(q).scalar_one_or_none()
    return None if found is None else str(found)
