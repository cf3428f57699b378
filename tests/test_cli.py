"""The command line's contracts: JSON shapes, exit codes, --help everywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.services.book import Book
from tests.conftest import corpus_file

runner = CliRunner()


def run(db: Path, *args: str, create: bool = True) -> tuple[int, str, str]:
    """`recoup --db DB ARGS...`; with `create`, on a book made first when there is none
    (`recoup init`): every command but init and demo needs one (tests/test_one_book.py)."""
    if create and not db.exists():
        Book.create(str(db)).close()
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


IBM_INVOICES = [
    "--map",
    "customerID=customer",
    "--map",
    "invoiceNumber=number",
    "--map",
    "InvoiceDate=issue_date",
    "--map",
    "DueDate=due_date",
    "--map",
    "InvoiceAmount=amount",
    "--date-format",
    "%m/%d/%Y",
    "--currency",
    "USD",
]


def test_import_invoices_contract(tmp_path):
    path = corpus_file("receivables_history", "WA_Fn-UseC_-Accounts-Receivable.csv")
    db = tmp_path / "b.db"
    code, out, _ = run(db, "import", "invoices", str(path), *IBM_INVOICES, "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["imported"], data["updated"], data["unchanged"], data["problems"]) == (
        2466,
        0,
        0,
        [],
    )
    code, out, _ = run(db, "import", "invoices", str(path), *IBM_INVOICES, "--json")
    assert json.loads(out)["unchanged"] == 2466
    code, out, _ = run(
        db,
        "import",
        "payments",
        str(path),
        "--map",
        "invoiceNumber=invoice",
        "--map",
        "SettledDate=date",
        "--map",
        "InvoiceAmount=amount",
        "--date-format",
        "%m/%d/%Y",
        "--json",
    )
    assert code == 0, out
    assert json.loads(out)["imported"] == 2466

    code, out, _ = run(db, "aging", "--as-of", "2013-06-30", "--json")
    assert code == 0
    aging = json.loads(out)
    assert aging["as_of"] == "2013-06-30"
    assert aging["currency"] == "USD"
    assert [b["label"] for b in aging["buckets"]] == [
        "current",
        "1-30",
        "31-60",
        "61-90",
        "91-120",
        "over-120",
    ]
    assert all(
        isinstance(b["amount"], str) and isinstance(b["count"], int) for b in aging["buckets"]
    )
    assert aging["total"] == "5119.85"

    code, out, _ = run(db, "dso", "--as-of", "2013-06-30", "--window", "90", "--json")
    assert code == 0
    assert set(json.loads(out)) >= {"dso", "countback_dso", "receivable", "credit_sales"}


def test_refused_import_exits_non_zero_and_lists_problems(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "customer,number,issue_date,due_date,amount\nC1,A,2026-01-01,2026-01-31,x\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        tmp_path / "b.db", "import", "invoices", str(bad), "--currency", "EUR", "--json"
    )
    assert code == 1
    assert json.loads(out)["problems"] == [f"{bad}:2:5: amount 'x' is not a number"]
    code, _, err = run(tmp_path / "b.db", "import", "invoices", str(bad), "--currency", "EUR")
    assert code == 1
    assert f"{bad}:2:5: amount 'x' is not a number" in err


def test_mapping_files_are_saved_and_reused(tmp_path):
    src = tmp_path / "inv.csv"
    src.write_text(
        "Kunde;Rechnung;Datum;Fällig;Betrag\nK1;R1;31.01.2026;02.03.2026;1.234,50\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "map.toml"
    code, out, err = run(
        tmp_path / "b.db",
        "import",
        "invoices",
        str(src),
        "--map",
        "Kunde=customer",
        "--map",
        "Rechnung=number",
        "--map",
        "Datum=issue_date",
        "--map",
        "Fällig=due_date",
        "--map",
        "Betrag=amount",
        "--currency",
        "EUR",
        "--save-mapping",
        str(mapping),
    )
    assert code == 0, err
    assert 'Kunde = "customer"' in mapping.read_text(encoding="utf-8").replace('"Kunde"', "Kunde")
    code, out, _ = run(
        tmp_path / "b2.db", "import", "invoices", str(src), "--mapping", str(mapping), "--json"
    )
    assert code == 0
    assert json.loads(out)["imported"] == 1
    code, out, _ = run(tmp_path / "b2.db", "account", "K1", "--as-of", "2026-03-10", "--json")
    acc = json.loads(out)
    assert acc["invoices"][0]["amount"] == "1234.50"
    assert acc["invoices"][0]["days_past_due"] == 8


def test_read_commands_have_json_and_unknown_customer_exits_3(tmp_path):
    db = tmp_path / "b.db"
    code, out, _ = run(
        db,
        "generate",
        "--customers",
        "20",
        "--invoices",
        "120",
        "--seed",
        "3",
        "--as-of",
        "2026-11-22",
        "--json",
    )
    assert code == 0
    assert json.loads(out) == {
        "customers": 20,
        "invoices": 120,
        "payments": json.loads(out)["payments"],
    }
    code, out, _ = run(db, "customers", "--sort", "balance", "--desc", "--json")
    data = json.loads(out)
    assert data["total"] == 20
    balances = [float(c["balance"]) for c in data["customers"]]  # display order check only
    assert balances == sorted(balances, reverse=True)
    first = data["customers"][0]["customer"]
    code, out, _ = run(db, "account", first, "--json")
    assert code == 0
    assert json.loads(out)["customer"] == first
    code, _, _ = run(db, "account", "NOBODY", "--json")
    assert code == 3


def test_generate_writes_importable_csv(tmp_path):
    folder = tmp_path / "csv"
    code, _, _ = run(
        tmp_path / "x.db", "generate", "--customers", "5", "--invoices", "40", "--csv", str(folder)
    )
    assert code == 0
    db = tmp_path / "b.db"
    for kind in ("customers", "invoices", "payments"):
        code, out, err = run(db, "import", kind, str(folder / f"{kind}.csv"), "--json")
        assert code == 0, (kind, out, err)
        assert json.loads(out)["problems"] == []


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["import"],
        ["import", "invoices"],
        ["aging"],
        ["dso"],
        ["customers"],
        ["account"],
        ["generate"],
        ["demo"],
        ["serve"],
        ["init"],
        ["user", "add"],
    ],
)
def test_help_everywhere(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.stdout


def test_console_script_runs(tmp_path):
    exe = Path(sys.executable).with_name("recoup")
    result = subprocess.run(
        [str(exe), "--db", str(tmp_path / "c.db"), "init"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Book ready" in result.stdout


def test_demo_without_serving(tmp_path, monkeypatch):
    """The demo writes the book the README's commands read: run in the same folder with
    no --db, `recoup aging` and `recoup worklist` show the demo, naming the book."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RECOUP_DATABASE_URL", raising=False)
    result = runner.invoke(app, ["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "Aging at" in result.stdout
    assert "Largest overdue accounts" in result.stdout
    book = tmp_path / "recoup.db"
    assert result.stderr.splitlines()[0] == f"Book: {book}"
    assert not (tmp_path / "recoup-demo.db").exists()
    aging = runner.invoke(app, ["aging", "--json"])
    assert aging.exit_code == 0, aging.output
    assert aging.stderr == ""  # --json: nothing but the JSON
    assert json.loads(aging.stdout)["total"] != "0.00"
    worklist = runner.invoke(app, ["worklist"], env={"COLUMNS": "200"})
    assert worklist.exit_code == 0, worklist.output
    assert worklist.stderr == f"Book: {book}\n"
    assert worklist.stdout.strip()
