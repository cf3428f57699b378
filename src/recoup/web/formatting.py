"""Money, dates, numbers and country names for people, through Babel, as Jinja filters;
and Recoup's codes in words (`recoup.domain.words`): `words` for free text that may
hold codes, `term(kind)` for one code, `stage` for a stage key."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_compact_currency, format_decimal
from jinja2 import Environment
from markupsafe import Markup, escape

from recoup.domain.currencies import MINOR_UNITS
from recoup.domain.money import Money, MoneyError
from recoup.domain.words import count, readable, stage_words, term
from recoup.money_format import format_money

DASH = "—"
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
# an amount as the services write it in a sentence: "10063.68 USD", "-12.50 EUR"
AMOUNT = re.compile(r"(?<![\w.,])(-?\d+(?:\.\d+)?) ([A-Z]{3})\b")


class Formats:
    """Formatting in one Babel locale (the `locale` setting, e.g. en_US or de_DE)."""

    def __init__(self, locale: str) -> None:
        self.locale = Locale.parse(locale)

    @property
    def html_lang(self) -> str:
        """The locale as an HTML lang attribute: en-US."""
        return str(self.locale).replace("_", "-")

    def money(self, value: Money | None) -> str:
        """The amount with its currency's ISO 4217 decimals (`recoup.money_format`)."""
        if value is None:
            return DASH
        return format_money(value, self.locale)

    def money_short(self, value: Money) -> str:
        """A compact amount for tight spaces such as chart labels: $12.3K, which says it
        is shortened; where the locale has no short form for the magnitude (de: below a
        million), the amount as it is, never silently rounded."""
        if self._has_short_form(value.amount):
            return format_compact_currency(
                value.amount, value.currency, locale=self.locale, fraction_digits=1
            )
        return format_money(value, self.locale)

    def _has_short_form(self, amount: Decimal) -> bool:
        if abs(amount) < 1000:
            return False
        forms = self.locale.compact_currency_formats.get("short", {}).get("other", {})
        magnitude = str(10 ** min(len(str(int(abs(amount)))) - 1, 14))
        form = forms.get(magnitude)
        return form is not None and form.pattern != "0"

    def day(self, value: date | None) -> str:
        return format_date(value, format="medium", locale=self.locale) if value else DASH

    def dates_in(self, text: str) -> Markup:
        """`text` (escaped) with each ISO date in it shown as a day of this locale, in a
        <time> element: "call not before 2026-12-10" -> "call not before Dec 10, 2026"."""

        def one(found: re.Match[str]) -> str:
            try:
                day = date.fromisoformat(found.group())
            except ValueError:
                return found.group()
            return (
                f'<time class="nowrap" datetime="{day.isoformat()}">{escape(self.day(day))}</time>'
            )

        out = []
        end = 0
        for found in ISO_DATE.finditer(text):
            out.append(str(escape(text[end : found.start()])))
            out.append(one(found))
            end = found.end()
        out.append(str(escape(text[end:])))
        return Markup("".join(out))

    def figures_in(self, text: str) -> Markup:
        """`text` as `dates_in` shows it, and each amount in it ("10063.68 USD") as money
        of this locale ("$10,063.68")."""
        out = []
        end = 0
        for found in AMOUNT.finditer(text):
            amount, currency = found.groups()
            if currency not in MINOR_UNITS:
                continue
            try:
                shown = self.money(Money.of(amount, currency))
            except MoneyError:  # more decimals than the currency has: shown as written
                continue
            out.append(str(self.dates_in(text[end : found.start()])))
            out.append(f'<span class="nowrap">{escape(shown)}</span>')
            end = found.end()
        out.append(str(self.dates_in(text[end:])))
        return Markup("".join(out))

    def moment(self, value: datetime | None) -> str:
        """A moment in UTC, to the minute: "Dec 10, 2026, 9:05 AM UTC"."""
        if value is None:
            return DASH
        when = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        when = when.astimezone(UTC)
        day = format_date(when, format="medium", locale=self.locale)
        hour = format_time(when, format="short", locale=self.locale)
        return str(self.locale.datetime_formats["medium"]).format(hour, day) + " UTC"

    def iso(self, value: date | None) -> str:
        return value.isoformat() if value else ""

    def number(self, value: int | Decimal | None, digits: int = 0) -> str:
        if value is None:
            return DASH
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def country(self, code: str) -> str:
        if not code:
            return DASH
        name = self.locale.territories.get(code.upper())
        return str(name) if name else code

    def install(self, env: Environment) -> None:
        env.filters["money"] = self.money
        env.filters["money_short"] = self.money_short
        env.filters["day"] = self.day
        env.filters["iso"] = self.iso
        env.filters["dates_in"] = self.dates_in
        env.filters["figures_in"] = self.figures_in
        env.filters["moment"] = self.moment
        env.filters["number"] = self.number
        env.filters["country"] = self.country
        env.filters["words"] = readable
        env.filters["term"] = lambda code, kind: term(kind, code)
        env.filters["stage"] = stage_words
        env.globals["count"] = count
        env.globals["html_lang"] = self.html_lang
