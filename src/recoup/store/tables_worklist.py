"""The worklist's lines as the daily run left them (issue 16): one row per customer and
currency with a task, in the order of urgency on the run's day, so that a page of the
worklist reads its fifty lines and its counts instead of scoring every task of the book
on each request. Every change here comes with a migration.

Only the last run's day is kept (the `meta` row `worklist_day`); the rows are replaced
as a whole by each run that writes. A customer whose book changed since is in
`review_queue` and is scored afresh by the page (`recoup.services.worklist_kept`).
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from recoup.store.tables import metadata

worklist_lines = Table(
    "worklist_lines",
    metadata,
    Column("customer_id", Integer, primary_key=True),
    Column("currency", String(3), primary_key=True),
    # the line's place in the day's order: (-score, customer key, currency)
    Column("rank", Integer, nullable=False),
    Column("score", Integer, nullable=False),
    # the kinds of task the line holds, each between commas: ",call,escalate,"
    Column("kinds", Text, nullable=False),
    Column("tasks", Integer, nullable=False),
    Index("ix_worklist_lines_rank", "rank", unique=True),
)

# The kept lines added up by currency and kinds of task, written with them: a page's
# counts and choices, less the lines of the customers made afresh, without reading
# every kept line.
worklist_groups = Table(
    "worklist_groups",
    metadata,
    Column("currency", String(3), primary_key=True),
    Column("kinds", Text, primary_key=True),
    Column("lines", Integer, nullable=False),
    Column("tasks", Integer, nullable=False),
    Column("first_rank", Integer, nullable=False),
)
