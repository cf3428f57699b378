"""`recoup doctor`: what is missing in the set-up, and how to fix it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.text import Text

from recoup.cli.context import EXIT_REFUSED, state
from recoup.cli.lazy import lazy
from recoup.cli.output import console, plain, print_json

if TYPE_CHECKING:
    from recoup.services import doctor
else:
    doctor = lazy("recoup.services.doctor")


def doctor_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """List every gap in the set-up: business details the templates print but are not
    set, the sender address, the mail server, templates that fail the tone check, the
    collection plan, messages waiting because of one of these. Exits 0 when nothing is
    missing, 1 while anything is."""
    st = state(ctx)
    report = doctor.check(st.book, st.settings)
    if as_json:
        print_json(report.to_json())
    else:
        _show(report)
    if not report.ok:
        raise typer.Exit(EXIT_REFUSED)


def _show(report: doctor.Report) -> None:
    if report.ok:
        console.print(
            "[green]Everything is set up.[/] Nothing stops a message from going out.", markup=True
        )
    else:
        count = len(report.gaps)
        console.print(
            f"[bold]Set-up checklist[/]: {count} thing{'s' if count != 1 else ''} to do",
            markup=True,
        )
    for gap in report.gaps:
        console.print()
        console.print(Text.assemble(("✗ ", "bold red"), plain(gap.what)))
        console.print(Text.assemble(("  → ", "bold"), plain(gap.fix)))
    for note in report.notes:
        console.print()
        console.print(Text.assemble(("• ", "bold"), plain(note)))
    console.print(
        f"\nChecked {len(report.templates)} templates in use ({', '.join(report.languages)}).",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor_command)
