"""Versions of the collection policy: every text ever used, and which one is active."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, RowMapping

from recoup.store.tables import policies


@dataclass(frozen=True, slots=True)
class PolicyRow:
    version: int
    name: str
    text: str
    checksum: str
    created_at: datetime
    active: bool


def _row(row: RowMapping) -> PolicyRow:
    return PolicyRow(
        version=row["version"],
        name=row["name"],
        text=row["text"],
        checksum=row["checksum"],
        created_at=row["created_at"],
        active=bool(row["active"]),
    )


_COLUMNS = (
    policies.c.version,
    policies.c.name,
    policies.c.text,
    policies.c.checksum,
    policies.c.created_at,
    policies.c.active,
)


def active_policy(conn: Connection) -> PolicyRow | None:
    row = conn.execute(select(*_COLUMNS).where(policies.c.active)).mappings().first()
    return _row(row) if row else None


def get_policy(conn: Connection, version: int) -> PolicyRow | None:
    q = select(*_COLUMNS).where(policies.c.version == version)
    row = conn.execute(q).mappings().first()
    return _row(row) if row else None


def find_by_checksum(conn: Connection, checksum: str) -> PolicyRow | None:
    q = select(*_COLUMNS).where(policies.c.checksum == checksum)
    row = conn.execute(q).mappings().first()
    return _row(row) if row else None


def list_policies(conn: Connection) -> list[PolicyRow]:
    """Every version, newest first."""
    q = select(*_COLUMNS).order_by(policies.c.version.desc())
    return [_row(r) for r in conn.execute(q).mappings()]


def add_policy(conn: Connection, name: str, text: str, checksum: str, at: datetime) -> int:
    """Store a new version (not yet active); returns its number, one above the highest."""
    highest = conn.execute(select(func.max(policies.c.version))).scalar_one_or_none()
    version = (highest or 0) + 1
    conn.execute(
        policies.insert().values(
            version=version, name=name, text=text, checksum=checksum, created_at=at, active=False
        )
    )
    return version


def activate(conn: Connection, version: int) -> None:
    """Make `version` the active one (and no other)."""
    conn.execute(
        update(policies)
        .where(policies.c.active, policies.c.version != version)
        .values(active=False)
    )
    conn.execute(update(policies).where(policies.c.version == version).values(active=True))
