"""Who is asking, and may they: sessions, roles and CSRF tokens.

The session cookie (signed, Starlette's SessionMiddleware) holds a random session token
and a random CSRF token. The token names a session kept in the book
(`recoup.services.sessions`): the session and its user are looked up on every request,
so a logout, a password change, a disabled user or an owner's "sign out everywhere"
ends it at once, and a changed role takes effect at once. A copy of the cookie is worth
nothing after that. Routes declare the role they need with one of the aliases below
(`Viewer`, `Collector`, `Owner`), all made by `require(role)`.

Every POST, PUT, PATCH or DELETE must carry the session's token, as the form field
`csrf_token` or the header `X-CSRF-Token` (HTMX sends it from `hx-headers` on <body>).
The login form has one too, bound to the session before login; logging in issues a new
one.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.datastructures import FormData

from recoup.i18n import gettext as _
from recoup.services import sessions
from recoup.services.book import Book
from recoup.services.users import Role, User
from recoup.web.context import BookDep, get_book
from recoup.web.errors import CsrfFailed, Forbidden, LoginRequired
from recoup.web.formatting import role_word

SESSION_TOKEN = "sid"
SESSION_CSRF = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token(request: Request) -> str:
    """This session's CSRF token, made on first use."""
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Refuse (403) a state-changing request without this session's token.

    Installed on the whole app, so no route can forget it.
    """
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get(SESSION_CSRF)
    sent: Any = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form: FormData = await request.form()
            sent = form.get(CSRF_FIELD)
    if not (
        isinstance(expected, str)
        and expected
        and isinstance(sent, str)
        and secrets.compare_digest(sent.encode(), expected.encode())
    ):
        raise CsrfFailed


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def log_in(request: Request, book: Book, user: User) -> None:
    """Start a fresh session for `user` (a new session row, a new CSRF token)."""
    token = sessions.start(
        book,
        user,
        user_agent=request.headers.get("user-agent", ""),
        address=client_address(request),
    )
    request.session.clear()
    request.session[SESSION_TOKEN] = token
    csrf_token(request)
    request.state.user = user


def log_out(request: Request, book: Book) -> None:
    """End this browser's session in the book, and forget the cookie's contents."""
    token = request.session.get(SESSION_TOKEN)
    if isinstance(token, str) and token:
        sessions.end(book, token, "logout")
    request.session.clear()
    request.state.user = None


def session_user(request: Request, book: BookDep) -> User | None:
    """The user of this request's open session, or None. Also kept on request.state for
    the page layout."""
    cached = getattr(request.state, "user", None)
    if isinstance(cached, User):
        return cached
    token = request.session.get(SESSION_TOKEN)
    if not isinstance(token, str) or not token:
        return None
    user = sessions.user_for(book, token)
    if user is None:  # ended, expired, or its user disabled
        request.session.pop(SESSION_TOKEN, None)
        return None
    request.state.user = user
    return user


def current_user(user: Annotated[User | None, Depends(session_user)]) -> User:
    if user is None:
        raise LoginRequired
    return user


CurrentUser = Annotated[User, Depends(current_user)]


class RoleCheck:
    """The dependency that lets a route run only for users with `role` or a higher one."""

    def __init__(self, role: Role) -> None:
        self.role = role

    def __call__(self, user: CurrentUser) -> User:
        if not user.may(self.role):
            raise Forbidden(
                _("This page needs the %(needed)s role; you are %(role)s.")
                % {"needed": role_word(self.role), "role": role_word(user.role)}
            )
        return user

    def __repr__(self) -> str:
        return f"require({self.role.value})"


def require(role: Role) -> RoleCheck:
    return RoleCheck(role)


Viewer = Annotated[User, Depends(require(Role.VIEWER))]
Collector = Annotated[User, Depends(require(Role.COLLECTOR))]
Owner = Annotated[User, Depends(require(Role.OWNER))]


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this site only (never another host)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return "/"
    return target


def page_context(request: Request) -> dict[str, Any]:
    """Added to every template: the user (when known) and the CSRF token."""
    if "session" not in request.scope:  # an error before the session middleware ran
        return {"user": None, "csrf_token": ""}
    # On pages whose route did not look the user up (an unknown address), do it here.
    user = session_user(request, get_book(request))
    return {"user": user, "csrf_token": csrf_token(request)}
