"""the worklist's lines as the daily run left them and their sums, and the tasks by customer
(issue 16: a worklist page reads its lines instead of scoring every task of the book)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-08 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

_TASKS = sa.text("kind IN ('call', 'escalate', 'write_off_recommendation')")


def upgrade() -> None:
    op.create_table(
        "worklist_lines",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("kinds", sa.Text(), nullable=False),
        sa.Column("tasks", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("customer_id", "currency"),
    )
    op.create_index("ix_worklist_lines_rank", "worklist_lines", ["rank"], unique=True)
    op.create_table(
        "worklist_groups",
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("kinds", sa.Text(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("tasks", sa.Integer(), nullable=False),
        sa.Column("first_rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("currency", "kinds"),
    )
    op.create_index(
        "ix_actions_tasks_customer",
        "actions",
        ["customer_id"],
        unique=False,
        sqlite_where=_TASKS,
        postgresql_where=_TASKS,
    )


def downgrade() -> None:
    op.drop_index("ix_actions_tasks_customer", table_name="actions")
    op.drop_table("worklist_groups")
    op.drop_index("ix_worklist_lines_rank", table_name="worklist_lines")
    op.drop_table("worklist_lines")
