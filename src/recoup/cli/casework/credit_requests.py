"""Credit notes that wait for an owner: `recoup dispute requests|approve|refuse`.

A dispute resolved by credit note, or upheld, beyond the resolver's authority (the
policy's `[authority.collector]`) is kept as a credit request; an owner approves it
(the credit note is written) or refuses it with a reason (the dispute stays open).
"""

from __future__ import annotations

from typing import Any

import typer

from recoup.cli.casework.common import Call, call, changes, credit_requests, do
from recoup.cli.casework.options import AsJson
from recoup.cli.output import cash, console, figures, print_json


def _words(d: dict[str, Any]) -> str:
    how = "upheld" if d["resolution"] == "upheld" else "credit note"
    decided = (
        f" by {d['decided_by']} on {d['decided_on']}"
        + (f": {d['decision_note']}" if d["decision_note"] else "")
        if d["decided_by"]
        else f": {figures(d['authority_note'])}"
    )
    return (
        f"Credit request {d['id']} of {d['customer']}: {cash(d['amount'], d['currency'])} on "
        f"{d['invoice']} (dispute {d['dispute_id']}, {how}), asked for by {d['requested_by']} "
        f"on {d['requested_on']}; {d['status']}{decided}"
    )


def requests_command(
    ctx: typer.Context,
    customer: str | None = typer.Argument(None, help="The customer's id (default: all)."),
    status: str | None = typer.Option(None, "--status", help="pending, approved or refused."),
    as_json: AsJson = False,
) -> None:
    """Credit notes asked for beyond a collector's authority, oldest first."""
    found = do(ctx, lambda b: credit_requests.list_requests(b, customer, status))
    if as_json:
        print_json([c.to_json() for c in found])
        return
    for c in found:
        console.print(_words(c.to_json()), markup=False)


@changes(None, None, _words)
def approve_command(
    request_id: int = typer.Argument(..., help="The credit request's id."),
) -> Call:
    """An owner approves a credit request: the credit note is written, the dispute closes."""
    return call(credit_requests.approve, request_id)


@changes(None, None, _words)
def refuse_command(
    request_id: int = typer.Argument(..., help="The credit request's id."),
    reason: str = typer.Option(..., "--reason", help="Why the credit note is refused."),
) -> Call:
    """An owner refuses a credit request; the dispute stays open."""
    return call(credit_requests.refuse, request_id, reason=reason)


def register(dispute_app: typer.Typer) -> None:
    dispute_app.command("requests")(requests_command)
    dispute_app.command("approve")(approve_command)
    dispute_app.command("refuse")(refuse_command)
