"""A quarter of the real accounts-receivable dataset replayed day by day with `--now`.

The dataset (IBM sample, see shared/corpus/SOURCES.md) is imported whole, as invoices
and as payments (SettledDate, the full amount), so the book knows every payment up to
2013-12 before the replay starts. Each day of 2013-04-01..2013-06-30 then runs as a
business would have run it that morning: `recoup --now <day>T09:00 run --json` and
`recoup --now <day>T09:00 aging --json`, in process. The customers have no country in
the file; the test imports them as US customers in New York, so US public holidays and
the US working week apply.

Checked against the raw CSV, read here independently of Recoup's code:

- every customer the run contacts (an email, a letter or a call) owed an invoice that
  day (issued by then, not yet settled), and every invoice a contact names was unpaid
  that day;
- no contact on a Saturday, a Sunday or a US federal public holiday (2013's in the
  quarter: Memorial Day, 27 May);
- over the quarter, contacts with one customer keep the plan's minimum gap and weekly
  cap (`[contact]` of the default policy: 7 days, 2 in any 7 days);
- each day's aging equals the one computed from the CSV for that day.

The replay takes ~25 s on SQLite and ~55 s on PostgreSQL (91 runs and 91 agings, each
a command of its own); it is marked `slow`.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections import defaultdict
from contextlib import redirect_stdout
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import typer

from recoup.cli.app import app
from recoup.services import importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from recoup.services.policy import active_policy
from tests.conftest import corpus_file
from tests.test_import_receivables_dataset import (
    INVOICE_MAP,
    PAYMENT_MAP,
    expected_aging,
    load_rows,
)

FIRST, LAST = date(2013, 4, 1), date(2013, 6, 30)
US_HOLIDAYS_IN_QUARTER = {date(2013, 5, 27)}  # Memorial Day (last Monday of May)
CONTACT_KINDS = {"email", "letter", "call"}

# the `recoup` command, built once: typer's test runner builds it again on every call,
# which would cost more than the 182 calls themselves
COMMAND = typer.main.get_command(app)


def _us(text: str) -> date:
    return datetime.strptime(text, "%m/%d/%Y").date()


def _invoices(path: Path) -> dict[str, dict[str, Any]]:
    """invoice number -> customer, issue day, settled day, amount: straight from the CSV."""
    with path.open(newline="", encoding="utf-8") as fh:
        return {
            r["invoiceNumber"]: {
                "customer": r["customerID"],
                "issue": _us(r["InvoiceDate"]),
                "settled": _us(r["SettledDate"]),
                "amount": Decimal(r["InvoiceAmount"]),
            }
            for r in csv.DictReader(fh)
        }


def _unpaid(inv: dict[str, Any], day: date) -> bool:
    return bool(inv["issue"] <= day < inv["settled"])


def _cli(db: str, *args: str) -> Any:
    """`recoup --db DB ARGS...` in this process; its JSON output."""
    out = io.StringIO()
    with redirect_stdout(out):
        code = COMMAND.main(["--db", db, *args], prog_name="recoup", standalone_mode=False)
    assert code in (None, 0), out.getvalue()
    return json.loads(out.getvalue())


@pytest.fixture
def replayed(book: Book, tmp_path: Path) -> tuple[str, Path]:
    path = corpus_file("receivables_history", "WA_Fn-UseC_-Accounts-Receivable.csv")
    people = tmp_path / "customers.csv"
    keys = sorted({i["customer"] for i in _invoices(path).values()})
    people.write_text(
        "customer,name,country,timezone\n"
        + "".join(f"{k},Customer {k},US,America/New_York\n" for k in keys),
        encoding="utf-8",
    )
    assert importing.import_file(book, Kind.CUSTOMERS, people, Options()).ok
    for kind, columns in ((Kind.INVOICES, INVOICE_MAP), (Kind.PAYMENTS, PAYMENT_MAP)):
        report = importing.import_file(
            book, kind, path, Options(columns=columns, date_format="%m/%d/%Y", currency="USD")
        )
        assert report.problems == []
    return book.url, path


@pytest.mark.slow  # ~25 s on SQLite, ~55 s on PostgreSQL (91 runs and agings each)
def test_a_quarter_replayed_day_by_day(book: Book, replayed: tuple[str, Path]) -> None:
    db, path = replayed
    invoices = _invoices(path)
    rows = load_rows(path)
    contact = active_policy(book)[1].contact
    contacts: dict[str, list[tuple[date, str]]] = defaultdict(list)
    acting_days = 0
    held_back: dict[date, int] = {}  # rest days: how many cases waited for a working day
    day = FIRST
    while day <= LAST:
        now = f"{day.isoformat()}T09:00"
        report = _cli(db, "--now", now, "run", "--json", "--no-dispatch")
        assert report["as_of"] == day.isoformat()
        owed = {i["customer"] for i in invoices.values() if _unpaid(i, day)}
        for action in report["actions"]:
            if action["kind"] not in CONTACT_KINDS:
                continue
            who = action["customer"]
            assert who in owed, (day, action)
            named = action["invoices"]
            assert named, action
            for number in named:
                assert invoices[number]["customer"] == who, (day, number)
                assert _unpaid(invoices[number], day), (day, number, action)
            open_total = sum(
                (
                    i["amount"]
                    for i in invoices.values()
                    if i["customer"] == who and _unpaid(i, day)
                ),
                Decimal(0),
            )
            assert Decimal(action["amount"]) <= open_total, (day, action)
            assert day.weekday() < 5, (day, action)
            assert day not in US_HOLIDAYS_IN_QUARTER, (day, action)
            contacts[who].append((day, action["kind"]))
        acting_days += any(a["kind"] in CONTACT_KINDS for a in report["actions"])
        if day.weekday() >= 5 or day in US_HOLIDAYS_IN_QUARTER:
            held_back[day] = len(report["skipped"])
        aging = _cli(db, "--now", now, "aging", "--json")
        assert aging["as_of"] == day.isoformat()
        got = {b["label"]: (Decimal(b["amount"]), b["count"]) for b in aging["buckets"]}
        assert got == expected_aging(rows, day), day
        day += timedelta(days=1)
    # the replay did contact people, on many days, and many of them
    assert acting_days > 20
    assert len(contacts) > 40
    # the rest days were not quiet by chance: the run had contacts to make and held them
    assert held_back[date(2013, 5, 27)] > 0
    assert sum(1 for n in held_back.values() if n) > 10
    # and the gap was put to the test: many customers were contacted more than once
    assert sum(1 for made in contacts.values() if len({d for d, _k in made}) > 1) > 10
    gap, cap = contact.min_gap_days, contact.max_per_7_days
    for who, made in contacts.items():
        days = sorted({d for d, _kind in made})
        for earlier, later in itertools.pairwise(days):
            assert (later - earlier).days >= gap, (who, made)
        for start in days:
            window = [d for d, _kind in made if start <= d < start + timedelta(days=7)]
            assert len(window) <= cap, (who, made)


def test_the_replay_sees_what_was_owed_then(replayed: tuple[str, Path]) -> None:
    """The sentence of the issue: on 2013-06-28, a Friday, invoices were overdue, and
    the run at that moment asks for them, though every one was paid later."""
    db, path = replayed
    invoices = _invoices(path)
    day = date(2013, 6, 28)
    overdue = {n for n, i in invoices.items() if _unpaid(i, day) and _due(path, n) < day}
    assert overdue
    report = _cli(db, "--now", "2013-06-28T09:00", "run", "--json", "--no-dispatch")
    asked = {n for a in report["actions"] if a["kind"] in CONTACT_KINDS for n in a["invoices"]}
    assert asked & overdue
    # ... and today's book (every invoice paid since) has nothing open at all
    today = _cli(db, "aging", "--json")
    assert Decimal(today["total"]) == 0


def _due(path: Path, number: str) -> date:
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["invoiceNumber"] == number:
                return _us(r["DueDate"])
    raise LookupError(number)
