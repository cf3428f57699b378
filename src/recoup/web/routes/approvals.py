"""The owner's approvals: what a collector asked for beyond the plan's authority —
settlement offers below its floors, write-offs and credit notes from disputes — each
approved or refused with one button (a reason is needed to refuse a write-off or a
credit note). Nothing of it reaches the ledger before the owner approves."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
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
from recoup.services.users import User
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


# what an approval or a refusal gives back: its fields fill the message's %(name)s
Decided = SettlementInfo | WriteOffInfo | CreditRequestInfo


@dataclass(frozen=True)
class Posted:
    """A decision posted to the page: by whom, on which book and day, and what (the
    request's id if a number, approve or refuse, the reason)."""

    request: Request
    user: User
    book: Book
    as_of: date
    chosen: tuple[int | None, str, str]

    def carry_out(
        self,
        service: tuple[Callable[..., Decided], Callable[..., Decided]],
        said: tuple[str, str],
        unchosen: str,
        unexplained: str = "",
    ) -> Response:
        """The decision carried out by the service's (approve, refuse) and said with the
        message of (approved, refused), filled from what they give back. `unchosen` is
        said when the request or the decision is missing, `unexplained` (if given) when a
        refusal has no reason: the page again, 422."""
        request, book, as_of = self.request, self.book, self.as_of
        rid, decision, reason = self.chosen
        if rid is None or decision not in DECISIONS:
            return _page(request, book, as_of, unchosen, 422)
        if unexplained and decision == "refuse" and not reason:
            return _page(request, book, as_of, unexplained, 422)
        approve, refuse = service
        actor = self.user.username
        try:
            if decision == "approve":
                done = approve(book, rid, actor=actor, on=as_of)
            else:
                done = refuse(book, rid, actor=actor, on=as_of, reason=reason)
        except (CaseworkError, accounts.NotFoundError) as err:
            return _page(request, book, as_of, str(err), 422)
        message = said[0] if decision == "approve" else said[1]
        fields_of = {f.name: getattr(done, f.name) for f in fields(done)}
        return _done(request, as_of, message % fields_of)


def _posted(request: Request, user: Owner, book: BookDep, as_of: AsOf, chosen: Decision) -> Posted:
    return Posted(request, user, book, as_of, chosen)


PostedDecision = Annotated[Posted, Depends(_posted)]


@router.post("/approvals/settlement", response_class=Response)
def decide_settlement(posted: PostedDecision) -> Response:
    return posted.carry_out(
        (settlements.approve, settlements.refuse),
        (
            _("Settlement %(id)s for %(customer)s approved: %(amount)s is now offered."),
            _("Settlement %(id)s for %(customer)s refused."),
        ),
        _("Choose a settlement and approve or refuse it."),
    )


@router.post("/approvals/write-off", response_class=Response)
def decide_write_off(posted: PostedDecision) -> Response:
    return posted.carry_out(
        (writeoffs.approve_write_off, writeoffs.refuse_write_off),
        (
            _("Write-off %(id)s of %(amount)s for %(customer)s approved and done."),
            _("Write-off %(id)s for %(customer)s refused."),
        ),
        _("Choose a write-off and approve or refuse it."),
        _("Say why the write-off is refused."),
    )


@router.post("/approvals/credit", response_class=Response)
def decide_credit(posted: PostedDecision) -> Response:
    return posted.carry_out(
        (credit_requests.approve, credit_requests.refuse),
        (
            _("Credit note of %(amount)s on %(invoice)s for %(customer)s approved and written."),
            _("Credit note of %(amount)s on %(invoice)s for %(customer)s refused."),
        ),
        _("Choose a credit note and approve or refuse it."),
        _("Say why the credit note is refused."),
    )
