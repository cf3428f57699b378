"""Disputes on invoices and their resolution (`recoup.services.casework.disputes`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from recoup import i18n
from recoup.domain.casework.disputes import REASON_WORDS as DISPUTE_WORDS
from recoup.domain.casework.disputes import Reason as DisputeReason
from recoup.domain.words import term
from recoup.i18n import N_
from recoup.i18n import gettext as _
from recoup.services.accounts import Account
from recoup.services.book import Book
from recoup.services.casework import disputes
from recoup.web.routes.casework.forms import (
    CaseForm,
    Choices,
    FormError,
    MaybeAmount,
    MaybeLongText,
    Select,
    Widget,
)

DISPUTE_REASONS = tuple((r.value, DISPUTE_WORDS[r].capitalize()) for r in DisputeReason)
RESOLUTIONS = (
    ("credit_note", "Credit note (part)"),
    ("upheld", "Upheld: credit the whole disputed part"),
    ("rejected", "Rejected: the invoice stands"),
)


class DisputeForm(CaseForm):
    name = "dispute"
    title = N_("Dispute")
    submit = N_("Open dispute")
    intro = N_("Collection of the disputed part is held until the dispute is resolved.")

    invoice: Annotated[str, Widget("select"), Select(source="open_invoices")] = Field(
        title=N_("Invoice")
    )
    reason: Annotated[str, Widget("select"), Select(DISPUTE_REASONS)] = Field(title=N_("Reason"))
    amount: MaybeAmount = Field(None, title=N_("Disputed amount (default: all that is open)"))
    text: MaybeLongText = Field(None, title=N_("What the customer says"))


class DisputeResolveForm(CaseForm):
    name = "dispute-resolve"
    title = N_("Resolve a dispute")
    submit = N_("Resolve")
    intro = (
        "A credit note beyond your authority waits for the owner's approval (Approvals page); "
        "the dispute stays open until then."
    )

    dispute: Annotated[str, Widget("select"), Select(source="open_disputes")] = Field(
        title=N_("Dispute")
    )
    resolution: Annotated[str, Widget("select"), Select(RESOLUTIONS)] = Field(
        title=N_("Resolution")
    )
    credit: MaybeAmount = Field(None, title=N_("Credit note amount (for a credit note)"))
    note: MaybeLongText = Field(None, title=N_("Note"))


def open_dispute(book: Book, key: str, actor: str, on: date, form: DisputeForm) -> str:
    d = disputes.open_dispute(
        book, key, form.invoice, form.reason, actor=actor, on=on,
        amount=str(form.amount) if form.amount else None, text=form.text or "",
    )  # fmt: skip
    return _("Dispute on %(invoice)s for %(amount)s opened; collection of it is held.") % {
        "invoice": d.invoice,
        "amount": d.amount,
    }


def resolve(book: Book, key: str, actor: str, on: date, form: DisputeResolveForm) -> str:
    if form.resolution == "credit_note" and form.credit is None:
        raise FormError({"credit": _("A credit note needs its amount.")})
    d = disputes.resolve(
        book, int(form.dispute), form.resolution, actor=actor, on=on,
        credit=str(form.credit) if form.credit else None, note=form.note or "",
    )  # fmt: skip
    if d.requested is not None:
        return _(
            "Credit note of %(amount)s on %(invoice)s asked for; it waits for the owner's "
            "approval and the dispute stays open until then."
        ) % {"amount": d.requested, "invoice": d.invoice}
    return _("Dispute on %(invoice)s resolved: %(status)s.") % {
        "invoice": d.invoice,
        "status": term("dispute_status", d.status, i18n.current().language),
    }


def open_invoices(acct: Account) -> Choices:
    """The invoices a dispute may name."""
    return tuple(
        (i.number, f"{i.number} · {i.open} open, due {i.due_date.isoformat()}")
        for i in acct.invoices
        if i.kind == "invoice" and i.open.minor > 0
    )


def open_disputes(book: Book, key: str) -> Choices:
    """The disputes that may be resolved."""
    return tuple(
        (
            str(d.id),
            f"{d.invoice}: {d.amount} ({term('dispute_reason', d.reason)})"
            + (f"; a credit note of {d.requested} waits for the owner" if d.requested else ""),
        )
        for d in disputes.list_disputes(book, key, "open")
    )
