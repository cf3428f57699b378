"""Printing: JSON for programs, Rich tables for people (Babel formats money and dates)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from rich.console import Console

from recoup.domain.money import Money

console = Console()
err_console = Console(stderr=True)


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


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
