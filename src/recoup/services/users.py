"""Users of the web UI: roles and argon2-hashed passwords."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from recoup.clock import now
from recoup.services.book import Book
from recoup.store import user_repo


class Role(StrEnum):
    OWNER = "owner"
    COLLECTOR = "collector"
    VIEWER = "viewer"


RANK = {Role.VIEWER: 0, Role.COLLECTOR: 1, Role.OWNER: 2}

_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    username: str
    role: Role

    def may(self, needed: Role) -> bool:
        return RANK[self.role] >= RANK[needed]


class UserError(ValueError):
    pass


def add_user(book: Book, username: str, password: str, role: Role, replace: bool = False) -> User:
    username = username.strip()
    if not username or len(username) > 64:
        raise UserError("a username has 1 to 64 characters")
    if len(password) < 8:
        raise UserError("a password has at least 8 characters")
    hashed = _hasher.hash(password)
    with book.write() as conn:
        if user_repo.get_user(conn, username) is not None:
            if not replace:
                raise UserError(f"user {username!r} exists (use --replace to change it)")
            user_repo.set_user(conn, username, hashed, role.value)
        else:
            user_repo.add_user(conn, username, hashed, role.value, now())
    return User(username, role)


def authenticate(book: Book, username: str, password: str) -> User | None:
    with book.read() as conn:
        row = user_repo.get_user(conn, username)
    if row is None:
        _hasher.hash(password)  # the same work either way, so timing reveals nothing
        return None
    try:
        _hasher.verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        return None
    return User(row["username"], Role(row["role"]))


def get_user(book: Book, username: str) -> User | None:
    with book.read() as conn:
        row = user_repo.get_user(conn, username)
    return User(row["username"], Role(row["role"])) if row else None


def list_users(book: Book) -> list[User]:
    with book.read() as conn:
        return [User(r["username"], Role(r["role"])) for r in user_repo.list_users(conn)]


def secret_key(book: Book) -> str:
    """The key that signs sessions: made once per book and kept in it."""
    with book.write() as conn:
        key = user_repo.get_meta(conn, "secret_key")
        if key is None:
            key = secrets.token_urlsafe(48)
            user_repo.set_meta(conn, "secret_key", key)
    return key
