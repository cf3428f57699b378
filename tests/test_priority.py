from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from recoup.domain.money import Money
from recoup.domain.priority import PayerKind, PriorityInput, priority


def test_a_large_new_debt_outranks_a_small_one_from_a_long_standing_client():
    old_client = priority(
        PriorityInput(
            Money.of("250", "USD"),
            20,
            kind=PayerKind.RELIABLE,
            customer_years=10,
            settled_invoices=120,
        )
    )
    new_debtor = priority(PriorityInput(Money.of("15000", "USD"), 20))
    assert new_debtor.score > old_client.score
    assert "likely an oversight" in old_client.explain()
    assert old_client.next_step.startswith("friendly reminder")


def test_worked_example_and_explanation():
    p = priority(
        PriorityInput(
            Money.of("1000", "EUR"),
            60,
            broken_promises=1,
            kind=PayerKind.EVADER,
            average_days_late=Decimal("45.5"),
            days_to_limitation=90,
        )
    )
    # amount 1,000 -> 18; 60 days -> 10; one broken promise -> 10; evader -> 10;
    # 45.5 days late on average -> 5; 90 days left -> 1 + 90*14//180 = 8
    assert [(f.name, f.points) for f in p.factors] == [
        ("amount", 18),
        ("days_past_due", 10),
        ("broken_promises", 10),
        ("kind", 10),
        ("history", 5),
        ("limitation", 8),
    ]
    assert p.score == 61
    assert "1 promise to pay broken (+10)" in p.explain()
    assert p.next_step.startswith("call: a promise was broken")


def test_time_barred_debts_are_never_threatened():
    p = priority(PriorityInput(Money.of("5000", "GBP"), 2500, days_to_limitation=-3))
    assert "do not threaten legal action" in p.next_step


amounts = st.integers(0, 10**9).map(lambda m: Money(m, "USD"))


@given(
    amounts,
    st.integers(-30, 4000),
    st.integers(0, 5),
    st.sampled_from(list(PayerKind)),
    st.none() | st.integers(-100, 4000),
)
def test_score_is_bounded_and_monotone_in_amount_and_age(amount, dpd, broken, kind, left):
    base = PriorityInput(amount, dpd, broken, kind, days_to_limitation=left)
    p = priority(base)
    assert 0 <= p.score <= 100
    assert p.score == max(0, min(100, sum(f.points for f in p.factors)))
    more = priority(
        PriorityInput(
            Money(amount.minor * 10 + 100, "USD"), dpd + 30, broken, kind, days_to_limitation=left
        )
    )
    assert more.score >= p.score


@settings(max_examples=400, deadline=None)
@given(
    minor=st.integers(0, 10**15),
    currency=st.sampled_from(("EUR", "JPY", "BHD", "GBP")),  # 2, 0, 3 minor digits
)
def test_amount_points_are_six_a_tenfold_as_decimal_log10_gives_them(
    minor: int, currency: str
) -> None:
    """The integer reckoning equals floor(6 * log10(amount)) in Decimal, capped at 30."""
    from decimal import ROUND_FLOOR

    from recoup.domain.priority import _amount_points

    money = Money(minor, currency)
    major = money.amount
    want = 0 if major < 1 else min(30, int((major.log10() * 6).to_integral_value(ROUND_FLOOR)))
    assert _amount_points(money) == want


def test_amount_points_at_the_powers_of_ten() -> None:
    from recoup.domain.priority import _amount_points

    assert [_amount_points(Money(10**n, "EUR")) for n in range(2, 9)] == [0, 6, 12, 18, 24, 30, 30]
    assert _amount_points(Money(99, "EUR")) == 0  # 0.99 is less than one
    assert _amount_points(Money(999, "EUR")) == 5  # 9.99: 6 * 0.9996 = 5.99


@settings(max_examples=300, deadline=None)
@given(
    amounts,
    st.integers(-30, 4000),
    st.integers(0, 5),
    st.sampled_from(list(PayerKind)),
    st.none() | st.decimals(-10, 200, places=1),
    st.integers(0, 30),
    st.integers(0, 12),
    st.none() | st.integers(-100, 4000),
)
def test_the_score_alone_is_the_priority_s_score(
    amount, dpd, broken, kind, late, settled, years, left
) -> None:
    """`score` (what the worklist ranks every task by) equals the explained priority's."""
    from recoup.domain.priority import score

    item = PriorityInput(amount, dpd, broken, kind, late, settled, years, left)
    assert score(item) == priority(item).score
