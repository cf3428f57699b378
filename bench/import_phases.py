"""Where the time of a 1,000,000-invoice import goes, phase by phase, and the floor.

Runs the fast path's steps one at a time on the CSV that `bench/run.py` generates, then
measures the floor this machine sets: Python's csv module reading the file, and SQLite
taking the same number of 9-value rows into an in-memory table with no index at all.

    python bench/import_phases.py [--invoices 1000000]
"""

from __future__ import annotations

import argparse
import csv
import io
import sqlite3
import time
from pathlib import Path

from recoup.imports import mapping
from recoup.imports.fast_invoices import read_plain_invoices
from recoup.imports.fields import Kind
from recoup.imports.mapping import Options
from recoup.imports.source import open_table
from recoup.services import importing
from recoup.services.book import Book
from recoup.store import bulk, driver, ledger_repo
from recoup.store.tables import invoices

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=1_000_000)
    args = parser.parse_args()
    path = HERE / "data" / f"{args.invoices}" / "invoices.csv"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run bench/run.py first")
    lines: list[tuple[str, float]] = []

    def step(name: str, start: float) -> float:
        now = time.perf_counter()
        lines.append((name, now - start))
        return now

    t = time.perf_counter()
    table = open_table(path)
    cmap = mapping.resolve(Kind.INVOICES, table.header, {}, str(path))
    t = step("read and check the file, the header (source.py)", t)
    assert table.delimiter is not None
    plain = read_plain_invoices(
        path, table.header, table.delimiter, cmap, Options(), quoted=table.quoted
    )
    assert plain is not None
    t = step("read and check the columns (pyarrow)", t)
    db = path.parent / "phases.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    book = Book.create(str(db))
    report = importing.ImportReport("invoices", str(path))
    with book.write() as conn:
        t = time.perf_counter()
        ids = importing._create_customers(conn, dict.fromkeys(plain.customer, ""), report)
        t = step("create the customers", t)
        rows = plain.rows([ids[k] for k in plain.customer])
        t = step("build the rows", t)
        full = [
            i for i in invoices.indexes if not bulk._is_partial(i) or i.name == "ix_invoices_open"
        ]
        for index in full:
            index.drop(conn)
        driver.insert_many(
            conn,
            f"INSERT INTO invoices ({', '.join(ledger_repo.PLAIN_INVOICE_COLUMNS)})",
            9,
            rows,
        )
        t = step("insert the rows (no index)", t)
        for index in full:
            index.create(conn)
            t = step(f"build index {index.name}", t)
    t = step("commit", t)
    book.close()

    text = path.read_text(encoding="utf-8")
    t = time.perf_counter()
    for _ in csv.reader(io.StringIO(text)):
        pass
    t = step("floor: Python's csv module reads the file", t)
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (a, b, c, d, e, f, g, h, i)")
    t = time.perf_counter()
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    step("floor: executemany of the rows into :memory:, no index", t)
    print(f"| {'phase':<46} | seconds |")
    print(f"|{'-' * 48}|---------|")
    for name, secs in lines:
        print(f"| {name:<46} | {secs:7.2f} |")


if __name__ == "__main__":
    main()
