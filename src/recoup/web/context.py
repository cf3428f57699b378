"""What every route shares: the settings, the book, the templates; and page rendering."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Query, Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.responses import Response

from recoup import i18n
from recoup.clock import local_today
from recoup.services.book import Book
from recoup.settings import Settings
from recoup.web.charts import bucket_label
from recoup.web.formatting import Formats

ContextProcessor = Callable[[Request], dict[str, Any]]

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"


def htmx_file() -> str:
    """The vendored htmx, whose file name carries its version."""
    found = sorted(p.name for p in STATIC.glob("htmx-*.min.js"))
    if not found:
        raise RuntimeError(f"htmx is missing from {STATIC}")
    return found[-1]


@dataclass
class WebContext:
    settings: Settings
    book: Book
    formats: Formats
    page_context: Sequence[ContextProcessor] = ()
    """Called for every page; their dicts are added to the template context."""
    templates: Jinja2Templates = field(init=False)
    _versions: dict[str, str] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        env = Environment(
            loader=PackageLoader("recoup.web", "templates"),
            autoescape=select_autoescape(["html", "svg"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        )
        # _(), gettext, ngettext, pgettext and {% trans %} in the request's language;
        # a {% trans %} block's lines joined as `pybabel extract` (babel.cfg) reads them
        env.policies["ext.i18n.trimmed"] = True
        env.install_gettext_callables(  # type: ignore[attr-defined]
            i18n.gettext,
            i18n.ngettext,
            newstyle=True,
            pgettext=i18n.pgettext,
            npgettext=i18n.npgettext,
        )
        self.formats.install(env)
        env.filters["path_part"] = _path_part
        env.filters["bucket"] = bucket_label
        env.globals["static_url"] = self.static_url
        env.globals["htmx_file"] = htmx_file()
        self.templates = Jinja2Templates(env=env, context_processors=list(self.page_context))

    def static_url(self, name: str) -> str:
        """/static/<name>?v=<content hash>, so browsers never keep a stale copy."""
        if name not in self._versions:
            digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]
            self._versions[name] = digest
        return f"/static/{name}?v={self._versions[name]}"


def _path_part(value: str) -> str:
    """`value` quoted for one segment of a path ("/" included)."""
    return quote(value, safe="")


def web_context(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.web
    return ctx


def get_book(request: Request) -> Book:
    return web_context(request).book


def get_as_of(
    as_of: Annotated[
        date | None, Query(description="Show the book as on this day (YYYY-MM-DD).")
    ] = None,
) -> date:
    """The day the pages are computed for: today, unless `?as_of=` says otherwise."""
    return as_of or local_today()


BookDep = Annotated[Book, Depends(get_book)]
AsOf = Annotated[date, Depends(get_as_of)]


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The template `name` rendered with `context` and the shared page context."""
    templates = web_context(request).templates
    full = {"active": "", **(context or {})}
    return templates.TemplateResponse(request, name, full, status_code=status_code, headers=headers)
