"""`recoup interest`: the JSON contract, the human table and the exit codes."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from recoup.cli.interest import interest_command

app = typer.Typer()


@app.callback()
def root() -> None:
    """A stand-in root, so `interest` stays a subcommand as it is under `recoup`."""


app.command("interest")(interest_command)
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["interest", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_contract():
    # Worked in tests/test_interest.py: 10,000 x 13 % x 458 / 365 = 1,631.23, £100.
    code, out, _ = run("--jurisdiction", "GB", "--principal", "10000.00", "--currency", "GBP",
                       "--due", "2023-06-30", "--paid", "2024-09-30", "--json")  # fmt: skip
    assert code == 0
    assert json.loads(out) == {
        "interest": "1631.23",
        "compensation": "100.00",
        "days": 458,
        "periods": [
            {"from": "2023-07-01", "to": "2024-09-30", "rate_percent": "13.00",
             "interest": "1631.23"},
        ],
    }  # fmt: skip


def test_json_half_years_and_default_currency():
    code, out, _ = run("-j", "EU", "--principal", "5000.00", "--due", "2023-05-15",
                       "--paid", "2023-09-30", "--json")  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert (data["interest"], data["compensation"], data["days"]) == ("217.40", "40.00", 138)
    assert [p["rate_percent"] for p in data["periods"]] == ["10.50", "12.00"]


def test_consumer_and_as_of():
    code, out, _ = run("-j", "DE", "--principal", "1000.00", "--due", "2024-05-31",
                       "--as-of", "2025-02-28", "--consumer", "--json")  # fmt: skip
    assert code == 0
    assert (json.loads(out)["interest"], json.loads(out)["compensation"]) == ("61.03", "0.00")


def test_human_output():
    code, out, _ = run("-j", "NL", "--principal", "10000.00", "--due", "2023-03-31",
                       "--paid", "2024-09-30")  # fmt: skip
    assert code == 0
    assert "1,871.87" in out
    assert "€40.00" in out
    assert "549" in out
    assert "compounded" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-j", "XX", "--principal", "1.00", "--due", "2024-01-01", "--paid", "2024-02-01"],
         "unknown jurisdiction"),
        (["-j", "GB", "--principal", "1.00", "--due", "2024-01-01", "--paid", "2024-02-01",
          "--consumer"], "no consumer rate"),
        (["-j", "FR", "--principal", "1.00", "--due", "2026-06-01", "--paid", "2026-07-01"],
         "2026-07-01"),
        (["-j", "GB", "--principal", "1.00", "--due", "2026-06-30", "--paid", "2026-07-02"],
         "2026-06-30"),
        (["-j", "GB", "--principal", "1.005", "--due", "2024-01-01", "--paid", "2024-02-01"],
         "decimal places"),
        (["-j", "GB", "--principal", "1.00", "--currency", "EUR", "--due", "2024-01-01",
          "--paid", "2024-02-01"], "GBP"),
        (["-j", "GB", "--principal", "1.00", "--due", "2024-01-01", "--paid", "2024-02-01",
          "--as-of", "2024-02-01"], "not both"),
    ],
)  # fmt: skip
def test_bad_usage_exits_2(args, message):
    code, out, err = run(*args)
    assert code == 2
    assert message in err
    assert out == ""


def test_bad_date_is_usage_error():
    code, _, _ = run("-j", "GB", "--principal", "1.00", "--due", "31/01/2024")
    assert code == 2


def test_broken_data_files_exit_1(monkeypatch):
    from recoup.jurisdictions.tables import TableError, TableProblem
    from recoup.services import interest as service

    def broken():
        raise TableError([TableProblem("rates/ecb_mro.csv", 7, "overlap: ...")])

    monkeypatch.setattr(service, "default_catalogue", broken)
    code, out, err = run("-j", "EU", "--principal", "1.00", "--due", "2024-01-01",
                         "--paid", "2024-02-01")  # fmt: skip
    assert code == 1
    assert "rates/ecb_mro.csv:7: overlap" in err
    assert out == ""
