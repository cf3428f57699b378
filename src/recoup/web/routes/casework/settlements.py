"""Settlement offers and their acceptance, and the settlement helper
(`recoup.services.casework.settlements`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from recoup.domain.casework.errors import CaseworkError
from recoup.i18n import N_
from recoup.i18n import gettext as _
from recoup.services import casefile
from recoup.services.accounts import Account
from recoup.services.book import Book
from recoup.services.casework import settlements
from recoup.web.routes.casework.forms import (
    Amount,
    CaseForm,
    Day,
    FormError,
    MaybeCurrency,
    Select,
    Widget,
)


class SettlementForm(CaseForm):
    name = "settlement"
    title = N_("Settlement offer")
    submit = N_("Offer settlement")
    intro = (
        "Within the plan's authority the offer stands at once; below its floor it waits for "
        "the owner's approval."
    )

    amount: Amount = Field(title=N_("Settle for"))
    deadline: Day = Field(title=N_("Paid by"))
    currency: MaybeCurrency = Field(None, title=N_("Currency"))


class SettlementAcceptForm(CaseForm):
    name = "settlement-accept"
    title = N_("Settlement accepted")
    submit = N_("Customer accepted")
    intro = N_("When the settled amount is paid, the rest is written off (reason: settlement).")

    settlement: Annotated[str, Widget("select"), Select(source="offered")] = Field(
        title=N_("Offer")
    )


def offer(book: Book, key: str, actor: str, on: date, form: SettlementForm) -> str:
    if form.deadline < on:
        raise FormError({"deadline": _("The deadline is in the past.")})
    s = settlements.offer(
        book, key, str(form.amount), form.deadline, actor=actor, on=on, currency=form.currency
    )
    if s.status == "needs_approval":
        return _(
            "Settlement of %(amount)s (%(percent)s%%) saved; it needs the owner's approval "
            "before it is offered (%(why)s)."
        ) % {"amount": s.amount, "percent": s.percent, "why": s.authority_note}
    return _("Settlement of %(amount)s (%(percent)s%%) offered, to be paid by %(day)s.") % {
        "amount": s.amount,
        "percent": s.percent,
        "day": s.deadline,
    }


def accept(book: Book, key: str, actor: str, on: date, form: SettlementAcceptForm) -> str:
    s = settlements.accept(book, int(form.settlement), actor=actor, on=on)
    return _("Settlement of %(amount)s accepted, to be paid by %(day)s.") % {
        "amount": s.amount,
        "day": s.deadline.isoformat(),
    }


def offered(book: Book, key: str) -> tuple[tuple[str, str], ...]:
    """The offers the customer may accept, for the acceptance form."""
    return tuple(
        (str(s.id), f"{s.amount} by {s.deadline.isoformat()} (offered {s.offered_on.isoformat()})")
        for s in settlements.list_settlements(book, key, "offered")
    )


def helpers(
    book: Book, key: str, acct: Account, as_of: date
) -> list[settlements.SettlementComparison]:
    """The settlement helper (in-house, settle, agency, small claims, write off) for
    each currency the customer owes in, with the small-claims limit of its place."""
    where = casefile.place_of(acct) or None
    out = []
    for m in acct.balances:
        if m.minor <= 0:
            continue
        try:
            out.append(
                settlements.compare(book, key, as_of, currency=m.currency, jurisdiction=where)
            )
        except CaseworkError:
            continue
    return out
