"""The worklist as lines (issue 15): one line per customer and currency with all its
tasks, the most urgent line first; filters by collector (and unassigned), kind of task
and currency; `recoup worklist --collector/--unassigned/--kind/--currency/--limit`.

The book: a demo book after three weeks of daily runs under the plan taken by age
(calls and recommendations), with a follow-up added beside one account's call so that
a line holds two tasks. SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from recoup.cli.app import app
from recoup.domain.money import Money
from recoup.money_format import format_money
from recoup.services import assignments, daily_run, demo, users
from recoup.services import worklist as worklists
from recoup.services.book import Book
from recoup.services.daily_run import WorkItem
from recoup.services.users import Role
from recoup.services.worklist import FilterError, Filters, group, split_why
from recoup.store import casework_repo, ledger_repo
from recoup.text_figures import AMOUNT, ISO_DATE
from tests.plans import by_age

AS_OF = date(2025, 6, 30)


def item(customer: str, kind: str, score: int, currency: str = "EUR", **more: object) -> WorkItem:
    values: dict[str, object] = {
        "name": f"Customer {customer}",
        "stage": kind,
        "amount": Money(10_000, currency),
        "since": date(2025, 6, 1),
        "why": f"priority {score}: 100.00 {currency} overdue (+{score})",
        "next_step": f"{kind}: do it",
    }
    values.update(more)
    return WorkItem(customer=customer, kind=kind, currency=currency, score=score, **values)  # type: ignore[arg-type]


# --- grouping and filters (pure) ------------------------------------------------------


def test_tasks_of_one_customer_and_currency_make_one_line() -> None:
    items = [
        item("C1", "call", 40),
        item("C2", "escalate", 55),
        item("C1", "broken_promise", 61, why="Promise broken; priority 61: x (+1)"),
        item("C1", "call", 30, currency="USD"),
    ]
    lines = group(items, {"C1": "anna"})
    assert [(line.customer, line.currency, line.score) for line in lines] == [
        ("C1", "EUR", 61),
        ("C2", "EUR", 55),
        ("C1", "USD", 30),
    ]
    first = lines[0]
    assert [t.kind for t in first.tasks] == ["broken_promise", "call"]  # most urgent first
    assert first.kinds == ("broken_promise", "call")
    assert (first.collector, lines[1].collector) == ("anna", None)
    assert first.why == "priority 61: x (+1)"
    assert first.to_json()["tasks"][0] == {
        "kind": "broken_promise",
        "stage": "broken_promise",
        "amount": "100.00",
        "since": "2025-06-01",
        "priority": 61,
        "why": "Promise broken; priority 61: x (+1)",
        "next_step": "broken_promise: do it",
    }
    assert worklists.next_steps(first.tasks) == ["broken_promise: do it", "call: do it"]


def test_split_why() -> None:
    assert split_why("priority 40: a (+20); b (+20)") == ("", "priority 40: a (+20); b (+20)")
    assert split_why("Promise of 5.00 EUR broken: call; priority 7: a (+7)") == (
        "Promise of 5.00 EUR broken: call",
        "priority 7: a (+7)",
    )
    assert split_why("no priority here") == ("no priority here", "")


def test_filters_keep_lines() -> None:
    lines = group(
        [
            item("C1", "call", 40),
            item("C1", "broken_promise", 50),
            item("C2", "escalate", 55, currency="USD"),
            item("C3", "call", 10),
        ],
        {"C1": "anna", "C2": "ben"},
    )

    def kept(f: Filters) -> list[str]:
        return [line.customer for line in lines if f.keeps(line)]

    assert kept(Filters()) == ["C2", "C1", "C3"]
    assert kept(Filters(collector="anna")) == ["C1"]
    assert kept(Filters(unassigned=True)) == ["C3"]
    assert kept(Filters(collector="anna", unassigned=True)) == ["C1", "C3"]
    assert kept(Filters(kind="call")) == ["C1", "C3"]  # C1 keeps its broken promise too
    assert kept(Filters(currency="USD")) == ["C2"]
    assert kept(Filters(collector="ben", kind="call")) == []


# --- on a worked book ------------------------------------------------------------------


def work(book: Book) -> Book:
    """The demo book after three weeks of runs, a follow-up beside the most urgent call
    (its customer as `book.double`), and a collector, anna."""
    gen = demo.make(40, 400, 11, AS_OF, currency=None)  # USD, GBP and EUR
    demo.write_book(book, gen)
    by_age(book)
    for back in range(20, -1, -1):
        day = AS_OF - timedelta(days=back)
        if day.weekday() < 5:
            daily_run.run(book, day)
    # a follow-up beside the most urgent call: that line holds two tasks
    calls = [w for w in daily_run.worklist(book, AS_OF) if w.kind == "call"]
    assert calls, "three weeks of runs leave calls"
    with book.write() as conn:
        cid = ledger_repo.customer_ids(conn)[calls[0].customer]
        casework_repo.add_task(conn, cid, "broken_promise", "test:1", AS_OF, "Promise broken")
    users.add_user(book, "anna", "anna-password", Role.COLLECTOR)
    book.double = calls[0].customer  # type: ignore[attr-defined]
    return book


@pytest.fixture
def worked(book: Book) -> Book:
    return work(book)


def test_every_task_is_on_exactly_one_line_most_urgent_first(worked: Book) -> None:
    items = daily_run.worklist(worked, AS_OF)
    found = worklists.worklist(worked, AS_OF)
    assert found.all_lines == len(found.lines) < len(items)
    assert sorted((t.customer, t.currency, t.kind, t.since) for t in items) == sorted(
        (line.customer, line.currency, t.kind, t.since) for line in found.lines for t in line.tasks
    )
    keys = [(line.customer, line.currency) for line in found.lines]
    assert len(keys) == len(set(keys))
    assert [line.score for line in found.lines] == sorted(
        (line.score for line in found.lines), reverse=True
    )
    assert all(line.score == max(t.score for t in line.tasks) for line in found.lines)
    [double] = [line for line in found.lines if line.customer == worked.double]  # type: ignore[attr-defined]
    assert set(double.kinds) == {"call", "broken_promise"}
    assert len(double.tasks) == 2
    assert [t.score for t in double.tasks] == sorted((t.score for t in double.tasks), reverse=True)
    assert found.tasks == len(items)
    assert set(found.currencies) == {line.currency for line in found.lines}


def test_filters_by_collector_kind_and_currency(worked: Book) -> None:
    everyone = worklists.worklist(worked, AS_OF).lines
    some = [line.customer for line in everyone[::3]]
    for key in some:
        assignments.assign_by_hand(worked, key, "anna", "olga")
    everyone = worklists.worklist(worked, AS_OF).lines  # now with their collectors
    mine = worklists.worklist(worked, AS_OF, Filters(collector="anna")).lines
    assert [line.customer for line in mine] == [
        line.customer for line in everyone if line.customer in some
    ]
    assert all(line.collector == "anna" for line in mine)
    nobody = worklists.worklist(worked, AS_OF, Filters(unassigned=True)).lines
    both = worklists.worklist(worked, AS_OF, Filters(collector="anna", unassigned=True)).lines
    assert len(mine) + len(nobody) == len(both) == len(everyone)
    calls = worklists.worklist(worked, AS_OF, Filters(kind="call")).lines
    assert calls
    assert [line for line in everyone if "call" in line.kinds] == calls
    currency = everyone[0].currency
    same = worklists.worklist(worked, AS_OF, Filters(currency=currency)).lines
    assert same == [line for line in everyone if line.currency == currency]


@pytest.mark.parametrize(
    ("filters", "says"),
    [
        (Filters(kind="lunch"), "unknown kind of task 'lunch'"),
        (Filters(currency="EURO"), "unknown currency"),
        (Filters(collector="nobody"), "there is no user 'nobody'"),
    ],
)
def test_a_filter_that_cannot_be_is_refused(sqlite_book: Book, filters: Filters, says: str):
    with pytest.raises(FilterError, match=says):
        worklists.check(sqlite_book, filters)


# --- the CLI --------------------------------------------------------------------------

runner = CliRunner()


def cli(book: Book, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(
        app,
        ["--db", str(book.engine.url.database), "worklist", "--as-of", AS_OF.isoformat(), *args],
        env={"COLUMNS": "240"},
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def worked_sqlite(sqlite_book: Book) -> Book:
    return work(sqlite_book)


def test_the_worklist_command_filters_and_limits(worked_sqlite: Book) -> None:
    book = worked_sqlite
    everyone = worklists.worklist(book, AS_OF).lines
    assignments.assign_by_hand(book, everyone[1].customer, "anna", "olga")
    code, out, err = cli(book, "--json")
    assert code == 0, err
    assert json.loads(out) == [line.to_json() for line in worklists.worklist(book, AS_OF).lines]
    code, out, _ = cli(book, "--json", "--limit", "3")
    assert [line["customer"] for line in json.loads(out)] == [x.customer for x in everyone[:3]]
    code, out, _ = cli(book, "--json", "--collector", "anna")
    assert [(x["customer"], x["collector"]) for x in json.loads(out)] == [
        (everyone[1].customer, "anna")
    ]
    code, out, _ = cli(book, "--json", "--unassigned", "--kind", "call", "--currency", "usd")
    shown = json.loads(out)
    assert shown
    assert all(x["currency"] == "USD" and x["collector"] is None for x in shown)
    assert all(any(t["kind"] == "call" for t in x["tasks"]) for x in shown)
    code, out, _ = cli(book, "--limit", "2")
    assert code == 0
    assert f"Worklist (2 of {len(everyone)} accounts," in out
    assert everyone[0].name in out
    assert everyone[2].name not in out
    # the reasons' amounts as the page shows them ("$1,234.56 overdue"), none as the
    # services write them ("1234.56 USD")
    code, out, _ = cli(book)
    assert code == 0
    assert not AMOUNT.search(out), AMOUNT.search(out)
    top = everyone[0]
    assert format_money(top.amount, "en_US") in out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--kind", "lunch"], "unknown kind of task 'lunch'"),
        (["--collector", "nobody"], "there is no user 'nobody'"),
        (["--currency", "EURO"], "unknown currency"),
    ],
)
def test_the_worklist_command_refuses_a_bad_filter(sqlite_book: Book, args: list[str], says: str):
    code, out, err = cli(sqlite_book, *args)
    assert (code, out) == (2, "")
    assert says in err


def test_explain_shows_amounts_and_days_as_the_pages_do(worked_sqlite: Book) -> None:
    """`recoup explain`'s sentences come from the services ("balance 1234.56 USD,
    oldest due 2025-04-04"); printed, their amounts and days read as the worklist's."""
    top = worklists.worklist(worked_sqlite, AS_OF).lines[0]
    result = runner.invoke(
        app,
        ["--db", str(worked_sqlite.engine.url.database), "explain", top.customer,
         "--as-of", AS_OF.isoformat()],
        env={"COLUMNS": "240"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "balance $" in result.stdout
    assert not AMOUNT.search(result.stdout), result.stdout
    assert not ISO_DATE.search(result.stdout), result.stdout
    assert "Jun 30, 2025" in result.stdout  # the day it is explained on


def test_explain_speaks_the_locale_in_its_own_words(worked_sqlite: Book) -> None:
    """The command's own words (the heading, the labels of each line) follow the locale;
    the reasons are the services' sentences, with the locale's amounts and days."""
    top = worklists.worklist(worked_sqlite, AS_OF).lines[0]
    result = runner.invoke(
        app,
        ["--db", str(worked_sqlite.engine.url.database), "--locale", "de_DE", "explain",
         top.customer, "--as-of", AS_OF.isoformat()],
        env={"COLUMNS": "240"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    first, *lines = result.stdout.splitlines()
    assert first.startswith(f"{top.customer} am 30.06.2025 (Version ")
    labels = [line.strip().split(": ")[0] for line in lines if ": " in line]
    assert set(labels) & {"erledigt", "heute", "wartet", "als Nächstes"}, result.stdout
    assert not set(labels) & {"done", "today", "waiting", "next"}, result.stdout
