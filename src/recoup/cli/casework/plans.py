"""Payment plans (`recoup.services.casework.plans`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer

from recoup.cli.casework.common import (
    Call,
    act,
    actor_of,
    call,
    changes,
    day_of,
    do,
    plans,
    show,
)
from recoup.cli.casework.options import DATE, Actor, AsJson, Customer, OnDay
from recoup.cli.output import cash, figures, on_day
from recoup.domain.words import term

plan_app = typer.Typer(help="Payment plans.", no_args_is_help=True)


def _plan_words(d: dict[str, Any]) -> str:
    lines = [
        f"Plan {d['id']} of {d['customer']}: {cash(d['total'], d['currency'])}, "
        f"{term('status', d['status'])}"
        + ("" if d["within_authority"] else f" ({figures(d['authority_note'])})")
    ]
    lines += [
        f"  {i['number']}. {on_day(i['due_on'])} {cash(i['amount'], d['currency'])} "
        f"({term('status', i['status'])})"
        for i in d["installments"]
    ]
    return "\n".join(lines)


@changes(plan_app, "create", _plan_words)
def plan_create(
    customer: Customer,
    installments: int = typer.Option(..., "--installments", help="How many installments."),
    first: datetime = typer.Option(..., "--first", formats=DATE, help="The first one's day."),
    every: int = typer.Option(30, "--every", help="Days between installments."),
    amount: str | None = typer.Option(None, "--amount", help="Default: the whole balance."),
    rate: str | None = typer.Option(None, "--rate", help="Yearly interest, percent (simple)."),
    fee: str | None = typer.Option(None, "--fee", help="A one-off fee, with the first."),
    currency: str | None = typer.Option(None, "--currency"),
) -> Call:
    """Agree a payment plan; outside the policy's limits it waits for an owner."""
    return call(
        plans.create_plan,
        customer,
        installments,
        day_of(first),
        every_days=every,
        amount=amount,
        currency=currency,
        rate_percent=rate,
        fee=fee,
    )


@plan_app.command("show")
def plan_show(
    ctx: typer.Context, plan_id: int = typer.Argument(...), as_json: AsJson = False
) -> None:
    """A plan and its installments."""
    show(do(ctx, lambda b: plans.get_plan(b, plan_id)), as_json, _plan_words)


@plan_app.command("approve")
def plan_approve(
    ctx: typer.Context,
    plan_id: int = typer.Argument(...),
    on: OnDay = None,
    actor: Actor = None,
    as_json: AsJson = False,
) -> None:
    """An owner approves a plan outside the policy's limits."""
    act(
        ctx, as_json, _plan_words, plans.approve_plan, plan_id, actor=actor_of(actor), on=day_of(on)
    )


@changes(plan_app, "default", _plan_words)
def plan_default(
    plan_id: int = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
) -> Call:
    """Put a current plan in default by hand."""
    return call(plans.default, plan_id, reason=reason)
