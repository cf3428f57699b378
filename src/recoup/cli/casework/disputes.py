"""Disputes on invoices (`recoup.services.casework.disputes`)."""

from __future__ import annotations

from typing import Any

import typer

from recoup.cli.casework.common import Call, call, changes, disputes, do
from recoup.cli.casework.options import AsJson, Customer
from recoup.cli.output import cash, console, print_json
from recoup.domain.words import term

dispute_app = typer.Typer(help="Disputes on invoices.", no_args_is_help=True)


def _dispute_words(d: dict[str, Any]) -> str:
    return (
        f"Dispute {d['id']} on {d['invoice']}: {cash(d['amount'], d['currency'])} "
        f"({term('dispute_reason', d['reason'])}), {term('dispute_status', d['status'])}"
        + (f", credit note {d['credit_note']}" if d["credit_note"] else "")
        + (
            f"; a credit note of {cash(d['credit_request']['amount'], d['currency'])} "
            "waits for an owner "
            f"(credit request {d['credit_request']['id']}: recoup dispute approve)"
            if d.get("credit_request")
            else ""
        )
    )


@changes(dispute_app, "open", _dispute_words)
def dispute_open(
    customer: Customer,
    invoice: str = typer.Option(..., "--invoice", help="The invoice disputed."),
    reason: str = typer.Option(
        ...,
        "--reason",
        help="not_received, quality, price, "
        "already_paid, duplicate, not_ordered, wrong_customer, other.",
    ),
    amount: str | None = typer.Option(None, "--amount", help="The disputed part (default all)."),
    text: str = typer.Option("", "--text", help="What the customer says."),
) -> Call:
    """Open a dispute on an invoice or part of one; collection of it is held."""
    return call(disputes.open_dispute, customer, invoice, reason, amount=amount, text=text)


@changes(dispute_app, "resolve", _dispute_words)
def dispute_resolve(
    dispute_id: int = typer.Argument(...),
    how: str = typer.Option(..., "--as", help="credit_note, upheld or rejected."),
    credit: str | None = typer.Option(None, "--credit", help="The credit note (credit_note)."),
    note: str = typer.Option("", "--note"),
) -> Call:
    """Resolve a dispute by credit note, upheld or rejected."""
    return call(disputes.resolve, dispute_id, how, credit=credit, note=note)


@dispute_app.command("list")
def dispute_list(
    ctx: typer.Context,
    customer: str = typer.Argument(...),
    status: str | None = typer.Option(None, "--status"),
    as_json: AsJson = False,
) -> None:
    """A customer's disputes."""
    found = do(ctx, lambda b: disputes.list_disputes(b, customer, status))
    if as_json:
        print_json([d.to_json() for d in found])
        return
    for d in found:
        console.print(_dispute_words(d.to_json()), markup=False)
