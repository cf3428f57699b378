"""`services.flights`: requests that want the same reading at once share one. With
`fresh`, a request only takes a reading begun after it asked (it waits for the one under
way, then shares the next); without, it takes the one under way. Nothing is kept: the
next request reads again. Real threads, as the web's worker threads are."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from recoup.services.flights import Flights


class Book:
    """A stand-in for what a reading reads: a version that writes move on."""

    def __init__(self) -> None:
        self.version = 0
        self.readings = 0
        self.gate = threading.Event()
        self.started = threading.Event()
        self.lock = threading.Lock()

    def read(self) -> int:
        with self.lock:
            self.readings += 1
            seen = self.version
        self.started.set()
        assert self.gate.wait(10)
        return seen


def _until(check: object, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline
        time.sleep(0.005)


def _asked(requests: list[Future[int]]) -> None:
    """Until every one of these requests is in `share`, waiting (its thread has taken
    it, and a moment more to reach the wait)."""
    _until(lambda: all(r.running() for r in requests))
    time.sleep(0.1)


@pytest.mark.parametrize("fresh", [False, True])
def test_requests_at_once_share_one_reading(fresh: bool) -> None:
    flights: Flights[int] = Flights(fresh=fresh)
    book = Book()
    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(flights.share, "day", book.read)
        assert book.started.wait(5)
        later = [pool.submit(flights.share, "day", book.read) for _ in range(5)]
        _asked(later)
        assert book.readings == 1
        book.gate.set()
        assert first.result(5) == 0
        assert [f.result(5) for f in later] == [0] * 5
    # the one under way, and for `fresh` the one more the five shared after it
    assert book.readings == (2 if fresh else 1)


def test_a_fresh_request_sees_what_was_written_before_it_asked() -> None:
    """A write lands while a reading is under way; the requests that ask after it get a
    reading begun after they asked, which has the write."""
    flights: Flights[int] = Flights(fresh=True)
    book = Book()
    with ThreadPoolExecutor(4) as pool:
        under_way = pool.submit(flights.share, "day", book.read)
        assert book.started.wait(5)
        book.version = 1  # a collector records a call, then asks again
        after = [pool.submit(flights.share, "day", book.read) for _ in range(3)]
        _asked(after)
        book.gate.set()
        assert under_way.result(5) == 0
        assert [f.result(5) for f in after] == [1, 1, 1]
    assert book.readings == 2


def test_without_fresh_a_request_takes_the_reading_under_way() -> None:
    flights: Flights[int] = Flights(fresh=False)
    book = Book()
    with ThreadPoolExecutor(2) as pool:
        under_way = pool.submit(flights.share, "day", book.read)
        assert book.started.wait(5)
        book.version = 1
        joined = pool.submit(flights.share, "day", book.read)
        _asked([joined])
        book.gate.set()
        assert (under_way.result(5), joined.result(5)) == (0, 0)


def test_nothing_is_kept_and_keys_are_apart() -> None:
    flights: Flights[int] = Flights(fresh=True)
    book = Book()
    book.gate.set()
    assert flights.share("day", book.read) == 0
    book.version = 2
    assert flights.share("day", book.read) == 2  # read again
    assert flights.share("other day", book.read) == 2
    assert book.readings == 3


@pytest.mark.parametrize("fresh", [False, True])
def test_an_error_reaches_the_requests_of_its_reading_only(fresh: bool) -> None:
    flights: Flights[int] = Flights(fresh=fresh)
    gate, started = threading.Event(), threading.Event()
    calls: list[str] = []

    def failing() -> int:
        calls.append("failing")
        started.set()
        assert gate.wait(5)
        raise ZeroDivisionError

    def working() -> int:
        calls.append("working")
        return 7

    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(flights.share, "day", failing)
        assert started.wait(5)
        waiting = pool.submit(flights.share, "day", working)
        _asked([waiting])
        gate.set()
        with pytest.raises(ZeroDivisionError):
            first.result(5)
        if fresh:  # its own reading, after the failed one
            assert waiting.result(5) == 7
        else:  # it shared the failed one
            with pytest.raises(ZeroDivisionError):
                waiting.result(5)
    _until(lambda: not flights._running and not flights._next)
    assert flights.share("day", working) == 7  # nothing left behind
