"""Promises to pay (`recoup.services.casework.promises`)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from recoup.i18n import N_
from recoup.i18n import gettext as _
from recoup.services.book import Book
from recoup.services.casework import promises
from recoup.web.routes.casework.forms import Amount, CaseForm, Day, FormError, MaybeCurrency


class PromiseForm(CaseForm):
    name = "promise"
    title = N_("Promise to pay")
    submit = N_("Record promise")
    intro = N_("Reminders pause while the promise holds; it is kept or broken from the payments.")

    amount: Amount = Field(title=N_("Amount"))
    promised_on: Day = Field(title=N_("Pay by"))
    currency: MaybeCurrency = Field(None, title=N_("Currency"))


def promise(book: Book, key: str, actor: str, on: date, form: PromiseForm) -> str:
    if form.promised_on < on:
        raise FormError({"promised_on": _("The promised day is in the past.")})
    p = promises.add_promise(
        book, key, str(form.amount), form.promised_on, actor=actor, on=on, currency=form.currency
    )
    return _("Promise of %(amount)s by %(day)s recorded.") % {
        "amount": p.amount,
        "day": p.promised_on.isoformat(),
    }
