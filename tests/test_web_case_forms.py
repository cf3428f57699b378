"""The case forms' models: numbers read as the user writes them in their locale, every
refused field named with its label, lists checked against the account's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from recoup.web.routes.casework import FORMS
from recoup.web.routes.casework.forms import FormError

CHOICES = {"currencies": (("EUR", "EUR"), ("USD", "USD"))}


def check(name: str, posted: dict[str, str], locale: str = "en_US") -> object:
    spec, _act = FORMS[name]
    return spec.check(posted, CHOICES, locale)


@pytest.mark.parametrize(
    ("typed", "locale", "read"),
    [
        ("12,50", "de_DE", Decimal("12.50")),
        ("1.234,50", "de_DE", Decimal("1234.50")),
        ("12.50", "de_DE", Decimal("12.50")),  # a plain decimal point is read too
        ("1,234.50", "en_US", Decimal("1234.50")),
        ("12.50", "en_US", Decimal("12.50")),
        ("1 234,50", "fr_FR", Decimal("1234.50")),
    ],
)
def test_amounts_are_read_in_the_users_locale(typed: str, locale: str, read: Decimal) -> None:
    form = check("promise", {"amount": typed, "promised_on": "2026-12-01"}, locale)
    assert form.amount == read  # type: ignore[attr-defined]
    assert form.promised_on == date(2026, 12, 1)  # type: ignore[attr-defined]


def test_every_refused_field_is_named_with_its_label() -> None:
    with pytest.raises(FormError) as refused:
        check("plan", {"installments": "0", "first": "1.12.2026", "rate": "150",
                       "fee": "abc", "currency": "GBP", "every": "x"})  # fmt: skip
    assert refused.value.errors == {
        "installments": "Installments: between 1 and 120.",
        "first": "First installment on: give a day as YYYY-MM-DD.",
        "every": "Every (days): give a whole number.",
        "rate": "Yearly interest (%): at most 100 percent.",
        "fee": "Fee: not a number (abc).",
        "currency": "Currency: choose one of the list.",
    }


def test_empty_fields_take_their_defaults_and_required_ones_are_asked_for() -> None:
    plan = check("plan", {"installments": "3", "first": "2026-12-01", "every": "  "})
    assert plan.every == 30  # type: ignore[attr-defined]
    with pytest.raises(FormError) as refused:
        check("note", {"text": "   "})
    assert refused.value.errors == {"text": "Note is required."}
