"""`recoup log CUSTOMER` (an account's history), `recoup log verify` (the hash chain, and
against a signed anchor) and `recoup log anchor` (sign the heads: `cli.log_anchor`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from recoup import clock
from recoup.cli import log_anchor
from recoup.cli.context import EXIT_NOT_FOUND, EXIT_USAGE, state
from recoup.cli.lazy import lazy
from recoup.cli.output import console, err_console, plain, print_json, text
from recoup.domain.kinds import EntryKind
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
        metavar="CUSTOMER|verify|anchor",
        help="A customer's id to print its history, 'verify' to check the whole book's "
        "hash chain, or 'anchor' to sign its heads (a customer whose id is 'verify' or "
        "'anchor' is reached with --customer).",
    ),
    customer: bool = typer.Option(
        False, "--customer", help="Read TARGET as a customer's id even if it is a command."
    ),
    kind: list[EntryKind] = typer.Option(
        [],
        "--kind",
        metavar="<kind>",
        show_choices=False,
        help=f"Only entries of this kind (repeatable): {', '.join(EntryKind)}.",
    ),
    anchor: Path | None = typer.Option(
        None, "--anchor", help="verify: also against this signed anchor file."
    ),
    fingerprint: str | None = typer.Option(
        None,
        "--fingerprint",
        help="verify --anchor: accept an anchor signed by the key with this fingerprint "
        "(SHA256:...) instead of this book's key.",
    ),
    out: Path | None = typer.Option(
        None, "--out", help="anchor: the file to write (recoup-anchor-<time>.json here)."
    ),
    email: str | None = typer.Option(
        None, "--email", help="anchor: also e-mail the file to this address (the owner)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """An account's history, oldest first; `log verify` to check the chain; `log anchor`
    to sign every customer's head with the book's key, kept outside the book.

    `log verify` exits 0 when every chain holds and 1 naming the first entry that was
    changed, removed or reordered, or the book head when a whole history was removed or
    a chain cut short. With `--anchor FILE` it also proves that nothing recorded before
    the anchor was changed, removed or recomputed (1 names the first customer and entry
    that no longer matches, or why the anchor itself is refused).
    """
    st = state(ctx)
    command = None if customer else target if target in ("verify", "anchor") else None
    misplaced = [
        name
        for name, value, used_by in (
            ("--anchor", anchor, "verify"),
            ("--fingerprint", fingerprint, "verify"),
            ("--out", out, "anchor"),
            ("--email", email, "anchor"),
        )
        if value is not None and command != used_by
    ]
    if misplaced:
        err_console.print(f"{misplaced[0]} does not go with `log {target}`")
        raise typer.Exit(EXIT_USAGE)
    if command == "verify":
        log_anchor.verify(st, as_json, anchor, fingerprint)
        return
    if command == "anchor":
        log_anchor.anchor(st, out, email, as_json)
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
        what = text(readable(e.text))  # data: never markup, no control characters
        if e.attachments:
            what.append(plain(f" ({', '.join(a['name'] for a in e.attachments)})"), style="dim")
        table.add_row(str(e.id), e.on, term("entry", e.kind), e.actor, what)
    console.print(table)
