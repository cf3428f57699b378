"""An account's state on a day (`recoup.domain.account_state`), pure: no cent is lost or
invented on any day, and the balance is what was invoiced and charged less what was paid
and credited, whatever the order a payment pays costs, interest and principal in."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from recoup.domain.account_state import Charged, ChargeKind, account_state
from recoup.domain.accrual import compensation_words
from recoup.domain.ledger import Credit, CreditKind, Invoice
from recoup.domain.money import Money
from recoup.domain.policy import Part

D0 = date(2026, 1, 1)
ORDERS = [
    (Part.COSTS, Part.INTEREST, Part.PRINCIPAL),
    (Part.INTEREST, Part.COSTS, Part.PRINCIPAL),
    (Part.PRINCIPAL, Part.COSTS, Part.INTEREST),
    (Part.COSTS, Part.PRINCIPAL, Part.INTEREST),
]


@settings(max_examples=300, deadline=None)
@given(
    invoices=st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 40), st.integers(1, 10**6)), max_size=4
    ),
    credits=st.lists(
        st.tuples(st.booleans(), st.integers(0, 120), st.integers(1, 10**6), st.integers(0, 5)),
        max_size=4,
    ),
    charges=st.lists(
        st.tuples(st.sampled_from(list(ChargeKind)), st.integers(0, 120), st.integers(1, 10**5)),
        max_size=3,
    ),
    order=st.sampled_from(ORDERS),
    when=st.integers(0, 150),
)
def test_no_cent_is_lost_on_any_day(invoices, credits, charges, order, when) -> None:
    invs = [
        Invoice(f"I{i}", "C", D0 + timedelta(days=d), D0 + timedelta(days=d + t), Money(a, "EUR"))
        for i, (d, t, a) in enumerate(invoices)
    ]
    crs = [
        Credit(
            f"{'p' if pay else 'c'}:{i}",
            "C",
            D0 + timedelta(days=d),
            Money(a, "EUR"),
            CreditKind.PAYMENT if pay else CreditKind.CREDIT_NOTE,
            f"I{names}" if names < len(invs) else None,
        )
        for i, (pay, d, a, names) in enumerate(credits)
    ]
    chs = [
        Charged(f"a:{i}", kind, D0 + timedelta(days=d), Money(a, "EUR"))
        for i, (kind, d, a) in enumerate(charges)
    ]
    on = D0 + timedelta(days=when)
    state = account_state(invs, crs, chs, order, on)
    cs = state.of("EUR")
    if cs is None:
        assert not [x for x in invs if x.issue_date <= on]
        assert not [x for x in crs if x.date <= on]
        assert not [x for x in chs if x.on <= on]
        return
    # each credit: to invoices + to charges + on account = its amount, none negative
    for c in cs.credits:
        assert c.to_invoices.minor >= 0
        assert c.to_charges.minor >= 0
        assert c.unapplied.minor >= 0
        assert c.kind is CreditKind.PAYMENT or c.to_charges.minor == 0  # notes pay invoices
    for i in cs.invoices:
        assert 0 <= i.paid.minor <= i.amount.minor
    for ch in cs.charges:
        assert 0 <= ch.paid.minor <= ch.charge.amount.minor
        assert all(p.on <= on for p in ch.paid_by)
    # the balance, a second way: invoiced + charged - paid and credited, all by the day
    invoiced = sum(x.amount.minor for x in invs if x.issue_date <= on)
    charged = sum(x.amount.minor for x in chs if x.on <= on)
    credited = sum(x.amount.minor for x in crs if x.date <= on)
    assert cs.balance.minor == invoiced + charged - credited
    # with no credit after the day, the invoices of the day are paid as they will stay;
    # except where a credit names an invoice issued after the day: it waits for that
    # invoice on the day, and what that invoice does not need then pays the others
    issued_later = {x.number for x in invs if x.issue_date > on}
    if not any(x.date > on or x.invoice in issued_later for x in crs):
        final = account_state(invs, crs, chs, order, D0 + timedelta(days=400)).of("EUR")
        assert final is not None
        later = {i.number: i.paid for i in final.invoices if i.issue_date <= on}
        assert later == {i.number: i.paid for i in cs.invoices}


def test_a_charge_before_the_principal_is_paid_first_and_the_rest_goes_on_account() -> None:
    """Invoice €100.00, €40.00 compensation, €10.00 interest, then €200.00 paid (costs,
    interest, principal): 40.00 + 10.00 + 100.00 = 150.00 used, 50.00 on account;
    balance 0.00 + 0.00 - 50.00 = -€50.00."""
    inv = Invoice("R-1", "C", D0, D0 + timedelta(days=30), Money(10000, "EUR"))
    pay = Credit("p:1", "C", D0 + timedelta(days=60), Money(20000, "EUR"))
    comp = Charged("a:1", ChargeKind.COMPENSATION, D0 + timedelta(days=40), Money(4000, "EUR"))
    interest = Charged("a:2", ChargeKind.INTEREST, D0 + timedelta(days=40), Money(1000, "EUR"))
    cs = account_state([inv], [pay], [comp, interest], ORDERS[0], D0 + timedelta(days=61)).of("EUR")
    assert cs is not None
    assert (cs.principal, cs.charges_open(), cs.unapplied, cs.balance) == (
        Money(0, "EUR"), Money(0, "EUR"), Money(5000, "EUR"), Money(-5000, "EUR")
    )  # fmt: skip
    [credit] = cs.credits
    assert (credit.to_charges, credit.to_invoices) == (Money(5000, "EUR"), Money(10000, "EUR"))
    # the day before the payment: everything open
    before = account_state([inv], [pay], [comp, interest], ORDERS[0], D0 + timedelta(days=59))
    assert before.balances == (Money(15000, "EUR"),)  # 100.00 + 40.00 + 10.00


def test_compensation_words_are_made_from_their_figures() -> None:
    forty = Money(4000, "EUR")
    assert compensation_words([("INV-1", forty)]) == (
        "40.00 EUR compensation for 1 late invoice (INV-1)"
    )
    assert compensation_words([("INV-1", forty), ("INV-2", forty)]) == (
        "80.00 EUR compensation for 2 late invoices (INV-1, INV-2), 40.00 EUR each"
    )
    seventy = Money(7000, "GBP")
    assert compensation_words([("A", Money(4000, "GBP")), ("B", seventy)]) == (
        "110.00 GBP compensation for 2 late invoices (A: 40.00 GBP, B: 70.00 GBP)"
    )
