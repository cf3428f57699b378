"""Alembic environment: the engine comes from `recoup.store.migrate`, never from a file.

On SQLite, a migration that changes a constraint rebuilds the table (Alembic's batch
mode: copy, drop, rename). With foreign keys enforced, dropping a table that other rows
refer to is refused, so they are switched off for the migrations (outside any
transaction, as SQLite requires), checked in full afterwards, and switched on again.
"""

from __future__ import annotations

from alembic import context

from recoup.store.schema import metadata

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    raw = connection.connection.driver_connection if sqlite else None
    if raw is not None:
        raw.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=sqlite,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
        if raw is not None:
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left rows without their parent: {broken[:5]}")
    finally:
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=ON")
