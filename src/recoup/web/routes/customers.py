"""The customer list (search, sort, pages) and one customer's account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from recoup.domain.money import Money
from recoup.i18n import N_
from recoup.i18n import gettext as _
from recoup.services import accounts
from recoup.services import run as daily_run
from recoup.services.accounts import CurrencyFigures, CustomerLine, CustomerPage, InvoiceLine
from recoup.services.book import Book
from recoup.services.users import User
from recoup.web.auth import Viewer
from recoup.web.charts import aging_chart
from recoup.web.context import AsOf, BookDep, render
from recoup.web.errors import BadRequest, is_htmx
from recoup.web.routes import casework

router = APIRouter()

PER_PAGE = 25
TABLE_ID = "customer-table"

# (sort key, column heading); the service's SORTS in the order they are shown.
COLUMNS = (
    ("name", N_("Name")),
    ("key", N_("Key")),
    ("balance", N_("Balance")),
    ("overdue", N_("Overdue")),
    ("oldest", N_("Oldest due")),
)


@dataclass(frozen=True)
class CustomerRow:
    key: str
    name: str
    country: str
    open_count: int
    figures: tuple[CurrencyFigures, ...]  # one per currency; empty: nothing owed or held
    oldest_due: date | None
    days_late: int  # of the oldest open invoice; zero or less while not yet due

    @classmethod
    def of(cls, line: CustomerLine, today: date) -> CustomerRow:
        return cls(
            line.key,
            line.name,
            line.country,
            line.open_count,
            line.figures,
            line.oldest_due,
            (today - line.oldest_due).days if line.oldest_due else 0,
        )

    @property
    def balances(self) -> list[Money]:
        return [f.balance for f in self.figures]

    @property
    def overdue(self) -> list[Money]:
        return [f.overdue for f in self.figures]


@dataclass(frozen=True)
class CustomerList:
    """One page of the list, and the links that change its search, order or page."""

    result: CustomerPage
    search: str
    sort: str
    descending: bool
    today: date
    as_of: date | None  # only when given in the address

    @property
    def rows(self) -> list[CustomerRow]:
        return [CustomerRow.of(line, self.today) for line in self.result.lines]

    def url(self, sort: str | None = None, descending: bool | None = None, page: int = 1) -> str:
        params: dict[str, str | int] = {}
        if self.search:
            params["q"] = self.search
        params["sort"] = sort or self.sort
        params["dir"] = "desc" if (self.descending if descending is None else descending) else "asc"
        if page > 1:
            params["page"] = page
        if self.as_of:
            params["as_of"] = self.as_of.isoformat()
        return "/customers?" + urlencode(params)

    def sort_url(self, column: str) -> str:
        """Sorted by `column`; the current column flips its direction. Amounts and ages
        start with the largest, names and keys with A."""
        if column == self.sort:
            return self.url(column, not self.descending)
        return self.url(column, column in ("balance", "overdue"))

    def aria_sort(self, column: str) -> str:
        if column != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"

    def page_url(self, page: int) -> str:
        return self.url(page=page)

    @property
    def first_row(self) -> int:
        return min(self.result.total, (self.result.page - 1) * self.result.per_page + 1)

    @property
    def last_row(self) -> int:
        return min(self.result.total, self.result.page * self.result.per_page)


@router.get("/customers", response_class=Response)
def customer_list(
    request: Request,
    _user: Viewer,
    book: BookDep,
    today: AsOf,
    q: Annotated[str, Query(max_length=200)] = "",
    sort: Annotated[str, Query(max_length=20)] = "name",
    order: Annotated[str, Query(alias="dir", pattern="^(asc|desc)$")] = "asc",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    if sort not in accounts.SORTS:
        raise BadRequest(_("Sort by one of: %(sorts)s.") % {"sorts": ", ".join(accounts.SORTS)})
    search = q.strip()
    result = accounts.list_customers(book, today, search, sort, order == "desc", page, PER_PAGE)
    given = today if "as_of" in request.query_params else None
    view = CustomerList(result, search, sort, order == "desc", today, given)
    context = {
        "active": "customers",
        "view": view,
        "columns": COLUMNS,
        "today": today,
        "table_id": TABLE_ID,
    }
    headers = {"Vary": "HX-Request, HX-Target"}
    partial = (
        is_htmx(request)
        and request.headers.get("HX-Target") == TABLE_ID
        and not request.headers.get("HX-History-Restore-Request")
    )
    name = "_customer_table.html" if partial else "customers.html"
    return render(request, name, context, headers=headers)


@dataclass(frozen=True)
class NextSteps:
    """One currency's collection case in plain words (from `recoup.services.run.explain`)."""

    currency: str
    notes: list[str]
    done: list[str]
    would_do: list[str]
    waiting: list[str]
    upcoming: list[str]
    next_review: date | None

    @classmethod
    def of(cls, case: dict[str, Any]) -> NextSteps:
        review = case.get("next_review")
        return cls(
            str(case["currency"]),
            list(case.get("notes", ())),
            list(case.get("done_this_cycle", ())),
            list(case.get("would_do", ())),
            list(case.get("waiting", ())),
            list(case.get("upcoming", ())),
            date.fromisoformat(review) if review else None,
        )

    @property
    def quiet(self) -> bool:
        """Nothing done, due, waiting or coming up."""
        return not (self.done or self.would_do or self.waiting or self.upcoming)


def next_steps(book: Book, key: str, as_of: date) -> list[NextSteps]:
    return [NextSteps.of(case) for case in daily_run.explain(book, key, as_of).cases]


def is_overdue(line: InvoiceLine) -> bool:
    return line.kind == "invoice" and line.open.minor > 0 and line.days_past_due > 0


@router.get("/customers/{key}", response_class=Response)
def account_page(
    request: Request,
    user: Viewer,
    book: BookDep,
    key: str,
    as_of: AsOf,
    show: Annotated[list[str] | None, Query(max_length=40)] = None,
) -> Response:
    if is_htmx(request) and request.headers.get("HX-Target") == casework.TIMELINE_ENTRIES_ID:
        given = as_of if "as_of" in request.query_params else None
        tl = casework.timeline(book, key, show or [], given)
        return render(request, "_timeline.html", {"tl": tl}, headers=VARY)
    with book.reading():  # the page's dozen reads in one transaction
        return render_account(request, user, book, key, as_of, show or [])


VARY = {"Vary": "HX-Request, HX-Target"}


def render_account(
    request: Request,
    user: User,
    book: Book,
    key: str,
    as_of: date,
    show: list[str],
    failed: casework.FormState | None = None,
) -> Response:
    """The account page; with `failed`, a refused case form shown open with its errors."""
    acct = accounts.account(book, key, as_of)
    given = "as_of" in request.query_params
    flash = "" if failed is not None else str(request.session.pop(casework.FLASH, "") or "")
    # the history timeline (filtered by `show`) and the case panels (issue 4)
    work = casework.account_context(
        book, key, acct, as_of, given, show, user, failed=failed, flash=flash
    )
    return render(
        request,
        "account.html",
        {
            "active": "customers",
            "acct": acct,
            "c": acct.customer,
            "charts": {a.currency: aging_chart(a) for a in acct.aging},
            "is_overdue": is_overdue,
            "overdue_count": sum(1 for line in acct.invoices if is_overdue(line)),
            "steps": next_steps(book, key, as_of),
            "as_of_given": given,
            **work,
        },
        status_code=422 if failed is not None else 200,
        headers=VARY,
    )
