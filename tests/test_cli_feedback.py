"""Feedback a person can read (issue 15, item 3): an import's problems grouped by kind
with a count, the fix and the first few places (`--json` still lists every one);
`--save-mapping` saves the columns the import used, detected or given, and the file
reproduces the import; progress bars on a terminal only, fed by the services' progress
callbacks with counts that grow."""

from __future__ import annotations

import io
import json
import tomllib
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from recoup.cli import progress as progress_module
from recoup.cli.app import app
from recoup.cli.output import SafeConsole
from recoup.cli.problem_lines import problem_lines
from recoup.domain.problems import Problem
from recoup.services import dispatch, importing
from recoup.services import run as daily_run
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from tests.test_dispatch import NOW, RUN_ON, load, settings_for

runner = CliRunner()
ROWS = 2000
BAR_MARKS = ("━", "\r", "\x1b[", "%")  # what a Rich bar draws


def run(db: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


def said(err: str) -> list[str]:
    return [line for line in err.splitlines() if not line.startswith("Book: ")]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "book.db"
    code, _, err = run(path, "init")
    assert code == 0, err
    return path


def invoices(path: Path, dates: str = "iso", currency: bool = True) -> Path:
    head = "customer,number,issue_date,due_date,amount" + (",currency" if currency else "")
    rows = [head]
    for i in range(ROWS):
        day = i % 28 + 1
        issue, due = (
            (f"2026-01-{day:02d}", f"2026-02-{day:02d}")
            if dates == "iso"
            else (f"{day:02d}.01.2026", f"{day:02d}.02.2026")
        )
        rows.append(f"C{i % 50},N-{i},{issue},{due},{10 + i}.00" + (",EUR" if currency else ""))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_rows_without_a_currency_are_one_line_with_the_fix_and_json_lists_every_one(
    db: Path, tmp_path: Path
) -> None:
    path = invoices(tmp_path / "invoices.csv", currency=False)
    code, out, err = run(db, "import", "invoices", str(path))
    assert code == 1
    assert out == ""
    name = str(path)
    assert said(err) == [
        f"{ROWS} rows have no currency: add a currency column or pass --currency; first at "
        f"{name}:2, {name}:3, {name}:4 and 1,997 more",
        f"Refused: {ROWS} problems in {name}; nothing was imported. --json lists every one.",
    ]
    code, out, _ = run(db, "import", "invoices", str(path), "--json")
    assert code == 1
    problems = json.loads(out)["problems"]
    assert len(problems) == ROWS
    assert problems[0] == f"{name}:2: no currency: add a currency column or pass --currency"
    assert (
        problems[-1] == f"{name}:{ROWS + 1}: no currency: add a currency column or pass --currency"
    )


def test_a_wrong_date_format_is_a_few_lines_and_json_lists_every_date(
    db: Path, tmp_path: Path
) -> None:
    path = invoices(tmp_path / "invoices.csv", dates="dotted")
    code, _, err = run(db, "import", "invoices", str(path), "--date-format", "%m/%d/%Y")
    assert code == 1
    lines = said(err)
    assert len(lines) == 6, lines
    assert lines[0] == (
        f"{2 * ROWS} problems in {ROWS} rows: … is not a date in %m/%d/%Y; pass --date-format"
    )
    assert lines[1] == f"  {path}:2:3: '01.01.2026' is not a date in %m/%d/%Y; pass --date-format"
    assert lines[4] == "  and 3,997 more"
    code, out, _ = run(db, "import", "invoices", str(path), "--date-format", "%m/%d/%Y", "--json")
    assert len(json.loads(out)["problems"]) == 2 * ROWS
    # detected, the same file goes in
    code, out, _ = run(db, "import", "invoices", str(path), "--dry-run", "--json")
    assert code == 0
    assert json.loads(out)["imported"] == ROWS


def test_a_kind_of_one_problem_is_its_own_line() -> None:
    one = Problem("f.csv", 7, 5, "amount 'ten' is not a number")
    assert problem_lines([one]) == ["f.csv:7:5: amount 'ten' is not a number"]
    two = [one, Problem("f.csv", 9, 5, "amount 'nine' is not a number")]
    assert problem_lines(two) == [
        "2 rows: amount … is not a number",
        "  f.csv:7:5: amount 'ten' is not a number",
        "  f.csv:9:5: amount 'nine' is not a number",
    ]


EXPORT = (
    "Kunde,Rechnung,Invoice Date,Due Date,Betrag,Currency,Notiz\n"
    "K1,R-1,2026-01-05,2026-02-04,100.00,EUR,first\n"
    "K2,R-2,2026-01-06,2026-02-05,250.50,EUR,\n"
)


def test_the_saved_mapping_holds_the_columns_used_and_reproduces_the_import(
    tmp_path: Path,
) -> None:
    src = tmp_path / "export.csv"
    src.write_text(EXPORT, encoding="utf-8")
    mapping = tmp_path / "mapping.toml"
    first = tmp_path / "first.db"
    assert run(first, "init")[0] == 0
    given = ("--map", "Kunde=customer", "--map", "Rechnung=number", "--map", "Betrag=amount")
    code, out, err = run(
        first, "import", "invoices", str(src), *given, "--terms", "30",
        "--save-mapping", str(mapping), "--json",
    )  # fmt: skip
    assert code == 0, err
    done = json.loads(out)
    saved = tomllib.loads(mapping.read_text(encoding="utf-8"))
    # given and detected columns alike, in the file's order; the settings given
    assert saved == {
        "kind": "invoices",
        "terms_days": 30,
        "columns": {
            "Kunde": "customer",
            "Rechnung": "number",
            "Invoice Date": "issue_date",
            "Due Date": "due_date",
            "Betrag": "amount",
            "Currency": "currency",
        },
    }
    assert done["columns"] == saved["columns"]
    # the mapping alone reads the file as the options did: into a new book, the same
    # import; into the first book, nothing changed
    second = tmp_path / "second.db"
    assert run(second, "init")[0] == 0
    code, out, err = run(
        second, "import", "invoices", str(src), "--mapping", str(mapping), "--json"
    )
    assert code == 0, err
    again = json.loads(out)
    assert again["file"] == done["file"]
    for key in ("imported", "rows", "customers_created", "columns"):
        assert again[key] == done[key]
    code, out, _ = run(first, "import", "invoices", str(src), "--mapping", str(mapping), "--json")
    assert code == 0
    assert (json.loads(out)["unchanged"], json.loads(out)["imported"]) == (2, 0)
    shown = [run(db, "aging", "--as-of", "2026-03-01", "--json")[1] for db in (first, second)]
    assert shown[0] == shown[1]
    # saving again from the saved mapping writes the same file
    again_path = tmp_path / "again.toml"
    code, _, err = run(
        second, "import", "invoices", str(src), "--mapping", str(mapping),
        "--save-mapping", str(again_path), "--dry-run",
    )  # fmt: skip
    assert code == 0, err
    assert again_path.read_text(encoding="utf-8") == mapping.read_text(encoding="utf-8")


# --- progress -------------------------------------------------------------------------


def grows(calls: list[tuple[int, int]]) -> None:
    assert calls
    done = [d for d, _ in calls]
    assert done == sorted(done)
    assert all(0 <= d <= t for d, t in calls)
    assert calls[-1][0] == calls[-1][1]  # ends at its total


def test_an_import_tells_its_progress(sqlite_book: Book, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    rows = ["customer,number,issue_date,due_date,amount,currency"]
    rows += [f"C{i % 90},N-{i},2026-01-05,2026-02-04,{i}.00,EUR" for i in range(45_000)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    calls: list[tuple[int, int]] = []
    report = importing.import_file(
        sqlite_book, Kind.INVOICES, path, Options(), dry_run=True,
        progress=lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    assert report.ok, report.problems[:3]
    assert len(calls) >= 3  # every 20,000 rows, and at the end
    grows(calls)


def test_the_run_and_delivery_tell_their_progress(sqlite_book: Book, tmp_path: Path) -> None:
    load(sqlite_book, tmp_path)  # four customers, their first run on RUN_ON
    calls: list[tuple[int, int]] = []
    daily_run.run(
        sqlite_book, RUN_ON, dry_run=True, full=True, batch_size=1,
        progress=lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    assert len(calls) >= 2
    grows(calls)
    sent: list[tuple[int, int]] = []
    result = dispatch.dispatch(
        sqlite_book, now=NOW, settings=settings_for(None, tmp_path),
        progress=lambda done, total: sent.append((done, total)),
    )  # fmt: skip
    assert [d for d, _ in sent] == list(range(1, len(sent) + 1))
    assert len(sent) == result.sent + result.failed == 4
    grows(sent)


def test_piped_and_json_output_carry_no_progress(db: Path, tmp_path: Path) -> None:
    path = invoices(tmp_path / "invoices.csv")
    for extra in ((), ("--json",)):
        code, out, err = run(db, "import", "invoices", str(path), "--dry-run", *extra)
        assert code == 0, err
        for mark in BAR_MARKS:
            assert mark not in out + err
    code, _, err = run(db, "import", "invoices", str(path))
    assert code == 0, err
    for args in (("run", "--as-of", "2026-03-02"), ("dispatch",), ("dispatch", "--json")):
        code, out, err = run(db, *args)
        assert code == 0, err
        for mark in BAR_MARKS[:3]:  # (the run's table on stdout draws with ━ too)
            assert mark not in err
        if "--json" in args:
            json.loads(out)


def test_a_bar_is_drawn_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    terminal = SafeConsole(file=screen, force_terminal=True, width=80, markup=False)
    monkeypatch.setattr(progress_module, "err_console", terminal)
    with progress_module.progress_bar("delivering [the outbox]") as progress:
        assert progress is not None
        progress(1, 4)
        progress(4, 4)
    assert "delivering [the outbox]" in screen.getvalue()
    with progress_module.progress_bar("quiet", show=False) as progress:
        assert progress is None  # --json
    piped = Console(file=io.StringIO(), force_terminal=False)
    monkeypatch.setattr(progress_module, "err_console", piped)
    with progress_module.progress_bar("piped") as progress:
        assert progress is None
