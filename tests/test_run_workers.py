"""Planning processes (`recoup.services.run.workers`): a run whose batches are planned in
other processes records what a run in one process records, and a change somebody
commits while it runs is planned with, not over."""

from __future__ import annotations

import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from recoup.services import daily_run, demo
from recoup.services.book import Book
from recoup.services.casework import calls
from recoup.services.run import daily
from recoup.store import run_repo

from .test_daily_run import recorded

START = date(2026, 11, 2)  # a Monday
CONTACTS = ("email", "letter", "call")


@pytest.fixture
def two_books(tmp_path: Path) -> tuple[Book, Book]:
    first = tmp_path / "one.db"
    book = Book.create(str(first))
    demo.write_book(book, demo.make(120, 1200, 5, START))
    book.close()
    shutil.copy(first, tmp_path / "two.db")
    return Book.open(str(first)), Book.open(str(tmp_path / "two.db"))


def test_batches_planned_in_other_processes_record_what_one_process_records(two_books):
    ahead, alone = two_books
    kinds = set()
    for offset in range(0, 50, 4):
        day = START + timedelta(days=offset)
        full = offset % 8 == 0
        one = daily_run.run(ahead, day, full=full, batch_size=9, workers=2)
        two = daily_run.run(alone, day, full=full, batch_size=9, workers=0)
        assert one.to_json() == two.to_json(), day
        kinds |= {a["kind"] for a in one.actions}
    assert {"email", "letter", "call"} <= kinds  # the stages were reached
    assert recorded(ahead) == recorded(alone)
    dry = daily_run.run(ahead, day + timedelta(days=3), full=True, batch_size=9, workers=2,
                        dry_run=True)  # fmt: skip
    assert (
        dry.to_json()
        == daily_run.run(
            alone, day + timedelta(days=3), full=True, batch_size=9, workers=0, dry_run=True
        ).to_json()
    )
    assert recorded(ahead) == recorded(alone)


def test_a_change_committed_while_planners_run_ahead_is_planned_with(two_books):
    book, reference = two_books
    plan = daily_run.run(reference, START, batch_size=10, workers=0, dry_run=True)
    with reference.read() as conn:
        ids = run_repo.candidates(conn, START, False)
    last = set(ids[-10:])
    keys = run_repo.customer_ids_of
    with reference.read() as conn:
        id_of = keys(conn, {a["customer"] for a in plan.actions})
    target = next(
        a["customer"]
        for a in plan.actions
        if a["kind"] in CONTACTS and id_of[a["customer"]] in last
    )
    calls_made: list[int] = []

    def meanwhile(done: int, total: int) -> None:
        if not calls_made:
            time.sleep(1.5)  # the planners have read every batch by now
            calls.record_call(book, target, "left_message", actor="anna", on=START)
            calls_made.append(done)

    report = daily_run.run(book, START, batch_size=10, workers=2, progress=meanwhile)
    assert calls_made
    mine = [a for a in report.actions if a["customer"] == target and a["kind"] in CONTACTS]
    assert mine == [], "a plan read before the call was written over it"
    waiting = [s["reason"] for s in report.skipped if s["customer"] == target]
    assert any("gap" in w or "not before" in w for w in waiting), waiting
    # everyone else got what the run without the call gives
    others = [a for a in report.actions if a["customer"] != target]
    expected = [a for a in plan.actions if a["customer"] != target]
    assert [(a["customer"], a["kind"], a["stage"]) for a in others] == [
        (a["customer"], a["kind"], a["stage"]) for a in expected
    ]


def test_planners_are_used_only_where_they_pay(tmp_path: Path, monkeypatch):
    """(PostgreSQL books plan in the run's own process: see test_run_summaries.)"""
    book = Book.create(str(tmp_path / "b.db"))
    assert daily._planners(book, 1, None) == 0  # one batch: an ordinary day
    assert daily._planners(book, 5, 0) == 0
    assert daily._planners(book, 5, 2) == 2
    monkeypatch.setenv(daily.WORKERS_VARIABLE, "0")
    assert daily._planners(book, 5, None) == 0
    monkeypatch.setenv(daily.WORKERS_VARIABLE, "3")
    assert daily._planners(book, 5, None) == 3
