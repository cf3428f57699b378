"""Payments pay costs and interest before the principal where the law says so (§ 367(1)
BGB), else in the plan's order; no cent is lost or invented."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from recoup.domain.allocation import allocate
from recoup.domain.charges import Charge, pay_from_rest, take_before_principal
from recoup.domain.ledger import Credit, CreditKind, Invoice
from recoup.domain.money import Money
from recoup.domain.policy import Part
from recoup.services import daily_run, importing
from recoup.services.book import Book
from recoup.services.importing import Kind, Options
from recoup.services.policy import use_policy_text
from recoup.store import ledger_repo, run_repo

D0 = date(2026, 1, 1)
ORDERS = [
    (Part.COSTS, Part.INTEREST, Part.PRINCIPAL),
    (Part.INTEREST, Part.COSTS, Part.PRINCIPAL),
    (Part.PRINCIPAL, Part.COSTS, Part.INTEREST),
    (Part.COSTS, Part.PRINCIPAL, Part.INTEREST),
]


@settings(max_examples=300, deadline=None)
@given(
    invoices=st.lists(st.tuples(st.integers(0, 60), st.integers(1, 10**6)), min_size=1, max_size=4),
    charges=st.lists(
        st.tuples(
            st.sampled_from([Part.COSTS, Part.INTEREST]), st.integers(0, 90), st.integers(1, 10**5)
        ),
        max_size=4,
    ),
    payments=st.lists(
        st.tuples(st.integers(0, 120), st.integers(1, 10**6)), min_size=1, max_size=4
    ),
    order=st.sampled_from(ORDERS),
)
def test_no_cent_is_lost_and_charges_are_never_overpaid(invoices, charges, payments, order):
    invs = [
        Invoice(f"I{i}", "C", D0 + timedelta(days=d), D0 + timedelta(days=d + 30), Money(a, "EUR"))
        for i, (d, a) in enumerate(invoices)
    ]
    chs = [
        Charge(f"a:{i}", p, D0 + timedelta(days=d), Money(a, "EUR"))
        for i, (p, d, a) in enumerate(charges)
    ]
    pays = [
        Credit(f"p:{i}", "C", D0 + timedelta(days=d), Money(a, "EUR"), CreditKind.PAYMENT)
        for i, (d, a) in enumerate(payments)
    ]
    rest, taken = take_before_principal(pays, chs, order)
    result = allocate(invs, rest)
    dates = {p.key: p.date for p in pays}
    unapplied = {k: m for k, m in result.unapplied.items() if m.minor}
    after = pay_from_rest(unapplied, dates, chs, taken, order)
    for p in pays:
        to_charges = sum(t.amount.minor for t in taken + after if t.credit == p.key)
        to_invoices = sum(a.amount.minor for a in result.allocations if a.credit == p.key)
        left = result.unapplied.get(p.key, Money(0, "EUR")).minor
        left -= sum(t.amount.minor for t in after if t.credit == p.key)
        assert to_charges + to_invoices + left == p.amount.minor
        assert left >= 0
    for c in chs:
        paid = sum(t.amount.minor for t in taken + after if t.charge == c.key)
        assert 0 <= paid <= c.amount.minor
        # a charge before the principal in the order is never paid by a payment dated
        # before the charge was made
        if order.index(c.part) < order.index(Part.PRINCIPAL):
            assert all(dates[t.credit] >= c.on for t in taken if t.charge == c.key)


POLICY = """name = "p"
jurisdiction = "DE"
[fees]
interest = "statutory"
compensation = true

[[stage]]
name = "friendly"
days_from_due = 10
tone = "friendly"
email = "overdue-friendly"
"""


def test_a_payment_in_germany_pays_costs_then_interest_then_the_invoice(book: Book, tmp_path):
    due = date(2025, 1, 6)
    with book.write() as conn:
        ledger_repo.insert_customers(conn, [("K1", "Kunde", "DE", "de", "Europe/Berlin", "")])
        cid = ledger_repo.customer_ids(conn)["K1"]
        ledger_repo.insert_plain_invoices(
            conn, [(cid, "R-1", due - timedelta(days=30), due, "EUR", 100000, None, "", 30)]
        )
        run_repo.enqueue(conn, [cid])
    use_policy_text(book, POLICY)
    charged = []
    for n in range(12):
        charged += daily_run.run(book, due + timedelta(days=n)).actions
    costs = sum(int(a["amount"].replace(".", "")) for a in charged if a["kind"] == "fee")
    interest = sum(int(a["amount"].replace(".", "")) for a in charged if a["kind"] == "interest")
    assert costs == 4000  # EUR 40 compensation, § 288(5) BGB
    assert interest > 0
    paid_on = due + timedelta(days=20)
    pay = tmp_path / "pay.csv"
    pay.write_text(f"customer,date,amount,currency,reference\nK1,{paid_on},1000.00,EUR,T1\n")
    report = importing.import_file(book, Kind.PAYMENTS, pay, Options())
    assert report.ok, report.problems
    with book.read() as conn:
        paid_minor, status = conn.exec_driver_sql(
            "SELECT paid_minor, status FROM invoices WHERE number = 'R-1'"
        ).one()
        charges_paid = conn.exec_driver_sql(
            "SELECT kind, amount_minor, paid_minor FROM actions WHERE kind IN ('fee', 'interest')"
        ).all()
    # the 1,000.00 paid the EUR 40 and the interest first; the invoice keeps the rest open
    assert all(amount == paid for _k, amount, paid in charges_paid)
    assert paid_minor == 100000 - costs - interest
    assert status == "partial"
