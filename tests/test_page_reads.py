"""The dashboard's and the worklist's reads go through the indexes made for them on
SQLite, whose planner has no statistics for a book never analysed: the worklist's tasks
along `ix_actions_tasks` (not every email the run sent), the delivery problems along
`ix_outbox_problems` (not every message waiting to go out), and the kinds written into
the tasks' condition are the worklist's own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from recoup.domain.kinds import ActionKind
from recoup.services.book import Book
from recoup.store import messages_repo, tasks_repo
from recoup.store.tables import TASK_KINDS_SQL


def _plans(book: Book, read: Any) -> list[str]:
    """Every query plan SQLite chose for the statements `read` ran."""
    plans: list[str] = []
    with book.read() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        seen: list[tuple[str, Any]] = []

        def trace(statement: str) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append((statement, None))

        raw.set_trace_callback(trace)
        try:
            read(conn)
        finally:
            raw.set_trace_callback(None)
        for statement, _ in seen:
            rows = raw.execute(f"EXPLAIN QUERY PLAN {statement}").fetchall()
            plans.append(" | ".join(str(r[-1]) for r in rows))
    return plans


def test_the_tasks_condition_names_the_worklists_kinds() -> None:
    wanted = {ActionKind.CALL, ActionKind.ESCALATE, ActionKind.WRITE_OFF_RECOMMENDATION}
    named = set(TASK_KINDS_SQL.split("(", 1)[1].rstrip(")").replace("'", "").split(", "))
    assert named == {k.value for k in wanted}


def test_the_tasks_and_the_problems_are_read_from_their_indexes(sqlite_book: Book) -> None:
    from datetime import date

    plans = _plans(sqlite_book, lambda conn: tasks_repo.scoring_rows(conn, date(2026, 11, 23)))
    assert any("ix_actions_tasks" in p for p in plans), plans
    plans = _plans(sqlite_book, messages_repo.problems)
    assert any("ix_outbox_problems" in p for p in plans), plans
    assert not any("ix_outbox_state" in p for p in plans), plans
    with sqlite_book.read() as conn:  # both indexes are there, with their conditions
        made = dict(
            conn.execute(text("SELECT name, sql FROM sqlite_master WHERE name LIKE 'ix_%'")).all()
        )
    assert TASK_KINDS_SQL in made["ix_actions_tasks"]
    assert "state = 'failed'" in made["ix_outbox_problems"]
