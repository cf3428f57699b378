"""the daily run reads the open invoices by customer from an index of their own

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_COLUMNS = ["customer_id", "currency", "due_date", "number", "issue_date"]
_COLUMNS += ["amount_minor", "paid_minor"]
_OPEN = sa.text("settled_on IS NULL AND kind = 'invoice'")


def upgrade() -> None:
    op.create_index(
        "ix_invoices_open_by_customer",
        "invoices",
        _COLUMNS,
        unique=False,
        sqlite_where=_OPEN,
        postgresql_where=_OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_invoices_open_by_customer", table_name="invoices")
