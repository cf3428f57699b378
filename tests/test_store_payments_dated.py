"""The payments of a span of days (`ledger_repo.payments_dated`, what the demo writes
into the histories day by day), on both databases: in date order, the prefix left out
compared as written."""

from __future__ import annotations

from datetime import date

from recoup.services.book import Book
from recoup.store import ledger_repo


def test_payments_of_a_span_in_date_order_without_the_prefix(book: Book) -> None:
    with book.write() as conn:
        (cid,) = ledger_repo.insert_customers(conn, [("c1", "One", "", "en", "UTC", "")])
        rows = [
            (cid, "ref:b", date(2026, 3, 2), "EUR", 200, "transfer", "", None),
            (cid, "ref:a", date(2026, 3, 1), "EUR", 100, "transfer", "R1", "INV-1"),
            (cid, "bank:7:0", date(2026, 3, 1), "EUR", 300, "bank", "", None),
            (cid, "BANK:upper", date(2026, 3, 1), "EUR", 400, "cash", "", None),
            (cid, "ref:c", date(2026, 3, 5), "EUR", 500, "transfer", "", None),
        ]
        ledger_repo.insert_payments(conn, rows)
        span = ledger_repo.payments_dated(
            conn, date(2026, 3, 1), date(2026, 3, 2), not_keyed="bank:"
        )
        upto = ledger_repo.payments_dated(conn, None, date(2026, 3, 1), not_keyed="bank:")
    keys = [r[1] for r in span]
    assert keys == ["ref:a", "BANK:upper", "ref:b"]  # by day, then as written
    assert span[0] == (cid, "ref:a", date(2026, 3, 1), "EUR", 100, "transfer", "R1", "INV-1")
    assert [r[1] for r in upto] == ["ref:a", "BANK:upper"]
