"""The jurisdiction data files: what ships, how it matches the reference, what is refused."""

from __future__ import annotations

import csv
import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from recoup.domain.interest import Debtor, Fixing, Status, late_payment
from recoup.domain.money import Money
from recoup.jurisdictions.catalogue import (
    DATA_DIR,
    UnknownJurisdictionError,
    default_catalogue,
    load_catalogue,
)
from recoup.jurisdictions.tables import TableError, load_rules, read_rate_series
from tests.conftest import shared_file

D = date.fromisoformat
HEADER = "from,to,rate_percent,source,status\n"


# --- what ships ----------------------------------------------------------------------


def test_shipped_data_loads():
    catalogue = default_catalogue()
    assert catalogue.codes == ("DE", "EU", "FR", "GB", "NL")
    with_consumer = {c for c in catalogue.codes if catalogue.get(c).consumer is not None}
    assert with_consumer == {"DE", "NL"}
    assert catalogue.get("GB").business.fixing is Fixing.PER_DEBT
    assert catalogue.get("gb").business.currency == "GBP"
    with pytest.raises(UnknownJurisdictionError, match="known: DE, EU, FR, GB, NL"):
        catalogue.get("UK")


def test_every_row_has_a_source_and_a_status():
    for rules in default_catalogue().rules.values():
        for rule in (rules.business, rules.consumer):
            if rule is None:
                continue
            assert rule.source
            assert rule.status is not Status.CONFLICT
            for row in rule.series.rows:
                assert row.source.startswith("[")
                assert row.status is not Status.CONFLICT
            for band in rule.compensation:
                assert band.source.startswith("[")


def _rate_for_interest_starting(code: str, start: date, consumer: bool = False) -> str:
    rules = default_catalogue().get(code)
    currency = rules.business.currency
    result = late_payment(rules, Money.of(1000, currency), start - timedelta(days=1), start,
                          consumer=consumer)  # fmt: skip
    return str(result.periods[0].rate_percent)


# Reference section 1.3: statutory rate by the half-year in which interest starts.
GB_STATUTORY = [
    ("2020-01-01", "8.75"), ("2020-07-01", "8.10"), ("2021-01-01", "8.10"),
    ("2021-07-01", "8.10"), ("2022-01-01", "8.25"), ("2022-07-01", "9.25"),
    ("2023-01-01", "11.50"), ("2023-07-01", "13.00"), ("2024-01-01", "13.25"),
    ("2024-07-01", "13.25"), ("2025-01-01", "12.75"), ("2025-07-01", "12.25"),
    ("2026-01-01", "11.75"),
]  # fmt: skip


@pytest.mark.parametrize(("start", "rate"), GB_STATUTORY)
def test_gb_rates_match_the_reference(start, rate):
    first, last = D(start), D(start).replace(month=D(start).month + 5, day=30)
    assert _rate_for_interest_starting("GB", first) == rate
    assert _rate_for_interest_starting("GB", last) == rate


# Reference section 2.3: EU minimum, DE business, DE consumer, FR, NL per half-year.
HALF_YEARS = [
    *[(f"{y}-{m}-01", "8.00", "8.12", "4.12", "10.00", "8.00")
      for y in (2020, 2021, 2022) for m in ("01", "07")],
    ("2023-01-01", "10.50", "10.62", "6.62", "12.50", "10.50"),
    ("2023-07-01", "12.00", "12.12", "8.12", "14.00", "12.00"),
    ("2024-01-01", "12.50", "12.62", "8.62", "14.50", "12.50"),
    ("2024-07-01", "12.25", "12.37", "8.37", "14.25", "12.25"),
    ("2025-01-01", "11.15", "11.27", "7.27", "13.15", "11.15"),
    ("2025-07-01", "10.15", "10.27", "6.27", "12.15", "10.15"),
    ("2026-01-01", "10.15", "10.27", "6.27", "12.15", "10.15"),
]  # fmt: skip


@pytest.mark.parametrize(("start", "eu", "de", "de_consumer", "fr", "nl"), HALF_YEARS)
def test_half_year_rates_match_the_reference(start, eu, de, de_consumer, fr, nl):
    day = D(start)
    assert _rate_for_interest_starting("EU", day) == eu
    assert _rate_for_interest_starting("DE", day) == de
    assert _rate_for_interest_starting("DE", day, consumer=True) == de_consumer
    assert _rate_for_interest_starting("FR", day) == fr
    assert _rate_for_interest_starting("NL", day) == nl


def test_nl_handelsrente_is_mro_plus_8():
    catalogue = default_catalogue()
    mro = catalogue.get("EU").business.series
    for row in catalogue.get("NL").business.series.rows:
        in_force = mro.row_on(row.start)
        assert in_force is not None
        assert row.rate_percent == in_force.rate_percent + 8, row


def _reference_csv(name: str) -> list[dict[str, str]]:
    path = shared_file("reference", name)
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(
    ("reference", "series"),
    [
        ("boe_base_rate.csv", "gb_bank_rate"),
        ("ecb_mro_rate.csv", "ecb_mro"),
        ("de_basiszins.csv", "de_basiszins"),
        ("nl_handelsrente.csv", "nl_handelsrente"),
    ],
)
def test_rate_tables_match_the_reference_files(reference, series):
    expected = [(D(r["effective_date"]), Decimal(r["rate_percent"])) for r in
                _reference_csv(reference)]  # fmt: skip
    table = read_rate_series(DATA_DIR / "rates" / f"{series}.csv")
    assert [(row.start, row.rate_percent) for row in table.rows] == expected


# --- what is refused ----------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> list[str]:
    with pytest.raises(TableError) as info:
        read_rate_series(path)
    return [str(p) for p in info.value.problems]


GOOD = HEADER + "2024-01-01,2024-06-30,3.62,[D3],VERIFIED\n"


def test_a_good_table(tmp_path):
    path = write(tmp_path, GOOD + "2024-07-01,2024-12-31,3.37,[D3] [D1],DERIVED\n")
    series = read_rate_series(path)
    assert series.name == "t"
    assert [r.status for r in series.rows] == [Status.VERIFIED, Status.DERIVED]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2024-07-02,2024-12-31,3.37,[D3],VERIFIED", "gap: nothing covers 2024-07-01 to "),
        ("2024-06-30,2024-12-31,3.37,[D3],VERIFIED", "overlap"),
        ("2023-07-01,2023-12-31,3.12,[D3],VERIFIED", "not sorted"),
        ("2024-07-01,2024-12-31,3,37,[D3],VERIFIED", "6 fields, expected 5"),
        ("2024-07-01,2024-12-31,abc,[D3],VERIFIED", "rate_percent: 'abc' is not a percentage"),
        ("2024-07-01,2024-12-31,1e2,[D3],VERIFIED", "rate_percent: '1e2'"),
        ("2024-07-01,2024-12-31,3.371234,[D3],VERIFIED", "up to 4 decimals"),
        ("2024-07-01,2024-12-31,3.37,,VERIFIED", "source: missing"),
        ("2024-07-01,2024-12-31,3.37,D3,VERIFIED", "source: 'D3' is neither"),
        ("2024-07-01,2024-12-31,3.37,[D3],maybe", "status: 'maybe' is not one of"),
        ("2024-07-01,2024-12-31,3.37,[D3],CONFLICT", "CONFLICT rows are not used"),
        ("2024-07-01,2024-13-31,3.37,[D3],VERIFIED", "to: '2024-13-31' is not a date"),
        ("2024-07-01,31/12/2024,3.37,[D3],VERIFIED", "to: '31/12/2024' is not a date"),
        ("2024-12-31,2024-07-01,3.37,[D3],VERIFIED", "from 2024-12-31 is after to 2024-07-01"),
        ("", "empty line"),
    ],
)
def test_bad_rows_are_refused_with_file_and_line(tmp_path, row, message):
    path = write(tmp_path, GOOD + row + "\n" + "2025-01-01,2025-06-30,2.27,[D4],VERIFIED\n")
    problems = refused(path)
    assert any(p.startswith(f"{path}:3: ") and message in p for p in problems), problems


def test_every_problem_is_listed_at_once(tmp_path):
    path = write(
        tmp_path,
        GOOD
        + "2024-07-01,2024-12-31,x,[D3],VERIFIED\n"
        + "2025-01-01,2025-06-30,2.27,,VERIFIED\n"
        + "2025-08-01,2025-12-31,1.27,[D5],VERIFIED\n",
    )
    problems = refused(path)
    assert [p.split(": ")[0] for p in problems] == [f"{path}:3", f"{path}:4", f"{path}:5"]
    assert "gap: nothing covers 2025-07-01 to 2025-07-31" in problems[2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("from,to,rate,source,status\n2024-01-01,2024-06-30,1,[D3],VERIFIED\n", "the header"),
        (HEADER, "the table has no rows"),
    ],
)
def test_bad_files_are_refused_at_line_1(tmp_path, text, message):
    path = write(tmp_path, text)
    problems = refused(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:1: {message}")


# --- the whole data folder -----------------------------------------------------------


@pytest.fixture
def data(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(text)


def problems_of(data: Path) -> list[str]:
    with pytest.raises(TableError) as info:
        load_rules(data)
    return [str(p) for p in info.value.problems]


def test_a_copy_of_the_data_loads(data):
    assert load_catalogue(data).codes == default_catalogue().codes


def test_a_gap_in_a_shipped_table(data):
    path = data / "rates" / "de_basiszins.csv"
    edit(path, "2024-07-01,2024-12-31,3.37", "2024-07-02,2024-12-31,3.37")
    line = line_of(path, "2024-07-02")
    assert problems_of(data) == [
        f"{path}:{line}: gap: nothing covers 2024-07-01 to 2024-07-01 "
        f"(line {line - 1} ends 2024-06-30)"
    ]


def test_an_overlap_in_a_shipped_table(data):
    path = data / "rates" / "ecb_mro.csv"
    edit(path, "2025-06-11,2026-02-05", "2025-06-10,2026-02-05")
    line = line_of(path, "2025-06-10,2026-02-05")
    problems = problems_of(data)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:{line}: overlap")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("GB,business,1000.00,10000.00", "GB,business,1001.00,10000.00",
         "gap: debts from 1000.00 to below 1001.00 have no band"),
        ("GB,business,10000.00,,", "GB,business,9000.00,,", "overlap or wrong order"),
        ("EU,business,0.00,,40.00", "EU,business,1.00,,40.00", "must start at 0"),
        ("EU,business,0.00,,40.00", "EU,business,0.00,,40.001", "more than 2 decimal places"),
        ("FR,business,0.00,,40.00,EUR,[F2a] [F2b] [F2c]", "FR,business,0.00,,40.00,EUR,",
         "source: missing"),
        ("GB,business,10000.00,,100.00", "GB,business,10000.00,20000.00,100.00",
         "debts of 20000.00 and more have no band"),
        ("DE,business,0.00,,40.00", "DE,someone,0.00,,40.00", "debtor: 'someone'"),
    ],
)  # fmt: skip
def test_bad_compensation_bands(data, old, new, message):
    path = data / "compensation.csv"
    edit(path, old, new)
    line = line_of(path, new)
    problems = problems_of(data)
    assert any(p.startswith(f"{path}:{line}: ") and message in p for p in problems), problems


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("EU,business,ecb_mro,", "EU,business,ecb_rates,", "no rate table named 'ecb_rates'"),
        ("EU,business,ecb_mro,8.00", "EU,business,ecb_mro,eight", "margin_points: 'eight'"),
        ("half_year,none,EUR,[F1]", "quarterly,none,EUR,[F1]", "fixing: 'quarterly'"),
        ("FR,business,ecb_mro,10.00,half_year,none,EUR", "FR,business,ecb_mro,10.00,half_year,"
         "none,EURO", "currency: 'EURO'"),
        ("DE,consumer,de_basiszins,5.00", "DE,business,de_basiszins,5.00",
         "DE business is already defined on line 4"),
        ("[D7] [D7b] [D2] [D2b],VERIFIED", "[D7] [D7b] [D2] [D2b],CONFLICT", "CONFLICT"),
    ],
)  # fmt: skip
def test_bad_rules(data, old, new, message):
    path = data / "rules.csv"
    edit(path, old, new)
    line = line_of(path, new)
    problems = problems_of(data)
    assert any(p.startswith(f"{path}:{line}: ") and message in p for p in problems), problems


def test_consumer_rule_without_business_rule(data):
    path = data / "rules.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "AT,consumer,ecb_mro,5.00,half_year,none,EUR,[E1],VERIFIED\n")
    line = line_of(path, "AT,consumer")
    assert problems_of(data) == [f"{path}:{line}: AT has no business rule"]


def test_compensation_without_rule(data):
    path = data / "compensation.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "AT,business,0.00,,40.00,EUR,[E4],VERIFIED\n")
    line = line_of(path, "AT,business")
    assert problems_of(data) == [f"{path}:{line}: AT business: no such rule in rules.csv"]


def test_consumer_rules_exist_for_de_and_nl_only():
    catalogue = default_catalogue()
    for code in catalogue.codes:
        rules = catalogue.get(code)
        assert rules.business.debtor is Debtor.BUSINESS
        if rules.consumer is not None:
            assert rules.consumer.debtor is Debtor.CONSUMER
            assert rules.consumer.compensation == ()


def test_problems_in_several_files_are_listed_together(data):
    rates = data / "rates" / "nl_handelsrente.csv"
    edit(rates, "2024-01-01,2024-06-30,12.50,[N1]", "2024-01-01,2024-06-30,12,50,[N1]")
    rules = data / "rules.csv"
    edit(rules, "FR,business,ecb_mro,10.00", "FR,business,ecb_mro,ten")
    with pytest.raises(TableError) as info:
        load_rules(data)
    assert [(p.file, p.line) for p in info.value.problems] == [
        (str(rates), line_of(rates, "12,50")),
        (str(rules), line_of(rules, "ecb_mro,ten")),
    ]
