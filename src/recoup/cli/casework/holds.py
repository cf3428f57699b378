"""Cease-contact and insolvency holds (`recoup.services.casework.holds`) and the
follow-ups due (`recoup.services.casework.tasks`)."""

from __future__ import annotations

from dataclasses import replace

import typer

from recoup.cli.casework.common import Call, call, changes, day_of, do, holds, tasks
from recoup.cli.casework.options import AsJson, AsOfDay
from recoup.cli.output import console, print_json

hold_app = typer.Typer(help="Cease-contact and insolvency holds.", no_args_is_help=True)


@changes(hold_app, "set")
def hold_set(
    customer: str = typer.Argument(...),
    kind: str = typer.Option(..., "--kind", help="cease_contact or insolvency."),
    note: str = typer.Option("", "--note"),
) -> Call:
    """Record a cease-contact request or an insolvency: all contact stops."""
    return replace(
        call(holds.set_flag, customer, kind, note=note),
        words=lambda d: f"{d['kind']} hold on {customer} since {d['since']}",
    )


@changes(hold_app, "lift")
def hold_lift(
    customer: str = typer.Argument(...),
    kind: str = typer.Option(..., "--kind", help="cease_contact or insolvency."),
    note: str = typer.Option("", "--note"),
) -> Call:
    """Lift a cease-contact or insolvency hold."""
    return replace(
        call(holds.lift_flag, customer, kind, note=note),
        words=lambda d: f"{d['kind']} hold on {customer} lifted on {d['lifted_on']}",
    )


@hold_app.command("show")
def hold_show(
    ctx: typer.Context,
    customer: str = typer.Argument(...),
    as_of: AsOfDay = None,
    as_json: AsJson = False,
) -> None:
    """The holds in force for a customer."""
    found = do(ctx, lambda b: holds.holds_of(b, customer, day_of(as_of)))
    if as_json:
        print_json(
            [
                {
                    "kind": h.kind.value,
                    "until": h.until.isoformat() if h.until else None,
                    "note": h.note,
                    "absolute": h.absolute,
                }
                for h in found
            ]
        )
        return
    for h in found:
        console.print(h.words(), markup=False)
    if not found:
        console.print("No holds.", markup=False)


def followups_command(ctx: typer.Context, as_of: AsOfDay = None, as_json: AsJson = False) -> None:
    """Follow-ups due: broken promises, plans in default, lapsed settlements."""
    found = do(ctx, lambda b: tasks.open_followups(b, day_of(as_of)))
    if as_json:
        print_json([f.to_json() for f in found])
        return
    for f in found:
        console.print(f"{f.due_on} {f.customer} ({f.kind}): {f.text}", markup=False)
