"""The worklist's tasks counted by the database (the dashboard's figure), without
reading and scoring each one as the worklist itself does (`run_repo.open_tasks`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, func, literal_column, select, text
from sqlalchemy.engine import Connection

from recoup.store.tables import TASK_KINDS_SQL, actions, cases, invoices


def open_task_count(conn: Connection, as_of: date) -> int:
    """How many of `run_repo.open_tasks` have an invoice left to pay in their currency,
    as the worklist finds them on a day the book has not moved past (the invoices open
    now, issued by then, with something left): one index probe a task, instead of
    reading every such customer's invoices."""
    left = invoices.c.amount_minor - invoices.c.paid_minor
    owing = exists().where(
        invoices.c.customer_id == actions.c.customer_id,
        invoices.c.currency == actions.c.currency,
        invoices.c.kind == literal_column("'invoice'"),  # as the partial index has it
        invoices.c.settled_on.is_(None),
        invoices.c.issue_date <= as_of,
        left > 0,
    )
    q = (
        select(func.count())
        .select_from(
            actions.join(
                cases,
                and_(
                    cases.c.customer_id == actions.c.customer_id,
                    cases.c.currency == actions.c.currency,
                    cases.c.cycle_start == actions.c.cycle_start,
                ),
            )
        )
        # the kinds as the partial index `ix_actions_tasks` writes them, so it is used
        .where(actions.c.run_on <= as_of, text(TASK_KINDS_SQL), owing)
    )
    return int(conn.execute(q).scalar_one())
