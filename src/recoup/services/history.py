"""The account's history: record entries (inside the caller's transaction), read them
back, and check the hash chain of the whole book.

Every capability that changes an account writes its entry through `record`, in the same
transaction as the change itself, so the history and the books cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from recoup import clock
from recoup.domain.history import Break, ChainChecker, EntryFields, StoredEntry, chain_uniform
from recoup.services.book import Book
from recoup.services.errors import NotFoundError
from recoup.store import history_repo, ledger_repo
from recoup.store.history_repo import NewDocument

__all__ = [
    "Entry",
    "NewDocument",
    "Verification",
    "customer_id_of",
    "entries",
    "entry_documents",
    "record",
    "record_many",
    "record_same_time",
    "record_uniform",
    "record_uniform_alongside",
    "verify",
    "verify_in",
]


def now() -> datetime:
    """The moment an entry is stamped with when none is given (`recoup.clock`: the
    clock, or the moment `recoup --now` set)."""
    return clock.now()


def record(
    conn: Connection,
    customer_id: int,
    kind: str,
    text: str,
    *,
    actor: str,
    on: date,
    data: Mapping[str, Any] | None = None,
    documents: Sequence[NewDocument] = (),
    at: datetime | None = None,
) -> int:
    """Append one entry to a customer's history; its id."""
    fields = EntryFields(customer_id, at or now(), on, kind, actor, text, dict(data or {}))
    return history_repo.append(conn, [(fields, documents)])[0]


def record_many(
    conn: Connection,
    items: Sequence[tuple[EntryFields, Sequence[NewDocument]]],
    want_ids: bool = True,
) -> list[int]:
    """Append many entries at once (the daily run); ids in the same order (none when
    `want_ids` is False)."""
    return history_repo.append(conn, items, want_ids)


def record_uniform(
    conn: Connection,
    kind: str,
    text_and_data: Sequence[tuple[int, str, str]],
    *,
    actor: str,
    on: date,
    at: datetime | None = None,
) -> None:
    """Append one entry per (customer id, text, data as canonical JSON — `data_text`),
    all of one kind, actor and time (an import's entry per customer), with less work per
    entry than `record_many`."""
    history_repo.append_uniform(conn, kind, actor, at or now(), on, text_and_data)


def record_same_time(
    conn: Connection,
    items: Sequence[tuple[int, str, str, str]],
    *,
    actor: str,
    on: date,
    at: datetime | None = None,
) -> None:
    """Append one entry per (customer id, kind, text, data as canonical JSON), all of one
    actor and time (the daily run's entry per action), with less work per entry than
    `record_many`."""
    history_repo.append_same_time(conn, actor, at or now(), on, items)


class PendingEntries:
    """Entries to be made and hashed on a worker thread (`record_uniform_alongside`):
    `start` sets the work going, `write` waits for it and appends the entries in the
    caller's transaction (starting the work first if nobody did)."""

    def __init__(
        self,
        build: Callable[[], list[Any]],
        current: dict[int, tuple[int, str]],
        before: dict[int, tuple[int, str]],
    ) -> None:
        self._build, self._current, self._before = build, current, before
        self._future: Future[list[Any]] | None = None

    def start(self) -> None:
        if self._future is None:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history")
            self._future = pool.submit(self._build)
            pool.shutdown(wait=False)  # the thread ends with its one task

    def write(self, conn: Connection) -> None:
        self.start()
        assert self._future is not None
        rows = self._future.result()
        if rows:
            history_repo.write_chained(conn, rows, self._current, self._before)


def record_uniform_alongside(
    conn: Connection,
    kind: str,
    customer_ids: Sequence[int],
    make: Callable[[], Sequence[tuple[int, str, str]]],
    *,
    actor: str,
    on: date,
    at: datetime | None = None,
) -> PendingEntries:
    """`record_uniform` for work that goes on meanwhile: the chain heads of `customer_ids`
    are read now; `make()` (the (customer id, text, data) items, only for those customers)
    and the hashing run on a worker thread from `start()` on, meant for a moment when the
    caller's thread waits in SQLite's C code (building indexes leaves Python's lock), so
    that the two use both cores. Call `write` before the transaction ends.

    The worker touches no connection: it only computes, so the transaction stays the
    caller's alone. (Started while the caller's thread runs Python, the two would only
    take turns at the lock, and both would be slower.)
    """
    current = history_repo.heads(conn, customer_ids)
    before = dict(current)
    stamp = at or now()

    def build() -> list[Any]:
        return chain_uniform(kind, actor, stamp, on, make(), current)

    return PendingEntries(build, current, before)


def customer_id_of(conn: Connection, key: str) -> int:
    row = ledger_repo.get_customer(conn, key)
    if row is None:
        raise NotFoundError(f"no customer {key!r}")
    return int(row["id"])


@dataclass(frozen=True)
class Entry:
    id: int
    at: str
    on: str
    kind: str
    actor: str
    text: str
    data: str
    hash: str
    attachments: list[dict[str, str]]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at,
            "on": self.on,
            "kind": self.kind,
            "actor": self.actor,
            "text": self.text,
            "hash": self.hash,
            "attachments": self.attachments,
        }


def _entry(e: StoredEntry) -> Entry:
    return Entry(
        e.id, e.at, e.on, e.kind, e.actor, e.text, e.data, e.hash,
        [{"name": a.name, "media_type": a.media_type, "sha256": a.sha256} for a in e.attachments],
    )  # fmt: skip


def entries(
    book: Book, customer_key: str, kinds: Sequence[str] = (), until: date | None = None
) -> list[Entry]:
    """One customer's history, oldest first (optionally only some kinds; `until`: only
    the entries of days up to it, the history as known then)."""
    with book.read() as conn:
        cid = customer_id_of(conn, customer_key)
        out = [_entry(e) for e in history_repo.entries(conn, cid)]
    last = until.isoformat() if until is not None else None
    return [
        e for e in out if (not kinds or e.kind in kinds) and (last is None or e.on[:10] <= last)
    ]


def entry_documents(book: Book, entry_id: int) -> list[tuple[str, str, bytes]]:
    with book.read() as conn:
        return history_repo.entry_documents(conn, entry_id)


@dataclass(frozen=True)
class Verification:
    checked: int
    first_break: Break | None
    customer: str | None = None  # the key of the customer `first_break` names, if known

    @property
    def ok(self) -> bool:
        return self.first_break is None

    def describe(self) -> str:
        """The first break in words ("" when the history holds)."""
        b = self.first_break
        if b is None:
            return ""
        text = b.describe()
        if self.customer is not None and b.customer_id is not None:
            text = text.replace(
                f"customer #{b.customer_id}", f"customer {self.customer} (#{b.customer_id})", 1
            )
        return text

    def to_json(self) -> dict[str, Any]:
        b = self.first_break
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_bad": None
            if b is None
            else {
                "id": b.entry_id,
                "customer_id": b.customer_id,
                "customer": self.customer,
                "seq": b.seq,
                "reason": b.reason,
            },
        }


def verify(
    book: Book,
    anchored: Mapping[int, tuple[int, str]] | None = None,
    when: str = "",
    keys: Mapping[int, str] | None = None,
) -> Verification:
    """Check every customer's chain, each chain's end against its head, and all the
    ends against the book head; the first entry (in id order) that breaks a chain, else
    the first customer whose end is wrong, else the book head. `anchored` (customer id
    -> position, hash, from the anchor made at `when`): those chains must still hold
    those hashes at those positions. `keys`: customers' keys to name them by when the
    book no longer knows them (a whole history and customer removed)."""
    with book.read() as conn:
        return verify_in(conn, anchored, when, keys)


def verify_in(
    conn: Connection,
    anchored: Mapping[int, tuple[int, str]] | None = None,
    when: str = "",
    keys: Mapping[int, str] | None = None,
) -> Verification:
    """`verify` inside the caller's transaction."""
    checker = ChainChecker(history_repo.changed_documents(conn), anchored, when)
    for entry in history_repo.entries(conn):
        if checker.feed(entry) is not None:
            break
    result = checker.finish(history_repo.heads(conn))
    if result is None:
        result = checker.finish_book(history_repo.book_head(conn))
    name = None
    if result is not None and result.customer_id is not None:
        name = history_repo.customer_keys(conn, [result.customer_id]).get(result.customer_id)
        if name is None and keys is not None:
            name = keys.get(result.customer_id)
    return Verification(checker.checked, result, name)
