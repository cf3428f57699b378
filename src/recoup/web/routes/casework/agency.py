"""Hand-off to a collection agency, its recoveries and the recall
(`recoup.services.casework.agency`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from recoup.i18n import N_
from recoup.i18n import gettext as _
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
    title = N_("Hand off to an agency")
    submit = N_("Place account")
    intro = N_("Our own reminders and calls stop while the account is with the agency.")
    needs = "not_placed"

    agency: Text = Field(title=N_("Agency"))
    percent: MaybePercent = Field(
        Decimal(25), title=N_("Contingency fee (%)"),
        description=N_("usually 25 to 50 percent of what the agency recovers"),
    )  # fmt: skip
    currency: MaybeCurrency = Field(None, title=N_("Currency"))


class AgencyRecoveryForm(CaseForm):
    name = "agency-recovery"
    title = N_("Agency recovery")
    submit = N_("Record recovery")
    needs = "placed"

    amount: Amount = Field(title=N_("Recovered"))
    fee: MaybeAmount = Field(None, title=N_("Agency's fee (default: the contingency %)"))


class AgencyRecallForm(CaseForm):
    name = "agency-recall"
    title = N_("Recall from the agency")
    submit = N_("Recall")
    needs = "placed"

    reason: MaybeText = Field(None, title=N_("Reason"))


def place(book: Book, key: str, actor: str, on: date, form: AgencyPlaceForm) -> str:
    p = agency.place(
        book, key, form.agency, actor=actor, on=on,
        contingency_percent=str(form.percent or "25"), currency=form.currency,
    )  # fmt: skip
    return _("Placed with %(agency)s (%(percent)s%% fee); our own contact stops.") % {
        "agency": p.agency,
        "percent": p.contingency_percent,
    }


def recovery(book: Book, key: str, actor: str, on: date, form: AgencyRecoveryForm) -> str:
    p = agency.record_recovery(
        book, key, str(form.amount), actor=actor, on=on,
        fee=str(form.fee) if form.fee else None,
    )  # fmt: skip
    return _("Recovery recorded: %(amount)s recovered by %(agency)s so far.") % {
        "amount": p.recovered,
        "agency": p.agency,
    }


def recall(book: Book, key: str, actor: str, on: date, form: AgencyRecallForm) -> str:
    p = agency.recall(book, key, actor=actor, on=on, reason=form.reason or "")
    return _("Recalled from %(agency)s; our own contact may resume.") % {"agency": p.agency}


def placement_lists(book: Book, key: str) -> dict[str, Choices]:
    """The agency forms that apply: place when not placed, else recovery and recall."""
    placed = agency.current_placement(book, key)
    return {
        "not_placed": (("yes", "yes"),) if placed is None else (),
        "placed": (("yes", placed.agency),) if placed is not None else (),
    }
