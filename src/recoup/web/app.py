"""The app factory. Nothing is configured at import time.

uvicorn.run("recoup.web.app:app_from_environment", factory=True)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recoup import clock
from recoup.services import business_details, keys, sessions
from recoup.services.book import Book
from recoup.settings import Settings
from recoup.web import errors
from recoup.web.auth import page_context, verify_csrf
from recoup.web.context import STATIC, WebContext
from recoup.web.formatting import Formats
from recoup.web.language import Speaking
from recoup.web.login_limits import LoginLimits
from recoup.web.routes import (
    admin,
    approvals,
    bank,
    casefile,
    casework,
    customers,
    dashboard,
    imports,
    outbox,
    run,
    session,
    templates,
    worklist,
)

ROUTERS = (
    session.router,
    dashboard.router,
    customers.router,
    worklist.router,
    admin.router,
    casework.router,
    casefile.router,
    approvals.router,
    templates.router,
    imports.router,
    imports.upload_router,
    run.router,
    outbox.router,
    bank.router,
    bank.upload_router,
)
"""Every page group's routes (tests walk them to check each declares a role)."""

SESSION_COOKIE = "recoup_session"
SESSION_MAX_AGE = int(sessions.LIFETIME.total_seconds())  # a working day, then log in again

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}
NO_STORE = (b"cache-control", b"no-store")
"""On every page but static files: a page seen while logged in is not kept by the
browser, so after logging out "back" asks the server again (which asks to log in)."""


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        path = str(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                if b"cache-control" not in present and not path.startswith("/static/"):
                    headers.append(NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ActingAt:
    """Serves every request at a set moment (`Settings.now`, `recoup --now ... serve`):
    each page's today and each change's time is that moment's (`recoup.clock`). The
    moment is set for the request alone (a context variable; the threads that run sync
    routes inherit it)."""

    def __init__(self, app: ASGIApp, moment: datetime) -> None:
        self.app = app
        self.moment = moment

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with clock.acting_at(self.moment):
            await self.app(scope, receive, send)


def create_app(settings: Settings, book: Book | None = None) -> FastAPI:
    """The web UI over `book` (opened from `settings.database_url` when not given; a book
    opened here is closed when the app shuts down). With `settings.now`, every request is
    served at that moment (`ActingAt`)."""
    moment = clock.parse_moment(settings.now) if settings.now else None
    owns_book = book is None
    the_book = book if book is not None else Book.open(settings.database_url)
    settings = business_details.apply(settings.model_copy(), the_book)  # the book's own

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_book:
            the_book.close()

    app = FastAPI(
        title="Recoup",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        dependencies=[Depends(verify_csrf)],
    )
    app.state.web = WebContext(
        settings, the_book, Formats(settings.locale), page_context=(page_context,)
    )
    app.state.login_limits = LoginLimits(settings)
    app.add_middleware(Speaking, default=settings.locale)  # inside the session's
    app.add_middleware(
        SessionMiddleware,
        secret_key=keys.session_secret(the_book, settings.secret_key, settings.key_dir),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.https_only,
    )
    app.add_middleware(SecurityHeaders)
    if moment is not None:
        app.add_middleware(ActingAt, moment=moment)
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def app_from_environment() -> FastAPI:
    """The app with settings from RECOUP_* environment variables (uvicorn's factory)."""
    return create_app(Settings())
