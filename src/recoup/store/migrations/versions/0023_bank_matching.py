"""bank statement lines matched to invoices (issue 17: matching with evidence)

`bank_candidates`: a waiting line's candidates with their evidence; `bank_line_log`:
each line's history; `bank_payers`: accounts learned from confirmed matches.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 09:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("invoices", sa.Text(), nullable=False),
        sa.Column("amounts", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("confident", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["line_id"], ["bank_lines.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_bank_candidates_line_id", "bank_candidates", ["line_id"])
    op.create_table(
        "bank_line_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["line_id"], ["bank_lines.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_bank_line_log_line_id", "bank_line_log", ["line_id"])
    op.create_table(
        "bank_payers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("learned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.ForeignKeyConstraint(["line_id"], ["bank_lines.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_bank_payers", "bank_payers", ["customer_id", "iban"], unique=True)
    op.create_index("ix_bank_payers_iban", "bank_payers", ["iban"])


def downgrade() -> None:
    op.drop_index("ix_bank_payers_iban", table_name="bank_payers")
    op.drop_index("uq_bank_payers", table_name="bank_payers")
    op.drop_table("bank_payers")
    op.drop_index("ix_bank_line_log_line_id", table_name="bank_line_log")
    op.drop_table("bank_line_log")
    op.drop_index("ix_bank_candidates_line_id", table_name="bank_candidates")
    op.drop_table("bank_candidates")
