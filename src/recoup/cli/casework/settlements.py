"""Settlements and the settlement helper (`recoup.services.casework.settlements`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import typer
from rich.table import Table

from recoup.cli.casework.common import (
    Call,
    act,
    actor_of,
    call,
    changes,
    day_of,
    do,
    settlements,
)
from recoup.cli.casework.options import DATE, Actor, AsJson, AsOfDay, Customer, OnDay
from recoup.cli.output import cash, console, figures, on_day, print_json

settle_app = typer.Typer(help="Settlements and the settlement helper.", no_args_is_help=True)


def _settle_words(d: dict[str, Any]) -> str:
    return (
        f"Settlement {d['id']} of {d['customer']}: {cash(d['amount'], d['currency'])} "
        f"({d['percent']}% of {cash(d['balance'], d['currency'])}) "
        f"by {on_day(d['deadline'])}: {d['status']}. "
        f"{figures(d['authority_note'])}"
    )


@changes(settle_app, "offer", _settle_words)
def settle_offer(
    customer: Customer,
    amount: str = typer.Option(..., "--amount", help="The settlement amount."),
    deadline: datetime = typer.Option(..., "--deadline", formats=DATE, help="Paid by this day."),
    currency: str | None = typer.Option(None, "--currency"),
) -> Call:
    """Offer a settlement; below the policy's floor it needs an owner's approval."""
    return call(settlements.offer, customer, amount, day_of(deadline), currency=currency)


def _settle_step(name: str, step: str, doc: str) -> None:
    """`settle NAME ID`: the settlements service's function `step` (looked up when the
    command runs: the service is imported then)."""

    def command(
        ctx: typer.Context,
        settlement_id: int = typer.Argument(...),
        on: OnDay = None,
        actor: Actor = None,
        as_json: AsJson = False,
    ) -> None:
        fn: Callable[..., Any] = getattr(settlements, step)
        act(ctx, as_json, _settle_words, fn, settlement_id, actor=actor_of(actor), on=day_of(on))

    command.__doc__ = doc
    settle_app.command(name)(command)


_settle_step("approve", "approve", "An owner approves an offer outside authority.")
_settle_step("refuse", "refuse", "An owner refuses an offer outside authority.")
_settle_step("accept", "accept", "The customer accepts an offered settlement.")
_settle_step(
    "paid",
    "settle",
    "The settled amount is paid: close it and write off the rest ('settlement').",
)


@settle_app.command("list")
def settle_list(
    ctx: typer.Context,
    customer: str | None = typer.Argument(None, help="The customer's id (default: all)."),
    status: str | None = typer.Option(None, "--status", help="e.g. needs_approval"),
    as_json: AsJson = False,
) -> None:
    """Settlements, oldest first."""
    found = do(ctx, lambda b: settlements.list_settlements(b, customer, status))
    if as_json:
        print_json([s.to_json() for s in found])
        return
    for s in found:
        console.print(_settle_words(s.to_json()), markup=False)


@settle_app.command("compare")
def settle_compare(
    ctx: typer.Context,
    customer: Customer,
    offer_amount: str | None = typer.Option(None, "--offer", help="Compare this offer."),
    court_fee: str | None = typer.Option(None, "--court-fee", help="The small-claims fee."),
    jurisdiction: str | None = typer.Option(
        None, "--jurisdiction", help="e.g. GB, GB-SCT, US-CA (default: the customer's country)."
    ),
    currency: str | None = typer.Option(None, "--currency"),
    as_of: AsOfDay = None,
    as_json: AsJson = False,
) -> None:
    """The settlement helper: in-house, settle, agency, small claims or write off."""
    result = do(
        ctx,
        lambda b: settlements.compare(
            b,
            customer,
            day_of(as_of),
            currency=currency,
            offer_amount=offer_amount,
            court_fee=court_fee,
            jurisdiction=jurisdiction,
        ),
    )
    data = result.to_json()
    if as_json:
        print_json(data)
        return
    console.print(
        f"{customer}: {cash(data['balance'], data['currency'])}; "
        + "; ".join(data["chance_basis"]),
        markup=False,
    )
    table = Table()
    for col in ("Option", "Expected", "Figures", "Notes"):
        table.add_column(col)
    for o in data["options"]:
        shown = "\n".join(f"{f['label']}: {figures(str(f['value']))}" for f in o["figures"])
        expected = cash(o["expected"], data["currency"]) if o["available"] else "—"
        table.add_row(o["title"], expected, shown, "\n".join(o["notes"]))
    console.print(table)
