"""The worklist's tasks in the store: which actions they are (`current`, the one
definition the worklist's reading and its count share) and their count made by the
database (the dashboard's figure), without reading and scoring each one as the
worklist does (`run_repo.open_tasks`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, literal_column, select, text
from sqlalchemy.engine import Connection

from recoup.store.tables import TASK_KINDS_SQL, actions, cases, invoices


def current(as_of: date) -> tuple[Any, tuple[Any, ...]]:
    """(the actions joined to their current cycle's case, the conditions) of the call
    tasks and recommendations due by `as_of`. The kinds are written as the partial
    index `ix_actions_tasks` has them, so that SQLite uses it."""
    joined = actions.join(
        cases,
        and_(
            cases.c.customer_id == actions.c.customer_id,
            cases.c.currency == actions.c.currency,
            cases.c.cycle_start == actions.c.cycle_start,
        ),
    )
    return joined, (actions.c.run_on <= as_of, text(TASK_KINDS_SQL))


def open_task_count(conn: Connection, as_of: date) -> int:
    """How many of the `current` tasks have an invoice left to pay in their currency,
    as the worklist finds them on a day the book has not moved past (the invoices open
    now, issued by then, with something left): one index probe a task."""
    left = invoices.c.amount_minor - invoices.c.paid_minor
    owing = exists().where(
        invoices.c.customer_id == actions.c.customer_id,
        invoices.c.currency == actions.c.currency,
        invoices.c.kind == literal_column("'invoice'"),  # as the partial index has it
        invoices.c.settled_on.is_(None),
        invoices.c.issue_date <= as_of,
        left > 0,
    )
    joined, due = current(as_of)
    q = select(func.count()).select_from(joined).where(*due, owing)
    return int(conn.execute(q).scalar_one())
