"""Many rows in, fast: multi-row INSERTs on SQLite, COPY on PostgreSQL.

Rows are tuples in the order of `columns`. On SQLite, dates are written as ISO strings
(the form SQLAlchemy's Date type reads back) by the adapter `recoup.store.driver`
registers, and rows go in 100 to a statement (`driver.insert_many`), which binds the
same values with less work per row than executemany.

With `rebuild_indexes`, a load into an empty SQLite table drops the table's indexes
first and builds them again afterwards, inside the same transaction: building an index
from all the rows at once is several times faster than growing it row by row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Index, Table, exists, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from recoup.store import driver


class DuplicateKeyError(Exception):
    """A bulk load broke a unique key (the whole transaction must be rolled back)."""


def insert_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    rebuild_indexes: bool = False,
    always_rebuild: frozenset[str] = frozenset(),
    while_indexing: Callable[[], object] | None = None,
) -> None:
    """`while_indexing` is called once the rows are in, just before the indexes are
    built again (or at once when none are): work started then can use the other core
    while SQLite sorts, having left Python's lock."""
    if not rows:
        if while_indexing is not None:
            while_indexing()
        return
    cols = ", ".join(columns)
    if conn.dialect.name == "sqlite":
        from recoup.store.tables import partial_indexes

        partial_indexes()  # on their tables, to be told apart (made on first need)
        # partial indexes (those with a WHERE) are left in place: the rows of a bulk load
        # seldom belong in them, and checking costs little next to rebuilding them
        indexes = [i for i in table.indexes if not _is_partial(i) or i.name in always_rebuild]
        rebuild = (
            rebuild_indexes
            and len(rows) > 10_000
            and not conn.execute(select(exists().select_from(table))).scalar()
        )
        if rebuild:
            for index in indexes:
                index.drop(conn)
        try:
            driver.insert_many(conn, f"INSERT INTO {table.name} ({cols})", len(columns), rows)
            if while_indexing is not None:
                while_indexing()
            if rebuild:
                for index in indexes:
                    index.create(conn)
        except (sqlite3.IntegrityError, IntegrityError) as err:
            raise DuplicateKeyError(str(err)) from err
        return
    if while_indexing is not None:
        while_indexing()
    if conn.dialect.name == "postgresql":
        dbapi = conn.connection.driver_connection
        try:
            with (
                dbapi.cursor() as cur,  # type: ignore[union-attr]
                cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        except conn.dialect.dbapi.IntegrityError as err:  # type: ignore[union-attr]
            raise DuplicateKeyError(str(err)) from err
        return
    conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])


def _is_partial(index: Index) -> bool:
    return bool(index.dialect_options["sqlite"].get("where") is not None)
