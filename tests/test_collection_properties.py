"""Property tests of the daily run's planning rule (pure), over random cases, histories and
plans: the contacts it schedules never break the contact rules, and deciding a day twice
is the same as deciding it once."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from recoup.domain.collection import CaseInput, OpenInvoice, plan_case
from recoup.domain.contact_rules import Debtor, Hold, HoldKind, PastContact
from recoup.domain.ledger import Channel
from recoup.domain.local_calendar import holiday_calendar
from recoup.domain.money import Money
from recoup.domain.policy import (
    Actions,
    ContactSettings,
    Policy,
    Stage,
    Tone,
    Trigger,
    TriggerKind,
    Weekday,
)

START = date(2026, 9, 1)


@st.composite
def policies(draw):
    days = sorted(draw(st.sets(st.integers(-5, 60), min_size=2, max_size=6)))
    stages = tuple(
        Stage(
            f"s{i}",
            Trigger(TriggerKind.DAYS_FROM_DUE, d),
            Tone.FRIENDLY if d < 0 else draw(st.sampled_from(list(Tone))),
            Actions(email="t", call=draw(st.booleans())),
        )
        for i, d in enumerate(days)
    )
    weekdays = tuple(draw(st.sets(st.sampled_from(list(Weekday)), min_size=1)))
    contact = ContactSettings(
        min_gap_days=draw(st.integers(0, 14)),
        max_per_7_days=draw(st.integers(1, 3)),
        weekdays=tuple(w for w in Weekday if w in weekdays),
        skip_holidays=draw(st.booleans()),
    )
    return Policy("p", stages, contact)


@st.composite
def cases(draw):
    invoices = tuple(
        OpenInvoice(
            f"I{i}",
            START + timedelta(days=draw(st.integers(-120, 40))),
            draw(st.integers(1, 10**7)),
            "EUR",
        )
        for i in range(draw(st.integers(1, 4)))
    )
    country = draw(st.sampled_from(["GB", "DE", "FR", "NL", "US", ""]))
    zone = draw(
        st.sampled_from(["Europe/London", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"])
    )
    history = tuple(
        PastContact(datetime.combine(START - timedelta(days=d), time(12), UTC), Channel.EMAIL)
        for d in draw(st.sets(st.integers(1, 30), max_size=3))
    )
    holds = tuple(
        Hold(
            draw(st.sampled_from(list(HoldKind))), START + timedelta(days=draw(st.integers(0, 20)))
        )
        for _ in range(draw(st.integers(0, 1)))
    )
    return CaseInput("C", "EUR", invoices, Debtor(country, zone, history, holds))


def simulate(case: CaseInput, policy: Policy, days: int) -> list[tuple[date, CaseInput]]:
    """Run the rule day by day, recording what it does; return (day, state) per contact."""
    contacts = []
    state = case
    for day in (START + timedelta(days=n) for n in range(days)):
        plan = plan_case(state, policy, day)
        assert plan_case(state, policy, day) == plan  # pure: the same day decides the same
        touching = [a for a in plan.actions if a.kind in ("email", "letter", "call")]
        done = list(state.done)
        for action in plan.actions:
            if all(action.stage != s for s, _ in done):
                done.append((action.stage, day))
        if touching:
            contacts.append((day, state))
            debtor = state.debtor.with_contact(datetime.combine(day, time(12), UTC))
        else:
            debtor = state.debtor
        state = CaseInput(
            state.customer,
            state.currency,
            state.invoices,
            debtor,
            state.tags,
            state.kind,
            plan.cycle_start,
            tuple(done),
        )
        # deciding the same day again with what was just recorded adds no contact
        again = plan_case(state, policy, day)
        assert not [a for a in again.actions if a.kind in ("email", "letter", "call")]
    return contacts


@settings(max_examples=200, deadline=None)
@given(cases(), policies())
def test_scheduled_contacts_keep_every_rule(case: CaseInput, policy: Policy):
    contacts = simulate(case, policy, 75)
    c = policy.contact
    allowed_days = c.weekday_numbers
    past = sorted(p.at.date() for p in case.debtor.contacts)
    days = [d for d, _ in contacts]
    holidays = holiday_calendar(case.debtor.country)
    for day in days:
        assert day.weekday() in allowed_days, (day, policy.contact)
        if c.skip_holidays:
            assert holidays.holiday(day) is None, (day, case.debtor.country)
        for hold in case.debtor.holds:
            assert not hold.in_force(day), (day, hold)
    every = sorted(past + days)
    for a, b in itertools.pairwise(every):
        if b in days or a in days:
            assert (b - a).days >= c.min_gap_days, (a, b, c.min_gap_days)
    for day in days:
        window = [d for d in every if day - timedelta(days=6) <= d <= day]
        assert len(window) <= c.max_per_7_days, (day, window)
    # each stage at most once per cycle
    assert len(days) <= len(policy.stages)


def test_fee_percent_is_rounded_once():
    policy = Policy(
        "p",
        (
            Stage(
                "s",
                Trigger(TriggerKind.DAYS_FROM_DUE, 1),
                Tone.FIRM,
                Actions(fee_percent=Decimal("2.5")),
            ),
        ),
    )
    case = CaseInput("C", "EUR", (OpenInvoice("I", START, 10010, "EUR"),), Debtor())
    plan = plan_case(case, policy, START + timedelta(days=3))
    fee = next(a for a in plan.actions if a.kind == "fee")
    assert fee.amount == Money.of("2.50", "EUR")  # 2.5025 -> 2.50
