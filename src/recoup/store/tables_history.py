"""The account's history (issue 4): hash-chained entries, their chain heads, the book
head over them, signed anchors (issue 14), documents.

Values that the hash covers are stored as text exactly as hashed (`at`, `on`, `data`),
so reading them back can never change what is checked.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from recoup.store.tables import metadata

history = Table(
    "history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("seq", Integer, nullable=False),  # position in the customer's chain, from 1
    Column(
        "at", String(32), nullable=False
    ),  # when recorded, UTC, e.g. 2026-11-23T08:00:00.000000Z
    Column("day", String(10), nullable=False),  # the business date it is about (ISO)
    Column("kind", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("data", Text, nullable=False),  # canonical JSON
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("customer_id", "seq", name="uq_history_customer_seq"),
)
# (no index on kind or day: every reader goes by customer first, and each index costs
# the 1,000,000-invoice import a second's work on its 200,000 entries)

# Where each customer's chain ends: removing the last entry is caught here.
history_heads = Table(
    "history_heads",
    metadata,
    Column("customer_id", Integer, ForeignKey("customers.id"), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

# The book head: one row (id 1) over all customers' heads, updated in the transaction of
# every append (recoup.domain.history.BookHead): a customer's whole history removed, or
# a chain cut short with its head rewritten, no longer adds up to it.
history_book = Table(
    "history_book",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customers", Integer, nullable=False),
    Column("entries", BigInteger, nullable=False),
    Column("digest", String(64), nullable=False),
)

# Signed anchors made by `recoup log anchor`, as the files were written (the signature
# and its key are outside the book, so a row changed here no longer verifies); the case
# file reads the newest.
history_anchors = Table(
    "history_anchors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("made_at", String(32), nullable=False),  # UTC, as in the file
    Column("fingerprint", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),  # the signed file
)

# Documents kept as they were (a sent .eml, a letter PDF, an invoice copy), by content hash.
documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("media_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

history_attachments = Table(
    "history_attachments",
    metadata,
    Column("entry_id", Integer, ForeignKey("history.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("document_id", Integer, ForeignKey("documents.id"), nullable=False, index=True),
)
