"""Hand-off to a collection agency, its recoveries and the recall
(`recoup.services.casework.agency`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from recoup.services.book import Book
from recoup.services.casework import agency
from recoup.web.routes.casework.forms import (
    Amount,
    CaseForm,
    Choices,
    MaybeAmount,
    MaybeCurrency,
    MaybePercent,
    MaybeText,
    Text,
)


class AgencyPlaceForm(CaseForm):
    name = "agency-place"
    title = "Hand off to an agency"
    submit = "Place account"
    intro = "Our own reminders and calls stop while the account is with the agency."
    needs = "not_placed"

    agency: Text = Field(title="Agency")
    percent: MaybePercent = Field(
        Decimal(25), title="Contingency fee (%)",
        description="25–50% of what the agency recovers is usual",
    )  # fmt: skip
    currency: MaybeCurrency = Field(None, title="Currency")


class AgencyRecoveryForm(CaseForm):
    name = "agency-recovery"
    title = "Agency recovery"
    submit = "Record recovery"
    needs = "placed"

    amount: Amount = Field(title="Recovered")
    fee: MaybeAmount = Field(None, title="Agency's fee (default: the contingency %)")


class AgencyRecallForm(CaseForm):
    name = "agency-recall"
    title = "Recall from the agency"
    submit = "Recall"
    needs = "placed"

    reason: MaybeText = Field(None, title="Reason")


def place(book: Book, key: str, actor: str, on: date, form: AgencyPlaceForm) -> str:
    p = agency.place(
        book, key, form.agency, actor=actor, on=on,
        contingency_percent=str(form.percent or "25"), currency=form.currency,
    )  # fmt: skip
    return f"Placed with {p.agency} ({p.contingency_percent}% fee); our own contact stops."


def recovery(book: Book, key: str, actor: str, on: date, form: AgencyRecoveryForm) -> str:
    p = agency.record_recovery(
        book, key, str(form.amount), actor=actor, on=on,
        fee=str(form.fee) if form.fee else None,
    )  # fmt: skip
    return f"Recovery recorded: {p.recovered} recovered by {p.agency} so far."


def recall(book: Book, key: str, actor: str, on: date, form: AgencyRecallForm) -> str:
    p = agency.recall(book, key, actor=actor, on=on, reason=form.reason or "")
    return f"Recalled from {p.agency}; our own contact may resume."


def placement_lists(book: Book, key: str) -> dict[str, Choices]:
    """The agency forms that apply: place when not placed, else recovery and recall."""
    placed = agency.current_placement(book, key)
    return {
        "not_placed": (("yes", "yes"),) if placed is None else (),
        "placed": (("yes", placed.agency),) if placed is not None else (),
    }
