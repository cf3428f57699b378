"""Money, dates, numbers and country names for people, through Babel, as Jinja filters;
and Recoup's codes in words (`recoup.domain.words`): `words` for free text that may
hold codes, `term(kind)` for one code, `stage` for a stage key."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_compact_currency, format_decimal
from jinja2 import Environment
from markupsafe import Markup, escape

from recoup import i18n
from recoup.domain.money import Money
from recoup.domain.words import count, readable, stage_words, term
from recoup.money_format import format_money
from recoup.text_figures import AMOUNT, ISO_DATE, amount_in, figures_text

DASH = "—"


class Formats:
    """Formatting in one Babel locale (the `locale` setting, e.g. en_US or de_DE). In a
    page, the filters `install` puts in the templates format in the locale of the
    request's speech (`recoup.i18n`), this one's when none is set."""

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
            shown = amount_in(found, str(self.locale))
            if shown is None:  # not money: shown as written
                continue
            out.append(str(self.dates_in(text[end : found.start()])))
            out.append(f'<span class="nowrap">{escape(shown)}</span>')
            end = found.end()
        out.append(str(self.dates_in(text[end:])))
        return Markup("".join(out))

    def figures_text(self, text: str) -> str:
        """`text` with its amounts and ISO dates as this locale writes them, as plain
        text (for an <option> or an attribute, where there is no markup)."""
        return figures_text(text, str(self.locale))

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

    def speaking(self) -> Formats:
        """The formats of the current speech's locale (`recoup.i18n.current`), or these
        when no speech is set (outside a request)."""
        if not i18n.is_set():
            return self
        return formats_for(i18n.current().locale)

    def install(self, env: Environment) -> None:
        """The filters of the templates, each in the locale of the request's speech."""
        for name in (
            "money",
            "money_short",
            "day",
            "dates_in",
            "figures_in",
            "figures_text",
            "moment",
        ):
            env.filters[name] = self._speaking(name)
        env.filters["number"] = lambda value, digits=0: self.speaking().number(value, digits)
        env.filters["country"] = lambda code: self.speaking().country(code)
        env.filters["iso"] = self.iso
        # Recoup's codes in the words of the request's language (recoup.domain.words)
        env.filters["words"] = lambda text: readable(text, _language())
        env.filters["term"] = lambda code, kind: term(kind, code, _language())
        env.filters["stage"] = lambda key: stage_words(key, _language())
        env.globals["count"] = lambda n, noun: count(n, noun, _language())
        env.globals["speech"] = i18n.current
        env.globals["language_names"] = i18n.LANGUAGE_NAMES
        env.globals["role_word"] = role_word
        # a label kept in Python (marked with N_) in the request's language, as it is:
        # not a format string (the newstyle `_()` would read its "%")
        env.filters["translated"] = lambda text: i18n.gettext(str(text)) if text else text

    def _speaking(self, name: str) -> Callable[[Any], Any]:
        def apply(value: Any) -> Any:
            return getattr(self.speaking(), name)(value)

        apply.__name__ = name
        return apply


ROLE_WORDS = {
    "owner": i18n.N_("owner"),
    "collector": i18n.N_("collector"),
    "viewer": i18n.N_("viewer"),
}


def role_word(role: object) -> str:
    """A role (owner, collector, viewer) in the request's language."""
    code = str(getattr(role, "value", role))
    return i18n.gettext(ROLE_WORDS[code]) if code in ROLE_WORDS else code


def _language() -> str:
    return i18n.current().language


@lru_cache(maxsize=32)
def formats_for(locale: str) -> Formats:
    """The formats of one locale name, made once per process."""
    return Formats(locale)
