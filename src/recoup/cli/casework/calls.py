"""Calls, visits, letters by hand, notes and the call script (`recoup.services.casework.calls`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import typer

from recoup.cli.casework.common import Call, act, actor_of, call, calls, changes, day_of, do
from recoup.cli.casework.options import Actor, AsJson, AsOfDay, Customer, OnDay
from recoup.cli.output import console, print_json
from recoup.domain.words import term


def call_command(
    ctx: typer.Context,
    customer: Customer,
    outcome: str = typer.Option(
        ...,
        "--outcome",
        help="no_answer, left_message, promise, dispute, hardship, refused, "
        "stop_calling, wrong_number or spoke.",
    ),
    notes: str = typer.Option("", "--notes", help="What was said."),
    visit: bool = typer.Option(False, "--visit", help="A visit, not a call."),
    at: datetime | None = typer.Option(
        None,
        "--at",
        formats=["%Y-%m-%dT%H:%M"],
        help="When, in UTC (YYYY-MM-DDTHH:MM; default noon of --on in the customer's zone).",
    ),
    override: str | None = typer.Option(
        None, "--override", help="Go ahead although a contact rule says no: the reason (logged)."
    ),
    on: OnDay = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """Record a call (or a visit) and its outcome; the contact rules are checked."""
    when = at.replace(tzinfo=UTC) if at is not None else None
    day = day_of(on) if on is not None or when is None else when.date()
    record = calls.record_visit if visit else calls.record_call
    act(
        ctx,
        as_json,
        lambda d: (
            f"Recorded {term('entry', d['kind'])} {d['id']} with {customer}: "
            f"{term('outcome', d['outcome'])}"
            + (f" (overridden: {', '.join(d['overridden'])})" if d["overridden"] else "")
        ),
        record,
        customer,
        outcome,
        actor=actor_of(actor),
        on=day,
        notes=notes,
        at=when,
        override_reason=override,
    )


@changes(None, None)
def letter_command(
    customer: Customer,
    notes: str = typer.Option("", "--notes", help="What the letter said."),
    override: str | None = typer.Option(
        None, "--override", help="Go ahead although a contact rule says no: the reason (logged)."
    ),
) -> Call:
    """Record a letter written and sent by hand; the contact rules are checked."""
    return replace(
        call(calls.record_letter, customer, notes=notes, override_reason=override),
        words=lambda d: f"Recorded letter {d['id']} to {customer}.",
    )


@changes(None, None)
def note_command(
    customer: Customer,
    text: str = typer.Argument(..., help="The note."),
) -> Call:
    """Add a note to the account's history."""
    return replace(
        call(calls.record_note, customer, text),
        words=lambda d: f"Noted on {customer} (entry {d['history_id']}).",
    )


def script_command(
    ctx: typer.Context,
    customer: Customer,
    currency: str | None = typer.Option(None, "--currency"),
    as_of: AsOfDay = None,
    as_json: AsJson = False,
) -> None:
    """A suggested call script for the account, and what may be offered."""
    result = do(ctx, lambda b: calls.call_script(b, customer, day_of(as_of), currency))
    if as_json:
        print_json(result.to_json())
        return
    for line in result.script.lines():
        console.print(f"- {line}", markup=False)
    for hold in result.holds:
        console.print(f"On hold: {hold}", markup=False, style="yellow")
