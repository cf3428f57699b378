"""Bank statements and their lines (`tables_bank`): written once, found by identity.

Values longer than their column are cut to it (a bank's free text may be long); the
identities are made from the values as read, before any cut."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import String, func, select, update
from sqlalchemy.engine import Connection

from recoup.store.tables_bank import bank_lines, bank_statements

IN_CHUNK = 500  # identities per IN (...) list


def _fit(table: Any, values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for name, value in values.items():
        column = table.c[name]
        if isinstance(value, str) and isinstance(column.type, String) and column.type.length:
            out[name] = value[: column.type.length]
    return out


def statement_id(conn: Connection, identity: str) -> int | None:
    row = conn.execute(
        select(bank_statements.c.id).where(bank_statements.c.identity == identity)
    ).first()
    return None if row is None else int(row[0])


def add_statement(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(bank_statements.insert().values(**_fit(bank_statements, values)))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def known_lines(conn: Connection, identities: Iterable[str]) -> dict[str, str]:
    """Which of `identities` the book holds already, with each one's status."""
    wanted = list(dict.fromkeys(identities))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        q = select(bank_lines.c.identity, bank_lines.c.status).where(
            bank_lines.c.identity.in_(chunk)
        )
        found.update((r[0], r[1]) for r in conn.execute(q))
    return found


def add_lines(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert lines (each a dict of `bank_lines` columns but `id`, all with the same
    keys); their ids in the same order. One executemany (psycopg pipelines it), then
    the ids by identity: a RETURNING over thousands of rows costs PostgreSQL's driver
    more to build than the rows themselves."""
    if not rows:
        return []
    conn.execute(bank_lines.insert(), [_fit(bank_lines, row) for row in rows])
    identities = [row["identity"] for row in rows]
    ids: dict[str, int] = {}
    for start in range(0, len(identities), IN_CHUNK):
        chunk = identities[start : start + IN_CHUNK]
        q = select(bank_lines.c.identity, bank_lines.c.id).where(bank_lines.c.identity.in_(chunk))
        ids.update((r[0], int(r[1])) for r in conn.execute(q))
    return [ids[identity] for identity in identities]


def mark_booked(conn: Connection, booked: dict[str, Any]) -> list[int]:
    """Lines (by identity) held as pending or for information that a statement now
    gives as booked, with their booking date; the ids of those that changed."""
    changed: list[int] = []
    for identity, on in booked.items():
        values: dict[str, Any] = {"status": "booked"}
        if on is not None:
            values["booking_date"] = on
        where = (bank_lines.c.identity == identity, bank_lines.c.status != "booked")
        found = conn.execute(select(bank_lines.c.id).where(*where)).scalar()
        if found is not None:
            conn.execute(update(bank_lines).where(*where).values(**values))
            changed.append(int(found))
    return changed


def lines(conn: Connection, ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Lines by id (all when `ids` is None), in id order."""
    q = select(bank_lines).order_by(bank_lines.c.id)
    if ids is None:
        return [dict(r) for r in conn.execute(q).mappings()]
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), IN_CHUNK):
        chunk = list(ids[start : start + IN_CHUNK])
        out.extend(dict(r) for r in conn.execute(q.where(bank_lines.c.id.in_(chunk))).mappings())
    return sorted(out, key=lambda r: r["id"])


def statements(conn: Connection) -> list[dict[str, Any]]:
    """Every statement with how many lines it gave, newest import first."""
    count = (
        select(bank_lines.c.statement_id, func.count().label("lines"))
        .group_by(bank_lines.c.statement_id)
        .subquery()
    )
    q = (
        select(bank_statements, func.coalesce(count.c.lines, 0).label("lines"))
        .outerjoin(count, count.c.statement_id == bank_statements.c.id)
        .order_by(bank_statements.c.imported_at.desc(), bank_statements.c.id.desc())
    )
    return [dict(r) for r in conn.execute(q).mappings()]


def set_state(conn: Connection, line_id: int, state: str, at: Any) -> None:
    conn.execute(
        update(bank_lines).where(bank_lines.c.id == line_id).values(state=state, state_at=at)
    )
