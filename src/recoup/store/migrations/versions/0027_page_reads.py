"""the worklist's tasks by day, without the run's emails and letters, and the messages
with a delivery problem, without those that simply wait, and the customers' languages
(issue 16: the dashboard's and the worklist's reads)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 19:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

_TASKS = sa.text("kind IN ('call', 'escalate', 'write_off_recommendation')")
_PROBLEMS = sa.text(
    "state = 'failed' OR (state = 'pending' AND (last_error IS NOT NULL "
    "OR (wait_reason IS NOT NULL AND next_attempt_at IS NULL)))"
)


def upgrade() -> None:
    op.create_index("ix_customers_language", "customers", ["language"], unique=False)
    op.create_index(
        "ix_actions_tasks",
        "actions",
        ["run_on"],
        unique=False,
        sqlite_where=_TASKS,
        postgresql_where=_TASKS,
    )
    op.create_index(
        "ix_outbox_problems",
        "outbox",
        ["id"],
        unique=False,
        sqlite_where=_PROBLEMS,
        postgresql_where=_PROBLEMS,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_problems", table_name="outbox")
    op.drop_index("ix_customers_language", table_name="customers")
    op.drop_index("ix_actions_tasks", table_name="actions")
