"""The collection policy of a book: check a file, use it (a new version), show the active one.

Versions are numbered from 1 in the order texts were first used; an identical text
(same sha256) used again re-activates its version instead of making a new one. A book
that never used a policy follows the built-in default plan, reported as version 0.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from recoup.clock import now
from recoup.domain.policy import Part, Policy
from recoup.policy import (
    DEFAULT_POLICY_FILE,
    PolicyProblem,
    default_policy,
    default_policy_text,
    load_policy,
    read_policy_file,
    to_json,
)
from recoup.services.book import Book
from recoup.store import policy_repo

BUILT_IN_VERSION = 0

__all__ = [
    "BUILT_IN_VERSION",
    "PolicyProblem",
    "PolicyRefusedError",
    "PolicyVersion",
    "ShownPolicy",
    "StoredPolicyError",
    "UsedPolicy",
    "active_policy",
    "check_policy_file",
    "check_policy_text",
    "list_policy_versions",
    "show_policy",
    "use_policy",
    "use_policy_file",
    "use_policy_text",
]


class PolicyRefusedError(ValueError):
    """A policy file with problems: nothing was stored."""

    def __init__(self, problems: list[PolicyProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class StoredPolicyError(RuntimeError):
    """The active stored policy no longer reads (e.g. written for another release)."""

    def __init__(self, version: int, problems: tuple[PolicyProblem, ...]) -> None:
        super().__init__(
            f"the active policy (version {version}) has problems: "
            + "; ".join(str(p) for p in problems)
        )
        self.version = version
        self.problems = problems


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ShownPolicy:
    version: int  # 0: the built-in default
    name: str
    text: str
    checksum: str
    created_at: datetime | None
    policy: Policy

    @property
    def built_in(self) -> bool:
        return self.version == BUILT_IN_VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "name": self.name,
            "built_in": self.built_in,
            "checksum": self.checksum,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "policy": to_json(self.policy),
        }


@dataclass(frozen=True)
class UsedPolicy:
    version: int
    name: str
    created: bool  # False: the same text was stored before and is active again
    was_active: bool  # it already was the active version

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "name": self.name,
            "created": self.created,
            "was_active": self.was_active,
        }


@dataclass(frozen=True)
class PolicyVersion:
    version: int
    name: str
    checksum: str
    created_at: datetime
    active: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "name": self.name,
            "checksum": self.checksum,
            "created_at": self.created_at.isoformat(),
            "active": self.active,
        }


def _built_in() -> ShownPolicy:
    text = default_policy_text()
    policy = default_policy()
    return ShownPolicy(BUILT_IN_VERSION, policy.name, text, checksum(text), None, policy)


def show_policy(book: Book) -> ShownPolicy:
    """The active policy: its version, its text as given, and what it says."""
    with book.read() as conn:
        row = policy_repo.active_policy(conn)
    if row is None:
        return _built_in()
    loaded = load_policy(row.text, f"policy version {row.version}")
    if loaded.policy is None:
        raise StoredPolicyError(row.version, loaded.problems)
    return ShownPolicy(row.version, row.name, row.text, row.checksum, row.created_at, loaded.policy)


def active_policy(book: Book) -> tuple[int, Policy]:
    """The version and the policy that decide today's actions (0: the built-in default)."""
    shown = show_policy(book)
    return shown.version, shown.policy


def application_order(conn: Connection) -> tuple[Part, ...]:
    """The active plan's order for paying costs, interest and principal (inside the
    caller's transaction)."""
    row = policy_repo.active_policy(conn)
    if row is None:
        return default_policy().application_order()
    loaded = load_policy(row.text, f"policy version {row.version}")
    if loaded.policy is None:
        raise StoredPolicyError(row.version, loaded.problems)
    return loaded.policy.application_order()


def check_policy_text(text: str, file: str) -> list[PolicyProblem]:
    return list(load_policy(text, file).problems)


def check_policy_file(path: Path) -> list[PolicyProblem]:
    """Every problem of the policy file at `path` (empty: it can be used)."""
    return list(read_policy_file(path)[1].problems)


def use_policy_text(book: Book, text: str, file: str = DEFAULT_POLICY_FILE) -> UsedPolicy:
    """Check `text` and make it the active policy (raises PolicyRefusedError on problems)."""
    loaded = load_policy(text, file)
    if loaded.policy is None:
        raise PolicyRefusedError(list(loaded.problems))
    digest = checksum(text)
    with book.write() as conn:
        existing = policy_repo.find_by_checksum(conn, digest)
        if existing is not None:
            if not existing.active:
                policy_repo.activate(conn, existing.version)
            return UsedPolicy(existing.version, existing.name, False, existing.active)
        version = policy_repo.add_policy(conn, loaded.policy.name, text, digest, now())
        policy_repo.activate(conn, version)
    return UsedPolicy(version, loaded.policy.name, True, False)


def use_policy_file(book: Book, path: Path) -> UsedPolicy:
    """Check the file at `path` and make it the active policy (see `use_policy_text`)."""
    text, loaded = read_policy_file(path)
    if text is None or loaded.policy is None:
        raise PolicyRefusedError(list(loaded.problems))
    return use_policy_text(book, text, str(path))


def use_policy(book: Book, path: Path) -> int:
    """Make the policy file at `path` the active one; returns its version number."""
    return use_policy_file(book, path).version


def list_policy_versions(book: Book) -> list[PolicyVersion]:
    """Every stored version, newest first."""
    with book.read() as conn:
        rows = policy_repo.list_policies(conn)
    return [PolicyVersion(r.version, r.name, r.checksum, r.created_at, r.active) for r in rows]
