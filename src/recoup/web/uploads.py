"""Uploaded files kept between the steps of an import (upload, check, import).

Each upload lives in a folder of its own under one temporary folder of the app, named
by a random token that only the uploader's session holds (the signed session cookie):
another session cannot name it. The folder goes when the import is done, when the
person starts again or uploads another file, when it is older than `KEEP`, and with the
app (the whole temporary folder).

The upload's size is limited by the setting `web_upload_max_bytes`: a request that
announces more is refused before anything is read, and one that sends more is cut off
once it has (`LimitedUpload`, the route class of the upload route).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import Message, Receive

from recoup.web.context import web_context

SESSION_KEY = "import_upload"
KEEP = 6 * 3600  # seconds an upload is kept at most
SLACK = 64 * 1024  # what a form adds to the file (its other fields, boundaries)
SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xml", ".pdf")  # tables, and e-invoices
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class UploadTooLarge(HTTPException):
    """The upload is larger than the limit (an HTTPException, so that FastAPI's reading
    of the form lets it through to `LimitedUpload`)."""

    def __init__(self, limit: int, size: int | None = None) -> None:
        super().__init__(status_code=413)
        self.limit = limit
        self.size = size


@dataclass(frozen=True)
class Upload:
    token: str
    kind: str
    name: str  # the file's own name, made safe
    path: Path
    options: dict[str, Any]  # the choices made on the page, as the session keeps them


def safe_name(name: str) -> str | None:
    """The file's own name, fit to be a file name here; None when it is no CSV, XLSX,
    XML or PDF file by its name."""
    base = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).strip(" .")[-100:]
    if not base.lower().endswith(SUFFIXES):
        return None
    return base


SHARED_DIR = "RECOUP_UPLOAD_DIR"  # a folder the web processes of one machine share


class Uploads:
    """The uploads of one app. Several web processes on one machine (`recoup serve
    --workers`) share the folder named by RECOUP_UPLOAD_DIR, so that the steps of an
    import may be answered by any of them; `recoup serve` makes that folder and removes
    it when it stops. Without it, each process keeps its own temporary folder."""

    def __init__(self) -> None:
        shared = os.environ.get(SHARED_DIR)
        self._root: Path | None = Path(shared) if shared else None
        if self._root is not None:
            self._root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def root(self) -> Path:
        with self._lock:
            if self._root is None or not self._root.exists():
                self._root = Path(tempfile.mkdtemp(prefix="recoup-uploads-"))
                weakref.finalize(self, shutil.rmtree, self._root, True)
            return self._root

    def save(
        self, session: dict[str, Any], kind: str, name: str, data: BinaryIO, limit: int
    ) -> Upload:
        """Keep the file for this session (the one it had before goes). Raises
        UploadTooLarge past `limit` bytes (nothing is kept then)."""
        self.discard(session)
        self.sweep()
        token = secrets.token_urlsafe(24)
        folder = self.root() / token
        folder.mkdir(mode=0o700)
        path = folder / name
        size = 0
        try:
            with path.open("wb") as out:
                while chunk := data.read(1 << 20):
                    size += len(chunk)
                    if size > limit:
                        raise UploadTooLarge(limit, size)
                    out.write(chunk)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        session[SESSION_KEY] = {"token": token, "kind": kind, "name": name, "options": {}}
        return Upload(token, kind, name, path, {})

    def current(self, session: dict[str, Any]) -> Upload | None:
        """This session's upload, if it is still here."""
        kept = session.get(SESSION_KEY)
        if not isinstance(kept, dict):
            return None
        token, name = str(kept.get("token", "")), str(kept.get("name", ""))
        if not _TOKEN.match(token) or safe_name(name) != name or self._root is None:
            session.pop(SESSION_KEY, None)
            return None
        path = self._root / token / name
        if not path.is_file():
            session.pop(SESSION_KEY, None)
            return None
        options = kept.get("options")
        return Upload(
            token,
            str(kept.get("kind", "")),
            name,
            path,
            options if isinstance(options, dict) else {},
        )

    def remember(self, session: dict[str, Any], options: dict[str, Any]) -> None:
        """Keep the choices made on the page with the upload."""
        kept = session.get(SESSION_KEY)
        if isinstance(kept, dict):
            session[SESSION_KEY] = {**kept, "options": options}

    def discard(self, session: dict[str, Any]) -> None:
        """Remove this session's upload (its folder and its note in the session)."""
        kept = session.pop(SESSION_KEY, None)
        if isinstance(kept, dict) and self._root is not None:
            token = str(kept.get("token", ""))
            if _TOKEN.match(token):
                shutil.rmtree(self._root / token, ignore_errors=True)

    def sweep(self, keep: float = KEEP) -> None:
        """Remove the uploads older than `keep` seconds (their sessions ended or left)."""
        if self._root is None or not self._root.exists():
            return
        cutoff = time.time() - keep
        for folder in self._root.iterdir():
            try:
                if folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder, ignore_errors=True)
            except OSError:
                continue


_UPLOADS_LOCK = threading.Lock()


def uploads(request: Request) -> Uploads:
    """The app's uploads (made on first use)."""
    state = request.app.state
    with _UPLOADS_LOCK:
        found = getattr(state, "uploads", None)
        if not isinstance(found, Uploads):
            found = state.uploads = Uploads()
    return found


def upload_limit(request: Request) -> int:
    return web_context(request).settings.web_upload_max_bytes


TooLargePage = Callable[[Request, UploadTooLarge], Awaitable[Response]]


def limited_upload(too_large: TooLargePage) -> type[APIRoute]:
    """A route class that stops a request body larger than the upload limit (and a
    little more, for the form around the file) and answers with `too_large`."""

    class LimitedUpload(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def limited(request: Request) -> Response:
                limit = upload_limit(request)
                announced = request.headers.get("content-length", "")
                try:
                    if announced.isdigit() and int(announced) > limit + SLACK:
                        raise UploadTooLarge(limit, int(announced))
                    capped = Request(request.scope, _capped(request.receive, limit + SLACK, limit))
                    return await handler(capped)
                except UploadTooLarge as err:
                    return await too_large(request, err)

            return limited

    return LimitedUpload


def _capped(receive: Receive, most: int, limit: int) -> Receive:
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > most:
                raise UploadTooLarge(limit, None)
        return message

    return capped
