"""Users of the web UI."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from recoup.store.tables import meta, users


def get_user(conn: Connection, username: str) -> dict[str, Any] | None:
    row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
    return dict(row) if row else None


def add_user(conn: Connection, username: str, password_hash: str, role: str, at: datetime) -> None:
    conn.execute(
        users.insert().values(
            username=username, password_hash=password_hash, role=role, created_at=at
        )
    )


def set_user(conn: Connection, username: str, password_hash: str, role: str) -> None:
    conn.execute(
        update(users)
        .where(users.c.username == username)
        .values(password_hash=password_hash, role=role)
    )


def set_role(conn: Connection, username: str, role: str) -> None:
    conn.execute(update(users).where(users.c.username == username).values(role=role))


def set_password(conn: Connection, username: str, password_hash: str) -> None:
    q = update(users).where(users.c.username == username).values(password_hash=password_hash)
    conn.execute(q)


def set_language(conn: Connection, username: str, language: str | None) -> None:
    """The language of the user's pages, or None: their browser's."""
    conn.execute(update(users).where(users.c.username == username).values(language=language))


def set_disabled(conn: Connection, username: str, at: datetime | None) -> None:
    """Disable the user from `at` on, or enable them again (None)."""
    conn.execute(update(users).where(users.c.username == username).values(disabled_at=at))


def list_users(conn: Connection) -> list[dict[str, Any]]:
    q = select(
        users.c.username, users.c.role, users.c.created_at, users.c.disabled_at, users.c.language
    ).order_by(users.c.username)
    return [dict(r) for r in conn.execute(q).mappings()]


def get_meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()


def set_meta(conn: Connection, key: str, value: str) -> None:
    if get_meta(conn, key) is None:
        conn.execute(meta.insert().values(key=key, value=value))
    else:
        conn.execute(update(meta).where(meta.c.key == key).values(value=value))
