"""Reading and writing the account's history: entries, chain heads, the book head,
signed anchors, documents.

Every append locks the book head first (PostgreSQL: its row, FOR UPDATE; SQLite's
writer holds the whole book), then the customers' heads, and moves the book head once
per call from the heads it moved: writers of history take turns from their first append
to their commit, always in that order, so they never wait on each other in a circle.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, insert, select, tuple_, update
from sqlalchemy.engine import Connection

from recoup.domain.history import (
    EMPTY_BOOK,
    GENESIS,
    AttachmentRef,
    BookHead,
    EntryFields,
    StoredEntry,
    advance_book_head,
    chain,
    chain_same_time,
    chain_uniform,
)
from recoup.store import driver
from recoup.store.bulk import insert_rows
from recoup.store.tables import customers, meta
from recoup.store.tables_history import (
    documents,
    history,
    history_anchors,
    history_attachments,
    history_book,
    history_heads,
)

_COLUMNS = ("customer_id", "seq", "at", "day", "kind", "actor", "text", "data", "prev_hash", "hash")


@dataclass(frozen=True)
class NewDocument:
    name: str
    media_type: str
    content: bytes


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def book_head(conn: Connection, lock: bool = False) -> BookHead | None:
    """The stored book head (None: the row is gone). `lock`: hold it (PostgreSQL) until
    the transaction ends, as every writer of history does before anything else."""
    q = select(history_book.c.customers, history_book.c.entries, history_book.c.digest).where(
        history_book.c.id == 1
    )
    if lock and conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).first()
    return None if row is None else BookHead(int(row[0]), int(row[1]), str(row[2]))


def heads(
    conn: Connection, customer_ids: Sequence[int] | None = None
) -> dict[int, tuple[int, str]]:
    """customer id -> (position, hash) of the last entry. When asked for particular
    customers (a writer's question) it locks the book head and then those rows on
    PostgreSQL, so two writers cannot both extend a chain or move the book head."""
    q = select(history_heads.c.customer_id, history_heads.c.seq, history_heads.c.hash)
    if customer_ids is None:
        return {r[0]: (r[1], r[2]) for r in conn.execute(q)}
    book_head(conn, lock=True)
    out: dict[int, tuple[int, str]] = {}
    if not conn.execute(select(exists().select_from(history_heads))).scalar():
        return out  # no history yet (a new book's first import)
    lock = " FOR UPDATE" if conn.dialect.name == "postgresql" else ""
    for chunk, where, params in driver.id_ranges(sorted(set(customer_ids)), 5000):
        wanted = set(chunk)
        for cid, seq, digest in driver.fetch(
            conn, f"SELECT customer_id, seq, hash FROM history_heads WHERE {where}{lock}", params
        ):
            if cid in wanted:
                out[cid] = (seq, digest)
    return out


def store_documents(conn: Connection, docs: Sequence[NewDocument]) -> dict[str, int]:
    """Keep each distinct content once; sha256 -> document id."""
    by_hash = {hashlib.sha256(d.content).hexdigest(): d for d in docs}
    ids: dict[str, int] = {}
    for chunk in _chunks(sorted(by_hash)):
        q = select(documents.c.sha256, documents.c.id).where(documents.c.sha256.in_(chunk))
        ids.update({r[0]: r[1] for r in conn.execute(q)})
    for digest, doc in by_hash.items():
        if digest not in ids:
            ids[digest] = conn.execute(
                insert(documents)
                .values(
                    sha256=digest,
                    media_type=doc.media_type,
                    size=len(doc.content),
                    content=doc.content,
                )
                .returning(documents.c.id)
            ).scalar_one()
    return ids


def append(
    conn: Connection,
    items: Sequence[tuple[EntryFields, Sequence[NewDocument]]],
    want_ids: bool = True,
) -> list[int]:
    """Append entries (in the given order) to their customers' chains; their ids (an
    empty list with `want_ids=False` and no attachments: the daily run needs none)."""
    if not items:
        return []
    doc_ids = store_documents(conn, [d for _, docs in items for d in docs])
    current = heads(conn, [f.customer_id for f, _ in items])
    before = dict(current)
    rows: list[tuple[Any, ...]] = []
    attached: list[tuple[int, int, list[tuple[str, int]]]] = []  # customer, seq, [(name, doc)]
    for fields, docs in items:
        refs = tuple(
            AttachmentRef(d.name, d.media_type, hashlib.sha256(d.content).hexdigest()) for d in docs
        )
        if refs:
            fields = EntryFields(
                fields.customer_id, fields.at, fields.on, fields.kind, fields.actor,
                fields.text, fields.data, fields.attachments + refs,
            )  # fmt: skip
        seq_before, prev = current.get(fields.customer_id, (0, GENESIS))
        seq = seq_before + 1
        at, on, data, digest = chain(fields, seq, prev)
        rows.append(
            (
                fields.customer_id,
                seq,
                at,
                on,
                fields.kind,
                fields.actor,
                fields.text,
                data,
                prev,
                digest,
            )
        )
        current[fields.customer_id] = (seq, digest)
        if fields.attachments:
            names = [(a.name, doc_ids[a.sha256]) for a in fields.attachments]
            attached.append((fields.customer_id, seq, names))
    if len(rows) <= 20:
        ids = [
            conn.execute(
                insert(history).values(dict(zip(_COLUMNS, r, strict=True))).returning(history.c.id)
            ).scalar_one()
            for r in rows
        ]
    elif not want_ids and not attached:
        insert_rows(conn, history, _COLUMNS, rows)
        ids = []
    else:
        insert_rows(conn, history, _COLUMNS, rows)
        keys = [(r[0], r[1]) for r in rows]
        found: dict[tuple[int, int], int] = {}
        for chunk in _chunks(keys):
            q = select(history.c.customer_id, history.c.seq, history.c.id).where(
                tuple_(history.c.customer_id, history.c.seq).in_(chunk)
            )
            found.update({(r[0], r[1]): r[2] for r in conn.execute(q)})
        ids = [found[k] for k in keys]
    id_of = {(r[0], r[1]): i for r, i in zip(rows, ids, strict=False)}
    attach_rows = [
        (id_of[(customer, seq)], pos, name, doc)
        for customer, seq, names in attached
        for pos, (name, doc) in enumerate(names, start=1)
    ]
    insert_rows(
        conn, history_attachments, ("entry_id", "position", "name", "document_id"), attach_rows
    )
    _advance_heads(conn, rows, current, before)
    return ids


def append_uniform(
    conn: Connection, kind: str, actor: str, at: datetime, on: date,
    items: Sequence[tuple[int, str, str]],
) -> None:  # fmt: skip
    """Append entries that share kind, actor and time, without attachments: (customer id,
    text, data JSON) each (an import's entry per customer; `chain_uniform`)."""
    if not items:
        return
    current = heads(conn, [cid for cid, _t, _d in items])
    before = dict(current)
    write_chained(conn, chain_uniform(kind, actor, at, on, items, current), current, before)


def append_same_time(
    conn: Connection, actor: str, at: datetime, on: date,
    items: Sequence[tuple[int, str, str, str]],
) -> None:  # fmt: skip
    """Append entries that share actor and time, without attachments: (customer id, kind,
    text, data JSON) each (the daily run's entry per action; `chain_same_time`)."""
    if not items:
        return
    current = heads(conn, [item[0] for item in items])
    before = dict(current)
    write_chained(conn, chain_same_time(actor, at, on, items, current), current, before)


def write_chained(
    conn: Connection, rows: Sequence[Sequence[Any]], current: dict[int, tuple[int, str]],
    before: Mapping[int, tuple[int, str]],
) -> None:  # fmt: skip
    """Store rows made by `chain_uniform` from the heads `heads` gave (`before`: those
    heads, a copy; `current`: the heads as the rows left them)."""
    insert_rows(conn, history, _COLUMNS, rows)
    _advance_heads(conn, rows, current, before)


def _advance_heads(
    conn: Connection, rows: Sequence[Sequence[Any]], current: dict[int, tuple[int, str]],
    before: Mapping[int, tuple[int, str]],
) -> None:  # fmt: skip
    """The customers' heads, then the book head: once for the whole call."""
    touched = sorted({r[0] for r in rows})
    first = [c for c in touched if c not in before]  # a customer's first entries: no head yet
    insert_rows(
        conn, history_heads, ("customer_id", "seq", "hash"), [(c, *current[c]) for c in first]
    )
    driver.execute_many(
        conn,
        "UPDATE history_heads SET seq = ?, hash = ? WHERE customer_id = ?",
        [(*current[c], c) for c in touched if c in before],
    )
    stored = book_head(conn)
    moved = advance_book_head(stored or EMPTY_BOOK, before, current, touched)
    values = {"customers": moved.customers, "entries": moved.entries, "digest": moved.digest}
    if stored is None:  # only when someone removed the row: the check will tell
        conn.execute(insert(history_book).values(id=1, **values))
    else:
        conn.execute(update(history_book).where(history_book.c.id == 1).values(**values))


def customer_keys(conn: Connection, customer_ids: Sequence[int] | None = None) -> dict[int, str]:
    """customer id -> key (of these customers, or of all)."""
    q = select(customers.c.id, customers.c.key)
    if customer_ids is not None:
        q = q.where(customers.c.id.in_(sorted(set(customer_ids))))
    return {int(r[0]): str(r[1]) for r in conn.execute(q)}


def recorded_payment_keys(conn: Connection) -> set[str]:
    """The keys of the payments the history has an entry for (an import's or the
    demo's: their data name the payment's key)."""
    q = select(history.c.data).where(history.c.kind == "payment")
    found = (json.loads(data).get("key") for (data,) in conn.execute(q))
    return {str(key) for key in found if key}


def stored_book_id(conn: Connection) -> str | None:
    """The book's id if it has one yet (read only; `messages_repo.book_id` makes it)."""
    found = conn.execute(select(meta.c.value).where(meta.c.key == "book_id")).scalar()
    return None if found is None else str(found)


def store_anchor(conn: Connection, made_at: str, fingerprint: str, content: bytes) -> int:
    return int(
        conn.execute(
            insert(history_anchors)
            .values(made_at=made_at, fingerprint=fingerprint, content=content)
            .returning(history_anchors.c.id)
        ).scalar_one()
    )


def latest_anchor(conn: Connection) -> bytes | None:
    """The newest signed anchor file kept in the book."""
    q = select(history_anchors.c.content).order_by(history_anchors.c.id.desc()).limit(1)
    found = conn.execute(q).scalar()
    return None if found is None else bytes(found)


def _attachments(conn: Connection, customer_id: int | None) -> dict[int, list[AttachmentRef]]:
    q = (
        select(
            history_attachments.c.entry_id,
            history_attachments.c.name,
            documents.c.media_type,
            documents.c.sha256,
        )
        .join(documents, documents.c.id == history_attachments.c.document_id)
        .order_by(history_attachments.c.entry_id, history_attachments.c.position)
    )
    if customer_id is not None:
        q = q.join(history, history.c.id == history_attachments.c.entry_id).where(
            history.c.customer_id == customer_id
        )
    out: dict[int, list[AttachmentRef]] = defaultdict(list)
    for entry_id, name, media_type, sha in conn.execute(q):
        out[entry_id].append(AttachmentRef(name, media_type, sha))
    return out


def entries(conn: Connection, customer_id: int | None = None) -> Iterator[StoredEntry]:
    """Entries in id order: one customer's, or the whole book's (streamed)."""
    attachments = _attachments(conn, customer_id)
    q = select(history.c.id, *[history.c[c] for c in _COLUMNS]).order_by(history.c.id)
    if customer_id is not None:
        q = q.where(history.c.customer_id == customer_id)
    # streamed by the statement's option: the connection's own options (which
    # `conn.execution_options` would change for the rest of the transaction) stay as they were
    result = conn.execute(q.execution_options(yield_per=5000))
    for r in result:
        yield StoredEntry(
            id=r.id,
            customer_id=r.customer_id,
            seq=r.seq,
            at=r.at,
            on=r.day,
            kind=r.kind,
            actor=r.actor,
            text=r.text,
            data=r.data,
            attachments=tuple(attachments.get(r.id, ())),
            prev_hash=r.prev_hash,
            hash=r.hash,
        )


def changed_documents(conn: Connection, customer_id: int | None = None) -> frozenset[str]:
    """Stored hashes whose document no longer has that content (of all documents, or of
    those attached to one customer's entries)."""
    bad = set()
    q = select(documents.c.sha256, documents.c.content)
    if customer_id is not None:
        attached = (
            select(history_attachments.c.document_id)
            .join(history, history.c.id == history_attachments.c.entry_id)
            .where(history.c.customer_id == customer_id)
        )
        q = q.where(documents.c.id.in_(attached))
    for digest, content in conn.execute(q.execution_options(yield_per=200)):
        if hashlib.sha256(bytes(content)).hexdigest() != digest:
            bad.add(digest)
    return frozenset(bad)


def document(conn: Connection, sha256: str) -> tuple[str, bytes] | None:
    row = conn.execute(
        select(documents.c.media_type, documents.c.content).where(documents.c.sha256 == sha256)
    ).first()
    return None if row is None else (row[0], bytes(row[1]))


def entry_documents(conn: Connection, entry_id: int) -> list[tuple[str, str, bytes]]:
    """(name, media type, content) of the documents attached to one entry."""
    q = (
        select(history_attachments.c.name, documents.c.media_type, documents.c.content)
        .join(documents, documents.c.id == history_attachments.c.document_id)
        .where(history_attachments.c.entry_id == entry_id)
        .order_by(history_attachments.c.position)
    )
    return [(r[0], r[1], bytes(r[2])) for r in conn.execute(q)]
