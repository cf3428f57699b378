"""The account's history: an append-only, hash-chained list of what happened.

Every entry holds the hash of the customer's entry before it, so a row changed, removed
or put in another order in the database no longer matches its neighbours. The hash
covers exactly the stored values (as text), the position in the customer's chain and
the attachments' content hashes. Corrections are new entries, never edits.

Above the customers' chains sits the book head (`BookHead`): how many customers have a
history, how many entries they hold, and the sum of their heads' hashes. It is updated in
the transaction of every append, so a customer's whole history removed, or a chain cut
short with its head rewritten, no longer adds up to it. What it cannot catch (someone
who recomputes it too) only a signed anchor kept outside the book can (`anchor.py`).

Pure: the store reads and writes the rows, this module computes and checks hashes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from recoup.domain.kinds import EntryKind

GENESIS = "0" * 64  # the "previous hash" of a customer's first entry

# The kinds of entry Recoup writes (`recoup.domain.kinds.EntryKind`); others are refused.
KINDS = frozenset(EntryKind)


@dataclass(frozen=True)
class AttachmentRef:
    """A document attached to an entry, named by the SHA-256 of its content."""

    name: str
    media_type: str
    sha256: str


@dataclass(frozen=True)
class EntryFields:
    """What an entry says, before it has a place in the chain."""

    customer_id: int
    at: datetime
    on: date  # the business date the entry is about (a run's as-of, a call's day)
    kind: str
    actor: str
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)
    attachments: tuple[AttachmentRef, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown history kind {self.kind!r}")
        if not self.actor:
            raise ValueError("a history entry needs an actor")


@dataclass(frozen=True)
class StoredEntry:
    """An entry as the store holds it: every value already in its stored text form."""

    id: int
    customer_id: int
    seq: int
    at: str
    on: str
    kind: str
    actor: str
    text: str
    data: str
    attachments: tuple[AttachmentRef, ...]
    prev_hash: str
    hash: str


_LAST_STAMP: list[tuple[datetime, str]] = []


def timestamp(at: datetime) -> str:
    """The one text form of a time in the chain: UTC, microseconds (naive means UTC),
    e.g. 2026-11-23T08:00:00.000000Z."""
    if _LAST_STAMP and _LAST_STAMP[0][0] is at:
        return _LAST_STAMP[0][1]  # a batch of entries shares one time
    utc = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    text = utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
    _LAST_STAMP[:] = [(at, text)]
    return text


_DATA = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_MATERIAL = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def data_text(data: Mapping[str, Any]) -> str:
    """Canonical JSON of an entry's structured part (sorted keys, no spaces)."""
    return _DATA.encode(data)


def compute_hash(
    *,
    customer_id: int,
    seq: int,
    at: str,
    on: str,
    kind: str,
    actor: str,
    text: str,
    data: str,
    attachments: Iterable[AttachmentRef],
    prev_hash: str,
) -> str:
    material = [
        customer_id,
        seq,
        at,
        on,
        kind,
        actor,
        text,
        data,
        [[a.name, a.media_type, a.sha256] for a in attachments],
        prev_hash,
    ]
    return hashlib.sha256(_MATERIAL.encode(material).encode("utf-8")).hexdigest()


def chain(fields: EntryFields, seq: int, prev_hash: str) -> tuple[str, str, str, str]:
    """The stored text of `at`, `on`, `data` and the hash of an entry placed at `seq`."""
    at, on, data = timestamp(fields.at), fields.on.isoformat(), data_text(fields.data)
    digest = compute_hash(
        customer_id=fields.customer_id,
        seq=seq,
        at=at,
        on=on,
        kind=fields.kind,
        actor=fields.actor,
        text=fields.text,
        data=data,
        attachments=fields.attachments,
        prev_hash=prev_hash,
    )
    return at, on, data, digest


_STRING = json.JSONEncoder(ensure_ascii=False).encode


def chain_uniform(
    kind: str,
    actor: str,
    at: datetime,
    on: date,
    items: Sequence[tuple[int, str, str]],
    heads: dict[int, tuple[int, str]],
) -> list[tuple[int, int, str, str, str, str, str, str, str, str]]:
    """Stored rows for many entries without attachments that share kind, actor and time:
    (customer id, position, at, on, kind, actor, text, data, previous hash, hash), from
    (customer id, text, data as canonical JSON) items. The same hashes as `chain` (a test
    checks), built with less work per entry, for an import's entry per customer.
    `heads` (customer id -> position, hash of the last entry) is advanced in place."""
    return chain_same_time(actor, at, on, [(c, kind, t, d) for c, t, d in items], heads)


def chain_same_time(
    actor: str,
    at: datetime,
    on: date,
    items: Sequence[tuple[int, str, str, str]],
    heads: dict[int, tuple[int, str]],
) -> list[tuple[int, int, str, str, str, str, str, str, str, str]]:
    """`chain_uniform` for entries of several kinds: (customer id, kind, text, data as
    canonical JSON) items (the daily run's entry per action)."""
    at_text, on_text = timestamp(at), on.isoformat()
    middle = f"{_STRING(at_text)},{_STRING(on_text)},"
    tail = f",{_STRING(actor)},"
    quoted: dict[str, str] = {}
    rows = []
    for customer_id, kind, text, data in items:
        kind_json = quoted.get(kind)
        if kind_json is None:
            if kind not in KINDS:
                raise ValueError(f"unknown history kind {kind!r}")
            kind_json = quoted[kind] = _STRING(kind)
        seq_before, prev = heads.get(customer_id, (0, GENESIS))
        seq = seq_before + 1
        material = (
            f"[{customer_id},{seq},{middle}{kind_json}{tail}"
            f"{_STRING(text)},{_STRING(data)},[],{_STRING(prev)}]"
        )
        digest = hashlib.sha256(material.encode("utf-8")).hexdigest()
        rows.append((customer_id, seq, at_text, on_text, kind, actor, text, data, prev, digest))
        heads[customer_id] = (seq, digest)
    return rows


_MODULUS = 1 << 256


@dataclass(frozen=True)
class BookHead:
    """The head over all customers' heads: how many customers have a history, how many
    entries all histories hold (the sum of the heads' positions), and the sum of the
    heads' hashes modulo 2**256 as 64 hex digits. Each entry's hash covers its customer
    and position, so the sum changes when any head does; it is a sum (not a hash of the
    sorted list) so that an append updates it from the heads it moves alone."""

    customers: int
    entries: int
    digest: str

    def describe(self) -> str:
        return (
            f"{self.customers} customer{'s' if self.customers != 1 else ''}' histories, "
            f"{self.entries} entr{'ies' if self.entries != 1 else 'y'}"
        )


EMPTY_BOOK = BookHead(0, 0, "0" * 64)


def book_head_of(heads: Iterable[tuple[int, str]]) -> BookHead:
    """The book head of these customers' heads, each (position, hash)."""
    customers = entries = total = 0
    for seq, digest in heads:
        customers += 1
        entries += seq
        total += int(digest, 16)
    return BookHead(customers, entries, f"{total % _MODULUS:064x}")


def advance_book_head(
    head: BookHead,
    before: Mapping[int, tuple[int, str]],
    after: Mapping[int, tuple[int, str]],
    moved: Iterable[int],
) -> BookHead:
    """`head` once the customers `moved` went from their heads in `before` (absent: no
    history yet) to those in `after`."""
    moved = list(moved)
    old = [before[c] for c in moved if c in before]
    new = [after[c] for c in moved]
    customers = head.customers + len(new) - len(old)
    entries = head.entries + sum([s for s, _ in new]) - sum([s for s, _ in old])
    total = (
        int(head.digest, 16) + sum([int(h, 16) for _, h in new]) - sum([int(h, 16) for _, h in old])
    )
    return BookHead(customers, entries, f"{total % _MODULUS:064x}")


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    entry_id: int | None  # None: the entry is gone (the chain's last entry was removed)
    customer_id: int | None  # None: the book head (no one customer can be named)
    seq: int
    reason: str

    def describe(self) -> str:
        if self.customer_id is None:
            return f"the book head: {self.reason}"
        where = f"entry {self.entry_id}" if self.entry_id is not None else "an entry"
        return f"{where} (customer #{self.customer_id}, position {self.seq}): {self.reason}"


class ChainChecker:
    """Feed entries in id order; the first break is kept. Then `finish(heads)` checks
    that each customer's chain ends where the store's head says it does (catching a
    removed last entry), and `finish_book(book)` that the chains' ends add up to the
    book head (catching a whole history removed, or a chain cut short or recomputed with
    its head rewritten). A content hash
    that no longer matches its document also breaks the chain at the entry that holds it
    (`bad_documents`).

    `anchored` (customer id -> position, hash, from a signed anchor): each of those
    chains must still reach that position with that hash; `when` names the anchor."""

    def __init__(
        self,
        bad_documents: frozenset[str] = frozenset(),
        anchored: Mapping[int, tuple[int, str]] | None = None,
        when: str = "",
    ) -> None:
        self._last: dict[int, tuple[int, str]] = {}
        self._bad_documents = bad_documents
        self._anchored = anchored or {}
        self._when = when
        self.checked = 0
        self.first_break: Break | None = None

    def feed(self, entry: StoredEntry) -> Break | None:
        if self.first_break is not None:
            return self.first_break
        self.checked += 1
        seq_before, hash_before = self._last.get(entry.customer_id, (0, GENESIS))
        problem: str | None = None
        recomputed = compute_hash(
            customer_id=entry.customer_id,
            seq=entry.seq,
            at=entry.at,
            on=entry.on,
            kind=entry.kind,
            actor=entry.actor,
            text=entry.text,
            data=entry.data,
            attachments=entry.attachments,
            prev_hash=entry.prev_hash,
        )
        if recomputed != entry.hash:
            problem = "its content was changed (the hash does not match)"
        elif entry.seq != seq_before + 1:
            if entry.seq <= seq_before:
                problem = f"out of order (position {entry.seq} comes after {seq_before})"
            else:
                problem = f"the entry before it is missing (expected position {seq_before + 1})"
        elif entry.prev_hash != hash_before:
            problem = "the entry before it was changed, removed or moved"
        else:
            bad = [a.name for a in entry.attachments if a.sha256 in self._bad_documents]
            if bad:
                problem = f"attached document {bad[0]!r} was changed"
        if problem is None:
            anchored = self._anchored.get(entry.customer_id)
            if anchored is not None and anchored[0] == entry.seq and anchored[1] != entry.hash:
                problem = (
                    f"the anchor of {self._when} holds another hash for this position: this "
                    "entry or one before it was changed and the chain recomputed"
                )
        if problem is not None:
            self.first_break = Break(entry.id, entry.customer_id, entry.seq, problem)
            return self.first_break
        self._last[entry.customer_id] = (entry.seq, entry.hash)
        return None

    @property
    def ends(self) -> dict[int, tuple[int, str]]:
        """customer id -> (position, hash) of the last entry fed that held."""
        return dict(self._last)

    def finish(self, heads: Mapping[int, tuple[int, str]]) -> Break | None:
        """`heads`: customer id -> (position, hash) of the last entry, as stored."""
        if self.first_break is not None:
            return self.first_break
        for customer_id in sorted(set(heads) | set(self._last) | set(self._anchored)):
            self.first_break = self._end(customer_id, heads)
            if self.first_break is not None:
                return self.first_break
        return None

    def finish_book(self, book: BookHead | None) -> Break | None:
        """After `finish`: the chains' ends must add up to `book`, the stored book head
        (None: the book has none)."""
        if self.first_break is None:
            self.first_break = self._book(book)
        return self.first_break

    def _end(self, customer_id: int, heads: Mapping[int, tuple[int, str]]) -> Break | None:
        seen = self._last.get(customer_id, (0, GENESIS))
        head = heads.get(customer_id, (0, GENESIS))
        if seen != head:
            if seen[0] < head[0]:
                reason = f"the last entry (position {head[0]}) was removed"
                return Break(None, customer_id, head[0], reason)
            reason = "the chain's recorded end does not match its last entry"
            return Break(None, customer_id, seen[0], reason)
        anchored = self._anchored.get(customer_id)
        if anchored is None or seen[0] >= anchored[0]:
            return None
        if seen[0] == 0:
            reason = (
                f"the whole history ({anchored[0]} entries at the anchor of {self._when}) "
                "was removed"
            )
        else:
            reason = (
                f"entries {seen[0] + 1} to {anchored[0]}, in the history at the anchor of "
                f"{self._when}, were removed (the chain now ends at {seen[0]})"
            )
        return Break(None, customer_id, seen[0] + 1, reason)

    def _book(self, book: BookHead | None) -> Break | None:
        found = book_head_of(self._last.values())
        if book is None:
            if found.customers == 0:
                return None
            return Break(None, None, 0, f"it is missing, and the book holds {found.describe()}")
        if book == found:
            return None
        if found.customers < book.customers:
            gone = book.customers - found.customers
            what = "a customer's whole history was" if gone == 1 else f"{gone} whole histories were"
            why = f"{what} removed"
        elif found.customers > book.customers:
            why = "a history was added outside Recoup"
        elif found.entries < book.entries:
            why = (
                f"{book.entries - found.entries} entries were removed from the end of a "
                "chain and its head rewritten"
            )
        elif found.entries > book.entries:
            why = "entries were added outside Recoup"
        else:
            why = "a chain was changed and its hashes and head recomputed"
        return Break(
            None, None, 0, f"it records {book.describe()}, the book holds {found.describe()}: {why}"
        )
