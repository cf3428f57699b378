"""The review queue's stamps: a run takes a customer off the queue only while it is
queued as the run read it, so a change committed while the run looked at the customer
(an import, a payment, case work on PostgreSQL, where they can interleave) keeps it
queued for the next run. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from recoup.services import demo, run
from recoup.services.book import Book
from recoup.store import run_repo

TODAY = date(2026, 11, 23)


def test_a_customer_queued_again_meanwhile_stays_queued(book: Book) -> None:
    demo.write_book(book, demo.make(6, 30, 3, TODAY))
    run.run(book, TODAY)
    with book.write() as conn:
        assert run_repo.queued(conn) == []
        ids = sorted(r[0] for r in conn.exec_driver_sql("SELECT id FROM customers").all())
        a, b, c = ids[:3]
        run_repo.enqueue(conn, [a, b])
    with book.read() as conn:
        read = run_repo.queue_stamps(conn)  # what a run reads before it looks
    assert sorted(read) == [a, b]
    with book.write() as conn:
        run_repo.enqueue(conn, [b, c])  # b changed again while the run looked; c is new
        assert run_repo.queue_stamps(conn)[b] != read[b]
    with book.write() as conn:
        run_repo.dequeue(conn, [a, b, c], read)  # the run is done with all three
    with book.read() as conn:
        assert sorted(run_repo.queued(conn)) == [b, c]  # b and c for the next run


def test_the_run_empties_the_queue_it_read(book: Book) -> None:
    demo.write_book(book, demo.make(6, 30, 3, TODAY))
    run.run(book, TODAY, full=True)
    with book.write() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM customers").all()]
        run_repo.enqueue(conn, ids)
        run_repo.enqueue(conn, ids[:2])  # queued twice: one entry each
        assert sorted(run_repo.queued(conn)) == sorted(ids)
    run.run(book, TODAY)
    with book.read() as conn:
        assert run_repo.queued(conn) == []
