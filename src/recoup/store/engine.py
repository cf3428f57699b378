"""Engines for a SQLite path or a database URL."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError


def database_url(path_or_url: str) -> str:
    """A SQLAlchemy URL for a file path or a URL (postgresql:// uses psycopg 3)."""
    if "://" not in path_or_url:
        return f"sqlite:///{Path(path_or_url).expanduser().resolve()}"
    if path_or_url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + path_or_url.split("://", 1)[1]
    return path_or_url


def sqlite_file(path_or_url: str) -> Path | None:
    """The file of a SQLite book (a path, or a sqlite:/// URL), else None (PostgreSQL, or
    SQLite in memory)."""
    url = database_url(path_or_url)
    if not url.startswith("sqlite"):
        return None
    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def shown(path_or_url: str) -> str:
    """Where a book is, for people: its file, or its URL without the password."""
    file = sqlite_file(path_or_url)
    if file is not None:
        return str(file)
    try:
        url = make_url(database_url(path_or_url))
    except ArgumentError:  # not a URL at all: shown as given, without what precedes an @
        return path_or_url.split("@")[-1]
    # postgresql://, not postgresql+psycopg://: the driver is Recoup's business
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)


def sqlite_probe(file: Path) -> tuple[bool, set[str]]:
    """Whether an existing file is a SQLite database, and its tables, read without
    changing it: before a connection switches it to WAL, and without the lock files a
    reader makes (`immutable`: the database file alone, as last checkpointed; enough to
    tell a book from another database)."""
    with file.open("rb") as fh:
        head = fh.read(16)
    if not head:
        return True, set()  # empty: SQLite makes a database of it
    if head != b"SQLite format 3\x00":
        return False, set()
    with closing(
        sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    ) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return True, {str(name) for (name,) in rows}


def make_engine(path_or_url: str, **kwargs: Any) -> Engine:
    url = database_url(path_or_url)
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        _sqlite_setup(engine)
        return engine
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "connect", _without_jit)
    return engine


def _without_jit(dbapi_connection: Any, _record: Any) -> None:
    """Each new PostgreSQL connection with the JIT compiler off, set in its session (so
    that `PGOPTIONS`, a service file's and the URL's `options` stay as the deployment
    set them); a server without the setting (before PostgreSQL 11), or a pooler that
    refuses it, keeps its own.

    Why: the dashboard's statements carry a correlated subquery (the amount paid by an
    earlier day) that they seldom run but whose cost the planner counts for every row,
    so once a book has statistics their estimated cost passes `jit_above_cost` and each
    reading compiles for longer than it runs: on 300,000 invoices after `VACUUM
    ANALYZE`, 1,061 ms of JIT for the largest overdue accounts (920 ms in all) and 364
    ms for a part of the aging (470 ms). Recoup's statements are short reads and
    set-based writes that JIT does not pay for (bench/RESULTS.md)."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SET jit = off")
        dbapi_connection.commit()  # a session setting: kept past this transaction
    except Exception:  # any refusal (old server, pooler) leaves the server's own setting
        dbapi_connection.rollback()
    finally:
        cursor.close()


def is_sqlite(conn: Connection | Engine) -> bool:
    return conn.dialect.name == "sqlite"


def _sqlite_setup(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and transactions that SQLAlchemy controls.

    The sqlite3 driver's own transaction handling is switched off so that a unit of
    work begins with BEGIN (or BEGIN IMMEDIATE for writers, which takes the write lock
    at once instead of failing half way) and covers every statement in it.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA cache_size=-200000")
        cur.execute("PRAGMA temp_store=MEMORY")
        cur.execute("PRAGMA mmap_size=4294967296")
        # sorts (CREATE INDEX, GROUP BY) may use a helper thread per spare core
        cur.execute(f"PRAGMA threads={min(os.cpu_count() or 1, 4)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")
