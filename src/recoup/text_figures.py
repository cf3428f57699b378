"""The amounts and days in a sentence the services wrote ("10063.68 USD overdue", "by
2026-11-23"), as a locale writes them ("$10,063.68 overdue", "by Nov 23, 2026"): one
way for the web pages (`recoup.web.formatting`) and the CLI's tables, so that a
worklist's reasons read the same in both."""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date

from recoup.domain.currencies import MINOR_UNITS
from recoup.domain.money import Money, MoneyError
from recoup.money_format import format_money, locale_of

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# an amount as the services write it in a sentence: "10063.68 USD", "-12.50 EUR"
AMOUNT = re.compile(r"(?<![\w.,])(-?\d+(?:\.\d+)?) ([A-Z]{3})\b")


def amount_in(found: re.Match[str], locale: str) -> str | None:
    """The `AMOUNT` found, as money of `locale`; None when it is not one (an unknown
    currency code, more decimals than the currency has): then shown as written."""
    number, currency = found.groups()
    if currency not in MINOR_UNITS:
        return None
    try:
        return format_money(Money.of(number, currency), locale_of(locale))
    except MoneyError:
        return None


def day_in(found: re.Match[str], locale: str) -> str | None:
    """The `ISO_DATE` found, as a day of `locale` (medium); None when it is no day."""
    try:
        return format_date(date.fromisoformat(found.group()), format="medium", locale=locale)
    except ValueError:
        return None


def figures_text(text: str, locale: str) -> str:
    """`text` with its amounts and ISO dates as `locale` writes them, as plain text."""
    with_amounts = AMOUNT.sub(lambda m: amount_in(m, locale) or m.group(), text)
    return ISO_DATE.sub(lambda m: day_in(m, locale) or m.group(), with_amounts)
