"""`recoup bank queue|confirm|reject`: the statement lines that wait for a person.

    recoup bank queue [--json]                     # waiting lines with their suggestions
    recoup bank confirm LINE                       # apply the first suggestion
    recoup bank confirm LINE --invoice INV-7 --invoice INV-9=40.00   # re-assign / split
    recoup bank reject LINE [--reason TEXT]        # not a customer payment

Exit 1 when the line cannot be done (not waiting, an unknown invoice ...).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import typer

from recoup.cli.casework.common import actor_of, day_of
from recoup.cli.casework.options import Actor
from recoup.cli.context import EXIT_REFUSED, state
from recoup.cli.lazy import lazy
from recoup.cli.output import cash, console, err_console, figures, on_day, print_json
from recoup.i18n import gettext as _

if TYPE_CHECKING:
    from recoup.services import bank_matching
else:
    bank_matching = lazy("recoup.services.bank_matching")


def queue_command(
    ctx: typer.Context,
    limit: int | None = typer.Option(None, "--limit", help="At most this many lines."),
    as_json: bool = typer.Option(False, "--json", help="Print the lines as JSON."),
) -> None:
    """The lines that wait for a person, oldest first, each with its suggestions and
    the evidence for them."""
    waiting = bank_matching.queue(state(ctx).book, limit)
    if as_json:
        print_json([w.to_json() for w in waiting])
        return
    if not waiting:
        console.print(_("Nothing waits for review."))
        return
    for w in waiting:
        said, payer = _("line %(id)d") % {"id": w.id}, w.payer or _("(no name)")
        console.print(
            f"{said}  {on_day(w.day) if w.day else ''}  {cash(w.amount, w.currency)}  {payer}"
            f"  {w.text or ''}".rstrip(),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        if not w.suggestions:
            console.print(
                "    " + _("no suggestion: name the invoice with --invoice"), markup=False
            )
        for n, s in enumerate(w.suggestions, 1):
            paid = ", ".join(
                f"{i} {cash(a, w.currency)}" for i, a in zip(s.invoices, s.amounts, strict=True)
            )
            console.print(
                f"    {n}. {s.customer} {s.name}: {paid}  ({figures('; '.join(s.evidence))})",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )


def confirm_command(
    ctx: typer.Context,
    line: int = typer.Argument(..., help="The statement line (its number in `bank queue`)."),
    invoices: list[str] = typer.Option(
        [],
        "--invoice",
        help="Apply to this invoice instead (repeatable; NUMBER=AMOUNT for a split).",
    ),
    on: datetime | None = typer.Option(
        None, "--on", formats=["%Y-%m-%d"], help="The business date (default today)."
    ),
    actor: Actor = None,
    as_json: bool = typer.Option(False, "--json", help="Print the line as JSON."),
) -> None:
    """Apply a waiting line: to its first suggestion, or to the invoices named."""
    try:
        view = bank_matching.confirm(
            state(ctx).book, line, invoices or None, actor=actor_of(actor), as_of=day_of(on)
        )
    except bank_matching.BankMatchError as err:
        err_console.print(str(err), markup=False, highlight=False)
        raise typer.Exit(EXIT_REFUSED) from None
    if as_json:
        print_json(view.to_json())
    else:
        said = _("line %(id)d") % {"id": line}
        console.print(f"{said}: {view.history[-1][3]}", markup=False, highlight=False)


def reject_command(
    ctx: typer.Context,
    line: int = typer.Argument(..., help="The statement line (its number in `bank queue`)."),
    reason: str = typer.Option("", "--reason", help="Why it is no customer payment."),
    actor: Actor = None,
    as_json: bool = typer.Option(False, "--json", help="Print the line as JSON."),
) -> None:
    """Mark a waiting line as no customer payment."""
    try:
        view = bank_matching.reject(state(ctx).book, line, actor=actor_of(actor), reason=reason)
    except bank_matching.BankMatchError as err:
        err_console.print(str(err), markup=False, highlight=False)
        raise typer.Exit(EXIT_REFUSED) from None
    if as_json:
        print_json(view.to_json())
    else:
        said = _("line %(id)d") % {"id": line}
        console.print(f"{said}: {view.history[-1][3]}", markup=False, highlight=False)
