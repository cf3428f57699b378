"""The Bank page: statements imported, the review queue (each waiting line with its
suggestions and their evidence; confirm, re-assign or split, reject, one keystroke for
the usual ones: static/bank.js) and a line's history. Everyone logged in may look;
owners and collectors act, through `services.bank_matching` as the CLI does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from recoup.clock import local_today
from recoup.i18n import gettext as _
from recoup.services import bank_matching
from recoup.services.bank_matching import BankMatchError
from recoup.web.auth import Collector, Viewer
from recoup.web.context import BookDep, render
from recoup.web.errors import NotFound

router = APIRouter(prefix="/bank")

FLASH = "bank_done"
QUEUE_SHOWN = 50


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
