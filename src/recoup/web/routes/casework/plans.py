"""Payment plans (`recoup.services.casework.plans`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from recoup.i18n import N_, ngettext
from recoup.i18n import gettext as _
from recoup.services.book import Book
from recoup.services.casework import plans
from recoup.web.routes.casework.forms import (
    CaseForm,
    Day,
    MaybeAmount,
    MaybeCurrency,
    MaybePercent,
    Widget,
    whole,
)


class PlanForm(CaseForm):
    name = "plan"
    title = N_("Payment plan")
    submit = N_("Agree plan")
    intro = (
        "Installments add up exactly to the amount. Outside the plan's limits it waits for "
        "the owner's approval."
    )

    installments: Annotated[int, Widget("int"), whole(1, 120)] = Field(title=N_("Installments"))
    first: Day = Field(title=N_("First installment on"))
    every: Annotated[int, Widget("int"), whole(1, 366)] = Field(30, title=N_("Every (days)"))
    amount: MaybeAmount = Field(None, title=N_("Amount (default: the whole balance)"))
    rate: MaybePercent = Field(None, title=N_("Yearly interest (%)"))
    fee: MaybeAmount = Field(None, title=N_("Fee"))
    currency: MaybeCurrency = Field(None, title=N_("Currency"))


def plan(book: Book, key: str, actor: str, on: date, form: PlanForm) -> str:
    p = plans.create_plan(
        book, key, form.installments, form.first, actor=actor, on=on,
        every_days=form.every, amount=str(form.amount) if form.amount else None,
        currency=form.currency, rate_percent=form.rate,
        fee=str(form.fee) if form.fee else None,
    )  # fmt: skip
    if p.status == "needs_approval":
        return _("Payment plan of %(total)s saved; it waits for the owner's approval.") % {
            "total": p.total
        }
    return ngettext(
        "Payment plan of %(total)s in %(num)d installment agreed.",
        "Payment plan of %(total)s in %(num)d installments agreed.",
        len(p.installments),
    ) % {"total": p.total, "num": len(p.installments)}
