"""a statement's gap: what its booked lines leave unexplained between its opening and
closing balance (issue 17: statement balance checks)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 12:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bank_statements") as batch:
        batch.add_column(sa.Column("gap_minor", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bank_statements") as batch:
        batch.drop_column("gap_minor")
