"""What is still to pay, kept as the invoices are written (issue 16): the dashboard's
aging and its largest overdue accounts read a few thousand of these rows instead of
every open invoice of the book on each request. Every change here comes with a
migration.

An invoice counts here while it is open: of kind `invoice` and not settled. It counts
once (`invoices`) with what is left to pay of it (`amount_minor` - `paid_minor`).
Written by `open_repo.add` from every path that inserts an invoice or changes one
(`ledger_repo`, `einvoice_repo`); `open_repo.from_invoices` groups the invoices
themselves for the migration and the tests that hold both equal.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Index, Integer, String, Table

from recoup.store.tables import metadata

# per currency, issue day and due day: the aging's rows (a book has a few thousand
# such pairs of days: its days times its payment terms)
open_dues = Table(
    "open_dues",
    metadata,
    Column("currency", String(3), primary_key=True),
    Column("issue_date", Date, primary_key=True),
    Column("due_date", Date, primary_key=True),
    Column("invoices", Integer, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
)

# per customer and currency: how many invoices are open, what is left to pay of them,
# and `bound_minor`, the same leaving out anything below zero per invoice: no part of
# the account (what is overdue on a day) can come to more, so the largest overdue
# accounts are found among those with the largest bounds (`report_repo.top_overdue`)
open_accounts = Table(
    "open_accounts",
    metadata,
    Column("customer_id", Integer, primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("invoices", Integer, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("bound_minor", BigInteger, nullable=False),
)
Index(
    "ix_open_accounts_bound",
    open_accounts.c.bound_minor,
    open_accounts.c.customer_id,
    open_accounts.c.currency,
)
