"""Printing: JSON for programs, Rich tables for people (Babel formats money and dates).

Data printed here came from files and forms (customer names, notes, history texts), so
a terminal must not obey it: every string the consoles print, table cells and titles
included, passes `plain` (no control characters but newline and tab, no escape
sequences: `recoup.safe_text.strip_controls`), and the consoles read no Rich markup or
emoji codes, so a name containing "[bold]" prints as written. A line that styles its
own words asks for markup (`markup=True`) and puts data in through `data`, which also
escapes markup. JSON escapes the control characters JSON itself does not.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from recoup.domain.money import Money
from recoup.safe_text import strip_controls


def plain(value: object) -> str:
    """`value` as text a terminal shows and does not obey."""
    return strip_controls(str(value))


def data(value: object) -> str:
    """`value` for a line printed with markup: plain, and its brackets escaped."""
    return escape(plain(value))


def text(value: object, style: str = "") -> Text:
    """`value` as a Rich Text (which is never read as markup), plain."""
    return Text(plain(value), style=style)


class SafeConsole(Console):
    """A Rich console that prints every string through `plain`."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(plain(text), **kwargs)


console = SafeConsole(markup=False, emoji=False)
err_console = SafeConsole(stderr=True, markup=False, emoji=False)

# JSON leaves DEL and the C1 controls as they are (with ensure_ascii=False)
_JSON_RAW = {c: f"\\u{c:04x}" for c in range(0x7F, 0xA0)}


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False).translate(_JSON_RAW))


def money(value: Money, locale: str) -> str:
    """The amount with its currency's ISO 4217 decimals (`recoup.money_format`)."""
    from recoup.money_format import format_money  # Babel: when something is shown

    return format_money(value, locale)


def day(value: date | None, locale: str) -> str:
    from babel.dates import format_date

    return format_date(value, format="medium", locale=locale) if value else "—"


def number(value: Any, locale: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=locale)


def cash(amount: Any, currency: str) -> str:
    """An amount given as text or Decimal (a result's JSON) written as the command's
    locale writes money ("$1,664.23", "1.664,23 €")."""
    from recoup import i18n
    from recoup.domain.money import Money

    return money(Money.of(amount, currency), i18n.current().locale)


def on_day(value: date | str | None) -> str:
    """A day given as a date or its ISO text, written as the command's locale does."""
    from recoup import i18n

    if isinstance(value, str):
        value = date.fromisoformat(value[:10]) if value else None
    return day(value, i18n.current().locale)


# an amount with its currency in a sentence the services wrote ("5354.79 USD")
_AMOUNT = re.compile(r"(?<![\w.,])(-?\d+(?:\.\d+)?) ([A-Z]{3})\b")


def figures(text: str) -> str:
    """`text` with each amount in it written as the command's locale writes money (what
    a page's `figures_in` does); a code that is no currency, or an amount with more
    decimals than its currency has, stays as written."""
    from recoup.domain.currencies import MINOR_UNITS
    from recoup.domain.money import MoneyError

    def one(found: re.Match[str]) -> str:
        amount, currency = found.groups()
        if currency not in MINOR_UNITS:
            return found.group()
        try:
            return cash(amount, currency)
        except MoneyError:
            return found.group()

    return _AMOUNT.sub(one, text)
