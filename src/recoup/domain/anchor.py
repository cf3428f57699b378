"""A history anchor: every customer's chain head and the book head at one moment, in the
one byte form that is signed, and the file that carries it with its signature.

An anchor kept outside the book (a file, an e-mail to the owner) is what makes the
history evidence: whoever can write the book can recompute every hash in it, the book
head included, but cannot make the first N entries of a customer's chain hash to the
head the anchor names without the anchor's signing key. `recoup log verify --anchor`
checks that; the signing and its key are `recoup.services.anchors`' (this module only
reads and writes the content and checks its shape).

The file (UTF-8 JSON):

    {"format": "recoup-anchor/1",
     "fingerprint": "SHA256:…",            # of the public key below
     "public_key": "…",                    # Ed25519, 32 bytes, base64
     "signature": "…",                     # Ed25519 over `message(signed)`, base64
     "signed": {"book_id": "…", "made_at": "2026-12-08T10:00:00.000000Z",
                "book_head": {"customers": 2, "entries": 10, "digest": "…"},
                "heads": [[customer id, "customer key", entries, "head hash"], …]}}

What is signed is the format name, a newline and the `signed` object as canonical JSON
(sorted keys, no spaces, UTF-8), so a file re-indented or re-ordered still verifies and
one with any value changed does not.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from recoup.domain.history import BookHead, book_head_of

FORMAT = "recoup-anchor/1"

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class AnchorFormatError(ValueError):
    """The file is not an anchor Recoup can read."""


@dataclass(frozen=True)
class AnchoredHead:
    customer_id: int
    customer: str  # the customer's key when anchored, for people reading the file
    entries: int  # the chain's length then: its head is entry number `entries`
    hash: str


@dataclass(frozen=True)
class AnchorContent:
    """What an anchor states (everything that is signed)."""

    book_id: str
    made_at: str  # UTC, as the history writes times
    book_head: BookHead
    heads: tuple[AnchoredHead, ...]  # in customer id order

    def to_json(self) -> dict[str, Any]:
        return {
            "book_id": self.book_id,
            "made_at": self.made_at,
            "book_head": {
                "customers": self.book_head.customers,
                "entries": self.book_head.entries,
                "digest": self.book_head.digest,
            },
            "heads": [[h.customer_id, h.customer, h.entries, h.hash] for h in self.heads],
        }

    def message(self) -> bytes:
        """The bytes the signature covers."""
        return (FORMAT + "\n" + _CANONICAL.encode(self.to_json())).encode("utf-8")

    def anchored(self) -> dict[int, tuple[int, str]]:
        """customer id -> (entries, head hash), as a chain checker takes them."""
        return {h.customer_id: (h.entries, h.hash) for h in self.heads}

    def keys(self) -> dict[int, str]:
        return {h.customer_id: h.customer for h in self.heads}

    def inconsistency(self) -> str | None:
        """Why the book head it states is not the one of the heads it lists, or None."""
        found = book_head_of((h.entries, h.hash) for h in self.heads)
        if found == self.book_head:
            return None
        return (
            f"its book head ({self.book_head.describe()}) is not that of the heads it "
            f"lists ({found.describe()})"
        )


@dataclass(frozen=True)
class AnchorFile:
    content: AnchorContent
    public_key: bytes
    fingerprint: str
    signature: bytes

    def to_bytes(self) -> bytes:
        """The file: one line per customer's head, so that people can read it."""
        signed = self.content.to_json()
        heads = signed.pop("heads")
        head_lines = ",\n".join("  " + _CANONICAL.encode(h) for h in heads)
        top = _CANONICAL.encode(signed)[:-1]  # the signed object without its closing brace
        text = (
            "{\n"
            f'"format": {json.dumps(FORMAT)},\n'
            f'"fingerprint": {json.dumps(self.fingerprint)},\n'
            f'"public_key": {json.dumps(_b64(self.public_key))},\n'
            f'"signature": {json.dumps(_b64(self.signature))},\n'
            f'"signed": {top},"heads": [\n{head_lines}\n]}}\n'
            "}\n"
        )
        return text.encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise AnchorFormatError(f"{what} is missing")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise AnchorFormatError(f"{what} is not base64") from None


def _int(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise AnchorFormatError(f"{what} is not a whole number")
    return value


def _hex64(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _HEX64.match(value):
        raise AnchorFormatError(f"{what} is not a SHA-256 hash in hex")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise AnchorFormatError(f"{what} is missing")
    return value


def read_file(data: bytes) -> AnchorFile:
    """The anchor in a file's bytes (AnchorFormatError when it is not one)."""
    try:
        top = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise AnchorFormatError("the file is not JSON") from None
    if not isinstance(top, dict) or top.get("format") != FORMAT:
        raise AnchorFormatError(f"the file is not an anchor ({FORMAT})")
    signed = top.get("signed")
    if not isinstance(signed, dict):
        raise AnchorFormatError("the signed part is missing")
    head = signed.get("book_head")
    if not isinstance(head, Mapping):
        raise AnchorFormatError("the book head is missing")
    raw = signed.get("heads")
    if not isinstance(raw, list):
        raise AnchorFormatError("the customers' heads are missing")
    heads: list[AnchoredHead] = []
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, list) or len(item) != 4:
            raise AnchorFormatError(f"head {n} is not [customer id, key, entries, hash]")
        heads.append(
            AnchoredHead(
                _int(item[0], f"head {n}'s customer id"),
                _text(item[1], f"head {n}'s customer"),
                _int(item[2], f"head {n}'s entries"),
                _hex64(item[3], f"head {n}'s hash"),
            )
        )
    content = AnchorContent(
        _text(signed.get("book_id"), "the book id"),
        _text(signed.get("made_at"), "the time it was made"),
        BookHead(
            _int(head.get("customers"), "the book head's customers"),
            _int(head.get("entries"), "the book head's entries"),
            _hex64(head.get("digest"), "the book head's digest"),
        ),
        tuple(heads),
    )
    return AnchorFile(
        content,
        _unb64(top.get("public_key"), "the public key"),
        _text(top.get("fingerprint"), "the key's fingerprint"),
        _unb64(top.get("signature"), "the signature"),
    )
