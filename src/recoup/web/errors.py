"""Exceptions that carry their HTTP status, and the one place that turns them into pages."""

from __future__ import annotations

import logging
from typing import ClassVar
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from recoup.domain.money import MoneyError
from recoup.i18n import N_
from recoup.i18n import gettext as _
from recoup.services.accounts import NotFoundError
from recoup.services.run import UnknownCustomerError
from recoup.services.users import UserError
from recoup.web.context import render

log = logging.getLogger(__name__)


class WebError(Exception):
    """An error shown to the user as a page with `status_code`."""

    status_code: ClassVar[int] = 500
    title: ClassVar[str] = N_("Something went wrong")

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class BadRequest(WebError):  # noqa: N818 - named for the HTTP status
    status_code = 400
    title = N_("That request cannot be read")


class LoginRequired(WebError):  # noqa: N818 - a signal to redirect, not a failure
    status_code = 401
    title = N_("Please log in")


class Forbidden(WebError):  # noqa: N818 - named for the HTTP status
    status_code = 403
    title = N_("Not allowed")


class CsrfFailed(Forbidden):
    title = N_("The form has expired")

    def __init__(self) -> None:
        super().__init__(
            _(
                "The form was not sent with this session's security token. "
                "Reload the page and try again."
            )
        )


class NotFound(WebError):  # noqa: N818 - named for the HTTP status
    status_code = 404
    title = N_("Not found")


# Exceptions of the layers below, and what they become here.
SERVICE_ERRORS: dict[type[Exception], type[WebError]] = {
    NotFoundError: NotFound,
    UnknownCustomerError: NotFound,
    UserError: BadRequest,
    MoneyError: BadRequest,
}

_HTTP_TITLES = {404: N_("Page not found"), 405: N_("Method not allowed")}


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def login_url(request: Request) -> str:
    """/login?next=… pointing back at the page the user was on (its path only)."""
    if is_htmx(request) and request.headers.get("HX-Current-URL"):
        url = urlsplit(request.headers["HX-Current-URL"])
        target = url.path + (f"?{url.query}" if url.query else "")
    elif request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        target = "/"
    if target in ("", "/"):
        return "/login"
    return "/login?next=" + quote(target, safe="")


def error_page(request: Request, status: int, title: str, message: str) -> Response:
    return render(
        request,
        "error.html",
        {"status": status, "title": _(title), "message": message},
        status_code=status,
    )


async def _web_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebError)
    if isinstance(exc, LoginRequired):
        url = login_url(request)
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)
    return error_page(request, exc.status_code, exc.title, exc.message)


async def _service_error(request: Request, exc: Exception) -> Response:
    for cls in type(exc).__mro__:
        if cls in SERVICE_ERRORS:
            return await _web_error(request, SERVICE_ERRORS[cls](str(exc)))
    raise exc  # pragma: no cover - only registered for SERVICE_ERRORS


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    title = _HTTP_TITLES.get(exc.status_code, N_("Request failed"))
    message = "" if exc.detail in (None, title) else str(exc.detail)
    if exc.status_code == 404:
        message = _("There is no page at this address.")
    response = error_page(request, exc.status_code, title, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ())[1:]) or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return error_page(request, 400, BadRequest.title, "; ".join(parts))


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    try:
        return error_page(
            request, 500, WebError.title, _("The error has been logged. Please try again later.")
        )
    except Exception:  # the page itself failed: say so plainly
        log.exception("the error page failed too")
        return PlainTextResponse(f"500 {WebError.title}", status_code=500)


def install(app: FastAPI) -> None:
    """Register every handler: the only place where exceptions become responses."""
    app.add_exception_handler(WebError, _web_error)
    for cls in SERVICE_ERRORS:
        app.add_exception_handler(cls, _service_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
