"""The store: migrations match the tables, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from recoup.services.book import Book
from recoup.store.migrate import current_revision, head_revision, upgrade
from recoup.store.tables import metadata


def test_migrations_build_exactly_the_declared_schema(book: Book):
    assert current_revision(book.engine) == head_revision(book.engine)
    with book.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(book: Book):
    upgrade(book.engine)
    upgrade(book.engine)
    assert current_revision(book.engine) == head_revision(book.engine)
