"""Notes, calls and visits (`recoup.services.casework.calls`); a call's promise is
recorded with it (`recoup.services.casework.promises`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from recoup.domain.casework.calls import OUTCOME_WORDS, Outcome
from recoup.domain.casework.errors import CaseworkError
from recoup.i18n import N_
from recoup.i18n import gettext as _
from recoup.services.book import Book
from recoup.services.casework import calls, promises
from recoup.web.routes.casework.forms import (
    CaseForm,
    FormError,
    LongText,
    MaybeAmount,
    MaybeDay,
    MaybeLongText,
    MaybeText,
    Select,
    Widget,
)

OUTCOMES = tuple((o.value, OUTCOME_WORDS[o].capitalize()) for o in Outcome)


class NoteForm(CaseForm):
    name = "note"
    title = N_("Note")
    submit = N_("Add note")
    intro = N_("Anything worth keeping on file. A note is not a contact.")

    text: LongText = Field(title=N_("Note"))


class CallForm(CaseForm):
    name = "call"
    title = N_("Call or visit")
    submit = N_("Record")

    kind: Annotated[
        str, Widget("select"), Select((("call", N_("Call")), ("visit", N_("Visit"))))
    ] = Field(title=N_("Type"))
    outcome: Annotated[str, Widget("select"), Select(OUTCOMES)] = Field(title=N_("Outcome"))
    notes: MaybeLongText = Field(None, title=N_("What was said"))
    promise_amount: MaybeAmount = Field(
        None, title=N_("Promised amount"),
        description=N_("When the outcome is a promise: how much"),
        json_schema_extra={"group": "if-promise"},
    )  # fmt: skip
    promise_date: MaybeDay = Field(
        None, title=N_("Promised by"),
        description=N_("When the outcome is a promise: by which day"),
        json_schema_extra={"group": "if-promise"},
    )  # fmt: skip
    override_reason: MaybeText = Field(
        None,
        title=N_("Override reason"),
        description=N_("Only to go against a contact rule (logged)"),
    )


def note(book: Book, key: str, actor: str, on: date, form: NoteForm) -> str:
    calls.record_note(book, key, form.text, actor=actor, on=on)
    return _("Note added.")


def call(book: Book, key: str, actor: str, on: date, form: CallForm) -> str:
    promised = form.outcome == Outcome.PROMISE.value
    if promised:
        problems = {}
        if form.promise_amount is None:
            problems["promise_amount"] = _("A promise needs the amount.")
        if form.promise_date is None:
            problems["promise_date"] = _("A promise needs the day.")
        elif form.promise_date < on:
            problems["promise_date"] = _("The promised day is in the past.")
        if problems:
            raise FormError(problems)
    record = calls.record_visit if form.kind == "visit" else calls.record_call
    made = record(
        book, key, form.outcome, actor=actor, on=on, notes=form.notes or "",
        override_reason=form.override_reason,
    )  # fmt: skip
    visit = form.kind == "visit"
    if not promised or form.promise_date is None:
        return _("Visit recorded.") if visit else _("Call recorded.")
    try:
        p = promises.add_promise(
            book, key, str(form.promise_amount), form.promise_date, actor=actor, on=on,
            contact_id=made.id,
        )  # fmt: skip
    except CaseworkError as err:
        refused = (
            _("The visit was recorded, the promise was not: %(why)s")
            if visit
            else _("The call was recorded, the promise was not: %(why)s")
        )
        raise FormError({"promise_amount": refused % {"why": err}}) from None
    recorded = (
        _("Visit recorded, with a promise of %(amount)s by %(day)s.")
        if visit
        else _("Call recorded, with a promise of %(amount)s by %(day)s.")
    )
    return recorded % {"amount": p.amount, "day": p.promised_on.isoformat()}
