"""Commands that set things up: init, user, generate, demo, serve."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.table import Table

from recoup.cli.as_of import as_of_option
from recoup.cli.context import EXIT_USAGE, State, state
from recoup.cli.lazy import lazy
from recoup.cli.output import console, day, err_console, money, print_json
from recoup.clock import local_today
from recoup.clock import now as clock_now
from recoup.domain.roles import Role
from recoup.domain.words import count

if TYPE_CHECKING:
    from recoup.services import book as book_service
    from recoup.services import business_details, demo_bank, demo_book, reports, sessions, users
    from recoup.services import demo as demo_service
    from recoup.services.bank_import import BankImportReport
else:
    book_service = lazy("recoup.services.book")
    business_details = lazy("recoup.services.business_details")
    demo_book = lazy("recoup.services.demo_book")
    reports = lazy("recoup.services.reports")
    sessions = lazy("recoup.services.sessions")
    users = lazy("recoup.services.users")
    demo_service = lazy("recoup.services.demo")
    demo_bank = lazy("recoup.services.demo_bank")

user_app = typer.Typer(
    help="Web users: add, list, password, disable, enable, signout.", no_args_is_help=True
)

DEMO_USERS = (
    ("owner", "owner-demo", Role.OWNER),
    ("collector", "collector-demo", Role.COLLECTOR),
    ("viewer", "viewer-demo", Role.VIEWER),
)


def init_command(ctx: typer.Context) -> None:
    """Create the book (or bring its schema up to date)."""
    book = state(ctx).open_book(create=True, named=False)
    console.print(f"Book ready: {book.where}", markup=False, highlight=False, soft_wrap=True)


def _ask_password(prompt: str) -> str:
    """Asked for at a terminal without echo; piped in (`echo pw | recoup user add ...`),
    the first line of the input, without the warning getpass gives when it cannot hide
    what is typed."""
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    return (sys.stdin.readline() if sys.stdin is not None else "").rstrip("\r\n")


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: str = typer.Argument(...),
    role: Role = typer.Option(Role.VIEWER, "--role", help="owner, collector or viewer."),
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
        password = _ask_password("Password: ")
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
        password = _ask_password("New password: ")
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
            f"Generated {count(report.customers, 'customer')}, "
            f"{count(report.invoices, 'invoice')} and {count(report.payments, 'payment')}."
        )


def demo_command(
    ctx: typer.Context,
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the web UI afterwards."),
    port: int = typer.Option(8000, "--port", envvar="RECOUP_PORT", help="The web UI's port."),
    fresh: bool | None = typer.Option(
        None,
        "--fresh/--keep",
        help="--fresh: replace the book even when it holds data the demo did not make; "
        "--keep: go on with the demo book that is there. Without either, a demo book (or "
        "an empty one) is made anew and any other book is left alone.",
    ),
) -> None:
    """Make the demo book where every command finds it (recoup.db here, or --db), print
    its aging and largest overdue accounts, play the plan's last four weeks, and start
    the web UI."""
    st = state(ctx)
    if serve:  # before a minute of work, not after
        _check_port("127.0.0.1", port, "recoup demo --port 8001` or `make demo PORT=8001")
    _make_room_for_demo(st.settings.database_url, fresh)
    book = st.open_book(create=True)
    today = local_today()
    if not users.list_users(book):
        gen = demo_service.make(300, 3000, 7, today)
        demo_service.write_book(book, gen)
        demo_service.write_business(book)  # the demo book carries its business details
        for name, password, role in DEMO_USERS:
            users.add_user(book, name, password, role)
        demo_book.mark(book, finished=False)  # the next demo may replace it
    business_details.apply(st.settings, book)
    _print_overview(st, today)
    # the plan's last four weeks, day by day, with a collector working the largest
    # accounts, so that the worklist, the histories and the outbox have something to show
    with console.status("running the collection plan day by day, delivering each day"):
        delivered = demo_service.Deliveries(book, st.settings, clock_now())
        statement: list[tuple[Path, BankImportReport] | None] = []
        played = demo_service.play(
            book,
            today,
            deliver=delivered.day,
            money_in=lambda day, worked: statement.append(demo_bank.money_in(book, day, worked)),
            payments_arrive=True,
        )
    demo_book.mark(book)  # what it holds now: anything added later is the user's
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
    console.print(
        f"Delivered each day (to {delivered.folder}): {delivered.sent} sent, "
        f"{delivered.withdrawn} withdrawn because the account changed, {delivered.waiting} "
        "still waiting for the customer's contact hours or days (`recoup dispatch --json` "
        "says why)."
    )
    if statement and statement[0] is not None:
        path, got = statement[0]
        console.print(
            f"Money in: today's bank statement ({path}) imported: {got.lines} lines, "
            f"{got.applied} applied to their invoices by themselves, {got.suggested} with "
            f"suggestions and {got.unmatched - got.not_payments} unmatched waiting for a "
            "person on the Bank page (`recoup bank queue`), "
            f"{count(got.not_payments, 'line')} of money out or fees, not a customer's payment."
        )
    given = "" if st.settings.database_url == "recoup.db" else f"--db {st.settings.database_url} "
    console.print(
        f"The demo book is {book.where}: `recoup {given}aging`, `recoup {given}worklist` and "
        "the other commands read it when run in this folder."
    )
    if serve:
        _check_port("127.0.0.1", port, "recoup demo --port 8001` or `make demo PORT=8001")
        console.print(
            f"\nOpen http://127.0.0.1:{port}/ and log in as [bold]owner[/] / owner-demo "
            "(also collector / collector-demo, viewer / viewer-demo). Ctrl-C stops it.",
            markup=True,
        )
        _serve(st, "127.0.0.1", port)


def _make_room_for_demo(target: str, fresh: bool | None) -> None:
    """Clear the demo's place: a demo book or an empty one is replaced (unless --keep),
    a book with other data only with --fresh; nothing that is not a book is touched."""
    where = book_service.where(target)
    try:
        found = demo_book.found_at(target)
    except book_service.BookError as err:
        _usage_error(f"{err}; the demo leaves it alone")
    Found = demo_book.Found  # noqa: N806 - the enum
    if found is Found.NOTHING or found is Found.EMPTY:
        return
    if found is Found.DEMO and fresh is False:
        return  # --keep
    if found is Found.DATA and not fresh:
        _usage_error(
            f"{where} is a book with data the demo did not make; the demo leaves it alone. "
            "Run the demo in another folder, name another book (`recoup --db demo.db "
            "demo`), or replace this one with `recoup demo --fresh`."
        )
    if demo_book.remove(target):
        return
    if found is Found.DATA:  # on a database server: not dropped by the demo
        _usage_error(
            f"the demo replaces only SQLite files; {where} holds a book: give the demo an "
            "empty database, or a file (`recoup --db demo.db demo`)"
        )
    # a demo book on a database server: the demo goes on with it


def _usage_error(message: str) -> NoReturn:
    err_console.print(f"Error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_USAGE)


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


def _check_port(host: str, port: int, instead: str) -> None:
    """A clear stop (exit 2) when the web UI could not listen on host:port."""
    reason = _cannot_listen(host, port)
    if reason:
        _usage_error(
            f"cannot serve the web UI on {host}:{port}: {reason} (another `recoup serve` "
            f"or `make demo`?). Choose another port: `{instead}`."
        )


def _cannot_listen(host: str, port: int) -> str | None:
    """Why nothing could listen on host:port now, or None when something could."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (OSError, OverflowError) as err:
        return str(getattr(err, "strerror", None) or err)
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind(address)
        except OSError as err:
            return (err.strerror or str(err)).lower()
    return None


def _serve(st: State, host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    # The app is named by its import path: the CLI does not import the web package.
    os.environ["RECOUP_DATABASE_URL"] = st.settings.database_url
    os.environ["RECOUP_LOCALE"] = st.settings.locale
    if st.settings.now:  # every page served at the moment `recoup --now` gave
        os.environ["RECOUP_NOW"] = st.settings.now
    shared = None
    if workers > 1 and not os.environ.get("RECOUP_UPLOAD_DIR"):
        import tempfile

        # the processes share one folder for uploads between an import's steps
        shared = tempfile.mkdtemp(prefix="recoup-uploads-")
        os.environ["RECOUP_UPLOAD_DIR"] = shared
    try:
        uvicorn.run(
            "recoup.web.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
        )
    except SystemExit as stop:  # uvicorn exits 1 when it cannot listen or load the app
        if stop.code not in (0, None):
            _usage_error(f"the web UI could not start on {host}:{port} (see above)")
        raise
    finally:
        if shared is not None:
            import shutil

            shutil.rmtree(shared, ignore_errors=True)
            os.environ.pop("RECOUP_UPLOAD_DIR", None)


def serve_command(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", envvar="RECOUP_HOST"),
    port: int = typer.Option(8000, "--port", envvar="RECOUP_PORT"),
    workers: int = typer.Option(
        1,
        "--workers",
        envvar="RECOUP_WEB_WORKERS",
        min=1,
        help="Web processes answering at once: one per core serves a team on a large book "
        "(each keeps its own count of login attempts; see docs/architecture.md).",
    ),
) -> None:
    """Start the web UI."""
    st = state(ctx)
    st.book  # noqa: B018 - the book must be there (and up to date) before serving
    _check_port(host, port, f"recoup serve --port {port + 1}")
    _serve(st, host, port, workers)


def register(app: typer.Typer) -> None:
    app.command("init")(init_command)
    app.add_typer(user_app, name="user")
    app.command("generate")(generate_command)
    app.command("demo")(demo_command)
    app.command("serve")(serve_command)
