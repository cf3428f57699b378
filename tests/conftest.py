"""Shared fixtures: books on SQLite and PostgreSQL, and the rule for missing real parts.

Tests that need PostgreSQL or Chromium skip when those are missing on a developer's
machine, and fail when CI is set: CI must exercise the real parts.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from recoup.services.book import Book

# ../shared beside the checkout, or wherever RECOUP_SHARED says
SHARED = Path(
    os.environ.get("RECOUP_SHARED", Path(__file__).resolve().parents[1].parent / "shared")
)
CORPUS = SHARED / "corpus"
PG_URL = os.environ.get("RECOUP_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def missing(what: str) -> None:
    """Skip, or fail when CI is set, because a real part is missing."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing, and CI requires it")
    pytest.skip(f"{what} is missing")


def shared_file(*parts: str) -> Path:
    """A file of ../shared. shared/ is written by others and may be absent (on a bare
    clone, and in CI too): then the test that reads it is skipped, and only then."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"the shared folder is not here ({path})")
    return path


def corpus_file(*parts: str) -> Path:
    return shared_file("corpus", *parts)


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def pg_url() -> str:
    if not _pg_available():
        missing(f"PostgreSQL at {PG_URL}")
    return PG_URL


@pytest.fixture
def pg_book(pg_url: str) -> Iterator[Book]:
    """A book in a schema of its own, dropped afterwards."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    book = Book.create(f"{pg_url}?options=-csearch_path%3D{schema}")
    try:
        yield book
    finally:
        book.close()
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def sqlite_book(tmp_path: Path) -> Iterator[Book]:
    book = Book.create(str(tmp_path / "book.db"))
    yield book
    book.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def book(request: pytest.FixtureRequest) -> Book:
    """The same test on SQLite and on PostgreSQL."""
    name = "sqlite_book" if request.param == "sqlite" else "pg_book"
    result: Book = request.getfixturevalue(name)
    return result
