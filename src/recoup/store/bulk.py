"""Many rows in, fast: executemany on SQLite, COPY on PostgreSQL.

Rows are tuples in the order of `columns`. On SQLite, dates are written as ISO strings
(the form SQLAlchemy's Date type reads back) by the adapter registered below.

With `rebuild_indexes`, a load into an empty SQLite table drops the table's secondary
indexes first and builds them again afterwards, inside the same transaction: building
an index from sorted data is several times faster than growing it row by row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Table, exists, select
from sqlalchemy.engine import Connection

sqlite3.register_adapter(date, date.isoformat)


def insert_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    rebuild_indexes: bool = False,
) -> None:
    if not rows:
        return
    cols = ", ".join(columns)
    dbapi = conn.connection.driver_connection
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in columns)
        indexes = list(table.indexes)
        rebuild = (
            rebuild_indexes
            and len(rows) > 10_000
            and not conn.execute(select(exists().select_from(table))).scalar()
        )
        if rebuild:
            for index in indexes:
                index.drop(conn)
        cur = dbapi.cursor()  # type: ignore[union-attr]
        cur.executemany(f"INSERT INTO {table.name} ({cols}) VALUES ({marks})", rows)
        cur.close()
        if rebuild:
            for index in indexes:
                index.create(conn)
        return
    if conn.dialect.name == "postgresql":
        with (
            dbapi.cursor() as cur,  # type: ignore[union-attr]
            cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
