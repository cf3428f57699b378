"""The dashboard's figures of the whole book: the aging, the DSO, the largest overdue
accounts, how many tasks the worklist holds and how many messages wait or went out,
read together.

They are read from every open invoice of the book, which on a large book takes a good
part of a second or more. When several people open the dashboard at once, the requests
that arrive while the figures of the same book and day are being read wait for that
reading and share its result (`recoup.services.flights`, `fresh=False`): twenty
collectors opening the dashboard together cost one reading, not twenty that share the
same cores. Nothing is kept once the reading is over: the next request reads the book
again, so every request is answered with figures read after it arrived or while it
waited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from recoup.services import delivery_problems, reports, worklist_pages
from recoup.services.book import Book
from recoup.services.delivery_problems import OutboxCounts
from recoup.services.flights import Flights
from recoup.services.reports import AgingReport, DsoReport, OverdueAccount

__all__ = ["Figures", "figures"]


@dataclass(frozen=True)
class Figures:
    aging: AgingReport
    dso: DsoReport
    top: tuple[OverdueAccount, ...]
    tasks: int  # the worklist's tasks on the day
    outbox: OutboxCounts  # the messages by state (counted over the whole outbox)


_flights: Flights[Figures] = Flights(fresh=False)


def figures(book: Book, as_of: date, dso_window: int, top: int) -> Figures:
    """The dashboard's figures of `book` on `as_of` (a reading already under way for
    the same book, day and sizes is waited for and shared: `recoup.services.flights`)."""
    key = (book.url, as_of, dso_window, top)
    return _flights.share(key, lambda: _read(book, as_of, dso_window, top))


def _read(book: Book, as_of: date, dso_window: int, top: int) -> Figures:
    aged, due = reports.aging_and_due(book, as_of)  # the DSO's receivable is the aging's
    return Figures(
        aged,
        reports.dso(book, as_of, dso_window, due=due),
        tuple(reports.top_overdue(book, as_of, top)),
        worklist_pages.task_count(book, as_of),
        delivery_problems.outbox_counts(book),
    )
