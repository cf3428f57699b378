"""The book as known on an earlier day (`recoup.store.point_in_time`).

Two properties:

- on a day the book has not moved past (no payment, credit note or decision dated
  after it), the point-in-time reads give exactly what the stored figures give: the run
  decides the same either way;
- on a day it has moved past, every reader sees what a book holding only the records
  dated up to that day shows: the run's decisions, aging, the account, the customer
  list, `explain` and the worklist agree with that truncated book, built separately.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoup.demo.generator import GeneratedBook
from recoup.domain.collection import NUMBER_SEPARATOR, OpenSummary
from recoup.services import accounts, allocation_sync, daily_run, demo, importing, reports
from recoup.services.book import Book
from recoup.services.casework import disputes, holds, promises
from recoup.services.importing import Kind, Options
from recoup.services.policy import active_policy
from recoup.store import ledger_repo, point_in_time, run_repo, sketch_repo
from recoup.store.run_repo import ACTION_COLUMNS
from recoup.store.steps import ITEM, PART

START = date(2026, 11, 2)


def _plan(book: Book, ids: list[int], as_of: date, past: bool) -> dict[str, Any]:
    """What planning these customers on `as_of` decides (nothing written)."""
    version, policy = active_policy(book)
    with book.read() as conn:
        made = daily_run.plan_batch(conn, ids, policy, version, as_of, past=past)
    return {
        "reviewed": made.reviewed,
        "rows": [dict(zip(ACTION_COLUMNS, row, strict=True)) for row in made.rows],
        "upserts": made.upserts,
        "ended": made.ended,
        "skipped": made.skipped,
    }


def _numbers_sorted(summary: OpenSummary) -> OpenSummary:
    """The summary with its numbers in one order (the database joins them in any)."""
    return summary._replace(numbers_text=NUMBER_SEPARATOR.join(summary.numbers()))


def _sorted_numbers(found: dict[int, dict[str, OpenSummary]]) -> dict[int, dict[str, OpenSummary]]:
    return {cid: {c: _numbers_sorted(s) for c, s in by.items()} for cid, by in found.items()}


def _same_order(loaded: list[run_repo.CustomerData]) -> list[run_repo.CustomerData]:
    for data in loaded:
        data.summaries = {c: _numbers_sorted(s) for c, s in data.summaries.items()}
    return loaded


def _without_ids(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in a.items() if k != "id"} for a in actions]


# --- the same book, either way ------------------------------------------------------------


def test_on_a_day_the_book_has_not_moved_past_both_reads_agree(book: Book):
    demo.write_book(book, demo.make(60, 700, 5, START, currency=None))
    for as_of in (START, START + timedelta(days=23)):
        with book.read() as conn:
            assert not point_in_time.moved_past(conn, as_of)
            ids = run_repo.candidates(conn, as_of, full=True)
            assert run_repo.candidates(conn, as_of, False, past=True) == ids
            for summarize in (False, True):
                assert _same_order(
                    run_repo.load(conn, ids, as_of, summarize=summarize, past=True)
                ) == _same_order(run_repo.load(conn, ids, as_of, summarize=summarize))
            assert _sorted_numbers(run_repo.open_summaries(conn, ids, as_of, past=True)) == (
                _sorted_numbers(run_repo.open_summaries(conn, ids, as_of))
            )
            for overdue in (False, True):
                fast = sketch_repo.sketches(conn, ids, as_of, overdue=overdue)
                slow = sketch_repo.sketches(conn, ids, as_of, overdue=overdue, past=True)
                assert [s.open for s in slow] == [s.open for s in fast]
        planned = _plan(book, ids, as_of, past=False)
        assert as_of != START or len(planned["rows"]) > 20
        assert _plan(book, ids, as_of, past=True) == planned


def test_steps_until_leaves_out_later_days_only():
    text = ITEM.join(
        f"{day}{PART}{kind}{PART}{stage}{PART}"
        for day, kind, stage in (
            ("2026-11-02", "email", "friendly"),
            ("2026-11-09", "email", "firm"),
            ("2026-11-16", "letter", "final"),
        )
    )
    assert point_in_time.steps_until(text, date(2026, 11, 30)) is text
    assert point_in_time.steps_until(text, date(2026, 11, 9)) == ITEM.join(text.split(ITEM)[:2])
    assert point_in_time.steps_until(text, date(2026, 11, 1)) == ""
    assert point_in_time.steps_until("", date(2026, 11, 1)) == ""


# --- a day in the past against the book as it stood then ------------------------------------


def _truncated(gen: GeneratedBook, day: date) -> GeneratedBook:
    """The generated book as it stood on `day`: what was issued and paid by then."""
    return GeneratedBook(
        gen.as_of,
        list(gen.customers),
        [i for i in gen.invoices if i.issue_date <= day],
        [p for p in gen.payments if p.date <= day],
    )


def _account(book: Book, key: str, day: date) -> dict[str, Any]:
    return accounts.account(book, key, day).to_json()


def test_a_day_in_the_past_reads_as_the_book_then_stood(book: Book, tmp_path: Path):
    gen = demo.make(40, 500, 9, START, currency=None)
    demo.write_book(book, gen)
    for n, day in enumerate((START - timedelta(days=90), START - timedelta(days=17))):
        then = Book.create(str(tmp_path / f"then{n}.db"))
        try:
            demo.write_book(then, _truncated(gen, day))
            with book.read() as conn:
                assert point_in_time.moved_past(conn, day)
                ids = run_repo.candidates(conn, day, False, past=True)
            with then.read() as conn:
                assert not point_in_time.moved_past(conn, day)
                assert run_repo.candidates(conn, day, full=True) == ids
            planned = _plan(then, ids, day, past=False)
            assert len(planned["rows"]) > 5
            assert _plan(book, ids, day, past=True) == planned
            assert reports.aging(book, day).to_json() == reports.aging(then, day).to_json()
            listed = accounts.list_customers(book, day, per_page=500).to_json()
            assert listed == accounts.list_customers(then, day, per_page=500).to_json()
            keys = sorted({i.customer for i in gen.invoices if i.issue_date <= day})
            for key in keys[:12]:
                assert _account(book, key, day) == _account(then, key, day), key
                assert (
                    daily_run.explain(book, key, day).to_json()
                    == daily_run.explain(then, key, day).to_json()
                )
            if n == 0:
                continue  # read only: the recorded run below changes the book's cases
            # the whole run, recorded, then what it leaves for people
            now = daily_run.run(book, day, workers=0)
            was = daily_run.run(then, day, full=True, workers=0)
            assert now.reviewed == was.reviewed
            assert _without_ids(now.actions) == _without_ids(was.actions)
            assert now.skipped == was.skipped
            assert [w.to_json() for w in daily_run.worklist(book, day)] == [
                w.to_json() for w in daily_run.worklist(then, day)
            ]
        finally:
            then.close()


def test_a_run_on_a_past_day_leaves_the_queue_to_today(sqlite_book: Book):
    gen = demo.make(20, 200, 3, START)
    demo.write_book(sqlite_book, gen)
    with sqlite_book.read() as conn:
        queued = sorted(run_repo.queued(conn))
    assert queued
    daily_run.run(sqlite_book, START - timedelta(days=30))
    with sqlite_book.read() as conn:
        assert sorted(run_repo.queued(conn)) == queued
    daily_run.run(sqlite_book, START)
    with sqlite_book.read() as conn:
        assert run_repo.queued(conn) == []


# --- random books with partial payments and credit notes -----------------------------------


@dataclass(frozen=True)
class Doc:
    customer: int
    number: str
    kind: str  # invoice | credit_note
    issued: date
    due: date
    minor: int
    applies_to: str | None = None


@dataclass(frozen=True)
class Pay:
    customer: int
    key: str
    on: date
    minor: int
    invoice: str | None


BASE = date(2026, 3, 2)


@st.composite
def books(draw: st.DrawFn) -> tuple[list[Doc], list[Pay], date]:
    docs: list[Doc] = []
    pays: list[Pay] = []
    for c in range(draw(st.integers(1, 4))):
        mine: list[Doc] = []
        for _ in range(draw(st.integers(1, 6))):
            issued = BASE + timedelta(days=draw(st.integers(0, 120)))
            due = issued + timedelta(days=draw(st.sampled_from([0, 14, 30, 60])))
            mine.append(
                Doc(c, f"I{c}-{len(mine)}", "invoice", issued, due, draw(st.integers(1, 90_000)))
            )
        for n in range(draw(st.integers(0, 2))):
            target = draw(st.sampled_from(mine))
            issued = target.issued + timedelta(days=draw(st.integers(0, 40)))
            docs.append(
                Doc(c, f"CN{c}-{n}", "credit_note", issued, issued,
                    draw(st.integers(1, target.minor)), target.number)
            )  # fmt: skip
        docs.extend(mine)
        for n in range(draw(st.integers(0, 6))):
            target = draw(st.sampled_from(mine))
            on = target.issued + timedelta(days=draw(st.integers(0, 90)))
            named = target.number if draw(st.booleans()) else None
            minor = draw(st.integers(1, target.minor + 20_000))
            pays.append(Pay(c, f"P{c}-{n}", on, minor, named))
    day = BASE + timedelta(days=draw(st.integers(0, 200)))
    return docs, pays, day


def _write(book: Book, docs: list[Doc], pays: list[Pay], customers: int) -> None:
    with book.write() as conn:
        ledger_repo.insert_customers(
            conn,
            [
                (f"K{c}", f"Customer {c}", "US", "en", "America/New_York", "")
                for c in range(customers)
            ],
        )
        ids = ledger_repo.customer_ids(conn)
        ledger_repo.insert_invoices(
            conn,
            [
                (
                    ids[f"K{d.customer}"],
                    d.number,
                    d.kind,
                    d.issued,
                    d.due,
                    "USD",
                    d.minor,
                    None,
                    "",
                    None,
                    d.applies_to,
                    "credit" if d.kind == "credit_note" else "open",
                    0,
                    None,
                    None,
                    None,
                )
                for d in docs
            ],
        )
        ledger_repo.insert_payments(
            conn,
            [(ids[f"K{p.customer}"], p.key, p.on, "USD", p.minor, "", "", p.invoice) for p in pays],
        )
        allocation_sync.recompute(conn, None)
        run_repo.enqueue(conn, ids.values())


@pytest.fixture(scope="module")
def empty_book_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated empty SQLite book, copied for each example (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("template") / "empty.db"
    Book.create(str(path)).close()
    return path


@pytest.fixture
def fresh(empty_book_file: Path, tmp_path: Path) -> Iterator[Any]:
    opened: list[Book] = []
    count = [0]

    def make() -> Book:
        count[0] += 1
        path = tmp_path / f"b{count[0]}.db"
        shutil.copy(empty_book_file, path)
        book = Book.open(str(path))
        opened.append(book)
        return book

    yield make
    for b in opened:
        b.close()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(books())
def test_random_books_read_on_a_past_day_as_they_then_stood(fresh: Any, drawn: Any) -> None:
    docs, pays, day = drawn
    customers = 1 + max(d.customer for d in docs)
    now, then = fresh(), fresh()
    _write(now, docs, pays, customers)
    # a payment dated by `day` names an invoice issued by then; a credit note too
    _write(then, [d for d in docs if d.issued <= day], [p for p in pays if p.on <= day], customers)
    with now.read() as conn:
        past = point_in_time.moved_past(conn, day)
        ids = run_repo.candidates(conn, day, False, past=True)
    # the stored figures are read as they are only when nothing was applied after `day`
    assert past or _applied_nothing_later(now, day)
    with then.read() as conn:
        assert not point_in_time.moved_past(conn, day)
        assert run_repo.candidates(conn, day, full=True) == ids
    assert _plan(now, ids, day, past=True) == _plan(then, ids, day, past=False)
    assert reports.aging(now, day).to_json() == reports.aging(then, day).to_json()
    for c in range(customers):
        assert _account(now, f"K{c}", day) == _account(then, f"K{c}", day)


def _applied_nothing_later(book: Book, day: date) -> bool:
    with book.read() as conn:
        rows = conn.exec_driver_sql(
            "SELECT count(*) FROM allocations WHERE date > ?", (day.isoformat(),)
        ).scalar()
    return rows == 0


def test_a_seeded_random_book_on_both_databases(book: Book, tmp_path: Path) -> None:
    """One random book of the kind above, on SQLite and PostgreSQL, read on several
    past days (the point-in-time SQL runs on both)."""
    rnd = random.Random(13)
    docs: list[Doc] = []
    pays: list[Pay] = []
    for c in range(12):
        mine = []
        for n in range(rnd.randint(2, 7)):
            issued = BASE + timedelta(days=rnd.randint(0, 150))
            due = issued + timedelta(days=rnd.choice([14, 30, 45]))
            mine.append(Doc(c, f"I{c}-{n}", "invoice", issued, due, rnd.randint(5_000, 400_000)))
        docs.extend(mine)
        if c % 3 == 0:
            t = rnd.choice(mine)
            docs.append(
                Doc(c, f"CN{c}", "credit_note", t.issued + timedelta(days=20),
                    t.issued + timedelta(days=20), t.minor // 3, t.number)
            )  # fmt: skip
        for n, t in enumerate(mine):
            if rnd.random() < 0.7:
                on = t.due + timedelta(days=rnd.randint(-10, 60))
                part = t.minor if rnd.random() < 0.7 else t.minor // 2
                pays.append(Pay(c, f"P{c}-{n}", on, part, t.number if rnd.random() < 0.5 else None))
    _write(book, docs, pays, 12)
    for n, day in enumerate((BASE + timedelta(days=60), BASE + timedelta(days=130))):
        then = Book.create(str(tmp_path / f"then{n}.db"))
        try:
            _write(
                then,
                [d for d in docs if d.issued <= day],
                [p for p in pays if p.on <= day],
                12,
            )
            with book.read() as conn:
                assert point_in_time.moved_past(conn, day)
                ids = run_repo.candidates(conn, day, False, past=True)
            planned = _plan(then, ids, day, past=False)
            assert planned["rows"]
            assert _plan(book, ids, day, past=True) == planned
            assert reports.aging(book, day).to_json() == reports.aging(then, day).to_json()
            for c in range(12):
                assert _account(book, f"K{c}", day) == _account(then, f"K{c}", day), c
        finally:
            then.close()


# --- case work decided after the day -------------------------------------------------------


def test_holds_decided_later_still_hold_on_an_earlier_day(book: Book, tmp_path: Path) -> None:
    """A promise broken and a dispute rejected later held contact on the days between;
    a dispute opened later did not exist yet."""
    inv = tmp_path / "inv.csv"
    inv.write_text(
        "customer,number,issue_date,due_date,amount,currency\n"
        "C1,A1,2026-07-01,2026-07-31,500.00,USD\n"
        "C2,B1,2026-07-01,2026-07-31,300.00,USD\n",
        encoding="utf-8",
    )
    assert importing.import_file(book, Kind.INVOICES, inv, Options()).ok
    promises.add_promise(book, "C1", "500.00", date(2026, 10, 9), actor="t", on=date(2026, 10, 1))
    promises.review_promises(book, date(2026, 11, 2))  # nothing paid: broken
    assert promises.list_promises(book, "C1")[0].status == "broken"
    opened = disputes.open_dispute(
        book, "C2", "B1", "quality", actor="t", on=date(2026, 10, 5), amount="100.00"
    )
    disputes.resolve(book, opened.id, "rejected", actor="t", on=date(2026, 10, 26))
    between, before = date(2026, 10, 7), date(2026, 10, 2)
    with book.read() as conn:
        ids = sorted(run_repo.candidates(conn, between, full=True, past=True))
        assert point_in_time.moved_past(conn, between)
        found = holds.holds_for(conn, ids, between, past=True)
        kinds = {cid: sorted(h.kind.value for h in hs) for cid, hs in found.items()}
        assert sorted(kinds.values()) == [["dispute"], ["promise"]]
        # today's view (the stored states) sees neither
        assert holds.holds_for(conn, ids, between) == {}
        assert list(holds.disputed_parts(conn, ids, between).values()) == [{"B1": 10000}]
        assert holds.disputed_parts(conn, ids, before) == {}
        assert holds.holds_for(conn, ids, before, past=True).keys() == {
            cid for cid, k in kinds.items() if k == ["promise"]
        }
    # the run of that day contacts neither; the next day after the promise's grace it may
    planned = _plan(book, ids, between, past=True)
    assert [r for r in planned["rows"] if r["kind"] in ("email", "letter", "call")] == []
    for key in ("C1", "C2"):
        cases = daily_run.explain(book, key, between).cases
        assert cases
        assert not any(c["would_do"] for c in cases), cases
