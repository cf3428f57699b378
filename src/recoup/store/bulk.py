"""Many rows in, fast: executemany on SQLite, COPY on PostgreSQL.

Rows are tuples in the order of `columns`. Dates are passed as `datetime.date`; on
SQLite they are written as ISO strings, the form SQLAlchemy's Date type reads back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    if not rows:
        return
    cols = ", ".join(columns)
    dbapi = conn.connection.driver_connection
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in columns)
        date_cols = [i for i, c in enumerate(columns) if _is_date(table, c)]
        if date_cols:
            rows = [_iso_dates(row, date_cols) for row in rows]
        cur = dbapi.cursor()  # type: ignore[union-attr]
        cur.executemany(f"INSERT INTO {table.name} ({cols}) VALUES ({marks})", rows)
        cur.close()
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


def _is_date(table: Table, column: str) -> bool:
    return table.c[column].type.python_type is date


def _iso_dates(row: Sequence[Any], date_cols: list[int]) -> list[Any]:
    out = list(row)
    for i in date_cols:
        value = out[i]
        if value is not None:
            out[i] = value.isoformat()
    return out
