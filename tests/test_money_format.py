"""Amounts for people carry their currency's ISO 4217 decimals in every locale and on
every surface (messages, letters, the case file, web pages and charts, the CLI): HUF
1234.56 is never "1 235 Ft", JPY has no decimals, KWD and BHD three; and formatting
never changes the amount (its digits read back give the same minor units)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from babel import localedata
from babel.numbers import get_currency_symbol
from hypothesis import given, settings
from hypothesis import strategies as st

from recoup import money_format
from recoup.casefile import pdf as casefile_pdf
from recoup.cli import output
from recoup.domain.currencies import MINOR_UNITS
from recoup.domain.money import Money
from recoup.messages.context import Formatter
from recoup.money_format import format_money, format_money_code
from recoup.web.formatting import Formats

HUF = Money.of("1234.56", "HUF")


def plain(text: str) -> str:
    """Every kind of space as an ordinary one, direction marks left out."""
    text = re.sub("[\u200e\u200f\u061c]", "", text)
    return re.sub(r"[\u00a0\u202f\u2009 ]", " ", text)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("hu_HU", "1 234,56 Ft"),
        ("de_DE", "1.234,56 HUF"),
        ("de_AT", "HUF 1.234,56"),
        ("fr_FR", "1 234,56 HUF"),
        ("en_US", "HUF 1,234.56"),
        ("en_GB", "HUF 1,234.56"),
    ],
)
def test_forint_keeps_its_two_decimals(locale: str, expected: str) -> None:
    assert plain(format_money(HUF, locale)) == expected


@pytest.mark.parametrize(
    ("money", "locale", "expected"),
    [
        (Money.of("1234", "JPY"), "en_US", "¥1,234"),
        (Money.of("1234", "JPY"), "de_DE", "1.234 ¥"),
        (Money.of("1234", "JPY"), "ja_JP", "￥1,234"),
        (Money.of("1234.567", "KWD"), "en_US", "KWD 1,234.567"),
        (Money.of("1.005", "BHD"), "de_DE", "1,005 BHD"),
        (Money.of("1234.56", "COP"), "en_US", "COP 1,234.56"),
        (Money.of("1234.56", "IDR"), "de_DE", "1.234,56 IDR"),
        (Money.of("1.2345", "CLF"), "en_US", "CLF 1.2345"),
        (Money.of("-1234.56", "HUF"), "en_US", "-HUF 1,234.56"),
        (Money.of("1234.56", "USD"), "en_US", "$1,234.56"),
        (Money.of("1234.56", "EUR"), "de_DE", "1.234,56 €"),
    ],
)
def test_iso_decimals_in_several_currencies(money: Money, locale: str, expected: str) -> None:
    assert plain(format_money(money, locale)) == expected


def test_yen_shows_no_decimals_anywhere() -> None:
    yen = Money.of("1234", "JPY")
    for locale in ("en_US", "de_DE", "fr_FR", "hu_HU", "ja_JP"):
        text = format_money(yen, locale)
        assert "".join(ch for ch in text if ch.isdigit()) == "1234", text  # no ",00"


def test_every_surface_shows_the_forint_with_its_decimals() -> None:
    # messages and letters (a German customer in Hungary: the de locale)
    assert plain(Formatter("de", "HU").money(HUF)) == "1.234,56 HUF"
    assert plain(Formatter("en", "US").money(HUF)) == "HUF 1,234.56"
    # web pages and the CLI
    assert plain(Formats("hu_HU").money(HUF)) == "1 234,56 Ft"
    assert plain(output.money(HUF, "de_DE")) == "1.234,56 HUF"
    # the court case file: code, then the amount
    assert casefile_pdf.money(HUF) == "HUF 1,234.56" == format_money_code(HUF)
    assert casefile_pdf.money(Money.of("1234", "JPY")) == "JPY 1,234"


def test_chart_labels_are_shortened_visibly_or_not_at_all() -> None:
    # below a thousand there is no short form: the exact amount, not "457 Ft"
    assert plain(Formats("hu_HU").money_short(Money.of("456.78", "HUF"))) == "456,78 Ft"
    assert plain(Formats("de_DE").money_short(Money.of("123456.78", "EUR"))) == "123.456,78 €"
    # a short form says it is one (K, Mio.)
    assert plain(Formats("en_US").money_short(Money.of("12345.67", "USD"))) == "$12.3K"


LOCALES = ["en_US", "en_GB", "de_DE", "de_CH", "fr_FR", "hu_HU", "ja_JP", "hi_IN", "ar_EG"]


@settings(max_examples=400, deadline=None)
@given(
    currency=st.sampled_from(sorted(MINOR_UNITS)),
    minor=st.integers(min_value=-(10**15), max_value=10**15),
    locale=st.sampled_from(LOCALES),
)
def test_formatting_never_changes_the_amount(currency: str, minor: int, locale: str) -> None:
    money = Money(minor, currency)
    digits = MINOR_UNITS[currency]
    for text in (format_money(money, locale), format_money_code(money)):
        found = "".join(ch for ch in text if ch.isdigit())
        assert int(found) == abs(minor), (text, minor)
        # exactly the ISO number of decimals after the last separator
        if digits:
            tail = re.search(r"[.,٫](\d+)\D*$", text)
            assert tail is not None, text
            assert len(tail.group(1)) == digits, text
        assert ("-" in text) == (minor < 0), text
    assert Decimal(format_money_code(money).split(" ")[1].replace(",", "")) == money.amount


@settings(max_examples=300, deadline=None)
@given(
    currency=st.sampled_from(sorted(MINOR_UNITS)),
    minor=st.integers(min_value=-(10**15), max_value=10**15),
    locale=st.sampled_from(sorted(localedata.locale_identifiers())),
)
def test_the_sign_put_in_as_babel_puts_it(currency: str, minor: int, locale: str) -> None:
    """`format_money` has Babel write the number alone and puts the currency's sign in
    itself (Babel would look up the currency's plural name on every call): the same
    text as Babel's own way, in any locale Babel knows."""
    money = Money(minor, currency)
    loc = money_format.locale_of(locale)
    pattern = money_format._pattern(loc, MINOR_UNITS[currency])
    babels = pattern.apply(money.amount, loc, currency=currency, currency_digits=False)
    symbol = get_currency_symbol(currency, loc)
    assert format_money(money, loc) == money_format._spaced(str(babels), symbol)
