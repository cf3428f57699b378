"""The import page: upload a CSV or XLSX file of customers, invoices or payments; see
which column feeds which field and how dates, amounts and currencies are read (as
detected, and changed where needed); check it (the dry run: what it would import and
update, or its problems grouped by kind); then import it (one transaction: a refused
import leaves the book as it was). Owners and collectors; viewers are refused.

An e-invoice (UBL, CII, or a Factur-X/ZUGFeRD PDF), told by its content as `recoup
import invoices` tells it, is an invoice import whatever kind was chosen: the page
shows what the document says (or its problems by element path) instead of columns,
and checks and imports it through the command line's service.

The file is kept between the steps in a folder of this session's own (`web.uploads`)
and removed once imported or given up. What the page says is in `import.html`; the
code passes codes (an error's kind, a result's counts), not sentences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from recoup.domain.problems import Problem
from recoup.services import einvoice_preview, import_preview, problem_groups
from recoup.services.book import Book
from recoup.services.import_preview import DATE_FORMATS, Detection, Kind, Options
from recoup.services.import_report import ImportReport
from recoup.services.problem_groups import ProblemGroup
from recoup.web.auth import Collector
from recoup.web.context import BookDep, render, web_context
from recoup.web.uploads import Upload, UploadTooLarge, limited_upload, safe_name, uploads

router = APIRouter(prefix="/import")
upload_router = APIRouter(
    prefix="/import", route_class=limited_upload(lambda r, e: too_large(r, e))
)

FLASH = "import_done"
KINDS = tuple(k.value for k in Kind)
DECIMALS = (".", ",")
DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", "bar": "|"}
ENCODINGS = ("utf-8", "cp1252", "latin-1", "utf-16")
EXAMPLE_DAY = (2026, 12, 31)  # the day the date formats are shown with
MAX_TERMS = 3650


async def _fields(request: Request) -> dict[str, str]:
    """The posted form's text fields (read once; the CSRF check has read it already)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


async def _file(request: Request) -> UploadFile | None:
    found = (await request.form()).get("file")
    return found if isinstance(found, UploadFile) else None


FormFields = Annotated[dict[str, str], Depends(_fields)]
FormFile = Annotated[UploadFile | None, Depends(_file)]


@dataclass(frozen=True)
class ShownGroup:
    """A group of problems with the places of its first few: file:line:column."""

    group: ProblemGroup

    @property
    def places(self) -> list[str]:
        return [p.place for p in self.group.first]


def _groups(problems: list[Problem]) -> list[ShownGroup]:
    return [ShownGroup(g) for g in problem_groups.grouped(problems)]


def _date_formats() -> list[tuple[str, str]]:
    from datetime import date

    day = date(*EXAMPLE_DAY)
    return [(fmt, day.strftime(fmt)) for fmt in DATE_FORMATS]


def options_from(kept: dict[str, Any], max_line_bytes: int) -> Options:
    """The import's options from what the session keeps of the page's choices."""
    columns = kept.get("columns")
    terms = kept.get("terms_days")
    return Options(
        columns=dict(columns) if isinstance(columns, dict) else {},
        date_format=kept.get("date_format") or None,
        currency=kept.get("currency") or None,
        decimal=kept.get("decimal") or None,
        encoding=kept.get("encoding") or None,
        delimiter=DELIMITERS.get(str(kept.get("delimiter") or "")),
        sheet=kept.get("sheet") or None,
        terms_days=int(terms) if isinstance(terms, int) else None,
        max_line_bytes=max_line_bytes,
    )


def read_choices(
    form: dict[str, str], kept: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The page's choices from a posted form, and what is wrong with them (field ->
    the kind of error; the words are the template's)."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    fmt = form.get("date_format", "")
    out["date_format"] = fmt if fmt in DATE_FORMATS else ""
    decimal = form.get("decimal", "")
    out["decimal"] = decimal if decimal in DECIMALS else ""
    currency = form.get("currency", "").strip().upper()
    if currency and not (len(currency) == 3 and currency.isalpha() and currency.isascii()):
        errors["currency"] = "not_a_code"
    out["currency"] = currency
    terms = form.get("terms_days", "").strip()
    if terms and not (terms.isdigit() and int(terms) <= MAX_TERMS):
        errors["terms_days"] = "not_days"
    out["terms_days"] = int(terms) if terms.isdigit() and int(terms) <= MAX_TERMS else None
    delimiter = form.get("delimiter", "")
    out["delimiter"] = delimiter if delimiter in DELIMITERS else ""
    encoding = form.get("encoding", "")
    out["encoding"] = encoding if encoding in ENCODINGS else ""
    out["sheet"] = form.get("sheet", "").strip()[:100]
    reading = ("delimiter", "encoding", "sheet")
    if any(out[k] != (kept.get(k) or "") for k in reading):
        out["columns"] = {}  # another reading of the file: its columns are found afresh
    else:
        columns: dict[str, str] = {}
        for key, value in form.items():
            if key.startswith("col-") and key[4:].isdigit():
                name = form.get("name-" + key[4:], "")
                if name:
                    columns[name] = value
        out["columns"] = columns
    return out, errors


@dataclass
class PageState:
    upload: Upload | None
    detection: Detection | None = None
    report: ImportReport | None = None  # of the check, or of a refused import
    checked: bool = False  # the report is a dry run's
    errors: dict[str, str] | None = None


def _page(request: Request, state: PageState, status: int = 200) -> Response:
    settings = web_context(request).settings
    kept = state.upload.options if state.upload else {}
    report = state.report
    return render(
        request,
        "import.html",
        {
            "active": "import",
            "kinds": KINDS,
            "upload": state.upload,
            "det": state.detection,
            "einvoice": state.detection.einvoice if state.detection else None,
            "choices": kept,
            "errors": state.errors or {},
            "report": report,
            "checked": state.checked,
            "groups": _groups(report.problems) if report is not None else [],
            "reading_groups": _groups(state.detection.problems) if state.detection else [],
            "date_formats": _date_formats(),
            "delimiters": DELIMITERS,
            "encodings": ENCODINGS,
            "limit": settings.web_upload_max_bytes,
            "done": request.session.pop(FLASH, None) if status == 200 else None,
        },
        status_code=status,
    )


def _detect(request: Request, upload: Upload) -> Detection:
    settings = web_context(request).settings
    options = options_from(upload.options, settings.import_max_line_bytes)
    return import_preview.detect(Kind(upload.kind), upload.path, options)


@router.get("", response_class=Response)
def import_page(request: Request, _user: Collector) -> Response:
    upload = uploads(request).current(request.session)
    state = PageState(upload)
    if upload is not None:
        state.detection = _detect(request, upload)
    return _page(request, state)


async def too_large(request: Request, err: UploadTooLarge) -> Response:
    """The page saying the file is over the limit (what the upload route answers)."""
    return await run_in_threadpool(_too_large_page, request, err)


def _too_large_page(request: Request, err: UploadTooLarge) -> Response:
    return render(
        request,
        "import_too_large.html",
        {"active": "import", "limit": err.limit, "file_size": err.size},
        status_code=413,
    )


@upload_router.post("/upload", response_class=Response)
def upload_file(request: Request, _user: Collector, form: FormFields, file: FormFile) -> Response:
    kind = form.get("kind", "")
    errors: dict[str, str] = {}
    if file is not None and file.filename and _is_einvoice(file):
        kind = Kind.INVOICES.value  # an e-invoice is an invoice, whatever was chosen
    if kind not in KINDS:
        errors["kind"] = "choose"
    name = safe_name(file.filename or "") if file is not None else None
    if file is None or not file.filename:
        errors["file"] = "choose"
    elif name is None:
        errors["file"] = "not_csv_or_xlsx"
    if errors or file is None or name is None:
        return _page(request, PageState(None, errors=errors), status=422)
    limit = web_context(request).settings.web_upload_max_bytes
    try:
        uploads(request).save(request.session, kind, name, file.file, limit)
    except UploadTooLarge as err:
        return _too_large_page(request, err)
    return RedirectResponse("/import", status_code=303)


def _is_einvoice(file: UploadFile) -> bool:
    """The upload is an e-invoice by its first bytes (the file is read from its start
    again afterwards)."""
    head = file.file.read(einvoice_preview.HEAD_BYTES)
    file.file.seek(0)
    return einvoice_preview.is_einvoice(head)


def _current(request: Request) -> Upload | None:
    return uploads(request).current(request.session)


def _with_choices(request: Request, upload: Upload, form: dict[str, str]) -> PageState:
    choices, errors = read_choices(form, upload.options)
    uploads(request).remember(request.session, choices)
    upload = Upload(upload.token, upload.kind, upload.name, upload.path, choices)
    return PageState(upload, _detect(request, upload), errors=errors)


def _read(
    request: Request,
    book: Book,
    form: dict[str, str],
    read: Callable[[Book, Kind, Path, Options], ImportReport],
) -> PageState | Response:
    """The current upload read by `read` (import_preview.check or apply) with the page's
    choices: the page's state with its report; or the answer when there is no upload
    (back to the import page) or a choice is wrong (the page again, 422)."""
    current = _current(request)
    if current is None:
        return RedirectResponse("/import", status_code=303)
    state = _with_choices(request, current, form)
    if state.errors:
        return _page(request, state, status=422)
    upload = state.upload
    assert upload is not None
    settings = web_context(request).settings
    options = options_from(upload.options, settings.import_max_line_bytes)
    state.report = read(book, Kind(upload.kind), upload.path, options)
    return state


@router.post("/check", response_class=Response)
def check_import(request: Request, _user: Collector, book: BookDep, form: FormFields) -> Response:
    state = _read(request, book, form, import_preview.check)
    if isinstance(state, Response):
        return state
    state.checked = True
    ok = state.report is not None and state.report.ok
    return _page(request, state, status=200 if ok else 422)


@router.post("/run", response_class=Response)
def run_import(request: Request, _user: Collector, book: BookDep, form: FormFields) -> Response:
    state = _read(request, book, form, import_preview.apply)
    if isinstance(state, Response):
        return state
    report = state.report
    assert report is not None
    if not report.ok:
        return _page(request, state, status=422)
    uploads(request).discard(request.session)
    request.session[FLASH] = {
        "kind": report.kind,
        "file": report.file,
        "rows": report.rows,
        "imported": report.imported,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "customers_created": report.customers_created,
        "changes": [c.key for c in report.changes[:10]],
        **_einvoice_done(book, state.detection),
    }
    return RedirectResponse("/import", status_code=303)


def _einvoice_done(book: Book, detection: Detection | None) -> dict[str, Any]:
    """What the page says after an e-invoice's import: its number and its customer."""
    reading = detection.einvoice if detection else None
    if reading is None or reading.invoice is None:
        return {}
    number = reading.invoice.number
    return {
        "invoice": number,
        "credit": reading.credit,
        "customer": einvoice_preview.customer_of(book, number),
    }


@router.post("/discard", response_class=Response)
def discard_upload(request: Request, _user: Collector) -> Response:
    uploads(request).discard(request.session)
    return RedirectResponse("/import", status_code=303)
