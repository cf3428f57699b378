"""Deciding once per situation (`recoup.domain.shared_plans`) must answer every case as
`plan_case` does: for random plans with amount bands, tags and categories, and for
groups of cases that share a situation but differ in what must not matter (customer,
balance within its class, invoice numbers, the cycle's first day)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from recoup.domain.collection import (
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


def _situation(shared: SharedPlans, case: CaseInput, consumer: bool):
    summary = case.summary
    assert summary is not None
    debtor = case.debtor
    return shared.situation(
        case.currency,
        summary.balance,
        summary.overdue,
        summary.oldest_due,
        case.done,
        tuple(sorted(c.at for c in debtor.contacts)),
        debtor.holds,
        debtor.country,
        debtor.timezone,
        shared.tag_class(case.tags, case.kind, consumer),
        case.broken_promises,
    )


def _bare(case: CaseInput, day: date, tags: tuple[str, ...], kind: PayerKind) -> CaseInput:
    """The case as the run's first read gives it: a summary without details, and the
    limitation day its country and tags give."""
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
            False,
        ),
        tags=tags,
        kind=kind,
        limitation=time_barred_on(
            summary.oldest_due, case.debtor.country, consumer, table=default_limitations()
        ),
    )


def _check(shared: SharedPlans, cases_: list[CaseInput], day: date) -> int:
    """Every case's plan from its situation's shape, filled with its own figures, is the
    plan `plan_case` makes of it; how many had actions."""
    with_actions = 0
    for case in cases_:
        consumer = "consumer" in case.tags
        made = shared.shape(_situation(shared, case, consumer), lambda c=case: c)
        # the details: an oldest number and the numbers of the case's own
        assert case.summary is not None
        summary = case.summary._replace(
            detailed=True, oldest_number=f"{case.customer}-1", numbers_text=f"{case.customer}-1"
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
    """Cases in one situation: one random case, and others that differ from it only in
    the customer, the balance (within the same class of the plan), the numbers and the
    cycle's first day; and a case or two in other situations."""
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
    klass = shared.balance_class(first.currency, first.summary.balance)
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
    # the same case with nothing overdue, or all of it: another situation only when a
    # stage charges a share of the overdue part
    flipped = 0 if first.summary.overdue else first.summary.balance
    same.append(replace(first, customer="O1", summary=first.summary._replace(overdue=flipped)))
    # the same case for customers of other kinds and tags: the same situation when the
    # plan cannot tell them apart, else another
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
    assert shared.situations <= len(rest) + len(same)  # each situation is worked out once


def _one(customer: str, minor: int = 12000) -> CaseInput:
    invoices = (OpenInvoice("I1", START, minor, "EUR"),)
    return CaseInput(customer, "EUR", invoices, Debtor("GB", "Europe/London"))


def test_a_situation_is_worked_out_once():
    day = START + timedelta(days=40)
    shared = SharedPlans(default_policy(), day)
    made = []

    def make(case: CaseInput) -> CaseInput:
        made.append(case)
        return case

    shapes = set()
    for n in range(5):
        case = _bare(_one(f"C{n}", 12000 + n), day, (), PayerKind.UNKNOWN)
        situation = _situation(shared, case, False)
        shapes.add(shared.shape(situation, lambda c=case: make(c)))
    assert len(made) == 1
    assert shared.situations == 1
    assert len(shapes) == 1  # all five alike


def test_plans_with_interest_are_not_shared():
    policy = replace(default_policy(), fees=FeesAndInterest(InterestKind.CONTRACTUAL, Decimal(8)))
    with pytest.raises(ValueError, match="interest"):
        SharedPlans(policy, START)


def test_actions_are_not_made_from_a_bare_summary():
    case = _bare(_one("C1"), START + timedelta(days=20), (), PayerKind.UNKNOWN)
    with pytest.raises(ValueError, match="details"):
        plan_case(case, default_policy(), START + timedelta(days=20))
