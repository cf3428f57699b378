"""The Bank page: a statement taken in (uploaded: camt, MT940, OFX, or a bank's CSV
export with the account it is for), the statements imported (with any gap between
their balances and their lines), the review queue (each waiting line with its
suggestions and their evidence; confirm, re-assign or split, reject, one keystroke for
the usual ones: static/bank.js) and a line's history. Everyone logged in may look;
owners and collectors act, through `services.bank_import` and `services.bank_matching`
as the CLI does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from recoup.clock import local_today
from recoup.i18n import gettext as _
from recoup.i18n import ngettext
from recoup.services import bank_import, bank_matching
from recoup.services.bank_matching import BankMatchError
from recoup.web.auth import Collector, Viewer
from recoup.web.context import BookDep, render
from recoup.web.errors import NotFound
from recoup.web.uploads import UploadTooLarge, limited_upload, upload_limit

router = APIRouter(prefix="/bank")

FLASH = "bank_done"
IMPORTED = "bank_imported"
QUEUE_SHOWN = 50
PROBLEMS_SHOWN = 10
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


async def _too_large(request: Request, err: UploadTooLarge) -> Response:
    request.session[IMPORTED] = {
        "ok": False,
        "file": "",
        "text": _("The file is larger than %(limit)s bytes: nothing was imported.")
        % {"limit": f"{err.limit:,}"},
        "problems": [],
        "warnings": [],
    }
    return RedirectResponse("/bank", status_code=303)


upload_router = APIRouter(prefix="/bank", route_class=limited_upload(_too_large))


async def _statement_file(request: Request) -> UploadFile | None:
    found = (await request.form()).get("file")
    return found if isinstance(found, UploadFile) else None


StatementFile = Annotated[UploadFile | None, Depends(_statement_file)]


@router.get("", response_class=Response)
def bank_page(request: Request, _user: Viewer, book: BookDep) -> Response:
    waiting = bank_matching.queue(book, QUEUE_SHOWN)
    counts = bank_matching.counts(book)
    return render(
        request,
        "bank.html",
        {
            "active": "bank",
            "waiting": waiting,
            "waiting_total": counts.get("suggested", 0) + counts.get("unmatched", 0),
            "counts": counts,
            "statements": bank_matching.statements(book)[:20],
            "done": request.session.pop(FLASH, None),
            "imported": request.session.pop(IMPORTED, None),
        },
    )


@router.get("/lines/{line_id}", response_class=Response)
def line_page(request: Request, _user: Viewer, book: BookDep, line_id: int) -> Response:
    try:
        line = bank_matching.line(book, line_id)
    except BankMatchError as err:
        raise NotFound(str(err)) from None
    return render(request, "bank_line.html", {"active": "bank", "line": line})


def _done(request: Request, line_id: int, ok: bool, text: str) -> Response:
    request.session[FLASH] = {"line": line_id, "ok": ok, "text": text}
    return RedirectResponse("/bank", status_code=303)


@router.post("/lines/{line_id}/confirm", response_class=Response)
def confirm(
    request: Request,
    user: Collector,
    book: BookDep,
    line_id: int,
    invoices: Annotated[str, Form()] = "",
) -> Response:
    """Apply the line: to its first suggestion, or to the invoices written (numbers
    separated by spaces or commas, NUMBER=AMOUNT for a split)."""
    given = [p for p in invoices.replace(",", " ").split() if p]
    try:
        view = bank_matching.confirm(
            book, line_id, given or None, actor=user.username, as_of=local_today()
        )
    except BankMatchError as err:
        return _done(request, line_id, False, str(err))
    return _done(request, line_id, True, view.history[-1][3] if view.history else _("confirmed"))


@router.post("/lines/{line_id}/reject", response_class=Response)
def reject(
    request: Request,
    user: Collector,
    book: BookDep,
    line_id: int,
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        bank_matching.reject(book, line_id, actor=user.username, reason=reason.strip())
    except BankMatchError as err:
        return _done(request, line_id, False, str(err))
    return _done(request, line_id, True, _("set aside: not a customer payment"))


@upload_router.post("/import", response_class=Response)
def import_statement(
    request: Request,
    user: Collector,
    book: BookDep,
    file: StatementFile,
    account: Annotated[str, Form()] = "",
) -> Response:
    """A statement file into the book, as `recoup bank import` takes it: its new lines
    stored and matched at once; the outcome is shown on the Bank page."""
    if file is None or not file.filename:
        request.session[IMPORTED] = _outcome_words(None, _("Choose a statement file."))
        return RedirectResponse("/bank", status_code=303)
    name = _UNSAFE.sub("_", Path(file.filename.replace("\\", "/")).name).strip(" .")[-100:]
    data = file.file.read(upload_limit(request) + 1)
    try:
        mapping = bank_import.csv_mapping([], None, account=account.strip())
    except bank_import.BankOptionsError as err:  # an account the CSV reader cannot take
        report = bank_import.BankImportReport(name, problems=err.problems)
    else:
        report = bank_import.import_bytes(
            book, data, name or "statement", mapping, actor=user.username
        )
    request.session[IMPORTED] = _outcome_words(report, "")
    return RedirectResponse("/bank", status_code=303)


def _outcome_words(report: bank_import.BankImportReport | None, text: str) -> dict[str, Any]:
    """What the page says about an import (kept in the session for the next page)."""
    if report is None:
        return {"ok": False, "file": "", "text": text, "problems": [], "warnings": []}
    if report.refused:
        said = _("Refused: nothing was imported.")
    else:
        said = ngettext(
            "%(lines)s line read, %(new)s new: %(applied)s applied, %(suggested)s to "
            "review, %(unmatched)s not matched; %(held)s the book held already.",
            "%(lines)s lines read, %(new)s new: %(applied)s applied, %(suggested)s to "
            "review, %(unmatched)s not matched; %(held)s the book held already.",
            report.lines,
        ) % {
            "lines": report.lines,
            "new": report.lines - report.duplicates,
            "applied": report.applied,
            "suggested": report.suggested,
            "unmatched": report.unmatched,
            "held": report.duplicates,
        }
    return {
        "ok": not report.refused,
        "file": report.file,
        "text": said,
        "problems": [str(p) for p in report.problems[:PROBLEMS_SHOWN]],
        "more_problems": max(0, len(report.problems) - PROBLEMS_SHOWN),
        "warnings": list(report.warnings),
    }
