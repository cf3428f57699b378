"""Safe exports and terminals (issue 14): a customer named like a spreadsheet formula and
one whose name carries a terminal escape sequence reach the agency's placement CSV, the
case file's invoices.csv and payments.csv and the CLI's output neutralised, while every
amount stays a number (recoup.safe_text, recoup.cli.output)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from recoup.cli.app import app as cli_app
from recoup.safe_text import Cell, Column, csv_text, neutral_cell, strip_controls
from recoup.services import casefile
from recoup.services.book import Book
from recoup.services.casework import agency
from recoup.services.importing import Kind
from recoup.store.tables import customers, invoices, payments
from tests.casework_data import load_csv

AS_OF = date(2026, 11, 2)
FORMULA = '=HYPERLINK("http://x.example","click")'
ANSI = "\x1b[31mRED"
MARKUP = "[bold]Bold[/bold] Ltd"
DANGER = ("=", "+", "-", "@", "\t", "\r")


# --- the rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("  =1+1", "'  =1+1"),
        (ANSI, "RED"),
        ("\x1b[31m=1+1", "'=1+1"),  # the escape hides nothing
        ("Müller & Söhne GmbH", "Müller & Söhne GmbH"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_text_cell_cannot_be_a_formula(value: str, written: str):
    assert neutral_cell(value) == written


def test_amounts_dates_and_counts_stay_numbers_text_does_not():
    columns = (
        Column("name"),
        Column("amount", Cell.AMOUNT),
        Column("due", Cell.DATE),
        Column("n", Cell.INTEGER),
    )
    out = csv_text(
        columns,
        [
            ["-12.50", "-12.50", "2026-07-01", -3],
            [FORMULA, "=1+1", "=TODAY()", "+1"],
            [None, "1000.00", "", 0],
        ],
    )
    assert list(csv.reader(io.StringIO(out))) == [
        ["name", "amount", "due", "n"],
        ["'-12.50", "-12.50", "2026-07-01", "-3"],  # as text a minus is neutralised
        ["'" + FORMULA, "'=1+1", "'=TODAY()", "'+1"],  # a formula in a number column too
        ["", "1000.00", "", "0"],
    ]
    with pytest.raises(ValueError, match="a row of 3 values for 4 columns"):
        csv_text(columns, [["a", "1", "2026-01-01"]])


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (ANSI, "RED"),
        ("\x1b]0;pwned\x07Name", "Name"),  # a window title (OSC ... BEL)
        ("\x1b]8;;http://x.example\x1b\\link\x1b]8;;\x1b\\", "link"),  # a hyperlink (OSC ... ST)
        ("\x9b2JCleared", "Cleared"),  # the 8-bit CSI
        ("\x1b(B\x1bcReset", "Reset"),
        ("over\rwrite", "overwrite"),
        ("bell\x07 nul\x00 del\x7f c1\x85", "bell nul del c1"),
        ("two\nlines\tand a tab", "two\nlines\tand a tab"),
        ("Zoë Æther 日本", "Zoë Æther 日本"),
    ],
)
def test_what_a_terminal_would_obey_is_removed(value: str, shown: str):
    assert strip_controls(value) == shown


# --- the exports of a book ------------------------------------------------------------


def seed(book: Book, folder: Path) -> None:
    """Three customers through the real imports; their names and references are then
    set in the book as an older import, or anyone with the database, could have."""
    load_csv(
        book,
        Kind.CUSTOMERS,
        folder,
        "customers.csv",
        "customer,name,country,timezone,contact,email,phone,address\n"
        "C1,Formula,GB,Europe/London,Ann,ann@x.example,+44 20 7946 0000,1 High St\n"
        "C2,Escape,GB,Europe/London,Bob,bob@x.example,,\n"
        "C3,Markup,GB,Europe/London,Cy,cy@x.example,,\n",
    )
    load_csv(
        book,
        Kind.INVOICES,
        folder,
        "invoices.csv",
        "customer,number,issue_date,due_date,amount,currency\n"
        "C1,A1,2026-06-01,2026-07-01,600.00,GBP\n"
        "C1,CN1,2026-06-15,2026-06-15,-12.50,GBP\n"
        "C2,B1,2026-06-01,2026-07-01,250.00,GBP\n"
        "C3,D1,2026-06-01,2026-07-01,80.00,GBP\n",
    )
    load_csv(
        book,
        Kind.PAYMENTS,
        folder,
        "payments.csv",
        "customer,date,amount,currency,reference\nC1,2026-07-10,100.00,GBP,P1\n",
    )
    with book.write() as conn:
        for key, name in (("C1", FORMULA), ("C2", ANSI), ("C3", MARKUP)):
            conn.execute(update(customers).where(customers.c.key == key).values(name=name))
        conn.execute(update(invoices).where(invoices.c.number == "A1").values(reference="@SUM(9)"))
        conn.execute(update(payments).values(reference="-2+3+cmd|' /C calc'!A0", method="=x"))


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def assert_numbers(found: list[dict[str, str]], *columns: str) -> None:
    for row in found:
        for column in columns:
            if row[column]:
                Decimal(row[column])  # raises for a neutralised or broken amount


def test_the_placement_csv_is_neutralised_and_keeps_its_amounts(book: Book, tmp_path: Path):
    seed(book, tmp_path)
    for key in ("C1", "C2"):
        agency.place(book, key, "=cmd|' /C calc'!A0", actor="ann", on=AS_OF)
    first = rows(agency.export(book, "C1", AS_OF).csv_text)
    assert [(r["name"], r["agency"], r["phone"], r["invoice"]) for r in first] == [
        ("'" + FORMULA, "'=cmd|' /C calc'!A0", "'+44 20 7946 0000", "A1")
    ]
    assert [(r["amount"], r["open"], r["balance"]) for r in first] == [
        ("600.00", "487.50", "487.50")
    ]
    assert_numbers(first, "amount", "open", "balance", "placement", "history_entries")
    second = agency.export(book, "C2", AS_OF)
    assert "\x1b" not in second.csv_text
    assert [r["name"] for r in rows(second.csv_text)] == ["RED"]
    # the JSON beside it keeps the name as recorded, for programs (json escapes ESC)
    assert second.data["debtor"]["name"] == ANSI
    for path in second.write(tmp_path / "out"):
        if path.suffix == ".csv":
            assert path.read_text(encoding="utf-8") == second.csv_text


def test_the_case_files_csvs_are_neutralised_and_keep_their_amounts(book: Book, tmp_path: Path):
    seed(book, tmp_path)
    made = casefile.render(book, "C1", AS_OF)
    with zipfile.ZipFile(io.BytesIO(made.zip)) as zf:
        inv = rows(zf.read("invoices.csv").decode("utf-8"))
        pay = rows(zf.read("payments.csv").decode("utf-8"))
    assert {r["number"]: r["reference"] for r in inv}["A1"] == "'@SUM(9)"
    assert_numbers(inv, "amount", "open", "days_past_due")
    assert {r["number"]: (r["kind"], r["amount"]) for r in inv}["CN1"] == ("credit_note", "12.50")
    assert [(r["amount"], r["method"], r["reference"]) for r in pay] == [
        ("100.00", "'=x", "'-2+3+cmd|' /C calc'!A0")
    ]
    for found in (inv, pay):
        for row in found:
            assert not any(v.startswith(DANGER) for v in row.values()), row


# --- the CLI --------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "book.db"
    book = Book.create(str(path))
    try:
        seed(book, tmp_path)
    finally:
        book.close()
    return path


def cli(db: Path, *args: str) -> str:
    env = {"RECOUP_ACTOR": "ann", "COLUMNS": "200"}  # wide: no cell is wrapped
    result = CliRunner().invoke(cli_app, ["--db", str(db), *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_cli_prints_data_without_escapes_or_markup(db: Path):
    on = ["--on", AS_OF.isoformat()]
    cli(db, "note", "C2", "\x1b[2J\x1b]0;owned\x07cleared the screen [red]in red[/red]", *on)
    outputs = {
        "customers": cli(db, "customers"),
        "account C2": cli(db, "account", "C2", "--as-of", AS_OF.isoformat()),
        "account C3": cli(db, "account", "C3", "--as-of", AS_OF.isoformat()),
        "log C2": cli(db, "log", "C2"),
        "account --json": cli(db, "account", "C2", "--json", "--as-of", AS_OF.isoformat()),
    }
    for what, out in outputs.items():
        assert "\x1b" not in out, what
        assert "\x07" not in out, what
    assert "RED" in outputs["customers"]
    assert "[bold]Bold[/bold] Ltd" in outputs["customers"]  # markup in data is not obeyed
    assert "[bold]Bold[/bold] Ltd" in outputs["account C3"]
    assert "RED" in outputs["account C2"]
    assert "cleared the screen [red]in red[/red]" in outputs["log C2"]
    assert "\\u001b[31mRED" in outputs["account --json"]  # JSON keeps the data, escaped
    cli(db, "agency", "place", "C1", "--agency", "Acme", *on)
    placed = rows(cli(db, "agency", "export", "C1"))
    assert [(r["name"], r["phone"], r["amount"]) for r in placed] == [
        ("'" + FORMULA, "'+44 20 7946 0000", "600.00")
    ]
