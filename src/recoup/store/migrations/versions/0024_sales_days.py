"""sales per currency and issue day, kept as invoices are written (issue 16: the
dashboard's DSO without grouping every invoice on each request)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 13:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sales_days",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("currency", "day"),
    )
    op.execute(
        "INSERT INTO sales_days (currency, day, amount_minor) "
        "SELECT currency, issue_date, SUM(CASE WHEN kind = 'credit_note' "
        "THEN -amount_minor ELSE amount_minor END) FROM invoices "
        "GROUP BY currency, issue_date"
    )


def downgrade() -> None:
    op.drop_table("sales_days")
