"""Commands over the books: import, aging, dso, customers, account."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from recoup import i18n
from recoup.cli.as_of import as_of as _as_of
from recoup.cli.as_of import as_of_option
from recoup.cli.context import EXIT_NOT_FOUND, EXIT_REFUSED, EXIT_USAGE, state
from recoup.cli.lazy import lazy
from recoup.cli.output import console, data, day, err_console, money, plain, print_json, text
from recoup.cli.progress import progress_bar
from recoup.clock import local_today
from recoup.domain.aging import DEFAULT_BUCKETS, BucketSpecError, parse_buckets
from recoup.domain.words import count, term
from recoup.i18n import N_, ngettext, pgettext
from recoup.i18n import gettext as _
from recoup.services.mappings import load_options, save_options

if TYPE_CHECKING:
    from recoup.services import accounts, importing, reports
    from recoup.services.importing import ImportReport, Kind, Options
else:
    # the same Kind and Options, from the light part of importing (mapping files): the
    # commands are built from them; the readers and pyarrow come when a file is read
    from recoup.services.mappings import Kind, Options

    accounts = lazy("recoup.services.accounts")
    importing = lazy("recoup.services.importing")
    reports = lazy("recoup.services.reports")

import_app = typer.Typer(
    help="Import customers, invoices or payments from CSV or XLSX (invoices also from an "
    "e-invoice: UBL, CII, Factur-X/ZUGFeRD XML or PDF).",
    no_args_is_help=True,
)


def _run_import(
    ctx: typer.Context,
    kind: Kind,
    file: Path,
    maps: list[str],
    mapping_file: Path | None,
    save_mapping: Path | None,
    date_format: str | None,
    currency: str | None,
    decimal: str | None,
    encoding: str | None,
    delimiter: str | None,
    sheet: str | None,
    terms: int | None,
    dry_run: bool,
    as_json: bool,
    max_line_bytes: int | None,
) -> None:
    st = state(ctx)
    cli_opts = Options(
        date_format=date_format,
        currency=currency,
        decimal=decimal,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        terms_days=terms,
        max_line_bytes=max_line_bytes or st.settings.import_max_line_bytes,
    )
    if decimal not in (None, ".", ","):
        err_console.print("--decimal must be . or ,")
        raise typer.Exit(EXIT_USAGE)
    try:
        options = load_options(maps, mapping_file, cli_opts)
    except ValueError as err:
        problems = getattr(err, "problems", None) or [err]
        for p in problems:
            print(plain(p), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    from recoup.services.importing import path_problem  # the readers' own check

    why = path_problem(file)
    if why is not None:  # wrong usage, like a mistyped option: one line, nothing read
        err_console.print(f"{file}: {why}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_USAGE)
    with progress_bar(f"reading {file.name}", show=not as_json, counted=False) as progress:
        report = importing.import_file(
            st.book, kind, file, options, dry_run=dry_run, progress=progress
        )
    if save_mapping is not None and report.ok:
        save_options(save_mapping, kind, options, report.columns)
    _print_report(report, as_json)
    if not report.ok:
        raise typer.Exit(EXIT_REFUSED)


# what an import report's kind is called in the reader's language
KINDS_SAID = (N_("invoices"), N_("customers"), N_("payments"))


def _print_report(report: ImportReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_json())
        return
    if report.problems:
        from recoup.cli.problem_lines import hidden, problem_lines  # only when refused

        # grouped by kind, each line never wrapped (a kind of one is its own
        # file:line:column line, as tools read it); --json lists every problem
        for line in problem_lines(report.problems):
            print(plain(line), file=sys.stderr)
        lang = i18n.current().language
        problems = count(len(report.problems), "problem", lang)
        err_console.print(
            "[red]"
            + _("Refused:")
            + "[/] "
            + _("%(problems)s in %(file)s; nothing was imported.")
            % {"problems": problems, "file": data(report.file)}
            + (" " + _("--json lists every one.") if hidden(report.problems) else ""),
            markup=True,
            soft_wrap=True,
        )
        return
    values = {
        "kind": _(report.kind) if report.kind in KINDS_SAID else report.kind,
        "imported": report.imported,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rows": report.rows,
    }
    if report.dry_run:
        said = _(
            "%(kind)s: would import %(imported)d, updated %(updated)d, unchanged %(unchanged)d"
        )
    else:
        said = _("%(kind)s: imported %(imported)d, updated %(updated)d, unchanged %(unchanged)d")
    said %= values
    rows = ngettext("%(num)d row", "%(num)d rows", report.rows) % {"num": report.rows}
    if report.customers_created:
        rows += ", " + ngettext(
            "%(num)d new customer", "%(num)d new customers", report.customers_created
        ) % {"num": report.customers_created}
    console.print(f"{said} ({rows})", markup=False, highlight=False, soft_wrap=True)
    if report.changes:  # what each updated record changed, the first few of them
        shown = ", ".join(
            f"{c.key} ({', '.join(c.fields)})" for c in report.changes[:CHANGES_SHOWN]
        )
        more = len(report.changes) - CHANGES_SHOWN
        console.print(
            _("updated: %(records)s") % {"records": shown}
            + (
                " " + _("and %(num)d more (--json lists them all)") % {"num": more}
                if more > 0
                else ""
            ),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


CHANGES_SHOWN = 10


def _import_command(kind: Kind) -> None:
    def command(
        ctx: typer.Context,
        file: Path = typer.Argument(
            ...,
            help="A .csv or .xlsx file"
            + (
                "; or one e-invoice (UBL, CII, Factur-X/ZUGFeRD XML or PDF), known by content."
                if kind is Kind.INVOICES
                else "."
            ),
        ),
        maps: list[str] = typer.Option(
            [], "--map", help="SOURCE=field: feed a field from a column (repeatable)."
        ),
        mapping_file: Path | None = typer.Option(
            None, "--mapping", help="A saved mapping file (TOML) with columns and settings."
        ),
        save_mapping: Path | None = typer.Option(
            None, "--save-mapping", help="Save the mapping and settings used to this file."
        ),
        date_format: str | None = typer.Option(
            None,
            "--date-format",
            help="e.g. %m/%d/%Y; without it the format is detected and "
            "ambiguous dates are refused.",
        ),
        currency: str | None = typer.Option(
            None, "--currency", help="Currency for rows that name none (ISO 4217 code)."
        ),
        decimal: str | None = typer.Option(
            None, "--decimal", help="The decimal mark, . or , (detected when not given)."
        ),
        encoding: str | None = typer.Option(
            None, "--encoding", help="Text encoding of a CSV file (default utf-8)."
        ),
        delimiter: str | None = typer.Option(
            None, "--delimiter", help="CSV delimiter (detected when not given)."
        ),
        sheet: str | None = typer.Option(None, "--sheet", help="XLSX sheet (default: first)."),
        terms: int | None = typer.Option(
            None, "--terms", help="Payment terms in days for invoices without a due date."
        ),
        dry_run: bool = typer.Option(False, "--dry-run", help="Check only; write nothing."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        max_line_bytes: int | None = typer.Option(
            None,
            "--max-line-bytes",
            min=1,
            help="The longest CSV line to read, in bytes; a longer one refuses the file "
            "(default 1 MiB, RECOUP_IMPORT_MAX_LINE_BYTES).",
        ),
    ) -> None:
        _run_import(
            ctx,
            kind,
            file,
            maps,
            mapping_file,
            save_mapping,
            date_format,
            currency,
            decimal,
            encoding,
            delimiter,
            sheet,
            terms,
            dry_run,
            as_json,
            max_line_bytes,
        )

    command.__doc__ = f"Import {kind.value} from a CSV or XLSX file (all rows or none)." + (
        " An e-invoice (UBL 2.1, CII, Factur-X/ZUGFeRD XML or PDF) is read as one invoice"
        " or credit note, checked against its XSD."
        if kind is Kind.INVOICES
        else ""
    )
    import_app.command(kind.value)(command)


for _kind in (Kind.CUSTOMERS, Kind.INVOICES, Kind.PAYMENTS):
    _import_command(_kind)


def aging_command(
    ctx: typer.Context,
    as_of: datetime | None = as_of_option(),
    buckets: str | None = typer.Option(
        None, "--buckets", help="Bucket limits in days past due, e.g. 30,60,90,120."
    ),
    customer: str | None = typer.Option(None, "--customer", help="Only this customer."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Open invoices by days past due."""
    st = state(ctx)
    try:
        spec = parse_buckets(buckets) if buckets else DEFAULT_BUCKETS
    except BucketSpecError as err:
        err_console.print(str(err))
        raise typer.Exit(EXIT_USAGE) from None
    report = reports.aging(st.book, _as_of(as_of), spec, customer=customer)
    if as_json:
        print_json(report.to_json())
        return
    loc = st.settings.locale
    for cur in report.currencies:
        title = _("Aging at %(day)s (%(currency)s)")
        table = Table(title=title % {"day": day(report.as_of, loc), "currency": cur.currency})
        table.add_column(_("Days past due"))
        table.add_column(_("Invoices"), justify="right")
        table.add_column(_("Open amount"), justify="right")
        for b in cur.buckets:
            table.add_row(b.label, str(b.count), money(b.amount, loc))
        table.add_row(
            text(_("total"), "bold"),
            str(sum(b.count for b in cur.buckets)),
            text(money(cur.total, loc), "bold"),
        )
        console.print(table)
        if cur.unapplied:
            console.print(
                _("Unapplied payments and credits: %(amount)s")
                % {"amount": money(cur.unapplied, loc)}
            )


def dso_command(
    ctx: typer.Context,
    as_of: datetime | None = as_of_option(),
    window: int = typer.Option(90, "--window", min=1, help="Days of sales to compare with."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Days sales outstanding (standard and countback)."""
    st = state(ctx)
    report = reports.dso(st.book, _as_of(as_of), window)
    if as_json:
        print_json(report.to_json())
        return
    loc = st.settings.locale
    table = Table(title=f"DSO at {day(report.as_of, loc)}, {window}-day window")
    for col in ("Currency", "DSO", "Countback DSO", "Receivable", "Credit sales"):
        table.add_column(col, justify="right")
    for c in report.currencies:
        table.add_row(
            c.currency,
            str(c.dso or "—"),
            str(c.countback_dso or "—"),
            money(c.receivable, loc),
            money(c.credit_sales, loc),
        )
    console.print(table)


def customers_command(
    ctx: typer.Context,
    search: str = typer.Option("", "--search", "-s", help="Part of a name or id."),
    sort: str = typer.Option("name", "--sort", help="name, key, balance, overdue or oldest."),
    desc: bool = typer.Option(False, "--desc", help="Largest or latest first."),
    page: int = typer.Option(1, "--page", min=1),
    per_page: int = typer.Option(50, "--per-page", min=1, max=500),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """List customers with what they owe."""
    st = state(ctx)
    try:
        result = accounts.list_customers(st.book, local_today(), search, sort, desc, page, per_page)
    except ValueError as err:
        err_console.print(str(err))
        raise typer.Exit(EXIT_USAGE) from None
    if as_json:
        print_json(result.to_json())
        return
    loc = st.settings.locale
    table = Table(title=f"Customers (page {result.page} of {result.pages}, {result.total} in all)")
    for col in ("Id", "Name", "Country", "Open", "Balance", "Overdue", "Oldest due"):
        # keys and amounts whole on a narrow terminal: names and dates wrap instead
        table.add_column(col, no_wrap=col in ("Id", "Balance", "Overdue"))
    for c in result.lines:  # one figure per currency, one line each
        table.add_row(
            c.key,
            c.name,
            c.country,
            str(c.open_count),
            "\n".join(money(f.balance, loc) for f in c.figures) or "—",
            "\n".join(money(f.overdue, loc) for f in c.figures) or "—",
            day(c.oldest_due, loc),
        )
    console.print(table)


def account_command(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id."),
    as_of: datetime | None = as_of_option(),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """One customer's account: contacts, invoices, payments, balance, aging."""
    st = state(ctx)
    try:
        acc = accounts.account(st.book, customer, _as_of(as_of))
    except accounts.NotFoundError as err:
        err_console.print(str(err))
        raise typer.Exit(EXIT_NOT_FOUND) from None
    if as_json:
        print_json(acc.to_json())
        return
    loc = st.settings.locale
    c = acc.customer
    country = data(c["country"] or _("no country"))
    console.print(f"[bold]{data(c['name'])}[/] ({data(c['key'])}, {country})", markup=True)
    for ct in acc.contacts:
        prefers = _("prefers %(channel)s") % {"channel": ct["preferred_channel"]}
        given = [ct["name"], ct["email"], ct["phone"], prefers]
        console.print("  " + " · ".join(str(part) for part in given if part))  # none blank
    for bal in acc.balances:
        console.print(
            _("Balance: %(amount)s") % {"amount": f"[bold]{money(bal, loc)}[/]"}, markup=True
        )
        fig = acc.figures(bal.currency)
        if fig is not None and (fig.charges_open().minor or fig.unapplied.minor):
            parts = _(
                "open invoices %(principal)s + charges unpaid %(charges)s"
                " - on account %(unapplied)s"
            )
            console.print(
                "  "
                + parts
                % {
                    "principal": money(fig.principal, loc),
                    "charges": money(fig.charges_open(), loc),
                    "unapplied": money(fig.unapplied, loc),
                }
            )
    b = acc.behaviour
    if b.settled_count:
        pays = _(
            "Pays on average %(to_pay)s days after invoicing, %(late)s days late "
            "(%(settled)s invoices settled)"
        )
        console.print(
            pays
            % {
                "to_pay": b.average_days_to_pay,
                "late": b.average_days_late,
                "settled": b.settled_count,
            }
        )
    table = Table(title=_("Invoices"))
    for col in (
        _("Number"),
        _("Issued"),
        _("Due"),
        _("Amount"),
        pgettext("amount", "Open"),
        _("Status"),
        _("Days past due"),
    ):
        table.add_column(col)
    for column in (table.columns[0], table.columns[3], table.columns[4]):
        column.no_wrap = True  # the number and the amounts whole; the dates wrap instead
    for i in acc.invoices:
        table.add_row(
            i.number,
            day(i.issue_date, loc),
            day(i.due_date, loc),
            money(i.amount, loc),
            money(i.open, loc),
            term("status", i.status, i18n.current().language),
            str(i.days_past_due) if i.open.minor else "",
        )
    console.print(table)
    if acc.payments:
        table = Table(title=_("Payments"))
        for col in (_("Date"), _("Amount"), _("Method"), _("Reference"), _("Invoice")):
            table.add_column(col)
        for p in acc.payments:
            table.add_row(
                day(p.date, loc), money(p.amount, loc), p.method, p.reference, p.invoice or ""
            )
        console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
    app.command("aging")(aging_command)
    app.command("dso")(dso_command)
    app.command("customers")(customers_command)
    app.command("account")(account_command)
