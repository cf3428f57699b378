"""The rule delivery asks at the moment of sending (`recoup.domain.delivery.decide`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from recoup.domain.contact_rules import DEFAULT_RULES, Debtor, Hold, HoldKind, PastContact
from recoup.domain.delivery import Figures, Message, Verdict, decide
from recoup.domain.ledger import Channel
from recoup.domain.policy import OnChange

TUESDAY_10_BERLIN = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
STATED = Figures(frozenset({"A-1", "A-2"}), 30_000)
DE = Debtor("DE", "Europe/Berlin")


def message(**kw: object) -> Message:
    return Message(Channel.EMAIL, "EUR", STATED, **kw)  # type: ignore[arg-type]


def test_sends_when_nothing_changed():
    d = decide(DEFAULT_RULES, DE, message(), STATED, TUESDAY_10_BERLIN)
    assert d.verdict is Verdict.SEND
    assert d.reasons == ()


def test_a_hold_withdraws_a_reminder_but_not_a_notice_unless_absolute():
    promise = Hold(HoldKind.PROMISE, date(2026, 11, 20))
    held = Debtor("DE", "Europe/Berlin", holds=(promise,))
    d = decide(DEFAULT_RULES, held, message(), STATED, TUESDAY_10_BERLIN)
    assert d.verdict is Verdict.WITHDRAW
    assert "promise to pay in force" in d.reason
    assert decide(DEFAULT_RULES, held, message(notice=True), STATED, TUESDAY_10_BERLIN).verdict is (
        Verdict.SEND
    )
    ceased = Debtor("DE", "Europe/Berlin", holds=(Hold(HoldKind.CEASE_CONTACT),))
    d = decide(DEFAULT_RULES, ceased, message(notice=True), STATED, TUESDAY_10_BERLIN)
    assert d.verdict is Verdict.WITHDRAW


def test_a_hold_that_ended_before_the_day_does_not_count():
    over = Debtor("DE", "Europe/Berlin", holds=(Hold(HoldKind.PROMISE, date(2026, 11, 2)),))
    assert decide(DEFAULT_RULES, over, message(), STATED, TUESDAY_10_BERLIN).verdict is Verdict.SEND


def test_superseded_and_nothing_open_withdraw():
    d = decide(DEFAULT_RULES, DE, message(superseded_by="final notice"), STATED, TUESDAY_10_BERLIN)
    assert (d.verdict, d.reason) == (Verdict.WITHDRAW, "superseded by the later stage final notice")
    paid = Figures(frozenset(), 0)
    d = decide(DEFAULT_RULES, DE, message(), paid, TUESDAY_10_BERLIN)
    assert d.verdict is Verdict.WITHDRAW
    assert "A-1, A-2" in d.reason


def test_changed_figures_rebuild_or_withdraw_as_the_plan_says():
    part_paid = Figures(frozenset({"A-2"}), 12_000)
    d = decide(DEFAULT_RULES, DE, message(), part_paid, TUESDAY_10_BERLIN)
    assert d.verdict is Verdict.REBUILD
    assert "invoice A-1 paid or credited since" in d.reason
    assert "open 120.00 EUR where the message said 300.00 EUR" in d.reason
    d = decide(DEFAULT_RULES, DE, message(), part_paid, TUESDAY_10_BERLIN, OnChange.WITHDRAW)
    assert d.verdict is Verdict.WITHDRAW
    # a notice states its own figures (a promise, a plan): only "nothing open" ends it
    d = decide(DEFAULT_RULES, DE, message(notice=True), part_paid, TUESDAY_10_BERLIN)
    assert d.verdict is Verdict.SEND


def test_timing_defers_to_the_first_allowed_moment():
    saturday = datetime(2026, 11, 7, 10, 0, tzinfo=UTC)
    d = decide(DEFAULT_RULES, DE, message(), STATED, saturday)
    assert d.verdict is Verdict.DEFER
    assert d.until == datetime(2026, 11, 9, 7, 0, tzinfo=UTC)  # Monday 08:00 in Berlin
    # Bavaria's Epiphany: the 6th is a holiday there, not in Berlin
    epiphany = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
    bavaria = Debtor("DE-BY", "Europe/Berlin")
    d = decide(DEFAULT_RULES, bavaria, message(), STATED, epiphany)
    assert d.verdict is Verdict.DEFER
    assert d.until == datetime(2026, 1, 7, 7, 0, tzinfo=UTC)
    assert decide(DEFAULT_RULES, DE, message(), STATED, epiphany).verdict is Verdict.SEND


def test_a_wait_comes_before_a_rebuild():
    """A message that must wait is rebuilt when it may go, with the figures of then."""
    part_paid = Figures(frozenset({"A-2"}), 12_000)
    night = datetime(2026, 11, 3, 23, 0, tzinfo=UTC)
    assert decide(DEFAULT_RULES, DE, message(), part_paid, night).verdict is Verdict.DEFER


def test_regulation_f_allows_until_nine_in_the_evening():
    ca = Debtor("US-CA", "America/Los_Angeles")
    at = datetime(2026, 11, 4, 4, 30, tzinfo=UTC)  # Tuesday 20:30 in Los Angeles
    assert decide(DEFAULT_RULES, ca, message(), STATED, at).verdict is Verdict.DEFER
    assert decide(DEFAULT_RULES, ca, message(regulation_f=True), STATED, at).verdict is (
        Verdict.SEND
    )


@given(days_ago=st.integers(0, 20), hour=st.integers(0, 23))
def test_the_gap_counts_delivered_contacts_only_for_reminders(days_ago: int, hour: int):
    at = TUESDAY_10_BERLIN + timedelta(hours=hour - 9)
    earlier = Debtor("DE", "Europe/Berlin", contacts=(PastContact(at - timedelta(days=days_ago)),))
    reminder = decide(DEFAULT_RULES, earlier, message(), STATED, at)
    notice = decide(DEFAULT_RULES, earlier, message(notice=True), STATED, at)
    if reminder.verdict is Verdict.SEND:
        assert days_ago >= DEFAULT_RULES.min_gap_days
    else:
        assert reminder.verdict is Verdict.DEFER
        assert reminder.until is not None
        assert reminder.until > at
    # a notice ignores the gap; it keeps to hours and days only
    assert notice.verdict in (Verdict.SEND, Verdict.DEFER)
    if notice.verdict is Verdict.DEFER:
        assert "minimum gap" not in notice.reason


def test_a_reminder_before_due_does_not_arrive_after_the_due_date():
    due = date(2026, 11, 3)
    on_the_day = decide(DEFAULT_RULES, DE, message(falls_due=due), STATED, TUESDAY_10_BERLIN)
    assert on_the_day.verdict is Verdict.SEND
    day_after = TUESDAY_10_BERLIN + timedelta(days=1)
    late = decide(DEFAULT_RULES, DE, message(falls_due=due), STATED, day_after)
    assert late.verdict is Verdict.WITHDRAW
    assert "fell due on 2026-11-03" in late.reason


def test_the_plan_says_rebuild_or_withdraw():
    from recoup.policy import default_policy_text, load_policy, to_toml

    text = default_policy_text().replace(
        'changed_messages = "rebuild"', 'changed_messages = "withdraw"'
    )
    loaded = load_policy(text, "plan.toml")
    assert loaded.ok, loaded.problems
    assert loaded.policy is not None
    assert loaded.policy.changed_messages is OnChange.WITHDRAW
    assert load_policy(to_toml(loaded.policy)).policy == loaded.policy
    bad = load_policy(text.replace('"withdraw"', '"withdrew"'), "plan.toml")
    [problem] = bad.problems
    assert 'unknown changed_messages "withdrew"; did you mean "withdraw"?' in str(problem)
    assert str(problem).startswith("plan.toml:")
