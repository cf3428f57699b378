from datetime import date
from decimal import Decimal

import pytest

from recoup.domain.aging import (
    DEFAULT_BUCKETS,
    BucketSpecError,
    OpenItem,
    age,
    due_date_bounds,
    parse_buckets,
)
from recoup.domain.dates import add_months, month_periods_back
from recoup.domain.dso import SalesPeriod, Settled, countback_dso, payment_behaviour, standard_dso
from recoup.domain.money import Money


def test_default_buckets():
    assert [b.label for b in DEFAULT_BUCKETS] == [
        "current",
        "1-30",
        "31-60",
        "61-90",
        "91-120",
        "over-120",
    ]


def test_custom_buckets_and_bad_specs():
    assert [b.label for b in parse_buckets("15,45")] == ["current", "1-15", "16-45", "over-45"]
    for bad in ("", "30,20", "a,b", "0,30"):
        with pytest.raises(BucketSpecError):
            parse_buckets(bad)


def test_age_puts_each_item_in_its_bucket():
    as_of = date(2026, 3, 31)
    items = [
        OpenItem("a", date(2026, 3, 31), Money.of("1", "EUR")),  # due today: current
        OpenItem("b", date(2026, 3, 30), Money.of("2", "EUR")),  # 1 day
        OpenItem("c", date(2026, 3, 1), Money.of("4", "EUR")),  # 30 days
        OpenItem("d", date(2026, 2, 28), Money.of("8", "EUR")),  # 31 days
        OpenItem("e", date(2025, 11, 1), Money.of("16", "EUR")),
    ]  # 150 days
    totals = [(t.bucket.label, t.amount.to_json(), t.count) for t in age(items, as_of, "EUR")]
    assert totals == [
        ("current", "1.00", 1),
        ("1-30", "6.00", 2),
        ("31-60", "8.00", 1),
        ("61-90", "0.00", 0),
        ("91-120", "0.00", 0),
        ("over-120", "16.00", 1),
    ]


def test_bounds_classify_like_days_past_due():
    as_of = date(2026, 3, 31)
    bounds = due_date_bounds(DEFAULT_BUCKETS, as_of)
    assert bounds[0] == as_of
    assert bounds[1] == date(2026, 3, 1)
    assert bounds[-1] is None


def test_add_months_clamps():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 15), -14) == date(2025, 1, 15)


def test_month_periods_back_are_calendar_months_at_month_end():
    periods = month_periods_back(date(2026, 3, 31), 3)
    assert periods == [
        (date(2026, 3, 1), date(2026, 3, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 1, 1), date(2026, 1, 31)),
    ]
    mid = month_periods_back(date(2026, 3, 15), 2)
    assert mid == [(date(2026, 2, 16), date(2026, 3, 15)), (date(2026, 1, 16), date(2026, 2, 15))]


def test_standard_dso():
    assert standard_dso(50_000, 150_000, 90) == Decimal("30.00")
    assert standard_dso(1, 0, 90) is None


def test_countback_dso_worked_example():
    # receivable 250: March sales 100 (31 days), February 100 (28 days), January 200 (31 days)
    periods = [
        SalesPeriod(date(2026, 3, 1), date(2026, 3, 31), 100),
        SalesPeriod(date(2026, 2, 1), date(2026, 2, 28), 100),
        SalesPeriod(date(2026, 1, 1), date(2026, 1, 31), 200),
    ]
    # 31 + 28 + 50/200 * 31 = 66.75
    assert countback_dso(250, periods) == Decimal("66.75")
    assert countback_dso(1000, periods) is None
    assert countback_dso(0, periods) == Decimal("0.00")


def test_payment_behaviour():
    b = payment_behaviour(
        [
            Settled(date(2026, 1, 1), date(2026, 1, 31), date(2026, 2, 10)),
            Settled(date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 20)),
        ]
    )
    assert b.average_days_to_pay == Decimal("29.50")
    assert b.average_days_late == Decimal("5.00")
    assert b.late_count == 1
