"""The `--as-of DATE` option of the commands that report at a date, and its reading:
in a module of its own, so that a command that needs only this does not import the
import commands' readers (`recoup.cli.books`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import typer

from recoup.clock import local_today


def as_of_option() -> Any:
    return typer.Option(
        None,
        "--as-of",
        help="The date to report at (YYYY-MM-DD; default today).",
        formats=["%Y-%m-%d"],
    )


def as_of(value: datetime | date | None) -> date:
    """The date given, or today (read at this edge)."""
    if value is None:
        return local_today()
    return value.date() if isinstance(value, datetime) else value
