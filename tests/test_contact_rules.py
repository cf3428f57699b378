"""Contact rules: worked examples, then properties checked against a plain re-statement."""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recoup.domain.contact_rules import (
    ABSOLUTE_HOLDS,
    DEFAULT_RULES,
    MON_SAT,
    ContactRules,
    Debtor,
    Hold,
    HoldKind,
    PastContact,
    Rule,
    check,
    contact_window,
    next_contact_day,
    promise_hold,
)
from recoup.domain.ledger import Channel, Customer

EMAIL, PHONE, LETTER = Channel.EMAIL, Channel.PHONE, Channel.LETTER
EVERY_DAY = ContactRules(weekdays=frozenset(range(7)), skip_holidays=False)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Berlin"))


def debtor(*contacts: datetime, country="DE", tz="Europe/Berlin", holds=()) -> Debtor:
    return Debtor(country, tz, tuple(PastContact(c) for c in contacts), tuple(holds))


def rules_of(decision) -> set[Rule]:
    return {b.rule for b in decision.breaches}


# --- worked examples ---------------------------------------------------------------


def test_minimum_gap_contact_on_22_november_allows_the_next_on_29_november():
    someone = debtor(berlin(2026, 11, 22, 10))
    decision = check(EVERY_DAY, someone, EMAIL, berlin(2026, 11, 26, 10))
    assert not decision.allowed
    assert decision.reasons[0] == (
        "next contact not before 2026-11-29: last contact 2026-11-22, minimum gap 7 days"
    )
    assert decision.earliest == berlin(2026, 11, 29, 8)
    assert check(EVERY_DAY, someone, EMAIL, berlin(2026, 11, 29, 8)).allowed
    assert next_contact_day(EVERY_DAY, someone, date(2026, 11, 23)) == date(2026, 11, 29)


def test_minimum_gap_with_default_rules_waits_for_the_next_weekday():
    # 29 November 2026 is a Sunday: the next contact day after the gap is Monday.
    decision = check(DEFAULT_RULES, debtor(berlin(2026, 11, 22, 10)), EMAIL, utc(2026, 11, 24, 9))
    assert decision.earliest == utc(2026, 11, 30, 7)
    assert (
        "earliest allowed: Monday 30 November 2026, 08:00 in Europe/Berlin"
        in (decision.reasons[-1])
    )


def test_the_gap_counts_calendar_days_on_the_debtors_clock():
    # 23:30 UTC on 21 November is already 22 November in Berlin.
    someone = debtor(utc(2026, 11, 21, 23, 30))
    assert not check(EVERY_DAY, someone, EMAIL, berlin(2026, 11, 28, 12)).allowed
    assert check(EVERY_DAY, someone, EMAIL, berlin(2026, 11, 29, 8)).allowed


def test_a_contact_already_recorded_for_a_later_day_counts_for_the_gap():
    someone = debtor(berlin(2026, 11, 27, 9))
    decision = check(EVERY_DAY, someone, EMAIL, berlin(2026, 11, 24, 9))
    assert rules_of(decision) == {Rule.MINIMUM_GAP}
    assert "a contact is already recorded for 2026-11-27" in decision.reasons[0]
    assert decision.earliest == berlin(2026, 12, 4, 8)


def test_weekly_cap():
    rules = ContactRules(min_gap_days=0, max_per_week=2, skip_holidays=False)
    someone = debtor(berlin(2026, 11, 23, 9), berlin(2026, 11, 24, 9))  # Monday, Tuesday
    decision = check(rules, someone, PHONE, berlin(2026, 11, 25, 9))
    assert rules_of(decision) == {Rule.WEEKLY_CAP}
    assert decision.reasons[0] == (
        "already 2 contacts between 2026-11-19 and 2026-11-25; at most 2 in any 7 days"
    )
    # Monday 30 November: the 7 days 24–30 November hold one contact, so one more fits.
    assert decision.earliest == berlin(2026, 11, 30, 8)
    assert check(rules, someone, PHONE, berlin(2026, 11, 30, 8)).allowed
    one_contact = debtor(berlin(2026, 11, 23, 9))
    assert check(rules, one_contact, PHONE, berlin(2026, 11, 23, 15)).allowed


def test_quiet_hours_in_the_debtors_time_zone():
    # Wednesday 25 November 2026, 19:30 UTC is 20:30 in Berlin.
    decision = check(DEFAULT_RULES, debtor(), PHONE, utc(2026, 11, 25, 19, 30))
    assert not decision.allowed
    assert decision.reasons[0] == (
        "outside contact hours in Europe/Berlin (20:30 local; allowed 08:00–20:00)"
    )
    assert decision.earliest == utc(2026, 11, 26, 7)  # Thursday 08:00 in Berlin
    # The same moment is 14:30 in New York, well inside the hours there.
    assert check(
        DEFAULT_RULES, debtor(country="US", tz="America/New_York"), PHONE, utc(2026, 11, 25, 19, 30)
    ).allowed


def test_quiet_hours_on_a_friday_evening_skip_the_weekend():
    decision = check(DEFAULT_RULES, debtor(), PHONE, utc(2026, 11, 27, 19, 30))
    assert decision.earliest == utc(2026, 11, 30, 7)  # Monday 08:00 in Berlin


def test_too_early_in_the_morning_waits_until_the_hours_start_the_same_day():
    decision = check(
        DEFAULT_RULES, debtor(country="US", tz="America/New_York"), EMAIL, utc(2026, 11, 25, 12)
    )  # 07:00 in New York
    assert rules_of(decision) == {Rule.CONTACT_HOURS}
    assert decision.earliest == utc(2026, 11, 25, 13)


def test_contact_hours_follow_summer_time():
    start, end = contact_window(date(2026, 7, 1), "Europe/Berlin")
    assert (start, end) == (utc(2026, 7, 1, 6), utc(2026, 7, 1, 18))
    assert contact_window(date(2026, 12, 1), "Europe/Berlin") == (
        utc(2026, 12, 1, 7),
        utc(2026, 12, 1, 19),
    )
    assert contact_window(date(2026, 12, 1), ZoneInfo("Asia/Kolkata")) == (
        utc(2026, 12, 1, 2, 30),
        utc(2026, 12, 1, 14, 30),
    )


def test_a_contact_hour_skipped_by_the_clock_change_moves_forward_with_the_clocks():
    # Berlin's clocks jump from 02:00 to 03:00 on 29 March 2026: 02:30 does not exist.
    rules = ContactRules(start=time(2, 30), end=time(20), weekdays=frozenset(range(7)))
    start, _end = contact_window(date(2026, 3, 29), "Europe/Berlin", rules)
    assert start == utc(2026, 3, 29, 1, 30)  # 03:30 summer time
    decision = check(rules, debtor(), EMAIL, utc(2026, 3, 28, 22))
    assert decision.earliest == start
    assert check(rules, debtor(), EMAIL, start).allowed


def test_weekend():
    saturday = berlin(2026, 11, 28, 10)
    decision = check(DEFAULT_RULES, debtor(), EMAIL, saturday)
    assert decision.reasons[0] == (
        "Saturday 28 November is not a contact day (contact days: Monday to Friday)"
    )
    assert decision.earliest == berlin(2026, 11, 30, 8)
    assert check(ContactRules(weekdays=MON_SAT), debtor(), EMAIL, saturday).allowed
    assert not check(
        ContactRules(weekdays=MON_SAT), debtor(), EMAIL, berlin(2026, 11, 29, 10)
    ).allowed


def test_christmas_in_great_britain():
    someone = debtor(country="GB", tz="Europe/London")
    decision = check(DEFAULT_RULES, someone, EMAIL, utc(2026, 12, 25, 10))
    assert decision.reasons[0] == "25 December is a public holiday in GB (Christmas Day)"
    # Saturday, Sunday, then Monday 28 December is Boxing Day (observed).
    assert decision.earliest == utc(2026, 12, 29, 8)
    boxing = check(DEFAULT_RULES, someone, EMAIL, utc(2026, 12, 28, 10))
    assert boxing.reasons[0] == "28 December is a public holiday in GB (Boxing Day (observed))"
    assert next_contact_day(DEFAULT_RULES, someone, date(2026, 12, 24)) == date(2026, 12, 24)
    assert next_contact_day(DEFAULT_RULES, someone, date(2026, 12, 25)) == date(2026, 12, 29)


def test_german_unity_day():
    friday = berlin(2025, 10, 3, 10)
    decision = check(DEFAULT_RULES, debtor(), EMAIL, friday)
    assert decision.reasons[0] == "3 October is a public holiday in DE (German Unity Day)"
    assert decision.earliest == utc(2025, 10, 6, 6)  # Monday 08:00 summer time
    assert check(ContactRules(skip_holidays=False), debtor(), EMAIL, friday).allowed
    # A Dutch debtor in the same zone has no holiday that day.
    assert check(DEFAULT_RULES, debtor(country="NL"), EMAIL, friday).allowed


def test_regional_holidays_by_subdivision():
    epiphany = berlin(2026, 1, 6, 10)  # a Tuesday; a holiday in Bavaria, not in Berlin
    assert check(DEFAULT_RULES, debtor(country="DE"), EMAIL, epiphany).allowed
    bavaria = check(DEFAULT_RULES, debtor(country="DE-BY"), EMAIL, epiphany)
    assert bavaria.reasons[0] == "6 January is a public holiday in DE-BY (Epiphany)"
    unknown = check(DEFAULT_RULES, debtor(country="DE-ZZ"), EMAIL, berlin(2025, 10, 3, 10))
    assert rules_of(unknown) == {Rule.HOLIDAY}
    assert "subdivision 'ZZ' of DE is not known" in unknown.reasons[-1]


@pytest.mark.parametrize("kind", list(HoldKind))
def test_each_hold_stops_contact_until_lifted(kind):
    decision = check(DEFAULT_RULES, debtor(holds=[Hold(kind)]), EMAIL, berlin(2026, 11, 25, 10))
    assert not decision.allowed
    assert decision.earliest is None
    assert rules_of(decision) == {Rule.HOLD}
    assert decision.reasons[0].startswith(f"on hold: {_HOLD_TEXT[kind]}")
    assert "it has no end date" in decision.reasons[1]
    assert next_contact_day(DEFAULT_RULES, debtor(holds=[Hold(kind)]), date(2026, 11, 25)) is None


_HOLD_TEXT = {
    HoldKind.DISPUTE: "dispute open",
    HoldKind.PROMISE: "promise to pay in force",
    HoldKind.PAYMENT_PLAN: "payment plan current",
    HoldKind.CEASE_CONTACT: "cease-contact request",
    HoldKind.INSOLVENCY: "insolvency",
    HoldKind.AGENCY: "placed with an agency",
}


def test_a_promise_holds_until_its_date_plus_grace_days():
    promise = promise_hold(date(2026, 12, 1), grace_days=3, note="pays invoice 17")
    assert promise.until == date(2026, 12, 4)
    someone = debtor(holds=[promise])
    decision = check(DEFAULT_RULES, someone, EMAIL, berlin(2026, 11, 25, 10))
    assert decision.reasons[0] == (
        "on hold: promise to pay in force until 2026-12-04 (pays invoice 17)"
    )
    # Friday 4 December is the last day of grace; the weekend follows.
    assert decision.earliest == berlin(2026, 12, 7, 8)
    assert not check(DEFAULT_RULES, someone, EMAIL, berlin(2026, 12, 4, 19)).allowed
    assert check(DEFAULT_RULES, someone, EMAIL, berlin(2026, 12, 7, 8)).allowed
    assert next_contact_day(DEFAULT_RULES, someone, date(2026, 11, 25)) == date(2026, 12, 7)


def test_a_hold_with_an_end_and_one_without():
    holds = [Hold(HoldKind.DISPUTE, until=date(2026, 12, 1)), Hold(HoldKind.INSOLVENCY)]
    decision = check(DEFAULT_RULES, debtor(holds=holds), EMAIL, berlin(2026, 11, 25, 10))
    assert decision.earliest is None
    assert "hold (insolvency) is lifted" in decision.reasons[-1]


def test_an_override_allows_a_manual_action_and_records_what_it_broke():
    someone = debtor(berlin(2026, 11, 23, 10))
    at = utc(2026, 11, 25, 19, 30)  # gap and hours broken
    decision = check(DEFAULT_RULES, someone, PHONE, at, override="customer asked for a call")
    assert decision.allowed
    assert decision.override == "customer asked for a call"
    assert decision.overridden_rules == (Rule.MINIMUM_GAP, Rule.CONTACT_HOURS)
    assert decision.overridden == decision.breaches
    assert decision.earliest == utc(2026, 11, 30, 7)  # the rules alone still say Monday
    assert (
        "allowed by override (customer asked for a call); "
        "rules overridden: minimum_gap, contact_hours"
    ) in decision.reasons
    # Without the override, the same action is refused.
    assert not check(DEFAULT_RULES, someone, PHONE, at).allowed


def test_an_override_when_nothing_is_broken_overrides_nothing():
    decision = check(DEFAULT_RULES, debtor(), PHONE, berlin(2026, 11, 25, 10), override="why not")
    assert decision.allowed
    assert decision.overridden == ()


@pytest.mark.parametrize("kind", sorted(ABSOLUTE_HOLDS))
def test_absolute_holds_refuse_any_override(kind):
    hold = Hold(kind, until=date(2026, 12, 31))
    decision = check(
        DEFAULT_RULES, debtor(holds=[hold]), PHONE, berlin(2026, 11, 25, 10), override="urgent"
    )
    assert not decision.allowed
    assert decision.overridden == ()
    assert "cannot be overridden" in decision.reasons[0]
    assert f"override refused (urgent): {_HOLD_TEXT[kind]} cannot be overridden" in (
        decision.reasons
    )
    assert decision.earliest == berlin(2027, 1, 4, 8)  # 1 January is a holiday, then weekend


@pytest.mark.parametrize("kind", sorted(set(HoldKind) - set(ABSOLUTE_HOLDS)))
def test_other_holds_can_be_overridden(kind):
    decision = check(
        DEFAULT_RULES, debtor(holds=[Hold(kind)]), PHONE, berlin(2026, 11, 25, 10), override="x"
    )
    assert decision.allowed
    assert decision.overridden_rules == (Rule.HOLD,)


def test_an_absolute_hold_beside_an_overridable_breach_still_refuses():
    someone = debtor(berlin(2026, 11, 24, 10), holds=[Hold(HoldKind.CEASE_CONTACT)])
    decision = check(DEFAULT_RULES, someone, PHONE, berlin(2026, 11, 25, 10), override="x")
    assert not decision.allowed
    assert rules_of(decision) == {Rule.HOLD, Rule.MINIMUM_GAP}


def test_an_override_needs_words():
    with pytest.raises(ValueError, match="reason"):
        check(DEFAULT_RULES, debtor(), PHONE, berlin(2026, 11, 25, 10), override="  ")


def test_unknown_country_has_no_holidays_and_says_so():
    decision = check(DEFAULT_RULES, debtor(country="XX"), EMAIL, berlin(2025, 10, 3, 10))
    assert decision.allowed
    assert decision.notes == ("public holidays of country 'XX' are not known; none are skipped",)
    assert decision.reasons == decision.notes
    nobody = check(DEFAULT_RULES, debtor(country=""), EMAIL, berlin(2025, 10, 3, 10))
    assert nobody.notes == ("no country given; public holidays are not checked",)
    # No note when holidays are not checked anyway.
    assert (
        check(
            ContactRules(skip_holidays=False), debtor(country="XX"), EMAIL, berlin(2025, 10, 3, 10)
        ).notes
        == ()
    )


def test_country_codes_are_case_insensitive():
    decision = check(DEFAULT_RULES, debtor(country="de"), EMAIL, berlin(2025, 10, 3, 10))
    assert rules_of(decision) == {Rule.HOLIDAY}


def test_an_invalid_time_zone_means_utc_with_a_note():
    someone = debtor(country="", tz="Mars/Olympus_Mons")
    decision = check(DEFAULT_RULES, someone, PHONE, utc(2026, 11, 25, 20, 30))
    assert decision.reasons[0] == "outside contact hours in UTC (20:30 local; allowed 08:00–20:00)"
    assert (
        "unknown time zone 'Mars/Olympus_Mons'; local times are taken as UTC" in (decision.notes[0])
    )
    assert decision.earliest == utc(2026, 11, 26, 8)
    assert contact_window(date(2026, 11, 26), "Mars/Olympus_Mons") == (
        utc(2026, 11, 26, 8),
        utc(2026, 11, 26, 20),
    )
    assert (
        "no time zone given"
        in check(DEFAULT_RULES, debtor(tz=""), PHONE, utc(2026, 11, 25, 10)).notes[0]
    )


def test_exempt_channels_ignore_the_hours_but_not_the_other_rules():
    rules = ContactRules(hours_exempt=frozenset({LETTER}))
    late = berlin(2026, 11, 25, 23)
    assert check(rules, debtor(), LETTER, late).allowed
    assert not check(rules, debtor(), EMAIL, late).allowed
    saturday = check(rules, debtor(), LETTER, berlin(2026, 11, 28, 23))
    assert rules_of(saturday) == {Rule.CONTACT_DAY}
    assert saturday.earliest == berlin(2026, 11, 30, 0)


def test_debtor_of_a_ledger_customer():
    customer = Customer("C1", "Acme GmbH", country="DE", timezone="Europe/Berlin")
    someone = Debtor.of(customer, [PastContact(berlin(2026, 11, 22, 10))])
    assert (someone.country, someone.timezone, len(someone.contacts)) == ("DE", "Europe/Berlin", 1)
    assert someone.with_contact(berlin(2026, 11, 30, 9)).contacts[-1].at == berlin(2026, 11, 30, 9)


def test_naive_moments_and_bad_rules_are_refused():
    with pytest.raises(ValueError, match="aware"):
        check(DEFAULT_RULES, debtor(), EMAIL, datetime(2026, 11, 25, 10))
    with pytest.raises(ValueError, match="aware"):
        PastContact(datetime(2026, 11, 25, 10))
    with pytest.raises(ValueError):
        ContactRules(min_gap_days=-1)
    with pytest.raises(ValueError):
        ContactRules(max_per_week=0)
    with pytest.raises(ValueError):
        ContactRules(start=time(20), end=time(8))
    with pytest.raises(ValueError):
        ContactRules(weekdays=frozenset())
    with pytest.raises(ValueError):
        ContactRules(weekdays=frozenset({7}))
    with pytest.raises(ValueError):
        promise_hold(date(2026, 12, 1), grace_days=-1)


def test_catch_up_after_missed_days_sends_one_contact_not_a_burst():
    # Three reminders fell due while the machine was off for two weeks; the catch-up
    # run on Monday 30 November works through them at 09:00 Berlin time.
    someone = debtor(berlin(2026, 11, 2, 9))
    now = berlin(2026, 11, 30, 9)
    sent, deferred = [], []
    for _due in (date(2026, 11, 16), date(2026, 11, 20), date(2026, 11, 25)):
        decision = check(DEFAULT_RULES, someone, EMAIL, now)
        if decision.allowed:
            someone = someone.with_contact(now)
            sent.append(now)
        else:
            deferred.append(decision.earliest)
    assert sent == [now]
    assert deferred == [berlin(2026, 12, 7, 8)] * 2
    # Running the same catch-up again sends nothing more.
    assert not check(DEFAULT_RULES, someone, EMAIL, now).allowed


def test_daily_runs_with_missed_days_never_burst():
    # One run a day at 09:00 local, each taking every contact the rules allow; days
    # 5–19 are missed. The gap and cap still hold across the hole.
    rules = ContactRules(min_gap_days=2, max_per_week=2)
    someone = debtor()
    start = date(2026, 11, 2)
    for offset in range(40):
        if 5 <= offset <= 19:
            continue
        day = start + timedelta(days=offset)
        at = datetime.combine(day, time(9), tzinfo=ZoneInfo("Europe/Berlin"))
        for _attempt in range(5):  # a run that tries hard still gets at most one
            if check(rules, someone, EMAIL, at).allowed:
                someone = someone.with_contact(at)
    days = sorted(c.at.date() for c in someone.contacts)
    assert all((b - a).days >= 2 for a, b in pairwise(days))
    for first in days:
        assert sum(first <= d < first + timedelta(days=7) for d in days) <= 2


def test_deciding_twice_gives_the_same_answer():
    someone = debtor(berlin(2026, 11, 22, 10), holds=[promise_hold(date(2026, 12, 1))])
    first = check(DEFAULT_RULES, someone, EMAIL, utc(2026, 11, 25, 19, 30), override="x")
    assert first == check(DEFAULT_RULES, someone, EMAIL, utc(2026, 11, 25, 19, 30), override="x")


# --- properties, against a plain re-statement of the rules ----------------------------

ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/St_Johns",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "UTC",
    "Not/A_Zone",
]
COUNTRIES = ["GB", "DE", "DE-BY", "US", "FR", "XX", ""]
BASE = datetime(2026, 1, 1, tzinfo=UTC)


def zone_of(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


@cache
def holiday_table(country: str, year: int) -> frozenset[date]:
    nation, _, subdivision = country.upper().partition("-")
    try:
        table = holidays.country_holidays(nation, subdiv=subdivision or None, years=year)
    except NotImplementedError:
        return frozenset()
    return frozenset(table)


def is_holiday(country: str, day: date) -> bool:
    return day in holiday_table(country, day.year)


def broken_rules(rules: ContactRules, someone: Debtor, channel: Channel, at: datetime) -> set[Rule]:
    """The rules a contact at `at` breaks, worked out the plain way."""
    zone = zone_of(someone.timezone)
    local = at.astimezone(zone)
    day = local.date()
    contact_days = [c.at.astimezone(zone).date() for c in someone.contacts]
    broken = set()
    if any(h.until is None or day <= h.until for h in someone.holds):
        broken.add(Rule.HOLD)
    if rules.min_gap_days and any(abs((day - d).days) < rules.min_gap_days for d in contact_days):
        broken.add(Rule.MINIMUM_GAP)
    for back in range(7):
        first = day - timedelta(days=back)
        in_window = [d for d in contact_days if first <= d <= first + timedelta(days=6)]
        if len(in_window) + 1 > rules.max_per_week:
            broken.add(Rule.WEEKLY_CAP)
    if day.weekday() not in rules.weekdays:
        broken.add(Rule.CONTACT_DAY)
    if rules.skip_holidays and is_holiday(someone.country, day):
        broken.add(Rule.HOLIDAY)
    if channel not in rules.hours_exempt and not rules.start <= local.time() < rules.end:
        broken.add(Rule.CONTACT_HOURS)
    return broken


@st.composite
def contact_rules(draw):
    start = draw(st.integers(0, 22))
    end = draw(st.integers(start + 1, 23))
    return ContactRules(
        min_gap_days=draw(st.integers(0, 10)),
        max_per_week=draw(st.integers(1, 4)),
        start=time(start, draw(st.sampled_from([0, 30]))),
        end=time(end, draw(st.sampled_from([0, 45]))),
        weekdays=draw(st.frozensets(st.integers(0, 6), min_size=1)),
        skip_holidays=draw(st.booleans()),
        hours_exempt=draw(st.frozensets(st.sampled_from(list(Channel)), max_size=1)),
    )


moments = st.integers(0, 4 * 365 * 24 * 4).map(lambda q: BASE + timedelta(minutes=15 * q))


@st.composite
def situations(draw):
    at = draw(moments)
    offsets = st.integers(-40 * 24 * 4, 10 * 24 * 4).map(lambda q: timedelta(minutes=15 * q))
    contacts = tuple(
        PastContact(at + offset, draw(st.sampled_from(list(Channel))))
        for offset in draw(st.lists(offsets, max_size=6))
    )
    hold_ends = st.one_of(
        st.none(), st.integers(-20, 30).map(lambda n: at.date() + timedelta(days=n))
    )
    holds = tuple(
        Hold(kind, until)
        for kind, until in draw(
            st.lists(st.tuples(st.sampled_from(list(HoldKind)), hold_ends), max_size=2)
        )
    )
    someone = Debtor(
        draw(st.sampled_from(COUNTRIES)), draw(st.sampled_from(ZONES)), contacts, holds
    )
    return draw(contact_rules()), someone, draw(st.sampled_from(list(Channel))), at


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(situations())
def test_a_decision_names_exactly_the_rules_broken_at_that_moment(case):
    rules, someone, channel, at = case
    decision = check(rules, someone, channel, at)
    assert rules_of(decision) == broken_rules(rules, someone, channel, at)
    assert decision.allowed == (not decision.breaches)
    if decision.allowed:
        assert decision.earliest == at


@PROPERTY
@given(situations())
def test_earliest_is_not_before_at_and_is_allowed(case):
    rules, someone, channel, at = case
    decision = check(rules, someone, channel, at)
    if decision.earliest is None:
        assert any(h.until is None for h in someone.holds)
        return
    assert decision.earliest >= at
    assert check(rules, someone, channel, decision.earliest).allowed
    assert broken_rules(rules, someone, channel, decision.earliest) == set()


@PROPERTY
@given(situations())
def test_earliest_is_the_first_allowed_quarter_hour(case):
    # Every quarter hour between `at` and `earliest` is refused (on a 15-minute grid,
    # which holds every `at`, contact and contact hour drawn here), up to three days.
    rules, someone, channel, at = case
    earliest = check(rules, someone, channel, at).earliest
    if earliest is None:
        return
    moment = at
    while moment < min(earliest, at + timedelta(days=3)):
        assert broken_rules(rules, someone, channel, moment), moment
        moment += timedelta(minutes=15)


@PROPERTY
@given(situations(), st.integers(1, 6))
def test_a_schedule_of_earliest_moments_keeps_the_gap_and_the_cap(case, steps):
    rules, someone, channel, at = case
    someone = Debtor(someone.country, someone.timezone, someone.contacts, holds=())
    zone = zone_of(someone.timezone)
    old = [c.at.astimezone(zone).date() for c in someone.contacts]
    new = []
    for _ in range(steps):
        decision = check(rules, someone, channel, at)
        assert decision.earliest is not None
        at = decision.earliest
        someone = someone.with_contact(at, channel)
        new.append(at.astimezone(zone).date())
    every = old + new
    for i, day in enumerate(new):
        others = old + new[:i] + new[i + 1 :]
        assert all(abs((day - d).days) >= rules.min_gap_days for d in others)
        for back in range(7):
            first = day - timedelta(days=back)
            assert sum(first <= d <= first + timedelta(days=6) for d in every) <= (
                rules.max_per_week
            )


@PROPERTY
@given(situations(), st.sampled_from([None, "the customer asked"]))
def test_deciding_is_pure(case, override):
    rules, someone, channel, at = case
    first = check(rules, someone, channel, at, override)
    assert first == check(rules, someone, channel, at, override)
    copy = Debtor(someone.country, someone.timezone, tuple(someone.contacts), tuple(someone.holds))
    assert first == check(rules, copy, channel, at, override)
    if override is not None and first.breaches:
        absolute = any(b.hold in ABSOLUTE_HOLDS for b in first.breaches)
        assert first.allowed == (not absolute)
        assert first.overridden == (() if absolute else first.breaches)


@PROPERTY
@given(situations())
def test_next_contact_day_agrees_with_the_day_level_rules(case):
    rules, someone, _channel, at = case
    zone = zone_of(someone.timezone)
    as_of = at.astimezone(zone).date()
    day = next_contact_day(rules, someone, as_of)
    if day is None:
        assert any(h.until is None for h in someone.holds)
        return
    assert day >= as_of
    day_rules = set(Rule) - {Rule.CONTACT_HOURS}

    def blocked(d: date) -> set[Rule]:
        noon = datetime.combine(d, time(12), tzinfo=zone)
        return broken_rules(rules, someone, Channel.EMAIL, noon) & day_rules

    assert blocked(day) == set()
    probe = as_of
    while probe < day:
        assert blocked(probe), probe
        probe += timedelta(days=1)
