"""the charges (fee and interest actions) by customer and day, from an index of their own

An account's state reads its charges, and aging and the customer list find the few
customers that have any, without a scan of every action the daily run recorded.

A branch from 0015 beside 0016 and 0017 (made at the same time by other work): upgrades
apply every head; it touches only an index of its own.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-09 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_CHARGES = sa.text("kind IN ('fee', 'interest')")


def upgrade() -> None:
    op.create_index(
        "ix_actions_charges",
        "actions",
        ["customer_id", "run_on"],
        unique=False,
        sqlite_where=_CHARGES,
        postgresql_where=_CHARGES,
    )


def downgrade() -> None:
    op.drop_index("ix_actions_charges", table_name="actions")
