"""The book: one business's database, opened (or made) and brought up to date."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, DBAPIError

from recoup.store import migrate
from recoup.store.engine import database_url, make_engine, shown, sqlite_file, sqlite_probe

MAKE_ONE = "`recoup init` makes one (`recoup demo` a demo book); --db names another"


class BookError(Exception):
    """The book cannot be opened as asked: the path or URL cannot hold one, the database
    does not answer, or it holds something else. The message is one line for a person."""


class NoBookError(BookError):
    """There is no book there (yet), and none was to be made."""


@dataclass
class Book:
    engine: Engine
    url: str

    @classmethod
    def open(cls, path_or_url: str, *, create: bool = False) -> Book:
        """Open the book at a SQLite path or a database URL and bring its schema up to
        date. A book that is not there is a `NoBookError` unless `create` says to make
        it; anything else that stops it is a `BookError` (see `Book.create`)."""
        where = shown(path_or_url)
        file = sqlite_file(path_or_url)
        if file is not None:
            _check_file(file, where, create)
        try:
            engine = make_engine(path_or_url)
        except (ArgumentError, ImportError):
            raise BookError(
                f"cannot open {where}: a book is a SQLite file (a path) or a PostgreSQL "
                "database (postgresql://user@host/db)"
            ) from None
        try:
            try:
                behind = _behind(engine, where, create)
            except DBAPIError as err:
                raise BookError(_unreachable(where, err)) from None
            if behind:
                migrate.upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, database_url(path_or_url))

    @classmethod
    def create(cls, path_or_url: str) -> Book:
        """Make the book at a SQLite path or a database URL, or bring an existing one up
        to date (`recoup init`, `recoup demo`, tests)."""
        return cls.open(path_or_url, create=True)

    @property
    def where(self) -> str:
        """Where the book is, for people: its file, or its URL without the password."""
        return shown(self.url)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed when the block ends, rolled back on error."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(immediate=True)
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One read transaction; inside `reading`, the block's shared one."""
        shared = _reading.get()
        if shared is not None and shared.book is self:
            yield shared.connection()
            return
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def reading(self, *, anew: bool = False) -> Iterator[None]:
        """Every `read` of this book in the block (in this thread or task) shares one
        connection and transaction, taken at the first read and given back when the
        block ends: a page that reads through a dozen services begins and ends one
        transaction, not a dozen (on PostgreSQL each is a few round trips: the pool's
        ping, BEGIN, the end). Writes keep their own. For pages, not for work that reads
        and writes in turns (a read would not see what a write in the block committed
        on PostgreSQL's later statements only, and on SQLite not at all). With `anew`,
        the block has a transaction of its own even inside another's (a reading shared
        by several requests begins after every one of them asked: `services.flights`)."""
        shared = _reading.get()
        if not anew and shared is not None and shared.book is self:
            yield
            return
        shared = _Reading(self)
        token = _reading.set(shared)
        try:
            with shared.stack:
                yield
        finally:
            _reading.reset(token)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"


class _Reading:
    """The connection a `Book.reading` block shares, taken on first need."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.stack = ExitStack()
        self.conn: Connection | None = None

    def connection(self) -> Connection:
        if self.conn is None:
            conn = self.stack.enter_context(self.book.engine.connect())
            self.stack.enter_context(conn.begin())
            self.conn = conn
        return self.conn


_reading: ContextVar[_Reading | None] = ContextVar("recoup_book_reading", default=None)


def _check_file(file: Path, where: str, create: bool) -> None:
    """Before SQLite is asked (it would make an empty file where none is)."""
    if file.is_dir():
        raise BookError(f"{where} is a folder, not a book: name a file, e.g. {file / 'recoup.db'}")
    if not file.parent.is_dir():
        raise BookError(f"cannot keep a book at {where}: there is no folder {file.parent}")
    if not file.exists():
        if not create:
            raise NoBookError(f"there is no book at {where}: {MAKE_ONE}")
        return
    try:
        sqlite, tables = sqlite_probe(file)
    except (OSError, sqlite3.Error) as err:
        raise BookError(f"cannot open the book at {where}: {err}") from None
    if not sqlite:
        raise BookError(f"{where} is not a Recoup book (not a SQLite database)")
    if tables and migrate.VERSION_TABLE not in tables:
        raise BookError(_other_tables(where, sorted(tables)))


def _behind(engine: Engine, where: str, create: bool) -> bool:
    """Whether the book's schema needs migrations (read without Alembic); a BookError
    when the database is no book, or a book newer than this code."""
    known, heads = migrate.file_revisions()
    with engine.connect() as conn:
        stored = migrate.stored_revisions(conn)
        others = migrate.table_names(conn) if stored is None else []
    if stored is None and others:
        raise BookError(_other_tables(where, others))
    if stored is None and not create:
        raise NoBookError(f"{where} is an empty database, not a book: {MAKE_ONE}")
    unknown = sorted((stored or set()) - known)
    if unknown:
        raise BookError(
            f"the book at {where} has schema revision {', '.join(unknown)}, which this "
            f"Recoup does not know (it knows up to {', '.join(sorted(heads))}): a newer "
            "Recoup made it"
        )
    return stored is None or not migrate.up_to_date(stored)


def _other_tables(where: str, tables: list[str]) -> str:
    listed = ", ".join(tables[:4]) + (", ..." if len(tables) > 4 else "")
    return f"{where} is not a Recoup book: it holds other tables ({listed})"


def _unreachable(where: str, err: DBAPIError) -> str:
    reason = str(err.orig).strip().splitlines()[0] if err.orig is not None else str(err)
    if "not a database" in reason:
        return f"{where} is not a Recoup book (not a SQLite database)"
    return f"cannot open the book at {where}: {reason}"


def where(path_or_url: str) -> str:
    """Where the book at a SQLite path or a database URL is, for people: its file, or
    its URL without the password."""
    return shown(path_or_url)


class Rollback(Exception):  # noqa: N818 - a signal, not an error
    """Raised inside a write block to undo it (a refused import, a dry run)."""
