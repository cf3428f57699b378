"""The demo's four weeks: daily runs with a collector working the largest accounts."""

from __future__ import annotations

from datetime import date

from recoup.services import daily_run, demo, history, run
from recoup.services.book import Book

TODAY = date(2026, 11, 23)


def test_the_demo_weeks_leave_follow_ups_histories_and_approvals(sqlite_book: Book):
    demo.write_book(sqlite_book, demo.make(120, 1200, 7, TODAY))
    played = demo.play(sqlite_book, TODAY)
    assert played.recorded > 0
    assert len(played.casework) == 5, played.casework
    promised = played.casework[0].split(":")[0]
    kinds = [e.kind for e in history.entries(sqlite_book, promised)]
    assert "call" in kinds
    assert "promise" in kinds
    assert "promise_broken" in kinds  # the week passed without the payment
    work = daily_run.worklist(sqlite_book, TODAY)
    # the dashboard's count of them, made by the database, is the worklist's
    assert run.task_count(sqlite_book, TODAY) == len(work) > 0
    assert any(w.customer == promised and w.kind == "broken_promise" for w in work)
