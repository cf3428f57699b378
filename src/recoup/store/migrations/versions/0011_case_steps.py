"""each case keeps its cycle's actions as text, and ended cycles theirs, so that the
daily run reads a case without reading its actions one by one

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _item(dialect: str) -> str:
    """One action as `recoup.store.steps.step` writes it (the amount of interest only)."""
    if dialect == "sqlite":
        amount = "CASE WHEN a.kind = 'interest' THEN a.amount_minor ELSE '' END"
        return f"a.run_on || char(31) || a.kind || char(31) || a.stage || char(31) || {amount}"
    amount = "CASE WHEN a.kind = 'interest' THEN a.amount_minor::text ELSE '' END"
    return (
        "to_char(a.run_on, 'YYYY-MM-DD') || chr(31) || a.kind || chr(31) || a.stage "
        f"|| chr(31) || {amount}"
    )


def _joined(dialect: str, item: str) -> str:
    if dialect == "sqlite":  # the rows come in id order from the subquery
        return f"group_concat({item}, char(30))"
    return f"string_agg({item}, chr(30) ORDER BY a.id)"


def upgrade() -> None:
    op.add_column("cases", sa.Column("steps", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "ended_cycles",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("cycle_start", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("steps", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name="fk_ended_cycles_customer_id_customers"
        ),
        sa.PrimaryKeyConstraint("customer_id", "currency", "cycle_start", name="pk_ended_cycles"),
    )
    op.create_index("ix_ended_cycles_ended_on", "ended_cycles", ["ended_on"], unique=False)
    dialect = op.get_bind().dialect.name
    item = _item(dialect)
    source = "(SELECT * FROM actions ORDER BY id)" if dialect == "sqlite" else "actions"
    op.execute(
        f"UPDATE cases SET steps = coalesce((SELECT {_joined(dialect, item)} "
        f"FROM {source} a WHERE a.customer_id = cases.customer_id "
        "AND a.currency = cases.currency AND a.cycle_start = cases.cycle_start), '')"
    )
    # the cycles of earlier actions ended on or after the day of their last action
    op.execute(
        "INSERT INTO ended_cycles (customer_id, currency, cycle_start, ended_on, steps) "
        f"SELECT a.customer_id, a.currency, a.cycle_start, max(a.run_on), "
        f"{_joined(dialect, item)} FROM {source} a LEFT JOIN cases c "
        "ON c.customer_id = a.customer_id AND c.currency = a.currency "
        "AND c.cycle_start = a.cycle_start WHERE c.customer_id IS NULL "
        "GROUP BY a.customer_id, a.currency, a.cycle_start"
    )


def downgrade() -> None:
    op.drop_index("ix_ended_cycles_ended_on", table_name="ended_cycles")
    op.drop_table("ended_cycles")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("steps")
