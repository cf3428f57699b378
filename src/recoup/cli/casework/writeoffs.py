"""Write-offs and the bad-debt report (`recoup.services.casework.writeoffs`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer
from rich.table import Table

from recoup.cli.casework.common import Call, call, changes, day_of, do, writeoffs
from recoup.cli.casework.options import DATE, AsJson, Customer
from recoup.cli.context import state
from recoup.cli.output import cash, console, day, money, print_json

writeoff_app = typer.Typer(help="Write-offs (with reason and approval).", no_args_is_help=True)


def _writeoff_words(d: dict[str, Any]) -> str:
    # the tax part is worked out when the write-off is booked: none to show before
    tax = f" (tax {cash(d['tax'], d['currency'])})" if d["status"] == "done" else ""
    waits = f": `recoup writeoff approve {d['id']}` (an owner)" if d["status"] == "pending" else ""
    return (
        f"Write-off {d['id']} of {d['customer']}: {cash(d['amount'], d['currency'])}{tax}, "
        f"{d['reason']}, {d['status']}{waits}"
    )


@changes(writeoff_app, "add", _writeoff_words)
def writeoff_add(
    customer: Customer,
    reason: str = typer.Option(
        ...,
        "--reason",
        help="uncollectible, insolvency, time_barred, "
        "small_balance, dispute, agency, settlement, other.",
    ),
    amount: str | None = typer.Option(None, "--amount", help="Default: the whole balance."),
    note: str = typer.Option("", "--note"),
    approved_by: str | None = typer.Option(
        None, "--approved-by", help="The owner approving it now (else it waits for approval)."
    ),
    currency: str | None = typer.Option(None, "--currency"),
) -> Call:
    """Ask for (or, with --approved-by, do) a write-off."""
    return call(
        writeoffs.write_off,
        customer,
        reason,
        amount=amount,
        currency=currency,
        note=note,
        approved_by=approved_by,
    )


@changes(writeoff_app, "approve", _writeoff_words)
def writeoff_approve(
    write_off_id: int = typer.Argument(...),
) -> Call:
    """An owner approves a pending write-off."""
    return call(writeoffs.approve_write_off, write_off_id)


@changes(writeoff_app, "refuse", _writeoff_words)
def writeoff_refuse(
    write_off_id: int = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
) -> Call:
    """An owner refuses a pending write-off."""
    return call(writeoffs.refuse_write_off, write_off_id, reason=reason)


@writeoff_app.command("list")
def writeoff_list(
    ctx: typer.Context,
    customer: str | None = typer.Argument(None, help="The customer's id (default: all)."),
    status: str | None = typer.Option(None, "--status", help="pending, done or refused."),
    as_json: AsJson = False,
) -> None:
    """Write-offs, oldest first."""
    found = do(ctx, lambda b: writeoffs.list_write_offs(b, customer, status))
    if as_json:
        print_json([w.to_json() for w in found])
        return
    for w in found:
        console.print(_writeoff_words(w.to_json()), markup=False)


def baddebt_command(
    ctx: typer.Context,
    start: datetime = typer.Option(..., "--from", formats=DATE, help="First day of the period."),
    end: datetime = typer.Option(..., "--to", formats=DATE, help="Last day of the period."),
    as_json: AsJson = False,
) -> None:
    """The bad-debt report for the accountant: write-offs (and reversals) with tax parts."""
    report = do(ctx, lambda b: writeoffs.bad_debt_report(b, day_of(start), day_of(end)))
    if as_json:
        print_json(report.to_json())
        return
    loc = state(ctx).settings.locale
    table = Table(title=f"Bad debts {day(report.start, loc)} to {day(report.end, loc)}")
    for col in ("Date", "Customer", "Name", "Invoice", "Reason", "Amount", "Tax"):
        # the day and the keys whole on a narrow terminal; the rest wraps at its spaces
        table.add_column(col, no_wrap=col in ("Date", "Customer", "Invoice"), overflow="fold")
    for line in report.lines:
        table.add_row(
            day(line.on, loc),
            line.customer,
            line.name,
            line.invoice,
            line.reason,
            money(line.amount, loc),
            money(line.tax, loc),
        )
    console.print(table)
    for cur, (amount, tax) in sorted(report.totals().items()):
        total, of_tax = money(amount, loc), money(tax, loc)
        console.print(f"Total {cur}: {total} (tax {of_tax})", markup=False)
