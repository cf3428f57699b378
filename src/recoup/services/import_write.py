"""How every import writes: all of a file in one transaction, or nothing of it."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Connection

from recoup.services.book import Book, Rollback
from recoup.services.import_report import ImportReport


class _Refused(Rollback):
    pass


def all_or_nothing(
    book: Book, report: ImportReport, dry_run: bool, write: Callable[[Connection], None]
) -> None:
    """`write` in one transaction, kept unless it found problems (then nothing is kept
    and `report` says so) or this is a dry run (then nothing is kept either)."""
    try:
        with book.write() as conn:
            write(conn)
            if report.problems:
                raise _Refused
            if dry_run:
                raise Rollback
    except _Refused:
        report.nothing_done()
    except Rollback:
        pass
