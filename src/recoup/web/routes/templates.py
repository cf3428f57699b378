"""The Templates page: every message template, a preview with a real account's data,
the tone check's findings, a test send to oneself, and (for the owner) editing and
signing off a version that the tone check flags, so that its messages may go out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from recoup.clock import now as clock_now
from recoup.i18n import gettext as _
from recoup.messages.labels import LANGUAGES
from recoup.services import template_gate, templates
from recoup.services.accounts import NotFoundError
from recoup.services.book import Book
from recoup.web.auth import Collector, Owner, Viewer
from recoup.web.context import AsOf, BookDep, render, web_context
from recoup.web.errors import BadRequest, NotFound

router = APIRouter(prefix="/templates")

Lang = Annotated[str, Query(pattern="^(en|de|fr)$")]
# the rendered email in a frame of its own: its inline styles allowed, nothing else
EMAIL_FRAME_HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "img-src data:; frame-ancestors 'self'",
    "x-frame-options": "SAMEORIGIN",
}


@router.get("", response_class=Response)
def template_list(request: Request, _user: Viewer, book: BookDep) -> Response:
    settings = web_context(request).settings
    rows = templates.list_templates(book, settings)
    held: dict[str, list[str]] = {}
    for g in template_gate.held_templates(book, settings):
        held.setdefault(g.name, []).append(g.language)
    return render(request, "templates.html", {"active": "templates", "rows": rows, "held": held})


def _page(
    request: Request,
    book: Book,
    name: str,
    lang: str,
    customer: str,
    today: date,
    *,
    source: str | None = None,
    message: str = "",
    status: int = 200,
) -> Response:
    settings = web_context(request).settings
    try:
        shown = templates.preview(
            book,
            name,
            customer=customer or None,
            as_of=today,
            settings=settings,
            language=lang,
            source=source,
        )
        gate = template_gate.check(book, name, lang, settings)
    except NotFoundError as err:
        raise NotFound(str(err)) from None
    return render(
        request,
        "template.html",
        {
            "active": "templates",
            "name": name,
            "lang": lang,
            "languages": LANGUAGES,
            "customer": customer,
            "shown": shown,
            "gate": gate,
            "message": message,
        },
        status_code=status,
    )


@router.get("/{name}", response_class=Response)
def template_page(
    request: Request,
    _user: Viewer,
    book: BookDep,
    today: AsOf,
    name: str,
    lang: Lang = "en",
    customer: str = "",
) -> Response:
    return _page(request, book, name, lang, customer, today)


@router.get("/{name}/email", response_class=Response)
def template_email(
    request: Request,
    _user: Viewer,
    book: BookDep,
    today: AsOf,
    name: str,
    lang: Lang = "en",
    customer: str = "",
) -> Response:
    settings = web_context(request).settings
    try:
        shown = templates.preview(
            book, name, customer=customer or None, as_of=today, settings=settings, language=lang
        )
    except NotFoundError as err:
        raise NotFound(str(err)) from None
    html = shown.rendered.html if shown.rendered else f"<p>{shown.problem}</p>"
    return Response(html, media_type="text/html", headers=EMAIL_FRAME_HEADERS)


@dataclass(frozen=True)
class PostedFrom:
    """The template page a form was posted from: the template, and the language and
    customer of its preview (form fields); `page()` draws it again."""

    request: Request
    book: Book
    today: date
    name: str
    lang: str
    customer: str

    def page(self, *, source: str | None = None, message: str = "", status: int = 200) -> Response:
        return _page(
            self.request,
            self.book,
            self.name,
            self.lang,
            self.customer,
            self.today,
            source=source,
            message=message,
            status=status,
        )


def _posted_from(
    request: Request,
    book: BookDep,
    today: AsOf,
    name: str,
    lang: Annotated[str, Form()] = "en",
    customer: Annotated[str, Form()] = "",
) -> PostedFrom:
    return PostedFrom(request, book, today, name, lang, customer)


Posted = Annotated[PostedFrom, Depends(_posted_from)]


@router.post("/{name}/save", response_class=Response)
def template_save(user: Owner, posted: Posted, source: Annotated[str, Form()]) -> Response:
    if posted.lang not in LANGUAGES:
        raise BadRequest("unknown language")
    try:
        templates.save_template(
            posted.book, posted.name, posted.lang, source.replace("\r\n", "\n"), user=user.username
        )
    except templates.TemplateRefusedError:
        return posted.page(
            source=source,
            status=422,
            message=_("Not saved: the tone check found the problems listed below."),
        )
    except ValueError as err:
        raise BadRequest(str(err)) from None
    return posted.page(message=_("Saved."))


@router.post("/{name}/test", response_class=Response)
def template_test(_user: Collector, posted: Posted, to: Annotated[str, Form()]) -> Response:
    settings = web_context(posted.request).settings
    try:
        mid = templates.send_test(
            posted.book,
            posted.name,
            to=to,
            settings=settings,
            customer=posted.customer or None,
            language=posted.lang,
            as_of=posted.today,
        )
        message = _("Test sent to %(to)s (%(id)s).") % {"to": to, "id": mid}
        status = 200
    except (ValueError, templates.TemplateProblem, OSError) as err:
        message, status = f"Not sent: {err}", 422
    return posted.page(message=message, status=status)


@router.post("/{name}/approve", response_class=Response)
def template_approve(user: Owner, posted: Posted, checksum: Annotated[str, Form()]) -> Response:
    """An owner signs off the version shown (by its checksum): if the text changed since
    the page was drawn, nothing is signed off and the new version is shown instead."""
    if posted.lang not in LANGUAGES:
        raise BadRequest("unknown language")
    try:
        template_gate.approve(
            posted.book,
            posted.name,
            posted.lang,
            user=user.username,
            role=user.role,
            at=clock_now(),
            settings=web_context(posted.request).settings,
            expected=checksum,
        )
    except NotFoundError as err:
        raise NotFound(str(err)) from None
    except template_gate.VersionChangedError:
        message = _(
            "Not signed off: the template changed since the page was shown; check it again."
        )
        return posted.page(message=message, status=409)
    except template_gate.SignOffRefusedError as err:
        return posted.page(message=str(err), status=403)
    return posted.page(message=_("Signed off: messages from this version may go out."))
