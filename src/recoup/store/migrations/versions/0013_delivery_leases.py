"""delivery re-decides: withdrawn actions, outbox revisions, leases, wait reasons

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 06:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_NOT_WITHDRAWN = sa.text("withdrawn_on IS NULL")
_KEY = ["customer_id", "currency", "cycle_start", "stage", "kind"]


def upgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_on", sa.Date(), nullable=True))
        batch_op.drop_constraint("uq_actions_once_per_cycle", type_="unique")
    op.create_index(
        "uq_actions_once_per_cycle",
        "actions",
        _KEY,
        unique=True,
        sqlite_where=_NOT_WITHDRAWN,
        postgresql_where=_NOT_WITHDRAWN,
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("wait_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("facts", sa.Text(), nullable=True))
        batch_op.drop_constraint("uq_outbox_action_id", type_="unique")
    op.create_index("uq_outbox_action_id", "outbox", ["action_id", "revision"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_outbox_action_id", table_name="outbox")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        for name in ("facts", "wait_reason", "lease_until", "lease_owner", "revision"):
            batch_op.drop_column(name)
        batch_op.create_unique_constraint("uq_outbox_action_id", ["action_id"])
    op.drop_index("uq_actions_once_per_cycle", table_name="actions")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_on")
        batch_op.create_unique_constraint("uq_actions_once_per_cycle", _KEY)
