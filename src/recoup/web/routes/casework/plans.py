"""Payment plans (`recoup.services.casework.plans`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from recoup.domain.words import count
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
    title = "Payment plan"
    submit = "Agree plan"
    intro = (
        "Installments add up exactly to the amount. Outside the plan's limits it waits for "
        "the owner's approval."
    )

    installments: Annotated[int, Widget("int"), whole(1, 120)] = Field(title="Installments")
    first: Day = Field(title="First installment on")
    every: Annotated[int, Widget("int"), whole(1, 366)] = Field(30, title="Every (days)")
    amount: MaybeAmount = Field(None, title="Amount (default: the whole balance)")
    rate: MaybePercent = Field(None, title="Yearly interest (%)")
    fee: MaybeAmount = Field(None, title="Fee")
    currency: MaybeCurrency = Field(None, title="Currency")


def plan(book: Book, key: str, actor: str, on: date, form: PlanForm) -> str:
    p = plans.create_plan(
        book, key, form.installments, form.first, actor=actor, on=on,
        every_days=form.every, amount=str(form.amount) if form.amount else None,
        currency=form.currency, rate_percent=form.rate,
        fee=str(form.fee) if form.fee else None,
    )  # fmt: skip
    if p.status == "needs_approval":
        return f"Payment plan of {p.total} saved; it waits for the owner's approval."
    return f"Payment plan of {p.total} in {count(len(p.installments), 'installment')} agreed."
