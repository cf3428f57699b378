"""The outbox page: messages waiting (why, and until when), delivery problems (failed,
to be tried again, held by the set-up or the tone check, with what fixes them),
messages delivered recently and those withdrawn (why), a page at a time. Everyone
logged in may look; owners and collectors may "Send now", which runs a delivery
(`dispatch.dispatch`, as `recoup dispatch` does) and says what it did.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from recoup.services import dispatch, outbox_view
from recoup.services.outbox_view import SECTIONS
from recoup.web.auth import Collector, Viewer
from recoup.web.context import BookDep, render, web_context

router = APIRouter(prefix="/outbox")

FLASH = "outbox_sent"
Section = Annotated[str, Query(pattern="^(" + "|".join(SECTIONS) + ")$")]
PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]


def _url(section: str, page: int = 1) -> str:
    params: dict[str, Any] = {"section": section}
    if page > 1:
        params["page"] = page
    return "/outbox?" + urlencode(params)


@router.get("", response_class=Response)
def outbox_page(
    request: Request,
    _user: Viewer,
    book: BookDep,
    section: Section = "waiting",
    page: PageNumber = 1,
) -> Response:
    box = outbox_view.overview(book, section, page)
    return render(
        request,
        "outbox.html",
        {
            "active": "outbox",
            "box": box,
            "shown": box.section,
            "sections": SECTIONS,
            "section_url": _url,
            "page_url": lambda n: _url(section, n),
            "sent": request.session.pop(FLASH, None),
        },
    )


@router.post("/send", response_class=Response)
def send_now(request: Request, _user: Collector, book: BookDep) -> Response:
    settings = web_context(request).settings
    result = dispatch.dispatch(book, settings=settings)
    outcome = result.to_json()
    outcome.pop("waiting", None)  # the page lists what waits
    request.session[FLASH] = outcome
    return RedirectResponse(_url("delivered" if result.sent else "waiting"), status_code=303)
