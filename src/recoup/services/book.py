"""The book: one business's database, opened and migrated."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from recoup.store import migrate
from recoup.store.engine import database_url, make_engine


@dataclass
class Book:
    engine: Engine
    url: str

    @classmethod
    def open(cls, path_or_url: str) -> Book:
        """Open (and create or upgrade) the book at a SQLite path or a database URL."""
        engine = make_engine(path_or_url)
        migrate.upgrade(engine)
        return cls(engine, database_url(path_or_url))

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back on error."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(immediate=True)
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def close(self) -> None:
        self.engine.dispose()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


class Rollback(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside a write block to undo it (a refused import, a dry run)."""
