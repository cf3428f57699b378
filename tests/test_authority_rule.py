"""The one authority rule (recoup.domain.casework.authority) and the collector's limits
from the policy file: every boundary worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from recoup.domain.authority_limits import AmountLimit, CollectorLimits
from recoup.domain.casework.authority import Kind, Outcome, Reduction, Role, decide
from recoup.domain.casework.errors import CaseworkError
from recoup.domain.money import Money
from recoup.domain.policy import Authority, PolicyAmount, SettlementFloor
from recoup.policy import load_policy
from recoup.policy.writer import to_toml


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


DEFAULT = Authority(settlement=(SettlementFloor(0, Decimal(90)), SettlementFloor(120, Decimal(50))))


def credit(amount: str, invoice: str = "600.00", kind: Kind = Kind.CREDIT_NOTE) -> Reduction:
    return Reduction(kind, eur(amount), eur(invoice))


def test_the_built_in_collector_may_credit_up_to_100_and_a_quarter_of_the_invoice():
    assert decide(Role.COLLECTOR, DEFAULT, credit("100.00")).outcome is Outcome.ALLOWED
    beyond = decide(Role.COLLECTOR, DEFAULT, credit("100.01"))
    assert beyond.outcome is Outcome.NEEDS_OWNER
    assert "more than the 100.00 EUR" in beyond.reason
    # 25% of 300.00 is 75.00: 75.00 is within, 75.01 is not, though under 100.00
    assert decide(Role.COLLECTOR, DEFAULT, credit("75.00", "300.00")).allowed
    quarter = decide(Role.COLLECTOR, DEFAULT, credit("75.01", "300.00"))
    assert quarter.outcome is Outcome.NEEDS_OWNER
    assert "more than 25% of 300.00 EUR" in quarter.reason
    # an upheld dispute is a credit note of the whole disputed part: the same limit
    assert decide(Role.COLLECTOR, DEFAULT, credit("250.00", "250.00", Kind.UPHELD)).outcome is (
        Outcome.NEEDS_OWNER
    )


def test_a_limit_holds_for_the_sum_of_small_steps():
    assert decide(Role.COLLECTOR, DEFAULT, credit("60.00")).allowed
    again = Reduction(Kind.CREDIT_NOTE, eur("40.00"), eur("600.00"), earlier=eur("60.00"))
    assert decide(Role.COLLECTOR, DEFAULT, again).allowed  # 100.00 in all: the limit
    more = Reduction(Kind.UPHELD, eur("40.01"), eur("600.00"), earlier=eur("60.00"))
    verdict = decide(Role.COLLECTOR, DEFAULT, more)
    assert verdict.outcome is Outcome.NEEDS_OWNER
    assert "(100.01 EUR with the 60.00 EUR taken off before)" in verdict.reason


def test_no_write_off_without_the_owner_unless_the_policy_says_so():
    off = Reduction(Kind.WRITE_OFF, eur("0.01"), eur("1000.00"))
    verdict = decide(Role.COLLECTOR, DEFAULT, off)
    assert verdict.outcome is Outcome.NEEDS_OWNER
    assert "no authority" in verdict.reason
    small = Authority(
        collector=CollectorLimits(write_off=AmountLimit(PolicyAmount(Decimal("5.00")), None))
    )
    assert decide(Role.COLLECTOR, small, off).allowed
    assert not decide(
        Role.COLLECTOR, small, Reduction(Kind.WRITE_OFF, eur("5.01"), eur("9"))
    ).allowed


def test_a_limit_in_one_currency_gives_no_authority_in_another():
    gbp_only = Authority(
        collector=CollectorLimits(credit=AmountLimit(PolicyAmount(Decimal("100.00"), "GBP")))
    )
    assert decide(Role.COLLECTOR, gbp_only, Reduction(Kind.UPHELD, Money.of("1.00", "GBP"),
                                                       Money.of("10", "GBP"))).allowed  # fmt: skip
    eur_credit = decide(Role.COLLECTOR, gbp_only, credit("1.00"))
    assert eur_credit.outcome is Outcome.NEEDS_OWNER
    assert "not for EUR" in eur_credit.reason


def test_viewers_are_refused_and_owners_allowed_whatever_the_amount():
    for reduction in (
        credit("0.01"),
        Reduction(Kind.WRITE_OFF, eur("1000.00"), eur("1000.00")),
        Reduction(Kind.SETTLEMENT, eur("999.00"), eur("1000.00"), 200),
    ):
        viewer = decide(Role.VIEWER, DEFAULT, reduction)
        assert viewer.outcome is Outcome.REFUSED
        assert viewer.reason.startswith("a viewer may not take anything off")
        assert decide(Role.OWNER, DEFAULT, reduction).outcome is Outcome.ALLOWED


def test_settlements_follow_the_floors_for_a_collector():
    # 124 days past due: the 50% floor; settling 1000.00 for 500.00 takes off 500.00
    at_floor = Reduction(Kind.SETTLEMENT, eur("500.00"), eur("1000.00"), 124)
    verdict = decide(Role.COLLECTOR, DEFAULT, at_floor)
    assert verdict.allowed
    assert verdict.settlement is not None
    assert verdict.settlement.floor == eur("500.00")
    below = Reduction(Kind.SETTLEMENT, eur("500.01"), eur("1000.00"), 124)
    assert decide(Role.COLLECTOR, DEFAULT, below).outcome is Outcome.NEEDS_OWNER
    # at 30 days the 90% floor: 1000.00 for 899.99 is below it
    young = Reduction(Kind.SETTLEMENT, eur("100.01"), eur("1000.00"), 30)
    assert decide(Role.COLLECTOR, DEFAULT, young).outcome is Outcome.NEEDS_OWNER
    # the owner's own offer below the floor says so, and is the owner's decision
    owner = decide(Role.OWNER, DEFAULT, below)
    assert owner.allowed
    assert owner.reason.endswith("an owner's decision")
    assert "below the floor" in owner.reason
    assert "must approve" not in owner.reason  # the owner is who approves: not told to


def test_a_reduction_takes_off_more_than_nothing_in_one_currency():
    with pytest.raises(CaseworkError, match="more than nothing"):
        credit("0.00")
    with pytest.raises(CaseworkError, match="cannot come off"):
        Reduction(Kind.CREDIT_NOTE, eur("1.00"), Money.of("5.00", "GBP"))


POLICY = """\
name = "p"
currency = "GBP"

[[stage]]
name = "remind"
days_from_due = 7
email = "overdue-friendly"

[authority.payment_plan]
min_installment = "25.00"

[authority.collector]
credit_up_to = "40.00"
write_off_percent = "10"
"""


def test_the_policy_file_sets_the_limits_and_round_trips():
    read = load_policy(POLICY)
    assert read.ok, read.problems
    limits = read.policy.authority.collector
    assert limits.credit == AmountLimit(PolicyAmount(Decimal("40.00"), "GBP"), None)
    assert limits.write_off == AmountLimit(None, Decimal(10))
    assert load_policy(to_toml(read.policy)).policy == read.policy
    # without the table, the built-in limits, in the policy's currency
    plain = load_policy(POLICY.split("[authority.collector]")[0]).policy
    assert plain.authority.collector.credit == AmountLimit(
        PolicyAmount(Decimal("100.00"), "GBP"), Decimal(25)
    )
    assert plain.authority.collector.write_off.grants_nothing


def test_limits_out_of_range_are_problems_at_their_lines():
    text = POLICY.replace('"40.00"', '"-1"').replace('"10"', '"120"')
    bad = load_policy(text)
    assert bad.policy is None
    lines = text.splitlines()
    found = {(lines[p.line - 1].split(" =")[0], p.message) for p in bad.problems if p.line}
    assert found == {
        ("credit_up_to", "the amount must be 0 or more, not -1 GBP"),
        ("write_off_percent", "write_off_percent is between 0 and 100, not 120"),
    }
