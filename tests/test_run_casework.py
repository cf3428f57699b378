"""The daily run and the case work together: holds stop the run's contacts, a broken
promise shows on the worklist with its follow-up, manual calls count against the gap."""

from __future__ import annotations

from datetime import date, timedelta

from recoup.services import daily_run
from recoup.services.book import Book
from recoup.services.casework import calls, promises
from recoup.store import ledger_repo, run_repo

DUE = date(2026, 9, 1)  # a Tuesday


def _book(book: Book) -> None:
    with book.write() as conn:
        ledger_repo.insert_customers(conn, [("C1", "Acme Ltd", "GB", "en", "Europe/London", "")])
        cid = ledger_repo.customer_ids(conn)["C1"]
        ledger_repo.insert_plain_invoices(
            conn, [(cid, "INV-1", DUE - timedelta(days=30), DUE, "GBP", 120000, None, "", 30)]
        )
        run_repo.enqueue(conn, [cid])


def _contacts(actions: list[dict]) -> list[str]:
    return [a["kind"] for a in actions if a["kind"] in ("email", "letter", "call")]


def test_a_promise_holds_the_run_and_a_broken_one_goes_on_the_worklist(book: Book):
    _book(book)
    day = DUE + timedelta(days=7)  # the default plan's friendly reminder is due
    promises.add_promise(book, "C1", "1200.00", day + timedelta(days=5), actor="anna", on=day)
    held = daily_run.run(book, day)
    assert _contacts(held.actions) == []
    assert any("promise to pay in force" in s["reason"] for s in held.skipped), held.skipped
    # the promise date and its grace days pass without a payment
    later = day + timedelta(days=5 + 3 + 1)
    report = daily_run.run(book, later)
    assert report.review["promises"], report.review
    assert _contacts(report.actions)  # contact resumes with the plan's reminder
    outbox = [o for o in daily_run.list_outbox(book) if o["customer"] == "C1"]
    assert [o["template"] for o in outbox] == ["promise-confirmation", "overdue-friendly"]
    items = [w for w in daily_run.worklist(book, later) if w.customer == "C1"]
    broken = [w for w in items if w.kind == "broken_promise"]
    assert broken, items
    assert "promise" in broken[0].next_step
    assert broken[0].amount.minor == 120000


def test_a_call_by_hand_counts_against_the_minimum_gap(book: Book):
    _book(book)
    day = DUE + timedelta(days=6)  # Monday; the reminder falls due tomorrow
    calls.record_call(book, "C1", "left_message", actor="anna", on=day)
    report = daily_run.run(book, day + timedelta(days=1))
    assert _contacts(report.actions) == []
    assert any("minimum gap" in s["reason"] or "not before" in s["reason"] for s in report.skipped)
