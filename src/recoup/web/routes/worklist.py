"""The worklist: today's call tasks and the accounts that need a person, most urgent first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from recoup.domain.money import Money
from recoup.domain.words import stage_words, term
from recoup.services import daily_run, delivery_problems
from recoup.services.daily_run import WorkItem
from recoup.web.auth import Viewer
from recoup.web.context import AsOf, BookDep, render

router = APIRouter()

PER_PAGE = 25
PROBLEMS_SHOWN = 50  # delivery problems listed on the page; `recoup dispatch problems` has all

# Score bands, highest first: (lowest score of the band, its name).
BANDS = ((60, "urgent"), (40, "high"), (20, "medium"), (0, "low"))

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
    words = term("task", kind)
    return words[:1].upper() + words[1:]


def stage_label(item: WorkItem) -> str:
    """The stage in words, or "" where it only repeats the task ("call" for a call)."""
    if item.stage == item.kind:
        return ""
    return stage_words(item.stage)


@dataclass(frozen=True)
class Worklist:
    """One page of the worklist, and the links to the other pages."""

    items: list[WorkItem]
    page: int
    per_page: int
    today: date
    as_of: date | None  # only when given in the address

    @property
    def total(self) -> int:
        return len(self.items)

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
    def rows(self) -> list[WorkItem]:
        return self.items[self.first_row - 1 : self.last_row] if self.total else []

    def page_url(self, page: int) -> str:
        params: dict[str, str | int] = {}
        if page > 1:
            params["page"] = page
        if self.as_of:
            params["as_of"] = self.as_of.isoformat()
        return "/worklist" + ("?" + urlencode(params) if params else "")


@router.get("/worklist", response_class=Response)
def worklist_page(
    request: Request,
    _user: Viewer,
    book: BookDep,
    today: AsOf,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    items = daily_run.worklist(book, today)
    pages = max(1, -(-len(items) // PER_PAGE))
    given = today if "as_of" in request.query_params else None
    view = Worklist(items, min(page, pages), PER_PAGE, today, given)
    return render(
        request,
        "worklist.html",
        {
            "active": "worklist",
            "view": view,
            "today": today,
            "as_of": today,
            "as_of_given": given is not None,
            "factors": factors,
            "band": band,
            "task_label": task_label,
            "stage_label": stage_label,
            # issue 5: messages that could not be delivered, or wait to be tried again
            "delivery_problems": delivery_problems.problems(book),
            "problems_shown": PROBLEMS_SHOWN,
        },
    )
