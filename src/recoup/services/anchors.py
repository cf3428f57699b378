"""Signed anchors of the history (issue 14): evidence that holds outside the book.

- `make` (`recoup log anchor`): checks the whole history first (an anchor never seals a
  broken one), then signs every customer's head (entry count and hash), the book head,
  the time and the book's id with the book's Ed25519 anchor key, and keeps the signed
  file in the book (`history_anchors`) for the case file; the caller writes it to a
  file or `send`s it to the owner.
- `verify_file` (`recoup log verify --anchor FILE`): the signature, the signing key (this
  book's, or one whose fingerprint the caller names), the book's id, then the whole
  history with every anchored chain's first N entries required to hash to its anchored
  head.
- `latest_check` (the case file): one customer's history before the newest anchor.

The signing key is a key file outside the book (`recoup.services.keys`, name "anchor":
`<book>.anchor.key` beside a SQLite book, RECOUP_KEY_DIR or the user's config folder
otherwise); the anchor carries its public key and that key's fingerprint
("SHA256:" and the base64 SHA-256 of the raw 32-byte public key).

`cryptography` is imported only when a key is used, so commands that never sign start
without it.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recoup.domain.anchor import (
    AnchorContent,
    AnchoredHead,
    AnchorFile,
    AnchorFormatError,
    read_file,
)
from recoup.domain.history import ChainChecker, timestamp
from recoup.messages.transport import DeliveryError, file_name, transport_for
from recoup.services import business_details, history, keys
from recoup.services.book import Book
from recoup.services.history import Verification
from recoup.services.templates import outbox_folder, sender_address
from recoup.settings import Settings
from recoup.store import history_repo, messages_repo

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

KEY = "anchor"
"""The name of the anchor signing key's file (`recoup.services.keys`)."""

__all__ = [
    "AnchorCheck",
    "AnchorError",
    "AnchorVerification",
    "Made",
    "fingerprint",
    "latest_check",
    "local_fingerprint",
    "make",
    "send",
    "verify_file",
]


class AnchorError(Exception):
    """No anchor can be made (the history does not hold: the message says where), or it
    could not be e-mailed."""


def fingerprint(public_key: bytes) -> str:
    digest = hashlib.sha256(public_key).digest()
    return "SHA256:" + base64.b64encode(digest).decode("ascii").rstrip("=")


def _private_key(book: Book, settings: Settings) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed = keys.load_or_create(book, KEY, 32, settings.key_dir)
    return Ed25519PrivateKey.from_private_bytes(seed)


def _raw_public(private: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def local_fingerprint(book: Book, settings: Settings) -> tuple[str | None, Path]:
    """The fingerprint of this book's anchor key on this machine (None: there is no key
    file; none is made by asking) and where the key is kept."""
    path = keys.key_path(book, KEY, settings.key_dir)
    if not path.exists():
        return None, path
    return fingerprint(_raw_public(_private_key(book, settings))), path


def _signature_holds(anchor: AnchorFile) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(anchor.public_key).verify(
            anchor.signature, anchor.content.message()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Made:
    anchor: AnchorFile
    data: bytes  # the file's bytes

    def to_json(self) -> dict[str, Any]:
        c = self.anchor.content
        return {
            "made_at": c.made_at,
            "book_id": c.book_id,
            "fingerprint": self.anchor.fingerprint,
            "customers": c.book_head.customers,
            "entries": c.book_head.entries,
            "book_head": c.book_head.digest,
        }


def make(book: Book, at: datetime, settings: Settings) -> Made:
    """Check the whole history, then sign its heads as they stand at `at` and keep the
    signed file in the book. AnchorError when the history does not hold.

    The book head stays locked (every writer of history waits) from the check to the
    commit, so what is signed is exactly what was checked."""
    private = _private_key(book, settings)
    public = _raw_public(private)
    with book.write() as conn:
        history_repo.book_head(conn, lock=True)
        check = history.verify_in(conn)
        if not check.ok:
            raise AnchorError(f"the history does not hold: {check.describe()}")
        stored = history_repo.book_head(conn)
        assert stored is not None  # the check above holds only with a book head
        heads = history_repo.heads(conn)
        names = history_repo.customer_keys(conn)
        content = AnchorContent(
            messages_repo.book_id(conn),
            timestamp(at),
            stored,
            tuple(
                AnchoredHead(cid, names.get(cid, ""), seq, digest)
                for cid, (seq, digest) in sorted(heads.items())
            ),
        )
        anchor = AnchorFile(content, public, fingerprint(public), private.sign(content.message()))
        data = anchor.to_bytes()
        history_repo.store_anchor(conn, content.made_at, anchor.fingerprint, data)
    return Made(anchor, data)


def send(book: Book, made: Made, to: str, settings: Settings, at: datetime) -> str:
    """E-mail the anchor file to `to` through the outbox's transport (SMTP from
    RECOUP_SMTP_URL, else an .eml file in the outbox folder); where it went, in words."""
    settings = business_details.apply(settings.model_copy(), book)
    sender = sender_address(settings)
    c = made.anchor.content
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = f"Recoup history anchor of {c.made_at}"
    msg["Date"] = format_datetime(at)
    domain = sender.rpartition("@")[2] or "recoup.invalid"
    msg["Message-ID"] = make_msgid("recoup.anchor", domain=domain)
    msg.set_content(
        "Attached is a signed anchor of the book's history: every customer's history as "
        f"it stood at {c.made_at} ({c.book_head.describe()}).\n\n"
        f"Signing key fingerprint: {made.anchor.fingerprint}\n\n"
        "Keep this e-mail. `recoup log verify --anchor FILE` with the attached file "
        "proves that nothing recorded before it was changed, removed or recomputed.\n"
    )
    name = "recoup-anchor-" + c.made_at.replace(":", "").replace(".", "-") + ".json"
    msg.add_attachment(made.data, maintype="application", subtype="json", filename=name)
    folder = outbox_folder(settings, book)
    transport = transport_for(settings.smtp_url, folder)
    try:
        transport.send(sender, to, msg.as_bytes(), str(msg["Message-ID"]))
    except DeliveryError as err:
        raise AnchorError(f"the e-mail to {to} could not be sent: {err.reason}") from None
    finally:
        transport.close()
    if settings.smtp_url:
        return f"sent to {to}"
    return f"written for {to} to {folder / file_name(str(msg['Message-ID']), '.eml')}"


@dataclass(frozen=True)
class AnchorVerification:
    """`verify_file`'s answer: `refused` says why the anchor itself cannot be trusted;
    else `history` is the check of the book against it."""

    fingerprint: str
    content: AnchorContent | None
    refused: str | None
    history: Verification | None

    @property
    def ok(self) -> bool:
        return self.refused is None and self.history is not None and self.history.ok

    def describe(self) -> str:
        if self.refused is not None:
            return f"the anchor is refused: {self.refused}"
        assert self.history is not None
        assert self.content is not None
        if self.history.ok:
            return (
                f"The history holds against the anchor of {self.content.made_at} "
                f"(signed by {self.fingerprint}): {self.content.book_head.describe()} "
                f"anchored, {self.history.checked} entries checked."
            )
        return f"The history was tampered with: {self.history.describe()}"

    def to_json(self) -> dict[str, Any]:
        c = self.content
        out: dict[str, Any] = (
            self.history.to_json()
            if self.history is not None
            else {"ok": False, "checked": 0, "first_bad": None}
        )
        out["ok"] = self.ok
        out["anchor"] = {
            "made_at": c.made_at if c else None,
            "fingerprint": self.fingerprint or None,
            "customers": c.book_head.customers if c else None,
            "entries": c.book_head.entries if c else None,
            "refused": self.refused,
        }
        return out


def _trust(anchor: AnchorFile, book: Book, settings: Settings, trusted: str | None) -> str | None:
    """Why the anchor cannot be trusted (None: it can)."""
    if fingerprint(anchor.public_key) != anchor.fingerprint:
        return "the fingerprint it states is not that of the key it carries"
    if not _signature_holds(anchor):
        return (
            "its signature does not match its content: it was changed after it was signed, "
            "or forged"
        )
    if trusted is not None:
        if trusted != anchor.fingerprint:
            return f"it was signed by {anchor.fingerprint}, not by the key named ({trusted})"
        return anchor.content.inconsistency()
    mine, where = local_fingerprint(book, settings)
    if mine is None:
        return (
            f"this machine has no anchor key for this book ({where}) to check its signer "
            f"against; it was signed by {anchor.fingerprint}: if you kept that fingerprint, "
            "name it with --fingerprint"
        )
    if mine != anchor.fingerprint:
        return (
            f"it was signed by another key ({anchor.fingerprint}), not by this book's key "
            f"({mine}, {where}); if you kept the other key's fingerprint, name it with "
            "--fingerprint"
        )
    return anchor.content.inconsistency()


def verify_file(
    book: Book, data: bytes, settings: Settings, trusted: str | None = None
) -> AnchorVerification:
    """Check the book against the anchor in `data`; see the module docstring.
    `trusted`: the fingerprint of the key to accept instead of this book's own."""
    try:
        anchor = read_file(data)
    except AnchorFormatError as err:
        return AnchorVerification("", None, f"it is not a valid anchor: {err}", None)
    why = _trust(anchor, book, settings, trusted)
    if why is None:
        with book.read() as conn:
            mine = history_repo.stored_book_id(conn)
        if mine != anchor.content.book_id:
            why = f"it is of another book ({anchor.content.book_id}, this one is {mine})"
    if why is not None:
        return AnchorVerification(anchor.fingerprint, anchor.content, why, None)
    c = anchor.content
    checked = history.verify(book, c.anchored(), c.made_at, c.keys())
    return AnchorVerification(anchor.fingerprint, c, None, checked)


@dataclass(frozen=True)
class AnchorCheck:
    """One customer's history against the newest anchor kept in the book."""

    made_at: str
    fingerprint: str
    own_key: bool  # signed by this book's key on this machine
    entries: int  # the customer's entries the anchor covers (0: none, it began later)
    holds: bool
    problem: str  # "" when it holds

    def to_json(self) -> dict[str, Any]:
        return {
            "made_at": self.made_at,
            "fingerprint": self.fingerprint,
            "own_key": self.own_key,
            "entries": self.entries,
            "holds": self.holds,
            "problem": self.problem,
        }


def latest_check(book: Book, customer_key: str, settings: Settings) -> AnchorCheck | None:
    """Customer `customer_key`'s history before the newest anchor kept in the book
    (None: no anchor was made yet)."""
    with book.read() as conn:
        data = history_repo.latest_anchor(conn)
        if data is None:
            return None
        customer_id = history.customer_id_of(conn, customer_key)
        try:
            anchor = read_file(data)
        except AnchorFormatError as err:
            return AnchorCheck("", "", False, 0, False, f"the anchor is not valid: {err}")
        c = anchor.content
        why = _trust(anchor, book, settings, None)
        own = why is None
        if why is not None and "another key" not in why and "no anchor key" not in why:
            return AnchorCheck(c.made_at, anchor.fingerprint, False, 0, False, why)
        if c.book_id != history_repo.stored_book_id(conn):
            return AnchorCheck(c.made_at, anchor.fingerprint, own, 0, False, "another book's")
        anchored = c.anchored().get(customer_id)
        if anchored is None:
            return AnchorCheck(c.made_at, anchor.fingerprint, own, 0, True, "")
        checker = ChainChecker(
            history_repo.changed_documents(conn, customer_id), {customer_id: anchored}, c.made_at
        )
        for entry in history_repo.entries(conn, customer_id):
            if entry.seq > anchored[0] or checker.feed(entry) is not None:
                break
        found = checker.finish(checker.ends)
    problem = "" if found is None else found.describe()
    return AnchorCheck(c.made_at, anchor.fingerprint, own, anchored[0], found is None, problem)
