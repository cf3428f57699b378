"""`recoup policy show|check|use|versions`: output, JSON and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
from typer.testing import CliRunner

from recoup.cli.context import State
from recoup.cli.policy import policy_app
from recoup.policy import default_policy_text
from recoup.services.book import Book
from recoup.settings import Settings

runner = CliRunner()

PLAN = """\
name = "CLI plan"

[[stage]]
name = "nudge"
days_from_due = 5
email = "nudge"
"""

BAD = """\
name = "CLI plan"

[contact]
hours = "20:00-08:00"

[[stage]]
name = "nudge"
days_from_due = 5
fee = 2.50
"""


def make_app(url: str, states: list[State]) -> typer.Typer:
    """A root command like `recoup`'s: it puts the book's State where commands find it."""
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = State(Settings(database_url=url))
        states.append(ctx.obj)

    app.add_typer(policy_app, name="policy")
    return app


def run(book: Book, *args: str) -> tuple[int, str, str]:
    states: list[State] = []
    result = runner.invoke(make_app(book.url, states), ["policy", *args])
    for st in states:  # the command opened its own engine on the book: close it
        if st._book is not None:
            st._book.close()
    return result.exit_code, result.stdout, result.stderr


def test_show_prints_the_built_in_default_in_a_new_book(book: Book):
    code, out, err = run(book, "show")
    assert code == 0
    assert out == default_policy_text()
    assert "built-in default" in err
    code, out, _ = run(book, "show", "--json")
    data = json.loads(out)
    assert (data["version"], data["built_in"], data["name"]) == (0, True, "Recoup default plan")
    assert data["policy"]["stage"][0]["name"] == "reminder before due"
    assert data["policy"]["contact"]["hours"] == "08:00-20:00"


def test_check_a_good_file(book: Book, tmp_path: Path):
    path = tmp_path / "plan.toml"
    path.write_text(PLAN, encoding="utf-8")
    code, out, err = run(book, "check", str(path))
    assert (code, err) == (0, "")
    assert "fine" in out
    code, out, _ = run(book, "check", str(path), "--json")
    assert code == 0
    assert json.loads(out) == {"file": str(path), "ok": True, "problems": []}


def test_check_a_bad_file_prints_one_line_per_problem(book: Book, tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    code, out, err = run(book, "check", str(path))
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[:2] == [
        f"{path}:4:9: hours must start before they end (20:00 is not before 08:00); "
        "contact at night is not allowed",
        f'{path}:9:7: amounts are never floats: write 2.50 as "2.50"',
    ]
    assert all(re.match(rf"{re.escape(str(path))}:\d+:\d+: ", line) for line in lines[:2])
    code, out, _ = run(book, "check", str(path), "--json")
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    assert [(p["line"], p["column"]) for p in data["problems"]] == [(4, 9), (9, 7)]


def test_check_a_missing_file(book: Book, tmp_path: Path):
    code, _, err = run(book, "check", str(tmp_path / "nope.toml"))
    assert code == 1
    assert "cannot read" in err


def test_use_refuses_a_bad_file_and_keeps_the_active_policy(book: Book, tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text(BAD, encoding="utf-8")
    code, out, err = run(book, "use", str(path))
    assert code == 1
    assert f"{path}:9:7: amounts are never floats" in err
    assert "Refused" in err
    code, out, _ = run(book, "show", "--json")
    assert json.loads(out)["version"] == 0


def test_use_makes_versions(book: Book, tmp_path: Path):
    path = tmp_path / "plan.toml"
    path.write_text(PLAN, encoding="utf-8")
    code, out, _ = run(book, "use", str(path))
    assert code == 0
    assert "version 1" in out
    code, out, _ = run(book, "use", str(path), "--json")
    assert (code, json.loads(out)) == (
        0,
        {"version": 1, "name": "CLI plan", "created": False, "was_active": True},
    )
    path.write_text(PLAN.replace("= 5", "= 6"), encoding="utf-8")
    code, out, _ = run(book, "use", str(path))
    assert code == 0
    assert "version 2" in out
    code, out, _ = run(book, "show")
    assert out == PLAN.replace("= 5", "= 6")
    code, out, _ = run(book, "versions", "--json")
    assert [(v["version"], v["active"]) for v in json.loads(out)] == [(2, True), (1, False)]
    code, out, _ = run(book, "versions")
    assert code == 0
    assert "CLI plan" in out


def test_help_everywhere(book: Book):
    for args in (["--help"], ["show", "--help"], ["check", "--help"], ["use", "--help"]):
        code, out, _ = run(book, *args)
        assert code == 0
        assert "Usage" in out
