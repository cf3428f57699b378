"""The schema. Every change here comes with a migration in `migrations/versions/`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.sql.elements import TextClause

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Partial indexes (those with a WHERE) are made on first need (`partial_indexes`): the
# schema for Alembic and its test (`recoup.store.schema`), a bulk load that rebuilds
# indexes. Their WHERE is given per database, and naming PostgreSQL's makes SQLAlchemy
# import its PostgreSQL dialect with every driver module (~0.05 s of each command's start),
# which a command reading a SQLite book never needs. The book has them from its migrations.
_PARTIAL: list[tuple[str, tuple[Column[Any], ...], TextClause, bool]] = []


def partial(name: str, *columns: Column[Any], where: TextClause, unique: bool = False) -> None:
    """A partial index on `columns` WHERE `where`, made by `partial_indexes`."""
    _PARTIAL.append((name, columns, where, unique))


def partial_indexes() -> None:
    """Put the partial indexes on their tables (once)."""
    while _PARTIAL:
        name, columns, where, unique = _PARTIAL.pop(0)
        Index(name, *columns, unique=unique, sqlite_where=where, postgresql_where=where)


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
    # the region within the country whose public holidays apply (ISO 3166-2 code after
    # the dash: "SCT" for Scotland, "BY" for Bavaria, "CA" for California); "" = none
    Column("region", String(8), nullable=False, server_default=""),
    # from e-invoices (migration 0022; NULL: none said): the VAT id (EN 16931 BT-48) and
    # the buyer's reference for routing (BT-10, e.g. XRechnung's Leitweg-ID)
    Column("vat_id", String(64), nullable=True),
    Column("buyer_reference", String(200), nullable=True),
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
    # the reference to quote when paying (an e-invoice's BT-83), for bank matching (0022)
    Column("payment_reference", String(200), nullable=True),
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
    # set when an owner disables the user: no login, every session ended (NULL: active)
    Column("disabled_at", DateTime(timezone=True), nullable=True),
    # the language of their pages (en, de, fr); NULL: the browser's (migration 0020)
    Column("language", String(8), nullable=True),
)

# indexes rather than constraints, so that a bulk load can build them after the rows
Index("uq_customers_key", customers.c.key, unique=True)
# the languages customers are written to, read one by one from here (the set-up check)
Index("ix_customers_language", customers.c.language)
Index("uq_invoices_number", invoices.c.number, unique=True)
Index("ix_invoices_customer_status", invoices.c.customer_id, invoices.c.status)

# Aging reads the invoices open now from this index alone, in due-date order, so it
# needs neither the table nor a sort; invoices settled later are found by settled_on.
_OPEN_NOW = text("settled_on IS NULL AND kind = 'invoice'")
partial(
    "ix_invoices_open",
    invoices.c.due_date,
    invoices.c.currency,
    invoices.c.issue_date,
    invoices.c.amount_minor,
    invoices.c.paid_minor,
    invoices.c.first_paid_on,
    invoices.c.last_paid_on,
    where=_OPEN_NOW,
)
# The daily run reads each customer's open invoices (or has them added up) from this
# index alone: only the open ones are in it, in customer order, with every column read.
partial(
    "ix_invoices_open_by_customer",
    invoices.c.customer_id,
    invoices.c.currency,
    invoices.c.due_date,
    invoices.c.number,
    invoices.c.issue_date,
    invoices.c.amount_minor,
    invoices.c.paid_minor,
    where=_OPEN_NOW,
)
_CREDIT_OPEN = text("settled_on IS NULL AND kind = 'credit_note'")
partial(
    "ix_invoices_credit_open",
    invoices.c.issue_date,
    where=_CREDIT_OPEN,
)
_UNAPPLIED = text("applied_on IS NULL")
partial(
    "ix_payments_unapplied",
    payments.c.date,
    where=_UNAPPLIED,
)
_APPLIED = text("applied_on IS NOT NULL")
partial(
    "ix_payments_applied_on",
    payments.c.applied_on,
    where=_APPLIED,
)
_SETTLED = text("settled_on IS NOT NULL")
partial(
    "ix_invoices_settled_on",
    invoices.c.settled_on,
    where=_SETTLED,
)

# --- the collection policy (issue 3) ------------------------------------------------
# Imported here, beside the only table that needs it, so that tables appended by
# parallel work do not collide in the import list above.
from sqlalchemy import Boolean  # noqa: E402

# Every policy text ever used, one row per distinct text (by checksum), numbered by
# version; exactly one is active (none: the built-in default is). The daily run
# records the version that decided each action, so old versions are never deleted.
policies = Table(
    "policies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("text", Text, nullable=False),  # the TOML exactly as given
    Column("checksum", String(64), nullable=False, unique=True),  # sha256 of the text (hex)
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("active", Boolean, nullable=False),
)
_ACTIVE = text("active")
# at most one active version
partial(
    "uq_policies_active",
    policies.c.active,
    unique=True,
    where=_ACTIVE,
)


# --- the daily run (issue 3) ------------------------------------------------------------

# One customer's open invoices in one currency: where it stands in the plan.
cases = Table(
    "cases",
    metadata,
    Column("customer_id", Integer, ForeignKey("customers.id"), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("cycle_start", Date, nullable=False),  # when it last went from nothing open to open
    Column("next_review_on", Date, nullable=True),  # when the run should look again
    # the actions of this cycle, oldest first, as `recoup.store.steps` writes them: what the
    # run needs of them, read with the case instead of from the actions one by one
    Column("steps", Text, nullable=False, server_default=""),
)
Index("ix_cases_next_review_on", cases.c.next_review_on)

# Cycles that ended (nothing was open any more), with their actions as `cases.steps`
# had them: their contacts still count against the contact rules for a while.
ended_cycles = Table(
    "ended_cycles",
    metadata,
    Column("customer_id", Integer, ForeignKey("customers.id"), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("cycle_start", Date, primary_key=True),
    Column("ended_on", Date, nullable=False),  # on or after the day of its last action
    Column("steps", Text, nullable=False),
)
Index("ix_ended_cycles_ended_on", ended_cycles.c.ended_on)

# What the daily run decided, each with its reason and the policy version that decided it.
actions = Table(
    "actions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("cycle_start", Date, nullable=False),
    Column("run_on", Date, nullable=False),
    Column("kind", String(32), nullable=False),  # email letter call fee escalate write_off_...
    Column("stage", String(64), nullable=False),
    Column("invoices", Text, nullable=False),  # JSON list of invoice numbers
    Column("amount_minor", BigInteger, nullable=False),
    Column("template", String(64), nullable=True),
    Column("reason", Text, nullable=False),
    Column("policy_version", Integer, nullable=False),
    # for a fee or interest charge: how much of it payments have paid (see
    # recoup.domain.charges: costs and interest may be paid before the principal)
    Column("paid_minor", BigInteger, nullable=False, server_default="0"),
    # a case-work notice's figures for its template (JSON; see services/casework/notices)
    Column("data", Text, nullable=True),
    # set when delivery withdrew the action's message (the book no longer supported it):
    # the action stays as evidence, but the stage counts as not done (see below)
    Column("withdrawn_on", Date, nullable=True),
)
# Each stage's action of a kind at most once per cycle, withdrawn ones apart: a message
# withdrawn at delivery leaves its stage to be done again when the plan says so.
_NOT_WITHDRAWN = text("withdrawn_on IS NULL")
partial(
    "uq_actions_once_per_cycle",
    actions.c.customer_id,
    actions.c.currency,
    actions.c.cycle_start,
    actions.c.stage,
    actions.c.kind,
    unique=True,
    where=_NOT_WITHDRAWN,
)

# The charges (fees, compensation, interest): an account's state reads its own, and
# aging and the customer list find the customers that have any, without a full scan.
CHARGE_KINDS_SQL = "kind IN ('fee', 'interest')"  # written as it is: the index's condition
_CHARGES = text(CHARGE_KINDS_SQL)
partial(
    "ix_actions_charges",
    actions.c.customer_id,
    actions.c.run_on,
    where=_CHARGES,
)
# The worklist's tasks (calls, escalations, write-off recommendations) by day: the
# dashboard and the worklist find them without reading every email the run sent.
TASK_KINDS_SQL = "kind IN ('call', 'escalate', 'write_off_recommendation')"  # as written
partial(
    "ix_actions_tasks",
    actions.c.run_on,
    where=text(TASK_KINDS_SQL),
)
# a few customers' tasks (the worklist lines a page shows)
partial("ix_actions_tasks_customer", actions.c.customer_id, where=text(TASK_KINDS_SQL))

# Messages waiting to be delivered (delivery is the communications work).
outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("action_id", Integer, ForeignKey("actions.id"), nullable=False),
    # 0 for the message as the run queued it; a message rebuilt at delivery with the
    # current figures is a new row of the same action with the next revision
    Column("revision", Integer, nullable=False, server_default="0"),
    Column("channel", String(16), nullable=False),
    Column("template", String(64), nullable=True),
    # pending | sending | sent | failed | withdrawn (the book no longer supports it)
    Column("state", String(16), nullable=False),
    Column("created_on", Date, nullable=False),
    # delivery (issue 5, recoup.services.dispatch): the message is built once, kept here
    # exactly as it will be sent, and every resend sends these bytes again
    Column("message_id", String(250), nullable=True),
    Column("recipient", String(254), nullable=True),
    Column("content", LargeBinary, nullable=True),  # the .eml or the PDF
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("resends", Integer, nullable=False, server_default="0"),  # from "sending" after a crash
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    # the lease of the delivery sending it: who holds it and until when (wall clock);
    # another delivery never takes a message under a live lease
    Column("lease_owner", String(120), nullable=True),
    Column("lease_until", DateTime(timezone=True), nullable=True),
    # why it waits (outside contact hours, a holiday, a template held by the tone check,
    # a business detail not set ...), for the outbox page and `dispatch --json`
    Column("wait_reason", Text, nullable=True),
    # the figures the built message states (JSON: invoice -> open minor units, balance),
    # compared with the book before any later attempt sends the same bytes
    Column("facts", Text, nullable=True),
)
Index("ix_outbox_state", outbox.c.state)
Index("uq_outbox_action_id", outbox.c.action_id, outbox.c.revision, unique=True)
# Messages with a delivery problem (failed, waiting to retry after an error, or held
# until the set-up is complete): the worklist and the Delivery page list them from this
# index, not by reading every message that waits to go out.
PROBLEMS_SQL = (
    "state = 'failed' OR (state = 'pending' AND (last_error IS NOT NULL "
    "OR (wait_reason IS NOT NULL AND next_attempt_at IS NULL)))"
)  # written out: the index's condition, which the reading repeats
partial("ix_outbox_problems", outbox.c.id, where=text(PROBLEMS_SQL))

# Customers whose books changed since the last run: the next run looks at them.
# Each enqueue stamps its customers anew; a run takes a customer off only with the stamp
# it read (`run_repo.dequeue`), so a change made while the run looked stays queued.
review_queue = Table(
    "review_queue",
    metadata,
    Column("customer_id", Integer, ForeignKey("customers.id"), primary_key=True),
    Column("stamp", BigInteger, nullable=False, server_default="0"),
)
