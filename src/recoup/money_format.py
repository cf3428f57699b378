"""Amounts of money for people: one way, used by messages, letters, the case file, the
web pages and the CLI.

Babel writes an amount the way a locale writes money (symbol, grouping, decimal sign),
but by default it rounds to the CLDR's digits for the currency, which are not always
the currency's minor units: CLDR gives the forint, the Colombian peso and the rupiah no
decimals, so HUF 1234.56 came out as "1 235 Ft". Here the locale's pattern is kept and
its decimals set to the ISO 4217 minor units (`recoup.domain.currencies`): HUF 1234.56
is "1 234,56 Ft" in Hungarian, "1.234,56 HUF" in German and "HUF 1,234.56" in English,
JPY has no decimals and KWD three. A `Money` holds exactly that many places, so nothing
is ever rounded: the digits shown are the amount's own.

Where a currency is written with letters (HUF, CHF) right next to the number, a
no-break space goes between them, as the CLDR's currency-spacing rule says and Babel
does not do: "HUF 1,234.56", never "HUF1,234.56". A symbol stays attached ("$1.00").
"""

from __future__ import annotations

import copy
import unicodedata
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern, get_currency_symbol

from recoup.domain.currencies import minor_units
from recoup.domain.money import Money

NBSP = "\u00a0"


@lru_cache(maxsize=64)
def locale_of(name: str) -> Locale:
    """A Babel locale from a name such as "de_DE", "de-AT" or "fr"."""
    return Locale.parse(name.replace("-", "_"))


@lru_cache(maxsize=256)
def _pattern(locale: Locale, digits: int) -> NumberPattern:
    pattern: NumberPattern = copy.copy(locale.currency_formats["standard"])
    pattern.frac_prec = (digits, digits)
    return pattern


def format_money(value: Money, locale: Locale | str) -> str:
    """`value` as `locale` writes money, with the currency's ISO 4217 decimals."""
    loc = locale_of(locale) if isinstance(locale, str) else locale
    digits = minor_units(value.currency)
    pattern = _pattern(loc, digits)
    symbol = get_currency_symbol(value.currency, loc)
    if "¤¤¤" in pattern.pattern:  # the currency's name: as Babel writes it
        text = pattern.apply(value.amount, loc, currency=value.currency, currency_digits=False)
    else:
        # the number alone, then the sign put in: Babel would also look up the
        # currency's plural name on every call (a third of the time), for nothing here
        text = pattern.apply(value.amount, loc, currency=None, currency_digits=False)
        text = text.replace("¤¤", value.currency.upper()).replace("¤", symbol)
    return _spaced(str(text), symbol)


def format_money_code(value: Money) -> str:
    """`value` as "USD 1,234.56": the ISO code, then the amount with its ISO decimals,
    comma-grouped, the minus sign before the number (the court case file's form, which
    no reader in any country misreads)."""
    return f"{value.currency} {value.amount:,}"


def _spaced(text: str, symbol: str) -> str:
    """A no-break space between a currency written in letters and a digit beside it."""
    at = text.find(symbol) if symbol else -1
    if at < 0:
        return text
    end = at + len(symbol)
    if end < len(text) and text[end].isdigit() and _wordlike(symbol[-1]):
        text = text[:end] + NBSP + text[end:]
    if at > 0 and text[at - 1].isdigit() and _wordlike(symbol[0]):
        text = text[:at] + NBSP + text[at:]
    return text


def _wordlike(ch: str) -> bool:
    """Neither a symbol (such as $ or €) nor a space: the CLDR's [[:^S:]&[:^Z:]]."""
    return unicodedata.category(ch)[0] not in "SZ"
