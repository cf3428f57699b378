"""The schema. Every change here comes with a migration in `migrations/versions/`."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(64), nullable=False),  # unique: uq_customers_key below
    Column("name", String(200), nullable=False),
    Column("country", String(2), nullable=False, server_default=""),
    Column("language", String(16), nullable=False, server_default="en"),
    Column("timezone", String(64), nullable=False, server_default="UTC"),
    Column("tags", Text, nullable=False, server_default=""),  # comma-separated
)

contacts = Table(
    "contacts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("email", String(254), nullable=False, server_default=""),
    Column("phone", String(64), nullable=False, server_default=""),
    Column("address", Text, nullable=False, server_default=""),
    Column("preferred_channel", String(16), nullable=False, server_default="email"),
)

invoices = Table(
    "invoices",
    metadata,
    Column("id", Integer, primary_key=True),
    # indexed by ix_invoices_customer_status below
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("number", String(64), nullable=False),  # unique: uq_invoices_number below
    Column("kind", String(16), nullable=False, server_default="invoice"),  # or credit_note
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("tax_minor", BigInteger, nullable=True),
    Column("reference", String(200), nullable=False, server_default=""),
    Column("terms_days", Integer, nullable=True),
    Column("applies_to", String(64), nullable=True),
    # derived from the allocations, kept here so reports need no join:
    Column("status", String(16), nullable=False, server_default="open"),  # partial, paid, credit
    # applied payments and credit notes (for a credit note: the part applied to invoices)
    Column("paid_minor", BigInteger, nullable=False, server_default="0"),
    Column("first_paid_on", Date, nullable=True),
    Column("last_paid_on", Date, nullable=True),
    Column("settled_on", Date, nullable=True),
)

payments = Table(
    "payments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("key", String(250), nullable=False, unique=True),
    Column("date", Date, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("method", String(32), nullable=False, server_default=""),
    Column("reference", String(200), nullable=False, server_default=""),
    Column("invoice_number", String(64), nullable=True),
    # derived from the allocations: how much is applied, and the day it was all applied
    Column("applied_minor", BigInteger, nullable=False, server_default="0"),
    Column("applied_on", Date, nullable=True),
)

allocations = Table(
    "allocations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("invoice_id", Integer, ForeignKey("invoices.id"), nullable=False, index=True),
    Column("payment_id", Integer, ForeignKey("payments.id"), nullable=True, index=True),
    Column("credit_note_id", Integer, ForeignKey("invoices.id"), nullable=True),
    Column("date", Date, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),  # owner | collector | viewer
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# indexes rather than constraints, so that a bulk load can build them after the rows
Index("uq_customers_key", customers.c.key, unique=True)
Index("uq_invoices_number", invoices.c.number, unique=True)
Index("ix_invoices_customer_status", invoices.c.customer_id, invoices.c.status)

# Aging reads the invoices open now from this index alone, in due-date order, so it
# needs neither the table nor a sort; invoices settled later are found by settled_on.
_OPEN_NOW = text("settled_on IS NULL AND kind = 'invoice'")
Index(
    "ix_invoices_open",
    invoices.c.due_date,
    invoices.c.currency,
    invoices.c.issue_date,
    invoices.c.amount_minor,
    invoices.c.paid_minor,
    invoices.c.first_paid_on,
    invoices.c.last_paid_on,
    sqlite_where=_OPEN_NOW,
    postgresql_where=_OPEN_NOW,
)
_CREDIT_OPEN = text("settled_on IS NULL AND kind = 'credit_note'")
Index(
    "ix_invoices_credit_open",
    invoices.c.issue_date,
    sqlite_where=_CREDIT_OPEN,
    postgresql_where=_CREDIT_OPEN,
)
_UNAPPLIED = text("applied_on IS NULL")
Index(
    "ix_payments_unapplied", payments.c.date, sqlite_where=_UNAPPLIED, postgresql_where=_UNAPPLIED
)
_APPLIED = text("applied_on IS NOT NULL")
Index(
    "ix_payments_applied_on",
    payments.c.applied_on,
    sqlite_where=_APPLIED,
    postgresql_where=_APPLIED,
)
_SETTLED = text("settled_on IS NOT NULL")
Index(
    "ix_invoices_settled_on",
    invoices.c.settled_on,
    sqlite_where=_SETTLED,
    postgresql_where=_SETTLED,
)
