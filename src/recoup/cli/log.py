"""`recoup log CUSTOMER` (an account's history) and `recoup log verify` (the hash chain)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.table import Table

from recoup import clock
from recoup.cli.context import EXIT_NOT_FOUND, EXIT_REFUSED, state
from recoup.cli.lazy import lazy
from recoup.cli.output import console, err_console, print_json
from recoup.domain.words import readable, term
from recoup.services.errors import NotFoundError

if TYPE_CHECKING:
    from recoup.services import history
else:
    history = lazy("recoup.services.history")


def log_command(
    ctx: typer.Context,
    target: str = typer.Argument(
        ...,
        metavar="CUSTOMER|verify",
        help="A customer's id to print its history, or 'verify' to check the whole book's "
        "hash chain (a customer whose id is 'verify' is reached with --customer).",
    ),
    customer: bool = typer.Option(
        False, "--customer", help="Read TARGET as a customer's id even if it is 'verify'."
    ),
    kind: list[str] = typer.Option([], "--kind", help="Only entries of this kind (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """An account's history, oldest first; or `log verify` to check the chain.

    `log verify` exits 0 when every chain holds and 1 naming the first entry that was
    changed, removed or reordered.
    """
    st = state(ctx)
    if target == "verify" and not customer:
        result = history.verify(st.book)
        if as_json:
            print_json(result.to_json())
        elif result.first_break is None:
            console.print(f"The history holds: {result.checked} entries checked.")
        else:
            err_console.print(f"The history was tampered with: {result.first_break.describe()}")
        if result.first_break is not None:
            raise typer.Exit(EXIT_REFUSED)
        return
    try:
        # with `recoup --now` the history as known that day: later entries do not exist yet
        until = clock.local_today() if clock.moment_set() is not None else None
        found = history.entries(st.book, target, kinds=kind, until=until)
    except NotFoundError as err:
        err_console.print(str(err))
        raise typer.Exit(EXIT_NOT_FOUND) from None
    if as_json:
        print_json([e.to_json() for e in found])
        return
    table = Table(title=f"History of {target}")
    for col in ("#", "Day", "Kind", "Actor", "What happened"):
        table.add_column(col)
    for e in found:
        files = f" [dim]({', '.join(a['name'] for a in e.attachments)})[/]" if e.attachments else ""
        table.add_row(str(e.id), e.on, term("entry", e.kind), e.actor, readable(e.text) + files)
    console.print(table)
