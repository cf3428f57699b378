"""Web sessions kept in the book (issue 14): a row per login, ended at once by a
logout, a password change, a disabled user or an owner's "sign out everywhere".
Every change here comes with a migration."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table

from recoup.store.tables import metadata

# The cookie carries a random token; the row is found by that token's SHA-256, so reading
# the book does not give anyone a token that opens a session.
sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # sha256 hex of the cookie's token
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    # logout | password | disabled | signed_out (an owner's "sign out everywhere")
    Column("end_reason", String(16), nullable=True),
    Column("user_agent", String(200), nullable=False, server_default=""),
    Column("address", String(64), nullable=False, server_default=""),
)
