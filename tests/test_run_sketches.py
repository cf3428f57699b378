"""A full run's first read (`recoup.store.sketch_repo`) and its deciding by case facts
(`daily_run.plan_batch(..., shared_plans=True)`) must come to what the one-by-one read
and `plan_case` come to, on both databases: over the demo's four weeks of daily runs,
with the case work of its collector (a promise, a broken promise, a dispute, a payment
plan, a note, a settlement offer), calls by hand and several currencies."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command

from recoup.domain.collection import OpenSummary
from recoup.services import daily_run, demo
from recoup.services.book import Book
from recoup.services.casework import calls
from recoup.services.run import daily
from recoup.services.run.sketch_facts import contacts_in
from recoup.store import driver, run_repo, sketch_repo, steps
from recoup.store.migrate import alembic_config
from tests import casework_data as data

TODAY = date(2026, 11, 20)


def _comparable(plan: daily_run.BatchPlan) -> tuple[Any, ...]:
    return (
        plan.reviewed,
        sorted(plan.upserts),
        sorted(plan.ended),
        plan.skipped,
        plan.rows,
    )


@pytest.fixture
def played(book: Book, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, int]:
    """The demo's book played for four weeks, every batch of every run planned both ways
    and compared; how many batches and customers were compared, and how many of those
    were decided by their facts."""
    counts = {"batches": 0, "customers": 0, "by_facts": 0}
    real = daily_run.plan_batch

    def both(conn: Any, ids: list[int], policy: Any, version: int, as_of: date, **_kw: Any):
        # by facts in every batch, however it went (a batch's own `SketchFacts`)
        shared = real(conn, ids, policy, version, as_of, shared_plans=True)
        one_by_one = real(conn, ids, policy, version, as_of, shared_plans=False)
        assert _comparable(shared) == _comparable(one_by_one), as_of
        counts["batches"] += 1
        counts["customers"] += one_by_one.reviewed
        counts["by_facts"] += len({cid for cid, *_ in shared.upserts}) - len(
            {cid for cid, *_ in shared.rows}
        )
        return one_by_one

    monkeypatch.setattr(daily, "plan_batch", both)
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


def test_full_runs_decide_by_facts_what_they_plan_one_by_one(played: dict[str, int]):
    assert played["batches"] > 30
    assert played["customers"] > 300
    assert played["by_facts"] > 100  # the comparison is not empty on the shared side


def _actions_by_cycle(book: Book) -> dict[tuple[int, str, date], list[tuple[Any, ...]]]:
    """Every action, as a step, by (customer, currency, cycle start), oldest first."""
    out: dict[tuple[int, str, date], list[tuple[Any, ...]]] = {}
    with book.read() as conn:
        day = driver.date_reader(conn)
        for cid, currency, start, on, kind, stage, minor in conn.exec_driver_sql(
            "SELECT customer_id, currency, cycle_start, run_on, kind, stage, amount_minor "
            "FROM actions ORDER BY id"
        ):
            out.setdefault((cid, currency, day(start)), []).append(
                (day(on), kind, stage, int(minor) if kind == "interest" else 0)
            )
    return out


def _kept_steps(book: Book, table: str) -> dict[tuple[int, str, date], list[tuple[Any, ...]]]:
    with book.read() as conn:
        day = driver.date_reader(conn)
        return {
            (cid, currency, day(start)): list(steps.read(text))
            for cid, currency, start, text in conn.exec_driver_sql(
                f"SELECT customer_id, currency, cycle_start, steps FROM {table}"
            )
        }


def test_the_steps_are_the_actions_of_each_cycle(played: dict[str, int], book: Book):
    """`cases.steps` holds the actions of the case's cycle, `ended_cycles.steps` those
    of the cycles that ended, each oldest first, as the actions table has them."""
    actions = _actions_by_cycle(book)
    cases = _kept_steps(book, "cases")
    ended = _kept_steps(book, "ended_cycles")
    assert ended, "no cycle ended"
    assert sum(map(len, cases.values())) > 200
    for key, kept in [*cases.items(), *ended.items()]:
        assert kept == actions.get(key, []), key
    # every action belongs to a case or an ended cycle
    assert actions.keys() <= cases.keys() | ended.keys()


def test_the_migration_fills_the_steps_in(played: dict[str, int], book: Book):
    """A book made before the steps were kept gets them from its actions."""
    cases = _kept_steps(book, "cases")
    ended = _kept_steps(book, "ended_cycles")
    config = alembic_config(book.engine)
    command.downgrade(config, "0010")
    command.upgrade(config, "heads")
    assert _kept_steps(book, "cases") == cases
    assert _kept_steps(book, "ended_cycles") == ended


def test_the_planner_reads_what_the_actions_say(played: dict[str, int], book: Book):
    """`run_repo.load` (and a sketch's `data`) read from the steps what reading every
    action would give: what the current cycles did, recorded and charged, and every
    contact up to the as-of day that can still count (`run_repo.ENDED_DAYS`)."""
    for as_of in (TODAY + timedelta(days=3), TODAY + timedelta(days=40)):
        _compare_reads(book, as_of)


def _compare_reads(book: Book, as_of: date) -> None:
    actions = _actions_by_cycle(book)
    with book.read() as conn:
        ids = run_repo.candidates(conn, as_of, full=True)
        day = driver.date_reader(conn)
        loaded = {d.id: d for d in run_repo.load(conn, ids, as_of, summarize=True)}
        sketched = {s.id: s for s in sketch_repo.sketches(conn, ids, as_of)}
        manual: dict[int, list[tuple[date, str]]] = {}
        for cid, on, kind in conn.exec_driver_sql(
            "SELECT customer_id, day, kind FROM manual_contacts"
        ):
            if kind in run_repo.MANUAL_CHANNEL and day(on) <= as_of:
                manual.setdefault(cid, []).append((day(on), run_repo.MANUAL_CHANNEL[kind]))
    assert loaded.keys() == sketched.keys()
    since = as_of - timedelta(days=run_repo.ENDED_DAYS)
    contacts_seen = 0
    for cid, got in loaded.items():
        mine = {k: v for k, v in actions.items() if k[0] == cid}
        current = {cur: start for cur, (start, _r) in got.cases.items()}
        done = {
            cur: steps_ for (_c, cur, start), steps_ in mine.items() if current.get(cur) == start
        }
        assert {c: dict(got.done[c]) for c in done} == {
            c: {stage: on for on, _k, stage, _m in s} for c, s in done.items()
        }
        assert got.recorded == {
            (c, stage, kind) for c, s in done.items() for _o, kind, stage, _m in s
        }
        contacts = [
            (on, kind)
            for s in mine.values()
            for on, kind, stage, _m in s
            if kind in run_repo.CONTACT_KINDS and on <= as_of and not stage.startswith("notice:")
        ] + manual.get(cid, [])
        assert sorted(c for c in got.contacts if c[0] >= since) == sorted(
            c for c in contacts if c[0] >= since
        ), cid
        assert set(got.contacts) <= set(contacts)
        contacts_seen += len(got.contacts)
        other = sketched[cid]
        assert (other.key, other.country, other.timezone, other.tags) == (
            got.key, got.country, got.timezone, ",".join(got.tags),
        )  # fmt: skip
        assert {
            c: (day(start), None if review is None else day(review))
            for c, (start, review) in other.cases.items()
        } == got.cases
        assert {
            c: [(stage, on) for on, _k, stage, _m in steps.read(text)]
            for c, text in other.steps.items()
        } == {c: d for c, d in got.done.items() if d}
        assert contacts_in(other.contact_text(), as_of) == sorted(got.contacts)
        assert {
            c: (count, balance, day(oldest))
            for c, (count, balance, _o, oldest) in other.open.items()
        } == {c: _bare(s) for c, s in got.summaries.items()}
    assert contacts_seen > 50


def _bare(summary: OpenSummary) -> tuple[int, int, date]:
    return summary.invoice_count, summary.balance, summary.oldest_due
