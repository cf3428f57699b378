"""A fast command: what `recoup --help` and the light commands import (issue 15).

Timings belong to `bench/startup.py`; these tests hold the causes: the heavy libraries
stay out of the commands that do not use them, whoever adds a command or an import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from recoup.services import importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from recoup.store import migrate

# what a light command never needs: migrations, PDFs, the fast reader, the web, XLSX
NEVER_LIGHT = {
    "alembic",
    "mako",
    "reportlab",
    "pyarrow",
    "fastapi",
    "starlette",
    "uvicorn",
    "openpyxl",
    "jinja2",
    "argon2",
    "psycopg",
    # the settings are a plain pydantic model (pydantic-settings was 0.04 s of each start);
    # the daily run's forked planners
    "pydantic_settings",
    "dotenv",
    "multiprocessing",
    "ctypes",
}
# what `recoup worklist` reads is the run's worklist part, not the run itself (planning,
# recording, the forked workers), nor the accounts and reports services
NEVER_WORKLIST = {
    "recoup.services.run.daily",
    "recoup.services.run.deciding",
    "recoup.services.run.recording",
    "recoup.services.run.workers",
    "recoup.services.run.history_json",
    "recoup.services.accounts",
    "recoup.services.reports",
}
# and `--help` not even the database, the settings, Babel, or Rich's help panels
NEVER_HELP = NEVER_LIGHT | {
    "sqlalchemy",
    "pydantic_settings",
    "holidays",
    "email_validator",
    "babel",
    "pygments",
    "markdown_it",
}


def loaded(*argv: str, cwd: Path | None = None, modules: bool = False) -> set[str]:
    """The top-level packages (or, with `modules`, the modules) `recoup ARGV...`
    imported, in a fresh process."""
    code = (
        "import json, sys\n"
        f"sys.argv = ['recoup', *{list(argv)!r}]\n"
        "from recoup.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit as stop:\n    code = stop.code\nelse:\n    code = 0\n"
        f"names = sorted({{m if {modules!r} else m.split('.')[0] for m in sys.modules}})\n"
        "sys.stderr.write('\\nLOADED ' + json.dumps([code, names]) + '\\n')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "120"},
    )
    marker = [line for line in done.stderr.splitlines() if line.startswith("LOADED ")]
    assert marker, done.stderr[-2000:]
    exit_code, names = json.loads(marker[-1].removeprefix("LOADED "))
    assert exit_code in (0, None), done.stderr[-2000:]
    return set(names)


def test_help_imports_no_heavy_library():
    assert loaded("--help") & NEVER_HELP == set()
    # a command's own help passes through the root command, which reads the settings
    assert loaded("import", "--help") & (NEVER_LIGHT | {"sqlalchemy"}) == set()


@pytest.fixture(scope="module")
def small_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("startup")
    path = folder / "book.db"
    invoices = folder / "inv.csv"
    invoices.write_text(
        "customer,number,issue_date,due_date,amount,currency\n"
        "C1,A1,2026-06-01,2026-07-01,600.00,EUR\n"
        "C2,B1,2026-06-01,2026-08-01,250.00,EUR\n",
        encoding="utf-8",
    )
    book = Book.create(str(path))
    assert importing.import_file(book, Kind.INVOICES, invoices, Options()).ok
    book.close()
    return path


@pytest.mark.parametrize(
    "command",
    [["aging"], ["account", "C1"], ["worklist"], ["customers"], ["dso"], ["log", "C1"]],
)
def test_light_commands_import_only_what_they_use(small_book: Path, command: list[str]):
    found = loaded("--db", str(small_book), *command, modules=True)
    assert "sqlalchemy" in found  # the command did read the book
    assert {m.split(".")[0] for m in found} & NEVER_LIGHT == set()
    # and of the command line only the module of the command run (and what it uses)
    assert "recoup.cli.casework" not in found
    assert "recoup.cli.messages" not in found or command == ["worklist"]
    # nor the import commands' readers, an import's problem lines, or Rich's progress bars
    # (drawn only on a terminal, for long work); a SQLite book, PostgreSQL's dialect
    # (the partial indexes' WHERE for it is made only for the schema and bulk loads)
    if command[0] not in ("aging", "account", "customers", "dso"):
        assert "recoup.cli.books" not in found
    assert {"recoup.cli.problem_lines", "rich.progress"} & found == set()
    assert "sqlalchemy.dialects.postgresql" not in found
    if command == ["worklist"]:
        assert found & NEVER_WORKLIST == set()


def test_the_partial_indexes_are_in_the_schema():
    from recoup.store.schema import metadata
    from recoup.store.tables import PROBLEMS_SQL, TASK_KINDS_SQL

    wheres = {
        i.name: str(i.dialect_options["postgresql"]["where"])
        for table in metadata.tables.values()
        for i in table.indexes
        if i.dialect_options["sqlite"]["where"] is not None
    }
    assert wheres["ix_invoices_open"] == "settled_on IS NULL AND kind = 'invoice'"
    assert wheres["uq_actions_once_per_cycle"] == "withdrawn_on IS NULL"
    assert wheres["ix_actions_tasks"] == TASK_KINDS_SQL
    assert wheres["ix_outbox_problems"] == PROBLEMS_SQL
    assert len(wheres) == 12


def test_the_table_of_commands_is_what_the_modules_add():
    import typer
    import typer.main

    from recoup.cli.app import COMMANDS, app

    for register, names in COMMANDS:
        part = typer.Typer()
        register(part)
        assert sorted(typer.main.get_group(part).commands) == sorted(names)
    every = [name for _register, names in COMMANDS for name in names]
    assert len(every) == len(set(every))
    whole = typer.main.get_command(app)
    assert isinstance(whole, typer.core.TyperGroup)
    assert whole.list_commands(typer.Context(whole)) == every


def test_an_up_to_date_book_opens_without_alembic_and_an_old_one_is_migrated(tmp_path: Path):
    new = tmp_path / "new.db"
    assert "alembic" in loaded("--db", str(new), "init")  # making a book migrates it
    assert "alembic" not in loaded("--db", str(new), "aging")
    # a book made by an older Recoup (at revision 0013): opening it brings it up to date
    from alembic import command

    from recoup.store.engine import make_engine

    old = tmp_path / "old.db"
    engine = make_engine(str(old))
    command.upgrade(migrate.alembic_config(engine), "0013")
    with engine.connect() as conn:
        assert migrate.stored_revisions(conn) == {"0013"}
    engine.dispose()
    assert "alembic" in loaded("--db", str(old), "aging")
    book = Book.open(str(old))
    with book.read() as conn:
        assert migrate.stored_revisions(conn) == set(migrate.file_heads())
    assert "alembic" not in loaded("--db", str(old), "aging")
    book.close()


def test_the_heads_read_from_the_files_are_alembics(tmp_path: Path):
    book = Book.create(str(tmp_path / "b.db"))
    assert set(migrate.file_heads()) == migrate.head_revisions(book.engine)
    known, heads = migrate.file_revisions()
    assert heads <= known
    assert len(known) == len(list((migrate.MIGRATIONS / "versions").glob("[0-9]*.py")))
    book.close()


def test_a_command_closes_the_book_it_opened(small_book: Path):
    """`main()` freezes the heap before the interpreter exits (its last collections
    would walk it all again), so the book is closed by the command itself: SQLite's
    write-ahead log is gone afterwards, as after a clean close."""
    wal = small_book.with_name(small_book.name + "-wal")
    for command in (["aging"], ["worklist"]):
        loaded("--db", str(small_book), *command)
        assert not wal.exists(), command
