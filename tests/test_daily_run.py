"""The daily run: idempotent, no bursts after missed days, contact rules always hold."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from recoup.services import daily_run, demo, importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from tests.plans import by_age

START = date(2026, 11, 2)  # a Monday


def recorded(book: Book) -> list[tuple]:
    with book.read() as conn:
        rows = conn.execute(
            text(
                "SELECT c.key, a.currency, a.cycle_start, a.run_on, a.kind, a.stage, a.invoices, "
                "a.amount_minor FROM actions a JOIN customers c ON c.id = a.customer_id"
            )
        )
        return sorted(tuple(map(str, r)) for r in rows)


@pytest.fixture
def small_book(book: Book) -> Book:
    gen = demo.make(60, 600, 11, START)
    demo.write_book(book, gen)
    return book


def test_running_a_date_twice_equals_running_it_once(small_book: Book):
    first = daily_run.run(small_book, START)
    assert first.actions
    once = recorded(small_book)
    again = daily_run.run(small_book, START, full=True)
    assert again.actions == []
    assert recorded(small_book) == once


def test_dry_run_records_nothing(small_book: Book):
    report = daily_run.run(small_book, START, dry_run=True)
    assert report.actions
    assert recorded(small_book) == []


def test_the_contact_rules_hold_day_after_day(small_book: Book):
    for offset in range(45):
        daily_run.run(small_book, START + timedelta(days=offset))
    contacts: dict[str, list[date]] = defaultdict(list)
    with small_book.read() as conn:
        for key, day in conn.execute(
            text(
                "SELECT DISTINCT c.key, a.run_on FROM actions a JOIN customers c "
                "ON c.id = a.customer_id WHERE a.kind IN ('email', 'letter', 'call')"
            )
        ):
            contacts[key].append(day if isinstance(day, date) else date.fromisoformat(day))
    assert contacts
    for key, days in contacts.items():
        days.sort()
        for a, b in itertools.pairwise(days):
            assert (b - a).days >= 7, (key, a, b)
        for day in days:
            assert day.weekday() < 5, (key, day)  # weekdays only by default


def test_after_missed_days_one_message_not_a_burst(book: Book, tmp_path: Path):
    inv = tmp_path / "inv.csv"
    inv.write_text(
        "customer,number,issue_date,due_date,amount,currency\n"
        "C1,A1,2026-08-01,2026-08-31,500.00,EUR\n",
        encoding="utf-8",
    )
    assert importing.import_file(book, Kind.INVOICES, inv, Options()).ok
    by_age(book)
    # 2026-11-02: 63 days past due, so every stage up to the final notice is due
    report = daily_run.run(book, START)
    kinds = sorted((a["kind"], a["stage"]) for a in report.actions)
    assert kinds == [("email", "final notice"), ("letter", "final notice")]
    explained = daily_run.explain(book, "C1", START + timedelta(days=1))
    case = explained.cases[0]
    assert any("final notice on 2026-11-02" in line for line in case["done_this_cycle"])


def test_a_waiting_contact_says_why(book: Book, tmp_path: Path):
    inv = tmp_path / "inv.csv"
    inv.write_text(
        "customer,number,issue_date,due_date,amount,currency\n"
        "C1,A1,2026-09-01,2026-10-01,80.00,EUR\n"
        "C1,A2,2026-10-15,2026-10-26,20.00,EUR\n",
        encoding="utf-8",
    )
    assert importing.import_file(book, Kind.INVOICES, inv, Options()).ok
    by_age(book)
    daily_run.run(book, date(2026, 10, 26))  # the firm reminder (+21 from the oldest)
    report = daily_run.run(book, START)  # 32 days: the call step
    assert report.actions
    later = daily_run.explain(book, "C1", START + timedelta(days=3))
    waiting = later.cases[0]["waiting"] + later.cases[0]["upcoming"]
    assert any("not before" in line for line in waiting), later.cases


def test_run_json_contract(small_book: Book):
    data = daily_run.run(small_book, START).to_json()
    assert set(data) >= {"as_of", "actions", "skipped"}
    action = data["actions"][0]
    assert set(action) >= {
        "id",
        "customer",
        "kind",
        "stage",
        "invoices",
        "amount",
        "template",
        "reason",
    }
    assert action["kind"] in {
        "email",
        "letter",
        "call",
        "fee",
        "interest",
        "escalate",
        "write_off_recommendation",
    }
    outbox = daily_run.list_outbox(small_book)
    assert {o["channel"] for o in outbox} <= {"email", "letter"}
    assert len(outbox) == sum(a["kind"] in ("email", "letter") for a in data["actions"])


def test_worklist_orders_by_priority(small_book: Book):
    for offset in range(0, 40, 3):
        daily_run.run(small_book, START + timedelta(days=offset))
    items = daily_run.worklist(small_book, START + timedelta(days=40))
    assert items
    scores = [i.score for i in items]
    assert scores == sorted(scores, reverse=True)
    assert all(i.why.startswith("priority") and i.next_step for i in items)


def test_an_ordinary_day_does_what_a_full_run_would(tmp_path: Path):
    """Each account records when it next needs a look; reading only those must miss
    nothing a full re-evaluation of the same day would do (e.g. the agency recommendation
    the day after the final notice, not a week later)."""
    gen = demo.make(60, 600, 11, START)
    books = [Book.create(str(tmp_path / f"{name}.db")) for name in ("ordinary", "full")]
    for b in books:
        demo.write_book(b, gen)
    try:
        for offset in range(60):
            day = START + timedelta(days=offset)
            ordinary = daily_run.run(books[0], day)
            full = daily_run.run(books[1], day, full=True)
            assert [(a["customer"], a["kind"], a["stage"]) for a in ordinary.actions] == [
                (a["customer"], a["kind"], a["stage"]) for a in full.actions
            ], day
        kinds = {row[4] for row in recorded(books[0])}
        assert "escalate" in kinds  # the case above happened
        assert recorded(books[0]) == recorded(books[1])
    finally:
        for b in books:
            b.close()
