"""The documented moment (`recoup.clock`): `--now`, `RECOUP_NOW`, `acting_at`, and the
web app's `Settings.now`. Nothing is patched: the moment is set at the edges, as a user
sets it, and must not outlive the command, request or block that set it."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from recoup import clock
from recoup.cli.app import app
from recoup.services import history, users
from recoup.services.book import Book
from recoup.services.users import Role
from recoup.settings import Settings
from recoup.web.app import create_app

runner = CliRunner()


def cli(db: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    if not db.exists():  # as `recoup init` makes it
        Book.create(str(db)).close()
    result = runner.invoke(app, ["--db", str(db), *args], env=env)
    return result.exit_code, result.output


# --- reading a moment -------------------------------------------------------------------


def test_a_date_alone_is_noon_utc_of_that_day() -> None:
    assert clock.parse_moment("2013-06-30") == datetime(2013, 6, 30, 12, tzinfo=UTC)


def test_a_naive_time_is_utc_and_an_offset_is_kept() -> None:
    assert clock.parse_moment("2013-06-30T09:00") == datetime(2013, 6, 30, 9, tzinfo=UTC)
    assert clock.parse_moment("2013-06-30T09:00Z") == datetime(2013, 6, 30, 9, tzinfo=UTC)
    late = clock.parse_moment("2013-06-30T23:30-07:00")
    assert late.utcoffset() == timedelta(hours=-7)
    with clock.acting_at(late):
        # the day as written, even though it is already 1 July in UTC
        assert clock.local_today() == date(2013, 6, 30)
        assert clock.now() == datetime(2013, 7, 1, 6, 30, tzinfo=UTC)
        assert clock.now().tzinfo is UTC


@pytest.mark.parametrize("text", ["", "yesterday", "2013-13-01", "2013-06-31T09:00", "30/06/2013"])
def test_a_bad_moment_is_refused_with_words(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        clock.parse_moment(text)


def test_a_moment_lasts_as_long_as_its_block() -> None:
    assert clock.moment_set() is None
    with clock.acting_at("2013-06-30T09:00"):
        assert clock.now() == datetime(2013, 6, 30, 9, tzinfo=UTC)
        with clock.acting_at(date(2014, 1, 2)):
            assert clock.local_today() == date(2014, 1, 2)
            assert clock.now() == datetime(2014, 1, 2, 12, tzinfo=UTC)
        assert clock.local_today() == date(2013, 6, 30)
    assert clock.moment_set() is None
    real = datetime.now(UTC)
    assert abs(clock.now() - real) < timedelta(seconds=5)


def test_a_moment_with_an_offset_keeps_its_instant() -> None:
    with clock.acting_at(datetime(2013, 6, 30, 9, tzinfo=timezone(timedelta(hours=2)))):
        assert clock.now() == datetime(2013, 6, 30, 7, tzinfo=UTC)


# --- the command line ---------------------------------------------------------------------


def test_now_sets_the_default_as_of_date_and_does_not_outlive_the_command(tmp_path: Path) -> None:
    db = tmp_path / "book.db"
    code, out = cli(db, "--now", "2013-06-30T09:00", "aging", "--json")
    assert code == 0, out
    assert json.loads(out)["as_of"] == "2013-06-30"
    assert clock.moment_set() is None
    code, out = cli(db, "aging", "--json")
    assert json.loads(out)["as_of"] == clock.local_today().isoformat()


def test_recoup_now_in_the_environment_does_the_same(tmp_path: Path) -> None:
    code, out = cli(tmp_path / "b.db", "aging", "--json", env={"RECOUP_NOW": "2012-03-31"})
    assert code == 0, out
    assert json.loads(out)["as_of"] == "2012-03-31"
    # the option wins over the environment
    code, out = cli(
        tmp_path / "b.db",
        "--now",
        "2012-04-01",
        "aging",
        "--json",
        env={"RECOUP_NOW": "2012-03-31"},
    )
    assert json.loads(out)["as_of"] == "2012-04-01"


def test_an_explicit_as_of_still_wins(tmp_path: Path) -> None:
    code, out = cli(
        tmp_path / "b.db", "--now", "2013-06-30", "aging", "--as-of", "2013-01-15", "--json"
    )
    assert code == 0, out
    assert json.loads(out)["as_of"] == "2013-01-15"


def test_a_bad_now_is_a_usage_error(tmp_path: Path) -> None:
    code, out = cli(tmp_path / "b.db", "--now", "next tuesday", "aging")
    assert code == 2
    assert "--now" in out
    assert clock.moment_set() is None


def _customer(tmp_path: Path) -> Path:
    db = tmp_path / "book.db"
    src = tmp_path / "customers.csv"
    src.write_text("customer,name,country,timezone\nC1,Acme,US,America/New_York\n")
    code, out = cli(db, "--now", "2013-06-01", "import", "customers", str(src))
    assert code == 0, out
    inv = tmp_path / "invoices.csv"
    inv.write_text(
        "number,customer,issue_date,due_date,amount,currency\nI1,C1,2013-05-01,2013-05-31,500.00,USD\n"
    )
    code, out = cli(db, "--now", "2013-06-01T08:00", "import", "invoices", str(inv))
    assert code == 0, out
    return db


def test_recorded_work_is_dated_and_stamped_at_now(tmp_path: Path) -> None:
    db = _customer(tmp_path)
    code, out = cli(db, "--now", "2013-06-30T09:15", "note", "C1", "Rang back about June")
    assert code == 0, out
    book = Book.open(str(db))
    try:
        entries = history.entries(book, "C1")
    finally:
        book.close()
    note = next(e for e in entries if e.kind == "note")
    assert note.on == "2013-06-30"
    assert datetime.fromisoformat(note.at).astimezone(UTC) == datetime(
        2013, 6, 30, 9, 15, tzinfo=UTC
    )
    # the import was recorded at its own moment
    imported = next(e for e in entries if e.kind == "import")
    assert imported.on == "2013-06-01"
    assert datetime.fromisoformat(imported.at).astimezone(UTC) == datetime(
        2013, 6, 1, 8, tzinfo=UTC
    )


def test_a_promise_is_made_on_the_day_of_now(tmp_path: Path) -> None:
    db = _customer(tmp_path)
    code, out = cli(
        db, "--now", "2013-06-30T10:00", "promise", "add", "C1",
        "--amount", "100", "--date", "2013-07-10", "--json",
    )  # fmt: skip
    assert code == 0, out
    made = json.loads(out)
    assert made["made_on"] == "2013-06-30"


# --- the web app --------------------------------------------------------------------------


def _log_in(client: TestClient) -> None:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token
    form = {"username": "olga", "password": "olga-owner-pw", "next": "/"}
    done = client.post(
        "/login", data={**form, "csrf_token": token.group(1)}, follow_redirects=False
    )
    assert done.status_code == 303


def test_every_page_is_served_at_the_set_moment(sqlite_book: Book) -> None:
    users.add_user(sqlite_book, "olga", "olga-owner-pw", Role.OWNER)
    settings = Settings(secret_key="s" * 40, now="2013-06-30T09:00")
    with TestClient(create_app(settings, sqlite_book)) as client:
        _log_in(client)
        page = client.get("/")
        assert page.status_code == 200
        assert "Receivables as of Jun 30, 2013" in page.text, page.text[:800]
    # the request's moment stayed with the request
    assert clock.moment_set() is None


def test_an_app_without_a_moment_serves_today(sqlite_book: Book) -> None:
    users.add_user(sqlite_book, "olga", "olga-owner-pw", Role.OWNER)
    with TestClient(create_app(Settings(secret_key="s" * 40), sqlite_book)) as client:
        _log_in(client)
        page = client.get("/")
        assert page.status_code == 200
        assert "Receivables as of Jun 30, 2013" not in page.text


def test_a_bad_moment_stops_the_app_at_start(sqlite_book: Book) -> None:
    with pytest.raises(ValueError, match="date"):
        create_app(Settings(secret_key="s" * 40, now="soon"), sqlite_book)
