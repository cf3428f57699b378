"""the history needs no index on kind and day (every reader goes by customer)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 02:42:00
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_index("ix_history_kind_day")


def downgrade() -> None:
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.create_index("ix_history_kind_day", ["kind", "day"], unique=False)
