"""the review queue's stamps: a run takes a customer off the queue only if nobody
queued it again while the run looked at it (issue 16: what the worklist's kept lines
and the run rely on)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-08 01:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_queue") as batch:
        batch.add_column(sa.Column("stamp", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("review_queue") as batch:
        batch.drop_column("stamp")
