"""each user's language of the web pages (issue 15: in the user's language)

`users.language`: en, de or fr as the user chose on their settings page; NULL: the
browser's Accept-Language decides (`recoup.web.language`).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-12 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
