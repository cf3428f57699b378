"""The casework commands' contracts: arguments, JSON shapes and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.services.book import Book

runner = CliRunner()


def run(db: Path, *args: str) -> tuple[int, str, str]:
    if not db.exists():  # as `recoup init` makes it
        Book.create(str(db)).close()
    result = runner.invoke(app, ["--db", str(db), *args], env={"RECOUP_ACTOR": "ann"})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "book.db"
    inv = tmp_path / "inv.csv"
    inv.write_text(
        "customer,number,issue_date,due_date,amount,currency,tax\n"
        "C1,A1,2026-06-01,2026-07-01,600.00,EUR,100.00\n"
        "C1,A2,2026-06-01,2026-07-11,400.00,EUR,\n"
        "C2,B1,2026-06-01,2026-07-01,250.00,EUR,\n",
        encoding="utf-8",
    )
    code, _out, err = run(path, "import", "invoices", str(inv))
    assert code == 0, err
    return path


def pay(db: Path, tmp_path: Path, customer: str, day: str, amount: str) -> None:
    f = tmp_path / f"pay-{customer}-{day}-{amount}.csv"
    f.write_text(
        f"customer,date,amount,currency\n{customer},{day},{amount},EUR\n", encoding="utf-8"
    )
    code, _out, err = run(db, "import", "payments", str(f))
    assert code == 0, err


def test_promise_add_and_review(db: Path, tmp_path: Path):
    code, out, err = run(
        db,
        "promise",
        "add",
        "C1",
        "--amount",
        "300.00",
        "--date",
        "2026-11-09",
        "--on",
        "2026-11-02",
        "--json",
    )
    assert code == 0, err
    promise = json.loads(out)
    assert promise["amount"] == "300.00"
    assert promise["promised_on"] == "2026-11-09"
    assert promise["status"] == "open"
    code, out, _ = run(db, "promise", "review", "--as-of", "2026-11-20", "--json")
    assert code == 0
    review = json.loads(out)
    assert [(p["id"], p["status"]) for p in review["promises"]] == [(promise["id"], "broken")]
    code, out, _ = run(db, "followups", "--as-of", "2026-11-20", "--json")
    assert [f["kind"] for f in json.loads(out)] == ["broken_promise"]
    code, out, _ = run(db, "log", "C1", "--json")
    assert [e["kind"] for e in json.loads(out) if e["kind"] not in ("import", "email")] == [
        "promise",
        "promise_broken",
    ]
    assert json.loads(out)[1]["actor"] == "ann"  # after the import's entry


def test_promise_refusals_and_not_found(db: Path):
    code, _out, err = run(db, "promise", "add", "C1", "--amount", "5000.00", "--date", "2026-11-09")
    assert code == 1
    assert "more than the balance" in err
    code, _out, err = run(db, "promise", "add", "NOPE", "--amount", "5.00", "--date", "2026-11-09")
    assert code == 3
    assert "NOPE" in err
    code, _out, _err = run(db, "promise", "add", "C1", "--amount", "5.00", "--date", "9.11.2026")
    assert code == 2


def test_not_found_names_the_key_in_whole_quotes(db: Path):
    """A lookup error's text is printed as the service wrote it: no quote cut off."""
    args = ("dispute", "open", "C1", "--invoice", "INV-17", "--reason", "quality")
    code, _out, err = run(db, *args, "--amount", "12.00", "--on", "2026-11-02")
    assert code == 3
    assert "C1 has no invoice 'INV-17'" in err


def test_plan_create_contract(db: Path):
    code, out, err = run(
        db,
        "plan",
        "create",
        "C1",
        "--installments",
        "3",
        "--first",
        "2026-11-09",
        "--every",
        "14",
        "--on",
        "2026-11-02",
        "--json",
    )
    assert code == 0, err
    plan = json.loads(out)
    assert plan["status"] == "current"
    assert [i["amount"] for i in plan["installments"]] == ["333.34", "333.33", "333.33"]
    assert [i["due_on"] for i in plan["installments"]] == ["2026-11-09", "2026-11-23", "2026-12-07"]
    code, out, _ = run(db, "plan", "show", str(plan["id"]), "--json")
    assert json.loads(out) == plan
    code, out, err = run(
        db,
        "plan",
        "create",
        "C2",
        "--installments",
        "20",
        "--first",
        "2026-11-09",
        "--on",
        "2026-11-02",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["status"] == "needs_approval"


def test_settle_offer_accept_paid_and_baddebt(db: Path, tmp_path: Path):
    code, out, err = run(
        db,
        "settle",
        "offer",
        "C1",
        "--amount",
        "600.00",
        "--deadline",
        "2026-11-16",
        "--on",
        "2026-11-02",
        "--json",
    )
    assert code == 0, err
    offer = json.loads(out)
    assert (offer["status"], offer["percent"], offer["floor"]) == ("offered", "60.00", "500.00")
    sid = str(offer["id"])
    assert run(db, "settle", "accept", sid, "--on", "2026-11-03")[0] == 0
    code, _out, err = run(db, "settle", "paid", sid, "--on", "2026-11-04")
    assert code == 1
    assert "only 0.00 EUR" in err
    pay(db, tmp_path, "C1", "2026-11-05", "600.00")
    code, out, _ = run(db, "settle", "paid", sid, "--on", "2026-11-05", "--json")
    assert code == 0
    assert json.loads(out)["status"] == "settled"
    code, out, _ = run(db, "baddebt", "--from", "2026-11-01", "--to", "2026-11-30", "--json")
    report = json.loads(out)
    assert [(x["customer"], x["invoice"], x["amount"], x["reason"]) for x in report["lines"]] == [
        ("C1", "A2", "400.00", "settlement")
    ]
    assert report["totals"] == [
        {"currency": "EUR", "amount": "400.00", "tax": "0.00", "net": "400.00"}
    ]


def test_settle_below_floor_and_compare(db: Path):
    # the CLI acts as the owner for an actor that is not a web user; --actor naming a
    # collector applies the collector's authority (the policy's settlement floors)
    code, _out, err = run(db, "user", "add", "colin", "--role", "collector", "--password", "p" * 12)
    assert code == 0, err
    code, out, _ = run(
        db,
        "settle",
        "offer",
        "C2",
        "--amount",
        "50.00",
        "--deadline",
        "2026-11-16",
        "--on",
        "2026-11-02",
        "--actor",
        "colin",
        "--json",
    )
    assert json.loads(out)["status"] == "needs_approval"
    code, out, _ = run(db, "settle", "list", "--status", "needs_approval", "--json")
    assert [s["customer"] for s in json.loads(out)] == ["C2"]
    code, out, _ = run(db, "settle", "compare", "C1", "--as-of", "2026-11-02", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["balance"] == "1000.00"
    assert {o["key"] for o in data["options"]} == {
        "in_house",
        "settle",
        "agency",
        "small_claims",
        "write_off",
    }


def test_call_dispute_agency_and_writeoff(db: Path, tmp_path: Path):
    code, out, err = run(db, "call", "C1", "--outcome", "dispute", "--on", "2026-11-02", "--json")
    assert code == 0, err
    code, _out, err = run(db, "call", "C1", "--outcome", "no_answer", "--on", "2026-11-07")
    assert code == 1
    assert "not a contact day" in err
    code, out, err = run(
        db,
        "call",
        "C1",
        "--outcome",
        "no_answer",
        "--on",
        "2026-11-07",
        "--override",
        "customer asked for a Saturday call",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["overridden"] == ["minimum_gap", "contact_day"]
    code, out, err = run(
        db,
        "dispute",
        "open",
        "C1",
        "--invoice",
        "A1",
        "--reason",
        "price",
        "--amount",
        "100.00",
        "--on",
        "2026-11-02",
        "--json",
    )
    assert code == 0, err
    dispute = json.loads(out)
    code, out, _ = run(db, "dispute", "resolve", str(dispute["id"]), "--as", "upheld", "--json")
    assert json.loads(out)["credit_note"] == f"DC-{dispute['id']}"
    code, out, _ = run(
        db,
        "agency",
        "place",
        "C2",
        "--agency",
        "Acme",
        "--fee-percent",
        "30",
        "--on",
        "2026-11-02",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["status"] == "placed"
    out_dir = tmp_path / "placement"
    code, out, _ = run(db, "agency", "export", "C2", "--out", str(out_dir), "--json")
    assert json.loads(out)["invoices"][0]["number"] == "B1"
    assert (out_dir / f"placement-{json.loads(out)['placement']['id']}.csv").exists()
    code, out, _ = run(db, "agency", "recover", "C2", "--amount", "100.00", "--json")
    assert json.loads(out)["fees"] == "30.00"
    code, out, _ = run(db, "agency", "recall", "C2", "--json")
    assert json.loads(out)["status"] == "recalled"
    code, _out, err = run(db, "user", "add", "colin", "--role", "collector", "--password", "p" * 12)
    assert code == 0, err
    code, out, _ = run(
        db, "writeoff", "add", "C2", "--reason", "uncollectible", "--actor", "colin", "--json"
    )
    pending = json.loads(out)
    assert (pending["status"], pending["amount"]) == ("pending", "150.00")
    code, out, _ = run(db, "writeoff", "approve", str(pending["id"]), "--json")
    assert json.loads(out)["status"] == "done"
    code, _out, err = run(db, "writeoff", "add", "C2", "--reason", "nonsense")
    assert code == 1
    assert "unknown write-off reason" in err
    code, out, _ = run(db, "log", "verify", "--json")
    assert code == 0
    assert json.loads(out)["ok"] is True


def test_hold_commands(db: Path):
    code, out, _ = run(db, "hold", "set", "C1", "--kind", "insolvency", "--on", "2026-11-02")
    assert code == 0
    code, out, _ = run(db, "hold", "show", "C1", "--as-of", "2026-11-03", "--json")
    assert json.loads(out) == [{"kind": "insolvency", "until": None, "note": "", "absolute": True}]
    code, _out, err = run(
        db, "call", "C1", "--outcome", "spoke", "--on", "2026-11-03", "--override", "x"
    )
    assert code == 1
    assert "insolvency" in err
    code, out, _ = run(db, "call-script", "C1", "--as-of", "2026-11-03", "--json")
    assert code == 0
    assert json.loads(out)["holds"] == ["insolvency"]


def test_letter_and_note(db: Path):
    code, out, err = run(
        db, "letter", "C2", "--notes", "final demand by post", "--on", "2026-11-02", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["kind"] == "letter"
    code, out, _ = run(db, "note", "C2", "rang back later", "--on", "2026-11-03", "--json")
    assert code == 0
    code, out, _ = run(db, "log", "C2", "--json")
    by_hand = [e for e in json.loads(out) if e["kind"] not in ("import", "email")]
    assert [(e["kind"], e["text"]) for e in by_hand] == [
        ("letter", "Letter by hand: final demand by post"),
        ("note", "Note: rang back later"),
    ]


@pytest.mark.parametrize(
    "command",
    [
        ["call"],
        ["letter"],
        ["note"],
        ["call-script"],
        ["promise"],
        ["promise", "add"],
        ["promise", "review"],
        ["plan", "create"],
        ["plan", "approve"],
        ["settle", "offer"],
        ["settle", "approve"],
        ["settle", "accept"],
        ["settle", "paid"],
        ["settle", "compare"],
        ["dispute", "open"],
        ["dispute", "resolve"],
        ["agency", "place"],
        ["agency", "export"],
        ["agency", "recover"],
        ["agency", "recall"],
        ["writeoff", "add"],
        ["writeoff", "approve"],
        ["baddebt"],
        ["hold", "set"],
        ["followups"],
    ],
)
def test_help_for_every_casework_command(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.stdout
