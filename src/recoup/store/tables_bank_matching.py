"""What the matching of bank statement lines keeps (issue 17): each queued line's
candidates with their evidence, each line's own history, and the payers' accounts
learned from confirmed matches. Every change here comes with a migration.

A line's state is `bank_lines.state`: 'unmatched' and 'other' (the import's), then
'suggested' (waiting with candidates), 'applied' (by itself), 'confirmed' (by a
person) and 'rejected' (not a customer payment). The payments a line made are ordinary
payments whose key is `bank:<line id>:<n>`."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from recoup.store.tables import metadata

# The candidates of a line that waits, best first (rank 0). `invoices` and `amounts`
# are JSON lists (invoice numbers; minor units to apply to each); `evidence` a JSON
# list of {"kind", "found", "figure"} (`recoup.domain.matching.evidence`).
bank_candidates = Table(
    "bank_candidates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("line_id", Integer, ForeignKey("bank_lines.id"), nullable=False, index=True),
    Column("rank", Integer, nullable=False),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("invoices", Text, nullable=False),
    Column("amounts", Text, nullable=False),
    Column("evidence", Text, nullable=False),
    Column("confident", Boolean, nullable=False),
)

# A line's history: matched, applied, suggested, confirmed, re-assigned, rejected.
bank_line_log = Table(
    "bank_line_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("line_id", Integer, ForeignKey("bank_lines.id"), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("text", Text, nullable=False),
)

# Accounts a customer paid from, learned when a person confirmed a match.
bank_payers = Table(
    "bank_payers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("iban", String(34), nullable=False),
    Column("line_id", Integer, ForeignKey("bank_lines.id"), nullable=True),
    Column("learned_at", DateTime(timezone=True), nullable=False),
)
Index("uq_bank_payers", bank_payers.c.customer_id, bank_payers.c.iban, unique=True)
Index("ix_bank_payers_iban", bank_payers.c.iban)
