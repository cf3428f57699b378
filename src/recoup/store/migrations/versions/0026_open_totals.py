"""what is still to pay per currency and pair of days, and per customer and currency,
kept as invoices are written (issue 16: the dashboard's aging and largest overdue
accounts without grouping every open invoice on each request)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

_OPEN = "FROM invoices WHERE kind = 'invoice' AND settled_on IS NULL"


def upgrade() -> None:
    op.create_table(
        "open_dues",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("invoices", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("currency", "issue_date", "due_date"),
    )
    op.create_table(
        "open_accounts",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("invoices", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("bound_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "currency"),
    )
    op.create_index(
        "ix_open_accounts_bound", "open_accounts", ["bound_minor", "customer_id", "currency"]
    )
    op.execute(
        "INSERT INTO open_dues (currency, issue_date, due_date, invoices, amount_minor) "
        f"SELECT currency, issue_date, due_date, COUNT(*), SUM(amount_minor - paid_minor) {_OPEN} "
        "GROUP BY currency, issue_date, due_date"
    )
    op.execute(
        "INSERT INTO open_accounts (customer_id, currency, invoices, amount_minor, bound_minor) "
        "SELECT customer_id, currency, COUNT(*), SUM(amount_minor - paid_minor), "
        "SUM(CASE WHEN amount_minor > paid_minor THEN amount_minor - paid_minor ELSE 0 END) "
        f"{_OPEN} GROUP BY customer_id, currency"
    )


def downgrade() -> None:
    op.drop_index("ix_open_accounts_bound", table_name="open_accounts")
    op.drop_table("open_accounts")
    op.drop_table("open_dues")
