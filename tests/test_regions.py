"""The customer's region: read from an import's column, derived from an address, and
turned into the holiday calendar's code."""

from __future__ import annotations

from datetime import date

import pytest

from recoup.domain.local_calendar import holiday_calendar, holiday_code


@pytest.mark.parametrize(
    ("country", "region", "code"),
    [
        ("GB", "SCT", "GB-SCT"),
        ("de", "by", "DE-BY"),
        ("US", "", "US"),
        (" US ", "  ", "US"),
        ("", "BY", ""),
        ("", "", ""),
    ],
)
def test_holiday_code(country: str, region: str, code: str) -> None:
    assert holiday_code(country, region) == code


def test_holiday_code_gives_the_regions_holidays() -> None:
    second_january = date(2026, 1, 2)  # a bank holiday in Scotland, not in England
    assert holiday_calendar(holiday_code("GB", "SCT")).holiday(second_january)
    assert holiday_calendar(holiday_code("GB", "ENG")).holiday(second_january) is None
    epiphany = date(2026, 1, 6)  # in Bavaria, not in Berlin
    assert holiday_calendar(holiday_code("DE", "BY")).holiday(epiphany) == "Epiphany"
    assert holiday_calendar(holiday_code("DE", "BE")).holiday(epiphany) is None


def test_a_subdivision_code_in_any_case_is_found() -> None:
    calendar = holiday_calendar(holiday_code("DE", "augsburg"))
    assert calendar.subdivision == "Augsburg"
    assert calendar.note is None
    assert calendar.holiday(date(2026, 8, 8)) is not None  # the Augsburg peace festival
