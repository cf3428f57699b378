"""join the case work and messages branches; how much of each charge is paid

Revision ID: 0007
Revises: 0005, 0006
Create Date: 2026-11-23 01:26:07.317985
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = ("0005", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paid_minor", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_column("paid_minor")
