"""Delivery: SMTP (stdlib smtplib, STARTTLS or TLS, login), or .eml files in a folder.

`RECOUP_SMTP_URL` chooses: `smtp://HOST:PORT` (plain; add `?starttls=1` to upgrade
with STARTTLS), `smtps://USER:PASSWORD@HOST:PORT` (TLS from the first byte), and
`smtp://USER:PASSWORD@HOST:587?starttls=1` (login after STARTTLS). `?timeout=SECONDS`
sets the socket timeout (default 30). Without it, each message is written to the
outbox folder as `<message id>.eml`, so the same message overwrites its own file.
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit


class DeliveryError(Exception):
    """A message was not accepted. `permanent`: do not try again (5xx, refused address);
    otherwise try later (4xx). `connection`: the server could not be reached at all."""

    def __init__(
        self, reason: str, *, permanent: bool, code: int | None = None, connection: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.code = code
        self.connection = connection


class Transport(Protocol):
    def send(self, sender: str, recipient: str, content: bytes, message_id: str) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: bool  # smtps: TLS from the start
    starttls: bool
    user: str | None
    password: str | None
    timeout: float

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"RECOUP_SMTP_URL must start with smtp:// or smtps://, not {url!r}")
        if not parts.hostname:
            raise ValueError("RECOUP_SMTP_URL names no host")
        query = parse_qs(parts.query)
        tls = parts.scheme == "smtps"
        flag = (query.get("starttls") or query.get("tls") or ["0"])[0].lower()
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            tls=tls,
            starttls=not tls and flag in ("1", "true", "yes", "on"),
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            timeout=float((query.get("timeout") or ["30"])[0]),
        )


class SmtpTransport:
    """One connection, opened on first use and kept for the messages that follow."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            conn: smtplib.SMTP
            if s.tls:
                conn = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.starttls:
                    conn.starttls(context=ssl.create_default_context())
            if s.user:
                conn.login(s.user, s.password or "")
        except smtplib.SMTPAuthenticationError as err:
            raise DeliveryError(
                f"SMTP login refused: {err.smtp_code} {_text(err.smtp_error)}",
                permanent=False,
                code=err.smtp_code,
                connection=True,
            ) from None
        except (OSError, smtplib.SMTPException) as err:
            raise DeliveryError(
                f"cannot reach the SMTP server {s.host}:{s.port}: {err}",
                permanent=False,
                connection=True,
            ) from None
        return conn

    def send(self, sender: str, recipient: str, content: bytes, message_id: str) -> None:
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = self._connect()
            try:
                self._conn.sendmail(sender, [recipient], content)
                return
            except smtplib.SMTPServerDisconnected:
                self._conn = None
                if attempt == 2:
                    raise DeliveryError(
                        "the SMTP server closed the connection", permanent=False, connection=True
                    ) from None
            except smtplib.SMTPRecipientsRefused as err:
                code, text = next(iter(err.recipients.values()))
                raise DeliveryError(
                    f"recipient {recipient} refused: {code} {_text(text)}",
                    permanent=code >= 500,
                    code=code,
                ) from None
            except smtplib.SMTPResponseException as err:
                self._reset()
                raise DeliveryError(
                    f"SMTP server said {err.smtp_code} {_text(err.smtp_error)}",
                    permanent=err.smtp_code >= 500,
                    code=err.smtp_code,
                ) from None
            except (OSError, smtplib.SMTPException) as err:
                self._conn = None
                raise DeliveryError(
                    f"SMTP delivery failed: {err}", permanent=False, connection=True
                ) from None

    def _reset(self) -> None:
        if self._conn is not None:
            try:
                self._conn.rset()
            except (OSError, smtplib.SMTPException):
                self._conn = None

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._conn.quit()
            self._conn = None


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def file_name(message_id: str, suffix: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", message_id.strip("<>")) + suffix


def write_atomically(path: Path, content: bytes) -> None:
    """Write the whole file or nothing: a crash never leaves half a message behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class FolderTransport:
    """`.eml` files in a folder, one per message, named by its Message-ID."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, sender: str, recipient: str, content: bytes, message_id: str) -> None:
        write_atomically(self.folder / file_name(message_id, ".eml"), content)

    def close(self) -> None:
        return None


def transport_for(smtp_url: str | None, folder: Path) -> Transport:
    if smtp_url:
        return SmtpTransport(SmtpSettings.from_url(smtp_url))
    return FolderTransport(folder)
