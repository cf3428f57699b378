"""bank statements and their lines (issue 17: money in)

`bank_statements`: one row per statement imported, found again by its identity;
`bank_lines`: one row per statement line with the bank's identifiers, unique by its
identity so that an overlapping or a repeated statement never gives a line twice.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=64), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("statement_ref", sa.String(length=128), nullable=True),
        sa.Column("sequence", sa.String(length=64), nullable=True),
        sa.Column("account_currency", sa.String(length=3), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=True),
        sa.Column("from_date", sa.Date(), nullable=True),
        sa.Column("to_date", sa.Date(), nullable=True),
        sa.Column("opening_minor", sa.BigInteger(), nullable=True),
        sa.Column("closing_minor", sa.BigInteger(), nullable=True),
        sa.Column("balance_currency", sa.String(length=3), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statements")),
        sa.UniqueConstraint("identity", name=op.f("uq_bank_statements_identity")),
    )
    op.create_table(
        "bank_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.String(length=64), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=512), nullable=False),
        sa.Column("entry_index", sa.Integer(), nullable=False),
        sa.Column("detail_index", sa.Integer(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("entry_ref", sa.String(length=128), nullable=True),
        sa.Column("servicer_ref", sa.String(length=128), nullable=True),
        sa.Column("end_to_end_id", sa.String(length=128), nullable=True),
        sa.Column("uetr", sa.String(length=64), nullable=True),
        sa.Column("transaction_id", sa.String(length=255), nullable=True),
        sa.Column("instruction_id", sa.String(length=128), nullable=True),
        sa.Column("mandate_id", sa.String(length=128), nullable=True),
        sa.Column("customer_ref", sa.String(length=128), nullable=True),
        sa.Column("bank_code", sa.String(length=64), nullable=True),
        sa.Column("bank_code_proprietary", sa.String(length=128), nullable=True),
        sa.Column("return_reason", sa.String(length=64), nullable=True),
        sa.Column("counterparty_name", sa.String(length=255), nullable=True),
        sa.Column("counterparty_iban", sa.String(length=34), nullable=True),
        sa.Column("counterparty_account", sa.String(length=64), nullable=True),
        sa.Column("counterparty_bic", sa.String(length=11), nullable=True),
        sa.Column("ultimate_debtor", sa.String(length=255), nullable=True),
        sa.Column("ultimate_creditor", sa.String(length=255), nullable=True),
        sa.Column("remittance", sa.Text(), nullable=True),
        sa.Column("creditor_ref", sa.String(length=64), nullable=True),
        sa.Column("creditor_ref_type", sa.String(length=16), nullable=True),
        sa.Column("structured", sa.Text(), nullable=True),
        sa.Column("additional_info", sa.Text(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["bank_statements.id"],
            name=op.f("fk_bank_lines_statement_id_bank_statements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_lines")),
        sa.UniqueConstraint("identity", name=op.f("uq_bank_lines_identity")),
    )
    op.create_index(
        op.f("ix_bank_lines_statement_id"), "bank_lines", ["statement_id"], unique=False
    )
    op.create_index("ix_bank_lines_state", "bank_lines", ["state"], unique=False)
    op.create_index(
        "ix_bank_lines_counterparty_iban", "bank_lines", ["counterparty_iban"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_bank_lines_counterparty_iban", table_name="bank_lines")
    op.drop_index("ix_bank_lines_state", table_name="bank_lines")
    op.drop_index(op.f("ix_bank_lines_statement_id"), table_name="bank_lines")
    op.drop_table("bank_lines")
    op.drop_table("bank_statements")
