"""Statutory late-payment interest: worked examples by hand, to the cent, and properties.

Every example writes its arithmetic out: principal x rate x days / 365 per period, the
periods' exact amounts added up, and the total rounded once, half-up, to the cent. The
rates come from the reference tables (jurisdictions.md, sections 1.2-1.3 and 2.2-2.7).
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from recoup.domain.interest import (
    CompensationBand,
    Compounding,
    Debtor,
    Fixing,
    InterestError,
    InterestResult,
    InterestRule,
    NoConsumerRateError,
    OutsideTableError,
    RateRow,
    RateSeries,
    RateTableError,
    Status,
    StatutoryRules,
    interest_on,
    late_payment,
    round_half_up,
    uk_reference_date,
    year_of_delay_start,
)
from recoup.domain.money import Money
from recoup.jurisdictions.catalogue import default_catalogue
from recoup.services.interest import InterestRequestError, statutory_interest

D = date.fromisoformat


def calc(code: str, principal: str, due: str, paid: str, consumer: bool = False) -> InterestResult:
    return statutory_interest(code, principal, D(due), D(paid), consumer=consumer)


def periods(result: InterestResult) -> list[tuple[str, str, int, str, str]]:
    return [
        (
            p.start.isoformat(),
            p.end.isoformat(),
            p.days,
            str(p.rate_percent),
            str(p.interest.amount),
        )
        for p in result.periods
    ]


# --- United Kingdom ----------------------------------------------------------------------


def test_gb_rate_stays_fixed_across_bank_rate_changes():
    # Due 30 Jun 2023, so interest starts 1 Jul 2023. Reference date: 30 Jun 2023, when
    # Bank Rate was 5.00 (since 22 Jun 2023) -> statutory rate 5.00 + 8 = 13.00 %.
    # Bank Rate rose to 5.25 on 3 Aug 2023 and fell to 5.00 on 1 Aug 2024; the debt keeps
    # 13.00 % throughout, and is not split at the half-years either.
    # Days: 1 Jul 2023 .. 30 Sep 2024 = 366 (to 30 Jun 2024, a leap year) + 92 = 458.
    # 10,000.00 x 13.00 % x 458 / 365 = 1,300 x 458 / 365 = 595,400 / 365
    #   = 1,631.2328767... -> 1,631.23
    r = calc("GB", "10000.00", "2023-06-30", "2024-09-30")
    assert r.days == 458
    assert periods(r) == [("2023-07-01", "2024-09-30", 458, "13.00", "1631.23")]
    assert r.interest == Money.of("1631.23", "GBP")
    assert r.compensation == Money.of("100.00", "GBP")  # 10,000 and more -> £100
    assert any("fixed for the life of the debt" in n for n in r.notes)


def test_gb_2026_rate():
    # Due 31 Dec 2025: interest starts 1 Jan 2026; reference date 31 Dec 2025, Bank Rate
    # 3.75 (since 18 Dec 2025) -> 11.75 %. Days 1 Jan .. 31 Mar 2026 = 31 + 28 + 31 = 90.
    # 2,500.00 x 11.75 % = 293.75; x 90 = 26,437.5; / 365 = 72.4315068... -> 72.43
    r = calc("GB", "2500.00", "2025-12-31", "2026-03-31")
    assert (r.days, str(r.interest.amount), str(r.compensation.amount)) == (90, "72.43", "70.00")


def test_gb_debt_may_be_paid_after_the_table_ends():
    # Interest starts 30 Jun 2026 (in H1 2026): reference date 31 Dec 2025 -> 11.75 %, fixed.
    # Paid 30 Jun 2027, long after the last known Bank Rate: the rate does not move.
    # Days: 29 Jun 2026 .. 29 Jun 2027 = 365, + 1 = 366.
    # 999.99 x 11.75 % = 117.498825; x 366 = 43,004.56995; / 365 = 117.8207396... -> 117.82
    r = calc("GB", "999.99", "2026-06-29", "2027-06-30")
    assert (r.days, str(r.interest.amount)) == (366, "117.82")
    assert r.compensation == Money.of("40.00", "GBP")  # below £1,000 -> £40


@pytest.mark.parametrize(
    ("principal", "compensation"),
    [
        ("0.01", "40.00"),
        ("999.99", "40.00"),
        ("1000.00", "70.00"),
        ("9999.99", "70.00"),
        ("10000.00", "100.00"),
        ("2500000.00", "100.00"),
    ],
)
def test_gb_compensation_bands(principal, compensation):
    r = calc("GB", principal, "2024-01-31", "2024-03-01")
    assert r.compensation == Money.of(compensation, "GBP")


def test_gb_half_up_on_an_exact_half_penny():
    # Due 31 Dec 2020: reference date 31 Dec 2020, Bank Rate 0.10 -> 8.10 %.
    # 1 Jan .. 31 Dec 2021 = 365 days. 1,235.00 x 8.10 % x 365 / 365 = 100.035 exactly:
    # half-up gives 100.04 (banker's rounding would give 100.04 too, truncation 100.03).
    # And 5.00 x 8.10 % = 0.405 -> 0.41 (banker's rounding would give 0.40).
    assert calc("GB", "1235.00", "2020-12-31", "2021-12-31").interest.amount == Decimal("100.04")
    assert calc("GB", "5.00", "2020-12-31", "2021-12-31").interest.amount == Decimal("0.41")


def test_gb_refuses_what_the_table_does_not_hold():
    # Interest starting 1 Jul 2026 needs Bank Rate on 30 Jun 2026: not in the table.
    with pytest.raises(OutsideTableError, match="2026-06-30"):
        calc("GB", "100.00", "2026-06-30", "2026-07-10")
    # Interest starting 31 Dec 2018 needs Bank Rate on 30 Jun 2018: before the table.
    with pytest.raises(OutsideTableError, match="2018-06-30"):
        calc("GB", "100.00", "2018-12-30", "2019-01-10")
    # The first and last start days that can be answered.
    assert calc("GB", "100.00", "2018-12-31", "2019-01-01").days == 1
    assert calc("GB", "100.00", "2026-06-29", "2026-06-30").days == 1


def test_gb_has_no_consumer_rate():
    with pytest.raises(NoConsumerRateError, match="business debts only"):
        calc("GB", "100.00", "2024-01-31", "2024-03-01", consumer=True)


# --- EU Directive minimum ------------------------------------------------------------


def test_eu_across_a_half_year():
    # 16 May .. 30 Jun 2023: 16 + 30 = 46 days at MRO on 1 Jan 2023 (2.50) + 8 = 10.50 %
    #   5,000 x 10.50 % x 46 / 365 = 525 x 46 / 365 = 24,150 / 365 = 66.1643836...
    # 1 Jul .. 30 Sep 2023: 31 + 31 + 30 = 92 days at MRO on 1 Jul 2023 (4.00) + 8 = 12.00 %
    #   5,000 x 12.00 % x 92 / 365 = 600 x 92 / 365 = 55,200 / 365 = 151.2328767...
    # Total (24,150 + 55,200) / 365 = 79,350 / 365 = 217.3972602... -> 217.40
    # The periods rounded on their own show 66.16 + 151.23 = 217.39: display only.
    r = calc("EU", "5000.00", "2023-05-15", "2023-09-30")
    assert r.days == 138
    assert periods(r) == [
        ("2023-05-16", "2023-06-30", 46, "10.50", "66.16"),
        ("2023-07-01", "2023-09-30", 92, "12.00", "151.23"),
    ]
    assert r.exact_interest == Fraction(79_350, 365)
    assert r.interest == Money.of("217.40", "EUR")
    assert sum(p.interest.minor for p in r.periods) == 21_739  # not the total
    assert r.compensation == Money.of("40.00", "EUR")


def test_eu_rate_is_fixed_on_1_july_not_on_the_change():
    # The MRO went 0.00 -> 0.50 on 27 Jul 2022, but H2 2022 keeps the 1 Jul rate (0.00).
    # 1 Jul .. 31 Dec 2022: 184 days at 8.00 %: 1,000 x 8 % x 184 / 365 = 14,720 / 365
    # 1 Jan .. 31 Jan 2023: 31 days at 2.50 + 8 = 10.50 %: 1,000 x 10.5 % x 31 / 365 = 3,255 / 365
    # Total 17,975 / 365 = 49.2465753... -> 49.25
    r = calc("EU", "1000.00", "2022-06-30", "2023-01-31")
    assert [p.rate_percent for p in r.periods] == [Decimal("8.00"), Decimal("10.50")]
    assert r.interest.amount == Decimal("49.25")


def test_eu_refuses_days_after_the_last_known_half_year():
    with pytest.raises(OutsideTableError, match="2026-07-01"):
        calc("EU", "100.00", "2026-05-31", "2026-07-01")
    assert calc("EU", "100.00", "2026-05-31", "2026-06-30").days == 30
    # The first half-year fixed by a rate in the table is H2 2016 (MRO table from 16 Mar 2016).
    assert calc("EU", "100.00", "2016-06-30", "2016-07-01").days == 1
    with pytest.raises(OutsideTableError, match="2016-01-01"):
        calc("EU", "100.00", "2016-06-29", "2016-07-01")


def test_eu_fr_have_no_consumer_rate():
    for code in ("EU", "FR"):
        with pytest.raises(NoConsumerRateError):
            calc(code, "100.00", "2024-01-31", "2024-03-01", consumer=True)


# --- Germany -------------------------------------------------------------------------


def test_de_business_across_two_half_years():
    # 1 .. 30 Jun 2024: 30 days, Basiszins 3.62 + 9 = 12.62 %: 1,000 x 12.62 % x 30 = 3,786
    # 1 Jul .. 31 Dec 2024: 184 days, 3.37 + 9 = 12.37 %: 123.70 x 184 = 22,760.8
    # 1 Jan .. 28 Feb 2025: 31 + 28 = 59 days, 2.27 + 9 = 11.27 %: 112.70 x 59 = 6,649.3
    # Total (3,786 + 22,760.8 + 6,649.3) / 365 = 33,196.1 / 365 = 90.9482191... -> 90.95
    r = calc("DE", "1000.00", "2024-05-31", "2025-02-28")
    assert r.days == 273
    assert periods(r) == [
        ("2024-06-01", "2024-06-30", 30, "12.62", "10.37"),
        ("2024-07-01", "2024-12-31", 184, "12.37", "62.36"),
        ("2025-01-01", "2025-02-28", 59, "11.27", "18.22"),
    ]
    assert r.interest.amount == Decimal("90.95")
    assert r.compensation.amount == Decimal("40.00")  # Verzugspauschale, § 288(5)
    assert any("DERIVED" in n for n in r.notes)  # the 2024-07-01 Basiszins is DERIVED


def test_de_consumer():
    # Same days, Basiszins + 5: 8.62 %, 8.37 %, 7.27 %.
    # 86.20 x 30 = 2,586; 83.70 x 184 = 15,400.8; 72.70 x 59 = 4,289.3
    # Total 22,276.1 / 365 = 61.0304109... -> 61.03; no lump sum for consumers.
    r = calc("DE", "1000.00", "2024-05-31", "2025-02-28", consumer=True)
    assert [str(p.rate_percent) for p in r.periods] == ["8.62", "8.37", "7.27"]
    assert r.interest.amount == Decimal("61.03")
    assert r.compensation == Money.zero("EUR")


def test_de_negative_basiszins():
    # H1 2021: Basiszins -0.88 + 9 = 8.12 %. 1 Jan .. 31 Mar 2021 = 90 days.
    # 10,000 x 8.12 % x 90 / 365 = 812 x 90 / 365 = 73,080 / 365 = 200.2191780... -> 200.22
    assert calc("DE", "10000.00", "2020-12-31", "2021-03-31").interest.amount == Decimal("200.22")


# --- France --------------------------------------------------------------------------


def test_fr_across_three_half_years():
    # 16 .. 31 Dec 2024: 16 days, MRO on 1 Jul 2024 (4.25) + 10 = 14.25 %
    #   20,000 x 14.25 % x 16 = 2,850 x 16 = 45,600
    # 1 Jan .. 30 Jun 2025: 181 days, MRO on 1 Jan 2025 (3.15) + 10 = 13.15 %
    #   2,630 x 181 = 476,030
    # 1 .. 15 Jul 2025: 15 days, MRO on 1 Jul 2025 (2.15) + 10 = 12.15 %
    #   2,430 x 15 = 36,450
    # Total (45,600 + 476,030 + 36,450) / 365 = 558,080 / 365 = 1,528.9863013... -> 1,528.99
    r = calc("FR", "20000.00", "2024-12-15", "2025-07-15")
    assert r.days == 212
    assert periods(r) == [
        ("2024-12-16", "2024-12-31", 16, "14.25", "124.93"),
        ("2025-01-01", "2025-06-30", 181, "13.15", "1304.19"),
        ("2025-07-01", "2025-07-15", 15, "12.15", "99.86"),
    ]
    assert r.interest.amount == Decimal("1528.99")
    assert r.compensation.amount == Decimal("40.00")


# --- Netherlands ---------------------------------------------------------------------


def test_nl_compounds_after_each_full_year():
    # Year 1 of delay: 1 Apr 2023 .. 31 Mar 2024, on 10,000.00:
    #   1 Apr .. 30 Jun 2023:  91 days at 10.50 %: 1,050 x 91  = 95,550  -> /365 = 261.78...
    #   1 Jul .. 31 Dec 2023: 184 days at 12.00 %: 1,200 x 184 = 220,800 -> /365 = 604.93...
    #   1 Jan .. 31 Mar 2024:  91 days at 12.50 %: 1,250 x 91  = 113,750 -> /365 = 311.64...
    #   year 1 = 430,100 / 365 = 1,178.3561643...
    # Year 2 from 1 Apr 2024, on 10,000 + 430,100/365 = 4,080,100/365 = 11,178.3561643...:
    #   1 Apr .. 30 Jun 2024: 91 days at 12.50 %; 1 Jul .. 30 Sep 2024: 92 days at 12.25 %
    #   factor (12.50 x 91 + 12.25 x 92) / 100 / 365 = (11.375 + 11.27) / 365 = 22.645 / 365
    #   year 2 = 4,080,100 x 22.645 / 365^2 = 92,393,864.5 / 133,225 = 693.5174666...
    # Total 1,178.3561643 + 693.5174666 = 1,871.8736310... -> 1,871.87
    # (Simple interest would give 430,100/365 + 10,000 x 22.645/365 = 1,798.77.)
    r = calc("NL", "10000.00", "2023-03-31", "2024-09-30")
    assert r.days == 549
    assert periods(r) == [
        ("2023-04-01", "2023-06-30", 91, "10.50", "261.78"),
        ("2023-07-01", "2023-12-31", 184, "12.00", "604.93"),
        ("2024-01-01", "2024-03-31", 91, "12.50", "311.64"),
        ("2024-04-01", "2024-06-30", 91, "12.50", "348.37"),
        ("2024-07-01", "2024-09-30", 92, "12.25", "345.15"),
    ]
    assert [p.base for p in r.periods] == [Fraction(10_000)] * 3 + [Fraction(4_080_100, 365)] * 2
    year_2 = Fraction(923_938_645, 1_332_250)  # 92,393,864.5 / 133,225
    assert r.exact_interest == Fraction(430_100, 365) + year_2
    assert r.interest.amount == Decimal("1871.87")
    simple = interest_on(
        dataclasses.replace(default_catalogue().get("NL").business, compounding=Compounding.NONE),
        Money.of("10000.00", "EUR"),
        D("2023-03-31"),
        D("2024-09-30"),
    )
    assert simple.interest.amount == Decimal("1798.77")


def test_nl_capitalises_on_the_anniversary_not_before():
    # Paid on the last day of year 1 (31 Mar 2024): no capitalisation yet.
    #   430,100 / 365 = 1,178.3561643... -> 1,178.36
    # One day more (1 Apr 2024) runs on the new base 4,080,100/365 at 12.50 %:
    #   4,080,100/365 x 12.5 % / 365 = 3.8282041...; total 1,182.1843685... -> 1,182.18
    assert calc("NL", "10000.00", "2023-03-31", "2024-03-31").interest.amount == Decimal("1178.36")
    assert calc("NL", "10000.00", "2023-03-31", "2024-04-01").interest.amount == Decimal("1182.18")


def test_nl_consumer_wettelijke_rente_compounds_too():
    # Year 1: 1 Jan .. 31 Dec 2024 at 7 % (two half-year periods, 182 + 184 = 366 days):
    #   1,000 x 7 % x 366 / 365 = 25,620 / 365 = 70.1917808...; new base 1,070.1917808...
    # Year 2: 1 Jan .. 31 Mar 2025, 90 days at 6 %: 1,070.1917808 x 6 % x 90 / 365
    #   = 1,070.1917808 x 5.4 / 365 = 15.8329742...
    # Total 86.0247551... -> 86.02; no fixed compensation for consumers here.
    r = calc("NL", "1000.00", "2023-12-31", "2025-03-31", consumer=True)
    assert [(p.days, str(p.rate_percent)) for p in r.periods] == [
        (182, "7.00"),
        (184, "7.00"),
        (90, "6.00"),
    ]
    assert r.interest.amount == Decimal("86.02")
    assert r.compensation == Money.zero("EUR")
    with pytest.raises(OutsideTableError):  # the consumer table ends on 2025-06-30
        calc("NL", "1000.00", "2025-06-30", "2025-07-01", consumer=True)


def test_nl_compensation_is_the_directive_minimum_and_says_so():
    r = calc("NL", "500.00", "2024-01-31", "2024-02-29")
    assert r.compensation == Money.of("40.00", "EUR")
    assert any("UNVERIFIED" in n for n in r.notes)


def test_year_of_delay_from_29_february():
    start = D("2024-02-29")
    assert year_of_delay_start(start, 1) == D("2025-03-01")
    assert year_of_delay_start(start, 4) == D("2028-02-29")


# --- the conventions -------------------------------------------------------------------


def test_paid_on_or_before_due_is_nothing():
    for paid in ("2024-03-01", "2024-02-01"):
        r = calc("DE", "1000.00", "2024-03-01", paid)
        assert (r.days, r.interest.minor, r.compensation.minor, r.periods) == (0, 0, 0, ())


def test_one_day_late_counts_the_day_of_payment():
    # Due 1 Mar, paid 2 Mar: one day. 36,500.00 x 12.62 % / 365 = 12.62
    r = calc("DE", "36500.00", "2024-03-01", "2024-03-02")
    assert (r.days, str(r.interest.amount)) == (1, "12.62")


def test_reference_date_rule():
    assert uk_reference_date(D("2026-01-01")) == D("2025-12-31")
    assert uk_reference_date(D("2026-06-30")) == D("2025-12-31")
    assert uk_reference_date(D("2026-07-01")) == D("2026-06-30")
    assert uk_reference_date(D("2026-12-31")) == D("2026-06-30")


def test_round_half_up():
    assert round_half_up(Fraction(5, 1000), "EUR").minor == 1
    assert round_half_up(Fraction(4999, 1_000_000), "EUR").minor == 0
    assert round_half_up(Fraction(-5, 1000), "EUR").minor == -1
    assert round_half_up(Fraction(1, 2), "JPY").minor == 1


def test_bad_requests():
    with pytest.raises(InterestRequestError, match="unknown jurisdiction"):
        calc("XX", "1.00", "2024-01-01", "2024-02-01")
    with pytest.raises(InterestRequestError, match="decimal places"):
        calc("EU", "1.001", "2024-01-01", "2024-02-01")
    with pytest.raises(InterestRequestError, match="negative"):
        calc("EU", "-1.00", "2024-01-01", "2024-02-01")
    with pytest.raises(InterestError, match="GBP"):
        statutory_interest("GB", "1.00", D("2024-01-01"), D("2024-02-01"), currency="EUR")
    # lower-case codes are fine
    assert statutory_interest("de", "1.00", D("2024-01-01"), D("2024-02-01")).days == 31


def test_to_json_shape():
    data = calc("EU", "5000.00", "2023-05-15", "2023-09-30").to_json()
    assert data == {
        "interest": "217.40",
        "compensation": "40.00",
        "days": 138,
        "periods": [
            {"from": "2023-05-16", "to": "2023-06-30", "rate_percent": "10.50",
             "interest": "66.16"},
            {"from": "2023-07-01", "to": "2023-09-30", "rate_percent": "12.00",
             "interest": "151.23"},
        ],
    }  # fmt: skip


# --- domain values refuse broken tables --------------------------------------------------


def _row(start: str, end: str, rate: str = "1.00") -> RateRow:
    return RateRow(D(start), D(end), Decimal(rate), "[X1]", Status.VERIFIED)


def test_rate_series_refuses_gaps_and_overlaps():
    with pytest.raises(RateTableError, match="does not follow"):
        RateSeries("t", (_row("2024-01-01", "2024-06-30"), _row("2024-07-02", "2024-12-31")))
    with pytest.raises(RateTableError, match="does not follow"):
        RateSeries("t", (_row("2024-01-01", "2024-06-30"), _row("2024-06-30", "2024-12-31")))
    with pytest.raises(RateTableError, match="no rows"):
        RateSeries("t", ())
    series = RateSeries("t", (_row("2024-01-01", "2024-06-30"), _row("2024-07-01", "2024-12-31")))
    assert series.row_on(D("2024-07-01")) == series.rows[1]
    assert series.row_on(D("2025-01-01")) is None


def test_rule_refuses_broken_bands():
    series = RateSeries("t", (_row("2024-01-01", "2024-12-31"),))

    def rule(*bands: CompensationBand) -> InterestRule:
        return InterestRule(
            "XX", Debtor.BUSINESS, series, Decimal(8), Fixing.HALF_YEAR, Compounding.NONE,
            "EUR", bands, "[X1]", Status.VERIFIED,
        )  # fmt: skip

    def band(lo: str, hi: str | None) -> CompensationBand:
        return CompensationBand(
            Money.of(lo, "EUR"), Money.of(hi, "EUR") if hi else None, Money.of(40, "EUR"),
            "[X1]", Status.VERIFIED,
        )  # fmt: skip

    rule(band("0", "100"), band("100", None))
    with pytest.raises(RateTableError, match="start at 0"):
        rule(band("1", None))
    with pytest.raises(RateTableError, match="does not follow"):
        rule(band("0", "100"), band("101", None))
    with pytest.raises(RateTableError, match="no upper limit"):
        rule(band("0", "100"))
    rules = StatutoryRules("XX", rule())
    with pytest.raises(NoConsumerRateError):
        rules.rule(consumer=True)
    r = late_payment(rules, Money.of("365.00", "EUR"), D("2024-01-01"), D("2024-01-02"))
    assert r.compensation == Money.zero("EUR")  # no bands, no compensation
    assert r.interest.amount == Decimal("0.09")  # 365 x 9 % / 365 = 0.09


# --- properties ------------------------------------------------------------------------

# (code, consumer, first due date, last due date, last paid date) within the tables
WINDOWS = [
    ("GB", False, D("2018-12-31"), D("2026-06-29"), D("2031-12-31")),
    ("EU", False, D("2016-06-30"), D("2026-06-29"), D("2026-06-30")),
    ("FR", False, D("2016-06-30"), D("2026-06-29"), D("2026-06-30")),
    ("DE", False, D("2019-12-31"), D("2026-06-29"), D("2026-06-30")),
    ("DE", True, D("2019-12-31"), D("2026-06-29"), D("2026-06-30")),
    ("NL", False, D("2019-12-31"), D("2026-06-29"), D("2026-06-30")),
    ("NL", True, D("2023-06-30"), D("2025-06-29"), D("2025-06-30")),
]
HALF_YEAR_SIMPLE = [w for w in WINDOWS if w[0] in ("EU", "FR", "DE")]
CATALOGUE = default_catalogue()


@st.composite
def debts(draw: st.DrawFn, windows: list[tuple[str, bool, date, date, date]] = WINDOWS):
    code, consumer, first_due, last_due, last_paid = draw(st.sampled_from(windows))
    due = draw(st.dates(first_due, last_due))
    paid = draw(st.dates(due - timedelta(days=40), min(last_paid, due + timedelta(days=2000))))
    minor = draw(st.integers(0, 10**11))
    return code, consumer, due, paid, minor


def run(code: str, consumer: bool, due: date, paid: date, minor: int) -> InterestResult:
    rules = CATALOGUE.get(code)
    return late_payment(rules, Money(minor, rules.business.currency), due, paid, consumer=consumer)


@given(debts())
def test_interest_is_never_negative(debt):
    r = run(*debt)
    assert r.interest.minor >= 0
    assert r.compensation.minor >= 0
    assert r.days == max((debt[3] - debt[2]).days, 0)
    assert sum(p.days for p in r.periods) == r.days


@given(debts())
def test_nothing_when_paid_on_or_before_due(debt):
    code, consumer, due, paid, minor = debt
    r = run(code, consumer, due, min(paid, due), minor)
    assert (r.interest.minor, r.compensation.minor, r.days) == (0, 0, 0)


@given(debts(), st.integers(0, 400))
def test_monotone_in_days(debt, extra):
    code, consumer, due, paid, minor = debt
    later = paid + timedelta(days=extra)
    last_paid = next(w[4] for w in WINDOWS if w[:2] == (code, consumer))
    assume(later <= last_paid)
    assert run(code, consumer, due, later, minor).interest >= run(*debt).interest


@given(debts(), st.integers(0, 10**9))
def test_monotone_in_principal(debt, more):
    code, consumer, due, paid, minor = debt
    assert run(code, consumer, due, paid, minor + more).interest >= run(*debt).interest


@given(debts(HALF_YEAR_SIMPLE), st.integers(0, 2000))
def test_splitting_a_period_changes_the_total_by_rounding_only(debt, cut):
    code, consumer, due, paid, minor = debt
    assume(paid > due)
    mid = due + timedelta(days=cut % (paid - due).days)
    whole = run(code, consumer, due, paid, minor)
    first = run(code, consumer, due, mid, minor)
    second = run(code, consumer, mid, paid, minor)
    # exactly additive before rounding, and at most one cent apart after
    assert first.exact_interest + second.exact_interest == whole.exact_interest
    assert abs(first.interest.minor + second.interest.minor - whole.interest.minor) <= 1


@given(debts())
def test_periods_shown_are_within_rounding_of_the_total(debt):
    r = run(*debt)
    shown = sum(p.interest.minor for p in r.periods)
    assert 2 * abs(shown - r.interest.minor) <= len(r.periods) + 1
    assert sum(p.exact for p in r.periods) == r.exact_interest


@given(debts([w for w in WINDOWS if w[0] == "NL"]))
def test_nl_compounding_never_gives_less_than_simple(debt):
    code, consumer, due, paid, minor = debt
    rule = CATALOGUE.get(code).rule(consumer)
    money = Money(minor, "EUR")
    compound = interest_on(rule, money, due, paid)
    simple = interest_on(dataclasses.replace(rule, compounding=Compounding.NONE), money, due, paid)
    assert compound.exact_interest >= simple.exact_interest
    if (paid - due).days <= 365:
        assert compound.exact_interest == simple.exact_interest


@given(debts([w for w in WINDOWS if w[0] == "GB"]))
def test_gb_has_one_period_at_one_rate(debt):
    r = run(*debt)
    assert len(r.periods) == (1 if r.days else 0)
