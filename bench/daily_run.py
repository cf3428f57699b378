"""Benchmark of the daily run: a full re-evaluation and an ordinary day, on two books.

Each book is made with the demo generator (seed 42, as of 2026-11-20, a Friday; 200,000
customers, 1,000,000 invoices):

- `open`: every invoice still open (the generator's payments left out): the book of
  DESIGN.md's target, "1,000,000 open invoices / 200,000 customers". Every customer owes
  something, most of it long overdue, so every account is a case.
- `realistic`: the generator's payments applied: 260,478 invoices stay open, 103,709
  customers owe something. Its ordinary days are those of a business whose customers
  pay, with stages falling due every day.

On each book the bench times the first run (`--full`, 2026-11-23: every account is new
to the plan, and every action of the first day is written), the day after it (the final
notices of the first day may now be followed by recommendations), the two weeks of
ordinary days that follow (only the accounts due for a look; the median of Tuesdays to
Fridays is the figure, Mondays carry the contacts that waited over the weekend), and a
`--full` re-evaluation of the running book on the last of those days (what a policy
change costs: DESIGN.md's "full re-evaluation", the <= 3 s target; three times, the
median counts). Each run is a process of its own, as `recoup run` is. Prints a table
per book.

    python bench/daily_run.py [--book open|realistic|both] [--invoices N] [--customers N]
                              [--targets-only]

`--targets-only`: the first run and the day after's `--full --dry-run` preview (three
times, the median counts) against their targets (<= 5 s, <= 3 s), nothing else. Every
run uses `recoup run`'s batch (`Settings.run_batch`).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import resource
import shutil
import sqlite3
import statistics
import sys
import threading
import time
from datetime import date, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import holidays.countries  # noqa: F401 - see below

import recoup.cli.app  # noqa: F401 - what the `recoup` command has imported when it runs
from recoup.services import demo
from recoup.services import run as daily_run
from recoup.services.book import Book
from recoup.settings import Settings

RUN_BATCH = Settings().run_batch  # the batch `recoup run` uses

# The holidays package loads its country tables (~0.12 s here) at the first holiday
# asked for; the `recoup` command pays that once, in its first run: a cost of starting
# Python, like the imports, and loaded here before the runs are timed.

HERE = Path(__file__).parent
FIRST_DAY = date(2026, 11, 23)  # a Monday; the book is made as of the Friday before
ORDINARY_DAYS = 14
sys.path.insert(0, str(HERE))
from run import PLAIN_AGING  # noqa: E402 - the reference query of bench/run.py

BOOKS = ("open", "realistic")


def make_book(path: Path, customers: int, invoices: int, kind: str) -> None:
    book = Book.create(str(path))
    gen = demo.make(customers, invoices, 42, date(2026, 11, 20))
    if kind == "open":
        gen.payments.clear()  # nobody has paid anything yet: every invoice is open
    demo.write_book(book, gen)
    book.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--book", choices=[*BOOKS, "both"], default="both")
    parser.add_argument(
        "--targets-only",
        action="store_true",
        help="only the first run and the day after's --full --dry-run preview",
    )
    args = parser.parse_args()
    for kind in BOOKS if args.book == "both" else (args.book,):
        bench_book(args, kind)


def bench_book(args: argparse.Namespace, kind: str) -> None:
    suffix = "" if kind == "realistic" else f"-{kind}"
    folder = HERE / "data" / f"run-{args.invoices}{suffix}"
    folder.mkdir(parents=True, exist_ok=True)
    pristine = folder / "book.db"
    rows = []
    if not pristine.exists():
        # made in a child process, so that the peak memory printed below is the runs' own
        start = time.perf_counter()
        child = multiprocessing.Process(
            target=make_book, args=(pristine, args.customers, args.invoices, kind)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit("making the book failed")
        rows.append(("make the book (generate and write)", time.perf_counter() - start, ""))
    # the runs in a process of their own too: its peak memory and its children's (the
    # planning processes the runs fork) are then the runs' alone
    runs = multiprocessing.Process(target=measure, args=(args, kind, folder, pristine, rows))
    runs.start()
    runs.join()
    if runs.exitcode != 0:
        raise SystemExit("the runs failed")


def _pss_kb(pid: int) -> int:
    """A process's proportional set size: its memory, with each page shared with other
    processes (a fork's pages, shared libraries) counted in part."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass  # ended meanwhile
    return 0


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        here = todo.pop()
        out.append(here)
        with contextlib.suppress(OSError):  # ended meanwhile
            todo += [int(c) for c in Path(f"/proc/{here}/task/{here}/children").read_text().split()]
    return out


class MemoryWatch(threading.Thread):
    """The peak, over the runs, of the memory of this process, the runs' processes and
    the planning processes they fork (PSS summed over the process tree, read every 250
    ms: reading PSS walks each process's pages, ~2 ms for 400 MB, and read every 20 ms
    it slowed the runs it measured by a sixth)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.25):
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in _tree(os.getpid())))


def _one_run(path: str, day: date, full: bool, dry_run: bool, out: Connection) -> None:
    """One daily run, timed up to the book's closing, in a process of its own, as
    `recoup run` makes it (with the CLI's batch size)."""
    book = Book.open(path)
    start = time.perf_counter()
    report = daily_run.run(book, day, full=full, dry_run=dry_run, batch_size=RUN_BATCH)
    book.close()  # counted: SQLite may still move its log into the database here
    seconds = time.perf_counter() - start
    out.send((seconds, report.reviewed, len(report.actions)))
    out.close()


def timed_run(
    path: Path, day: date, full: bool = False, dry_run: bool = False
) -> tuple[float, int, int]:
    """seconds, accounts looked at, actions added: by a run in a new process (forked
    from the bench's measuring process, which holds nothing of the runs before and has
    imported what the `recoup` command imports: each run starts as `recoup run` does
    once the command has started)."""
    # the runs before have left the disk to write out what they wrote (the first run
    # ~1 GB): done before the clock starts, so that each run pays for its own writing
    os.sync()
    mine, theirs = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(
        target=_one_run, args=(str(path), day, full, dry_run, theirs)
    )
    child.start()
    theirs.close()
    got = mine.recv()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"the run of {day} failed")
    return got  # type: ignore[no-any-return]


def measure(
    args: argparse.Namespace,
    kind: str,
    folder: Path,
    pristine: Path,
    rows: list[tuple[str, float, str]],
) -> None:
    watch = MemoryWatch()
    watch.start()
    work = folder / "work.db"
    for stale in (Path(f"{work}-wal"), Path(f"{work}-shm")):
        stale.unlink(missing_ok=True)  # a killed earlier bench's log would replay on the copy
    shutil.copy(pristine, work)
    first = FIRST_DAY
    secs, reviewed, actions = timed_run(work, first, full=True)
    rows.append((f"first run, --full ({reviewed:,} accounts, {actions:,} actions)", secs, "<= 5 s"))
    # the preview the day after: what a `--full` run would do, nothing written (three
    # times, the median counts)
    previews = sorted(timed_run(work, first + timedelta(days=1), True, True) for _ in range(3))
    secs, reviewed, actions = previews[1]
    rows.append(
        (
            f"the day after, --full --dry-run ({reviewed:,} accounts, {actions:,} actions)",
            secs,
            "<= 3 s",
        )
    )
    print("  previews: " + ", ".join(f"{p[0]:.2f} s" for p in previews))
    if args.targets_only:
        _print(args, kind, watch, pristine, rows)
        return
    secs, reviewed, actions = timed_run(work, first + timedelta(days=1))
    rows.append((f"the day after ({reviewed:,} accounts, {actions:,} actions)", secs, ""))
    # ordinary days: the following two weeks, one run each, as the machine would do them
    days = []
    for offset in range(2, 2 + ORDINARY_DAYS):
        day = first + timedelta(days=offset)
        secs, reviewed, actions = timed_run(work, day)
        days.append((secs, day, reviewed, actions))
    for secs, day, reviewed, actions in days:
        print(f"  {day} {day:%a}: {secs:5.2f} s, {reviewed:,} accounts, {actions:,} actions")
    weekdays = [d for d in days if d[1].weekday() not in (0, 5, 6)]
    median = statistics.median(d[0] for d in weekdays)
    typical = sorted(weekdays)[len(weekdays) // 2]
    rows.append(
        (
            f"ordinary day, median Tue-Fri ({typical[2]:,} accounts, {typical[3]:,} actions)",
            median,
            "<= 0.5 s",
        )
    )
    monday = max(d for d in days if d[1].weekday() == 0)
    rows.append(
        (
            f"Monday, after the weekend's waits ({monday[2]:,} accounts, {monday[3]:,} actions)",
            monday[0],
            "",
        )
    )
    last = days[-1][1]
    # the re-evaluation three times, each on a copy of the book as the last day left it
    # (a re-evaluation changes what it finds: a second one on the same book would find
    # nothing to write), the median counts
    again = []
    for _ in range(3):
        copy = folder / "again.db"
        for stale in (Path(f"{copy}-wal"), Path(f"{copy}-shm")):
            stale.unlink(missing_ok=True)
        shutil.copy(work, copy)
        again.append(timed_run(copy, last, full=True))
    secs, reviewed, actions = sorted(again)[1]
    rows.append(
        (
            f"--full re-evaluation on {last} ({reviewed:,} accounts, {actions:,} new)",
            secs,
            "<= 3 s",
        )
    )
    print("  --full re-evaluations: " + ", ".join(f"{a[0]:.2f} s" for a in again))
    start = time.perf_counter()
    con = sqlite3.connect(work)
    con.execute(PLAIN_AGING, [last.isoformat()]).fetchall()
    con.close()
    rows.append(
        (
            "reference: the same book's plain-SQL aging (CASE + GROUP BY)",
            time.perf_counter() - start,
            "",
        )
    )
    _print(args, kind, watch, pristine, rows)


def _print(
    args: argparse.Namespace,
    kind: str,
    watch: MemoryWatch,
    pristine: Path,
    rows: list[tuple[str, float, str]],
) -> None:
    watch.stop.set()
    watch.join()
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    with contextlib.closing(sqlite3.connect(pristine)) as con:
        (open_invoices,) = con.execute(
            "SELECT count(*) FROM invoices WHERE settled_on IS NULL"
        ).fetchone()
    print(
        f"\nbook {kind!r}: {args.invoices:,} invoices ({open_invoices:,} open), "
        f"{args.customers:,} customers; peak memory of a run with its planning processes "
        f"{watch.peak_kb / 1024:,.0f} MB (PSS, target <= 1,536 MB); the largest process "
        f"{largest:,.0f} MB (RSS)"
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at the end (1, 5, 15 min): {load} on {os.cpu_count()} cores")
    print(f"| {'what':<66} | {'seconds':>8} | target |")
    print(f"|{'-' * 68}|{'-' * 10}|--------|")
    for what, secs, target in rows:
        print(f"| {what:<66} | {secs:>8.2f} | {target} |")


if __name__ == "__main__":
    main()
