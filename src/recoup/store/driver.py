"""Plain SQL sent straight to the database driver, for the daily run's hot paths.

The daily run reads and writes a few thousand rows per batch with a handful of fixed
statements. Built as SQLAlchemy expressions, each of them was compiled again on every
call (long IN lists defeat the statement cache) and every row went through the result
machinery: on a 200,000-customer book that overhead cost more than the planning itself.
Here the statements are plain text in SQLite's `?` style (turned into `%s` for
PostgreSQL's driver), executed on the transaction's own driver connection, and rows
come back as tuples.

Dates: SQLite keeps them as ISO text (`date_reader` turns them into dates; the writer
side is the `date` adapter registered here); PostgreSQL's driver gives and takes `date`
objects itself.

`insert_many` is the one multi-row INSERT of the store: the run's rows and the bulk
loads of `recoup.store.bulk` on SQLite go through it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection

# dates written as ISO strings, the form SQLAlchemy's Date type reads back
sqlite3.register_adapter(date, date.isoformat)


@lru_cache(maxsize=256)
def _for_postgresql(statement: str) -> str:
    return statement.replace("%", "%%").replace("?", "%s")


def _text(conn: Connection, statement: str) -> str:
    return statement if conn.dialect.name == "sqlite" else _for_postgresql(statement)


def _cursor(conn: Connection) -> Any:
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


def fetch(conn: Connection, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """All rows of a query, as tuples."""
    cur = _cursor(conn)
    try:
        cur.execute(_text(conn, statement), tuple(params))
        return cur.fetchall()  # type: ignore[no-any-return]  # tuples with both drivers
    finally:
        cur.close()


def execute(conn: Connection, statement: str, params: Sequence[Any] = ()) -> None:
    cur = _cursor(conn)
    try:
        cur.execute(_text(conn, statement), tuple(params))
    finally:
        cur.close()


def execute_many(conn: Connection, statement: str, rows: Iterable[Sequence[Any]]) -> int:
    """One statement for many parameter rows (nothing happens for none); the number of
    rows it changed, as the driver counts them."""
    rows = [tuple(r) for r in rows]
    if not rows:
        return 0
    cur = _cursor(conn)
    try:
        cur.executemany(_text(conn, statement), rows)
        return int(cur.rowcount)
    finally:
        cur.close()


ROWS_PER_INSERT = 100


def insert_many(
    conn: Connection, head: str, width: int, rows: Sequence[Sequence[Any]], tail: str = ""
) -> int:
    """`head VALUES (...), (...), ... tail` for `rows` of `width` values, 100 rows to a
    statement (binding a statement's rows at once costs less per row than
    `execute_many`); the number of rows the statements changed."""
    if not rows:
        return 0
    one = f"({marks(width)})"
    cur = _cursor(conn)
    changed = 0
    try:
        full = _text(conn, f"{head} VALUES {', '.join([one] * ROWS_PER_INSERT)} {tail}")
        for start in range(0, len(rows), ROWS_PER_INSERT):
            part = rows[start : start + ROWS_PER_INSERT]
            if len(part) == ROWS_PER_INSERT:
                statement = full
            else:
                statement = _text(conn, f"{head} VALUES {', '.join([one] * len(part))} {tail}")
            cur.execute(statement, [v for row in part for v in row])
            changed += max(int(cur.rowcount), 0)
    finally:
        cur.close()
    return changed


def marks(count: int) -> str:
    """`?, ?, ...` for an IN list of `count` values."""
    return ", ".join("?" * count)


def _same(value: Any) -> date:
    return value  # type: ignore[no-any-return]


def date_reader(conn: Connection) -> Callable[[Any], date]:
    """Turns a (non-null) date column's value, as this driver returns it, into a `date`."""
    return date.fromisoformat if conn.dialect.name == "sqlite" else _same


def id_ranges(ids: Sequence[int], size: int) -> Iterable[tuple[Sequence[int], str, list[Any]]]:
    """Chunks of sorted `ids` with the SQL condition that selects them on a `customer_id`
    column: a range when the chunk is dense (a full run's batches), else an IN list.
    A range may take in ids outside the chunk: callers drop rows they did not ask for."""
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        low, high = chunk[0], chunk[-1]
        if high - low + 1 <= 2 * len(chunk):
            yield chunk, "customer_id BETWEEN ? AND ?", [low, high]
        else:
            yield chunk, f"customer_id IN ({marks(len(chunk))})", list(chunk)
