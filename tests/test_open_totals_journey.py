"""Four weeks of a demo book as its users live them (daily runs, a collector's case
work, payments arriving on their days, a bank statement imported and matched on the
last day): what is open, kept as the invoices were written, still equals the invoices
grouped, and the dashboard's aging and largest overdue accounts read from it are what
grouping the invoices themselves gives on that day; the worklist's figures, read
set-based, are what scoring each customer's invoices one by one gives. SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from recoup.domain.limitation import days_to_limitation
from recoup.domain.money import Money
from recoup.domain.priority import PriorityInput, priority
from recoup.jurisdictions.catalogue import default_limitations
from recoup.services import dashboard, demo, demo_bank, run
from recoup.services.book import Book
from recoup.services.casework import holds
from recoup.services.run.facts import is_consumer, payer_kind
from recoup.store import open_repo, point_in_time, report_repo, run_repo

TODAY = date(2026, 11, 23)


def test_the_kept_figures_follow_four_weeks_of_work(
    book: Book, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a PostgreSQL book's statement is written here
    demo.write_book(book, demo.make(60, 600, 11, TODAY))
    statements = []

    def money_in(day: date, worked: Sequence[str]) -> None:
        statements.append(demo_bank.money_in(book, day, worked))

    demo.play(book, TODAY, money_in=money_in, payments_arrive=True)
    taken = [s for s in statements if s is not None]
    assert taken, "the last day's statement was made and imported"
    assert taken[0][1].applied > 0  # it paid invoices: re-allocated, counted out
    with book.read() as conn:
        assert open_repo.kept(conn) == open_repo.from_invoices(conn)
        rows = conn.execute(
            text(
                "SELECT c.key, i.currency, i.due_date, i.amount_minor - i.paid_minor "
                "FROM invoices i JOIN customers c ON c.id = i.customer_id "
                "WHERE i.kind = 'invoice' AND i.settled_on IS NULL"
            )
        ).all()
    # the dashboard of the day after, against the open invoices grouped here
    day = date(2026, 11, 24)
    found = dashboard.figures(book, day, 90, 10)
    late: dict[tuple[str, str], int] = {}
    total: dict[str, int] = {}
    for key, cur, due, left in rows:
        total[cur] = total.get(cur, 0) + int(left)
        if date.fromisoformat(str(due)) < day:
            late[(key, cur)] = late.get((key, cur), 0) + int(left)
    assert {a.currency: a.total.minor for a in found.aging.currencies} == total
    assert found.tasks == len(run.worklist(book, day)) > 0  # counted as the worklist has them
    largest = sorted(late.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))[:10]
    assert [((t.customer, t.overdue.currency), t.overdue.minor) for t in found.top] == largest
    with book.read() as conn:  # the kept path, and the plain grouping, agree
        grouped = report_repo._named(report_repo._overdue_sums(day, False)).limit(10)
        assert report_repo.top_overdue(conn, day, 10) == [
            report_repo._public(r) for r in conn.execute(grouped).mappings()
        ]
    for on in (day, TODAY - timedelta(days=3)):  # today, and a day the book moved past
        _worklist_is_the_invoices_scored_one_by_one(book, on)


def _worklist_is_the_invoices_scored_one_by_one(book: Book, day: date) -> None:
    """The worklist's set-based figures (the tasks and each account's sums read by the
    database, the score before the explanation) are what reading every open invoice of
    each customer and scoring it in full gives."""
    items = [i for i in run.worklist(book, day) if i.stage != "follow-up"]
    assert items
    with book.read() as conn:
        past = point_in_time.moved_past(conn, day)
        ids = run_repo.customer_ids_of(conn, {i.customer for i in items})
        data = {d.key: d for d in run_repo.load(conn, sorted(ids.values()), day, past=past)}
        broken = holds.broken_promises_for(conn, sorted(ids.values()), day)
    for item in items:
        d = data[item.customer]
        here = [(due, m) for _n, due, cur, m in d.invoices if cur == item.currency]
        oldest = min(due for due, _m in here)
        overdue = Money(sum(m for due, m in here if due < day), item.currency)
        left = days_to_limitation(
            oldest, d.country, day, is_consumer(d.tags), table=default_limitations()
        )
        p = priority(
            PriorityInput(
                overdue, (day - oldest).days, kind=payer_kind(d.tags), days_to_limitation=left,
                broken_promises=broken.get(d.id, 0),
            )
        )  # fmt: skip
        assert (item.amount, item.score, item.why) == (overdue, p.score, p.explain()), item
