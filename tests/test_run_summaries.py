"""The daily run's cheaper read: each case's open invoices added up by the database
(`run_repo.load(..., summarize=True)`) must give the planner exactly what the invoices one
by one give it (`collection.summarize`), on both databases; and the planner must decide
the same from a summary as from the invoices."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from recoup.domain.collection import CaseInput, OpenInvoice, plan_case, summarize
from recoup.policy import default_policy
from recoup.services import daily_run, demo, importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from recoup.store import run_repo
from tests.test_collection_properties import START, cases, policies

# numbers that sort differently by due date, by number and by byte; two due the same day
TRICKY = (
    "customer,number,issue_date,due_date,amount,currency\n"
    "T1,Z-9,2026-07-01,2026-08-01,10.00,EUR\n"
    "T1,A-1,2026-07-01,2026-08-01,20.00,EUR\n"
    "T1,Ä-0,2026-06-01,2026-08-01,30.00,EUR\n"
    "T1,a-0,2026-07-02,2026-09-01,40.00,EUR\n"
    "T1,B-2,2026-07-03,2026-08-15,50.00,GBP\n"
    "T1,LATER,2026-12-24,2027-01-24,60.00,EUR\n"
)


def _detail_summaries(data: run_repo.CustomerData, as_of: date) -> dict:
    out = {}
    for currency in {i[2] for i in data.invoices}:
        invoices = [OpenInvoice(n, d, m, c) for n, d, c, m in data.invoices if c == currency]
        out[currency] = summarize(invoices, as_of)
    return out


def _comparable(summaries: dict) -> dict:
    """The summaries with the numbers sorted (the database joins them in any order)."""
    return {c: (s._replace(numbers_text=""), s.numbers()) for c, s in summaries.items()}


def test_the_database_adds_up_what_the_invoices_say(book: Book, tmp_path: Path):
    demo.write_book(book, demo.make(60, 700, 5, START, currency=None))
    tricky = tmp_path / "tricky.csv"
    tricky.write_text(TRICKY, encoding="utf-8")
    assert importing.import_file(book, Kind.INVOICES, tricky, Options()).ok
    with book.read() as conn:
        ids = run_repo.candidates(conn, START, full=True)
        assert len(ids) > 20
        compared = 0
        for as_of in (START - timedelta(days=200), START, START + timedelta(days=45)):
            detail = {d.id: d for d in run_repo.load(conn, ids, as_of)}
            summed = {d.id: d for d in run_repo.load(conn, ids, as_of, summarize=True)}
            mixed = {
                d.id: d
                for d in run_repo.load(conn, ids, as_of, summarize=True, detail_for={ids[0]})
            }
            assert detail.keys() == summed.keys() == mixed.keys()
            for cid, data in detail.items():
                expected = _detail_summaries(data, as_of)
                assert summed[cid].invoices == []
                assert _comparable(summed[cid].summaries) == _comparable(expected), cid
                if cid == ids[0]:
                    assert mixed[cid].summaries == {}
                    assert mixed[cid].invoices == data.invoices
                else:
                    assert mixed[cid].summaries == summed[cid].summaries
                compared += len(expected)
        assert compared > 50
        (t1,) = [d for d in summed.values() if d.key == "T1"]
    eur = t1.summaries["EUR"]
    # the oldest by due date, then by number compared as Python compares strings
    assert (eur.oldest_due, eur.oldest_number) == (date(2026, 8, 1), "A-1")
    assert eur.numbers() == ("A-1", "Z-9", "a-0", "Ä-0")  # LATER is issued after as_of
    assert eur.balance == 10000
    assert eur.overdue == 10000
    assert t1.summaries["GBP"].numbers() == ("B-2",)


def test_the_run_records_the_same_from_summaries(book: Book, tmp_path: Path, monkeypatch):
    """A whole run with the summaries and one with every invoice read one by one record
    the same actions (the run asks for details only when it needs them)."""
    demo.write_book(book, demo.make(50, 500, 8, START, currency=None))
    days = [START + timedelta(days=n) for n in (0, 1, 9, 30)]
    first = [daily_run.run(book, d, dry_run=True, full=True).actions for d in days]
    real_load = run_repo.load

    def one_by_one(conn, ids, as_of, **_kw):
        return real_load(conn, ids, as_of)

    monkeypatch.setattr(run_repo, "load", one_by_one)
    second = [daily_run.run(book, d, dry_run=True, full=True).actions for d in days]
    assert sum(map(len, first)) > 20
    strip = [[{k: v for k, v in a.items() if k != "id"} for a in day] for day in first]
    assert strip == [[{k: v for k, v in a.items() if k != "id"} for a in day] for day in second]


@settings(max_examples=150, deadline=None)
@given(cases(), policies(), st.integers(-30, 120))
def test_a_summary_plans_what_the_invoices_plan(case: CaseInput, policy, offset: int):
    day = START + timedelta(days=offset)
    summarized = replace(case, invoices=(), summary=summarize(case.invoices, day))
    for plan_with in (policy, default_policy()):
        plan = plan_case(case, plan_with, day)
        assert plan_case(summarized, plan_with, day) == plan
        assert plan_case(summarized, plan_with, day, with_notes=False) == replace(plan, notes=())


def test_actions_recorded_twice_get_no_second_id(book: Book, tmp_path: Path):
    """`record_actions` hands out ids itself on SQLite; a row already there (same
    customer, currency, cycle, stage and kind) gets None, the others their own id."""
    demo.write_book(book, demo.make(3, 10, 2, START))
    with book.read() as conn:
        cid = run_repo.candidates(conn, START, full=True)[0]

    def row(stage: str) -> dict:
        return {
            "customer_id": cid, "currency": "USD", "cycle_start": START, "run_on": START,
            "kind": "email", "stage": stage, "invoices": ["X1"], "amount_minor": 100,
            "template": "t", "reason": "test", "policy_version": 1,
        }  # fmt: skip

    with book.write() as conn:
        first = run_repo.record_actions(conn, [row("a"), row("b")])
    with book.write() as conn:
        again = run_repo.record_actions(conn, [row("b"), row("c"), row("a")])
        stored = dict(
            conn.exec_driver_sql(f"SELECT stage, id FROM actions WHERE customer_id = {cid}").all()
        )
    assert None not in first
    assert len(set(first)) == 2
    assert again[0] is None
    assert again[2] is None
    assert again[1] not in first
    assert stored == {"a": first[0], "b": first[1], "c": again[1]}
