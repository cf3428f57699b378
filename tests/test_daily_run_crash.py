"""Crash test: the daily run killed with SIGKILL at random moments, then run again, records
exactly the actions of one clean run, with nothing lost or doubled.

Each trial copies a prepared SQLite book, starts `recoup run` in a process of its own
(small batches, so that it commits many times and plans them in forked planning
processes), kills it after a random delay, checks that no planning process outlived it,
and runs it again. RECOUP_CRASH_TRIALS sets the number of trials (the suite runs 8; the figure in
the closing note of issue 3 comes from a run with 50).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from recoup.services import daily_run, demo, history
from recoup.services.book import Book

TRIALS = int(os.environ.get("RECOUP_CRASH_TRIALS", "8"))
AS_OF = date(2026, 11, 23)
RECOUP = str(Path(sys.executable).with_name("recoup"))


def actions_of(path: Path) -> tuple[list[tuple], int, int]:
    book = Book.open(str(path))
    try:
        with book.read() as conn:
            rows = sorted(
                tuple(map(str, r))
                for r in conn.execute(
                    text(
                        "SELECT customer_id, currency, cycle_start, run_on, kind, stage, invoices, "
                        "amount_minor, reason FROM actions"
                    )
                )
            )
            outbox = conn.execute(text("SELECT count(*) FROM outbox")).scalar_one()
            orphans = conn.execute(
                text(
                    "SELECT count(*) FROM outbox o LEFT JOIN actions a ON a.id = o.action_id "
                    "WHERE a.id IS NULL"
                )
            ).scalar_one()
            # every action has exactly one entry in its account's history
            logged = conn.execute(
                text("SELECT count(*) FROM history WHERE actor = 'daily run'")
            ).scalar_one()
            assert logged == len(rows)
        chain = history.verify(book)
        assert chain.ok, chain.first_break
    finally:
        book.close()
    return rows, outbox, orphans


@pytest.fixture(scope="module")
def prepared(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, list[tuple], int, float]:
    folder = tmp_path_factory.mktemp("crash")
    pristine = folder / "pristine.db"
    book = Book.create(str(pristine))
    demo.write_book(book, demo.make(400, 3000, 21, AS_OF))
    daily_run.run(book, AS_OF - timedelta(days=14))  # some history: contacts, cycles
    book.close()
    reference = folder / "reference.db"
    shutil.copy(pristine, reference)
    start = time.perf_counter()
    assert _run(reference).wait(timeout=300) == 0  # a clean run, timed
    duration = time.perf_counter() - start
    rows, outbox, _ = actions_of(reference)
    assert rows
    return pristine, rows, outbox, duration


def _run(db: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "RECOUP_RUN_BATCH": "4"}
    return subprocess.Popen(
        [RECOUP, "--db", str(db), "run", "--as-of", AS_OF.isoformat(), "--no-dispatch", "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _left_behind(db: Path, wait: float = 5.0) -> list[int]:
    """Live processes still working on this book (the run's planning processes are
    forks of it, with its command line), after giving them `wait` seconds to end."""
    deadline = time.monotonic() + wait
    while True:
        alive = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                command = (entry / "cmdline").read_bytes()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue  # ended meanwhile
            if str(db).encode() in command and state not in ("Z", "X"):
                alive.append(int(entry.name))
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.05)


@pytest.mark.parametrize("trial", range(TRIALS))
def test_a_killed_run_run_again_equals_a_clean_run(prepared, tmp_path: Path, trial: int):
    pristine, reference_rows, reference_outbox, duration = prepared
    db = tmp_path / "book.db"
    # anywhere in the run: while Python starts, between batches, inside a transaction
    delay = random.Random(trial).uniform(0.05, 0.8) * duration
    for _ in range(4):
        shutil.copy(pristine, db)
        proc = _run(db)
        time.sleep(delay)
        killed = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if killed:
            break
        # the run was faster this time than the timed one (a machine's load varies):
        # start again from the same book and kill it sooner
        delay /= 2
    assert _left_behind(db) == [], "a planning process outlived the killed run"
    again = _run(db)
    assert again.wait(timeout=300) == 0
    rows, outbox, orphans = actions_of(db)
    print(f"trial {trial}: killed while running: {killed}")  # shown with pytest -s
    assert rows == reference_rows, f"trial {trial} (killed mid-run: {killed})"
    assert outbox == reference_outbox
    assert orphans == 0
    assert killed, "the run ended before it could be killed"
