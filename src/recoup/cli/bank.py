"""`recoup bank`: bank statements in.

    recoup bank import statement.xml            # camt.052/053/054, MT940, OFX: by content
    recoup bank import export.csv --mapping bank.toml
    recoup bank import export.csv --map Date=date --map Amount=amount --currency EUR \\
        --save-mapping bank.toml
    recoup --db PATH bank import FILE --json

Exit 1 only when the file was refused (nothing taken); 2 for wrong usage.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from recoup import i18n
from recoup.cli.context import EXIT_REFUSED, EXIT_USAGE, state
from recoup.cli.lazy import lazy
from recoup.cli.output import console, data, err_console, plain, print_json
from recoup.domain.words import count
from recoup.i18n import gettext as _
from recoup.i18n import ngettext

if TYPE_CHECKING:
    from recoup.services import bank_import
else:
    bank_import = lazy("recoup.services.bank_import")

bank_app = typer.Typer(
    help="Bank statements: import them (camt, MT940, OFX, CSV), each line taken once.",
    no_args_is_help=True,
)


@bank_app.command("import")
def import_command(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., help="A statement: camt.052/053/054, MT940/MT942, OFX/QFX or a bank's CSV."
    ),
    maps: list[str] = typer.Option(
        [], "--map", help="CSV: COLUMN=field, feed a field from a column (repeatable)."
    ),
    mapping_file: Path | None = typer.Option(
        None, "--mapping", help="CSV: a saved mapping file (TOML) with columns and settings."
    ),
    save_mapping: Path | None = typer.Option(
        None, "--save-mapping", help="CSV: save the mapping and settings used to this file."
    ),
    account: str | None = typer.Option(None, "--account", help="CSV: our account (IBAN)."),
    currency: str | None = typer.Option(None, "--currency", help="CSV: the currency."),
    date_format: str | None = typer.Option(
        None, "--date-format", help="CSV: the dates' format, e.g. %d.%m.%Y."
    ),
    decimal: str | None = typer.Option(None, "--decimal", help="CSV: the decimal mark, . or ,"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Read and count; take nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Import a bank statement: its new lines are stored and matched; a line the book
    holds already (an overlapping or repeated statement) counts as a duplicate."""
    st = state(ctx)
    try:
        mapping = bank_import.csv_mapping(
            maps,
            mapping_file,
            account=account,
            currency=currency,
            date_format=date_format,
            decimal=decimal,
        )
    except bank_import.BankOptionsError as err:
        for p in err.problems:
            print(plain(p), file=sys.stderr)
        raise typer.Exit(EXIT_USAGE) from None
    if not file.is_file():
        why = "no such file" if not file.exists() else "not a file"
        err_console.print(f"{file}: {why}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_USAGE)
    report = bank_import.import_statement(st.book, file, mapping, dry_run=dry_run)
    if save_mapping is not None and not report.refused and report.format == "csv":
        bank_import.csv_mapping(maps, mapping_file, save_mapping, account=account,
                                currency=currency, date_format=date_format,
                                decimal=decimal)  # fmt: skip
    if as_json:
        print_json(report.to_json())
    else:
        _print(report, dry_run)
    if report.refused:
        raise typer.Exit(EXIT_REFUSED)


def _print(report: bank_import.BankImportReport, dry_run: bool) -> None:
    lang = i18n.current().language
    if report.problems:
        for p in report.problems:
            print(plain(p), file=sys.stderr)  # one a line, never wrapped: tools read these
        err_console.print(
            "[red]"
            + _("Refused:")
            + "[/] "
            + _("%(problems)s in %(file)s; nothing was imported.")
            % {"problems": count(len(report.problems), "problem", lang), "file": data(report.file)},
            markup=True,
        )
        return
    new = report.lines - report.duplicates
    text = ngettext(
        "%(format)s: %(num)d line, %(new)d new",
        "%(format)s: %(num)d lines, %(new)d new",
        report.lines,
    ) % {"format": report.format, "num": report.lines, "new": new}
    if dry_run:
        text += " " + _("(a dry run: nothing taken)")
    matched = _("%(applied)d applied, %(suggested)d to review, %(unmatched)d unmatched") % {
        "applied": report.applied,
        "suggested": report.suggested,
        "unmatched": report.unmatched,
    }
    # the joining punctuation is the reader's language's too (French spaces it)
    text = _("%(said)s: %(then)s") % {"said": text, "then": matched}
    if report.not_payments:
        text += " " + _("(%(num)d of them no customer payment: debits, fees, returns)") % {
            "num": report.not_payments
        }
    if report.duplicates:
        held = _("%(num)d the book held already") % {"num": report.duplicates}
        text = _("%(said)s; %(then)s") % {"said": text, "then": held}
    console.print(text, markup=False, highlight=False, soft_wrap=True)
    for warning in report.warnings:  # taken, but to be looked at
        err_console.print(
            _("Note: %(text)s") % {"text": warning}, markup=False, highlight=False, soft_wrap=True
        )


# the review queue's commands live in their own module (recoup.cli.bank_review)
from recoup.cli.bank_review import confirm_command, queue_command, reject_command  # noqa: E402

bank_app.command("queue")(queue_command)
bank_app.command("confirm")(confirm_command)
bank_app.command("reject")(reject_command)
