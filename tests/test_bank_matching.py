"""Statement lines matched in a real book, on SQLite and PostgreSQL: confident matches
applied as payments (allocated, in the customer's history with the statement line),
the rest in the review queue with their evidence; a person confirms (teaching the
payer's account), re-assigns, splits or rejects; an account placed with an agency gets
a recovery; importing the statement again changes nothing; the CLI's queue, confirm
and reject."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.domain.money import Money
from recoup.imports.bank.csv_mapping import CsvMapping
from recoup.money_format import format_money
from recoup.services import bank_matching, importing
from recoup.services.bank_import import import_statement
from recoup.services.bank_matching import BankMatchError
from recoup.services.book import Book
from recoup.services.casework import agency
from recoup.services.importing import Kind, Options

ACCOUNT = "DE02120300000000202051"
MAPPING = CsvMapping(account=ACCOUNT)
DAY = date(2026, 6, 1)
CUSTOMERS = (("C1", "Alder Joinery"), ("C2", "Birch Bakes"), ("C3", "Conrad Holzbau"))
INVOICES = (
    ("C1", "INV-1001", "100.00"),
    ("C1", "INV-1002", "50.00"),
    ("C2", "INV-1003", "100.00"),
    ("C3", "INV-1004", "250.00"),
    ("C3", "INV-1005", "80.00"),
)
runner = CliRunner()


def _write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def _load(book: Book, folder: Path, invoices=INVOICES) -> None:
    rows = ["customer,name,country,email"]
    rows += [f"{k},{n},GB,{k.lower()}@debtor.example" for k, n in CUSTOMERS]
    path = _write(folder, "customers.csv", "\n".join(rows) + "\n")
    assert importing.import_file(book, Kind.CUSTOMERS, path, Options()).ok
    lines = ["customer,number,issue_date,due_date,amount,currency"]
    lines += [f"{c},{n},2026-04-01,2026-05-01,{a},EUR" for c, n, a in invoices]
    path = _write(folder, "invoices.csv", "\n".join(lines) + "\n")
    assert importing.import_file(book, Kind.INVOICES, path, Options()).ok


def _statement(folder: Path, name: str, rows: list[str]) -> Path:
    head = "date,amount,currency,name,iban,purpose,transaction id"
    return _write(folder, name, "\n".join([head, *rows]) + "\n")


FIRST = [
    "2026-06-01,100.00,EUR,Alder Joinery,,Invoice INV-1001,T1",
    "2026-06-01,100.00,EUR,B. B.,GB33BUKB20201555555555,thanks,T2",
    "2026-06-01,-20.00,EUR,Office Supplies,,order 4711,T3",
    "2026-06-02,330.00,EUR,CONRAD HOLZBAU GMBH,,INV 1004 / INV 1005,T4",
    "2026-06-02,30.00,EUR,Tax Office,,refund,T5",
]


def _invoice(book: Book, number: str) -> tuple[str, int]:
    with book.read() as conn:
        row = conn.execute(
            text("SELECT status, amount_minor - paid_minor FROM invoices WHERE number = :n"),
            {"n": number},
        ).one()
    return str(row[0]), int(row[1])


def _lines(book: Book) -> dict[str, tuple[int, str]]:
    with book.read() as conn:
        rows = conn.execute(text("SELECT transaction_id, id, state FROM bank_lines")).all()
    return {str(t): (int(i), str(s)) for t, i, s in rows}


def test_a_statement_applies_what_is_sure_and_queues_the_rest(book: Book, tmp_path: Path):
    _load(book, tmp_path)
    report = import_statement(book, _statement(tmp_path, "june.csv", FIRST), MAPPING)
    assert not report.refused, report.problems
    assert (report.lines, report.applied, report.suggested, report.unmatched) == (5, 2, 1, 2)
    states = {t: s for t, (_, s) in _lines(book).items()}
    assert states == {
        "T1": "applied",
        "T2": "suggested",
        "T3": "other",
        "T4": "applied",
        "T5": "unmatched",
    }
    assert _invoice(book, "INV-1001") == ("paid", 0)
    assert _invoice(book, "INV-1004") == ("paid", 0)
    assert _invoice(book, "INV-1005") == ("paid", 0)
    assert _invoice(book, "INV-1003") == ("open", 10000)
    # the history names the statement line
    with book.read() as conn:
        entry = conn.execute(
            text(
                "SELECT h.text FROM history h JOIN customers c ON c.id = h.customer_id "
                "WHERE c.key = 'C1' AND h.kind = 'payment'"
            )
        ).scalar_one()
    assert "INV-1001" in entry
    assert "bank statement line" in entry
    # the queue: the suggestion with its evidence, and the line nothing fits
    waiting = bank_matching.queue(book)
    assert [w.state for w in waiting] == ["suggested", "unmatched"]
    first = waiting[0]
    assert first.suggestions[0].invoices == ("INV-1003",)
    assert "amount exact" in first.suggestions[0].evidence
    # the same statement again changes nothing
    again = import_statement(book, _statement(tmp_path, "june.csv", FIRST), MAPPING)
    assert (again.duplicates, again.applied, again.suggested) == (5, 0, 0)
    assert _invoice(book, "INV-1003") == ("open", 10000)


def test_confirm_teaches_the_account_and_reject_sets_aside(book: Book, tmp_path: Path):
    _load(book, tmp_path)
    import_statement(book, _statement(tmp_path, "june.csv", FIRST), MAPPING)
    lines = _lines(book)
    view = bank_matching.confirm(book, lines["T2"][0], actor="ann", as_of=DAY)
    assert view.state == "confirmed"
    assert "account GB33BUKB20201555555555 learned" in view.history[-1][3]
    assert _invoice(book, "INV-1003") == ("paid", 0)
    rejected = bank_matching.reject(book, lines["T5"][0], actor="ann", reason="tax refund")
    assert rejected.state == "rejected"
    assert bank_matching.queue(book) == []
    with pytest.raises(BankMatchError, match="not waiting"):
        bank_matching.reject(book, lines["T5"][0], actor="ann")
    # a new invoice of Birch Bakes, paid from the learned account with no reference
    more = (*INVOICES, ("C2", "INV-1006", "70.00"))
    _load(book, tmp_path, more)
    row = "2026-06-10,70.00,EUR,Payments Dept,GB33 BUKB 2020 1555 5555 55,,T6"
    report = import_statement(book, _statement(tmp_path, "july.csv", [row]), MAPPING)
    assert report.applied == 1
    assert _invoice(book, "INV-1006") == ("paid", 0)
    log = bank_matching.line(book, _lines(book)["T6"][0]).history
    assert "known for this customer" in log[-1][3]


def test_a_suggestion_paid_meanwhile_is_not_confirmed(book: Book, tmp_path: Path):
    _load(book, tmp_path)
    rows = [
        "2026-06-01,100.00,EUR,B. B.,,thanks,T10",
        "2026-06-01,100.00,EUR,B. B.,,thanks again,T11",
    ]
    import_statement(book, _statement(tmp_path, "june.csv", rows), MAPPING)
    lines = _lines(book)
    first = bank_matching.confirm(book, lines["T10"][0], actor="ann", as_of=DAY)
    number = first.history[-1][3].split()[1]  # "confirmed: INV-... 100.00"
    with pytest.raises(BankMatchError, match="paid already"):
        bank_matching.confirm(book, lines["T11"][0], actor="ann", as_of=DAY)
    with pytest.raises(BankMatchError, match="paid already"):
        bank_matching.confirm(book, lines["T11"][0], [number], actor="ann", as_of=DAY)


def test_reassign_and_split(book: Book, tmp_path: Path):
    _load(book, tmp_path)
    rows = [
        "2026-06-01,120.00,EUR,Someone,,for joinery,T7",
        "2026-06-01,90.00,EUR,Someone Else,,,T8",
    ]
    import_statement(book, _statement(tmp_path, "june.csv", rows), MAPPING)
    lines = _lines(book)
    split = bank_matching.confirm(
        book, lines["T7"][0], ["INV-1001=70.00", "INV-1002"], actor="ann", as_of=DAY
    )
    assert split.state == "confirmed"
    assert _invoice(book, "INV-1001") == ("partial", 3000)
    assert _invoice(book, "INV-1002") == ("paid", 0)
    with pytest.raises(BankMatchError, match="not in the book"):
        bank_matching.confirm(book, lines["T8"][0], ["INV-9999"], actor="ann", as_of=DAY)
    with pytest.raises(BankMatchError, match="more than the line"):
        bank_matching.confirm(book, lines["T8"][0], ["INV-1004=91.00"], actor="ann", as_of=DAY)
    bank_matching.confirm(book, lines["T8"][0], ["INV-1004"], actor="ann", as_of=DAY)
    assert _invoice(book, "INV-1004") == ("partial", 16000)


def test_a_line_for_a_placed_account_is_a_recovery(book: Book, tmp_path: Path):
    _load(book, tmp_path)
    agency.place(book, "C3", "Northern Recoveries", actor="ann", on=DAY)
    row = "2026-06-03,80.00,EUR,Conrad Holzbau,,INV-1005,T9"
    report = import_statement(book, _statement(tmp_path, "june.csv", [row]), MAPPING)
    assert report.applied == 1
    with book.read() as conn:
        recoveries = conn.execute(text("SELECT amount_minor FROM agency_recoveries")).all()
        kinds = conn.execute(
            text(
                "SELECT h.kind, h.text FROM history h JOIN customers c ON c.id = h.customer_id"
                " WHERE c.key = 'C3' AND h.kind = 'agency_recovery'"
            )
        ).all()
    assert [r[0] for r in recoveries] == [8000]
    assert "bank statement line" in kinds[0][1]


def test_the_cli_queue_confirm_and_reject(tmp_path: Path):
    db = str(tmp_path / "book.db")
    book = Book.open(db, create=True)
    try:
        _load(book, tmp_path)
    finally:
        book.close()
    path = _statement(tmp_path, "june.csv", FIRST)
    imported = runner.invoke(
        app, ["--db", db, "bank", "import", str(path), "--account", ACCOUNT, "--json"]
    )
    assert imported.exit_code == 0, imported.output
    figures = json.loads(imported.output)
    assert (figures["applied"], figures["suggested"], figures["unmatched"]) == (2, 1, 2)
    shown = runner.invoke(app, ["--db", db, "bank", "queue", "--json"])
    assert shown.exit_code == 0, shown.output
    waiting = json.loads(shown.output)
    assert [w["state"] for w in waiting] == ["suggested", "unmatched"]
    assert waiting[0]["suggestions"][0]["invoices"] == ["INV-1003"]
    # the evidence for programs too: its kinds, whatever the reader's language
    kinds = {e["kind"] for e in waiting[0]["suggestions"][0]["evidence_found"]}
    assert "amount_exact" in kinds
    german = runner.invoke(app, ["--db", db, "--locale", "de_DE", "bank", "queue", "--json"])
    assert (
        json.loads(german.output)[0]["suggestions"][0]["evidence_found"]
        == (waiting[0]["suggestions"][0]["evidence_found"])
    )
    told = runner.invoke(app, ["--db", db, "bank", "queue"], env={"COLUMNS": "200"})
    assert told.exit_code == 0, told.output
    amount = json.loads(shown.output)[0]["amount"]
    currency = waiting[0]["currency"]
    assert f"{amount} {currency}" not in told.output  # written as the locale writes money
    assert format_money(Money.of(amount, currency), "en_US") in told.output
    first, second = waiting[0]["line"], waiting[1]["line"]
    done = runner.invoke(app, ["--db", db, "bank", "confirm", str(first)])
    assert done.exit_code == 0, done.output
    assert "INV-1003" in done.output
    wrong = runner.invoke(app, ["--db", db, "bank", "confirm", str(second)])
    assert wrong.exit_code == 1
    assert "no suggestion" in wrong.output
    set_aside = runner.invoke(app, ["--db", db, "bank", "reject", str(second)])
    assert set_aside.exit_code == 0, set_aside.output
    empty = runner.invoke(app, ["--db", db, "bank", "queue"])
    assert empty.exit_code == 0
    assert "Nothing waits" in empty.output
