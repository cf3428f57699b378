"""Working a case (issue 4): calls, promises, payment plans, settlements, disputes,
placements with agencies, write-offs. Every change here comes with a migration.

Amounts are integer minor units in the row's `currency`. Percentages and rates are
kept as decimal text ("33.5"), never float. Whatever a casework action changes in the
ledger (a credit note for a write-off or a dispute, a payment an agency recovered)
is an ordinary ledger row whose number or key names the casework row behind it.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from recoup.store.tables import metadata

# Cease-contact requests and insolvency: absolute holds until lifted.
case_flags = Table(
    "case_flags",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # cease_contact | insolvency
    Column("since", Date, nullable=False),
    Column("lifted_on", Date, nullable=True),
    Column("note", Text, nullable=False, server_default=""),
    Column("actor", String(64), nullable=False),
)

# Contacts made by hand: calls, visits, letters written by hand, notes.
manual_contacts = Table(
    "manual_contacts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # call | visit | letter | note
    Column("day", Date, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("outcome", String(32), nullable=True),
    Column("notes", Text, nullable=False, server_default=""),
    Column("override_reason", Text, nullable=True),
    Column("actor", String(64), nullable=False),
)

promises = Table(
    "promises",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("made_on", Date, nullable=False),
    Column("promised_on", Date, nullable=False),
    Column("grace_days", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # open | kept | broken | cancelled
    Column("decided_on", Date, nullable=True),
    Column("paid_minor", BigInteger, nullable=False, server_default="0"),
    Column("contact_id", Integer, ForeignKey("manual_contacts.id"), nullable=True),
    Column("actor", String(64), nullable=False),
)
Index("ix_promises_status", promises.c.status)

plans = Table(
    "plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("principal_minor", BigInteger, nullable=False),
    Column("rate_percent", String(16), nullable=True),
    Column("fee_minor", BigInteger, nullable=False, server_default="0"),
    Column("start_on", Date, nullable=False),
    Column("every_days", Integer, nullable=False),
    Column("grace_days", Integer, nullable=False),
    Column("default_after_missed", Integer, nullable=False),
    # needs_approval | current | completed | defaulted | cancelled
    Column("status", String(16), nullable=False),
    Column("decided_on", Date, nullable=True),
    Column("within_authority", Boolean, nullable=False),
    Column("authority_note", Text, nullable=False, server_default=""),
    Column("approved_by", String(64), nullable=True),
    Column("charges_document", String(64), nullable=True),  # invoice number of interest+fee
    Column("actor", String(64), nullable=False),
)
Index("ix_plans_status", plans.c.status)

plan_installments = Table(
    "plan_installments",
    metadata,
    Column("plan_id", Integer, ForeignKey("plans.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("due_on", Date, nullable=False),
    Column("principal_minor", BigInteger, nullable=False),
    Column("interest_minor", BigInteger, nullable=False),
    Column("fee_minor", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # upcoming | due | paid | missed
    Column("paid_on", Date, nullable=True),
)

settlements = Table(
    "settlements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("balance_minor", BigInteger, nullable=False),  # the balance when offered
    Column("amount_minor", BigInteger, nullable=False),
    Column("offered_on", Date, nullable=False),
    Column("deadline", Date, nullable=False),
    # needs_approval | offered | accepted | settled | lapsed | refused
    Column("status", String(16), nullable=False),
    Column("within_authority", Boolean, nullable=False),
    Column("floor_minor", BigInteger, nullable=True),
    Column("authority_note", Text, nullable=False, server_default=""),
    Column("approved_by", String(64), nullable=True),
    Column("approved_on", Date, nullable=True),
    Column("accepted_on", Date, nullable=True),
    Column("settled_on", Date, nullable=True),
    Column("actor", String(64), nullable=False),
)
Index("ix_settlements_status", settlements.c.status)

disputes = Table(
    "disputes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("invoice_id", Integer, ForeignKey("invoices.id"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),  # the disputed part
    Column("reason", String(32), nullable=False),
    Column("text", Text, nullable=False, server_default=""),
    Column("opened_on", Date, nullable=False),
    Column("status", String(16), nullable=False),  # open | credit_note | upheld | rejected
    Column("resolved_on", Date, nullable=True),
    Column("credit_minor", BigInteger, nullable=False, server_default="0"),
    Column("credit_note", String(64), nullable=True),  # the credit note's number
    Column("actor", String(64), nullable=False),
)

placements = Table(
    "placements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("agency", String(200), nullable=False),
    Column("contingency_percent", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("balance_minor", BigInteger, nullable=False),  # the balance placed
    Column("placed_on", Date, nullable=False),
    Column("recalled_on", Date, nullable=True),
    Column("status", String(16), nullable=False),  # placed | recalled
    Column("actor", String(64), nullable=False),
)

agency_recoveries = Table(
    "agency_recoveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("placement_id", Integer, ForeignKey("placements.id"), nullable=False, index=True),
    Column("day", Date, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),  # recovered from the debtor
    Column("fee_minor", BigInteger, nullable=False),  # kept by the agency
    Column("payment_key", String(250), nullable=False, unique=True),
    Column("actor", String(64), nullable=False),
)

write_offs = Table(
    "write_offs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("tax_minor", BigInteger, nullable=False, server_default="0"),
    Column("reason", String(32), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
    Column("requested_on", Date, nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # pending | done | refused
    Column("approved_by", String(64), nullable=True),
    Column("written_on", Date, nullable=True),
    Column("settlement_id", Integer, ForeignKey("settlements.id"), nullable=True),
    Column("reversed_minor", BigInteger, nullable=False, server_default="0"),
)
Index("ix_write_offs_written_on", write_offs.c.written_on)

write_off_lines = Table(
    "write_off_lines",
    metadata,
    Column("write_off_id", Integer, ForeignKey("write_offs.id"), primary_key=True),
    Column("invoice", String(64), primary_key=True),  # the invoice written off
    Column("amount_minor", BigInteger, nullable=False),
    Column("tax_minor", BigInteger, nullable=False),
    Column("credit_note", String(64), nullable=False),  # the credit note's number
)

write_off_reversals = Table(
    "write_off_reversals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("write_off_id", Integer, ForeignKey("write_offs.id"), nullable=False, index=True),
    Column("day", Date, nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("tax_minor", BigInteger, nullable=False),
    Column("document", String(64), nullable=False),  # the debit document's number
    Column("actor", String(64), nullable=False),
)

# Follow-ups for a person: a broken promise, a plan in default, a lapsed settlement ...
casework_tasks = Table(
    "casework_tasks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("source", String(64), nullable=False),  # e.g. "promise:12": once per source
    Column("due_on", Date, nullable=False),
    Column("text", Text, nullable=False),
    Column("done_on", Date, nullable=True),
    Column("done_by", String(64), nullable=True),
    UniqueConstraint("source", name="uq_casework_tasks_source"),
)
Index("ix_casework_tasks_due_on", casework_tasks.c.due_on)

# Credit notes a collector asked for beyond the policy's authority (a dispute resolved
# by credit note or upheld): nothing reaches the ledger until an owner approves.
credit_requests = Table(
    "credit_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("dispute_id", Integer, ForeignKey("disputes.id"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),  # the credit note asked for
    Column("resolution", String(16), nullable=False),  # credit_note | upheld
    Column("note", Text, nullable=False, server_default=""),
    Column("authority_note", Text, nullable=False, server_default=""),  # why it waits
    Column("requested_on", Date, nullable=False),
    Column("requested_by", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # pending | approved | refused
    Column("decided_by", String(64), nullable=True),
    Column("decided_on", Date, nullable=True),
    Column("decision_note", Text, nullable=False, server_default=""),
)
Index("ix_credit_requests_status", credit_requests.c.status)
