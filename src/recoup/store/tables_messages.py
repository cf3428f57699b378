"""Talking to debtors (issue 5): templates kept in the store, deliveries, copies.
Every change here comes with a migration."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, UniqueConstraint

from recoup.store.tables import metadata

# A message template edited by the owner. It replaces the built-in template of the same
# name and language; deleting the row brings the built-in one back.
message_templates = Table(
    "message_templates",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("language", String(8), nullable=False),
    Column("source", Text, nullable=False),  # the template file's text, exactly as saved
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False),
    UniqueConstraint("name", "language", name="uq_message_templates_name_language"),
)

# The owner's sign-off of one exact template text that the tone check flags: messages
# from that text (by checksum) may then be delivered; any other text is checked afresh.
template_signoffs = Table(
    "template_signoffs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("language", String(8), nullable=False),
    Column("checksum", String(64), nullable=False),  # sha256 of the text (hex)
    Column("findings", Text, nullable=False),  # the findings signed off, one per line
    Column("signed_by", String(64), nullable=False),
    Column("signed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint(
        "name", "language", "checksum", name="uq_template_signoffs_name_language_checksum"
    ),
)
