"""`recoup interest`: statutory late-payment interest and compensation for one debt."""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from recoup.cli.context import EXIT_REFUSED, EXIT_USAGE, State
from recoup.cli.lazy import lazy
from recoup.cli.output import console, data, day, err_console, money, plain, print_json
from recoup.clock import local_today

if TYPE_CHECKING:
    from recoup.domain.interest import InterestResult
    from recoup.services import interest as interest_service
else:  # the jurisdictions' tables: read when the command runs
    interest_service = lazy("recoup.services.interest")

_DATE = ["%Y-%m-%d"]


def interest_command(
    ctx: typer.Context,
    jurisdiction: str = typer.Option(
        ..., "--jurisdiction", "-j", help="Whose law: GB, EU, DE, FR or NL."
    ),
    principal: str = typer.Option(..., "--principal", help="The late amount, e.g. 1000.00."),
    currency: str | None = typer.Option(
        None, "--currency", help="ISO 4217 code (default: the jurisdiction's, GBP or EUR)."
    ),
    due: datetime = typer.Option(
        ..., "--due", formats=_DATE, help="The last day for payment (YYYY-MM-DD)."
    ),
    paid: datetime | None = typer.Option(
        None, "--paid", formats=_DATE, help="The day it was paid (YYYY-MM-DD)."
    ),
    as_of: datetime | None = typer.Option(
        None,
        "--as-of",
        formats=_DATE,
        help="For a debt still open: count up to this day (YYYY-MM-DD; default today).",
    ),
    consumer: bool = typer.Option(
        False, "--consumer", help="The debtor is a consumer (DE and NL have a consumer rate)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Statutory late-payment interest and fixed compensation for one debt.

    Interest runs from the day after the due date up to and including the day of
    payment, on actual days over 365; the total is rounded once, half-up, to the cent.
    """
    from recoup.domain.interest import InterestError  # imported when the command runs

    if paid is not None and as_of is not None:
        err_console.print("Give --paid or --as-of, not both.", soft_wrap=True)
        raise typer.Exit(EXIT_USAGE)
    end = paid if paid is not None else as_of
    until = _day(end) if end is not None else local_today()
    try:
        result = interest_service.statutory_interest(
            jurisdiction,
            principal,
            _day(due),
            until,
            currency=currency,
            consumer=consumer,
        )
    except interest_service.TableError as err:
        for problem in err.problems:
            print(plain(problem), file=sys.stderr)
        err_console.print(
            "[red]The jurisdiction data files are broken[/]; nothing computed.", markup=True
        )
        raise typer.Exit(EXIT_REFUSED) from None
    except (interest_service.InterestRequestError, InterestError) as err:
        err_console.print(str(err), markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_USAGE) from None
    if as_json:
        print_json(result.to_json())
        return
    _print_result(result, _locale(ctx))


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _locale(ctx: typer.Context) -> str:
    from recoup.settings import Settings

    obj = ctx.find_root().obj
    return obj.settings.locale if isinstance(obj, State) else Settings().locale


def _print_result(result: InterestResult, loc: str) -> None:
    from recoup.domain.interest import Compounding, round_half_up

    table = Table(
        title=f"{result.jurisdiction} statutory interest on {money(result.principal, loc)} "
        f"({result.debtor} debt, due {day(result.due, loc)}, to {day(result.until, loc)})"
    )
    compounding = result.compounding is Compounding.YEARLY
    table.add_column("From")
    table.add_column("To")
    table.add_column("Days", justify="right")
    table.add_column("Rate %", justify="right")
    if compounding:
        table.add_column("On", justify="right")
    table.add_column("Interest", justify="right")
    for p in result.periods:
        cells = [day(p.start, loc), day(p.end, loc), str(p.days), str(p.rate_percent)]
        if compounding:
            cells.append(money(round_half_up(p.base, result.principal.currency), loc))
        cells.append(money(p.interest, loc))
        table.add_row(*cells)
    if result.periods:
        console.print(table)
    console.print(f"Days late: {result.days}")
    console.print(
        f"Interest: [bold]{money(result.interest, loc)}[/] (rounded once, half-up)", markup=True
    )
    console.print(f"Fixed compensation: [bold]{money(result.compensation, loc)}[/]", markup=True)
    for note in result.notes:
        console.print(f"[dim]Note: {data(note)}[/]", highlight=False, markup=True)
