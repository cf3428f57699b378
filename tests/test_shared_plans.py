"""Deciding once per case facts (`recoup.domain.shared_plans`) must answer every case as
`plan_case` does: for random plans with amount bands, tags and categories, and for
groups of cases with equal facts that differ in what must not matter (customer,
balance within its class, invoice numbers, the cycle's first day)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from recoup.domain.collection import (
    CaseFacts,
    CaseInput,
    OpenInvoice,
    OpenSummary,
    fill,
    next_review_with_safety,
    plan_case,
    summarize,
)
from recoup.domain.contact_rules import Debtor
from recoup.domain.limitation import time_barred_on
from recoup.domain.policy import (
    Actions,
    AmountBand,
    Conditions,
    Escalation,
    EscalationRule,
    FeesAndInterest,
    InterestKind,
    Onboarding,
    PolicyAmount,
    Step,
    WriteOffRule,
)
from recoup.domain.priority import PayerKind
from recoup.domain.shared_plans import SharedPlans
from recoup.jurisdictions.catalogue import default_limitations
from recoup.policy import default_policy
from tests.test_collection_properties import START, cases, policies

AMOUNTS = st.sampled_from([Decimal(v) for v in ("5.00", "100.00", "999.99", "5000.00")])


@st.composite
def bands(draw):
    low = draw(st.none() | AMOUNTS)
    below = draw(st.none() | AMOUNTS)
    if low is not None and below is not None and below <= low:
        low, below = None, below
    currency = draw(st.sampled_from([None, "EUR", "GBP"]))
    return AmountBand(
        None if low is None else PolicyAmount(low, currency),
        None if below is None else PolicyAmount(below, currency),
    )


@st.composite
def banded_policies(draw):
    policy = draw(policies())
    stages = tuple(
        replace(
            s,
            # now and then a stage that only charges a share of the overdue part
            actions=Actions(fee_percent=Decimal("1.5"))
            if draw(st.integers(0, 4)) == 0
            else s.actions,
            conditions=Conditions(
                draw(bands()),
                tags=tuple(draw(st.sets(st.sampled_from(["vip", "consumer"]), max_size=1))),
                categories=tuple(draw(st.sets(st.sampled_from(list(PayerKind)), max_size=2))),
            ),
        )
        for s in policy.stages
    )
    escalation = Escalation(
        recommend=tuple(
            EscalationRule(
                draw(st.sampled_from(list(Step))),
                after_days=draw(st.none() | st.integers(0, 120)),
                band=draw(bands()),
                broken_promises=draw(st.none() | st.integers(1, 2)),
            )
            for _ in range(draw(st.integers(0, 2)))
        ),
        write_off=tuple(
            WriteOffRule(draw(st.integers(30, 200)), draw(bands()))
            for _ in range(draw(st.integers(0, 1)))
        ),
    )
    # a first contact opens gently, or by age (`recoup.domain.onboarding`)
    onboarding = draw(st.sampled_from(list(Onboarding)))
    return replace(
        policy, stages=stages, escalation=escalation, fees=FeesAndInterest(), onboarding=onboarding
    )


def _facts(shared: SharedPlans, case: CaseInput) -> CaseFacts:
    """The case's facts as the run gives them to share decisions."""
    assert case.summary is not None
    return shared.shared(case.facts(case.summary))


def _bare(case: CaseInput, day: date, tags: tuple[str, ...], kind: PayerKind) -> CaseInput:
    """The case as the run's first read gives it: its figures without the numbers (they
    go into actions only), and the limitation day its country and tags give."""
    summary = summarize(case.invoices, day)
    assert summary is not None
    consumer = "consumer" in tags
    return replace(
        case,
        invoices=(),
        summary=OpenSummary(
            summary.invoice_count,
            summary.balance,
            summary.overdue,
            summary.oldest_due,
            "",
            "",
        ),
        tags=tags,
        kind=kind,
        limitation=time_barred_on(
            summary.oldest_due, case.debtor.country, consumer, table=default_limitations()
        ),
    )


def _check(shared: SharedPlans, cases_: list[CaseInput], day: date) -> int:
    """Every case's plan from the shape of its shared facts, filled with its own figures,
    is the plan `plan_case` makes of it; how many had actions."""
    with_actions = 0
    for case in cases_:
        made = shared.shape(_facts(shared, case))
        # the numbers: an oldest number and the numbers of the case's own
        assert case.summary is not None
        summary = case.summary._replace(
            oldest_number=f"{case.customer}-1", numbers_text=f"{case.customer}-1"
        )
        plan = plan_case(replace(case, summary=summary), shared.policy, day, with_notes=False)
        filled = fill(made, case.currency, summary, case.cycle_start or day)
        assert filled.actions == plan.actions, case
        assert filled.skipped == plan.skipped
        assert next_review_with_safety(made.next_review, case.customer, day) == plan.next_review
        assert filled.cycle_start == (case.cycle_start or day) == plan.cycle_start
        with_actions += bool(plan.actions)
    return with_actions


@st.composite
def groups(draw):
    """Cases with the same shared facts: one random case, and others that differ from it
    only in the customer, the balance (between the same two amounts of the plan), the
    numbers and the cycle's first day; and a case or two with other facts."""
    base = draw(cases())
    tags = tuple(draw(st.sets(st.sampled_from(["vip", "consumer", "x"]), max_size=2)))
    kind = draw(st.sampled_from(list(PayerKind)))
    done_days = draw(st.lists(st.integers(1, 40), max_size=3))
    done = tuple((f"s{i}", START - timedelta(days=d)) for i, d in enumerate(done_days))
    others = draw(st.lists(cases(), max_size=2))
    return base, tags, kind, done, others


@settings(max_examples=150, deadline=None)
@given(groups(), banded_policies() | st.just(default_policy()), st.integers(-30, 120), st.data())
def test_shared_answers_are_plan_case_answers(group, policy, offset, data):
    base, tags, kind, done, others = group
    day = START + timedelta(days=offset)
    shared = SharedPlans(policy, day)
    first = replace(_bare(base, day, tags, kind), done=done, customer="C1")
    assert first.summary is not None
    edges = sorted({e for b in shared._bands for e in b.edges(first.currency)})
    klass = bisect_right(edges, first.summary.balance)
    low = edges[klass - 1] if klass else 1
    high = edges[klass] - 1 if klass < len(edges) else first.summary.balance * 3 + 10
    same = [first]
    for n in range(4):
        balance = data.draw(st.integers(max(low, 1), max(high, low, 1)))
        same.append(
            replace(
                first,
                customer=f"C{n + 2}",
                cycle_start=data.draw(st.none() | st.just(START - timedelta(days=50))),
                summary=first.summary._replace(
                    balance=balance,
                    # overdue or not as the first (all of it, or none)
                    overdue=balance if first.summary.overdue else 0,
                    numbers_text=f"N{n}",
                ),
            )
        )
    # the same case with nothing overdue, or all of it: other facts only when a stage
    # charges a share of the overdue part
    flipped = 0 if first.summary.overdue else first.summary.balance
    same.append(replace(first, customer="O1", summary=first.summary._replace(overdue=flipped)))
    # the same case for customers of other kinds and tags: the same facts when the plan
    # cannot tell them apart, else others
    for n, (other_tags, other_kind) in enumerate(
        data.draw(
            st.lists(
                st.tuples(
                    st.sets(st.sampled_from(["vip", "consumer", "x"]), max_size=2).map(tuple),
                    st.sampled_from(list(PayerKind)),
                ),
                max_size=3,
            )
        )
    ):
        same.append(replace(_bare(base, day, other_tags, other_kind), done=done, customer=f"K{n}"))
    rest = [
        replace(_bare(o, day, (), PayerKind.UNKNOWN), customer=f"D{i}")
        for i, o in enumerate(others)
    ]
    acted = _check(shared, [*same, *rest, *same], day)
    event(f"cases with actions: {'some' if acted else 'none'}")
    assert shared.decided <= len(rest) + len(same)  # equal facts are decided once


def _one(customer: str, minor: int = 12000) -> CaseInput:
    invoices = (OpenInvoice("I1", START, minor, "EUR"),)
    return CaseInput(customer, "EUR", invoices, Debtor("GB", "Europe/London"))


def test_equal_facts_are_decided_once():
    day = START + timedelta(days=40)
    shared = SharedPlans(default_policy(), day)
    facts = [
        _facts(shared, _bare(_one(f"C{n}", 12000 + n), day, (), PayerKind.UNKNOWN))
        for n in range(5)
    ]
    assert len(set(facts)) == 1  # the balances lie between the same two amounts
    shapes = {shared.shape(f) for f in facts}
    assert shared.decided == 1
    assert len(shapes) == 1  # all five alike


def test_plans_with_interest_are_not_shared():
    policy = replace(default_policy(), fees=FeesAndInterest(InterestKind.CONTRACTUAL, Decimal(8)))
    with pytest.raises(ValueError, match="interest"):
        SharedPlans(policy, START)


def test_a_reason_is_a_template_and_its_figures():
    """Text of the plan goes into a reason as it is, braces and all; the figures go
    where the template names them."""
    policy = default_policy()
    odd = replace(
        policy, stages=tuple(replace(s, name="{balance} " + s.name) for s in policy.stages)
    )
    plans = [plan_case(_one("C1", 12345), odd, START + timedelta(days=n)) for n in range(30, 45)]
    acting = [a for p in plans for a in p.actions if a.kind in ("email", "letter")]
    assert acting
    for action in acting:
        assert "\x00" not in action.reason
        assert action.reason.startswith(f"{action.stage} (")  # "{balance} ..." as it is
        assert action.stage.startswith("{balance} ")
        assert "balance 123.45" in action.reason  # the figure where the template names it
