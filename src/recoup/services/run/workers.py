"""Planning the daily run's batches in other processes while this one writes.

Reading a batch and planning its cases is most of a large run's work and touches only
that batch's customers; writing the plans needs the book's one write lock. With a SQLite
book the run therefore forks planning processes (`ahead`): each opens its own
connection, reads the batches it is given in read transactions of its own and sends the
plans back, in order, while the parent writes the plans it already has. Two planners
keep both cores of a small machine busy; the parent's writes fit in between.

Whether a plan made ahead may still be written is the caller's check (`daily_run`): a
plan read before somebody else committed a change could be stale, so the run compares
SQLite's `PRAGMA data_version` under the write lock and plans in its own transaction
again once another connection has committed anything.

The processes are forked (they inherit the loaded code and the run's policy instead of
importing and parsing it again, which would cost more than a batch's planning). A run
killed half way leaves no planners behind: each asks Linux to end it when the run's
process dies, and a planner whose parent is gone would also find its task pipe closed
(the crash test looks for survivors). Where fork is missing the run plans in its own
process.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Connection

from recoup.services.book import Book
from recoup.store.engine import make_engine

Planner = Callable[[Connection, list[int]], Any]

# set in the parent just before it forks, so that the planners inherit them
_PLAN: Planner | None = None
_URL = ""
_BOOK: Book | None = None

_PR_SET_PDEATHSIG = 1  # prctl option: the signal a process gets when its parent dies


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def ahead(
    book: Book, batches: Sequence[list[int]], plan: Planner, workers: int
) -> Iterator[Iterator[Any]]:
    """`plan(conn, batch)` for every batch, in `workers` forked processes; the results in
    the batches' order. The processes end when the block does, finished or not."""
    global _PLAN, _URL
    _PLAN, _URL = plan, book.url
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_start)
    try:
        yield pool.imap(_plan_one, batches, chunksize=1)
    finally:
        pool.terminate()
        pool.join()
        _PLAN = None


def _start() -> None:
    """A planner's start: die with the parent, and open a connection of its own (the
    parent's, inherited with the fork, are never touched here)."""
    libc = ctypes.util.find_library("c")
    if libc is not None:
        with contextlib.suppress(OSError, AttributeError):  # not Linux
            ctypes.CDLL(libc).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # pragma: no cover - the parent died before prctl
        os._exit(1)
    global _BOOK
    _BOOK = Book(make_engine(_URL), _URL)


def _plan_one(batch: list[int]) -> Any:
    assert _BOOK is not None
    assert _PLAN is not None
    with _BOOK.read() as conn:
        return _PLAN(conn, batch)
