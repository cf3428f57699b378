"""Taking over old debt (`recoup.domain.onboarding`): an account first contacted in its
cycle when already long overdue opens at the plan's first-contact stage and goes on by
the plan's gaps, never with a final notice, unless the plan says `onboarding = "by_age"`;
an account reached in time follows the plan by age as before; a reminder before the due
date is not sent once an invoice is overdue."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from recoup.domain.collection import CaseInput, OpenInvoice, plan_case
from recoup.domain.contact_rules import Debtor, Hold, HoldKind
from recoup.domain.policy import Onboarding, Policy
from recoup.policy import default_policy

MONDAY = date(2026, 11, 2)
CONTACTS = ("email", "letter", "call")


def case(*due: date, customer: str = "C1") -> CaseInput:
    invoices = tuple(OpenInvoice(f"I{n}", d, 40_000, "EUR") for n, d in enumerate(due))
    return CaseInput(customer, "EUR", invoices, Debtor("GB", "Europe/London"))


def play(start: CaseInput, policy: Policy, first: date, days: int) -> list[tuple[date, str]]:
    """The plan day by day, as the daily run records it: (day, stage) of each stage done
    that contacts the customer."""
    state = start
    done: list[tuple[str, date]] = []
    contacts: list[tuple[date, str]] = []
    for day in (first + timedelta(days=n) for n in range(days)):
        plan = plan_case(state, policy, day)
        debtor = state.debtor
        for action in plan.actions:
            if all(action.stage != s for s, _d in done):
                done.append((action.stage, day))
                if action.kind in CONTACTS:
                    contacts.append((day, action.stage))
                    debtor = debtor.with_contact(datetime.combine(day, time(12), UTC))
        state = replace(state, debtor=debtor, cycle_start=plan.cycle_start, done=tuple(done))
    return contacts


def test_two_year_old_debt_opens_with_the_friendly_reminder():
    policy = default_policy()
    assert policy.onboarding is Onboarding.GENTLE
    plan = plan_case(case(MONDAY - timedelta(days=730)), policy, MONDAY)
    assert [(a.kind, a.stage, a.template) for a in plan.actions] == [
        ("email", "friendly overdue", "overdue-friendly")
    ]
    assert any("first contact" in n and "onboarding gentle" in n for n in plan.notes)
    # the next stage waits for the plan's gap after this one (firm: 21 - 7 = 14 days)
    assert plan.upcoming == (("firm overdue", MONDAY + timedelta(days=14)),)


def test_the_plan_goes_on_by_its_gaps_and_keeps_its_order():
    policy = default_policy()
    contacts = play(case(MONDAY - timedelta(days=730)), policy, MONDAY, 80)
    stages = [s for _d, s in contacts]
    assert stages == ["friendly overdue", "firm overdue", "call", "final notice"]
    days = {s: d for d, s in contacts}
    nominal = {s.name: s.trigger.days for s in policy.stages}
    for before, after in itertools.pairwise(stages):
        gap = nominal[after] - nominal[before]
        assert (days[after] - days[before]).days >= gap, (before, after)
    # on weekdays, so no more than the weekend's two days late at each step
    assert (days["final notice"] - days["friendly overdue"]).days <= 38 + 3 * 2


def test_by_age_takes_the_stage_the_age_has_reached():
    policy = replace(default_policy(), onboarding=Onboarding.BY_AGE)
    plan = plan_case(case(MONDAY - timedelta(days=730)), policy, MONDAY)
    assert sorted((a.kind, a.stage) for a in plan.actions if a.kind in CONTACTS) == [
        ("email", "final notice"),
        ("letter", "final notice"),
    ]


@pytest.mark.parametrize("onboarding", list(Onboarding))
def test_an_account_reached_in_time_follows_the_plan_by_age(onboarding: Onboarding):
    policy = replace(default_policy(), onboarding=onboarding)
    due = MONDAY - timedelta(days=3)  # before due: the reminder went the Friday before
    contacts = play(case(due), policy, due - timedelta(days=5), 70)
    days = {s: d for d, s in contacts}
    assert list(days) == [
        "reminder before due",
        "friendly overdue",
        "firm overdue",
        "call",
        "final notice",
    ]
    for stage in policy.stages:  # each on its day by age, or the first weekday after it
        nominal = due + timedelta(days=stage.trigger.days)
        assert 0 <= (days[stage.name] - nominal).days <= 2, stage.name


def test_a_friendly_reminder_that_waited_changes_nothing_after_it():
    # a call by hand four days after the due date holds the friendly reminder back by
    # the minimum gap (to day 11); the firm one still comes on its own day (21)
    due = date(2026, 10, 5)  # a Monday
    called = datetime.combine(due + timedelta(days=4), time(12), UTC)
    start = replace(case(due), debtor=case(due).debtor.with_contact(called))
    contacts = {s: d for d, s in play(start, default_policy(), due, 40)}
    assert contacts["friendly overdue"] == due + timedelta(days=11)
    assert contacts["firm overdue"] == due + timedelta(days=21)


def test_an_account_held_since_before_its_first_reminder_opens_gently():
    due = MONDAY - timedelta(days=10)
    held = Hold(HoldKind.DISPUTE, until=MONDAY + timedelta(days=60))
    start = replace(case(due), debtor=Debtor("GB", "Europe/London", holds=(held,)))
    contacts = play(start, default_policy(), MONDAY, 100)
    assert contacts[0][1] == "friendly overdue"
    assert contacts[0][0] >= MONDAY + timedelta(days=60)
    assert [s for _d, s in contacts][:2] == ["friendly overdue", "firm overdue"]
    assert (contacts[1][0] - contacts[0][0]).days >= 14


def test_no_reminder_before_due_once_an_invoice_is_overdue():
    # the reminder was due three days before the oldest invoice; the run sees it two
    # days after: nothing goes until the friendly reminder's own day
    due = MONDAY - timedelta(days=2)
    plan = plan_case(case(due, due + timedelta(days=20)), default_policy(), MONDAY)
    assert plan.actions == ()
    assert plan.upcoming == (("friendly overdue", due + timedelta(days=7)),)
    assert any("reminder before due is not sent" in n for n in plan.notes)
    # with nothing overdue yet, it goes, naming every invoice (none is due yet)
    soon, later = MONDAY + timedelta(days=3), MONDAY + timedelta(days=20)
    early = plan_case(case(soon, later), default_policy(), MONDAY)
    assert [(a.stage, a.invoices) for a in early.actions] == [("reminder before due", ("I0", "I1"))]


def test_a_plan_without_a_gentle_stage_opens_by_age():
    policy = default_policy()
    final_only = replace(policy, stages=tuple(s for s in policy.stages if s.tone.value == "final"))
    plan = plan_case(case(MONDAY - timedelta(days=730)), final_only, MONDAY)
    assert {a.stage for a in plan.actions if a.kind in CONTACTS} == {"final notice"}
