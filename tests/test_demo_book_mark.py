"""A demo book somebody has worked in is theirs: the next `recoup demo` (a new user's
second `make demo`) leaves it alone instead of replacing it. Logging in to the demo's
web UI does not make it theirs."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.domain.roles import Role
from recoup.services import demo_book, sessions, users
from recoup.services.book import Book
from recoup.services.demo_book import Found

runner = CliRunner()


def _import(db: Path, kind: str, csv: Path) -> None:
    result = runner.invoke(app, ["--db", str(db), "import", kind, str(csv)])
    assert result.exit_code == 0, result.stderr


def test_a_demo_book_worked_in_is_no_longer_the_demos(tmp_path: Path):
    db = tmp_path / "recoup.db"
    invoices = tmp_path / "inv.csv"
    invoices.write_text(
        "customer,number,issue_date,due_date,amount,currency\n"
        "C000001,INV-1,2026-10-01,2026-10-31,100.00,USD\n",
        encoding="utf-8",
    )
    book = Book.create(str(db))
    demo_book.mark(book, finished=False)  # while the demo builds
    _import(db, "invoices", invoices)
    owner = users.add_user(book, "owner", "owner-demo-pw", Role.OWNER)
    assert demo_book.found_at(str(db)) is Found.DEMO
    demo_book.mark(book)  # the demo finished
    assert demo_book.found_at(str(db)) is Found.DEMO
    sessions.start(book, owner)  # somebody logs in to look at it
    assert demo_book.found_at(str(db)) is Found.DEMO

    mine = tmp_path / "customers.csv"
    mine.write_text("customer,name\nN000001,Newcomer Bakery Ltd\n", encoding="utf-8")
    _import(db, "customers", mine)  # the README's next step, in the same folder
    assert demo_book.found_at(str(db)) is Found.DATA
    book.close()

    result = runner.invoke(app, ["--db", str(db), "demo", "--no-serve"])
    assert result.exit_code == 2
    assert "is a book with data the demo did not make" in result.stderr
    result = runner.invoke(app, ["--db", str(db), "account", "N000001", "--json"])
    assert result.exit_code == 0, result.stderr  # still there


def test_a_user_added_to_a_finished_demo_book_makes_it_theirs(tmp_path: Path):
    db = tmp_path / "recoup.db"
    book = Book.create(str(db))
    users.add_user(book, "owner", "owner-demo-pw", Role.OWNER)
    demo_book.mark(book)
    assert demo_book.found_at(str(db)) is Found.DEMO
    users.add_user(book, "anna", "anna-password", Role.COLLECTOR)
    assert demo_book.found_at(str(db)) is Found.DATA
    book.close()
