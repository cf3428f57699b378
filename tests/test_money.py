from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recoup.domain.currencies import UnknownCurrencyError, minor_units
from recoup.domain.money import CurrencyMismatchError, Money, MoneyError


def test_minor_units_follow_iso_4217():
    assert minor_units("EUR") == 2
    assert minor_units("JPY") == 0
    assert minor_units("KWD") == 3
    assert minor_units("CLF") == 4
    with pytest.raises(UnknownCurrencyError):
        minor_units("XYZ")


def test_money_refuses_floats_and_bad_numbers():
    with pytest.raises(MoneyError):
        Money.of(0.1, "USD")  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money.of("abc", "USD")
    with pytest.raises(MoneyError):
        Money.of("NaN", "USD")
    with pytest.raises(MoneyError):
        Money(1.5, "USD")  # type: ignore[arg-type]


def test_money_refuses_more_decimals_than_the_currency_has():
    assert Money.of("12.30", "USD").minor == 1230
    assert Money.of("1200", "JPY").minor == 1200
    with pytest.raises(MoneyError, match="decimal places"):
        Money.of("12.345", "USD")
    with pytest.raises(MoneyError):
        Money.of("1.5", "JPY")
    assert Money.of("1.234", "KWD").amount == Decimal("1.234")


def test_money_refuses_mixed_currencies():
    with pytest.raises(CurrencyMismatchError):
        Money.of("1", "USD") + Money.of("1", "EUR")
    with pytest.raises(CurrencyMismatchError):
        _ = Money.of("1", "USD") < Money.of("1", "EUR")


def test_round_is_half_up():
    assert Money.round("0.005", "EUR").minor == 1
    assert Money.round("0.0049", "EUR").minor == 0
    assert Money.round("-0.005", "EUR").minor == -1
    assert Money.round("2.5", "JPY").minor == 3


def test_json_form_is_a_decimal_string():
    assert Money.of("123.4", "USD").to_json() == "123.40"
    assert Money.of("7", "JPY").to_json() == "7"


@given(st.integers(-(10**12), 10**12), st.integers(-(10**12), 10**12))
def test_addition_is_exact(a, b):
    total = Money(a, "EUR") + Money(b, "EUR")
    assert total.amount == Money(a, "EUR").amount + Money(b, "EUR").amount
    assert (total - Money(b, "EUR")).minor == a


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_of_and_amount_round_trip(value):
    assert Money.of(value, "USD").amount == value
