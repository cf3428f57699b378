"""Bring a database to the newest schema with Alembic, from code.

Opening a book asks first, without Alembic, whether there is anything to do: the
revisions the book records (its `alembic_version` rows, read with plain SQL) against the
newest revisions of the migrations folder (read from the files' `revision` and
`down_revision` lines, not by importing them). Alembic (and Mako and Pygments with it)
is imported only when they differ, so a command on an up-to-date book starts without it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"

_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revisions(engine: Engine) -> set[str]:
    """The newest revision of every branch, as Alembic reads them. Parallel work may
    leave more than one branch until a merge revision joins them; `upgrade` applies them
    all."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())


@cache
def file_revisions(folder: Path = MIGRATIONS / "versions") -> tuple[frozenset[str], frozenset[str]]:
    """Every revision of the migrations folder and the newest ones, read from the files'
    text: the newest are those that no other one names as its `down_revision` (the same
    set as Alembic's heads; a test holds them equal)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in folder.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:
            continue
        revisions.add(found.group(1))
        down = _DOWN.search(source)
        if down is not None:
            parents.update(_QUOTED.findall(down.group(1)))
    return frozenset(revisions), frozenset(revisions - parents)


def file_heads() -> frozenset[str]:
    return file_revisions()[1]


def stored_revisions(conn: Connection) -> set[str] | None:
    """The revisions the book records, or None when it has no version table (an empty
    database, or one that is not a book)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    rows = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
    return {str(r) for r in rows}


def table_names(conn: Connection) -> list[str]:
    return sorted(inspect(conn).get_table_names())


def up_to_date(stored: set[str]) -> bool:
    """Whether a book that records these revisions has every migration: each newest
    revision is among them (a revision the migrations later made an ancestor of another,
    still recorded beside it, changes nothing)."""
    return file_heads() <= stored


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return stored_revisions(conn) or set()


def upgrade(engine: Engine) -> None:
    """Apply every migration not yet applied (a no-op on an up-to-date database)."""
    if up_to_date(current_revisions(engine)):
        return
    from alembic import command

    command.upgrade(alembic_config(engine), "heads")
