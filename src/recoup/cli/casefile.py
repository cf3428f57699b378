"""`recoup casefile CUSTOMER --out FILE.pdf [--zip FILE.zip]`: the court case file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from recoup.cli.as_of import as_of as _as_of
from recoup.cli.as_of import as_of_option
from recoup.cli.context import EXIT_NOT_FOUND, state
from recoup.cli.lazy import lazy
from recoup.cli.output import console, err_console, print_json
from recoup.services.errors import NotFoundError

if TYPE_CHECKING:
    from recoup.services import casefile
    from recoup.settings import Settings
else:
    casefile = lazy("recoup.services.casefile")  # reportlab: only for a case file


def business_name(settings: Settings) -> str:
    """The business's name when one is set (not the placeholder of an unset setting)."""
    from recoup.settings import Settings

    default = Settings.model_fields["business_name"].default
    return "" if settings.business_name == default else settings.business_name


def casefile_command(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer's id (its key)."),
    out: Path = typer.Option(..., "--out", help="Where to write the case file (a PDF)."),
    zip_path: Path | None = typer.Option(
        None,
        "--zip",
        help="Also write a zip of the originals: the PDF, every attached document, "
        "invoices.csv, payments.csv, history.json.",
    ),
    as_of: datetime | None = as_of_option(),
    creditor: str = typer.Option(
        "", "--creditor", help="Your business's name on the cover (default: RECOUP_BUSINESS_NAME)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print what was written as JSON."),
) -> None:
    """The court case file of one account: summary, statement, invoices, every contact
    with copies, promises and disputes, interest and fee workings, the history's
    hash-chain check and the small-claims limit."""
    st = state(ctx)
    try:
        made = casefile.render(
            st.book, customer, _as_of(as_of), creditor=creditor or business_name(st.settings)
        )
    except NotFoundError as err:
        err_console.print(str(err))
        raise typer.Exit(EXIT_NOT_FOUND) from None
    out.write_bytes(made.pdf)
    if zip_path is not None:
        zip_path.write_bytes(made.zip)
    case = made.case
    if as_json:
        print_json(
            {
                "customer": customer,
                "as_of": case.as_of.isoformat(),
                "pdf": str(out),
                "zip": str(zip_path) if zip_path is not None else None,
                "invoices": len(case.invoices),
                "contacts": len(case.contacts),
                "documents": len(case.documents),
                "chain_ok": case.chain.ok,
                "claims": [
                    {
                        "currency": t.currency,
                        "overdue": t.overdue.to_json(),
                        "interest": t.interest.to_json(),
                        "compensation": t.compensation.to_json(),
                        "claim": t.claim.to_json(),
                    }
                    for t in case.totals
                ],
                "small_claims": [
                    {
                        "jurisdiction": s.jurisdiction,
                        "limit": s.limit.to_json() if s.limit is not None else None,
                        "currency": s.claim.currency,
                        "fits": s.fits,
                        "note": s.note,
                    }
                    for s in case.small_claims
                ],
            }
        )
        return
    console.print(f"Wrote {out} ({len(made.pdf):,} bytes)")
    if zip_path is not None:
        n = len(case.documents)
        console.print(f"Wrote {zip_path} ({len(made.zip):,} bytes, {n} documents)")
    if not case.chain.ok:
        err_console.print(f"Warning: the history's hash chain is broken: {case.chain.problem}")
