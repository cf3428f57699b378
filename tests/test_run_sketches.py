"""A full run's first read (`recoup.store.sketch_repo`) and its deciding by situation
(`daily_run.plan_batch(..., shared_plans=True)`) must come to what the one-by-one read
and `plan_case` come to, on both databases: over the demo's four weeks of daily runs,
with the case work of its collector (a promise, a broken promise, a dispute, a payment
plan, a note, a settlement offer), calls by hand and several currencies."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from recoup.domain.collection import OpenSummary
from recoup.services import daily_run, demo
from recoup.services.book import Book
from recoup.services.casework import calls
from recoup.store import driver, run_repo, sketch_repo
from tests import casework_data as data

TODAY = date(2026, 11, 20)


def _comparable(plan: daily_run.BatchPlan) -> tuple[Any, ...]:
    return (
        plan.reviewed,
        sorted(plan.upserts),
        sorted(plan.ended),
        plan.skipped,
        plan.planned,
        plan.rows,
    )


@pytest.fixture
def played(book: Book, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, int]:
    """The demo's book played for four weeks, every batch of every run planned both ways
    and compared; how many batches and customers were compared, and how many of those
    were decided by situation."""
    counts = {"batches": 0, "customers": 0, "by_situation": 0}
    real = daily_run.plan_batch

    def both(conn: Any, ids: list[int], policy: Any, version: int, as_of: date, **_kw: Any):
        shared = real(conn, ids, policy, version, as_of, shared_plans=True)
        one_by_one = real(conn, ids, policy, version, as_of, shared_plans=False)
        assert _comparable(shared) == _comparable(one_by_one), as_of
        counts["batches"] += 1
        counts["customers"] += one_by_one.reviewed
        counts["by_situation"] += len({cid for cid, *_ in shared.upserts}) - len(
            {cid for cid, *_ in shared.planned}
        )
        return one_by_one

    monkeypatch.setattr(daily_run, "plan_batch", both)
    folder = tmp_path / "files"
    folder.mkdir()
    demo.write_book(book, demo.make(80, 900, 11, TODAY - timedelta(days=28), currency=None))
    demo.play(book, TODAY)
    # calls by hand count as contacts; a full run after them and on later days
    with book.read() as conn:
        keys = [r[0] for r in conn.exec_driver_sql("SELECT key FROM customers ORDER BY id LIMIT 4")]
    for key in keys:
        calls.record_call(
            book, key, "no_answer", actor="test", on=TODAY, override_reason="the test"
        )
    for offset in (0, 1, 3, 10):
        daily_run.run(book, TODAY + timedelta(days=offset), full=True, dry_run=offset != 1)
    # a case that ends (paid) and starts again with a new invoice: the actions of its
    # first cycle are not steps of the second, but its contacts still count
    key, currency, owed = _worked_account(book, TODAY + timedelta(days=11))
    paid_on = TODAY + timedelta(days=11)
    data.pay(book, folder, key, paid_on, f"{owed / 100:.2f}", currency)
    daily_run.run(book, paid_on, full=True)
    data.invoices(
        book,
        folder,
        [(key, "NEW-1", paid_on, paid_on + timedelta(days=5), "250.00", currency, "0")],
    )
    for offset in (12, 14, 16, 20, 40):
        daily_run.run(book, TODAY + timedelta(days=offset), full=True)
    return counts


def _worked_account(book: Book, as_of: date) -> tuple[str, str, int]:
    """A customer the run has contacted, one currency open: key, currency, balance."""
    with book.read() as conn:
        ids = run_repo.candidates(conn, as_of, full=True)
        for d in run_repo.load(conn, ids, as_of):
            currencies = {c for _n, _d, c, _m in d.invoices}
            if d.contacts and len(currencies) == 1:
                (currency,) = currencies
                return d.key, currency, sum(m for *_x, m in d.invoices)
    raise AssertionError("no contacted customer with one currency")


def test_full_runs_decide_by_situation_what_they_plan_one_by_one(played: dict[str, int]):
    assert played["batches"] > 30
    assert played["customers"] > 300
    assert played["by_situation"] > 100  # the comparison is not empty on the shared side


def test_a_sketch_reads_what_the_planner_reads(played: dict[str, int], book: Book):
    """`Sketch.data` gives what `run_repo.load(..., summarize=True)` gives, but for the
    summaries' details and the name."""
    as_of = TODAY + timedelta(days=3)
    with book.read() as conn:
        ids = run_repo.candidates(conn, as_of, full=True)
        day = driver.date_reader(conn)
        loaded = {d.id: d for d in run_repo.load(conn, ids, as_of, summarize=True)}
        sketched = {s.id: s.data(day) for s in sketch_repo.sketches(conn, ids, as_of)}
    assert loaded.keys() == sketched.keys()
    assert sum(len(d.contacts) for d in loaded.values()) > 50
    assert sum(len(d.done) for d in loaded.values()) > 30
    for cid, want in loaded.items():
        got = sketched[cid]
        assert (got.key, got.country, got.timezone, got.tags) == (
            want.key,
            want.country,
            want.timezone,
            want.tags,
        )
        assert got.cases == want.cases
        assert dict(got.done) == dict(want.done)
        assert got.recorded == want.recorded
        assert sorted(got.contacts) == sorted(want.contacts)
        assert {c: _bare(s) for c, s in got.summaries.items()} == {
            c: _bare(s) for c, s in want.summaries.items()
        }


def _bare(summary: OpenSummary) -> tuple[int, int, date]:
    return summary.invoice_count, summary.balance, summary.oldest_due


def test_an_ordinary_day_plans_one_by_one(sqlite_book: Book, monkeypatch: pytest.MonkeyPatch):
    """Only a full run decides by situation: an ordinary day looks at the accounts that
    are due for a look, and most of those get actions."""
    seen: list[bool] = []
    real = daily_run.plan_batch

    def spy(*args: Any, shared_plans: bool = False) -> daily_run.BatchPlan:
        seen.append(shared_plans)
        return real(*args, shared_plans=shared_plans)

    monkeypatch.setattr(daily_run, "plan_batch", spy)
    demo.write_book(sqlite_book, demo.make(20, 100, 3, TODAY))
    daily_run.run(sqlite_book, TODAY)
    daily_run.run(sqlite_book, TODAY, full=True)
    assert seen == [False, True]
