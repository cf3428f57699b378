"""Promises to pay (`recoup.services.casework.promises`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer
from rich.table import Table

from recoup.cli.casework.common import Call, call, casework, changes, day_of, do, promises
from recoup.cli.casework.options import DATE, AsJson, AsOfDay, Customer
from recoup.cli.output import cash, console, on_day, print_json
from recoup.domain.words import term

promise_app = typer.Typer(help="Promises to pay.", no_args_is_help=True)


def _promise_words(d: dict[str, Any]) -> str:
    return (
        f"Promise {d['id']}: {cash(d['amount'], d['currency'])} by {on_day(d['promised_on'])} "
        f"(grace {d['grace_days']} days)."
    )


@changes(promise_app, "add", _promise_words)
def promise_add(
    customer: Customer,
    amount: str = typer.Option(..., "--amount", help="The amount promised, e.g. 250.00."),
    by: datetime = typer.Option(..., "--date", formats=DATE, help="The day it is promised for."),
    currency: str | None = typer.Option(None, "--currency"),
) -> Call:
    """Record a promise to pay AMOUNT by DATE. Reminders pause while it is in force."""
    return call(promises.add_promise, customer, amount, day_of(by), currency=currency)


@promise_app.command("list")
def promise_list(
    ctx: typer.Context,
    customer: Customer,
    as_json: AsJson = False,
) -> None:
    """A customer's promises, oldest first."""
    found = do(ctx, lambda b: promises.list_promises(b, customer))
    if as_json:
        print_json([p.to_json() for p in found])
        return
    table = Table(title=f"Promises of {customer}")
    for col in ("#", "Amount", "By", "Status", "Paid"):
        table.add_column(col)
    for p in found:
        table.add_row(
            str(p.id), cash(p.amount.amount, p.amount.currency), on_day(p.promised_on),
            term("status", p.status), cash(p.paid.amount, p.paid.currency),
        )  # fmt: skip
    console.print(table)


@promise_app.command("review")
def promise_review(
    ctx: typer.Context,
    as_of: AsOfDay = None,
    as_json: AsJson = False,
) -> None:
    """Review every casework item as of a day: promises kept or broken, plan installments,
    settlements paid or lapsed, write-offs reversed by later payments."""
    result = do(ctx, lambda b: casework.review_all(b, day_of(as_of)))
    if as_json:
        print_json(result.to_json())
        return
    data = result.to_json()
    for p in data["promises"]:
        console.print(
            f"promise {p['id']} of {p['customer']}: {term('status', p['status'])}", markup=False
        )
    for p in data["plans"]:
        console.print(
            f"plan {p['plan_id']} of {p['customer']}: {'; '.join(p['events'])}", markup=False
        )
    for s in data["settlements"]:
        console.print(
            f"settlement {s['settlement_id']} of {s['customer']}: {term('status', s['status'])}",
            markup=False,
        )
    for w in data["write_offs_reversed"]:
        console.print(
            f"write-off of {w['customer']} reversed by {cash(w['reversed'], w['currency'])}",
            markup=False,
        )
    if not result.changed:
        console.print("Nothing changed.", markup=False)
