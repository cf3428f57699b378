"""Building the email exactly as it is sent: text and HTML alternatives, attachments,
Reply-To and a Message-ID derived from the action, so that a resend is recognisable."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from recoup.messages.render import Rendered


@dataclass(frozen=True)
class Attachment:
    filename: str
    media_type: str  # e.g. application/pdf
    content: bytes


def message_id(kind: str, number: int, book_id: str, sender: str, revision: int = 0) -> str:
    """`<recoup.action-42.3f9a1c0e2b7d@example.com>`: the same for every attempt to
    deliver the same action from the same book, different for every other; a message
    rebuilt with new figures (revision 1, 2 ...) is `<recoup.action-42r1.…>`."""
    tag = hashlib.sha256(book_id.encode()).hexdigest()[:12]
    domain = sender.rpartition("@")[2].strip("<> ") or "recoup.invalid"
    if not re.fullmatch(r"[A-Za-z0-9.-]+", domain):
        domain = "recoup.invalid"
    suffix = f"r{revision}" if revision else ""
    return f"<recoup.{kind}-{number}{suffix}.{tag}@{domain}>"


def build_email(
    rendered: Rendered,
    *,
    sender: str,
    sender_name: str,
    to: str,
    to_name: str,
    message_id: str,
    date: datetime,
    language: str,
    reply_to: str | None = None,
    attachments: Sequence[Attachment] = (),
    headers: Sequence[tuple[str, str]] = (),
) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = rendered.subject
    msg["From"] = _address(sender_name, sender)
    msg["To"] = _address(to_name, to)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    for name, value in headers:
        msg[name] = value
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    for a in attachments:
        maintype, _, subtype = a.media_type.partition("/")
        msg.add_attachment(a.content, maintype=maintype, subtype=subtype, filename=a.filename)
    msg["Content-Language"] = language  # after the parts: setting content clears Content-*
    return msg.as_bytes(policy=SMTP)


def _address(name: str, email: str) -> str:
    user, _, domain = email.partition("@")
    try:
        return str(Address(display_name=name, username=user, domain=domain))
    except (ValueError, IndexError):
        return email
