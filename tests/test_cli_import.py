"""`recoup import`: a path that is no file is wrong usage (exit 2, one line, no
traceback); the line limit comes from --max-line-bytes or RECOUP_IMPORT_MAX_LINE_BYTES;
a re-import names what it changed, in the JSON and in the summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from recoup.cli.app import app

runner = CliRunner()

CUSTOMERS = "customer,name,email\nC1,Acme Ltd,ann@acme.example\nC2,Bolt GmbH,bo@bolt.example\n"


def run(db: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "book.db"
    code, _, err = run(path, "init")
    assert code == 0, err
    return path


@pytest.mark.parametrize("kind", ["customers", "invoices", "payments"])
def test_a_folder_is_wrong_usage(db: Path, tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    code, out, err = run(db, "import", kind, str(folder), "--json")
    assert code == 2
    assert out == ""
    lines = [line for line in err.splitlines() if not line.startswith("Book: ")]
    assert lines == [f"{folder}: is a folder, not a file: name the CSV or XLSX file to import"]
    assert "Traceback" not in err


def test_a_missing_file_is_wrong_usage(db: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    code, out, err = run(db, "import", "invoices", str(missing))
    assert out == ""
    assert code == 2
    assert [line for line in err.splitlines() if not line.startswith("Book: ")] == [
        f"{missing}: no such file"
    ]


def test_a_mapping_file_that_is_a_folder_is_wrong_usage(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS, encoding="utf-8")
    code, _, err = run(db, "import", "customers", str(path), "--mapping", str(tmp_path))
    assert code == 2
    assert f"{tmp_path}: is a folder, not a mapping file" in err
    assert "Traceback" not in err


def test_the_line_limit_is_an_option_and_a_setting(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS + "C3," + "N" * 150 + ",cy@crux.example\n", encoding="utf-8")
    problem = (
        f"{path}:4: the line is longer than 100 bytes, the longest line an import reads "
        "(--max-line-bytes or RECOUP_IMPORT_MAX_LINE_BYTES set another); is this a CSV file?"
    )
    code, out, _ = run(db, "import", "customers", str(path), "--max-line-bytes", "100", "--json")
    assert code == 1
    assert json.loads(out)["problems"] == [problem]
    env = {"RECOUP_IMPORT_MAX_LINE_BYTES": "100"}
    code, out, _ = run(db, "import", "customers", str(path), "--json", env=env)
    assert code == 1
    assert json.loads(out)["problems"] == [problem]
    code, out, _ = run(db, "import", "customers", str(path), "--json")
    assert code == 0
    assert json.loads(out)["imported"] == 3


def test_a_re_import_says_what_changed(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(CUSTOMERS, encoding="utf-8")
    code, _, err = run(db, "import", "customers", str(path))
    assert code == 0, err
    path.write_text(
        CUSTOMERS.replace("ann@acme.example", "ann@acme-mail.example").replace(
            "Bolt GmbH", "Bolt AG"
        ),
        encoding="utf-8",
    )
    code, out, _ = run(db, "import", "customers", str(path), "--dry-run", "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["updated"], data["unchanged"]) == (2, 0)
    assert data["changes"] == [
        {"key": "C1", "line": 2, "fields": ["email"]},
        {"key": "C2", "line": 3, "fields": ["name", "contact"]},
    ]
    code, out, _ = run(db, "import", "customers", str(path))
    assert code == 0
    assert "customers: imported 0, updated 2, unchanged 0 (2 rows)" in out
    assert "updated: C1 (email), C2 (name, contact)" in out
    code, out, _ = run(db, "import", "customers", str(path), "--json")
    data = json.loads(out)
    assert (data["updated"], data["unchanged"], data["changes"]) == (0, 2, [])
