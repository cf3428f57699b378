"""The owner's approvals: what a collector asked for beyond the plan's authority —
settlement offers below its floors, write-offs and credit notes from disputes — each
approved or refused with one button (a reason is needed to refuse a write-off or a
credit note). Nothing of it reaches the ledger before the owner approves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from recoup.domain.casework.errors import CaseworkError
from recoup.i18n import gettext as _
from recoup.services import accounts
from recoup.services.book import Book
from recoup.services.casework import credit_requests, settlements, writeoffs
from recoup.services.casework.credit_requests import CreditRequestInfo
from recoup.services.casework.settlements import SettlementInfo
from recoup.services.casework.writeoffs import WriteOffInfo
from recoup.web.auth import Owner
from recoup.web.context import AsOf, BookDep, render

router = APIRouter()

FLASH = "approvals_flash"
DECISIONS = ("approve", "refuse")


@dataclass(frozen=True)
class Waiting:
    settlements: list[SettlementInfo]
    write_offs: list[WriteOffInfo]
    credits: list[CreditRequestInfo]
    names: dict[str, str]

    @property
    def total(self) -> int:
        return len(self.settlements) + len(self.write_offs) + len(self.credits)


def waiting(book: Book, as_of: date) -> Waiting:
    offers = settlements.list_settlements(book, status="needs_approval")
    pending = writeoffs.list_write_offs(book, status="pending")
    credits = credit_requests.list_requests(book, status="pending")
    keys = {s.customer for s in offers} | {w.customer for w in pending}
    keys |= {c.customer for c in credits}
    names = {}
    for key in sorted(keys):
        try:
            names[key] = str(accounts.account(book, key, as_of).customer["name"])
        except accounts.NotFoundError:
            names[key] = key
    return Waiting(offers, pending, credits, names)


def _page(
    request: Request, book: Book, as_of: date, error: str = "", status: int = 200
) -> Response:
    given = "as_of" in request.query_params
    return render(
        request,
        "approvals.html",
        {
            "active": "approvals",
            "w": waiting(book, as_of),
            "error": error,
            "flash": "" if error else str(request.session.pop(FLASH, "") or ""),
            "qs": f"?as_of={as_of.isoformat()}" if given else "",
            "today": as_of,
        },
        status_code=status,
    )


@router.get("/approvals", response_class=Response)
def approvals_page(request: Request, _user: Owner, book: BookDep, as_of: AsOf) -> Response:
    return _page(request, book, as_of)


def _decision(
    raw_id: Annotated[str, Form(alias="id", max_length=20)] = "",
    decision: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> tuple[int | None, str, str]:
    """The posted decision: which one (None if not a number), approve or refuse, why."""
    return (int(raw_id) if raw_id.isdigit() else None), decision, reason.strip()[:500]


# The handlers are plain `def`: FastAPI reads the form, then runs them (and the book's
# work) in its threadpool, off the event loop.
Decision = Annotated[tuple[int | None, str, str], Depends(_decision)]


def _done(request: Request, as_of: date, message: str) -> Response:
    request.session[FLASH] = message
    given = "as_of" in request.query_params
    return RedirectResponse(
        "/approvals" + (f"?as_of={as_of.isoformat()}" if given else ""), status_code=303
    )


@router.post("/approvals/settlement", response_class=Response)
def decide_settlement(
    request: Request, user: Owner, book: BookDep, as_of: AsOf, chosen: Decision
) -> Response:
    sid, decision, reason = chosen
    if sid is None or decision not in DECISIONS:
        return _page(request, book, as_of, _("Choose a settlement and approve or refuse it."), 422)
    try:
        if decision == "approve":
            s = settlements.approve(book, sid, actor=user.username, on=as_of)
            message = _(
                "Settlement %(id)s for %(customer)s approved: %(amount)s is now offered."
            ) % {
                "id": s.id,
                "customer": s.customer,
                "amount": s.amount,
            }
        else:
            s = settlements.refuse(book, sid, actor=user.username, on=as_of, reason=reason)
            message = _("Settlement %(id)s for %(customer)s refused.") % {
                "id": s.id,
                "customer": s.customer,
            }
    except (CaseworkError, accounts.NotFoundError) as err:
        return _page(request, book, as_of, str(err), 422)
    return _done(request, as_of, message)


@router.post("/approvals/write-off", response_class=Response)
def decide_write_off(
    request: Request, user: Owner, book: BookDep, as_of: AsOf, chosen: Decision
) -> Response:
    wid, decision, reason = chosen
    if wid is None or decision not in DECISIONS:
        return _page(request, book, as_of, _("Choose a write-off and approve or refuse it."), 422)
    if decision == "refuse" and not reason:
        return _page(request, book, as_of, _("Say why the write-off is refused."), 422)
    try:
        if decision == "approve":
            w = writeoffs.approve_write_off(book, wid, actor=user.username, on=as_of)
            message = _("Write-off %(id)s of %(amount)s for %(customer)s approved and done.") % {
                "id": w.id,
                "amount": w.amount,
                "customer": w.customer,
            }
        else:
            w = writeoffs.refuse_write_off(book, wid, actor=user.username, on=as_of, reason=reason)
            message = _("Write-off %(id)s for %(customer)s refused.") % {
                "id": w.id,
                "customer": w.customer,
            }
    except (CaseworkError, accounts.NotFoundError) as err:
        return _page(request, book, as_of, str(err), 422)
    return _done(request, as_of, message)


@router.post("/approvals/credit", response_class=Response)
def decide_credit(
    request: Request, user: Owner, book: BookDep, as_of: AsOf, chosen: Decision
) -> Response:
    rid, decision, reason = chosen
    if rid is None or decision not in DECISIONS:
        return _page(request, book, as_of, _("Choose a credit note and approve or refuse it."), 422)
    if decision == "refuse" and not reason:
        return _page(request, book, as_of, _("Say why the credit note is refused."), 422)
    try:
        if decision == "approve":
            c = credit_requests.approve(book, rid, actor=user.username, on=as_of)
            message = _(
                "Credit note of %(amount)s on %(invoice)s for %(customer)s approved and written."
            ) % {"amount": c.amount, "invoice": c.invoice, "customer": c.customer}
        else:
            c = credit_requests.refuse(book, rid, actor=user.username, on=as_of, reason=reason)
            message = _("Credit note of %(amount)s on %(invoice)s for %(customer)s refused.") % {
                "amount": c.amount,
                "invoice": c.invoice,
                "customer": c.customer,
            }
    except (CaseworkError, accounts.NotFoundError) as err:
        return _page(request, book, as_of, str(err), 422)
    return _done(request, as_of, message)
