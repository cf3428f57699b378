"""Notes, calls and visits (`recoup.services.casework.calls`); a call's promise is
recorded with it (`recoup.services.casework.promises`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from recoup.domain.casework.calls import OUTCOME_WORDS, Outcome
from recoup.domain.casework.errors import CaseworkError
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
    title = "Note"
    submit = "Add note"
    intro = "Anything worth keeping on file. A note is not a contact."

    text: LongText = Field(title="Note")


class CallForm(CaseForm):
    name = "call"
    title = "Call or visit"
    submit = "Record"

    kind: Annotated[str, Widget("select"), Select((("call", "Call"), ("visit", "Visit")))] = Field(
        title="Type"
    )
    outcome: Annotated[str, Widget("select"), Select(OUTCOMES)] = Field(title="Outcome")
    notes: MaybeLongText = Field(None, title="What was said")
    promise_amount: MaybeAmount = Field(
        None, title="Promised amount", description="When the outcome is a promise: how much",
        json_schema_extra={"group": "if-promise"},
    )  # fmt: skip
    promise_date: MaybeDay = Field(
        None, title="Promised by", description="When the outcome is a promise: by which day",
        json_schema_extra={"group": "if-promise"},
    )  # fmt: skip
    override_reason: MaybeText = Field(
        None, title="Override reason", description="Only to go against a contact rule (logged)"
    )


def note(book: Book, key: str, actor: str, on: date, form: NoteForm) -> str:
    calls.record_note(book, key, form.text, actor=actor, on=on)
    return "Note added."


def call(book: Book, key: str, actor: str, on: date, form: CallForm) -> str:
    promised = form.outcome == Outcome.PROMISE.value
    if promised:
        problems = {}
        if form.promise_amount is None:
            problems["promise_amount"] = "A promise needs the amount."
        if form.promise_date is None:
            problems["promise_date"] = "A promise needs the day."
        elif form.promise_date < on:
            problems["promise_date"] = "The promised day is in the past."
        if problems:
            raise FormError(problems)
    record = calls.record_visit if form.kind == "visit" else calls.record_call
    made = record(
        book, key, form.outcome, actor=actor, on=on, notes=form.notes or "",
        override_reason=form.override_reason,
    )  # fmt: skip
    what = "Visit" if form.kind == "visit" else "Call"
    if not promised or form.promise_date is None:
        return f"{what} recorded."
    try:
        p = promises.add_promise(
            book, key, str(form.promise_amount), form.promise_date, actor=actor, on=on,
            contact_id=made.id,
        )  # fmt: skip
    except CaseworkError as err:
        raise FormError({"promise_amount": f"The {what.lower()} was recorded, the promise "
                          f"was not: {err}"}) from None  # fmt: skip
    return f"{what} recorded, with a promise of {p.amount} by {p.promised_on.isoformat()}."
