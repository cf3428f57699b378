"""The daily run and what it produces: run, explain, outbox, worklist."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from recoup import i18n
from recoup.cli.as_of import as_of_option
from recoup.cli.context import EXIT_NOT_FOUND, EXIT_STOPPED, EXIT_USAGE, state
from recoup.cli.lazy import lazy
from recoup.cli.messages import delivery_words
from recoup.cli.output import console, data, day, err_console, money, print_json
from recoup.cli.progress import progress_bar
from recoup.clock import local_today
from recoup.domain.money import Money
from recoup.domain.words import count, readable, stage_words, template_words, term
from recoup.i18n import gettext as _
from recoup.i18n import ngettext

if TYPE_CHECKING:
    from recoup.services import dispatch, worklist_pages
    from recoup.services import run as daily_run
    from recoup.services import worklist as worklists
else:
    daily_run = lazy("recoup.services.run")
    dispatch = lazy("recoup.services.dispatch")
    worklists = lazy("recoup.services.worklist")
    worklist_pages = lazy("recoup.services.worklist_pages")


def _day(value: datetime | date | None) -> date:
    if value is None:
        return local_today()
    return value.date() if isinstance(value, datetime) else value


def run_command(
    ctx: typer.Context,
    as_of: datetime | None = as_of_option(),
    dry_run: bool = typer.Option(False, "--dry-run", help="Plan, show, record nothing."),
    full: bool = typer.Option(
        False,
        "--full",
        help="Look at every account, not only those due for a look (after a policy change).",
    ),
    deliver: bool = typer.Option(
        True,
        "--dispatch/--no-dispatch",
        help="Deliver the outbox as the last step (as `recoup dispatch` does).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """The daily run: review promises and plans, decide today's reminders, letters,
    calls, fees and interest, record them, then deliver the outbox."""
    st = state(ctx)
    on = _day(as_of)
    loc = st.settings.locale
    if as_json:
        report = daily_run.run(
            st.book, on, dry_run=dry_run, full=full, batch_size=st.settings.run_batch
        )
        out = report.to_json()
        if deliver and not dry_run:
            out["delivery"] = dispatch.dispatch(st.book, settings=st.settings).to_json()
        print_json(out)
        return
    with progress_bar("looking at the accounts") as progress:
        report = daily_run.run(
            st.book,
            on,
            dry_run=dry_run,
            full=full,
            progress=progress,
            batch_size=st.settings.run_batch,
        )
    verb = "would record" if dry_run else "recorded"
    console.print(
        f"Run for {day(on, loc)} (policy version {report.policy_version}): looked at "
        f"{count(report.reviewed, 'account')}, {verb} "
        f"{count(len(report.actions), 'action')}, {len(report.skipped)} waiting."
    )
    if report.actions:
        table = Table()
        for col in ("Customer", "Kind", "Stage", "Amount", "Template"):
            table.add_column(col, no_wrap=col in ("Customer", "Amount"))
        for a in report.actions[:50]:
            table.add_row(
                a["customer"],
                term("action", a["kind"]),
                stage_words(a["stage"]),
                money(Money.of(a["amount"], a["currency"]), loc),
                template_words(a["template"] or ""),
            )
        console.print(table)
    if deliver and not dry_run:
        with progress_bar("delivering the outbox") as progress:
            result = dispatch.dispatch(st.book, settings=st.settings, progress=progress)
        console.print(f"Delivery: {delivery_words(result)}")
        if result.stopped:
            err_console.print(
                f"Delivery stopped early: {result.stopped}; run `recoup dispatch` later."
            )
            raise typer.Exit(EXIT_STOPPED)


def figures(text: str, locale: str) -> str:
    """`text`'s amounts and days as the pages write them (`recoup.text_figures`)."""
    from recoup.text_figures import figures_text  # Babel: when something is shown

    return figures_text(text, locale)


def explain_command(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    as_of: datetime | None = as_of_option(),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Why each action was or was not taken for a customer, in plain words."""
    try:
        result = daily_run.explain(state(ctx).book, customer, _day(as_of))
    except daily_run.UnknownCustomerError as err:
        err_console.print(str(err))
        raise typer.Exit(EXIT_NOT_FOUND) from None
    if as_json:
        print_json(result.to_json())
        return
    loc = state(ctx).settings.locale
    heading = _("%(customer)s on %(day)s (policy version %(version)s)") % {
        "customer": f"[bold]{data(result.customer)}[/]",
        "day": day(result.as_of, loc),
        "version": result.policy_version,
    }
    console.print(heading, markup=True)
    said = {
        "notes": "",
        "done_this_cycle": _("done: "),
        "would_do": _("today: "),
        "waiting": _("waiting: "),
        "upcoming": _("next: "),
    }
    for case in result.cases:
        for part, label in said.items():
            for line in case[part]:  # amounts and days as the pages show them
                console.print(f"  {label}{figures(readable(line), loc)}")


def outbox_command(
    ctx: typer.Context,
    pending: bool = typer.Option(False, "--pending", help="Only messages not yet sent."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Messages the runs have put out for delivery."""
    st = state(ctx)
    loc = st.settings.locale
    rows = daily_run.list_outbox(st.book, "pending" if pending else None)
    if as_json:
        print_json(rows)
        return
    table = Table(title=_("Outbox (%(num)d)") % {"num": len(rows)})
    columns = [
        (_("Id"), True), (_("Customer"), True), (_("Channel"), False), (_("Template"), False),
        (_("State"), False), (_("Amount"), True), (_("Created"), True),
    ]  # fmt: skip
    for col, no_wrap in columns:
        table.add_column(col, no_wrap=no_wrap)
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["customer"],
            term("channel", r["channel"]),
            template_words(r["template"] or ""),
            term("status", r["state"]),
            money(Money.of(r["amount"], r["currency"]), loc),
            day(date.fromisoformat(str(r["created_on"])[:10]), loc),
        )
    console.print(table)


def worklist_command(
    ctx: typer.Context,
    as_of: datetime | None = as_of_option(),
    collector: str | None = typer.Option(
        None, "--collector", help="Only this user's accounts (see `recoup assign`)."
    ),
    unassigned: bool = typer.Option(
        False, "--unassigned", help="Only accounts without a collector (with --collector: also)."
    ),
    kind: str | None = typer.Option(
        None,
        "--kind",
        help="Only lines with a task of this kind: call, escalate, write_off_recommendation, "
        "broken_promise, plan_default, settlement_lapsed, approval.",
    ),
    currency: str | None = typer.Option(None, "--currency", help="Only lines in this currency."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many lines."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Today's calls and the accounts that need a person: one line per customer and
    currency with all its tasks, most urgent first."""
    book = state(ctx).book
    filters = worklists.Filters(
        collector=collector,
        unassigned=unassigned,
        kind=kind,
        currency=currency.upper() if currency else None,
    )
    try:
        worklists.check(book, filters)
    except worklists.FilterError as err:
        err_console.print(f"Error: {err}")
        raise typer.Exit(EXIT_USAGE) from None
    # with --limit, the page's way (`worklist_pages`: from the lines the day's run kept,
    # when they hold); without, every line made afresh
    if limit:
        found = worklist_pages.page(book, _day(as_of), filters, 0, limit)
    else:
        found = worklist_pages.afresh(book, _day(as_of), filters, 0, 1 << 62)
    lines = found.lines
    if as_json:
        print_json([line.to_json() for line in lines])
        return
    loc = state(ctx).settings.locale
    language = i18n.current().language
    accounts = ngettext("%(num)d account", "%(num)d accounts", found.total) % {"num": found.total}
    if len(lines) < found.total:
        accounts = _("%(shown)d of %(accounts)s") % {"shown": len(lines), "accounts": accounts}
    tasks_in_all = ngettext("%(num)d task", "%(num)d tasks", found.tasks) % {"num": found.tasks}
    table = Table(
        title=_("Worklist (%(accounts)s, %(tasks)s)")
        % {
            "accounts": accounts,
            "tasks": tasks_in_all,
        }
    )
    for col in (_("Priority"), _("Customer"), _("Overdue"), _("Tasks"), _("Why"), _("Next step")):
        table.add_column(col)

    def shown(text: str) -> str:  # in words, its amounts and days as the web shows them
        return figures(readable(text, language), loc)

    for line in lines:
        tasks = []
        for t in line.tasks:
            stage = "" if t.stage == t.kind else f" · {stage_words(t.stage, language)}"
            own = worklists.note(t)
            since = _("since %(day)s") % {"day": day(t.since, loc)}
            tasks.append(
                f"{term('task', t.kind, language)}{stage} ({since})" + (f": {own}" if own else "")
            )
        table.add_row(
            str(line.score),
            f"{line.name} ({line.customer})"
            + (
                "\n" + _("collector: %(name)s") % {"name": line.collector} if line.collector else ""
            ),
            money(line.amount, loc),
            "\n".join(shown(t) for t in tasks),
            shown(line.why),
            "\n".join(shown(s) for s in worklists.next_steps(line.tasks)),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
    app.command("explain")(explain_command)
    app.command("outbox")(outbox_command)
    app.command("worklist")(worklist_command)
