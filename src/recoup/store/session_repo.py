"""Web sessions: one row per login (`tables_sessions.sessions`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.engine import Connection

from recoup.store.tables import users
from recoup.store.tables_sessions import sessions


def add_session(
    conn: Connection,
    session_id: str,
    user_id: int,
    at: datetime,
    expires_at: datetime,
    user_agent: str = "",
    address: str = "",
) -> None:
    conn.execute(
        sessions.insert().values(
            id=session_id,
            user_id=user_id,
            created_at=at,
            last_seen_at=at,
            expires_at=expires_at,
            user_agent=user_agent[:200],
            address=address[:64],
        )
    )


def find_open(conn: Connection, session_id: str, at: datetime) -> dict[str, Any] | None:
    """The session `session_id` with its user, when it is neither ended nor expired at
    `at` and its user is not disabled."""
    q = (
        select(
            sessions.c.id,
            sessions.c.last_seen_at,
            users.c.username,
            users.c.role,
            users.c.language,
        )
        .join(users, users.c.id == sessions.c.user_id)
        .where(
            sessions.c.id == session_id,
            sessions.c.ended_at.is_(None),
            sessions.c.expires_at > at,
            users.c.disabled_at.is_(None),
        )
    )
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def touch(conn: Connection, session_id: str, at: datetime) -> None:
    conn.execute(update(sessions).where(sessions.c.id == session_id).values(last_seen_at=at))


def end_session(conn: Connection, session_id: str, at: datetime, reason: str) -> int:
    q = (
        update(sessions)
        .where(sessions.c.id == session_id, sessions.c.ended_at.is_(None))
        .values(ended_at=at, end_reason=reason)
    )
    return conn.execute(q).rowcount or 0


def end_user_sessions(conn: Connection, user_id: int, at: datetime, reason: str) -> int:
    """End every open session of one user; how many were open."""
    q = (
        update(sessions)
        .where(sessions.c.user_id == user_id, sessions.c.ended_at.is_(None))
        .values(ended_at=at, end_reason=reason)
    )
    return conn.execute(q).rowcount or 0


def end_all_sessions(conn: Connection, at: datetime, reason: str) -> int:
    q = update(sessions).where(sessions.c.ended_at.is_(None)).values(ended_at=at, end_reason=reason)
    return conn.execute(q).rowcount or 0


def open_counts(conn: Connection, at: datetime) -> dict[str, int]:
    """Open sessions per username (users without any are left out)."""
    q = (
        select(users.c.username, func.count())
        .select_from(sessions.join(users, users.c.id == sessions.c.user_id))
        .where(sessions.c.ended_at.is_(None), sessions.c.expires_at > at)
        .group_by(users.c.username)
    )
    return {name: int(n) for name, n in conn.execute(q)}


def prune(conn: Connection, before: datetime) -> int:
    """Forget sessions that ended or expired before `before`."""
    q = delete(sessions).where(or_(sessions.c.expires_at < before, sessions.c.ended_at < before))
    return conn.execute(q).rowcount or 0
