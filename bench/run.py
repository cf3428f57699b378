"""Benchmarks for the books: import of 1,000,000 invoices and the aging of that book.

Makes its own data (the seeded demo generator, written as CSV), imports it into a new
SQLite book through the same service the CLI uses, then times the aging report and, as
the reference, one plain SQL aging query over the same table. Prints a table.

    python bench/run.py [--invoices 1000000] [--customers 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sqlite3
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from recoup.domain.aging import DEFAULT_BUCKETS
from recoup.services import demo, importing, reports
from recoup.services.book import Book
from recoup.services.importing import Kind, Options

HERE = Path(__file__).parent
AS_OF = date(2026, 11, 22)


def timed(fn, repeat: int) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def plain_sql(db: Path, sql: str, params: list[str]) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


SCAN_SUM = "SELECT count(*), sum(amount_minor - paid_minor) FROM invoices"
PLAIN_AGING = """
    SELECT CASE WHEN julianday(?1) - julianday(due_date) <= 0 THEN 0
                WHEN julianday(?1) - julianday(due_date) <= 30 THEN 1
                WHEN julianday(?1) - julianday(due_date) <= 60 THEN 2
                WHEN julianday(?1) - julianday(due_date) <= 90 THEN 3
                WHEN julianday(?1) - julianday(due_date) <= 120 THEN 4
                ELSE 5 END AS b, count(*), sum(amount_minor - paid_minor)
    FROM invoices WHERE settled_on IS NULL GROUP BY b"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = HERE / "data" / f"{args.invoices}"
    csv_path = data / "invoices.csv"
    if not csv_path.exists():
        print(
            f"generating {args.invoices:,} invoices for {args.customers:,} customers ...",
            file=sys.stderr,
        )
        gen = demo.make(args.customers, args.invoices, 42, AS_OF)
        demo.write_csv(gen, data)
        del gen
    rows = []
    import_times = []
    for i in range(args.repeat):
        db = data / f"bench-{i}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        book = Book.create(str(db))
        start = time.perf_counter()
        report = importing.import_file(book, Kind.INVOICES, csv_path, Options())
        import_times.append(time.perf_counter() - start)
        if not report.ok or report.imported != args.invoices:
            raise SystemExit(f"import failed: {report.problems[:3]}")
        book.close()
    rows.append(
        (
            f"import {args.invoices:,} invoices (CSV, new SQLite book)",
            statistics.median(import_times),
            "<= 10 s",
        )
    )
    book = Book.open(str(db))
    t, report = timed(lambda: reports.aging(book, AS_OF, DEFAULT_BUCKETS), args.repeat)
    rows.append(("aging report (service, incl. unapplied credit)", t, "<= 1 s"))
    t, _ = timed(
        lambda: reports.aging(book, AS_OF, DEFAULT_BUCKETS, with_unapplied=False), args.repeat
    )
    rows.append(("aging buckets only (service)", t, ""))
    t, _ = timed(lambda: plain_sql(db, SCAN_SUM, []), args.repeat)
    rows.append(("reference: SQLite scans and sums the invoices", t, ""))
    t, _ = timed(lambda: plain_sql(db, PLAIN_AGING, [AS_OF.isoformat()]), args.repeat)
    rows.append(("reference: a naive SQL aging (CASE + GROUP BY)", t, ""))
    t, _ = timed(lambda: reports.dso(book, AS_OF, 90), args.repeat)
    rows.append(("DSO report (standard and countback)", t, ""))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nmachine: {platform.node()} · {os.cpu_count()} cores · Python "
        f"{platform.python_version()} · SQLite {sqlite3.sqlite_version} · {date.today()}"
    )
    print(f"median of {args.repeat} runs; peak RSS of the whole run {peak:,.0f} MB\n")
    print(f"| {'what':<52} | {'seconds':>8} | target |")
    print(f"|{'-' * 54}|{'-' * 10}|--------|")
    for what, secs, target in rows:
        print(f"| {what:<52} | {secs:>8.3f} | {target} |")


if __name__ == "__main__":
    main()
