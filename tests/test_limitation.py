"""Limitation periods: the day a debt becomes time-barred per jurisdiction, the loader's
checks, and the planner's refusal to send a letter before action on a time-barred debt."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from recoup.domain.collection import CaseInput, OpenInvoice, plan_case
from recoup.domain.contact_rules import Debtor
from recoup.domain.limitation import days_to_limitation, time_barred_on
from recoup.domain.policy import (
    Actions,
    ContactSettings,
    Escalation,
    EscalationRule,
    Onboarding,
    Policy,
    Stage,
    Step,
    Tone,
    Trigger,
    TriggerKind,
    Weekday,
)
from recoup.jurisdictions.catalogue import default_limitations, load_limitations
from recoup.jurisdictions.tables import TableError
from recoup.services.daily_run import case_inputs
from recoup.store.run_repo import CustomerData

TABLE = default_limitations()


# --- the rule per jurisdiction ------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "country", "consumer", "barred"),
    [
        # England & Wales: 6 years (Limitation Act 1980) [U11a] [U11b]
        (date(2020, 3, 15), "GB", False, date(2026, 3, 15)),
        (date(2020, 2, 29), "GB", False, date(2026, 2, 28)),  # no 29 Feb in 2026
        # Scotland: 5-year prescription [U11c]
        (date(2020, 3, 15), "GB-SCT", False, date(2025, 3, 15)),
        # Germany: 3 years from the end of the year the claim arose (§§ 195, 199 BGB)
        (date(2021, 5, 10), "DE", False, date(2025, 1, 1)),
        (date(2021, 12, 31), "DE", False, date(2025, 1, 1)),
        (date(2021, 5, 10), "DE-BY", True, date(2025, 1, 1)),  # region: the country's rule
        # France: 5 years between merchants (L110-4), 2 years for consumers (L218-2)
        (date(2021, 6, 30), "FR", False, date(2026, 6, 30)),
        (date(2021, 6, 30), "FR", True, date(2023, 6, 30)),
        # Netherlands: 5 years (art. 3:307 BW), consumer sale 2 years (art. 7:28 BW)
        (date(2022, 1, 31), "NL", False, date(2027, 1, 31)),
        (date(2022, 1, 31), "nl", True, date(2024, 1, 31)),
        # US states: the open-account period (the shorter one); New York consumer 3 years
        (date(2022, 4, 1), "US-CA", False, date(2026, 4, 1)),
        (date(2022, 4, 1), "US-NY", False, date(2028, 4, 1)),
        (date(2022, 4, 1), "US-NY", True, date(2025, 4, 1)),
        (date(2022, 4, 1), "US-DE", False, date(2025, 4, 1)),  # Delaware, not Germany
    ],
)
def test_time_barred_on(due: date, country: str, consumer: bool, barred: date) -> None:
    assert time_barred_on(due, country, consumer, table=TABLE) == barred


@pytest.mark.parametrize("country", ["", "US", "US-PA", "JP", "XX-YY"])
def test_unknown_country_has_no_limitation(country: str) -> None:
    # the whole US is state by state; CONFLICT states (PA ...) are not in the table
    assert time_barred_on(date(2010, 1, 1), country, table=TABLE) is None
    assert days_to_limitation(date(2010, 1, 1), country, date(2026, 1, 1), table=TABLE) is None


def test_days_to_limitation_counts_to_the_first_barred_day() -> None:
    due = date(2021, 5, 10)
    assert days_to_limitation(due, "DE", date(2024, 12, 31), table=TABLE) == 1
    assert days_to_limitation(due, "DE", date(2025, 1, 1), table=TABLE) == 0
    assert days_to_limitation(due, "DE", date(2025, 1, 11), table=TABLE) == -10


def test_every_shipped_row_is_sourced() -> None:
    assert {"GB", "GB-SCT", "DE", "FR", "NL", "US-CA"} <= set(TABLE.rules)
    assert all(r.source for r in TABLE.rules.values())


# --- the loader -----------------------------------------------------------------------

HEADER = "code,years,rule,consumer_years,source,status\n"


def _load(tmp_path: Path, body: str) -> None:
    (tmp_path / "limitation.csv").write_text(HEADER + body, encoding="utf-8")
    load_limitations(tmp_path)


def test_loader_reads_a_good_file(tmp_path: Path) -> None:
    (tmp_path / "limitation.csv").write_text(
        HEADER + "GB,6,from_due,,[U11a],VERIFIED\n", encoding="utf-8"
    )
    assert load_limitations(tmp_path).rules["GB"].years == 6


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("GB,6,from_due,,[U11a],VERIFIED\nDE,three,end_of_year,,[D9],VERIFIED\n", 3, "years"),
        ("GB,6,from_start,,[U11a],VERIFIED\n", 2, "rule"),
        ("GB,6,from_due,0,[U11a],VERIFIED\n", 2, "consumer_years"),
        ("GB,6,from_due,,U11a,VERIFIED\n", 2, "source"),
        ("US-PA,4,from_due,,[S1],CONFLICT\n", 2, "CONFLICT"),
        ("Germany,3,end_of_year,,[D9],VERIFIED\n", 2, "code"),
        ("GB,6,from_due,,[U11a],VERIFIED\nGB,5,from_due,,[U11a],VERIFIED\n", 3, "twice"),
        ("GB,6,from_due,[U11a],VERIFIED\n", 2, "fields"),
    ],
)
def test_loader_refuses_a_bad_row_with_file_and_line(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    with pytest.raises(TableError) as err:
        _load(tmp_path, body)
    problem = err.value.problems[0]
    assert (Path(problem.file).name, problem.line) == ("limitation.csv", line)
    assert message in problem.message
    assert f"limitation.csv:{line}: " in str(err.value)


# --- the planner ----------------------------------------------------------------------

EVERY_DAY = ContactSettings(min_gap_days=0, max_per_7_days=3, weekdays=tuple(Weekday))
POLICY = Policy(
    "p",
    (
        Stage("friendly", Trigger(TriggerKind.DAYS_FROM_DUE, 7), Tone.FRIENDLY, Actions(email="f")),
        Stage("firm", Trigger(TriggerKind.DAYS_FROM_DUE, 30), Tone.FIRM, Actions(email="m")),
        Stage("final", Trigger(TriggerKind.DAYS_FROM_DUE, 60), Tone.FINAL, Actions(letter="l")),
    ),
    EVERY_DAY,
    escalation=Escalation(recommend=(EscalationRule(Step.LEGAL, after_days=90),)),
    # by age: these cases are first looked at years past due (a first contact would
    # otherwise open gently, see tests/test_onboarding.py)
    onboarding=Onboarding.BY_AGE,
)
DUE = date(2021, 5, 10)
BARRED = date(2025, 1, 1)  # Germany


def _case(
    *, done: tuple[tuple[str, date], ...] = (), limitation: date | None = BARRED
) -> CaseInput:
    return CaseInput(
        "C",
        "EUR",
        (OpenInvoice("A1", DUE, 50000, "EUR"),),
        Debtor(),
        cycle_start=date(2021, 5, 17) if done else None,
        done=done,
        limitation=limitation,
        limitation_basis="DE: 3 years from the end of the year the claim arose",
    )


def test_no_final_notice_on_a_time_barred_debt() -> None:
    plan = plan_case(_case(done=(("friendly", date(2021, 5, 17)),)), POLICY, date(2025, 2, 1))
    assert [a.stage for a in plan.actions] == ["firm"]  # a firm reminder may still go out
    assert all(a.template != "l" for a in plan.actions)
    assert any(
        "final (final) is not done: the oldest invoice is time-barred since 2025-01-01: "
        "no letter before action, no legal step" in s
        for s in plan.skipped
    )
    assert any("time-barred since 2025-01-01" in n for n in plan.notes)


def test_a_friendly_reminder_still_goes_out_on_a_time_barred_debt() -> None:
    policy = Policy("p", POLICY.stages[:1], EVERY_DAY)
    plan = plan_case(_case(), policy, date(2025, 2, 1))
    assert [(a.kind, a.stage, a.template) for a in plan.actions] == [("email", "friendly", "f")]


def test_no_legal_recommendation_on_a_time_barred_debt() -> None:
    done = (
        ("friendly", date(2021, 5, 17)),
        ("firm", date(2021, 6, 9)),
        ("final", date(2021, 7, 9)),
    )
    before = plan_case(_case(done=done, limitation=None), POLICY, date(2025, 2, 1))
    assert [a.kind for a in before.actions] == ["escalate"]
    after = plan_case(_case(done=done), POLICY, date(2025, 2, 1))
    assert after.actions == ()
    assert any(s.startswith("recommend:legal is not done: ") for s in after.skipped)


def test_a_final_notice_before_the_limitation_day_warns() -> None:
    plan = plan_case(_case(done=(("firm", date(2024, 8, 1)),)), POLICY, date(2024, 12, 1))
    warning = (
        "31 days left before invoice A1 becomes time-barred on 2025-01-01 "
        "(jurisdiction DE: 3 years from the end of the year the claim arose)"
    )
    assert warning in plan.notes
    assert [a.template for a in plan.actions] == ["l"]
    assert all(warning in a.reason for a in plan.actions)


def test_no_warning_more_than_180_days_ahead() -> None:
    plan = plan_case(_case(done=(("firm", date(2024, 1, 1)),)), POLICY, date(2024, 7, 1))
    assert not any("days left" in n for n in plan.notes)
    assert plan.actions
    assert not any("time-barred" in a.reason for a in plan.actions)


# --- the service fills the limitation day ---------------------------------------------


def _data(country: str, tags: tuple[str, ...] = ()) -> CustomerData:
    return CustomerData(
        1,
        "C",
        "Customer",
        country,
        "UTC",
        tags,
        [("A2", date(2022, 3, 1), "EUR", 100), ("A1", date(2021, 5, 10), "EUR", 500)],
        [],
        {},
        {},
    )


def test_case_inputs_fill_the_limitation_from_country_and_oldest_invoice() -> None:
    (case,) = case_inputs(_data("DE"))
    assert case.limitation == date(2025, 1, 1)
    assert case.limitation_basis.startswith("DE: 3 years")
    (consumer,) = case_inputs(_data("FR", ("consumer",)))
    assert consumer.limitation == date(2023, 5, 10)


def test_unknown_country_plans_without_limitation() -> None:
    (case,) = case_inputs(_data("JP"))
    assert case.limitation is None
    plan = plan_case(case, POLICY, date(2030, 1, 8))  # not a holiday in JP
    assert [a.template for a in plan.actions] == ["l"]
