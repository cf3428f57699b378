"""Where `recoup demo` puts its book, and which books it may replace.

The demo writes the book every other command reads (`recoup.db` in the working folder,
or whatever `--db` names), so that `recoup aging`, `recoup worklist` and the rest show
the demo right after it. A book the demo made carries a mark (a `meta` row); the demo
replaces such a book, or an empty one, on every run. A book with anything else in it
(customers or users the demo did not make) it leaves alone unless told `--fresh`.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from recoup.services.book import Book, NoBookError
from recoup.store import ledger_repo, user_repo
from recoup.store.engine import sqlite_file

MARK = "demo_book"


class Found(StrEnum):
    NOTHING = "nothing"  # no book there yet
    EMPTY = "empty"  # a book without customers or users
    DEMO = "demo"  # a book the demo made
    DATA = "data"  # somebody's book


def found_at(path_or_url: str) -> Found:
    """What is at the book's place now. A place that cannot hold a book, or holds
    something that is not one, is a BookError."""
    try:
        book = Book.open(path_or_url)
    except NoBookError:
        return Found.NOTHING
    try:
        with book.read() as conn:
            if user_repo.get_meta(conn, MARK):
                return Found.DEMO
            if ledger_repo.count_customers(conn) or user_repo.list_users(conn):
                return Found.DATA
            return Found.EMPTY
    finally:
        book.close()


def remove(path_or_url: str) -> bool:
    """Delete a SQLite book's files (the book, its log and shared memory); False for a
    database on a server, which is left as it is."""
    file = sqlite_file(path_or_url)
    if file is None:
        return False
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{file}{suffix}").unlink(missing_ok=True)
    return True


def mark(book: Book) -> None:
    """Note in the book that the demo made it (so the next demo may replace it)."""
    with book.write() as conn:
        user_repo.set_meta(conn, MARK, "1")
