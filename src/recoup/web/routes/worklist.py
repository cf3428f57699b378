"""The worklist: one line per customer and currency with all its tasks (calls, broken
promises, decisions), most urgent first, narrowed by collector, kind of task and
currency (`recoup.services.worklist`), 50 lines a page (`recoup.services.worklist_pages`: read
from the lines the day's run kept when they hold).

Whose accounts by default: a collector sees their own accounts and the unassigned ones
(with no assignments at all, that is everything); an owner or a viewer sees everyone's,
and any of them may choose another collector, "unassigned", or everyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from recoup import i18n
from recoup.domain.money import Money
from recoup.domain.words import stage_words, term
from recoup.i18n import N_
from recoup.services import assignments, delivery_problems, worklist_pages
from recoup.services import worklist as worklists
from recoup.services.run import WorkItem
from recoup.services.users import Role, User
from recoup.services.worklist import Filters, Line
from recoup.web.auth import Viewer
from recoup.web.context import AsOf, BookDep, render
from recoup.web.errors import BadRequest

router = APIRouter()

PER_PAGE = 50
PROBLEMS_SHOWN = 50  # delivery problems listed on the page; `recoup dispatch problems` has all
UNASSIGNED = "-"  # the collector choice "accounts without a collector"

# Score bands, highest first: (lowest score of the band, its name).
BANDS = ((60, N_("urgent")), (40, N_("high")), (20, N_("medium")), (0, N_("low")))

_FACTOR = re.compile(r"^(?P<text>.*?)\s*\((?P<points>[+-]\d+)\)$")
_PREFIX = re.compile(r"^priority\s+\d+:\s*")


@dataclass(frozen=True)
class Factor:
    """One reason for an item's priority, with the points it adds (None: not given)."""

    text: str
    points: int | None
    overdue: Money | None = None  # the reason is this amount overdue (shown through Babel)


def factors(why: str, overdue: Money | None = None) -> list[Factor]:
    """The reasons of a priority explanation ("priority 61: a (+26); b (+25)"), one each.
    The one that says `overdue` is overdue carries the amount, to be shown as money."""
    out = []
    for part in _PREFIX.sub("", why.strip()).split(";"):
        part = part.strip()
        if not part:
            continue
        found = _FACTOR.match(part)
        text, points = (found["text"], int(found["points"])) if found else (part, None)
        amount = overdue if overdue is not None and text == f"{overdue} overdue" else None
        out.append(Factor(text, points, amount))
    return out


def band(score: int) -> str:
    return next(name for low, name in BANDS if score >= low)


def task_label(kind: str) -> str:
    """The task in words, as a heading: "Broken promise" (`recoup.domain.words`)."""
    words = term("task", kind, i18n.current().language)
    return words[:1].upper() + words[1:]


def stage_label(item: WorkItem) -> str:
    """The stage in words, or "" where it only repeats the task ("call" for a call)."""
    if item.stage == item.kind:
        return ""
    return stage_words(item.stage, i18n.current().language)


@dataclass(frozen=True)
class Choice:
    """The filters as the address gives them (`collector` as chosen: "" everyone, "-"
    unassigned, or a username), for the form and the page links."""

    collector: str
    unassigned: bool
    kind: str
    currency: str

    @property
    def filters(self) -> Filters:
        if self.collector == UNASSIGNED:
            return Filters(None, True, self.kind or None, self.currency or None)
        return Filters(
            self.collector or None, self.unassigned, self.kind or None, self.currency or None
        )

    def params(self) -> dict[str, str]:
        out = {"collector": self.collector}
        if self.unassigned and self.collector not in ("", UNASSIGNED):
            out["unassigned"] = "1"
        if self.kind:
            out["kind"] = self.kind
        if self.currency:
            out["currency"] = self.currency
        return out


def default_choice(user: User) -> Choice:
    """A collector's own accounts and the unassigned ones; everyone's for the others."""
    if user.role is Role.COLLECTOR:
        return Choice(user.username, True, "", "")
    return Choice("", False, "", "")


@dataclass(frozen=True)
class Worklist:
    """One page of the worklist's lines, and the links to the other pages."""

    found: worklist_pages.Page
    page: int
    per_page: int
    today: date
    as_of: date | None  # only when given in the address
    choice: Choice

    @property
    def total(self) -> int:
        return self.found.total

    @property
    def tasks(self) -> int:
        return self.found.tasks

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_row(self) -> int:
        return min(self.total, (self.page - 1) * self.per_page + 1)

    @property
    def last_row(self) -> int:
        return min(self.total, self.page * self.per_page)

    @property
    def rows(self) -> list[Line]:
        return self.found.lines

    def page_url(self, page: int) -> str:
        params: dict[str, str | int] = {}
        if page > 1:
            params["page"] = page
        params.update(self.choice.params())
        if self.as_of:
            params["as_of"] = self.as_of.isoformat()
        return "/worklist?" + urlencode(params)


@router.get("/worklist", response_class=Response)
def worklist_page(
    request: Request,
    user: Viewer,
    book: BookDep,
    today: AsOf,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    collector: Annotated[str | None, Query(max_length=64)] = None,
    unassigned: Annotated[bool, Query()] = False,
    kind: Annotated[str, Query(max_length=40)] = "",
    currency: Annotated[str, Query(max_length=3)] = "",
) -> Response:
    if collector is None:  # not chosen yet: the role's default, with the other filters
        base = default_choice(user)
        choice = Choice(base.collector, base.unassigned, kind, currency.upper())
    else:
        choice = Choice(collector, unassigned, kind, currency.upper())
    with book.reading():  # the page's reads in one transaction
        try:
            worklists.check(book, choice.filters)
        except worklists.FilterError as err:
            raise BadRequest(str(err)) from None
        found = worklist_pages.page(book, today, choice.filters, (page - 1) * PER_PAGE, PER_PAGE)
        pages = max(1, -(-found.total // PER_PAGE))
        if page > pages:  # past the last page: the last one
            page = pages
            offset = (page - 1) * PER_PAGE
            found = worklist_pages.page(book, today, choice.filters, offset, PER_PAGE)
    given = today if "as_of" in request.query_params else None
    view = Worklist(found, page, PER_PAGE, today, given, choice)
    return render(
        request,
        "worklist.html",
        {
            "active": "worklist",
            "view": view,
            "found": found,
            "people": assignments.collectors(book),
            "unassigned_choice": UNASSIGNED,
            "today": today,
            "as_of": today,
            "as_of_given": given is not None,
            "factors": factors,
            "band": band,
            "task_label": task_label,
            "stage_label": stage_label,
            "note": worklists.note,
            # issue 5: messages that could not be delivered, or wait to be tried again
            "delivery_problems": delivery_problems.problems(book),
            "problems_shown": PROBLEMS_SHOWN,
        },
    )
