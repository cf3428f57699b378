"""A page of the worklist (fifty lines), with the counts and choices the page shows.

On the day of the last daily run the page reads its lines from what the run kept
(`recoup.store.worklist_repo`: every line's place in the day's order, its kinds of task
and their number) and makes only the lines it shows, as `recoup.services.worklist`
makes every line. Made afresh and merged in by their order are the lines of the
customers whose books changed since the run (they are in the run's queue: every change
to an account queues it, `run_repo.enqueue`) and of those with a casework follow-up
(made by the review, not the run). A book run for weeks has 66,000 tasks: scoring them
all takes a second or more, reading a page of kept lines a few milliseconds (see
bench/RESULTS.md).

Every other day, a day the book has moved past, or when many customers wait in the
queue (`LIVE_MOST`), the page is cut from every line made afresh. A shown line whose
score or tasks differ from what was kept means the kept order no longer holds: the page
is then made afresh too, and the difference logged.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from recoup.services import assignments
from recoup.services import run as daily_run
from recoup.services.book import Book
from recoup.services.casework import tasks
from recoup.services.worklist import Filters, Line, group, worklist
from recoup.store import point_in_time, run_repo, user_repo, worklist_repo
from recoup.store.worklist_repo import KeptLine, Narrowing

log = logging.getLogger(__name__)

LIVE_MOST = 5000
"""Customers made afresh at most before the page is cut from every line made afresh:
beyond this (a large import just before the page) scoring them costs as much."""


@dataclass(frozen=True)
class Page:
    """One page of the lines the filters keep, and what the whole list holds."""

    lines: list[Line]  # this page's
    total: int  # lines the filters keep
    tasks: int  # their tasks
    kinds: tuple[str, ...]  # every kind of task on the unfiltered list, by first urgency
    currencies: tuple[str, ...]
    all_lines: int  # before the filters


def page(
    book: Book, as_of: date, filters: Filters | None = None, offset: int = 0, limit: int = 50
) -> Page:
    """Lines `offset` to `offset + limit` of the worklist as on `as_of`."""
    wanted = filters or Filters()
    found = _from_kept(book, as_of, wanted, offset, limit)
    if found is not None:
        return found
    return afresh(book, as_of, wanted, offset, limit)


def task_count(book: Book, as_of: date) -> int:
    """How many tasks the worklist has on `as_of` (the dashboard's figure): from the
    kept lines when they hold, else counted by the database (`run.task_count`)."""
    found = _from_kept(book, as_of, Filters(), 0, 0)
    return found.tasks if found is not None else daily_run.task_count(book, as_of)


def afresh(
    book: Book, as_of: date, filters: Filters | None = None, offset: int = 0, limit: int = 50
) -> Page:
    """The page cut from every line made afresh (`recoup.services.worklist`)."""
    every = worklist(book, as_of, filters or Filters())
    return Page(
        every.lines[offset : offset + limit], len(every.lines), every.tasks, every.kinds,
        every.currencies, every.all_lines,
    )  # fmt: skip


def _order(line: Line | KeptLine) -> tuple[int, str, str]:
    return (-line.score, line.customer, line.currency)


def _from_kept(book: Book, as_of: date, filters: Filters, offset: int, limit: int) -> Page | None:
    with book.reading():
        with book.read() as conn:
            if worklist_repo.kept_day(conn) != as_of or point_in_time.moved_past(conn, as_of):
                return None
            queued = run_repo.queued(conn)
            if len(queued) > LIVE_MOST:
                return None
            user_id = None
            if filters.collector is not None:
                user = user_repo.get_user(conn, filters.collector)
                if user is None:
                    return None  # `worklist.check` refuses it
                user_id = int(user["id"])
        followups = tasks.open_followups(book, as_of)
        with book.read() as conn:
            ids_of = run_repo.customer_ids_of(conn, {f.customer for f in followups})
        live = frozenset(queued) | frozenset(ids_of.values())
        made = _lines(book, as_of, live) if live else []
        shown_live = [line for line in made if filters.keeps(line)]
        every = Narrowing(live)
        narrowing = Narrowing(live, filters.kind, filters.currency, user_id, filters.unassigned)
        with book.read() as conn:
            kept = worklist_repo.first(conn, narrowing, offset + limit)
            held = worklist_repo.summary(conn, every)
            total, task_count = worklist_repo.totals(conn, narrowing, held)
        either: list[Line | KeptLine] = [*kept, *shown_live]
        lines = _shown(book, as_of, sorted(either, key=_order)[offset : offset + limit])
        if lines is None:
            return None
    return Page(
        lines,
        total + len(shown_live),
        task_count + sum(len(line.tasks) for line in shown_live),
        _kinds(held.firsts, made),
        tuple(sorted(held.currencies | {line.currency for line in made})),
        held.lines + len(made),
    )


def _shown(book: Book, as_of: date, rows: list[Line | KeptLine]) -> list[Line] | None:
    """The page's lines: those made afresh as they are, the kept ones made now (as
    `recoup.services.worklist` makes them); None when one of those differs from what
    was kept (its score, its tasks), which the kept order then no longer holds for."""
    chosen = [row for row in rows if isinstance(row, KeptLine)]
    if not chosen:
        return [row for row in rows if isinstance(row, Line)]
    ids = frozenset(row.customer_id for row in chosen)
    by_line = {(line.customer, line.currency): line for line in _lines(book, as_of, ids)}
    for row in chosen:
        line = by_line.get((row.customer, row.currency))
        if (
            line is None
            or line.score != row.score
            or len(line.tasks) != row.tasks
            or tuple(sorted(set(line.kinds))) != row.kinds
        ):
            log.warning(
                "the worklist kept for %s no longer holds for %s %s: made afresh",
                as_of, row.customer, row.currency,
            )  # fmt: skip
            return None
    return [
        by_line[(row.customer, row.currency)] if isinstance(row, KeptLine) else row for row in rows
    ]


def _lines(book: Book, as_of: date, customer_ids: frozenset[int]) -> list[Line]:
    """These customers' lines, made afresh, most urgent first."""
    items = daily_run.worklist(book, as_of, customer_ids)
    return group(items, assignments.collector_of(book, {i.customer for i in items}))


def _kinds(firsts: Sequence[KeptLine], made: list[Line]) -> tuple[str, ...]:
    """The kinds of task on the list in the order `Worklist.kinds` has them: by the
    first line that holds each, then by its place among that line's tasks."""
    where: dict[str, tuple[tuple[int, str, str], int]] = {}
    either: list[Line | KeptLine] = [*firsts, *made]
    for line in either:
        for n, kind in enumerate(line.kinds):
            at = (_order(line), n)
            if kind not in where or at < where[kind]:
                where[kind] = at
    return tuple(sorted(where, key=where.__getitem__))
