"""The dashboard: what is owed, what is late, how fast customers pay."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from recoup.services import daily_run, reports
from recoup.services.reports import CurrencyAging, CurrencyDso, OverdueAccount
from recoup.web.auth import Viewer
from recoup.web.charts import BarChart, aging_chart
from recoup.web.context import AsOf, BookDep, render

router = APIRouter()

DSO_WINDOW_DAYS = 90
TOP_OVERDUE = 10
OUTBOX_WAITING = "pending"  # the outbox state of messages not yet sent


@dataclass(frozen=True)
class CurrencyBlock:
    """Everything the dashboard shows for one currency."""

    aging: CurrencyAging
    dso: CurrencyDso | None
    chart: BarChart

    @property
    def currency(self) -> str:
        return self.aging.currency

    @property
    def overdue_share(self) -> float | None:
        """The overdue part of the total, in per cent."""
        if self.aging.total.minor <= 0:
            return None
        return round(100 * self.aging.overdue.minor / self.aging.total.minor, 1)


def currency_blocks(aging: reports.AgingReport, dso: reports.DsoReport) -> list[CurrencyBlock]:
    dso_by = {d.currency: d for d in dso.currencies}
    return [CurrencyBlock(a, dso_by.get(a.currency), aging_chart(a)) for a in aging.currencies]


@router.get("/", response_class=Response)
def dashboard(request: Request, _user: Viewer, book: BookDep, as_of: AsOf) -> Response:
    aging = reports.aging(book, as_of)
    dso = reports.dso(book, as_of, DSO_WINDOW_DAYS)
    top: list[OverdueAccount] = reports.top_overdue(book, as_of, TOP_OVERDUE)
    tasks = len(daily_run.worklist(book, as_of))
    waiting = len(daily_run.list_outbox(book, OUTBOX_WAITING))
    return render(
        request,
        "dashboard.html",
        {
            "active": "dashboard",
            "as_of": as_of,
            "as_of_given": "as_of" in request.query_params,
            "blocks": currency_blocks(aging, dso),
            "top": top,
            "window": DSO_WINDOW_DAYS,
            "tasks": tasks,
            "waiting": waiting,
        },
    )
