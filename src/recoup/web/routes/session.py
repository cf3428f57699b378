"""Logging in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from recoup.services import users
from recoup.web.auth import Viewer, log_in, log_out, safe_next, session_user
from recoup.web.context import BookDep, render

router = APIRouter()

PUBLIC_PATHS = frozenset({"/login"})
"""The only routes that need no login (tests check every other route needs a role)."""


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
    user = users.authenticate(book, username.strip(), password) if username.strip() else None
    if user is None:
        return render(
            request,
            "login.html",
            {
                "next": safe_next(next_url),
                "error": "That username and password do not match.",
                "username": username,
            },
            status_code=401,
        )
    log_in(request, user)
    return RedirectResponse(safe_next(next_url), status_code=303)


@router.post("/logout", response_class=Response)
def logout(request: Request, _user: Viewer) -> Response:
    log_out(request)
    return RedirectResponse("/login", status_code=303)
