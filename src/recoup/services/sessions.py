"""Web sessions that end when they should: one row in the book per login.

**Why rows and not a session version per user.** A version number on the user (bumped
to end sessions, copied into the signed cookie) can only end all of a user's sessions
at once: logging out on one browser would log the user out on all of them, or, if
logout only cleared the cookie, a copy of the old cookie would keep working until it
expired (the bug this replaces). A row per session ends exactly the session that logs
out, can end all of one user's or everyone's at once, shows an owner how many sessions
are open, and costs one primary-key read per request (plus a write at most every
`TOUCH_EVERY` to keep `last_seen_at`).

**What the browser holds.** A random token (`secrets.token_urlsafe(32)`) inside the
signed session cookie; the book keeps only its SHA-256 (`sessions.id`), so reading the
book (or a backup of it) gives no one a token that opens a session.

**When a session ends.** `end` (logout), `end_for_user` (an owner's "sign out
everywhere" for one user; `users.set_password` and `users.set_disabled` do the same in
their own transaction), `end_for_everyone`, and `LIFETIME` after the login. A session of
a disabled user never opens, even before it is ended. Rows that ended or expired more
than `KEEP` ago are deleted when someone logs in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from recoup.clock import now
from recoup.services.book import Book
from recoup.services.users import Role, User, UserError
from recoup.store import session_repo, user_repo

LIFETIME = timedelta(hours=12)
"""A working day; then log in again (the cookie's max age is the same)."""
TOUCH_EVERY = timedelta(minutes=5)
KEEP = timedelta(days=30)


def _session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(book: Book, user: User, user_agent: str = "", address: str = "") -> str:
    """A new session for `user` (who has just proved their password): the token for
    the cookie."""
    token = secrets.token_urlsafe(32)
    at = now()
    with book.write() as conn:
        row = user_repo.get_user(conn, user.username)
        if row is None or row["disabled_at"] is not None:
            raise UserError(f"user {user.username!r} cannot log in")
        session_repo.prune(conn, at - KEEP)
        session_repo.add_session(
            conn, _session_id(token), row["id"], at, at + LIFETIME, user_agent, address
        )
    return token


def user_for(book: Book, token: str) -> User | None:
    """The user of the open session `token`, or None (unknown, ended, expired, or the
    user disabled)."""
    at = now()
    session_id = _session_id(token)
    with book.read() as conn:
        row = session_repo.find_open(conn, session_id, at)
    if row is None:
        return None
    last_seen = row["last_seen_at"]
    if last_seen.tzinfo is None:  # SQLite gives back the UTC moment without its zone
        last_seen = last_seen.replace(tzinfo=UTC)
    if at - last_seen >= TOUCH_EVERY:
        with book.write() as conn:
            session_repo.touch(conn, session_id, at)
    return User(row["username"], Role(row["role"]), language=row["language"] or "")


def end(book: Book, token: str, reason: str = "logout") -> bool:
    """End the session `token`; whether it was open."""
    with book.write() as conn:
        return session_repo.end_session(conn, _session_id(token), now(), reason) > 0


def end_for_user(book: Book, username: str, reason: str = "signed_out") -> int:
    """End every session of `username` ("sign out everywhere"); how many were open."""
    with book.write() as conn:
        row = user_repo.get_user(conn, username)
        if row is None:
            raise UserError(f"there is no user {username!r}")
        return session_repo.end_user_sessions(conn, row["id"], now(), reason)


def end_for_everyone(book: Book, reason: str = "signed_out") -> int:
    """End every open session of every user; how many were open."""
    with book.write() as conn:
        return session_repo.end_all_sessions(conn, now(), reason)


def open_counts(book: Book, at: datetime | None = None) -> dict[str, int]:
    """Open sessions per username."""
    with book.read() as conn:
        return session_repo.open_counts(conn, at or now())
