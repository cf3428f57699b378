"""`recoup user password|disable|enable|signout`: the CLI ends web sessions the way the
owner's Users page does (issue 14)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.services import sessions, users
from recoup.services.book import Book
from recoup.services.users import Role

runner = CliRunner()


def cli(book: Book, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(book.engine.url.database), *args])
    return result.exit_code, result.stdout, result.stderr


def test_the_cli_ends_sessions(sqlite_book: Book) -> None:
    book = sqlite_book
    users.add_user(book, "vera", "vera-viewer-pw", Role.VIEWER)
    users.add_user(book, "olga", "olga-owner-pw", Role.OWNER)
    vera = users.get_user(book, "vera")
    olga = users.get_user(book, "olga")
    assert vera is not None
    assert olga is not None

    first = sessions.start(book, vera)
    code, out, _ = cli(book, "user", "password", "vera", "--password", "vera-second-pw")
    assert code == 0
    assert "1 session(s) ended" in out
    assert sessions.user_for(book, first) is None
    assert users.authenticate(book, "vera", "vera-second-pw") == vera

    second = sessions.start(book, vera)
    code, out, _ = cli(book, "user", "disable", "vera")
    assert (code, sessions.user_for(book, second)) == (0, None)
    code, out, _ = cli(book, "user", "list", "--json")
    listed = {u["username"]: u["disabled"] for u in json.loads(out)}
    assert listed == {"olga": False, "vera": True}
    assert cli(book, "user", "enable", "vera")[0] == 0
    assert users.get_user(book, "vera") == vera
    assert sessions.user_for(book, second) is None  # enabled again: the old session stays ended

    third, owners = sessions.start(book, vera), sessions.start(book, olga)
    code, out, _ = cli(book, "user", "signout", "vera")
    assert (code, out.strip()) == (0, "1 session(s) of vera ended.")
    assert sessions.user_for(book, third) is None
    assert sessions.user_for(book, owners) == olga
    code, out, _ = cli(book, "user", "signout", "--all")
    assert (code, out.strip()) == (0, "1 session(s) ended.")
    assert sessions.user_for(book, owners) is None


def test_the_cli_refuses_what_it_cannot_do(sqlite_book: Book) -> None:
    assert cli(sqlite_book, "user", "disable", "nobody")[0] == 2
    assert cli(sqlite_book, "user", "signout")[0] == 2  # neither a name nor --all
    users.add_user(sqlite_book, "vera", "vera-viewer-pw", Role.VIEWER)
    code, _, err = cli(sqlite_book, "user", "password", "vera", "--password", "short")
    assert code == 2
    assert "at least 8 characters" in err


def test_a_piped_password_is_the_first_line_of_the_input(sqlite_book: Book) -> None:
    """`echo pw | recoup user add NAME`: no prompt and no warning about echo, the line's
    end not part of the password; the same for a new password."""
    db = str(sqlite_book.engine.url.database)
    added = runner.invoke(app, ["--db", db, "user", "add", "pia", "--role", "viewer"],
                          input="piped-password-1\nnot this\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "Warning" not in added.output
    assert users.authenticate(sqlite_book, "pia", "piped-password-1") is not None
    changed = runner.invoke(app, ["--db", db, "user", "password", "pia"],
                            input="piped-password-2\r\n")  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert users.authenticate(sqlite_book, "pia", "piped-password-2") is not None
    assert users.authenticate(sqlite_book, "pia", "piped-password-1") is None
