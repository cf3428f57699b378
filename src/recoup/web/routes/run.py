"""Today's run: a preview of what the daily run will do (its dry run: emails, letters,
calls, fees and interest, recommendations, and what waits, each with its reason),
paged by group; then "Run" records it and shows what it did. Collectors may look at
the preview; only owners run. The handlers are plain `def`: FastAPI runs them in its
thread pool, so a long preview never holds up the other pages.

The preview is the run's dry run, computed afresh for every page; on a very large book
it takes as long as the run does.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from recoup.services import run_preview
from recoup.services.run_preview import GROUPS, RunView
from recoup.web.auth import Collector, Owner
from recoup.web.context import AsOf, BookDep, render, web_context

router = APIRouter(prefix="/run")

SHOWN_AFTER_RUN = 25  # actions of each group listed after a run (the outbox has them all)

Group = Annotated[str, Query(pattern="^(" + "|".join(GROUPS) + ")$")]
PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]


def _query(as_of: date | None, **more: object) -> str:
    params = {k: str(v) for k, v in more.items() if v is not None}
    if as_of is not None:
        params["as_of"] = as_of.isoformat()
    return ("?" + urlencode(params)) if params else ""


@router.get("", response_class=Response)
def run_page(
    request: Request,
    _user: Collector,
    book: BookDep,
    as_of: AsOf,
    group: Group | None = None,
    page: PageNumber = 1,
) -> Response:
    given = as_of if "as_of" in request.query_params else None
    view = run_preview.preview(book, as_of)
    chosen = group or view.first_group
    shown = run_preview.page(book, view, chosen, page)
    return render(
        request,
        "run.html",
        {
            "active": "run",
            "as_of": as_of,
            "as_of_given": given is not None,
            "view": view,
            "groups": GROUPS,
            "shown": shown,
            "group_url": lambda g: "/run" + _query(given, group=g),
            "page_url": lambda n: "/run" + _query(given, group=chosen, page=n),
            "qs": _query(given),
        },
    )


@router.post("", response_class=Response)
def run_now(request: Request, _user: Owner, book: BookDep, as_of: AsOf) -> Response:
    given = as_of if "as_of" in request.query_params else None
    settings = web_context(request).settings
    view: RunView = run_preview.run(book, as_of, batch_size=settings.run_batch)
    pages = {
        g: run_preview.page(book, view, g, 1, per_page=SHOWN_AFTER_RUN)
        for g in GROUPS
        if view.count(g)
    }
    return render(
        request,
        "run_done.html",
        {
            "active": "run",
            "as_of": as_of,
            "as_of_given": given is not None,
            "view": view,
            "groups": GROUPS,
            "pages": pages,
            "qs": _query(given),
        },
    )
