"""Property tests of the casework arithmetic: plans sum exactly to the amount, promises and
plans are kept exactly when the payments say so, settlement floors and the write-off of
the rest add up, and applying payments and casework credit notes never loses or invents
a cent."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoup.domain.allocation import allocate
from recoup.domain.casework.options import CompareInput, compare
from recoup.domain.casework.plans import (
    InstallmentStatus,
    PlanStatus,
    limit_problems,
    most_installments,
    schedule,
    split,
    track,
)
from recoup.domain.casework.promises import PromiseStatus, outcome
from recoup.domain.casework.settlement import authority_check
from recoup.domain.casework.writeoff import tax_part
from recoup.domain.ledger import Credit, CreditKind, Invoice
from recoup.domain.money import Money
from recoup.domain.policy import Authority, PlanLimits, PolicyAmount, SettlementFloor
from recoup.domain.priority import PayerKind
from recoup.services.book import Book
from recoup.services.casework import plan_review
from recoup.services.casework import plans as plan_service
from tests.casework_data import invoices, pay

START = date(2026, 11, 2)
minor = st.integers(min_value=1, max_value=10_000_000)
currencies = st.sampled_from(["EUR", "JPY", "KWD", "USD"])  # 2, 0, 3 and 2 decimals


@given(total=st.integers(0, 10**12), count=st.integers(1, 240), cur=currencies)
def test_split_sums_exactly_and_differs_by_at_most_one_unit(total: int, count: int, cur: str):
    parts = split(Money(total, cur), count)
    assert len(parts) == count
    assert sum(p.minor for p in parts) == total
    assert max(p.minor for p in parts) - min(p.minor for p in parts) <= 1
    assert [p.minor for p in parts] == sorted((p.minor for p in parts), reverse=True)


@given(
    principal=minor,
    count=st.integers(1, 36),
    offset=st.integers(0, 60),
    every=st.integers(1, 62),
    rate=st.one_of(st.none(), st.decimals(0, 30, places=2)),
    fee=st.one_of(st.none(), st.integers(0, 50_000)),
    cur=currencies,
)
def test_a_schedule_sums_to_principal_plus_interest_plus_fee(
    principal, count, offset, every, rate, fee, cur
):
    plan = schedule(
        Money(principal, cur),
        count,
        START + timedelta(days=offset),
        start=START,
        every_days=every,
        rate_percent=rate,
        fee=None if fee is None else Money(fee, cur),
    )
    inst = plan.installments
    assert sum(i.principal.minor for i in inst) == principal
    assert plan.total.minor == principal + plan.interest.minor + plan.fee.minor
    assert plan.fee.minor == (fee or 0)
    assert inst[0].fee.minor == (fee or 0)
    assert all(i.interest.minor >= 0 for i in inst)
    if not rate:
        assert plan.interest.minor == 0
    else:  # never more than a full-principal interest for the whole span (plus rounding)
        days = (inst[-1].due - START).days
        bound = Decimal(principal) * rate / 100 * days / 365 + count
        assert plan.interest.minor <= bound
    assert [i.due for i in inst] == sorted(i.due for i in inst)
    assert len({i.due for i in inst}) == count


@given(
    principal=minor,
    count=st.integers(1, 12),
    offset=st.integers(0, 45),
    max_inst=st.integers(1, 12),
    minimum=st.integers(0, 500_000),
)
def test_the_limits_refuse_exactly_what_breaks_them(principal, count, offset, max_inst, minimum):
    limits = PlanLimits(max_inst, PolicyAmount(Decimal(minimum) / 100), first_within_days=30)
    plan = schedule(Money(principal, "EUR"), count, START + timedelta(days=offset), start=START)
    problems = limit_problems(plan, limits)
    breaks = (
        count > max_inst or min(i.amount.minor for i in plan.installments) < minimum or offset > 30
    )
    assert bool(problems) == breaks
    most = most_installments(Money(principal, "EUR"), limits)
    if most:  # the most the script may offer is itself within the limits
        within = schedule(Money(principal, "EUR"), most, START, start=START)
        assert limit_problems(within, limits) == []


payments_strategy = st.lists(st.tuples(st.integers(-5, 200), st.integers(1, 300_000)), max_size=12)


@given(
    principal=st.integers(100, 2_000_000),
    count=st.integers(1, 8),
    every=st.integers(7, 40),
    paid=payments_strategy,
    as_of=st.integers(0, 400),
    grace=st.integers(0, 10),
    after=st.integers(1, 3),
)
def test_tracking_a_plan_never_loses_or_invents_a_cent(
    principal, count, every, paid, as_of, grace, after
):
    plan = schedule(
        Money(principal, "EUR"), count, START + timedelta(days=every), start=START, every_days=every
    )
    day = START + timedelta(days=as_of)
    pays = [(START + timedelta(days=d), Money(m, "EUR")) for d, m in paid]
    state = track(plan, pays, day, grace_days=grace, default_after_missed=after)
    counted = sum(m.minor for d, m in pays if START <= d <= day)
    assert state.paid.minor == counted
    covered = sum(s.paid.minor for s in state.installments)
    assert covered == min(counted, plan.total.minor)
    for s in state.installments:
        assert 0 <= s.paid.minor <= s.installment.amount.minor
        assert (s.status is InstallmentStatus.PAID) == (s.paid.minor == s.installment.amount.minor)
    if state.status is PlanStatus.COMPLETED:
        assert counted >= plan.total.minor
        assert state.missed < after
    if state.status is PlanStatus.DEFAULTED:
        assert state.missed >= after


@given(
    principal=st.integers(100, 2_000_000),
    count=st.integers(1, 8),
    every=st.integers(7, 40),
    grace=st.integers(0, 10),
)
def test_paying_every_installment_on_its_day_completes_the_plan(principal, count, every, grace):
    plan = schedule(
        Money(principal, "EUR"), count, START + timedelta(days=every), start=START, every_days=every
    )
    pays = [(i.due, i.amount) for i in plan.installments]
    state = track(
        plan,
        pays,
        plan.installments[-1].due + timedelta(days=grace + 1),
        grace_days=grace,
        default_after_missed=1,
    )
    assert state.status is PlanStatus.COMPLETED
    assert state.missed == 0


@given(
    amount=st.integers(1, 1_000_000),
    promised=st.integers(0, 60),
    paid=payments_strategy,
    as_of=st.integers(0, 120),
    grace=st.integers(0, 10),
)
def test_a_promise_is_kept_exactly_when_paid_in_time(amount, promised, paid, as_of, grace):
    made_on, by, day = START, START + timedelta(days=promised), START + timedelta(days=as_of)
    pays = [(START + timedelta(days=d), Money(m, "EUR")) for d, m in paid]
    result = outcome(Money(amount, "EUR"), made_on, by, pays, day, grace)
    deadline = by + timedelta(days=grace)
    in_time = sum(m.minor for d, m in pays if made_on <= d <= min(day, deadline))
    if in_time >= amount:
        assert result.status is PromiseStatus.KEPT
        assert result.decided_on is not None
        assert result.decided_on <= min(day, deadline)
        assert result.paid.minor >= amount
    elif day > deadline:
        assert result.status is PromiseStatus.BROKEN
        assert result.paid.minor == in_time
        assert result.decided_on == deadline + timedelta(days=1)
    else:
        assert result.status is PromiseStatus.OPEN
        assert result.paid.minor == sum(m.minor for d, m in pays if made_on <= d <= day)


FLOORS = Authority(
    settlement=(
        SettlementFloor(0, Decimal(90)),
        SettlementFloor(60, Decimal(75)),
        SettlementFloor(120, Decimal("33.3")),
    )
)


@given(
    balance=st.integers(2, 10**9),
    offer_share=st.integers(1, 999),
    dpd=st.integers(0, 400),
    cur=currencies,
)
def test_settlement_authority_and_the_rest_add_up(balance, offer_share, dpd, cur):
    offer = Money(max(1, balance * offer_share // 1000), cur)
    check = authority_check(FLOORS, Money(balance, cur), dpd, offer)
    floor = FLOORS.lowest_settlement(dpd, Money(balance, cur))
    assert floor is not None
    assert check.floor == floor
    # the floor is the percentage rounded up: never below it, less than a unit above
    exact = Decimal(balance) * check.floor_percent / 100  # type: ignore[operator]
    assert exact <= floor.minor < exact + 1
    assert check.within == (offer >= floor)
    rest = Money(balance, cur) - offer
    assert rest.minor > 0
    assert rest.minor + offer.minor == balance


@given(
    written=st.integers(0, 10**8),
    extra=st.integers(0, 10**8),
    tax=st.integers(0, 10**7),
)
def test_tax_parts_are_proportional_and_never_exceed_the_tax(written, extra, tax):
    invoice = Money(written + extra + tax + 1, "EUR")
    part = tax_part(Money(written, "EUR"), invoice, Money(tax, "EUR"))
    assert 0 <= part.minor <= tax
    whole = tax_part(invoice, invoice, Money(tax, "EUR"))
    assert whole.minor == tax
    rest = tax_part(invoice - Money(written, "EUR"), invoice, Money(tax, "EUR"))
    assert abs(part.minor + rest.minor - tax) <= 1


@given(
    amounts=st.lists(st.integers(1, 500_000), min_size=1, max_size=6),
    paid=st.lists(st.tuples(st.integers(0, 90), st.integers(1, 400_000)), max_size=6),
    written=st.lists(st.tuples(st.integers(0, 5), st.integers(1, 400_000)), max_size=4),
)
def test_payments_and_casework_credit_notes_never_lose_or_invent_a_cent(amounts, paid, written):
    """Write-offs and dispute credits are credit notes naming an invoice; applied with the
    payments, every credit is either allocated or left unapplied, to the cent, and no
    invoice is paid more than its amount."""
    invs = [
        Invoice(f"I{n}", "C", START, START + timedelta(days=30 * n), Money(a, "EUR"))
        for n, a in enumerate(amounts)
    ]
    credits = [
        Credit(f"p{n}", "C", START + timedelta(days=d), Money(m, "EUR"))
        for n, (d, m) in enumerate(paid)
    ] + [
        Credit(
            f"c{n}",
            "C",
            START + timedelta(days=45),
            Money(m, "EUR"),
            CreditKind.CREDIT_NOTE,
            invs[i % len(invs)].number,
        )
        for n, (i, m) in enumerate(written)
    ]
    result = allocate(invs, credits)
    by_credit: dict[str, int] = {}
    for a in result.allocations:
        by_credit[a.credit] = by_credit.get(a.credit, 0) + a.amount.minor
        assert a.amount.minor > 0
    for c in credits:
        rest = result.unapplied.get(c.key, Money.zero("EUR")).minor
        assert by_credit.get(c.key, 0) + rest == c.amount.minor
    paid_by = result.paid_by_invoice()
    for inv in invs:
        assert 0 <= paid_by.get(inv.number, 0) <= inv.amount.minor
    total_credit = sum(c.amount.minor for c in credits)
    unapplied = sum(m.minor for m in result.unapplied.values())
    assert sum(paid_by.values()) == total_credit - unapplied
    # a credit is left unapplied only when every invoice is paid in full
    if unapplied:
        assert sum(paid_by.values()) == sum(amounts)


@given(
    balance=st.integers(100, 10**8),
    dpd=st.integers(0, 1000),
    kind=st.sampled_from(list(PayerKind)),
    broken=st.integers(0, 5),
    pct=st.decimals(1, 99, places=2),
)
def test_the_settlement_helper_figures_are_consistent(balance, dpd, kind, broken, pct):
    money = Money(balance, "EUR")
    result = compare(CompareInput(money, dpd, kind, broken, settle_percent=pct))
    by = {o.key: o for o in result.options}
    assert 5 <= result.chance_percent <= 98
    assert by["in_house"].expected == Money.round(money.amount * result.chance_percent / 100, "EUR")
    assert by["settle"].expected == Money.round(money.amount * pct / 100, "EUR")
    assert by["agency"].low <= by["agency"].expected <= by["in_house"].expected
    assert not by["small_claims"].available  # no limit given
    assert result.best.available


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    amounts=st.lists(st.integers(100, 200_000), min_size=1, max_size=3),
    count=st.integers(1, 6),
    paid=st.lists(st.tuples(st.integers(0, 200), st.integers(100, 300_000)), max_size=5),
)
def test_a_stored_plan_matches_the_balance_and_the_payments(amounts, count, paid):
    """Through the services and the store: the plan covers the balance exactly, and
    after review the installments cover exactly the payments (up to the total)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = Book.create(str(folder / "book.db"))
        try:
            invoices(
                book,
                folder,
                [
                    ("C1", f"I{n}", date(2026, 6, 1), date(2026, 7, 1), f"{a / 100:.2f}", "EUR", "")
                    for n, a in enumerate(amounts)
                ],
            )
            plan = plan_service.create_plan(
                book, "C1", count, START + timedelta(days=7), actor="t", on=START, every_days=30
            )
            assert sum(i.amount.minor for i in plan.installments) == sum(amounts)
            if plan.status == "needs_approval":  # below the minimum installment
                plan_service.approve_plan(book, plan.id, actor="owner", on=START)
            for n, (d, m) in enumerate(paid):
                pay(book, folder, "C1", START + timedelta(days=d), f"{m / 100:.2f}", ref=f"R{n}")
            as_of = START + timedelta(days=201)
            plan_review.review_plans(book, as_of)
            after = plan_service.get_plan(book, plan.id)
            paid_in_full = [i for i in after.installments if i.status == "paid"]
            total = sum(m for d, m in paid)
            running = 0
            for i in after.installments:
                running += i.amount.minor
                assert (i.status == "paid") == (running <= total)
            assert sum(i.amount.minor for i in paid_in_full) <= total
        finally:
            book.close()


def test_a_small_claims_limit_in_another_currency_is_named_not_compared():
    # a British customer billed in dollars: the limit is in pounds and Recoup keeps no
    # exchange rates, so the helper says what the limit is and leaves the comparison
    from recoup.domain.casework.options import SmallClaimsLimit

    limit = SmallClaimsLimit("GB", Money(1_000_000, "GBP"), "GBP", "gov.uk", "verified")
    result = compare(
        CompareInput(Money(250_000, "USD"), 200, small_claims=limit, jurisdiction="GB")
    )
    option = {o.key: o for o in result.options}["small_claims"]
    assert not option.available
    (note,) = option.notes
    assert "limit for GB is" in note
    assert "10000.00 GBP" in note.replace(",", "")
    assert "in USD" in note
    assert "convert" in note
