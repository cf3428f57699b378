"""The demo's past payments reach their customers' histories once each, on both
databases: played again (`recoup demo --keep`), nothing is written twice."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from recoup.services import demo
from recoup.services.book import Book

TODAY = date(2026, 12, 7)


def _payment_entries(book: Book) -> list[str]:
    with book.read() as conn:
        return [
            str(d) for (d,) in conn.execute(text("SELECT data FROM history WHERE kind = 'payment'"))
        ]


def test_each_payment_is_written_once_however_often_its_days_are_played(book: Book) -> None:
    demo.write_book(book, demo.make(12, 60, 3, TODAY))
    with book.read() as conn:
        paid = conn.execute(text("SELECT count(*) FROM payments")).scalar_one()
    assert paid > 5
    demo.record_arrived_payments(book, None, date(2026, 11, 30))
    first = len(_payment_entries(book))
    assert 0 < first <= paid
    demo.record_arrived_payments(book, date(2026, 12, 1), TODAY)
    assert len(_payment_entries(book)) == paid
    demo.record_arrived_payments(book, None, TODAY)  # the same days again: nothing new
    entries = _payment_entries(book)
    assert len(entries) == paid
    assert len(set(entries)) == paid
