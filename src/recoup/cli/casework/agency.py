"""Hand-off to a collection agency (`recoup.services.casework.agency`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from recoup.cli.casework.common import Call, agency, call, changes, day_of, do
from recoup.cli.casework.options import AsJson, AsOfDay, Customer
from recoup.cli.output import cash, console, plain, print_json

agency_app = typer.Typer(help="Hand-off to a collection agency.", no_args_is_help=True)


def _placement_words(d: dict[str, Any]) -> str:
    return (
        f"Placement {d['id']} of {d['customer']} with {d['agency']} "
        f"({d['contingency_percent']}%): {cash(d['balance'], d['currency'])}, {d['status']}; "
        f"recovered {cash(d['recovered'], d['currency'])}, fees {cash(d['fees'], d['currency'])}"
    )


@changes(agency_app, "place", _placement_words)
def agency_place(
    customer: Customer,
    name: str = typer.Option(..., "--agency", help="The agency's name."),
    fee_percent: str = typer.Option("25", "--fee-percent", help="Contingency fee (25-50 usual)."),
    currency: str | None = typer.Option(None, "--currency"),
) -> Call:
    """Place the account with an agency: our own contact stops."""
    return call(agency.place, customer, name, contingency_percent=fee_percent, currency=currency)


@agency_app.command("export")
def agency_export(
    ctx: typer.Context,
    customer: Customer,
    out: Path | None = typer.Option(None, "--out", help="Write the files into this folder."),
    as_of: AsOfDay = None,
    as_json: AsJson = False,
) -> None:
    """The placement file: debtor, invoices, balance, full history and documents."""
    result = do(ctx, lambda b: agency.export(b, customer, day_of(as_of)))
    if out is not None:
        for path in result.write(out):
            if not as_json:
                console.print(str(path), markup=False)
    if as_json:
        print_json(result.to_json())
    elif out is None:
        print(plain(result.csv_text), end="")  # a CSV for a file: its cells are safe already


@changes(agency_app, "recover", _placement_words)
def agency_recover(
    customer: Customer,
    amount: str = typer.Option(..., "--amount", help="What the agency recovered."),
    fee: str | None = typer.Option(None, "--fee", help="Their fee (default: the percent)."),
) -> Call:
    """Record a recovery by the agency (and its fee)."""
    return call(agency.record_recovery, customer, amount, fee=fee)


@changes(agency_app, "recall", _placement_words)
def agency_recall(
    customer: Customer,
    reason: str = typer.Option("", "--reason"),
) -> Call:
    """Take the account back from the agency."""
    return call(agency.recall, customer, reason=reason)
