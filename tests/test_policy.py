"""The collection policy: the default plan, the file format, and every error's file:line:column."""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recoup.domain.money import Money
from recoup.domain.policy import (
    Actions,
    AmountBand,
    Authority,
    Conditions,
    ContactSettings,
    Escalation,
    EscalationRule,
    FeesAndInterest,
    Hold,
    InterestKind,
    Part,
    Policy,
    PolicyAmount,
    SettlementFloor,
    Stage,
    Step,
    Tone,
    Trigger,
    TriggerKind,
    Weekday,
    WriteOffRule,
    parse_amount,
    parse_hours,
    validate_policy,
)
from recoup.domain.priority import PayerKind
from recoup.policy import (
    DEFAULT_POLICY_PATH,
    default_policy,
    default_policy_text,
    load_policy,
    read_policy_file,
    to_json,
    to_toml,
)
from recoup.policy.keys import (
    AUTHORITY_KEYS,
    COLLECTOR_KEYS,
    CONTACT_KEYS,
    ESCALATION_KEYS,
    FEES_KEYS,
    PLAN_KEYS,
    RECOMMEND_KEYS,
    SETTLEMENT_KEYS,
    STAGE_KEYS,
    TOP_KEYS,
    WRITE_OFF_KEYS,
)
from recoup.policy.locate import locate

FILE = "plan.toml"

BASE = """\
name = "test plan"

[[stage]]
name = "first"
days_from_due = 7
email = "overdue"
"""


def where(text: str, needle: str, nth: int = 0, skip: int = 0) -> str:
    """`plan.toml:line:column` of the `nth` occurrence of `needle` in `text`, plus `skip`."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    index += skip
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{FILE}:{line}:{column}"


def wq(text: str, value: str) -> str:
    """Where the quoted `value` (a TOML string starting with it) is in `text`."""
    return where(text, '"' + value)


def problems(text: str) -> list[str]:
    loaded = load_policy(text, FILE)
    assert (loaded.policy is None) == bool(loaded.problems)
    return [str(p) for p in loaded.problems]


def ok(text: str) -> Policy:
    loaded = load_policy(text, FILE)
    assert loaded.problems == (), [str(p) for p in loaded.problems]
    assert loaded.policy is not None
    return loaded.policy


# --- the built-in default -----------------------------------------------------------


def test_the_default_policy_loads_and_validates():
    loaded = load_policy(default_policy_text(), "default.toml")
    assert loaded.ok, [str(p) for p in loaded.problems]
    policy = default_policy()
    assert policy == loaded.policy
    assert validate_policy(policy) == []


def test_the_default_policy_is_the_safe_plan():
    p = default_policy()
    assert [(s.name, s.trigger, s.tone) for s in p.stages] == [
        ("reminder before due", Trigger(TriggerKind.DAYS_FROM_DUE, -3), Tone.FRIENDLY),
        ("friendly overdue", Trigger(TriggerKind.DAYS_FROM_DUE, 7), Tone.FRIENDLY),
        ("firm overdue", Trigger(TriggerKind.DAYS_FROM_DUE, 21), Tone.FIRM),
        ("call", Trigger(TriggerKind.DAYS_FROM_DUE, 30), Tone.FIRM),
        ("final notice", Trigger(TriggerKind.DAYS_FROM_DUE, 45), Tone.FINAL),
    ]
    assert p.stage("call").actions.call
    assert p.stage("final notice").actions.letter == "letter-before-action"
    assert all(s.actions.fee is None and s.actions.fee_percent is None for s in p.stages)
    assert p.fees == FeesAndInterest()  # no fees, no interest
    assert p.contact == ContactSettings()
    assert p.contact.min_gap_days == 7
    assert p.contact.max_per_7_days == 2
    assert (p.contact.hours_from, p.contact.hours_until) == (time(8), time(20))
    assert p.contact.weekday_numbers == frozenset(range(5))
    assert set(p.contact.holds) == set(Hold)
    assert [(f.from_days, f.min_percent) for f in p.authority.settlement] == [
        (0, 90),
        (60, 75),
        (120, 50),
    ]
    assert p.authority.payment_plan.max_installments == 6
    assert p.authority.payment_plan.min_installment_for("EUR") == Money.of("25.00", "EUR")
    assert sorted({r.after_days for r in p.escalation.recommend}) == [60, 90]
    assert {r.step for r in p.escalation.recommend} == {Step.AGENCY}
    assert p.group_by.value == "customer_currency"


def test_every_setting_is_explained_in_the_default_file_and_in_the_docs():
    text = default_policy_text()
    docs = (DEFAULT_POLICY_PATH.parent / "docs.md").read_text(encoding="utf-8")
    keys = {
        *TOP_KEYS,
        *STAGE_KEYS,
        *CONTACT_KEYS,
        *FEES_KEYS,
        *AUTHORITY_KEYS,
        *COLLECTOR_KEYS,
        *SETTLEMENT_KEYS,
        *PLAN_KEYS,
        *ESCALATION_KEYS,
        *RECOMMEND_KEYS,
        *WRITE_OFF_KEYS,
    }
    for key in keys:
        assert re.search(rf"\b{key}\b", text), f"{key} is not in default.toml"
        assert re.search(rf"[`.\[]{key}\b", docs), f"{key} is not in docs.md"
    for value in [*Hold, *Weekday, *Tone, *InterestKind, *Part, *Step, *PayerKind]:
        assert f'"{value}"' in text, f"{value} is not explained in default.toml"


# --- round trips ----------------------------------------------------------------------

RICH = """\
name = "Rich plan"
currency = "EUR"
jurisdiction = "DE"
group_by = "customer_currency"

[contact]
min_gap_days = 10
max_per_7_days = 1
hours = "09:30-18:00"
weekdays = ["mon", "wed", "fri", "sat"]
skip_holidays = false
holds = ["dispute", "cease_contact", "insolvency", "agency"]

[fees]
interest = "statutory"
compensation = true
application_order = ["costs", "interest", "principal"]

[[authority.settlement]]
from_days = 0
min_percent = "95.5"
balance_below = "10000.00"

[[authority.settlement]]
from_days = 0
min_percent = 80
min_balance = "10000.00"

[[authority.settlement]]
from_days = 120
min_percent = 50
balance_below = "10000.00"

[authority.payment_plan]
max_installments = 12
min_installment = "50.00 GBP"

[[stage]]
name = "before"
days_from_due = -5
email = "before-due"
tags = ["vip", "wholesale"]

[[stage]]
name = "small"
days_from_due = 14
tone = "firm"
email = "small"
fee = "5.00"
balance_below = "1000.00"

[[stage]]
name = "large"
days_from_due = 14
tone = "firm"
call = true
fee_percent = "1.5"
min_balance = "1000.00"
categories = ["evader", "juggler"]

[[stage]]
name = "later"
days_after_previous = 10
tone = "final"
letter = "letter-before-action"
exclude_tags = ["friend"]

[[stage]]
name = "month end"
end_of_month = true
tone = "final"
email = "statement"

[[escalation.recommend]]
step = "legal"
after_days = 120
min_balance = "5000.00"
broken_promises = 1
no_response_days = 30

[[escalation.write_off]]
after_days = 365
balance_below = "25.00"
no_response_days = 90
"""


def test_a_rich_policy_reads_as_written():
    p = ok(RICH)
    assert p.currency == "EUR"
    assert p.stage("small").actions.fee == PolicyAmount(Decimal("5.00"), "EUR")
    assert p.stage("large").actions.fee_percent == Decimal("1.5")
    assert p.stage("large").conditions.categories == (PayerKind.EVADER, PayerKind.JUGGLER)
    assert p.stage("later").trigger == Trigger(TriggerKind.DAYS_AFTER_PREVIOUS, 10)
    assert p.stage("month end").trigger == Trigger(TriggerKind.END_OF_MONTH)
    assert [len(step) for step in p.steps()] == [1, 2, 1, 1]
    assert p.authority.payment_plan.min_installment == PolicyAmount(Decimal("50.00"), "GBP")
    assert p.contact.weekdays == (Weekday.MON, Weekday.WED, Weekday.FRI, Weekday.SAT)
    assert p.application_order() == (Part.COSTS, Part.INTEREST, Part.PRINCIPAL)


@pytest.mark.parametrize(
    "text", [BASE, RICH, default_policy_text()], ids=["base", "rich", "default"]
)
def test_round_trip_through_toml(text):
    policy = ok(text)
    written = to_toml(policy)
    assert ok(written) == policy
    assert to_toml(ok(written)) == written


def test_json_is_plain_data_with_strings_for_money():
    data = to_json(ok(RICH))
    assert data["stage"][1]["fee"] == "5.00 EUR"
    assert data["authority"]["settlement"][0]["min_percent"] == "95.5"
    assert data["effective"]["application_order"] == ["costs", "interest", "principal"]
    assert data["effective"]["triggers"]["before"] == "5 days before the due date"


_amounts = st.decimals(min_value=1, max_value=99999, places=2).map(lambda d: PolicyAmount(d, None))


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    days = sorted(draw(st.lists(st.integers(-30, 400), min_size=1, max_size=6, unique=True)))
    stages = []
    for index, day in enumerate(days):
        before = day < 0
        stages.append(
            Stage(
                name=f"stage {index}",
                trigger=Trigger(TriggerKind.DAYS_FROM_DUE, day),
                tone=Tone.FRIENDLY if before else draw(st.sampled_from(Tone)),
                actions=Actions(
                    email=draw(st.sampled_from([None, "mail-a", "mail.b"])),
                    letter=draw(st.sampled_from([None, "letter"])),
                    call=True,
                    fee=None if before else draw(st.none() | _amounts),
                ),
                conditions=Conditions(
                    band=AmountBand(low=draw(st.none() | _amounts)),
                    tags=tuple(draw(st.lists(st.sampled_from(["a", "b c", "ü"]), unique=True))),
                ),
            )
        )
    floors = tuple(
        SettlementFloor(from_days=d, min_percent=Decimal(100 - d // 10))
        for d in sorted(draw(st.lists(st.integers(0, 900), max_size=4, unique=True)))
    )
    return Policy(
        name=draw(st.text(min_size=1, max_size=40).filter(lambda s: s.strip())),
        stages=tuple(stages),
        contact=ContactSettings(
            min_gap_days=draw(st.integers(1, 90)),
            max_per_7_days=draw(st.integers(1, 7)),
            hours_from=time(draw(st.integers(0, 11)), draw(st.sampled_from([0, 15, 30]))),
            hours_until=draw(st.sampled_from([time(12), time(23, 59), time.max])),
            weekdays=tuple(draw(st.lists(st.sampled_from(Weekday), min_size=1, unique=True))),
            holds=tuple(draw(st.lists(st.sampled_from(Hold), unique=True))),
        ),
        fees=draw(
            st.sampled_from(
                [
                    FeesAndInterest(),
                    FeesAndInterest(InterestKind.CONTRACTUAL, Decimal("8.25"), grace_days=14),
                    FeesAndInterest(application_order=(Part.PRINCIPAL, Part.INTEREST, Part.COSTS)),
                ]
            )
        ),
        authority=Authority(settlement=floors),
        escalation=Escalation(
            recommend=(EscalationRule(Step.AGENCY, after_days=max(days[-1], 0) + 1),),
            write_off=(WriteOffRule(after_days=draw(st.integers(0, 999))),),
        ),
    )


@settings(max_examples=60, deadline=None)
@given(policies())
def test_round_trip_of_generated_policies(policy):
    assert validate_policy(policy) == []
    loaded = load_policy(to_toml(policy), FILE)
    assert loaded.problems == ()
    assert loaded.policy == policy


# --- the errors, each at its file:line:column ---------------------------------------------


def test_unknown_key_with_did_you_mean():
    text = BASE + "\n[contact]\nmin_gap_day = 7\n"
    assert problems(text) == [
        f'{where(text, "min_gap_day")}: unknown key "min_gap_day" in [contact]; '
        'did you mean "min_gap_days"?'
    ]


def test_unknown_key_in_a_stage_and_at_the_top():
    text = 'nmae = "x"\n' + BASE.replace('email = "overdue"', 'emial = "overdue"\nemail = "x"')
    assert problems(text) == [
        f'{where(text, "nmae")}: unknown key "nmae" at the top level; did you mean "name"?',
        f'{where(text, "emial")}: unknown key "emial" in [[stage]] number 1; did you mean "email"?',
    ]


def test_unknown_key_without_a_near_name_lists_the_known_keys():
    text = BASE + "\n[fees]\nbanana = 1\n"
    (message,) = problems(text)
    assert message.startswith(
        f'{where(text, "banana")}: unknown key "banana" in [fees]; known keys: '
    )
    assert "application_order" in message


def test_float_money_is_refused_with_the_way_to_write_it():
    text = BASE + "fee = 2.50\n"
    assert problems(text) == [
        f'{where(text, "2.50")}: amounts are never floats: write 2.50 as "2.50"'
    ]


def test_float_percentages_are_refused_too():
    text = BASE + "\n[[authority.settlement]]\nfrom_days = 0\nmin_percent = 2.5\n"
    assert problems(text) == [
        f'{where(text, "2.5")}: percentages are never floats: write 2.5 as "2.5"'
    ]


def test_bare_integer_money_is_refused():
    text = BASE + "min_balance = 25\n"
    assert problems(text) == [
        f'{where(text, "25")}: an amount is text in quotes: write 25 as "25" or "25 EUR"'
    ]


def test_whole_numbers_are_whole():
    text = BASE + "\n[contact]\nmin_gap_days = 7.5\n"
    assert problems(text) == [
        f"{where(text, '7.5')}: min_gap_days is a whole number, e.g. 7; not 7.5"
    ]


def test_a_stage_without_a_trigger():
    text = BASE.replace("days_from_due = 7\n", "")
    assert problems(text) == [
        f'{where(text, "[[stage]]")}: stage "first" has no trigger: give it one of days_from_due, '
        "days_after_previous, end_of_month"
    ]


def test_a_stage_with_two_triggers():
    text = BASE + "days_after_previous = 3\n"
    assert problems(text) == [
        f'{where(text, "days_after_previous")}: stage "first" has two triggers, days_from_due '
        "and days_after_previous; keep one"
    ]


def test_the_first_stage_cannot_count_from_a_previous_one():
    text = BASE.replace("days_from_due = 7", "days_after_previous = 7")
    assert problems(text) == [
        f"{where(text, '7')}: the first stage has no previous stage to count from; "
        "use days_from_due"
    ]


def test_stages_out_of_order():
    text = BASE + '\n[[stage]]\nname = "second"\ndays_from_due = 3\nemail = "x"\n'
    assert problems(text) == [
        f"{where(text, '3')}: stages must be in order: days_from_due 3 comes after stage "
        '"first" at 7'
    ]


def test_a_due_date_stage_cannot_follow_a_relative_one():
    text = (
        BASE
        + '\n[[stage]]\nname = "b"\ndays_after_previous = 7\nemail = "x"\n'
        + '\n[[stage]]\nname = "c"\ndays_from_due = 60\nemail = "x"\n'
    )
    (message,) = problems(text)
    assert message.startswith(
        f'{where(text, "60")}: a stage counted from the due date cannot follow stage "b"'
    )


def test_before_the_due_date_only_friendly_and_no_fee():
    text = BASE.replace("days_from_due = 7", "days_from_due = -3") + 'tone = "firm"\nfee = "5.00"\n'
    assert problems(text) == [
        f"{wq(text, 'firm')}: a reminder before the due date must be friendly: nothing is late yet",
        f"{wq(text, '5.00')}: no fee before the due date: nothing is late yet",
    ]


def test_duplicate_stage_name():
    text = BASE + '\n[[stage]]\nname = "First"\ndays_from_due = 14\nemail = "x"\n'
    assert problems(text) == [
        f'{wq(text, "First")}: stage name "First" is used twice (first by stage 1); '
        "stage names must be unique"
    ]


def test_a_stage_that_does_nothing():
    text = BASE.replace('email = "overdue"\n', "")
    assert problems(text) == [
        f'{where(text, "[[stage]]", 0)}: stage "first" does nothing: give it an email, a '
        "letter, a call or a fee"
    ]


def test_settlement_floor_above_100_percent():
    text = BASE + '\n[[authority.settlement]]\nfrom_days = 120\nmin_percent = "150"\n'
    assert problems(text) == [
        f"{wq(text, '150')}: a settlement floor is between 0 and 100 percent of the "
        "balance, not 150"
    ]


def test_settlement_floors_must_not_rise_with_age():
    text = (
        BASE
        + "\n[[authority.settlement]]\nfrom_days = 0\nmin_percent = 50\n"
        + "\n[[authority.settlement]]\nfrom_days = 90\nmin_percent = 80\n"
    )
    assert problems(text) == [
        f"{where(text, '80')}: settlement floors must not rise with age: 80% from day 90 is "
        "above 50% from day 0"
    ]


def test_overlapping_amount_bands_of_alternative_stages():
    text = BASE.replace('email = "overdue"', 'email = "overdue"\nbalance_below = "1000.00"') + (
        '\n[[stage]]\nname = "big"\ndays_from_due = 7\ncall = true\nmin_balance = "500.00"\n'
    )
    assert problems(text) == [
        f'{wq(text, "500.00")}: stages "first" and "big" have the same trigger and '
        "overlapping conditions (balance below 1000.00 and balance of at least 500.00): give "
        "them amount bands, categories or tags that do not overlap"
    ]
    fixed = text.replace('min_balance = "500.00"', 'min_balance = "1000.00"')
    assert [len(step) for step in ok(fixed).steps()] == [2]


def test_overlapping_settlement_bands_on_the_same_day():
    text = (
        BASE
        + '\n[[authority.settlement]]\nfrom_days = 30\nmin_percent = 80\nbalance_below = "500"\n'
        + '\n[[authority.settlement]]\nfrom_days = 30\nmin_percent = 70\nmin_balance = "400"\n'
    )
    (message,) = problems(text)
    assert message.startswith(
        f"{where(text, '30', 1)}: two settlement floors from day 30 with overlapping amount bands"
    )


def test_unknown_jurisdiction():
    text = 'jurisdiction = "US"\n' + BASE
    assert problems(text) == [
        f'{wq(text, "US")}: unknown jurisdiction "US"; known: DE, EU, FR, GB, NL'
    ]


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("8-20", 'hours are written "HH:MM-HH:MM", e.g. "08:00-20:00", not "8-20"'),
        ("08:00-25:00", 'not a time of day in "08:00-25:00"'),
        (
            "20:00-08:00",
            "hours must start before they end (20:00 is not before 08:00); contact at night "
            "is not allowed",
        ),
    ],
)
def test_bad_hours(hours, message):
    text = BASE + f'\n[contact]\nhours = "{hours}"\n'
    assert problems(text) == [f"{wq(text, hours)}: {message}"]


def test_unknown_names_suggest_the_right_one():
    text = (
        BASE
        + 'tone = "frendly"\n\n[contact]\nweekdays = ["mon", "tues"]\n'
        + 'holds = ["dispute", "placed"]\n'
    )
    assert problems(text) == [
        f'{wq(text, "frendly")}: unknown tone "frendly"; did you mean "friendly"?',
        f'{wq(text, "tues")}: unknown weekday "tues"; did you mean "tue"?',
        f'{wq(text, "placed")}: unknown hold "placed"; one of "dispute", "promise", '
        '"payment_plan", "cease_contact", "insolvency", "agency"',
    ]


def test_the_law_fixes_the_payment_order_in_germany():
    text = (
        'jurisdiction = "DE"\n'
        + BASE
        + '\n[fees]\napplication_order = ["principal", "interest", "costs"]\n'
    )
    order = where(text, '["principal')
    assert problems(text) == [
        f"{order}: in DE the law (§ 367(1) BGB) applies payments to costs, then interest, then "
        "principal; remove application_order or write it in that order"
    ]
    without = ok(text.replace('application_order = ["principal", "interest", "costs"]\n', ""))
    assert without.application_order() == (Part.COSTS, Part.INTEREST, Part.PRINCIPAL)
    elsewhere = ok(text.replace('"DE"', '"GB"'))
    assert elsewhere.application_order() == (Part.PRINCIPAL, Part.INTEREST, Part.COSTS)


def test_interest_settings_must_fit_the_kind():
    text = BASE + '\n[fees]\ninterest = "statutory"\nrate_percent = "8"\n'
    assert problems(text) == [
        f"{wq(text, 'statutory')}: statutory interest needs a jurisdiction (set jurisdiction "
        '= "GB", "EU", "DE", "FR" or "NL" at the top of the file)',
        f'{wq(text, "8")}: rate_percent is only for interest = "contractual", not "statutory"',
    ]
    text = BASE + '\n[fees]\ninterest = "contractual"\n'
    assert problems(text) == [f"{wq(text, 'contractual')}: contractual interest needs rate_percent"]


def test_escalation_not_before_the_final_notice():
    text = default_policy_text().replace("after_days = 90", "after_days = 40")
    forty = where(text, "after_days = 40", skip=13)
    assert problems(text) == [
        f"{forty}: escalation at day 40 comes before the final notice (day 45): "
        "send the final notice first"
    ]


def test_amount_with_an_unknown_currency_or_too_many_decimals():
    text = BASE + 'min_balance = "25.00 XYZ"\nfee = "1.005 EUR"\n'
    assert problems(text) == [
        f'{wq(text, "25.00 XYZ")}: unknown currency "XYZ" (not ISO 4217)',
    ]
    text = BASE + 'fee = "1.005 EUR"\n'
    assert problems(text) == [
        f"{wq(text, '1.005')}: 1.005 EUR has more than 2 decimal places, the most EUR allows"
    ]


def test_all_problems_at_once_in_file_order():
    text = (
        'name = "x"\njurisdiction = "XX"\n\n[contact]\nmin_gap_dayz = 7\nhours = "20:00-08:00"\n'
        + BASE.replace('name = "test plan"\n', "")
        + '\n[[stage]]\nname = "first"\ndays_from_due = 1\nemail = "x"\n'
    )
    found = problems(text)
    lines = [int(p.split(":")[1]) for p in found]
    assert lines == sorted(lines)
    assert len(found) == 5, found  # jurisdiction, key, hours, duplicate name, order


def test_toml_syntax_errors_carry_tomllib_positions():
    text = BASE + "fee = [1,\n"
    (message,) = problems(text)
    assert re.fullmatch(rf"{FILE}:\d+:\d+: not valid TOML: .+", message)
    text = 'name = "x"\nstage = 3 4\n'
    assert problems(text) == [
        f"{FILE}:2:11: not valid TOML: expected newline or end of document after a statement"
    ]


def test_missing_name_and_no_stages():
    assert problems("") == [
        f'{FILE}:1:1: a policy needs a name: add name = "..." at the top',
        f"{FILE}:1:1: a policy needs at least one [[stage]]",
    ]


def test_stage_written_as_a_plain_table():
    text = 'name = "x"\n\n[stage]\nname = "a"\n'
    assert problems(text) == [
        f"{where(text, '[stage]')}: stage is a list of tables: write each one under [[stage]]"
    ]


def test_files_that_cannot_be_read(tmp_path):
    missing = tmp_path / "nope.toml"
    text, loaded = read_policy_file(missing)
    assert text is None
    assert str(loaded.problems[0]).startswith(f"{missing}: cannot read: ")
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'name = "x"\n# caf\xe9\n')
    _, loaded = read_policy_file(latin)
    assert [str(p) for p in loaded.problems] == [
        f"{latin}:2:6: not UTF-8 text: save the policy file as UTF-8"
    ]


# --- the locator -----------------------------------------------------------------------


def test_locate_finds_keys_in_every_form_of_table():
    text = (
        "a = 1  # comment\n"
        '"quoted key" = """multi\nline "" string"""\n'
        "x.y = { p = [1, 2,\n  3], 'q r' = {s = 's'} }\n"
        "[t]\n"
        "u = 'lit'\n"
        "[[arr]]\n"
        "v = 1979-05-27 07:32:00Z\n"
        "[[arr]]\n"
        "[arr.sub]\n"
        "w = [ [1], [2, 3] ]\n"
        "[[arr.list]]\n"
        "z = true\n"
    )
    loc = locate(text)
    assert loc.key(("a",)) == (1, 1)
    assert loc.value(("quoted key",)) == (2, 16)
    assert loc.value(("x", "y", "p", 2)) == (5, 3)
    assert loc.value(("x", "y", "q r", "s")) == (5, 20)
    assert loc.key(("t", "u")) == (7, 1)
    assert loc.raw(("arr", 0, "v")) == "1979-05-27 07:32:00Z"
    assert loc.key(("arr", 1)) == (10, 1)
    assert loc.value(("arr", 1, "sub", "w", 1, 1)) == (12, 16)
    assert loc.key(("arr", 1, "list", 0, "z")) == (14, 1)
    assert loc.key(("arr", 1, "nothing", "here")) == (10, 1)  # the nearest ancestor
    assert loc.key(("nothing",)) == (1, 1)


# --- the domain rules ------------------------------------------------------------------


def test_amount_bands_by_currency():
    eur = AmountBand(PolicyAmount(Decimal(100), "EUR"), PolicyAmount(Decimal(1000), "EUR"))
    anywhere = AmountBand(below=PolicyAmount(Decimal(100)))
    assert eur.contains(Money.of("100", "EUR"))
    assert not eur.contains(Money.of("1000", "EUR"))
    assert not eur.contains(Money.of("500", "GBP"))  # an EUR band says nothing of GBP
    assert anywhere.contains(Money.of("99.99", "GBP"))
    assert anywhere.contains(Money.of("99", "JPY"))
    assert not eur.overlaps(AmountBand(PolicyAmount(Decimal(0), "GBP")))
    assert not eur.overlaps(anywhere)  # [100, 1000) and [.., 100)
    assert eur.overlaps(AmountBand())


def test_settlement_floor_and_lowest_settlement():
    p = default_policy()
    debt = Money.of("10000.00", "USD")
    assert p.authority.settlement_floor(59, debt).min_percent == 90
    assert p.authority.lowest_settlement(119, debt) == Money.of("7500.00", "USD")
    assert p.authority.lowest_settlement(120, debt) == Money.of("5000.00", "USD")
    assert p.authority.lowest_settlement(130, Money.of("0.03", "EUR")) == Money.of("0.02", "EUR")
    assert Authority().settlement_floor(500, debt) is None  # no floor: ask the owner


def test_trigger_dates():
    due = date(2026, 1, 31)
    assert Trigger(TriggerKind.DAYS_FROM_DUE, -3).date_for(due, None) == date(2026, 1, 28)
    assert Trigger(TriggerKind.DAYS_AFTER_PREVIOUS, 10).date_for(due, None) is None
    assert Trigger(TriggerKind.DAYS_AFTER_PREVIOUS, 10).date_for(due, date(2026, 2, 5)) == date(
        2026, 2, 15
    )
    month_end = Trigger(TriggerKind.END_OF_MONTH)
    assert month_end.date_for(due, None) == date(2026, 2, 28)
    assert month_end.date_for(due, date(2026, 3, 10)) == date(2026, 3, 31)
    assert month_end.date_for(due, date(2026, 3, 31)) == date(2026, 4, 30)


def test_stage_conditions_match_customers():
    c = Conditions(
        band=AmountBand(PolicyAmount(Decimal(50))),
        tags=("vip",),
        exclude_tags=("friend",),
        categories=(PayerKind.EVADER,),
    )
    fifty = Money.of("50", "EUR")
    assert c.matches(fifty, ["vip"], PayerKind.EVADER)
    assert not c.matches(fifty, ["vip", "friend"], PayerKind.EVADER)
    assert not c.matches(fifty, [], PayerKind.EVADER)
    assert not c.matches(fifty, ["vip"], PayerKind.RELIABLE)
    assert not c.matches(Money.of("49.99", "EUR"), ["vip"], PayerKind.EVADER)
    assert Conditions(tags=("vip",)).disjoint_from(Conditions(exclude_tags=("vip",)))
    assert Conditions(categories=(PayerKind.EVADER,)).disjoint_from(
        Conditions(categories=(PayerKind.TROUBLED,))
    )
    assert not Conditions().disjoint_from(Conditions(tags=("vip",)))


def test_contact_settings_and_escalation_rules():
    contact = ContactSettings()
    assert contact.allows_time(time(8))
    assert not contact.allows_time(time(20))
    assert contact.allows_weekday(date(2026, 11, 20))  # a Friday
    assert not contact.allows_weekday(date(2026, 11, 21))
    rule = EscalationRule(Step.AGENCY, after_days=60, no_response_days=14)
    debt = Money.of("100", "EUR")
    assert rule.applies(60, debt, 0, 14)
    assert not rule.applies(60, debt, 0, None)
    assert not rule.applies(59, debt, 5, 30)
    write_off = default_policy().escalation.write_off[0]
    assert write_off.applies(120, Money.of("49.99", "EUR"), None)
    assert not write_off.applies(120, Money.of("50.00", "EUR"), None)


def test_parsers():
    assert parse_amount("25.00", None) == PolicyAmount(Decimal("25.00"))
    assert parse_amount("25.00", "GBP") == PolicyAmount(Decimal("25.00"), "GBP")
    assert parse_amount(" 25 EUR ", "GBP") == PolicyAmount(Decimal(25), "EUR")
    for bad in ("", "25,00", "EUR 25", "1e3", "nan", "25 EUR extra"):
        with pytest.raises(ValueError):
            parse_amount(bad, None)
    assert parse_hours("8:00 - 24:00") == (time(8), time.max)
    with pytest.raises(ValueError):
        parse_hours("08:00")


def test_relative_stages_in_a_row_are_steps_of_their_own():
    text = BASE + "".join(
        f'\n[[stage]]\nname = "again {n}"\ndays_after_previous = 14\nemail = "again"\n'
        for n in (1, 2)
    )
    assert [[s.name for s in step] for step in ok(text).steps()] == [
        ["first"],
        ["again 1"],
        ["again 2"],
    ]


def test_end_of_month_is_true_or_absent():
    text = BASE.replace("days_from_due = 7", "end_of_month = false")
    assert problems(text) == [
        f"{where(text, 'false')}: end_of_month = false is no trigger; remove it"
    ]
    text = BASE.replace("days_from_due = 7", "end_of_month = 1")
    assert problems(text) == [f"{where(text, '1')}: end_of_month is true or false, not 1"]


def test_escalation_recommendations_of_the_default_plan():
    escalation = default_policy().escalation
    debt = Money.of("500.00", "EUR")
    assert escalation.recommendation(59, debt, 5, 60) is None
    assert escalation.recommendation(60, debt, 0, 13) is None
    assert escalation.recommendation(60, debt, 0, 14).no_response_days == 14
    assert escalation.recommendation(60, debt, 2, None).broken_promises == 2
    assert escalation.recommendation(90, debt, 0, None).after_days == 90
    assert escalation.recommendation(365, Money.of("49.99", "EUR"), 9, 300) is None
    assert escalation.write_off_rule(120, Money.of("49.99", "EUR"), None) is not None
    assert escalation.write_off_rule(119, Money.of("49.99", "EUR"), None) is None
    legal = Escalation(
        recommend=(
            EscalationRule(Step.AGENCY, after_days=90),
            EscalationRule(Step.LEGAL, after_days=90, band=AmountBand(PolicyAmount(Decimal(1000)))),
        )
    )
    assert legal.recommendation(90, Money.of("5000", "EUR"), 0, None).step is Step.LEGAL
    assert legal.recommendation(90, Money.of("500", "EUR"), 0, None).step is Step.AGENCY
