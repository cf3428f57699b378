"""Users of the web UI: roles, argon2-hashed passwords, disabling.

A password change (`set_password`, `change_password`, `add_user(replace=True)`) and
disabling a user end every session of that user in the same transaction
(`recoup.services.sessions`). Hashing goes through `recoup.services.passwords`, whose
gate bounds the memory argon2 takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from recoup.clock import now
from recoup.domain.roles import Role as Role  # where it always was, for callers
from recoup.i18n import LANGUAGES
from recoup.services import passwords
from recoup.services.book import Book
from recoup.store import session_repo, user_repo

RANK = {Role.VIEWER: 0, Role.COLLECTOR: 1, Role.OWNER: 2}


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    disabled: bool = False
    language: str = ""  # of their web pages (en, de, fr); "": their browser's

    def may(self, needed: Role) -> bool:
        return RANK[self.role] >= RANK[needed]


class UserError(ValueError):
    pass


class UserDisabledError(UserError):
    """The password was right, but the user is disabled."""


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise UserError("a password has at least 8 characters")


def add_user(book: Book, username: str, password: str, role: Role, replace: bool = False) -> User:
    """Add a user; with `replace`, give an existing one this password and role (their
    sessions end)."""
    username = username.strip()
    if not username or len(username) > 64:
        raise UserError("a username has 1 to 64 characters")
    _check_password(password)
    hashed = passwords.hash_password(password)
    at = now()
    with book.write() as conn:
        row = user_repo.get_user(conn, username)
        if row is not None:
            if not replace:
                raise UserError(f"user {username!r} exists (use --replace to change it)")
            user_repo.set_user(conn, username, hashed, role.value)
            session_repo.end_user_sessions(conn, row["id"], at, "password")
        else:
            user_repo.add_user(conn, username, hashed, role.value, at)
    return User(username, role)


def authenticate(book: Book, username: str, password: str) -> User | None:
    """The user whose password this is, or None. A disabled user with the right password
    raises `UserDisabledError` (only someone who knows the password learns that)."""
    with book.read() as conn:
        row = user_repo.get_user(conn, username)
    if not passwords.verify_password(row["password_hash"] if row else None, password):
        return None
    assert row is not None
    if row["disabled_at"] is not None:
        raise UserDisabledError(f"user {username!r} is disabled; ask an owner")
    return User(row["username"], Role(row["role"]), language=row["language"] or "")


def set_password(book: Book, username: str, password: str) -> int:
    """Give `username` a new password; their sessions end. Returns how many did."""
    _check_password(password)
    hashed = passwords.hash_password(password)
    with book.write() as conn:
        row = _existing(conn, username)
        user_repo.set_password(conn, username, hashed)
        return session_repo.end_user_sessions(conn, row["id"], now(), "password")


def change_password(book: Book, username: str, current: str, new: str) -> int:
    """The user's own change: `current` must be right. Every session of the user ends
    (the caller starts a new one for the browser that asked)."""
    if authenticate(book, username, current) is None:
        raise UserError("the current password is not right")
    if new == current:
        raise UserError("the new password is the same as the current one")
    return set_password(book, username, new)


def set_role(book: Book, username: str, role: Role) -> None:
    """Give `username` another role; it holds from their next request on (the role is
    read with the session). The last enabled owner stays an owner, so that someone can
    still manage the book."""
    with book.write() as conn:
        row = _existing(conn, username)
        if row["role"] == Role.OWNER.value and role is not Role.OWNER:
            owners = [
                u
                for u in user_repo.list_users(conn)
                if u["role"] == Role.OWNER.value and u["disabled_at"] is None
            ]
            if [u["username"] for u in owners] == [username]:
                raise UserError(f"{username} is the only owner; make another owner first")
        user_repo.set_role(conn, username, role.value)


def set_disabled(book: Book, username: str, disabled: bool) -> int:
    """Disable a user (they cannot log in; their sessions end at once) or enable them
    again. Returns how many sessions ended."""
    at = now()
    with book.write() as conn:
        row = _existing(conn, username)
        if not disabled:
            user_repo.set_disabled(conn, username, None)
            return 0
        if row["disabled_at"] is None:
            user_repo.set_disabled(conn, username, at)
        return session_repo.end_user_sessions(conn, row["id"], at, "disabled")


def set_language(book: Book, username: str, language: str) -> None:
    """The language of `username`'s web pages (one of LANGUAGES), or "": their
    browser's. It holds from their next page on."""
    if language and language not in LANGUAGES:
        raise UserError(f"the pages are in {', '.join(LANGUAGES)}, not {language!r}")
    with book.write() as conn:
        _existing(conn, username)
        user_repo.set_language(conn, username, language or None)


def _existing(conn: Connection, username: str) -> dict[str, Any]:
    row = user_repo.get_user(conn, username)
    if row is None:
        raise UserError(f"there is no user {username!r}")
    return row


def get_user(book: Book, username: str) -> User | None:
    with book.read() as conn:
        row = user_repo.get_user(conn, username)
    return _user(row) if row else None


def list_users(book: Book) -> list[User]:
    with book.read() as conn:
        return [_user(r) for r in user_repo.list_users(conn)]


def _user(row: dict[str, Any]) -> User:
    return User(
        str(row["username"]),
        Role(str(row["role"])),
        row["disabled_at"] is not None,
        str(row.get("language") or ""),
    )
