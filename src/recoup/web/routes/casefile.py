"""The court case file of an account (PDF, zip of originals) and the documents attached
to its history, as downloads. Collectors and owners only: they hold personal data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from recoup.services import casefile, history
from recoup.settings import Settings
from recoup.web.auth import Collector
from recoup.web.context import AsOf, BookDep, web_context
from recoup.web.errors import NotFound

router = APIRouter()


def _download(content: bytes, media_type: str, filename: str) -> Response:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in filename)
    return Response(
        content,
        media_type=media_type,
        headers={
            "content-disposition": f'attachment; filename="{safe}"',
            "cache-control": "no-store",
        },
    )


def _creditor(request: Request) -> str:
    """The business's name for the cover, when one is set."""
    settings = web_context(request).settings
    default = Settings.model_fields["business_name"].default
    return "" if settings.business_name == default else settings.business_name


@router.get("/customers/{key}/casefile.pdf", response_class=Response)
def casefile_pdf(
    request: Request, _user: Collector, book: BookDep, key: str, as_of: AsOf
) -> Response:
    made = casefile.render(book, key, as_of, creditor=_creditor(request))
    return _download(made.pdf, "application/pdf", f"casefile-{key}-{as_of.isoformat()}.pdf")


@router.get("/customers/{key}/casefile.zip", response_class=Response)
def casefile_zip(
    request: Request, _user: Collector, book: BookDep, key: str, as_of: AsOf
) -> Response:
    made = casefile.render(book, key, as_of, creditor=_creditor(request))
    return _download(made.zip, "application/zip", f"casefile-{key}-{as_of.isoformat()}.zip")


@router.get("/customers/{key}/document", response_class=Response)
def document(
    _user: Collector,
    book: BookDep,
    key: str,
    entry: Annotated[int, Query(ge=1)],
    n: Annotated[int, Query(ge=0, le=1000)] = 0,
) -> Response:
    """Attachment `n` of history entry `entry`, which must belong to customer `key`."""
    if entry not in {e.id for e in history.entries(book, key)}:
        raise NotFound(f"Customer {key} has no history entry {entry}.")
    docs = history.entry_documents(book, entry)
    if n >= len(docs):
        raise NotFound(f"History entry {entry} has no attachment {n + 1}.")
    name, media_type, content = docs[n]
    return _download(content, media_type or "application/octet-stream", name)
