"""Talking to debtors: `recoup dispatch`, `recoup dispatch problems` and
`recoup template list|preview|lint|save|send-test|approve`."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from recoup.cli.context import EXIT_NOT_FOUND, EXIT_REFUSED, EXIT_STOPPED, EXIT_USAGE, state
from recoup.cli.lazy import lazy
from recoup.cli.output import console, err_console, plain, print_json
from recoup.cli.progress import progress_bar
from recoup.clock import local_today
from recoup.clock import now as clock_now
from recoup.domain.words import readable, template_words, term
from recoup.services.errors import NotFoundError

if TYPE_CHECKING:
    from recoup.services import delivery_problems, dispatch, template_gate, templates, users
else:
    delivery_problems = lazy("recoup.services.delivery_problems")
    dispatch = lazy("recoup.services.dispatch")
    template_gate = lazy("recoup.services.template_gate")
    templates = lazy("recoup.services.templates")
    users = lazy("recoup.services.users")

dispatch_app = typer.Typer(
    help="Deliver the outbox (without a subcommand), or list what could not be delivered.",
    invoke_without_command=True,
)

template_app = typer.Typer(
    help="Message templates: list, preview with an account, tone check, save, test send.",
    no_args_is_help=True,
)


@dispatch_app.callback()
def dispatch_command(
    ctx: typer.Context,
    limit: int | None = typer.Option(None, "--limit", min=1, help="Deliver at most this many."),
    now: datetime | None = typer.Option(
        None, "--now", help="The time to act as (tests; default: now).", hidden=True
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Deliver the outbox: emails over SMTP (RECOUP_SMTP_URL) or as .eml files, letters
    as PDF files to print. Safe to run again at any time: nothing is sent twice."""
    if ctx.invoked_subcommand is not None:
        return
    st = state(ctx)
    at = None if now is None else (now if now.tzinfo else now.replace(tzinfo=UTC))
    with progress_bar("delivering the outbox", show=not as_json) as progress:
        result = dispatch.dispatch(
            st.book, now=at, limit=limit, settings=st.settings, progress=progress
        )
    if as_json:
        print_json(result.to_json())
    else:
        console.print(delivery_words(result))
        for waiting in result.waiting[:10]:
            console.print(f"  {waiting['customer']} ({waiting['template']}): {waiting['reason']}")
        if len(result.waiting) > 10:
            console.print(f"  … and {len(result.waiting) - 10} more (--json lists them all)")
    if result.stopped:
        err_console.print(
            f"Delivery stopped early: {result.stopped}. What was not sent is still waiting; "
            "run `recoup dispatch` again later."
        )
        raise typer.Exit(EXIT_STOPPED)


def delivery_words(result: dispatch.DispatchResult) -> str:
    """One line saying what a delivery did."""
    parts = [f"Sent {result.sent}", f"failed {result.failed}", f"still waiting {result.pending}"]
    if result.resent:
        parts.append(f"{result.resent} sent again after an interruption")
    if result.deferred:
        parts.append(f"{result.deferred} put off until the contact rules allow")
    if result.withdrawn:
        parts.append(f"{result.withdrawn} withdrawn (the account changed)")
    if result.rebuilt:
        parts.append(f"{result.rebuilt} rebuilt with the current figures")
    if result.held:
        parts.append(f"{result.held} held until the set-up is complete (see `recoup doctor`)")
    return ", ".join(parts) + "."


@dispatch_app.command("problems")
def problems_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Messages that could not be delivered (failed for good) and those waiting to be
    tried again, newest first: the same list as the worklist's "Delivery problems"."""
    rows = delivery_problems.problems(state(ctx).book)
    if as_json:
        print_json([p.to_json() for p in rows])
        return
    if not rows:
        console.print("No delivery problems.")
        return
    table = Table(title=f"Delivery problems ({len(rows)})")
    for col in ("Customer", "Channel", "Template", "State", "When", "Error"):
        table.add_column(col)
    for p in rows:
        if p.state == "failed":
            when = p.failed_at.strftime("%Y-%m-%d %H:%M UTC") if p.failed_at else ""
        else:
            at = p.next_attempt_at
            when = "retry " + at.strftime("%Y-%m-%d %H:%M UTC") if at else "retry"
        table.add_row(
            f"{p.name} ({p.customer})", term("channel", p.channel),
            template_words(p.template or ""), term("status", p.state), when, readable(p.reason),
        )  # fmt: skip
    console.print(table)


@template_app.command("list")
def list_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """The templates, where each language's text comes from, and tone findings; then the
    texts whose messages are held until an owner signs them off."""
    st = state(ctx)
    rows = templates.list_templates(st.book, st.settings)
    held = template_gate.held_templates(st.book, st.settings)
    if as_json:
        print_json(
            [
                {**r.to_json(), "held": {g.language: g.reason() for g in held if g.name == r.name}}
                for r in rows
            ]
            + [
                {"name": g.name, "held": {g.language: g.reason()}}
                for g in held
                if g.name not in {r.name for r in rows}
            ]
        )
        return
    table = Table(title=f"Templates ({len(rows)})")
    for col in ("Name", "Channel", "Languages", "Findings", "Held", "Purpose"):
        table.add_column(col)
    for r in rows:
        langs = ", ".join(f"{k} ({v})" if v != "built-in" else k for k, v in r.origins.items())
        waiting = ", ".join(g.language for g in held if g.name == r.name)
        table.add_row(
            r.name,
            "letter" if r.letter else "email",
            langs,
            str(r.findings),
            f"HELD: {waiting}" if waiting else "",
            r.purpose,
        )
    console.print(table)
    if not held:
        console.print(
            "No template is held: every text in use passes the tone check or is signed off."
        )
        return
    console.print(
        f"{len(held)} template text{'' if len(held) == 1 else 's'} held: their messages wait "
        "until an owner signs off the version.",
        markup=False,
    )
    for g in held:
        console.print(f"- {g.reason()}", markup=False, highlight=False, soft_wrap=True)


@template_app.command("preview")
def preview_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The template, e.g. overdue-friendly."),
    customer: str | None = typer.Option(None, "--customer", help="Render with this account."),
    language: str | None = typer.Option(None, "--language", help="en, de or fr."),
    html: bool = typer.Option(False, "--html", help="Print the HTML part instead of the text."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """A template rendered with an account's data (the sample account without one),
    with the tone check against that account's figures."""
    st = state(ctx)
    try:
        shown = templates.preview(
            st.book,
            name,
            customer=customer,
            as_of=local_today(),
            settings=st.settings,
            language=language,
        )
    except NotFoundError as err:
        err_console.print(str(err))
        raise typer.Exit(EXIT_NOT_FOUND) from None
    if as_json:
        print_json(shown.to_json())
    elif shown.rendered is None:
        err_console.print(f"{name}: {shown.problem}")
    else:
        console.print(f"Subject: {shown.rendered.subject}\n", markup=False, highlight=False)
        body = shown.rendered.html if html else shown.rendered.text
        console.print(body, markup=False, highlight=False, soft_wrap=True)
        if customer and not shown.data.items:  # the figures above are all zero
            err_console.print(
                f"Note: {customer} has nothing open on {shown.data.as_of}: no run would send "
                "this; the figures above are zero.",
                markup=False,
            )
    for f in shown.findings:
        err_console.print(f.format(f"{shown.language}/{name}.txt"), markup=False)
    if shown.rendered is None or shown.findings:
        raise typer.Exit(EXIT_REFUSED)


@template_app.command("lint")
def lint_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A template file."),
    stage: str | None = typer.Option(None, "--stage", help="Check it for this stage of the plan."),
    customer: str | None = typer.Option(
        None, "--customer", help="Check figures against this account."
    ),
    regulation_f: bool = typer.Option(
        False, "--regulation-f", help="Also check US Regulation F (consumer debt, third party)."
    ),
) -> None:
    """The tone check. Exit 0 when clean; otherwise one line per finding, FILE:line: reason."""
    st = state(ctx)
    book = st.book if (stage or customer) else None
    try:
        findings = templates.lint_file(
            file,
            book,
            stage=stage,
            customer=customer,
            as_of=local_today(),
            regulation_f=regulation_f,
            settings=st.settings,
        )
    except NotFoundError as err:
        err_console.print(str(err))
        raise typer.Exit(EXIT_USAGE) from None
    for f in findings:
        typer.echo(plain(f.format(str(file))))
    if findings:
        raise typer.Exit(EXIT_REFUSED)


@template_app.command("save")
def save_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The template's name."),
    file: Path = typer.Argument(..., exists=True, dir_okay=False),
    language: str = typer.Option("en", "--language", help="en, de or fr."),
    user: str = typer.Option("cli", "--as", help="Who saves it (for the record)."),
) -> None:
    """Use FILE as the template NAME in LANGUAGE (refused when the tone check finds anything)."""
    st = state(ctx)
    try:
        templates.save_template(
            st.book, name, language, file.read_text(encoding="utf-8"), user=user
        )
    except templates.TemplateRefusedError as err:
        for f in err.findings:
            typer.echo(plain(f.format(str(file))))
        raise typer.Exit(EXIT_REFUSED) from None
    except ValueError as err:
        err_console.print(str(err))
        raise typer.Exit(EXIT_USAGE) from None
    console.print(f"Saved {language}/{name}.")


@template_app.command("send-test")
def send_test_command(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    to: str = typer.Option(..., "--to", help="Your own address."),
    customer: str | None = typer.Option(None, "--customer"),
    language: str | None = typer.Option(None, "--language"),
) -> None:
    """Send a template, rendered with an account's data, to yourself, marked [TEST]."""
    st = state(ctx)
    try:
        mid = templates.send_test(
            st.book, name, to=to, settings=st.settings, customer=customer, language=language
        )
    except NotFoundError as err:
        err_console.print(str(err))
        raise typer.Exit(EXIT_NOT_FOUND) from None
    except (ValueError, templates.TemplateProblem) as err:
        err_console.print(str(err))
        raise typer.Exit(EXIT_REFUSED) from None
    console.print(f"Sent {mid} to {to}.")


@template_app.command("approve")
def approve_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The template, e.g. overdue-firm."),
    language: str = typer.Option(..., "--language", help="en, de or fr."),
    actor: str | None = typer.Option(
        None, "--actor", envvar="RECOUP_ACTOR", help="Who signs off (default: your login name)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Sign off the version of a template that the tone check flags, findings and all:
    its messages may then be delivered. Only an owner may (a web user's role counts; on
    the book's own machine, anyone else acts as its owner). Exit 0 done, 1 refused,
    3 no such template."""
    st = state(ctx)
    who = actor or _login_name()
    known = users.get_user(st.book, who)
    role = known.role if known is not None else users.Role.OWNER
    try:
        found = template_gate.approve(
            st.book, name, language, user=who, role=role, at=clock_now(), settings=st.settings
        )
    except template_gate.SignOffRefusedError as err:
        err_console.print(f"Refused: {err}", markup=False)
        raise typer.Exit(EXIT_REFUSED) from None
    except NotFoundError as err:
        err_console.print(str(err), markup=False)
        raise typer.Exit(EXIT_NOT_FOUND) from None
    except ValueError as err:
        err_console.print(str(err), markup=False)
        raise typer.Exit(EXIT_USAGE) from None
    if as_json:
        print_json({**found.to_json(), "signed_by": who if found.findings else None})
    elif found.findings:
        console.print(
            f"Signed off {language}/{name} ({found.origin}, sha256 {found.checksum[:12]}) "
            f"as {who}, with {_findings(len(found.findings))} accepted: its messages may go "
            "out. A changed text is checked again.",
            markup=False,
        )
    else:
        console.print(
            f"Nothing to sign off: {language}/{name} passes the tone check.", markup=False
        )


def _findings(count: int) -> str:
    return f"{count} finding{'' if count == 1 else 's'}"


def _login_name() -> str:
    try:
        return getpass.getuser() or "cli"
    except (KeyError, OSError):
        return "cli"


def register(app: typer.Typer) -> None:
    app.add_typer(dispatch_app, name="dispatch")
    app.add_typer(template_app, name="template")
