"""The dashboard: what is owed, what is late, how fast customers pay."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from recoup.services import dashboard as dashboard_figures
from recoup.services import doctor, reports
from recoup.services.book import Book
from recoup.services.reports import CurrencyAging, CurrencyDso
from recoup.settings import Settings
from recoup.web.auth import Viewer
from recoup.web.charts import BarChart, aging_chart
from recoup.web.context import AsOf, BookDep, render, web_context

router = APIRouter()

DSO_WINDOW_DAYS = 90
TOP_OVERDUE = 10
SETUP_SECONDS = 10.0  # the set-up checklist is at most this old (recoup doctor's report)
SMTP_SECONDS = 300.0  # the mail server is asked at most this often from the web
SMTP_TIMEOUT = 3.0  # seconds: a page waits no longer for the mail server


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
    with book.reading():  # the page's reads in one transaction
        return _dashboard(request, book, as_of)


def _dashboard(request: Request, book: Book, as_of: date) -> Response:
    found = dashboard_figures.figures(book, as_of, DSO_WINDOW_DAYS, TOP_OVERDUE)
    outbox = found.outbox
    setup = setup_report(request, book)
    return render(
        request,
        "dashboard.html",
        {
            "active": "dashboard",
            "as_of": as_of,
            "as_of_given": "as_of" in request.query_params,
            "blocks": currency_blocks(found.aging, found.dso),
            "top": found.top,
            "window": DSO_WINDOW_DAYS,
            "tasks": found.tasks,
            "waiting": outbox.waiting,
            "delivered": outbox.sent,
            "setup": setup,
        },
    )


def setup_report(request: Request, book: Book) -> doctor.Report:
    """`recoup doctor`'s report for the "Set-up checklist", kept for SETUP_SECONDS; the
    mail server's answer is kept for SMTP_SECONDS, so that a server that does not
    answer slows a page down at most once in that time. When the report is due to be
    made again, one request makes it and those that come meanwhile show the last one
    (twenty collectors do not all check the set-up at once)."""
    state = request.app.state
    now = time.monotonic()
    kept: tuple[float, doctor.Report] | None = getattr(state, "setup_report", None)
    if kept is not None and now - kept[0] < SETUP_SECONDS:
        return kept[1]
    # one request makes it again; those that come meanwhile show the one before
    if not _setup_lock.acquire(blocking=kept is None):
        assert kept is not None
        return kept[1]
    try:
        return _checked(request, book, state, now)
    finally:
        _setup_lock.release()


_setup_lock = threading.Lock()


def _checked(request: Request, book: Book, state: Any, now: float) -> doctor.Report:
    kept: tuple[float, doctor.Report] | None = getattr(state, "setup_report", None)
    if kept is not None and now - kept[0] < SETUP_SECONDS:
        return kept[1]  # made while this request waited for the lock

    def probe(settings: Settings) -> doctor.Gap | None:
        asked: tuple[float, str | None, doctor.Gap | None] | None = getattr(
            state, "setup_smtp", None
        )
        if asked is None or asked[1] != settings.smtp_url or now - asked[0] >= SMTP_SECONDS:
            asked = (now, settings.smtp_url, doctor.smtp_gap(settings, SMTP_TIMEOUT))
            state.setup_smtp = asked
        return asked[2]

    report = doctor.check(book, web_context(request).settings, probe=probe)
    state.setup_report = (now, report)
    return report
