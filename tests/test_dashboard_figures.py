"""The dashboard's figures are read once for requests that come together, and read
again for the next request (nothing is kept)."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import pytest

from recoup.services import dashboard, demo, reports
from recoup.services.book import Book

DAY = date(2026, 11, 23)


@pytest.fixture
def book(tmp_path: Path) -> Book:
    made = Book.create(str(tmp_path / "book.db"))
    demo.write_book(made, demo.make(40, 200, 7, date(2026, 11, 20)))
    return made


def test_the_figures_are_the_reports(book: Book) -> None:
    found = dashboard.figures(book, DAY, 90, 10)
    assert found.aging == reports.aging(book, DAY)
    assert found.dso == reports.dso(book, DAY, 90)
    assert list(found.top) == reports.top_overdue(book, DAY, 10)


def test_requests_that_come_together_share_one_reading(
    book: Book, monkeypatch: pytest.MonkeyPatch
) -> None:
    reading = dashboard._read
    started, go = threading.Event(), threading.Event()
    calls: list[date] = []

    def slow_read(*args: object) -> dashboard.Figures:
        calls.append(DAY)
        started.set()
        go.wait(10)
        return reading(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(dashboard, "_read", slow_read)
    results: list[dashboard.Figures] = []
    first = threading.Thread(target=lambda: results.append(dashboard.figures(book, DAY, 90, 10)))
    first.start()
    assert started.wait(10)
    others = [
        threading.Thread(target=lambda: results.append(dashboard.figures(book, DAY, 90, 10)))
        for _ in range(5)
    ]
    for t in others:
        t.start()
    time.sleep(0.3)  # the others have asked meanwhile (their threads only call `figures`)
    go.set()
    for t in [first, *others]:
        t.join(10)
    assert len(calls) == 1
    assert len(results) == 6
    assert all(r is results[0] for r in results)
    dashboard.figures(book, DAY, 90, 10)  # a later request reads the book again
    assert len(calls) == 2
