"""Today's date, read at the edges only (CLI and web). Rules take `as_of` instead."""

from __future__ import annotations

from datetime import UTC, date, datetime


def local_today() -> date:
    return datetime.now(UTC).astimezone().date()


def now() -> datetime:
    return datetime.now(UTC)
