"""The book head over all customers' heads: every way of appending moves it exactly as
recomputing it from the heads would (the general path, an import's uniform entries, the
daily run's same-time entries, entries hashed alongside), writers at once do not lose
each other's moves, and a book from before the book head gets one that holds."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from recoup.domain.history import (
    EMPTY_BOOK,
    GENESIS,
    EntryFields,
    advance_book_head,
    book_head_of,
    chain_same_time,
    data_text,
)
from recoup.services import history
from recoup.services.book import Book
from recoup.store import history_repo, ledger_repo
from recoup.store.migrate import alembic_config, upgrade

DAY = date(2026, 11, 23)
AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@settings(max_examples=80, deadline=None)
@given(
    batches=st.lists(
        st.lists(st.tuples(st.integers(1, 6), st.text(max_size=8)), min_size=1, max_size=8),
        min_size=1,
        max_size=6,
    )
)
def test_moving_the_book_head_equals_recomputing_it(batches) -> None:
    """Pure: batch after batch of entries, the book head moved from the heads each batch
    moved equals the one summed afresh over all heads."""
    heads: dict[int, tuple[int, str]] = {}
    head = EMPTY_BOOK
    for batch in batches:
        before = dict(heads)
        items = [(c, "note", t, data_text({})) for c, t in batch]
        chain_same_time("a", AT, DAY, items, heads)
        head = advance_book_head(head, before, heads, sorted({c for c, _ in batch}))
        assert head == book_head_of(heads.values())
    assert head.customers == len(heads)
    assert head.entries == sum(len([1 for b in batches for c, _ in b if c == k]) for k in heads)


def _customers(book: Book, n: int) -> list[int]:
    keys = [f"K{i:03d}" for i in range(n)]
    with book.write() as conn:
        ledger_repo.insert_customers(
            conn, [(k, f"Customer {k}", "GB", "en", "UTC", "") for k in keys]
        )
        ids = ledger_repo.customer_ids(conn)
    return [ids[k] for k in keys]


def _holds(book: Book) -> None:
    with book.read() as conn:
        stored = history_repo.book_head(conn)
        heads = history_repo.heads(conn)
    assert stored == book_head_of(heads.values())
    result = history.verify(book)
    assert result.ok, result.describe()


def test_every_append_path_moves_the_book_head(book: Book) -> None:
    ids = _customers(book, 30)
    _holds(book)  # a new book's head: nothing yet
    with book.write() as conn:
        history.record(conn, ids[0], "note", "one", actor="ann", on=DAY)
        history.record(conn, ids[0], "note", "two", actor="ann", on=DAY)  # same transaction
    _holds(book)
    with book.write() as conn:  # an import's entry per customer
        history.record_uniform(
            conn,
            "import",
            [(c, f"imported {c}", data_text({"n": c})) for c in ids],
            actor="import",
            on=DAY,
        )
    _holds(book)
    with book.write() as conn:  # the daily run's entries, several per customer
        history.record_same_time(
            conn,
            [(c, kind, f"{kind} {c}", "{}") for c in ids[::2] for kind in ("stage", "email")],
            actor="daily run",
            on=DAY,
        )
    _holds(book)
    with book.write() as conn:  # hashed on a worker thread meanwhile
        pending = history.record_uniform_alongside(
            conn, "import", ids[5:25], lambda: [(c, "again", "{}") for c in ids[5:25]],
            actor="import", on=DAY,
        )  # fmt: skip
        pending.start()
        pending.write(conn)
    _holds(book)
    with book.write() as conn:  # the general path, many at once
        history.record_many(
            conn, [(EntryFields(c, AT, DAY, "note", "ann", "many"), ()) for c in ids * 2]
        )
    _holds(book)
    with book.read() as conn:
        stored = history_repo.book_head(conn)
    assert stored is not None
    assert (stored.customers, stored.entries) == (30, 2 + 30 + 15 * 2 + 20 + 60)


def test_writers_at_once_lose_nothing(book: Book) -> None:
    """Four writers, each appending to customers the others also write to, many times:
    the book head takes every move (PostgreSQL: its row is locked first by each)."""
    ids = _customers(book, 8)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with book.write() as conn:
                    for c in (ids[(n + i) % 8], ids[(n + 3 * i) % 8]):
                        history.record(conn, c, "note", f"w{n} {i}", actor=f"w{n}", on=DAY)
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    _holds(book)
    with book.read() as conn:
        stored = history_repo.book_head(conn)
    assert stored is not None
    assert stored.entries == 4 * 15 * 2


def test_a_book_from_before_the_book_head_gets_one_that_holds(book: Book) -> None:
    """Migration 0017 sums the heads a book already has."""
    from alembic import command

    ids = _customers(book, 5)
    with book.write() as conn:
        history.record_same_time(conn, [(c, "note", "x", "{}") for c in ids * 3], actor="a", on=DAY)
    command.downgrade(alembic_config(book.engine), "0017-1")
    with book.read() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM history_heads")).scalar() == 5
    upgrade(book.engine)
    _holds(book)
    with book.read() as conn:
        stored = history_repo.book_head(conn)
    assert stored is not None
    assert (stored.customers, stored.entries) == (5, 15)
    assert stored != book_head_of([(3, GENESIS)] * 5)
