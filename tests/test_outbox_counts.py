"""The outbox counted by state as the dashboard reads it (each state counted up to a
cap, the one state with more taken from the whole count) equals grouping every message
by state, whichever states are large: SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import text

from recoup.domain.kinds import OutboxState
from recoup.services import demo, run
from recoup.services.book import Book
from recoup.store import messages_repo

TODAY = date(2026, 11, 23)


def _grouped(book: Book) -> dict[str, int]:
    with book.read() as conn:
        rows = conn.execute(text("SELECT state, count(*) FROM outbox GROUP BY state")).all()
    return {str(s): int(n) for s, n in rows}


def test_counted_by_state_as_grouped(book: Book, monkeypatch: pytest.MonkeyPatch) -> None:
    demo.write_book(book, demo.make(40, 300, 7, TODAY))
    run.run(book, TODAY)
    with book.read() as conn:
        ids = [int(r[0]) for r in conn.execute(text("SELECT id FROM outbox ORDER BY id"))]
    assert len(ids) >= 10
    rng = random.Random(5)
    states = [s.value for s in OutboxState]
    for round_ in range(6):
        # a few states large, others small or absent, as books have them
        weights = [rng.choice([0, 1, 10]) for _ in states]
        if not any(weights):
            weights[round_ % len(states)] = 1
        with book.write() as conn:
            for i in ids:
                state = rng.choices(states, weights)[0]
                conn.execute(
                    text("UPDATE outbox SET state = :s WHERE id = :i"), {"s": state, "i": i}
                )
        expected = _grouped(book)
        for cap in (1, 3, len(ids) // 2, 10_000):
            monkeypatch.setattr(messages_repo, "STATE_COUNT_CAP", cap)
            with book.read() as conn:
                assert messages_repo.count_states(conn) == expected, (cap, weights)
