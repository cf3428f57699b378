"""`Book.reading`: the reads of a block (a page's) share one connection and
transaction, taken at the first read; outside it each read has its own; a write in the
block has its own too; another book's reads are not drawn in. SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from recoup.services.book import Book


def _checked_out(book: Book) -> int:
    return int(book.engine.pool.checkedout())  # type: ignore[attr-defined]


def test_the_reads_of_a_block_share_one_connection(book: Book, tmp_path: Path) -> None:
    with book.read() as a, book.read() as b:  # without a block: one each
        assert a is not b
    other = Book.create(str(tmp_path / "other.db"))
    try:
        with book.reading():
            assert _checked_out(book) == 0  # taken at the first read, not before
            with book.read() as first:
                assert first.execute(text("SELECT 1")).scalar() == 1
            with book.read() as second, book.read() as nested:
                assert first is second is nested
            assert _checked_out(book) == 1
            with other.read() as elsewhere:  # another book keeps its own
                assert elsewhere is not first
            with book.write() as w:  # a write has its own transaction
                assert w is not first
            with book.reading(), book.read() as inner:  # a block in a block: the same
                assert inner is first
        assert _checked_out(book) == 0  # given back when the block ends
    finally:
        other.close()


def _fails_inside(book: Book) -> None:
    with book.reading(), book.read() as conn:
        conn.execute(text("SELECT 1"))
        raise ZeroDivisionError


def test_an_error_in_the_block_gives_the_connection_back(book: Book) -> None:
    with pytest.raises(ZeroDivisionError):
        _fails_inside(book)
    assert _checked_out(book) == 0
    with book.read() as conn:
        assert conn.execute(text("SELECT 2")).scalar() == 2


def test_a_reading_anew_sees_what_was_written_after_the_block_began(book: Book) -> None:
    """A block's transaction keeps what it saw at its first read; `reading(anew=True)`
    inside it begins its own, which sees a write committed since (the worklist's shared
    reading, begun after every request that shares it asked)."""
    with book.write() as w:
        w.execute(text("INSERT INTO meta (key, value) VALUES ('probe', 'before')"))
    with book.reading():
        with book.read() as conn:
            seen = conn.execute(text("SELECT value FROM meta WHERE key = 'probe'"))
            assert seen.scalar() == "before"
        with book.write() as w:
            w.execute(text("UPDATE meta SET value = 'after' WHERE key = 'probe'"))
        with book.read() as conn:  # the block's own transaction: SQLite's, as it began
            seen = conn.execute(text("SELECT value FROM meta WHERE key = 'probe'"))
            # PostgreSQL reads committed: each statement sees what was committed before it
            assert seen.scalar() == ("before" if book.is_sqlite else "after")
        with book.reading(anew=True), book.read() as fresh:
            assert fresh is not conn
            seen = fresh.execute(text("SELECT value FROM meta WHERE key = 'probe'"))
            assert seen.scalar() == "after"
