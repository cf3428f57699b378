"""Figures kept as sums: rows added to what a table already holds under the same key
(an upsert that adds), in the dialect's own statement."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection


def add_to(conn: Connection, table: Table, keys: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """Insert `rows`; where a row with the same `keys` is there already, add the other
    columns' values to its own."""
    if not rows:
        return
    # the dialect's own upsert, imported where used: light commands stay light
    name = "postgresql" if conn.dialect.name == "postgresql" else "sqlite"
    upsert: Any = importlib.import_module(f"sqlalchemy.dialects.{name}").insert(table)
    added = [c for c in rows[0] if c not in keys]
    stmt = upsert.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={c: table.c[c] + upsert.excluded[c] for c in added},
    )
    for start in range(0, len(rows), 2000):
        conn.execute(stmt, rows[start : start + 2000])
