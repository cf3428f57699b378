"""Bank statements read into the book (issue 17): each statement imported and each of
its lines with the bank's own identifiers. Every change here comes with a migration.

A line is taken once: `bank_lines.identity` is unique, made from the account and the
bank's identifiers of the line (`recoup.imports.bank.identity`), so an overlapping or a
repeated statement adds nothing it already gave. Amounts are signed minor units of
`currency` (money in positive)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from recoup.store.tables import metadata

# One row per statement (a camt Stmt/Rpt/Ntfctn, an MT940 :20: block, an OFX STMTRS, a
# CSV file), found again by `identity` (the account, the statement's id and period, or
# the file's content when the bank gives no id): importing it again adds no row.
bank_statements = Table(
    "bank_statements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("identity", String(64), nullable=False, unique=True),  # sha256 hex
    Column("format", String(32), nullable=False),  # camt.053.001.02, mt940, ofx, csv
    Column("account", String(64), nullable=False),  # the IBAN, else the bank's number
    Column("statement_ref", String(128), nullable=True),  # camt Stmt/Id, MT940 :20:
    Column("sequence", String(64), nullable=True),  # ElctrncSeqNb, MT940 :28C:
    Column("account_currency", String(3), nullable=True),
    Column("created", DateTime(timezone=True), nullable=True),  # as the bank says
    Column("from_date", Date, nullable=True),
    Column("to_date", Date, nullable=True),
    Column("opening_minor", BigInteger, nullable=True),
    Column("closing_minor", BigInteger, nullable=True),
    Column("balance_currency", String(3), nullable=True),
    # closing - opening - the booked lines: lines the file does not hold (None: no gap,
    # or not both balances given; `recoup.imports.bank.balances`)
    Column("gap_minor", BigInteger, nullable=True),
    Column("file_name", String(255), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(64), nullable=False),
)

# One row per statement line. `kind`: credit | debit | fee | interest | return (only a
# credit may be a customer's payment); `status`: booked | pending | info. `state` is
# where the line stands for the receivables: 'unmatched' (a credit not matched yet),
# 'other' (not a customer payment by its kind); the matching adds its own states
# ('suggested', 'applied', 'rejected', ...) and records its evidence in its own tables.
bank_lines = Table(
    "bank_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("identity", String(64), nullable=False, unique=True),  # sha256 hex
    Column(
        "statement_id",
        Integer,
        ForeignKey("bank_statements.id"),
        nullable=False,
        index=True,
    ),
    Column("account", String(64), nullable=False),
    Column("source", String(512), nullable=False),  # file:line or file:/Document/...
    Column("entry_index", Integer, nullable=False),  # 0-based in its statement
    Column("detail_index", Integer, nullable=True),  # a batch's detail, 0-based
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("booking_date", Date, nullable=True),
    Column("value_date", Date, nullable=True),
    # the bank's identifiers
    Column("entry_ref", String(128), nullable=True),
    Column("servicer_ref", String(128), nullable=True),
    Column("end_to_end_id", String(128), nullable=True),
    Column("uetr", String(64), nullable=True),
    Column("transaction_id", String(255), nullable=True),  # camt TxId, OFX FITID
    Column("instruction_id", String(128), nullable=True),
    Column("mandate_id", String(128), nullable=True),
    Column("customer_ref", String(128), nullable=True),
    Column("bank_code", String(64), nullable=True),
    Column("bank_code_proprietary", String(128), nullable=True),
    Column("return_reason", String(64), nullable=True),
    # the other party
    Column("counterparty_name", String(255), nullable=True),
    Column("counterparty_iban", String(34), nullable=True),
    Column("counterparty_account", String(64), nullable=True),
    Column("counterparty_bic", String(11), nullable=True),
    Column("ultimate_debtor", String(255), nullable=True),
    Column("ultimate_creditor", String(255), nullable=True),
    # what the payer wrote
    Column("remittance", Text, nullable=True),
    Column("creditor_ref", String(64), nullable=True),
    Column("creditor_ref_type", String(16), nullable=True),
    Column("structured", Text, nullable=True),
    Column("additional_info", Text, nullable=True),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("state_at", DateTime(timezone=True), nullable=False),
)
Index("ix_bank_lines_state", bank_lines.c.state)
Index("ix_bank_lines_counterparty_iban", bank_lines.c.counterparty_iban)
