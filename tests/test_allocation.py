from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from recoup.domain.allocation import allocate
from recoup.domain.ledger import Credit, CreditKind, Invoice
from recoup.domain.money import Money

D0 = date(2025, 1, 1)


def inv(number, issued, amount, terms=30, currency="EUR"):
    issue = D0 + timedelta(days=issued)
    return Invoice(number, "c", issue, issue + timedelta(days=terms), Money.of(amount, currency))


def pay(key, day, amount, invoice=None, currency="EUR", kind=CreditKind.PAYMENT):
    return Credit(key, "c", D0 + timedelta(days=day), Money.of(amount, currency), kind, invoice)


def test_oldest_first_without_a_named_invoice():
    result = allocate([inv("B", 10, "100"), inv("A", 0, "100")], [pay("p1", 40, "150")])
    got = [(a.invoice, a.amount.to_json()) for a in result.allocations]
    assert got == [("A", "100.00"), ("B", "50.00")]
    assert result.unapplied == {}


def test_a_named_invoice_is_paid_first_and_the_rest_goes_oldest_first():
    result = allocate([inv("A", 0, "100"), inv("B", 10, "100")], [pay("p1", 40, "150", "B")])
    got = [(a.invoice, a.amount.to_json()) for a in result.allocations]
    assert got == [("B", "100.00"), ("A", "50.00")]


def test_overpayment_stays_unapplied_until_a_new_invoice_arrives():
    result = allocate([inv("A", 0, "100"), inv("B", 50, "30")], [pay("p1", 10, "120")])
    got = [(a.invoice, a.amount.to_json(), a.date) for a in result.allocations]
    assert got == [
        ("A", "100.00", D0 + timedelta(days=10)),
        ("B", "20.00", D0 + timedelta(days=50)),
    ]
    assert result.unapplied == {}


def test_payment_before_its_named_invoice_waits_for_it():
    result = allocate([inv("A", 0, "100"), inv("B", 20, "100")], [pay("p1", 5, "100", "B")])
    assert [(a.invoice, a.date) for a in result.allocations] == [("B", D0 + timedelta(days=20))]


def test_credit_notes_apply_like_payments_and_currencies_stay_apart():
    result = allocate(
        [inv("A", 0, "100"), inv("U", 0, "100", currency="USD")],
        [pay("c1", 3, "40", kind=CreditKind.CREDIT_NOTE), pay("p1", 4, "10", currency="USD")],
    )
    got = {(a.invoice, a.amount.to_json()) for a in result.allocations}
    assert got == {("A", "40.00"), ("U", "10.00")}


@st.composite
def books(draw):
    n_inv = draw(st.integers(0, 8))
    invoices = [
        inv(
            f"I{i}",
            draw(st.integers(0, 60)),
            str(draw(st.integers(0, 50000)) / 100),
            draw(st.integers(0, 60)),
        )
        for i in range(n_inv)
    ]
    names = [i.number for i in invoices] + [None, "MISSING"]
    credits = [
        pay(
            f"P{j}",
            draw(st.integers(0, 120)),
            str(draw(st.integers(1, 60000)) / 100),
            draw(st.sampled_from(names)),
        )
        for j in range(draw(st.integers(0, 8)))
    ]
    return invoices, credits


@settings(max_examples=300, deadline=None)
@given(books())
def test_allocation_never_loses_or_invents_a_cent(book):
    invoices, credits = book
    result = allocate(invoices, credits)
    by_credit: dict[str, int] = {}
    by_invoice: dict[str, int] = {}
    for a in result.allocations:
        assert a.amount.minor > 0
        by_credit[a.credit] = by_credit.get(a.credit, 0) + a.amount.minor
        by_invoice[a.invoice] = by_invoice.get(a.invoice, 0) + a.amount.minor
    for c in credits:
        rest = result.unapplied.get(c.key, Money.zero("EUR")).minor
        assert by_credit.get(c.key, 0) + rest == c.amount.minor
    issued = {i.number: i for i in invoices}
    for number, paid in by_invoice.items():
        assert paid <= issued[number].amount.minor
    for a in result.allocations:
        assert a.date >= issued[a.invoice].issue_date
        credit = next(c for c in credits if c.key == a.credit)
        assert a.date >= credit.date
    # credit is left unapplied only when every invoice is fully paid
    if result.unapplied:
        assert all(by_invoice.get(n, 0) == i.amount.minor for n, i in issued.items())
