"""Benchmark of the daily run: a full re-evaluation and an ordinary day.

Makes its own book with the demo generator (seed 42, as of 2026-11-20, a Friday),
then times `run --full` for 2026-11-23 and, on the book that run left, an ordinary day
(2026-11-24: only the accounts due for a look). Prints a table.

    python bench/daily_run.py [--invoices 1000000] [--customers 200000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import sqlite3
import sys
import time
from datetime import date
from pathlib import Path

from recoup.services import daily_run, demo
from recoup.services.book import Book

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from run import PLAIN_AGING  # noqa: E402 - the reference query of bench/run.py


def make_book(path: Path, customers: int, invoices: int) -> None:
    book = Book.open(str(path))
    demo.write_book(book, demo.make(customers, invoices, 42, date(2026, 11, 20)))
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    args = parser.parse_args()
    folder = HERE / "data" / f"run-{args.invoices}"
    folder.mkdir(parents=True, exist_ok=True)
    pristine = folder / "book.db"
    rows = []
    if not pristine.exists():
        # made in a child process, so that the peak memory printed below is the runs' own
        start = time.perf_counter()
        child = multiprocessing.Process(
            target=make_book, args=(pristine, args.customers, args.invoices)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit("making the book failed")
        rows.append(("make the book (generate and write)", time.perf_counter() - start, ""))
    work = folder / "work.db"
    shutil.copy(pristine, work)
    book = Book.open(str(work))
    start = time.perf_counter()
    full = daily_run.run(book, date(2026, 11, 23), full=True)
    rows.append(
        (
            f"full run ({full.reviewed:,} accounts, {len(full.actions):,} actions)",
            time.perf_counter() - start,
            "<= 3 s",
        )
    )
    start = time.perf_counter()
    day = daily_run.run(book, date(2026, 11, 24))
    rows.append(
        (
            f"ordinary day ({day.reviewed:,} accounts, {len(day.actions):,} actions)",
            time.perf_counter() - start,
            "<= 0.5 s",
        )
    )
    book.close()
    start = time.perf_counter()
    con = sqlite3.connect(work)
    con.execute(PLAIN_AGING, ["2026-11-24"]).fetchall()
    con.close()
    rows.append(
        (
            "reference: the same book's plain-SQL aging (CASE + GROUP BY)",
            time.perf_counter() - start,
            "",
        )
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.invoices:,} invoices, {args.customers:,} customers; peak RSS of the runs "
        f"(the book is made in another process) {peak:,.0f} MB (target <= 1,536 MB)"
    )
    print(f"| {'what':<60} | {'seconds':>8} | target |")
    print(f"|{'-' * 62}|{'-' * 10}|--------|")
    for what, secs, target in rows:
        print(f"| {what:<60} | {secs:>8.2f} | {target} |")


if __name__ == "__main__":
    main()
