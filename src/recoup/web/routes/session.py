"""Logging in and out, changing one's own password, and the language of one's pages.

A login attempt is counted (`recoup.web.login_limits`) before its password is checked;
past the limit the form says "Too many attempts; try again in N minutes" with HTTP 429.
Password checks pass through the gate of `recoup.services.passwords`; when it is full
the form asks to try again in a moment (503). These routes are plain `def` functions,
so FastAPI runs them in its thread pool and a waiting check never blocks the event loop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from recoup.i18n import gettext as _
from recoup.services import users
from recoup.services.passwords import PasswordsBusyError
from recoup.web.auth import Viewer, client_address, log_in, log_out, safe_next, session_user
from recoup.web.context import BookDep, render
from recoup.web.login_limits import LoginLimits

router = APIRouter()

PUBLIC_PATHS = frozenset({"/login"})
"""The only routes that need no login (tests check every other route needs a role)."""

BUSY_RETRY_SECONDS = 5


def login_limits(request: Request) -> LoginLimits:
    limits: LoginLimits = request.app.state.login_limits
    return limits


@router.get("/login", response_class=Response)
def login_form(
    request: Request,
    book: BookDep,
    next_url: Annotated[str, Query(alias="next", max_length=2000)] = "/",
) -> Response:
    if session_user(request, book) is not None:
        return RedirectResponse(safe_next(next_url), status_code=303)
    return render(request, "login.html", {"next": safe_next(next_url), "error": "", "username": ""})


@router.post("/login", response_class=Response)
def login(
    request: Request,
    book: BookDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next_url: Annotated[str, Form(alias="next", max_length=2000)] = "/",
) -> Response:
    name = username.strip()

    def refused(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
        context = {"next": safe_next(next_url), "error": message, "username": username}
        return render(request, "login.html", context, status_code=status, headers=headers)

    limits = login_limits(request)
    refusal = limits.attempt(name, client_address(request))
    if refusal is not None:
        return refused(refusal.message, 429, {"Retry-After": str(refusal.minutes * 60)})
    try:
        user = users.authenticate(book, name, password) if name else None
    except PasswordsBusyError as busy:
        return refused(str(busy), 503, {"Retry-After": str(BUSY_RETRY_SECONDS)})
    except users.UserDisabledError:
        return refused(_("This login is disabled. Ask an owner to enable it again."), 403)
    if user is None:
        return refused(_("That username and password do not match."), 401)
    limits.succeeded(name)
    log_in(request, book, user)
    return RedirectResponse(safe_next(next_url), status_code=303)


@router.post("/logout", response_class=Response)
def logout(request: Request, book: BookDep, _user: Viewer) -> Response:
    log_out(request, book)
    return RedirectResponse("/login", status_code=303)


@router.get("/password", response_class=Response)
def password_form(
    request: Request, user: Viewer, saved: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    """One's own page: the password, and the language of one's pages."""
    context = {"error": "", "done": False, "language_saved": saved == "language"}
    return render(request, "password.html", context)


@router.post("/language", response_class=Response)
def set_language(
    book: BookDep, user: Viewer, language: Annotated[str, Form(max_length=8)] = ""
) -> Response:
    """The language of one's pages from the next page on ("": the browser's)."""
    users.set_language(book, user.username, language.strip())  # else 400 (UserError)
    return RedirectResponse("/password?saved=language#language", status_code=303)


@router.post("/password", response_class=Response)
def change_password(
    request: Request,
    book: BookDep,
    user: Viewer,
    current: Annotated[str, Form(max_length=1024)] = "",
    new: Annotated[str, Form(max_length=1024)] = "",
    repeat: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Change one's own password: every session of the user ends (other browsers must
    log in again); this browser gets a new one."""

    def refused(message: str, status: int, headers: dict[str, str] | None = None) -> Response:
        context = {"error": message, "done": False, "language_saved": False}
        return render(request, "password.html", context, status_code=status, headers=headers)

    if new != repeat:
        return refused(_("The new password and its repetition differ."), 422)
    refusal = login_limits(request).attempt(user.username, client_address(request))
    if refusal is not None:
        return refused(refusal.message, 429, {"Retry-After": str(refusal.minutes * 60)})
    try:
        users.change_password(book, user.username, current, new)
    except PasswordsBusyError as busy:
        return refused(str(busy), 503, {"Retry-After": str(BUSY_RETRY_SECONDS)})
    except users.UserError as err:
        return refused(_sentence(str(err)), 422)
    login_limits(request).succeeded(user.username)
    log_in(request, book, user)
    return render(request, "password.html", {"error": "", "done": True, "language_saved": False})


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
