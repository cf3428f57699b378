"""The owner's Assignment page (/admin/assignments): the rules (add, move, remove,
apply), each collector's accounts with a link to their worklist, and every account with
its collector, to assign by hand or give back to the rules (`recoup.services.assignments`
says how rules and hand assignments work together).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from recoup.domain.assignment import RuleError, make_rule
from recoup.services import assignments
from recoup.web.auth import Owner
from recoup.web.context import BookDep, render
from recoup.web.flash import flash, take_flash

router = APIRouter()

PAGE = "/admin/assignments"
PER_PAGE = 50
UNASSIGNED = "-"  # the collector choice "accounts without a collector"
BY_RULES = ""  # the hand-assignment choice "give it back to the rules"

Text = Annotated[str, Form(max_length=64)]


@dataclass(frozen=True)
class Accounts:
    """One page of the accounts list, and its links."""

    rows: list[assignments.AccountRow]
    total: int
    page: int
    collector: str
    q: str

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))

    @property
    def first_row(self) -> int:
        return min(self.total, (self.page - 1) * PER_PAGE + 1)

    @property
    def last_row(self) -> int:
        return min(self.total, self.page * PER_PAGE)

    def url(self, page: int) -> str:
        params: dict[str, str | int] = {}
        if self.collector:
            params["collector"] = self.collector
        if self.q:
            params["q"] = self.q
        if page > 1:
            params["page"] = page
        return PAGE + ("?" + urlencode(params) if params else "") + "#accounts"


@router.get("/assignments", response_class=Response)
def assignment_page(
    request: Request,
    _user: Owner,
    book: BookDep,
    collector: Annotated[str, Query(max_length=64)] = "",
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    who = None if collector in ("", UNASSIGNED) else collector
    found = assignments.account_page(
        book, collector=who, unassigned=collector == UNASSIGNED, q=q, page=page, per_page=PER_PAGE
    )
    if found.total and page > -(-found.total // PER_PAGE):  # beyond the end: the last page
        page = -(-found.total // PER_PAGE)
        found = assignments.account_page(
            book,
            collector=who,
            unassigned=collector == UNASSIGNED,
            q=q,
            page=page,
            per_page=PER_PAGE,
        )
    people = assignments.collectors(book)
    held = assignments.counts_by_user(book)
    return render(
        request,
        "admin_assignments.html",
        {
            "active": "assignments",
            "rules": assignments.list_rules(book),
            "people": people,
            "team": sorted(set(people) | set(held)),
            "held": held,
            "accounts": Accounts(found.rows, found.total, page, collector, q),
            "unassigned_choice": UNASSIGNED,
            "by_rules": BY_RULES,
            "here": str(request.url.path) + ("?" + request.url.query if request.url.query else ""),
            "flash": take_flash(request),
        },
    )


def _back(request: Request, back: str, say: str, **values: object) -> Response:
    flash(request, say, **values)
    return RedirectResponse(_safe_back(back), status_code=303)


def _safe_back(back: str) -> str:
    """Back to the assignment page as it was (its filters), never anywhere else."""
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or parts.path != PAGE:
        return PAGE
    return PAGE + ("?" + parts.query if parts.query else "")


@router.post("/assignments/rules/add", response_class=Response)
def add_rule(
    request: Request,
    user: Owner,
    book: BookDep,
    collector: Text,
    currency: Annotated[str, Form(max_length=3)] = "",
    at_least: Annotated[str, Form(max_length=32)] = "",
    below: Annotated[str, Form(max_length=32)] = "",
    tag: Text = "",
    country: Annotated[str, Form(max_length=2)] = "",
    position: Annotated[int | None, Form(ge=1, le=10_000)] = None,
) -> Response:
    try:
        rule = make_rule(
            collector, currency=currency, at_least=at_least, below=below, tag=tag, country=country
        )
        view = assignments.add_rule(book, rule, user.username, position)
    except (RuleError, assignments.AssignmentError) as err:
        return _back(request, PAGE, "error", text=str(err), form="rule")
    return _back(request, PAGE, "rule_added", position=view.position, collector=collector)


@router.post("/assignments/rules/remove", response_class=Response)
def remove_rule(
    request: Request, _user: Owner, book: BookDep, rule: Annotated[int, Form()]
) -> Response:
    try:
        assignments.remove_rule(book, rule)
    except assignments.AssignmentError as err:
        return _back(request, PAGE, "error", text=str(err))
    return _back(request, PAGE, "rule_removed")


@router.post("/assignments/rules/move", response_class=Response)
def move_rule(
    request: Request,
    _user: Owner,
    book: BookDep,
    rule: Annotated[int, Form()],
    to: Annotated[int, Form(ge=1, le=10_000)],
) -> Response:
    try:
        assignments.move_rule(book, rule, to)
    except assignments.AssignmentError as err:
        return _back(request, PAGE, "error", text=str(err))
    return _back(request, PAGE, "rule_moved", position=to)


@router.post("/assignments/apply", response_class=Response)
def apply_rules(request: Request, user: Owner, book: BookDep) -> Response:
    done = assignments.apply_rules(book, user.username)
    return _back(request, PAGE, "applied", **done.to_json())


@router.post("/assignments/customer", response_class=Response)
def assign_customer(
    request: Request,
    user: Owner,
    book: BookDep,
    customer: Text,
    collector: Text = BY_RULES,
    back: Annotated[str, Form(max_length=500)] = PAGE,
) -> Response:
    try:
        if collector == BY_RULES:
            got = assignments.return_to_rules(book, customer, user.username)
            return _back(request, back, "to_rules", customer=customer, collector=got)
        assignments.assign_by_hand(book, customer, collector, user.username)
    except assignments.AssignmentError as err:
        return _back(request, back, "error", text=str(err))
    return _back(request, back, "by_hand", customer=customer, collector=collector)
