"""One book: commands open the book that is there and say which; nothing makes an empty
book by accident; a --db that cannot be a book, or a port that is taken, is one clear
line and exit 2 (issue 15)."""

from __future__ import annotations

import json
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recoup.cli import admin
from recoup.cli.app import app
from recoup.services import demo_book
from recoup.services.book import Book, BookError, NoBookError
from recoup.services.demo_book import Found

runner = CliRunner()
EXIT_USAGE = 2


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception  # never a traceback
    return result.exit_code, result.stdout, result.stderr


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("Error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def invoices(tmp_path: Path) -> Path:
    path = tmp_path / "inv.csv"
    path.write_text(
        "customer,number,issue_date,due_date,amount,currency\n"
        "C1,A1,2026-06-01,2026-07-01,600.00,EUR\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["aging"],
        ["aging", "--json"],
        ["dso"],
        ["customers"],
        ["account", "C1"],
        ["worklist"],
        ["outbox"],
        ["run", "--no-dispatch"],
        ["dispatch"],
        ["log", "verify"],
        ["doctor"],
        ["user", "list"],
        ["policy", "show"],
        ["generate", "--customers", "2", "--invoices", "4"],
        ["serve"],
        ["import", "invoices", "INVOICES"],
    ],
)
def test_a_book_that_is_not_there_is_an_error_not_an_empty_book(
    tmp_path: Path, invoices: Path, command: list[str]
):
    db = tmp_path / "typo.db"
    args = [str(invoices) if a == "INVOICES" else a for a in command]
    code, out, err = invoke("--db", str(db), *args)
    assert code == EXIT_USAGE
    line = one_error_line(err)
    assert line == (
        f"Error: there is no book at {db}: `recoup init` makes one (`recoup demo` a demo "
        "book); --db names another"
    )
    assert out == ""
    assert not db.exists()  # no silent empty book


def _not_a_book(tmp_path: Path) -> str:
    path = tmp_path / "notes.txt"
    path.write_text("not a database at all\n" * 200, encoding="utf-8")
    return str(path)


def _other_database(tmp_path: Path) -> str:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    return str(path)


@pytest.mark.parametrize(
    ("where", "says"),
    [
        (lambda tmp: str(tmp / "no-such-folder" / "b.db"), "there is no folder"),
        (lambda tmp: str(tmp), "is a folder, not a book"),
        (_not_a_book, "is not a Recoup book (not a SQLite database)"),
        (_other_database, "is not a Recoup book: it holds other tables (recipes)"),
        (lambda tmp: "postgresql://nobody@127.0.0.1:1/none", "cannot open the book at"),
        (lambda tmp: "mysql://nobody@127.0.0.1/none", "a book is a SQLite file"),
    ],
)
@pytest.mark.parametrize("command", [["aging"], ["init"], ["worklist", "--json"]])
def test_a_bad_db_is_one_line_and_exit_2(tmp_path: Path, where, says: str, command: list[str]):
    target = where(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = invoke("--db", target, *command)
    assert code == EXIT_USAGE, err
    assert says in one_error_line(err)
    assert out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing made


def test_a_password_in_a_url_is_never_shown(tmp_path: Path):
    code, _out, err = invoke("--db", "postgresql://ann:s3cret@127.0.0.1:1/none", "aging")
    assert code == EXIT_USAGE
    assert "s3cret" not in err
    assert "postgresql://ann:***@127.0.0.1:1/none" in err


def test_init_makes_the_book_and_every_command_names_it(tmp_path: Path, invoices: Path):
    db = tmp_path / "b.db"
    code, out, err = invoke("--db", str(db), "init")
    assert code == 0
    assert (out, err) == (f"Book ready: {db}\n", "")  # named once
    code, out, err = invoke("--db", str(db), "import", "invoices", str(invoices))
    assert code == 0, err
    assert err == f"Book: {db}\n"
    code, out, err = invoke("--db", str(db), "aging", "--as-of", "2026-07-31")
    assert (code, err) == (0, f"Book: {db}\n")
    assert "Aging at" in out
    code, out, err = invoke("--db", str(db), "aging", "--as-of", "2026-07-31", "--json")
    assert (code, err) == (0, "")  # --json: the JSON and nothing else
    assert json.loads(out)["total"] == "600.00"
    code, out, err = invoke("--db", str(db), "init")  # again: harmless
    assert code == 0


def test_a_book_newer_than_the_code_is_refused(tmp_path: Path):
    db = tmp_path / "b.db"
    Book.create(str(db)).close()
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM alembic_version")
        conn.execute("INSERT INTO alembic_version VALUES ('9999')")
    with pytest.raises(BookError, match="revision 9999, which this Recoup does not know"):
        Book.open(str(db))
    code, _out, err = invoke("--db", str(db), "aging")
    assert code == EXIT_USAGE
    assert "a newer Recoup made it" in one_error_line(err)


@pytest.mark.pg
def test_an_empty_postgresql_database_holds_no_book_until_init(pg_url: str):
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = f"{pg_url}?options=-csearch_path%3D{schema}"
    try:
        with pytest.raises(NoBookError, match="is an empty database, not a book"):
            Book.open(url)
        code, _out, err = invoke("--db", url, "aging")
        assert code == EXIT_USAGE
        assert "`recoup init` makes one" in one_error_line(err)
        code, out, _err = invoke("--db", url, "init")
        assert code == 0
        assert out.startswith("Book ready: postgresql://")
        Book.open(url).close()
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


# --- the demo's book -----------------------------------------------------------------------


def test_what_the_demo_finds_at_its_place(tmp_path: Path, invoices: Path):
    db = tmp_path / "recoup.db"
    assert demo_book.found_at(str(db)) is Found.NOTHING
    assert not db.exists()
    book = Book.create(str(db))
    assert demo_book.found_at(str(db)) is Found.EMPTY
    demo_book.mark(book)
    assert demo_book.found_at(str(db)) is Found.DEMO
    book.close()
    other = tmp_path / "other.db"
    assert invoke("--db", str(other), "init")[0] == 0
    assert invoke("--db", str(other), "import", "invoices", str(invoices))[0] == 0
    assert demo_book.found_at(str(other)) is Found.DATA
    (tmp_path / "recoup.db-wal").touch()
    assert demo_book.remove(str(db))
    assert not any(p.name.startswith("recoup.db") for p in tmp_path.iterdir())
    assert not demo_book.remove("postgresql://nobody@127.0.0.1:1/none")  # never dropped
    with pytest.raises(BookError):
        demo_book.found_at(_not_a_book(tmp_path))


def test_the_demo_leaves_a_book_with_data_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RECOUP_DATABASE_URL", raising=False)
    assert invoke("init")[0] == 0
    code, _out, err = invoke("user", "add", "anna", "--role", "owner", "--password", "a" * 12)
    assert code == 0, err
    code, out, err = invoke("demo", "--no-serve")
    assert code == EXIT_USAGE
    line = one_error_line(err)
    assert f"{tmp_path / 'recoup.db'} is a book with data the demo did not make" in line
    assert "--fresh" in line
    assert "--db demo.db" in line
    assert out == ""
    code, out, _err = invoke("user", "list", "--json")
    assert [u["username"] for u in json.loads(out)] == ["anna"]  # untouched
    code, _out, err = invoke("--db", _not_a_book(tmp_path), "demo", "--no-serve")
    assert code == EXIT_USAGE
    assert "the demo leaves it alone" in one_error_line(err)


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_a_busy_port_stops_the_demo_before_it_starts(
    tmp_path: Path, busy_port: int, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RECOUP_DATABASE_URL", raising=False)
    code, out, err = invoke("demo", "--port", str(busy_port))
    assert code == EXIT_USAGE
    line = one_error_line(err)
    assert f"cannot serve the web UI on 127.0.0.1:{busy_port}" in line
    assert "make demo PORT=8001" in line
    assert out == ""
    assert not (tmp_path / "recoup.db").exists()  # no minute of work for nothing


def test_a_busy_port_stops_serve_and_so_does_uvicorn_failing(
    tmp_path: Path, busy_port: int, monkeypatch: pytest.MonkeyPatch
):
    db = tmp_path / "b.db"
    Book.create(str(db)).close()
    code, out, err = invoke("--db", str(db), "serve", "--port", str(busy_port))
    assert code == EXIT_USAGE
    assert err.splitlines()[0] == f"Book: {db}"
    assert f"Error: cannot serve the web UI on 127.0.0.1:{busy_port}" in err
    assert f"recoup serve --port {busy_port + 1}" in err
    assert "Open http" not in out
    # when the port is taken after the check, uvicorn's own failure ends it the same way
    for name in ("RECOUP_DATABASE_URL", "RECOUP_LOCALE", "RECOUP_NOW"):
        # _serve hands the book on to uvicorn's process through these: put back after
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setattr(admin, "_cannot_listen", lambda host, port: None)
    code, out, err = invoke("--db", str(db), "serve", "--port", str(busy_port))
    assert code == EXIT_USAGE
    assert f"Error: the web UI could not start on 127.0.0.1:{busy_port}" in err
