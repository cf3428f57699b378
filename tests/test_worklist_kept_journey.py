"""Four weeks of a demo book, and the work of a day after its run: every worklist page
read from the lines the run kept is the page cut from every line made afresh, for
every filter a collector can choose and pages further down, and the dashboard's task
count is the worklist's. Checked after each day's run and after each change the day
brings between runs (a bank statement, a customer's tags changed by an import, a hand
assignment, a follow-up done, a promise broken), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest

from recoup.services import assignments, demo, demo_bank, importing, run, users, worklist_pages
from recoup.services.book import Book
from recoup.services.casework import calls, promises, tasks
from recoup.services.importing import Kind, Options
from recoup.services.run import daily
from recoup.services.users import Role
from recoup.services.worklist import Filters
from recoup.store import point_in_time, worklist_repo

TODAY = date(2026, 11, 23)
PASSWORD = "kept-lines-pw-1"


def _filters(book: Book, day: date) -> list[Filters]:
    every = worklist_pages.afresh(book, day, Filters(), 0, 0)
    out = [Filters(), Filters(collector="ann"), Filters(unassigned=True)]
    out.append(Filters(collector="ann", unassigned=True))
    out += [Filters(kind=k) for k in (*every.kinds, "escalate")]
    out += [Filters(currency=c) for c in (*every.currencies, "JPY")]
    out.append(Filters(collector="ann", unassigned=True, kind="call", currency="EUR"))
    return out


def same_pages(book: Book, day: date) -> int:
    """Every filter and a few pages, kept against afresh; the lines on the list."""
    assert worklist_pages.task_count(book, day) == len(run.worklist(book, day))
    lines = 0
    for filters in _filters(book, day):
        for offset, limit in ((0, 5), (5, 5), (3, 40), (0, 500)):
            kept = worklist_pages._from_kept(book, day, filters, offset, limit)
            assert kept is not None, (day, filters)  # the kept lines held: read from them
            assert kept == worklist_pages.afresh(book, day, filters, offset, limit), filters
            lines = max(lines, kept.all_lines)
    return lines


def test_a_page_of_kept_lines_is_the_page_made_afresh(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a PostgreSQL book's statement is written here
    demo.write_book(book, demo.make(60, 600, 11, TODAY))
    users.add_user(book, "ann", PASSWORD, Role.COLLECTOR)
    checked: list[int] = []
    statements = []

    def money_in(day: date, worked: Sequence[str]) -> None:
        statements.append(demo_bank.money_in(book, day, worked))
        checked.append(same_pages(book, day))  # the statement's payments: queued

    def after_run(day: date) -> None:
        with book.read() as conn:
            past = point_in_time.moved_past(conn, day)
            assert worklist_repo.kept_day(conn) == (None if past else day)
        if past:  # the demo's ledger has payments of later days: nothing kept, afresh
            assert worklist_pages.page(book, day) == worklist_pages.afresh(book, day, Filters())
        else:
            checked.append(same_pages(book, day))

    demo.play(book, TODAY, deliver=after_run, money_in=money_in, payments_arrive=True)
    assert [s for s in statements if s is not None], "the statement was imported"
    assert len(checked) >= 2, checked  # days whose kept lines held
    assert max(checked) >= 10, checked  # lines to page through

    day = TODAY
    top = run.worklist(book, day)
    first = [i.customer for i in top if i.stage != "follow-up"]
    # the next morning's run, then the day's work, each followed by a look at the list
    day = TODAY + timedelta(days=1)
    run.run(book, day)
    same_pages(book, day)
    assignments.assign_by_hand(book, first[0], "ann", by="owner")
    same_pages(book, day)
    path = tmp_path / "tags.csv"
    path.write_text(f"customer,tags\n{first[1]},evader\n{first[2]},consumer\n", encoding="utf-8")
    report = importing.import_file(book, Kind.CUSTOMERS, path, Options())
    assert report.ok, report.problems
    assert report.updated >= 1
    same_pages(book, day)
    for followup in tasks.open_followups(book, day):
        tasks.done(book, followup.id, actor="ann", on=day)
    same_pages(book, day)
    # a promise made a week ago and not kept: broken at the next run
    key = first[3]
    call = calls.record_call(book, key, "promise", actor="ann", on=day)
    owed = run.worklist(book, day)
    amount = next(i.amount for i in owed if i.customer == key)
    promises.add_promise(
        book, key, amount, day + timedelta(days=2), actor="ann", on=day, contact_id=call.id
    )
    same_pages(book, day)
    later = day + timedelta(days=10)
    run.run(book, later)
    assert any(f.kind == "broken_promise" for f in tasks.open_followups(book, later))
    same_pages(book, later)
    for followup in tasks.open_followups(book, later):
        tasks.done(book, followup.id, actor="ann", on=later)
    same_pages(book, later)


def test_no_kept_lines_for_another_day(sqlite_book: Book) -> None:
    """A page of another day than the last run's is made afresh: a run of an earlier day
    (it may add tasks to the later days) keeps the lines of its own day. (A day the book
    has moved past keeps none: the journey's first weeks.)"""
    book = sqlite_book
    demo.write_book(book, demo.make(20, 200, 5, TODAY))
    run.run(book, TODAY)
    assert worklist_pages._from_kept(book, TODAY, Filters(), 0, 10) is not None
    assert worklist_pages._from_kept(book, TODAY + timedelta(days=1), Filters(), 0, 10) is None
    run.run(book, TODAY + timedelta(days=3))
    run.run(book, TODAY + timedelta(days=1))  # a replay of an earlier day
    with book.read() as conn:
        assert worklist_repo.kept_day(conn) == TODAY + timedelta(days=1)
    on = TODAY + timedelta(days=3)
    assert worklist_pages._from_kept(book, on, Filters(), 0, 10) is None
    assert worklist_pages.page(book, on, Filters(), 0, 10) == worklist_pages.afresh(
        book, on, Filters(), 0, 10
    )


def test_a_run_that_writes_forgets_the_kept_lines_first(
    sqlite_book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a run writes its batches, its new tasks are not in the kept lines: a run
    forgets them before it writes (a run stopped half way leaves none, and pages make
    their lines afresh); a dry run (the preview) leaves them as they are."""
    book = sqlite_book
    demo.write_book(book, demo.make(20, 200, 5, TODAY))
    run.run(book, TODAY)
    run.run(book, TODAY, dry_run=True)
    with book.read() as conn:
        assert worklist_repo.kept_day(conn) == TODAY

    def stopped(_book: Book, _day: date) -> int:
        raise RuntimeError("the run stopped before its last step")

    monkeypatch.setattr(daily, "keep_worklist", stopped)
    with pytest.raises(RuntimeError):
        run.run(book, TODAY + timedelta(days=1))
    with book.read() as conn:
        assert worklist_repo.kept_day(conn) is None
    assert worklist_pages._from_kept(book, TODAY, Filters(), 0, 10) is None
