"""The language of each request: the user's own setting (their settings page), else the
browser's `Accept-Language`, else the server's locale setting (`RECOUP_LOCALE`; English
by default). `Speaking` sets it (`recoup.i18n`) around each request, so the route, its
forms' errors, the templates (gettext through `jinja2.ext.i18n`) and the figures'
filters (`recoup.web.formatting`) all speak it.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from recoup import i18n
from recoup.services.users import User
from recoup.web.auth import session_user
from recoup.web.context import get_book


def choose(user: User | None, accept_language: str, default: str) -> i18n.Speech:
    """The speech of one request: `user`'s language when they chose one (its figures in
    the server's locale when that is the same language, else in the browser's region for
    it), else what the browser asks for, else `default` (`recoup.i18n.negotiate`)."""
    if user is not None and user.language in i18n.LANGUAGES:
        return i18n.for_language(user.language, default, *i18n.accept_language(accept_language))
    return i18n.negotiate(accept_language, default)


class Speaking:
    """Sets the request's speech (`choose`) for the rest of the app. It sits inside the
    session middleware, looks the session's user up (`recoup.web.auth.session_user`,
    which keeps it on the request for the route) and leaves static files alone."""

    def __init__(self, app: ASGIApp, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith("/static/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        user = None
        if "session" in scope:
            user = await run_in_threadpool(session_user, request, get_book(request))
        speech = choose(user, request.headers.get("accept-language", ""), self.default)
        with i18n.speaking(speech):
            await self.app(scope, receive, send)
