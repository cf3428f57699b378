"""the owner's sign-off of template texts the tone check flags

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 06:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "template_signoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("signed_by", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_signoffs")),
        sa.UniqueConstraint(
            "name",
            "language",
            "checksum",
            name="uq_template_signoffs_name_language_checksum",
        ),
    )


def downgrade() -> None:
    op.drop_table("template_signoffs")
