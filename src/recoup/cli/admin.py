"""Commands that set things up: init, user, generate, demo, serve."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import typer
from rich.table import Table

from recoup.cli.books import as_of_option
from recoup.cli.context import EXIT_USAGE, State, state
from recoup.cli.output import console, day, err_console, money, print_json
from recoup.clock import local_today
from recoup.services import business_details, reports, sessions, users
from recoup.services import demo as demo_service
from recoup.services.book import Book

user_app = typer.Typer(
    help="Web users: add, list, password, disable, enable, signout.", no_args_is_help=True
)

DEMO_USERS = (
    ("owner", "owner-demo", users.Role.OWNER),
    ("collector", "collector-demo", users.Role.COLLECTOR),
    ("viewer", "viewer-demo", users.Role.VIEWER),
)


def init_command(ctx: typer.Context) -> None:
    """Create the book (or bring its schema up to date)."""
    st = state(ctx)
    st.book  # noqa: B018 - opening the book creates and migrates it
    console.print(f"Book ready: {st.book.url}")


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    role: users.Role = typer.Option(
        users.Role.VIEWER, "--role", help="owner, collector or viewer."
    ),
    password: str | None = typer.Option(
        None,
        "--password",
        envvar="RECOUP_NEW_PASSWORD",
        help="The password (asked for when not given).",
    ),
    replace: bool = typer.Option(False, "--replace", help="Change an existing user."),
) -> None:
    """Add a user who can log in to the web UI."""
    if password is None:
        password = getpass.getpass("Password: ")
    try:
        user = users.add_user(state(ctx).book, username, password, role, replace=replace)
    except users.UserError as err:
        err_console.print(str(err))
        raise typer.Exit(EXIT_USAGE) from None
    console.print(f"User {user.username} ({user.role.value}) saved.")


@user_app.command("list")
def user_list(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """List the web users and their roles."""
    found = users.list_users(state(ctx).book)
    if as_json:
        print_json(
            [{"username": u.username, "role": u.role.value, "disabled": u.disabled} for u in found]
        )
        return
    for u in found:
        console.print(f"{u.username}\t{u.role.value}" + ("\tdisabled" if u.disabled else ""))


def _user_change(change: Callable[[], str]) -> None:
    try:
        console.print(change())
    except users.UserError as err:
        err_console.print(str(err))
        raise typer.Exit(EXIT_USAGE) from None


@user_app.command("password")
def user_password(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    password: str | None = typer.Option(
        None,
        "--password",
        envvar="RECOUP_NEW_PASSWORD",
        help="The new password (asked for when not given).",
    ),
) -> None:
    """Give a user a new password; every session of theirs ends."""
    if password is None:
        password = getpass.getpass("New password: ")
    new = password
    book = state(ctx).book
    _user_change(
        lambda: (
            f"Password of {username} changed; "
            f"{users.set_password(book, username, new)} session(s) ended."
        )
    )


@user_app.command("disable")
def user_disable(ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Stop a user from logging in; every session of theirs ends at once."""
    book = state(ctx).book
    _user_change(
        lambda: f"{username} disabled; {users.set_disabled(book, username, True)} session(s) ended."
    )


@user_app.command("enable")
def user_enable(ctx: typer.Context, username: str = typer.Argument(...)) -> None:
    """Let a disabled user log in again."""
    book = state(ctx).book

    def enable() -> str:
        users.set_disabled(book, username, False)
        return f"{username} may log in again."

    _user_change(enable)


@user_app.command("signout")
def user_signout(
    ctx: typer.Context,
    username: str | None = typer.Argument(None, help="The user; leave out with --all."),
    everyone: bool = typer.Option(False, "--all", help="Every user's sessions."),
) -> None:
    """End a user's web sessions on every browser (or everyone's, with --all)."""
    if (username is None) == (not everyone):
        err_console.print("name a user, or give --all")
        raise typer.Exit(EXIT_USAGE)
    book = state(ctx).book
    if everyone:
        _user_change(lambda: f"{sessions.end_for_everyone(book)} session(s) ended.")
    else:
        name = str(username)
        _user_change(lambda: f"{sessions.end_for_user(book, name)} session(s) of {name} ended.")


def _date(value: datetime | date | None) -> date:
    if value is None:
        return local_today()
    return value.date() if isinstance(value, datetime) else value


def generate_command(
    ctx: typer.Context,
    customers: int = typer.Option(300, "--customers", min=1),
    invoices: int = typer.Option(3000, "--invoices", min=1),
    seed: int = typer.Option(1, "--seed"),
    as_of: datetime | None = as_of_option(),
    currency: str = typer.Option(
        "USD", "--currency", help="Bill everyone in this currency, or 'by-country'."
    ),
    csv: Path | None = typer.Option(
        None,
        "--csv",
        help="Write customers.csv, invoices.csv and payments.csv to this folder "
        "instead of the book.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Make a realistic demo book: reliable payers, evaders, jugglers and the troubled."""
    if invoices < customers:
        err_console.print("--invoices must be at least --customers")
        raise typer.Exit(EXIT_USAGE)
    gen = demo_service.make(
        customers,
        invoices,
        seed,
        _date(as_of),
        None if currency == "by-country" else currency.upper(),
    )
    if csv is not None:
        paths = demo_service.write_csv(gen, csv)
        if as_json:
            print_json({"files": [str(p) for p in paths]})
        else:
            console.print("Wrote " + ", ".join(str(p) for p in paths))
        return
    with console.status("writing the book") as status:
        report = demo_service.write_book(
            state(ctx).book, gen, lambda step: status.update(f"writing {step}")
        )
    if as_json:
        print_json(report.to_json())
    else:
        console.print(
            f"Generated {report.customers} customers, {report.invoices} invoices and "
            f"{report.payments} payments."
        )


def demo_command(
    ctx: typer.Context,
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the web UI afterwards."),
    port: int = typer.Option(8000, "--port"),
    fresh: bool = typer.Option(True, "--fresh/--keep", help="Start from a new demo book."),
) -> None:
    """Make a demo book, print its aging and largest overdue accounts, run the daily run,
    and start the web UI."""
    st = state(ctx)
    path = st.settings.database_url
    if "://" not in path and path == "recoup.db":
        path = "recoup-demo.db"
        st.settings.database_url = path
    if fresh and "://" not in path:
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    book = Book.open(path)
    st._book = book
    today = local_today()
    if not users.list_users(book):
        gen = demo_service.make(300, 3000, 7, today)
        demo_service.write_book(book, gen)
        demo_service.write_business(book)  # the demo book carries its business details
        for name, password, role in DEMO_USERS:
            users.add_user(book, name, password, role)
    business_details.apply(st.settings, book)
    _print_overview(st, today)
    # the plan's last four weeks, day by day, with a collector working the largest
    # accounts, so that the worklist, the histories and the outbox have something to show
    with console.status("running the collection plan day by day"):
        played = demo_service.play(book, today)
    for line in played.casework:
        console.print(f"  collector: {line}")
    if played.first_contacts:
        opened = ", ".join(f"{n} {stage}" for stage, n in sorted(played.first_contacts.items()))
        console.print(
            f"  first contacts: {opened}; {played.opened_gently} of these accounts were "
            "already past the final notice's day and got a gentle first contact instead "
            '(onboarding = "gentle" in the plan)'
        )
    console.print(
        f"\nDaily runs of the last four weeks recorded {played.recorded} actions; today "
        f"{played.waiting} wait for the contact rules or a hold. See `recoup worklist` and "
        "`recoup outbox`."
    )
    if serve:
        console.print(
            f"\nOpen http://127.0.0.1:{port}/ and log in as [bold]owner[/] / owner-demo "
            "(also collector / collector-demo, viewer / viewer-demo). Ctrl-C stops it."
        )
        _serve(st, "127.0.0.1", port)


def _print_overview(st: State, today: date) -> None:
    loc = st.settings.locale
    report = reports.aging(st.book, today)
    for cur in report.currencies:
        table = Table(title=f"Aging at {day(today, loc)} ({cur.currency})")
        table.add_column("Days past due")
        table.add_column("Invoices", justify="right")
        table.add_column("Open amount", justify="right")
        for b in cur.buckets:
            table.add_row(b.label, str(b.count), money(b.amount, loc))
        table.add_row("total", str(sum(b.count for b in cur.buckets)), money(cur.total, loc))
        console.print(table)
    top = reports.top_overdue(st.book, today, 10)
    table = Table(title="Largest overdue accounts")
    for col in ("Customer", "Name", "Overdue", "Invoices", "Oldest due"):
        table.add_column(col)
    for row in top:
        table.add_row(
            row.customer,
            row.name,
            money(row.overdue, loc),
            str(row.count),
            day(row.oldest_due, loc),
        )
    console.print(table)


def _serve(st: State, host: str, port: int) -> None:
    import uvicorn

    # The app is named by its import path: the CLI does not import the web package.
    os.environ["RECOUP_DATABASE_URL"] = st.settings.database_url
    os.environ["RECOUP_LOCALE"] = st.settings.locale
    if st.settings.now:  # every page served at the moment `recoup --now` gave
        os.environ["RECOUP_NOW"] = st.settings.now
    uvicorn.run(
        "recoup.web.app:app_from_environment", factory=True, host=host, port=port, log_level="info"
    )


def serve_command(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", envvar="RECOUP_HOST"),
    port: int = typer.Option(8000, "--port", envvar="RECOUP_PORT"),
) -> None:
    """Start the web UI."""
    st = state(ctx)
    st.book  # noqa: B018 - create and migrate before serving
    _serve(st, host, port)


def register(app: typer.Typer) -> None:
    app.command("init")(init_command)
    app.add_typer(user_app, name="user")
    app.command("generate")(generate_command)
    app.command("demo")(demo_command)
    app.command("serve")(serve_command)
