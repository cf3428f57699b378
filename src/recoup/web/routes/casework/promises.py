"""Promises to pay (`recoup.services.casework.promises`)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from recoup.services.book import Book
from recoup.services.casework import promises
from recoup.web.routes.casework.forms import Amount, CaseForm, Day, FormError, MaybeCurrency


class PromiseForm(CaseForm):
    name = "promise"
    title = "Promise to pay"
    submit = "Record promise"
    intro = "Reminders pause while the promise holds; it is kept or broken from the payments."

    amount: Amount = Field(title="Amount")
    promised_on: Day = Field(title="Pay by")
    currency: MaybeCurrency = Field(None, title="Currency")


def promise(book: Book, key: str, actor: str, on: date, form: PromiseForm) -> str:
    if form.promised_on < on:
        raise FormError({"promised_on": "The promised day is in the past."})
    p = promises.add_promise(
        book, key, str(form.amount), form.promised_on, actor=actor, on=on, currency=form.currency
    )
    return f"Promise of {p.amount} by {p.promised_on.isoformat()} recorded."
