"""`recoup assign`: who works which account.

    recoup assign rule add --to anna --currency EUR --at-least 10000 --country DE
    recoup assign rule list | remove N | move N M
    recoup assign apply
    recoup assign C000042 --to anna        # by hand (also: assign customer C000042 ...)
    recoup assign C000042 --rules          # back to the rules
    recoup assign list [--collector anna | --unassigned]

The rules live in the book (`recoup.services.assignments` says why, and how they apply).
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from recoup.cli.context import EXIT_NOT_FOUND, EXIT_USAGE, state
from recoup.cli.lazy import lazy
from recoup.cli.output import console, err_console, money, print_json

if TYPE_CHECKING:
    from typer import _click as click

    from recoup.domain import assignment as rules_domain
    from recoup.services import assignments
else:
    assignments = lazy("recoup.services.assignments")
    rules_domain = lazy("recoup.domain.assignment")


class _AssignGroup(TyperGroup):
    """`recoup assign CUSTOMER ...` is `recoup assign customer CUSTOMER ...`: a first
    word that is no subcommand names a customer."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["customer", *args]
        return super().parse_args(ctx, args)


assign_app = typer.Typer(
    cls=_AssignGroup,
    help="Who works which account: rules (first match wins), apply them, or assign by "
    "hand: `recoup assign CUSTOMER --to USER`.",
    no_args_is_help=True,
)
rule_app = typer.Typer(
    help="The assignment rules, in the order they are tried.", no_args_is_help=True
)
assign_app.add_typer(rule_app, name="rule")


def _actor(value: str | None) -> str:
    if value:
        return value
    try:
        return getpass.getuser() or "cli"
    except (KeyError, OSError):
        return "cli"


def _actor_option() -> Any:
    return typer.Option(
        None, "--actor", envvar="RECOUP_ACTOR", help="Who does it (default: your login name)."
    )


def _json_option() -> Any:
    return typer.Option(False, "--json", help="Print the result as JSON.")


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except assignments.UnknownCustomerError as err:
        err_console.print(str(err))
        raise typer.Exit(EXIT_NOT_FOUND) from None
    except (assignments.AssignmentError, rules_domain.RuleError) as err:
        err_console.print(f"Error: {err}")
        raise typer.Exit(EXIT_USAGE) from None


def _conditions(view: Any, locale: str) -> str:
    r = view.rule
    parts = []
    if r.currency:
        parts.append(f"in {r.currency}")
    if r.at_least is not None:
        parts.append(f"balance at least {money(r.amount(r.at_least), locale)}")
    if r.below is not None:
        parts.append(f"balance below {money(r.amount(r.below), locale)}")
    if r.tag:
        parts.append(f"tagged {r.tag}")
    if r.country:
        parts.append(f"in country {r.country}")
    return ", ".join(parts) or "every account"


def _print_rules(ctx: typer.Context, views: list[Any]) -> None:
    locale = state(ctx).settings.locale
    if not views:
        console.print("No assignment rules yet: `recoup assign rule add --to USER ...`.")
        return
    table = Table(title="Assignment rules (the first that matches wins)")
    for col in ("#", "Collector", "Conditions", "Accounts now"):
        table.add_column(col)
    for v in views:
        who = v.rule.collector + ("" if v.usable else " (passed over: disabled or not a collector)")
        table.add_row(str(v.position), who, _conditions(v, locale), str(v.accounts))
    console.print(table)


@rule_app.command("add")
def rule_add(
    ctx: typer.Context,
    to: str = typer.Option(..., "--to", help="The collector (a user) it assigns to."),
    currency: str | None = typer.Option(
        None, "--currency", help="Accounts with something open in this currency."
    ),
    at_least: Decimal | None = typer.Option(
        None, "--at-least", help="... whose open balance in --currency is at least this."
    ),
    below: Decimal | None = typer.Option(
        None, "--below", help="... whose open balance in --currency is below this."
    ),
    tag: str | None = typer.Option(None, "--tag", help="Customers with this tag."),
    country: str | None = typer.Option(None, "--country", help="Customers in this country."),
    position: int | None = typer.Option(
        None, "--position", min=1, help="Its place in the list (default: the end)."
    ),
    actor: str | None = _actor_option(),
    as_json: bool = _json_option(),
) -> None:
    """Add a rule. It assigns accounts when the rules are applied (`recoup assign apply`)
    and, for accounts without a collector, at each daily run."""
    with _refusals():
        rule = rules_domain.make_rule(
            to, currency=currency, at_least=at_least, below=below, tag=tag, country=country
        )
        view = assignments.add_rule(state(ctx).book, rule, _actor(actor), position)
    if as_json:
        print_json(view.to_json())
        return
    console.print(
        f"Rule {view.position} added: {_conditions(view, state(ctx).settings.locale)} "
        f"-> {view.rule.collector}. `recoup assign apply` applies the rules now."
    )


@rule_app.command("list")
def rule_list(ctx: typer.Context, as_json: bool = _json_option()) -> None:
    """The rules in the order they are tried, with how many accounts each holds."""
    views = assignments.list_rules(state(ctx).book)
    if as_json:
        print_json([v.to_json() for v in views])
        return
    _print_rules(ctx, views)


@rule_app.command("remove")
def rule_remove(
    ctx: typer.Context, number: int = typer.Argument(..., help="Its number in `rule list`.")
) -> None:
    """Remove a rule. The accounts it assigned keep their collector until the rules are
    applied again."""
    book = state(ctx).book
    with _refusals():
        view = assignments.rule_at(book, number)
        assignments.remove_rule(book, view.id)
    console.print(f"Rule {number} removed; `recoup assign apply` re-applies the rules.")


@rule_app.command("move")
def rule_move(
    ctx: typer.Context,
    number: int = typer.Argument(..., help="Its number in `rule list`."),
    to: int = typer.Argument(..., min=1, help="Its new number."),
) -> None:
    """Move a rule to another place in the list."""
    book = state(ctx).book
    with _refusals():
        view = assignments.rule_at(book, number)
        assignments.move_rule(book, view.id, to)
    _print_rules(ctx, assignments.list_rules(book))


@assign_app.command("apply")
def apply_command(
    ctx: typer.Context, actor: str | None = _actor_option(), as_json: bool = _json_option()
) -> None:
    """Apply the rules to every account with something open that was not assigned by
    hand."""
    done = assignments.apply_rules(state(ctx).book, _actor(actor))
    if as_json:
        print_json(done.to_json())
        return
    console.print(
        f"Rules applied to {done.looked_at} accounts: {done.assigned} assigned, "
        f"{done.moved} moved to another collector, {done.unchanged} unchanged, "
        f"{done.unassigned} unassigned (no rule matches now), {done.unmatched} still "
        f"without a collector, {done.by_hand} assigned by hand left as they are."
    )


@assign_app.command("customer")
def customer_command(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    to: str | None = typer.Option(None, "--to", help="The collector who works it from now on."),
    by_rules: bool = typer.Option(False, "--rules", help="Give it back to the rules."),
    actor: str | None = _actor_option(),
    as_json: bool = _json_option(),
) -> None:
    """Assign one customer by hand (the rules leave it alone), or give it back to the
    rules. `recoup assign CUSTOMER --to USER` is the same."""
    if (to is None) == (not by_rules):
        err_console.print("Error: give --to USER or --rules")
        raise typer.Exit(EXIT_USAGE)
    book = state(ctx).book
    result: dict[str, str | None]
    with _refusals():
        if to is not None:
            assignments.assign_by_hand(book, customer, to, _actor(actor))
            result = {"customer": customer, "collector": to, "how": "hand"}
            said = f"{customer} is assigned to {to} by hand."
        else:
            got = assignments.return_to_rules(book, customer, _actor(actor))
            result = {"customer": customer, "collector": got, "how": "rule" if got else None}
            said = f"{customer} follows the rules: " + (
                f"assigned to {got}." if got else "no rule matches it; it has no collector."
            )
    if as_json:
        print_json(result)
    else:
        console.print(said)


@assign_app.command("list")
def list_command(
    ctx: typer.Context,
    collector: str | None = typer.Option(None, "--collector", help="This user's accounts."),
    unassigned: bool = typer.Option(
        False, "--unassigned", help="Accounts without a collector (with --collector: also)."
    ),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many."),
    as_json: bool = _json_option(),
) -> None:
    """The accounts with something open, by customer id, with their collector."""
    page = assignments.account_page(
        state(ctx).book, collector=collector, unassigned=unassigned, per_page=limit
    )
    if as_json:
        print_json({"total": page.total, "accounts": [r.to_json() for r in page.rows]})
        return
    locale = state(ctx).settings.locale
    table = Table(title=f"Accounts ({len(page.rows)} of {page.total})")
    for col in ("Customer", "Name", "Open", "Collector", "How"):
        table.add_column(col)
    for r in page.rows:
        how = (
            "by hand"
            if r.how == "hand"
            else f"rule {r.rule_position}"
            if r.rule_position
            else "by a rule since removed"
            if r.how == "rule"
            else ""
        )
        table.add_row(
            r.key,
            r.name,
            ", ".join(money(m, locale) for m in r.balances),
            r.collector or "—",
            how,
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(assign_app, name="assign")
