"""What trying the README's commands from a clean clone found in their human output.

On an 80-column terminal the account, customer and bad-debt tables keep keys, days and
amounts whole (names, dates and statuses wrap instead): a cut invoice number or amount
is not true. A write-off that waits says how it goes on."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.services.book import Book

runner = CliRunner()


def _book_with(tmp_path: Path, invoices: str, env: dict[str, str]) -> list[str]:
    """A new book with these invoices (CSV text) imported: its `--db` arguments."""
    db = tmp_path / "book.db"
    Book.create(str(db)).close()
    inv = tmp_path / "inv.csv"
    inv.write_text(invoices, encoding="utf-8")
    db_args = ["--db", str(db)]
    result = runner.invoke(app, [*db_args, "import", "invoices", str(inv)], env=env)
    assert result.exit_code == 0, result.stderr
    return db_args


def test_account_and_customers_keep_numbers_and_amounts_whole(tmp_path: Path):
    db = tmp_path / "book.db"
    Book.create(str(db)).close()
    inv = tmp_path / "inv.csv"
    inv.write_text(
        "customer,customer_name,number,issue_date,due_date,amount,currency\n"
        "CUST-000042,Bright Motors Trading Limited,INV-2026-000123,2025-03-05,2025-04-04,"
        "108067.89,USD\n",
        encoding="utf-8",
    )
    env = {"COLUMNS": "80", "RECOUP_NOW": "2026-12-07"}
    result = runner.invoke(app, ["--db", str(db), "import", "invoices", str(inv)], env=env)
    assert result.exit_code == 0, result.stderr
    cust = tmp_path / "cust.csv"
    cust.write_text(
        "customer,name,email\nCUST-000042,Bright Motors Trading Limited,ap@bright.example\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["--db", str(db), "import", "customers", str(cust)], env=env)
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(app, ["--db", str(db), "account", "CUST-000042"], env=env)
    assert result.exit_code == 0, result.stderr
    assert "INV-2026-000123" in result.stdout
    assert "$108,067.89" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "·  ·" not in result.stdout  # a contact without a phone: no empty place
    result = runner.invoke(app, ["--db", str(db), "customers"], env=env)
    assert result.exit_code == 0, result.stderr
    assert "CUST-000042" in result.stdout
    assert result.stdout.count("$108,067.89") == 2  # the balance and the overdue part


def test_baddebt_keeps_days_keys_and_figures_whole(tmp_path: Path):
    env = {"COLUMNS": "80", "RECOUP_NOW": "2026-12-07", "RECOUP_ACTOR": "ann"}
    db_args = _book_with(
        tmp_path,
        "customer,customer_name,number,issue_date,due_date,amount,currency,tax\n"
        "CUST-000042,Crown Clinic V.O.F.,INV-2026-000123,2025-03-05,2025-04-04,"
        "1664.23,USD,277.37\n",
        env,
    )
    args = ["writeoff", "add", "CUST-000042", "--reason", "uncollectible"]
    result = runner.invoke(app, [*db_args, *args], env=env)
    assert result.exit_code == 0, result.stderr
    args = ["baddebt", "--from", "2026-01-01", "--to", "2026-12-31"]
    result = runner.invoke(app, [*db_args, *args], env=env)
    assert result.exit_code == 0, result.stderr
    assert "Dec 7, 2026" in result.stdout
    assert "INV-2026-000123" in result.stdout
    assert "CUST-000042" in result.stdout
    assert "$1,664.23" in result.stdout
    assert "$277.37" in result.stdout
    assert "Total USD: $1,664.23 (tax $277.37)" in result.stdout
    assert "…" not in result.stdout


def test_a_waiting_write_off_says_how_it_goes_on_and_no_tax_yet(tmp_path: Path):
    env = {"RECOUP_NOW": "2026-12-07", "RECOUP_ACTOR": "ann"}
    db_args = _book_with(
        tmp_path,
        "customer,number,issue_date,due_date,amount,currency,tax\n"
        "C1,A1,2025-03-05,2025-04-04,120.00,EUR,20.00\n",
        env,
    )
    user = ["user", "add", "colin", "--role", "collector", "--password", "p" * 12]
    assert runner.invoke(app, [*db_args, *user], env=env).exit_code == 0
    args = ["writeoff", "add", "C1", "--reason", "uncollectible", "--actor", "colin"]
    result = runner.invoke(app, [*db_args, *args], env=env)
    assert result.exit_code == 0, result.stderr
    assert "tax" not in result.stdout  # worked out when it is booked
    said = " ".join(result.stdout.split())  # as wrapped to the terminal
    assert "pending: `recoup writeoff approve 1` (an owner)" in said
    result = runner.invoke(app, [*db_args, "writeoff", "approve", "1"], env=env)
    assert result.exit_code == 0, result.stderr
    assert "€120.00 (tax €20.00), uncollectible, done" in result.stdout


def test_a_preview_for_an_account_with_nothing_open_says_so(tmp_path: Path):
    db = tmp_path / "book.db"
    Book.create(str(db)).close()
    inv = tmp_path / "inv.csv"
    inv.write_text(
        "customer,number,issue_date,due_date,amount,currency\n"
        "C1,A1,2026-10-01,2026-10-31,120.00,EUR\n"
        "C2,B1,2026-10-01,2026-10-31,80.00,EUR\n",
        encoding="utf-8",
    )
    pay = tmp_path / "pay.csv"
    pay.write_text("invoice,date,amount\nA1,2026-11-02,120.00\n", encoding="utf-8")
    env = {"RECOUP_NOW": "2026-12-07"}
    db_args = ["--db", str(db)]
    for kind, file in (("invoices", inv), ("payments", pay)):
        result = runner.invoke(app, [*db_args, "import", kind, str(file)], env=env)
        assert result.exit_code == 0, result.stderr
    args = ["template", "preview", "overdue-firm", "--customer"]
    paid = runner.invoke(app, [*db_args, *args, "C1"], env=env)
    assert paid.exit_code == 0, paid.stderr
    said = " ".join(paid.stderr.split())
    assert "Note: C1 has nothing open on 2026-12-07: no run would send this" in said
    owing = runner.invoke(app, [*db_args, *args, "C2"], env=env)
    assert owing.exit_code == 0, owing.stderr
    assert "Note:" not in owing.stderr
    assert "B1" in owing.stdout


def test_the_run_and_the_outbox_show_money_and_days_as_the_locale_writes_them(tmp_path: Path):
    """`recoup run` and `recoup outbox` once printed "1664.23 USD" and "2026-12-07" beside
    tables that wrote "$1,664.23": the same amount, written one way everywhere."""
    env = {"COLUMNS": "120", "RECOUP_NOW": "2026-12-07T10:00:00"}
    db_args = _book_with(
        tmp_path,
        "customer,customer_name,number,issue_date,due_date,amount,currency,email\n"
        "C1,Crown Clinic,INV-1,2026-10-01,2026-10-31,1664.23,USD,ap@crown.example\n",
        env,
    )
    preview = runner.invoke(app, [*db_args, "run", "--dry-run"], env=env)
    assert preview.exit_code == 0, preview.stderr
    assert "Run for Dec 7, 2026" in preview.stdout
    assert "$1,664.23" in preview.stdout
    run = runner.invoke(app, [*db_args, "run", "--no-dispatch"], env=env)
    assert run.exit_code == 0, run.stderr
    outbox = runner.invoke(app, [*db_args, "outbox"], env=env)
    assert outbox.exit_code == 0, outbox.stderr
    assert "$1,664.23" in outbox.stdout
    assert "Dec 7, 2026" in outbox.stdout
    for out in (preview.stdout, run.stdout, outbox.stdout):
        assert "1664.23" not in out
        assert "2026-12-07" not in out


def test_case_commands_write_money_and_days_as_the_locale_does(tmp_path: Path):
    env = {"COLUMNS": "160", "RECOUP_NOW": "2026-12-07T10:00:00", "RECOUP_ACTOR": "ann"}
    db_args = _book_with(
        tmp_path,
        "customer,customer_name,number,issue_date,due_date,amount,currency\n"
        "C1,Crown Clinic,INV-1,2026-06-01,2026-07-01,1664.23,USD\n",
        env,
    )
    args = ["promise", "add", "C1", "--amount", "250.00", "--date", "2026-12-14"]
    added = runner.invoke(app, [*db_args, *args], env=env)
    assert added.exit_code == 0, added.stderr
    assert "Promise 1: $250.00 by Dec 14, 2026" in added.stdout
    listed = runner.invoke(app, [*db_args, "promise", "list", "C1"], env=env)
    assert "$250.00" in listed.stdout
    assert "Dec 14, 2026" in listed.stdout
    compared = runner.invoke(app, [*db_args, "settle", "compare", "C1"], env=env)
    assert compared.exit_code == 0, compared.stderr
    british = runner.invoke(app, [*db_args, "--locale", "en_GB", "promise", "list", "C1"], env=env)
    assert "14 Dec 2026" in british.stdout  # en_GB's days, as its aging writes them
    for out in (added.stdout, listed.stdout, compared.stdout, british.stdout):
        assert not re.search(r"(?<![\w.,$])\d+\.\d{2}(?! ?%)\b(?!,)", out), out


def test_import_and_bank_commands_speak_the_locale(tmp_path: Path):
    """The import and bank commands' own words follow `--locale` as the run's do; in
    English they read as before."""
    env = {"COLUMNS": "200", "RECOUP_NOW": "2026-12-07T10:00:00"}
    db_args = _book_with(
        tmp_path,
        "customer,customer_name,number,issue_date,due_date,amount,currency\n"
        "C1,Crown Clinic,INV-1,2026-10-01,2026-10-31,100.00,EUR\n",
        env,
    )
    more = tmp_path / "more.csv"
    more.write_text(
        "customer,customer_name,number,issue_date,due_date,amount,currency\n"
        "C2,Dune Bakery,INV-2,2026-10-02,2026-11-01,50.00,EUR\n",
        encoding="utf-8",
    )
    german = runner.invoke(app, [*db_args, "--locale", "de_DE", "import", "invoices", str(more)],
                           env=env)  # fmt: skip
    assert german.exit_code == 0, german.stderr
    assert "Rechnungen: 1 importiert, 0 geändert, 0 unverändert (1 Zeile, 1 neuer Kunde)" in (
        german.stdout
    )
    statement = tmp_path / "statement.csv"
    statement.write_text(
        "date,amount,currency,name,purpose\n"
        "2026-12-04,100.00,EUR,Crown Clinic,INV-1\n"
        "2026-12-04,-4.50,EUR,Bank,fees\n"
        "2026-12-05,77.00,EUR,Someone,gift\n",
        encoding="utf-8",
    )
    bank = ["bank", "import", str(statement), "--account", "DE00TEST"]
    taken = runner.invoke(app, [*db_args, "--locale", "de_DE", *bank], env=env)
    assert taken.exit_code == 0, taken.stderr
    said = " ".join(taken.stdout.split())
    assert "csv: 3 Zeilen, 3 neu: 1 zugeordnet, 0 zur Prüfung, 2 ohne Zuordnung" in said
    assert "(davon 1 keine Kundenzahlung" in said
    again = runner.invoke(app, [*db_args, *bank], env=env)
    assert again.exit_code == 0, again.stderr
    assert "csv: 3 lines, 0 new: 0 applied, 0 to review, 0 unmatched; 3 the book held already" in (
        " ".join(again.stdout.split())
    )
    # in French, the joining punctuation is spaced as French spaces it
    french = runner.invoke(app, [*db_args, "--locale", "fr_FR", *bank], env=env)
    assert french.exit_code == 0, french.stderr
    assert (
        "csv : 3 lignes, 0 nouvelles : 0 affectées, 0 à vérifier, 0 sans correspondance ; 3 "
        in " ".join(french.stdout.split())
    )
    queue = runner.invoke(app, [*db_args, "--locale", "fr_FR", "bank", "queue"], env=env)
    assert queue.exit_code == 0, queue.stderr
    assert "ligne " in queue.stdout
    assert "aucune suggestion : indiquez la facture avec --invoice" in queue.stdout
    refused = runner.invoke(app, [*db_args, "--locale", "de_DE", "import", "invoices",
                                  str(statement)], env=env)  # fmt: skip
    assert refused.exit_code != 0
    assert "Abgelehnt:" in refused.stderr
    assert "es wurde nichts importiert." in " ".join(refused.stderr.split())
