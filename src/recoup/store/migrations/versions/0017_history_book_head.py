"""the history's book head over all customers' heads, and signed anchors

`history_book` holds one row: how many customers have a history, how many entries they
hold, and the sum of their heads' hashes (recoup.domain.history.BookHead). It is made
here from the heads an existing book already has, and kept up to date by every append
from then on. `history_anchors` keeps the signed files `recoup log anchor` writes.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    book = op.create_table(
        "history_book",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_book")),
    )
    op.create_table(
        "history_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.String(length=32), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_anchors")),
    )
    # the heads as they stand (the sum below is the one recoup.domain.history computes)
    customers = entries = total = 0
    for seq, digest in op.get_bind().execute(sa.text("SELECT seq, hash FROM history_heads")):
        customers += 1
        entries += int(seq)
        total += int(str(digest), 16)
    op.bulk_insert(
        book,
        [
            {
                "id": 1,
                "customers": customers,
                "entries": entries,
                "digest": f"{total % (1 << 256):064x}",
            }
        ],
    )


def downgrade() -> None:
    op.drop_table("history_anchors")
    op.drop_table("history_book")
