"""Where `recoup demo` puts its book, and which books it may replace.

The demo writes the book every other command reads (`recoup.db` in the working folder,
or whatever `--db` names), so that `recoup aging`, `recoup worklist` and the rest show
the demo right after it. A book the demo made carries a mark (a `meta` row); the demo
replaces such a book, or an empty one, on every run. A book with anything else in it
(customers or users the demo did not make) it leaves alone unless told `--fresh`.

The mark holds what the finished demo book held (the rows of each table but the ones
logging in writes), so a demo book somebody has since worked in — imported their own
customers, added a user, run a day, recorded a call — counts as their book, not the
demo's: a new user's next `make demo` must not wipe what they did in it.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Connection, func, select

from recoup.services.book import Book, NoBookError
from recoup.store import ledger_repo, user_repo
from recoup.store.engine import sqlite_file
from recoup.store.schema import metadata

MARK = "demo_book"
BUILDING = "1"  # marked while the demo builds (and by older versions): still the demo's
# what logging in and the mark itself write: the demo book stays the demo's
_NOT_CONTENT = frozenset({"meta", "sessions"})


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
            marked = user_repo.get_meta(conn, MARK)
            if marked == BUILDING or (marked and marked == _contents(conn)):
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


def mark(book: Book, *, finished: bool = True) -> None:
    """Note in the book that the demo made it (so the next demo may replace it): while
    it builds, that it is the demo's; once finished, what it holds, so that anything
    added later makes it somebody's book."""
    with book.write() as conn:
        user_repo.set_meta(conn, MARK, _contents(conn) if finished else BUILDING)


def _contents(conn: Connection) -> str:
    """The rows of each table of the book, as the text the mark keeps."""
    counts = {
        table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in metadata.sorted_tables
        if table.name not in _NOT_CONTENT
    }
    return json.dumps(counts, sort_keys=True, separators=(",", ":"))
