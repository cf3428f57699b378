"""What was sold on each day, kept as the invoices are written (issue 16): the DSO on
the dashboard reads a few thousand of these rows instead of grouping every invoice of
the book by its issue day on each request. Every change here comes with a migration."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, String, Table

from recoup.store.tables import metadata

# Invoiced minus credited per currency and issue day: an invoice adds its amount on its
# issue day, a credit note takes its amount away. Written by `sales_repo.add` from every
# path that inserts an invoice or changes its kind, day, currency or amount.
sales_days = Table(
    "sales_days",
    metadata,
    Column("currency", String(3), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("amount_minor", BigInteger, nullable=False),
)
