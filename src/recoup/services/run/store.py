"""How the daily run uses the book: its tuning, in one place.

`RunStore` wraps the book for one run. What it does that an ordinary unit of work
does not:

- **The cycle collector paused** (`paused_collector`). A run makes millions of small
  objects that live until their batch is written; Python's cycle collector kept
  walking them (a run of the 200,000-customer bench book spent ~20% of its time
  there, measured by switching it off). Nothing the run makes refers to itself, so
  nothing piles up meanwhile; the collector is switched back on (if it was on) when
  the run ends, however it ends.
- **One writing connection** (`writer`) for the writes of plans made ahead by planning
  processes (`recoup.services.run.workers`). SQLite's `PRAGMA data_version` counts the
  commits of *other* connections, so a change of it under the write lock
  (`others_committed`) tells that a plan made ahead may be stale.
- **The log moved once** (`PRAGMA wal_autocheckpoint=0` meanwhile): pages that several
  batches change are copied into the database once, at the end, instead of after
  every few commits; the connection goes back to the pool as it came.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from recoup.services.book import Book
from recoup.services.collector import paused_collector
from recoup.store import driver


@dataclass
class RunStore:
    book: Book

    @contextmanager
    def paused_collector(self) -> Iterator[None]:
        with paused_collector():
            yield

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        """The one connection the plans made ahead are written through (SQLite only)."""
        with self.book.engine.connect() as conn:
            conn = conn.execution_options(immediate=True)
            with conn.begin():
                seen = _data_version(conn)  # before any planner reads
            pages = int(driver.fetch(conn, "PRAGMA wal_autocheckpoint")[0][0])
            driver.execute(conn, "PRAGMA wal_autocheckpoint=0")
            try:
                yield Writer(conn, seen)
            finally:
                driver.execute(conn, f"PRAGMA wal_autocheckpoint={pages}")
                driver.fetch(conn, "PRAGMA wal_checkpoint(PASSIVE)")


@dataclass
class Writer:
    conn: Connection
    seen: int  # `data_version` before the planners read

    def others_committed(self) -> bool:
        """Whether another connection has committed since the run began (call it inside
        a write transaction: then nobody else can meanwhile)."""
        return _data_version(self.conn) != self.seen


def _data_version(conn: Any) -> int:
    """SQLite's count of commits made by other connections (`PRAGMA data_version`)."""
    return int(driver.fetch(conn, "PRAGMA data_version")[0][0])
