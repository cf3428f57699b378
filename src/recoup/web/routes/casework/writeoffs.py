"""Write-off requests (`recoup.services.casework.writeoffs`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from recoup.domain.casework.writeoff import REASON_WORDS, WriteOffReason
from recoup.i18n import N_
from recoup.i18n import gettext as _
from recoup.services.book import Book
from recoup.services.casework import writeoffs
from recoup.web.routes.casework.forms import (
    CaseForm,
    MaybeAmount,
    MaybeCurrency,
    MaybeLongText,
    Select,
    Widget,
)

WRITE_OFF_REASONS = tuple((r.value, REASON_WORDS[r].capitalize()) for r in WriteOffReason)


class WriteOffForm(CaseForm):
    name = "write-off"
    title = N_("Write-off request")
    submit = N_("Ask for write-off")
    intro = (
        "Within your authority it is done at once; beyond it, it waits for the owner's "
        "approval (Approvals page) and the balance stays as it is until then."
    )

    reason: Annotated[str, Widget("select"), Select(WRITE_OFF_REASONS)] = Field(title=N_("Reason"))
    amount: MaybeAmount = Field(None, title=N_("Amount (default: the whole balance)"))
    note: MaybeLongText = Field(None, title=N_("Note"))
    currency: MaybeCurrency = Field(None, title=N_("Currency"))


def write_off(book: Book, key: str, actor: str, on: date, form: WriteOffForm) -> str:
    w = writeoffs.write_off(
        book, key, form.reason, actor=actor, on=on,
        amount=str(form.amount) if form.amount else None, currency=form.currency,
        note=form.note or "",
    )  # fmt: skip
    if w.status == "done":
        return _("Written off %(amount)s.") % {"amount": w.amount}
    return _("Write-off of %(amount)s asked for; it waits for the owner's approval.") % {
        "amount": w.amount
    }
