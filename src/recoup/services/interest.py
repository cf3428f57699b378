"""Statutory late-payment interest and compensation for one debt (no book is needed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from recoup.domain.interest import InterestResult, late_payment
from recoup.domain.money import Money, MoneyError
from recoup.jurisdictions.catalogue import Catalogue, UnknownJurisdictionError, default_catalogue
from recoup.jurisdictions.tables import TableError

__all__ = ["InterestRequestError", "TableError", "jurisdictions", "statutory_interest"]


class InterestRequestError(ValueError):
    """A question that cannot be asked: unknown jurisdiction, bad amount, wrong currency."""


def jurisdictions(catalogue: Catalogue | None = None) -> tuple[str, ...]:
    """The codes that have rules (e.g. DE, EU, FR, GB, NL)."""
    return (catalogue or default_catalogue()).codes


def statutory_interest(
    jurisdiction: str,
    principal: str | Decimal,
    due: date,
    until: date,
    *,
    currency: str | None = None,
    consumer: bool = False,
    catalogue: Catalogue | None = None,
) -> InterestResult:
    """Interest and fixed compensation on a debt due on `due`, paid (or open) on `until`.

    `currency` defaults to the jurisdiction's. Raises `InterestRequestError` for a bad
    question, `recoup.domain.interest.InterestError` when the law or the rate tables
    cannot answer it (a consumer debt under a business-only law, days the table does
    not cover), and `TableError` (listing every problem with file and line) when the data
    files are broken.
    """
    try:
        rules = (catalogue or default_catalogue()).get(jurisdiction)
    except UnknownJurisdictionError as err:
        raise InterestRequestError(str(err)) from None
    code = (currency or rules.business.currency).strip().upper()
    try:
        amount = Money.of(principal, code)
    except (MoneyError, ValueError) as err:
        raise InterestRequestError(f"principal: {err}") from None
    if amount.is_negative():
        raise InterestRequestError(f"principal: {amount.amount} is negative")
    return late_payment(rules, amount, due, until, consumer=consumer)
