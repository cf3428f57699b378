"""`recoup policy`: show, check and use the collection policy (the plan)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from recoup.cli.context import EXIT_REFUSED, state
from recoup.cli.lazy import lazy
from recoup.cli.output import console, data, err_console, plain, print_json
from recoup.domain.words import count

if TYPE_CHECKING:
    from recoup.services import policy as policy_service
    from recoup.services.policy import PolicyProblem
else:
    policy_service = lazy("recoup.services.policy")

policy_app = typer.Typer(
    help="The collection policy: stages, contact rules, fees, authority, escalation.",
    no_args_is_help=True,
)


def _print_problems(problems: list[PolicyProblem] | tuple[PolicyProblem, ...]) -> None:
    for problem in problems:
        print(
            plain(problem), file=sys.stderr
        )  # one problem a line, never wrapped: tools read these


@policy_app.command("show")
def show_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(
        False, "--json", help="Print the parsed policy and its version as JSON."
    ),
) -> None:
    """Print the active policy as written (version 0 is the built-in default)."""
    try:
        shown = policy_service.show_policy(state(ctx).book)
    except policy_service.StoredPolicyError as err:
        _print_problems(err.problems)
        raise typer.Exit(EXIT_REFUSED) from None
    if as_json:
        print_json(shown.to_json())
        return
    what = "the built-in default" if shown.built_in else f"version {shown.version}"
    err_console.print(f"Active policy: {what}, {plain(repr(shown.name))}")
    sys.stdout.write(shown.text if shown.text.endswith("\n") else shown.text + "\n")


@policy_app.command("check")
def check_command(
    file: Path = typer.Argument(..., help="A policy file (TOML).", dir_okay=False),
    as_json: bool = typer.Option(False, "--json", help="Print the problems as JSON."),
) -> None:
    """Check a policy file: one `file:line:column: message` line per problem."""
    problems = policy_service.check_policy_file(file)
    if as_json:
        print_json(
            {"file": str(file), "ok": not problems, "problems": [p.to_json() for p in problems]}
        )
    elif problems:
        _print_problems(problems)
        err_console.print(
            f"[red]{count(len(problems), 'problem')}[/] in {data(str(file))}", markup=True
        )
    else:
        console.print(f"{plain(str(file))}: the policy is fine")
    if problems:
        raise typer.Exit(EXIT_REFUSED)


@policy_app.command("use")
def use_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A policy file (TOML).", dir_okay=False),
    as_json: bool = typer.Option(False, "--json", help="Print the version as JSON."),
) -> None:
    """Check a policy file and make it the active policy (older versions are kept)."""
    try:
        used = policy_service.use_policy_file(state(ctx).book, file)
    except policy_service.PolicyRefusedError as err:
        if as_json:
            print_json(
                {"file": str(file), "ok": False, "problems": [p.to_json() for p in err.problems]}
            )
        else:
            _print_problems(err.problems)
            err_console.print(
                f"[red]Refused:[/] {count(len(err.problems), 'problem')} in {data(str(file))}; "
                "the active policy is unchanged.",
                markup=True,
            )
        raise typer.Exit(EXIT_REFUSED) from None
    if as_json:
        print_json(used.to_json())
        return
    if used.created:
        console.print(f"Policy version {used.version} ({plain(repr(used.name))}) is now active.")
    elif used.was_active:
        console.print(
            f"Policy version {used.version} ({plain(repr(used.name))}) is already active."
        )
    else:
        console.print(
            f"Same text as version {used.version} ({plain(repr(used.name))}); it is active again."
        )


@policy_app.command("versions")
def versions_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the versions as JSON."),
) -> None:
    """List the stored policy versions, newest first."""
    versions = policy_service.list_policy_versions(state(ctx).book)
    if as_json:
        print_json([v.to_json() for v in versions])
        return
    if not versions:
        console.print("No policy stored yet: the built-in default (version 0) is active.")
        return
    table = Table(title="Policy versions")
    for col in ("Version", "Name", "Stored", "Active", "Checksum"):
        table.add_column(col)
    for v in versions:
        table.add_row(
            str(v.version),
            plain(v.name),
            v.created_at.strftime("%Y-%m-%d %H:%M"),
            "yes" if v.active else "",
            v.checksum[:12],
        )
    console.print(table)
