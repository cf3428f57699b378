"""Working a case through the services, on SQLite and PostgreSQL: every action changes
the books and writes its history entry in the same transaction."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from recoup.domain.contact_rules import HoldKind
from recoup.services import history, users
from recoup.services.book import Book
from recoup.services.casework import (
    CaseworkError,
    agency,
    calls,
    disputes,
    holds,
    plan_review,
    plans,
    promises,
    review_all,
    settlements,
    tasks,
    writeoffs,
)
from recoup.services.users import Role
from tests.casework_data import balance, invoices, pay

MON = date(2026, 11, 2)  # a Monday
ISSUED, DUE = date(2026, 6, 1), date(2026, 7, 1)  # 124 days past due on MON


@pytest.fixture
def book_with_debt(book: Book, tmp_path: Path) -> Book:
    invoices(
        book,
        tmp_path,
        [
            ("C1", "A1", ISSUED, DUE, "600.00", "EUR", "100.00"),
            ("C1", "A2", ISSUED, DUE + timedelta(days=10), "400.00", "EUR", ""),
            ("C2", "B1", ISSUED, DUE, "250.00", "EUR", "0"),
        ],
    )
    return book


# written by the imports, and the notices queued for the customer (tests/test_notices.py)
LEDGER_KINDS = ("import", "payment", "email")


def case_entries(book: Book, customer: str) -> list[history.Entry]:
    """The customer's history without the ledger's entries (imports, payments) and the
    notices queued for delivery."""
    return [e for e in history.entries(book, customer) if e.kind not in LEDGER_KINDS]


def kinds(book: Book, customer: str) -> list[str]:
    return [e.kind for e in case_entries(book, customer)]


def test_a_promise_is_kept_by_payments_within_grace(book_with_debt: Book, tmp_path: Path):
    book = book_with_debt
    p = promises.add_promise(book, "C1", "300.00", MON + timedelta(days=7), actor="ann", on=MON)
    assert p.status == "open"
    assert p.grace_days == 3
    with book.read() as conn:
        cid = history.customer_id_of(conn, "C1")
        found = holds.holds_for(conn, [cid], MON)[cid]
    assert [h.kind for h in found] == [HoldKind.PROMISE]
    assert found[0].until == MON + timedelta(days=10)
    pay(book, tmp_path, "C1", MON + timedelta(days=4), "100.00")
    assert promises.review_promises(book, MON + timedelta(days=5)) == []  # still in force
    pay(book, tmp_path, "C1", MON + timedelta(days=9), "200.00")  # two days into grace
    changed = promises.review_promises(book, MON + timedelta(days=20))
    assert [(c.status, c.promise.paid.to_json(), c.promise.decided_on) for c in changed] == [
        ("kept", "300.00", MON + timedelta(days=9))
    ]
    assert promises.review_promises(book, MON + timedelta(days=21)) == []  # decided once
    assert kinds(book, "C1")[-2:] == ["promise", "promise_kept"]
    assert tasks.open_followups(book, MON + timedelta(days=30)) == []


def test_a_broken_promise_leaves_a_follow_up(book_with_debt: Book, tmp_path: Path):
    book = book_with_debt
    promises.add_promise(book, "C1", "300.00", MON + timedelta(days=7), actor="ann", on=MON)
    pay(book, tmp_path, "C1", MON + timedelta(days=11), "300.00")  # one day too late
    changed = promises.review_promises(book, MON + timedelta(days=12))
    assert [(c.status, c.promise.paid.to_json()) for c in changed] == [("broken", "0.00")]
    assert kinds(book, "C1")[-1] == "promise_broken"
    assert tasks.open_followups(book, MON + timedelta(days=10)) == []  # not due yet
    due = tasks.open_followups(book, MON + timedelta(days=11))
    assert [(f.customer, f.kind) for f in due] == [("C1", "broken_promise")]
    tasks.done(book, due[0].id, actor="ann", on=MON + timedelta(days=12))
    assert tasks.open_followups(book, MON + timedelta(days=12)) == []


def test_promises_more_than_owed_or_in_the_past_are_refused(book_with_debt: Book):
    with pytest.raises(CaseworkError, match="more than the balance"):
        promises.add_promise(book_with_debt, "C2", "250.01", MON, actor="ann", on=MON)
    with pytest.raises(CaseworkError, match="before the day"):
        promises.add_promise(
            book_with_debt, "C2", "10.00", MON - timedelta(days=1), actor="a", on=MON
        )
    assert kinds(book_with_debt, "C2") == []


def test_a_plan_within_limits_sums_to_the_balance_and_is_tracked(
    book_with_debt: Book, tmp_path: Path
):
    book = book_with_debt
    plan = plans.create_plan(book, "C1", 3, MON + timedelta(days=7), actor="ann", on=MON)
    assert plan.status == "current"
    assert plan.within_authority
    amounts = [i.amount.minor for i in plan.installments]
    assert amounts == [33334, 33333, 33333]
    assert sum(amounts) == balance(book, "C1") == 100000
    assert [i.due_on for i in plan.installments] == [MON + timedelta(days=d) for d in (7, 37, 67)]
    pay(book, tmp_path, "C1", MON + timedelta(days=7), "333.34")
    changes = plan_review.review_plans(book, MON + timedelta(days=8))
    assert changes
    assert changes[0].status == "current"
    assert plans.get_plan(book, plan.id).installments[0].status == "paid"
    # the second is missed: the plan defaults after the policy's one missed installment
    changes = plan_review.review_plans(book, MON + timedelta(days=37 + 6))
    assert changes[0].status == "defaulted"
    assert plans.get_plan(book, plan.id).status == "defaulted"
    assert kinds(book, "C1")[-3:] == ["plan_installment", "plan_installment", "plan_default"]
    assert [f.kind for f in tasks.open_followups(book, MON + timedelta(days=60))] == [
        "plan_default"
    ]


def test_a_plan_outside_limits_needs_an_owner(book_with_debt: Book):
    book = book_with_debt
    users.add_user(book, "colin", "a long password 1", Role.COLLECTOR)
    users.add_user(book, "olga", "a long password 2", Role.OWNER)
    plan = plans.create_plan(book, "C1", 12, MON + timedelta(days=7), actor="colin", on=MON)
    assert plan.status == "needs_approval"
    assert "more than the 6" in plan.authority_note
    with book.read() as conn:
        cid = history.customer_id_of(conn, "C1")
        assert holds.holds_for(conn, [cid], MON) == {}  # not current yet: no hold
    with pytest.raises(CaseworkError, match="only an owner"):
        plans.approve_plan(book, plan.id, actor="colin", on=MON)
    assert plans.approve_plan(book, plan.id, actor="olga", on=MON).status == "current"
    with book.read() as conn:
        assert [h.kind for h in holds.holds_for(conn, [cid], MON)[cid]] == [HoldKind.PAYMENT_PLAN]


def test_plan_interest_and_fee_are_booked_and_paid_off(book_with_debt: Book, tmp_path: Path):
    book = book_with_debt
    plan = plans.create_plan(
        book,
        "C2",
        2,
        MON + timedelta(days=30),
        actor="ann",
        on=MON,
        rate_percent="10",
        fee="5.00",
    )
    # 250.00 * 10% * 30/365 = 2.05; then 125.00 * 10% * 30/365 = 1.03; fee 5.00
    assert [i.interest.to_json() for i in plan.installments] == ["2.05", "1.03"]
    assert plan.total.to_json() == "258.08"
    assert balance(book, "C2") == 25808
    pay(book, tmp_path, "C2", MON + timedelta(days=30), "132.05")
    pay(book, tmp_path, "C2", MON + timedelta(days=60), "126.03")
    changes = plan_review.review_plans(book, MON + timedelta(days=61))
    assert changes[0].status == "completed"
    assert balance(book, "C2") == 0


def test_settlement_within_authority_settles_and_writes_off_the_rest(
    book_with_debt: Book, tmp_path: Path
):
    book = book_with_debt
    # 124 days past due: the default policy allows settling for no less than 50%
    s = settlements.offer(book, "C1", "600.00", MON + timedelta(days=14), actor="ann", on=MON)
    assert s.status == "offered"
    assert s.within_authority
    assert s.floor
    assert s.floor.to_json() == "500.00"
    settlements.accept(book, s.id, actor="ann", on=MON + timedelta(days=1))
    pay(book, tmp_path, "C1", MON + timedelta(days=5), "600.00")
    changed = settlements.review_settlements(book, MON + timedelta(days=6))
    assert [(c.settlement_id, c.status) for c in changed] == [(s.id, "settled")]
    assert balance(book, "C1") == 0
    done = writeoffs.list_write_offs(book, "C1")
    assert [(w.reason, w.amount.to_json(), w.status) for w in done] == [
        ("settlement", "400.00", "done")
    ]
    report = writeoffs.bad_debt_report(book, MON, MON + timedelta(days=30))
    lines = [(x.customer, x.invoice, x.amount.to_json(), x.tax.to_json()) for x in report.lines]
    # the payment paid A1 (oldest) in full, so the rest is A2's 400.00 (no tax)
    assert lines == [("C1", "A2", "400.00", "0.00")]
    assert kinds(book, "C1")[-3:] == ["settlement_accepted", "settlement_paid", "write_off"]


def test_settlement_below_the_floor_needs_the_owner(book_with_debt: Book, tmp_path: Path):
    book = book_with_debt
    users.add_user(book, "colin", "a long password 1", Role.COLLECTOR)
    users.add_user(book, "olga", "a long password 2", Role.OWNER)
    s = settlements.offer(book, "C1", "300.00", MON + timedelta(days=14), actor="colin", on=MON)
    assert s.status == "needs_approval"
    assert not s.within_authority
    assert "below the floor of 50" in s.authority_note
    with pytest.raises(CaseworkError, match="approval"):
        settlements.accept(book, s.id, actor="colin", on=MON)
    with pytest.raises(CaseworkError, match="only an owner"):
        settlements.approve(book, s.id, actor="colin", on=MON)
    assert [x.id for x in settlements.list_settlements(book, status="needs_approval")] == [s.id]
    settlements.approve(book, s.id, actor="olga", on=MON)
    settlements.accept(book, s.id, actor="colin", on=MON)
    pay(book, tmp_path, "C1", MON + timedelta(days=3), "300.00")
    with pytest.raises(CaseworkError, match="only"):
        settlements.settle(book, s.id, actor="colin", on=MON + timedelta(days=2))
    settled = settlements.settle(book, s.id, actor="colin", on=MON + timedelta(days=3))
    assert settled.status == "settled"
    assert balance(book, "C1") == 0
    wo = writeoffs.list_write_offs(book, "C1")[0]
    assert wo.approved_by == "olga"
    assert wo.amount.to_json() == "700.00"
    # A1's open 300.00 of 600.00 (tax 100.00) carries tax 50.00; A2 none
    assert wo.tax.to_json() == "50.00"


def test_an_unpaid_settlement_lapses_with_a_follow_up(book_with_debt: Book):
    book = book_with_debt
    s = settlements.offer(book, "C2", "200.00", MON + timedelta(days=7), actor="ann", on=MON)
    settlements.accept(book, s.id, actor="ann", on=MON)
    assert settlements.review_settlements(book, MON + timedelta(days=7)) == []
    changed = settlements.review_settlements(book, MON + timedelta(days=8))
    assert [c.status for c in changed] == ["lapsed"]
    assert [f.kind for f in tasks.open_followups(book, MON + timedelta(days=8))] == [
        "settlement_lapsed"
    ]
    assert balance(book, "C2") == 25000


def test_the_settlement_helper_shows_its_figures(book_with_debt: Book):
    result = settlements.compare(book_with_debt, "C1", MON, jurisdiction="GB")
    data = result.to_json()
    keys = [o["key"] for o in data["options"]]
    assert keys == ["in_house", "settle", "agency", "small_claims", "write_off"]
    by = {o["key"]: o for o in data["options"]}
    assert data["balance"] == "1000.00"
    assert by["settle"]["expected"] == "500.00"  # the policy's 50% floor at 124 days
    # 75% (91+ days) of 1000.00 = 750.00 in-house; the agency keeps 25-50% of that
    assert by["in_house"]["expected"] == "750.00"
    assert (by["agency"]["expected"], by["agency"]["low"]) == ("562.50", "375.00")
    # the small-claims limit of GB is in GBP: a EUR debt has none
    assert not by["small_claims"]["available"]
    assert by["write_off"]["expected"] == "100.00"  # A1's tax part
    assert data["best"] == "in_house"


def test_a_dispute_holds_and_ends_by_credit_note(book_with_debt: Book):
    book = book_with_debt
    d = disputes.open_dispute(book, "C1", "A1", "quality", actor="ann", on=MON, amount="200.00")
    assert d.status == "open"
    assert d.amount.to_json() == "200.00"
    with book.read() as conn:
        cid = history.customer_id_of(conn, "C1")
        assert [h.kind for h in holds.holds_for(conn, [cid], MON)[cid]] == [HoldKind.DISPUTE]
        assert holds.disputed_parts(conn, [cid]) == {cid: {"A1": 20000}}
    with pytest.raises(CaseworkError, match="more than"):
        disputes.open_dispute(book, "C1", "A1", "price", actor="ann", on=MON, amount="400.01")
    with pytest.raises(CaseworkError, match="more than the disputed"):
        disputes.resolve(book, d.id, "credit_note", actor="ann", on=MON, credit="200.01")
    done = disputes.resolve(book, d.id, "credit_note", actor="ann", on=MON, credit="150.00")
    assert (done.status, done.credit_note) == ("credit_note", f"DC-{d.id}")
    assert balance(book, "C1") == 100000 - 15000
    with book.read() as conn:
        assert holds.holds_for(conn, [cid], MON) == {}
    r = disputes.open_dispute(book, "C2", "B1", "not_received", actor="ann", on=MON)
    assert r.amount.to_json() == "250.00"
    disputes.resolve(book, r.id, "rejected", actor="ann", on=MON)
    assert balance(book, "C2") == 25000
    u = disputes.open_dispute(book, "C2", "B1", "duplicate", actor="ann", on=MON)
    disputes.resolve(book, u.id, "upheld", actor="ann", on=MON)
    assert balance(book, "C2") == 0
    assert kinds(book, "C2") == ["dispute", "dispute_resolved", "dispute", "dispute_resolved"]


def test_calls_follow_the_contact_rules_with_logged_overrides(book_with_debt: Book):
    book = book_with_debt
    sat = MON + timedelta(days=5)
    with pytest.raises(CaseworkError, match="not a contact day"):
        calls.record_call(book, "C1", "no_answer", actor="ann", on=sat)
    c = calls.record_call(
        book, "C1", "left_message", actor="ann", on=sat, override_reason="they asked for Saturday"
    )
    assert c.overridden == ("contact_day",)
    entries = case_entries(book, "C1")
    assert [e.kind for e in entries] == ["override", "call"]
    assert "they asked for Saturday" in entries[0].text
    # two days later: the minimum gap of 7 days
    with pytest.raises(CaseworkError, match=r"minimum gap 7 days"):
        calls.record_call(book, "C1", "no_answer", actor="ann", on=MON + timedelta(days=7))
    ok = calls.record_call(
        book,
        "C1",
        "promise",
        actor="ann",
        on=MON + timedelta(days=14),
        notes="will pay 100 on Friday",
    )
    assert ok.overridden == ()
    assert calls.record_note(
        book, "C1", "sounded stressed", actor="ann", on=MON + timedelta(days=14)
    )
    stop = calls.record_call(
        book, "C2", "stop_calling", actor="ann", on=MON, at=datetime(2026, 11, 2, 10, tzinfo=UTC)
    )
    assert stop.outcome == "stop_calling"
    with pytest.raises(CaseworkError, match="cannot be overridden"):
        calls.record_call(
            book, "C2", "spoke", actor="ann", on=MON + timedelta(days=21), override_reason="urgent"
        )
    holds.lift_flag(
        book,
        "C2",
        "cease_contact",
        actor="ann",
        on=MON + timedelta(days=21),
        note="they wrote to withdraw it",
    )
    calls.record_call(book, "C2", "spoke", actor="ann", on=MON + timedelta(days=21))


def test_contact_hours_are_the_customers(book_with_debt: Book):
    late = datetime(2026, 11, 3, 21, 30, tzinfo=UTC)  # 21:30 in UTC, the customer's zone
    with pytest.raises(CaseworkError, match="outside contact hours"):
        calls.record_visit(book_with_debt, "C1", "spoke", actor="ann", on=late.date(), at=late)


def test_the_call_script_offers_only_what_the_policy_allows(book_with_debt: Book):
    script = calls.call_script(book_with_debt, "C1", MON).to_json()
    offers = " ".join(script["may_offer"])
    assert "up to 6 installments, none below 25.00 EUR" in offers
    assert "no less than 500.00 EUR" in offers
    assert "1000.00 EUR" in script["opening"]
    assert "A1" in script["opening"]


def test_agency_placement_stops_contact_and_recoveries_pay(book_with_debt: Book, tmp_path: Path):
    book = book_with_debt
    calls.record_call(book, "C1", "refused", actor="ann", on=MON)
    p = agency.place(book, "C1", "Acme Collections", actor="ann", on=MON, contingency_percent="30")
    assert p.balance.to_json() == "1000.00"
    with pytest.raises(CaseworkError, match="cannot be overridden"):
        calls.record_call(
            book,
            "C1",
            "spoke",
            actor="ann",
            on=MON + timedelta(days=14),
            override_reason="just once",
        )
    placed = agency.export(book, "C1", MON)
    assert [i["number"] for i in placed.data["invoices"]] == ["A1", "A2"]
    assert placed.data["balance"] == "1000.00"
    assert [h["kind"] for h in placed.data["history"]] == ["import", "call", "handoff"]
    assert placed.csv_text.splitlines()[0].startswith("placement,agency,customer")
    assert len(placed.csv_text.splitlines()) == 3
    written = placed.write(tmp_path / "out")
    assert json.loads(written[0].read_text())["debtor"]["customer"] == "C1"
    after = agency.record_recovery(book, "C1", "400.00", actor="ann", on=MON + timedelta(days=20))
    assert (after.recovered.to_json(), after.fees.to_json()) == ("400.00", "120.00")
    assert balance(book, "C1") == 60000
    agency.recall(book, "C1", actor="ann", on=MON + timedelta(days=30))
    with book.read() as conn:
        cid = history.customer_id_of(conn, "C1")
        assert holds.holds_for(conn, [cid], MON + timedelta(days=30)) == {}


def test_write_off_needs_approval_and_a_later_recovery_reverses_it(
    book_with_debt: Book, tmp_path: Path
):
    book = book_with_debt
    users.add_user(book, "olga", "a long password 2", Role.OWNER)
    users.add_user(book, "colin", "a long password 1", Role.COLLECTOR)
    w = writeoffs.write_off(book, "C1", "uncollectible", actor="colin", on=MON)
    assert w.status == "pending"
    assert balance(book, "C1") == 100000
    done = writeoffs.approve_write_off(book, w.id, actor="olga", on=MON + timedelta(days=1))
    assert done.status == "done"
    assert done.amount.to_json() == "1000.00"
    assert done.tax.to_json() == "100.00"
    assert balance(book, "C1") == 0
    pay(book, tmp_path, "C1", MON + timedelta(days=40), "150.00")
    assert balance(book, "C1") == -15000  # paid after the write-off: on account
    review = review_all(book, MON + timedelta(days=41))
    assert review.write_offs_reversed == [
        {"customer": "C1", "currency": "EUR", "reversed": "150.00"}
    ]
    assert balance(book, "C1") == 0
    assert review_all(book, MON + timedelta(days=41)).changed is False
    report = writeoffs.bad_debt_report(book, MON, MON + timedelta(days=60))
    total, tax = report.totals()["EUR"]
    # 1000.00 written off (tax 100.00), 150.00 recovered (tax 15.00 of it)
    assert (total.to_json(), tax.to_json()) == ("850.00", "85.00")
    assert report.lines[-1].amount.to_json() == "-150.00"
    assert kinds(book, "C1") == ["write_off_requested", "write_off", "write_off_reversed"]


def test_every_casework_entry_keeps_the_chain(book_with_debt: Book, tmp_path: Path):
    book = book_with_debt
    calls.record_call(book, "C1", "promise", actor="ann", on=MON)
    promises.add_promise(book, "C1", "100.00", MON + timedelta(days=3), actor="ann", on=MON)
    disputes.open_dispute(book, "C2", "B1", "price", actor="ann", on=MON, amount="50.00")
    settlements.offer(book, "C1", "900.00", MON + timedelta(days=10), actor="ann", on=MON)
    review_all(book, MON + timedelta(days=20))
    result = history.verify(book)
    assert result.ok
    assert result.checked == len(history.entries(book, "C1")) + len(history.entries(book, "C2"))


def test_what_the_daily_run_reads_contacts_and_broken_promises(
    book_with_debt: Book, tmp_path: Path
):
    book = book_with_debt
    calls.record_call(book, "C1", "promise", actor="ann", on=MON)
    calls.record_note(book, "C1", "not a contact", actor="ann", on=MON)
    calls.record_visit(book, "C2", "spoke", actor="ann", on=MON + timedelta(days=1))
    promises.add_promise(book, "C1", "50.00", MON + timedelta(days=2), actor="ann", on=MON)
    review_all(book, MON + timedelta(days=10))
    with book.read() as conn:
        c1, c2 = history.customer_id_of(conn, "C1"), history.customer_id_of(conn, "C2")
        assert holds.manual_contacts_for(conn, [c1, c2], MON + timedelta(days=10)) == {
            c1: [(MON, "call")],
            c2: [(MON + timedelta(days=1), "visit")],
        }
        assert holds.manual_contacts_for(conn, [c1, c2], MON) == {c1: [(MON, "call")]}
        assert holds.broken_promises_for(conn, [c1, c2], MON + timedelta(days=10)) == {c1: 1}
        assert holds.broken_promises_for(conn, [c1], MON + timedelta(days=400)) == {}


def test_cancelling_and_refusing_are_logged_corrections(book_with_debt: Book):
    book = book_with_debt
    p = promises.add_promise(book, "C1", "50.00", MON + timedelta(days=2), actor="ann", on=MON)
    assert promises.cancel_promise(book, p.id, actor="ann", on=MON, reason="typo").status == (
        "cancelled"
    )
    with pytest.raises(CaseworkError, match="not open"):
        promises.cancel_promise(book, p.id, actor="ann", on=MON, reason="again")
    plan = plans.create_plan(book, "C1", 2, MON + timedelta(days=3), actor="ann", on=MON)
    assert [u.number for u in plan_review.upcoming_installments(book, MON, days_ahead=3)] == [1]
    assert plan_review.upcoming_installments(book, MON, days_ahead=2) == []
    plans.cancel_plan(book, plan.id, actor="ann", on=MON, reason="replaced by a settlement")
    users.add_user(book, "carl", "a long password 3", Role.COLLECTOR)
    w = writeoffs.write_off(book, "C2", "small_balance", actor="carl", on=MON)
    assert writeoffs.refuse_write_off(book, w.id, actor="ann", on=MON, reason="no").status == (
        "refused"
    )
    assert balance(book, "C2") == 25000
    assert kinds(book, "C1") == ["promise", "correction", "plan", "correction"]
    assert kinds(book, "C2") == ["write_off_requested", "correction"]


def test_paying_an_offer_in_time_accepts_and_settles_it(book_with_debt: Book, tmp_path: Path):
    book = book_with_debt
    s = settlements.offer(book, "C2", "200.00", MON + timedelta(days=7), actor="ann", on=MON)
    pay(book, tmp_path, "C2", MON + timedelta(days=6), "200.00")
    changed = settlements.review_settlements(book, MON + timedelta(days=9))
    assert [c.status for c in changed] == ["settled"]
    after = settlements.get_settlement(book, s.id)
    assert after.accepted_on == MON + timedelta(days=6)
    assert after.settled_on == MON + timedelta(days=6)
    assert balance(book, "C2") == 0
    assert kinds(book, "C2") == [
        "settlement_offer",
        "settlement_accepted",
        "settlement_paid",
        "write_off",
    ]


def test_holds_for_many_customers_read_the_same(book_with_debt: Book):
    """The daily run asks for thousands of customers at once: the same holds come back."""
    book = book_with_debt
    promises.add_promise(book, "C1", "50.00", MON + timedelta(days=2), actor="ann", on=MON)
    disputes.open_dispute(book, "C2", "B1", "price", actor="ann", on=MON, amount="10.00")
    holds.set_flag(book, "C2", "insolvency", actor="ann", on=MON)
    with book.read() as conn:
        c1, c2 = history.customer_id_of(conn, "C1"), history.customer_id_of(conn, "C2")
        few = holds.holds_for(conn, [c1, c2], MON)
        many = holds.holds_for(conn, [c1, c2, *range(10_000, 15_000)], MON)
    assert few == many
    assert sorted(h.kind.value for h in few[c2]) == ["dispute", "insolvency"]
    assert [h.kind.value for h in few[c1]] == ["promise"]
