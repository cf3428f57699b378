"""One reading for many requests at once ("one flight"): the requests of one web
process that want the same costly reading (the dashboard's figures, an aged book's
worklist) at the same time wait for one reading and share its result, instead of
making twenty readings that share the same cores.

Nothing is kept once a reading is over: the next request reads again. Two ways to
share, by what a page can bear:

- `fresh=False` (the dashboard's figures): a request that finds a reading under way
  takes its result, read while it waited.
- `fresh=True` (the worklist): a request only takes a reading that started after it
  arrived, so a collector who has just recorded a call sees it. One that finds a
  reading under way waits for it to end and shares the next one with every request
  that arrived meanwhile: at most two readings' time, however many ask.

The seam is this module alone; the bench (`bench/web_load.py`) shows what it is worth.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, wait
from typing import Generic, TypeVar

V = TypeVar("V")


class Flights(Generic[V]):
    """Readings under way, by key (a book's URL and day, say)."""

    def __init__(self, *, fresh: bool) -> None:
        self.fresh = fresh
        self._lock = threading.Lock()
        self._running: dict[Hashable, Future[V]] = {}
        self._next: dict[Hashable, Future[V]] = {}

    def share(self, key: Hashable, read: Callable[[], V]) -> V:
        """`read()`'s result, made here or by the reading this request may share."""
        after: Future[V] | None = None  # the reading to wait for before leading one
        with self._lock:
            running = self._running.get(key)
            if running is None:  # none under way: this request reads
                mine: Future[V] = Future()
                self._running[key] = mine
                leads = True
            elif not self.fresh:  # take the one under way
                mine, leads = running, False
            elif key in self._next:  # the next one has its reader already
                mine, leads = self._next[key], False
            else:  # read the next one, once the one under way has ended
                mine = self._next[key] = Future()
                leads, after = True, running
        if not leads:
            return mine.result()
        if after is not None:
            _wait(after)
            with self._lock:  # the next reading is now the one under way
                self._next.pop(key, None)
                self._running[key] = mine
        return self._lead(key, mine, read)

    def _lead(self, key: Hashable, mine: Future[V], read: Callable[[], V]) -> V:
        try:
            found = read()
        except BaseException as err:
            mine.set_exception(err)
            raise
        else:
            mine.set_result(found)
            return found
        finally:
            with self._lock:
                if self._running.get(key) is mine:
                    del self._running[key]


def _wait(flight: Future[V]) -> None:
    """Until `flight` has ended, however it ended (its own requests see its error)."""
    wait((flight,))
