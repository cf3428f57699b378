"""Load test of the web UI: 20 collectors at once on the dashboard, the worklist and
account pages, each page's p50/p95/max against DESIGN.md's target (p95 <= 100 ms).

The book is the demo generator's (seed 42, as of 2026-11-20) after its first run
(2026-11-23, `recoup run --full`), so the worklist has its calls and the accounts their
history. `--make` builds it first when the book is empty or missing (SQLite path or a
PostgreSQL URL; 1,000,000 invoices / 200,000 customers by default, which takes minutes).
The server is `recoup serve` (uvicorn, one process, as a laptop or a small team runs
it), started by the bench with the clock at the run's day; each client logs in as a
user of its own, then asks for the three pages in turn (an account drawn from the
customers who owe something) for `--seconds`. The clients are asyncio tasks on one
httpx client pool each, in a process of their own.

    python bench/web_load.py --db /tmp/book.db [--make --invoices N --customers N
        [--age-to DAY]] [--day DAY] [--clients 20] [--seconds 20] [--think 0] [--workers 1]

A book used for weeks (calls waiting on the worklist):
`--make --age-to 2026-12-18 --day 2026-12-18 --think 1 --workers 2 --seconds 60`.

With `--think 0` (the default) each client asks for its next page as soon as it has
the last: the server always has 20 requests in hand. `--think 1` has each collector
read a page for about a second (0.5-1.5 s) first, and the collectors' first pages
spread over the first second (with think time, twenty people do not all click at the
same instant; without it, they do).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import httpx
from sqlalchemy import text

from recoup.services import users
from recoup.services.book import Book
from recoup.services.users import Role

AS_OF = date(2026, 11, 20)  # the generator's day
RUN_DAY = date(2026, 11, 23)  # the first run's, and the pages' day
TARGET_MS = 100.0
PAGES = ("dashboard", "worklist", "account")
PASSWORD = "bench-password-1"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
RECOUP = str(Path(sys.executable).with_name("recoup"))


def is_empty(db: str) -> bool:
    if not db.startswith("postgresql") and not Path(db).exists():
        return True
    book = Book.open(db, create=True)
    with book.read() as conn:
        found = conn.execute(text("SELECT count(*) FROM customers")).scalar_one()
    book.close()
    return not found


def make_book(db: str, customers: int, invoices: int, age_to: date | None = None) -> None:
    """The demo book and its first run, by the `recoup` command; with `age_to`, then a
    run (without delivery) for every day after the first run's up to that day, as a
    book used for weeks has its calls waiting."""
    started = time.perf_counter()
    subprocess.run([RECOUP, "--db", db, "init"], check=True)
    subprocess.run(
        [RECOUP, "--db", db, "generate", "--customers", str(customers), "--invoices",
         str(invoices), "--seed", "42", "--as-of", AS_OF.isoformat()],
        check=True,
    )  # fmt: skip
    made = time.perf_counter() - started
    subprocess.run(
        [RECOUP, "--db", db, "--now", RUN_DAY.isoformat(), "run", "--full", "--no-dispatch",
         "--json"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    print(f"book made in {made:.0f} s, first run in {time.perf_counter() - started - made:.0f} s")
    day = RUN_DAY + timedelta(days=1)
    while age_to is not None and day <= age_to:
        subprocess.run(
            [RECOUP, "--db", db, "--now", day.isoformat(), "run", "--no-dispatch", "--json"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        day += timedelta(days=1)
    if age_to is not None:
        print(f"run day by day to {age_to.isoformat()}")
    if db.startswith("postgresql"):
        # what autovacuum does soon after a load like this one; on the machines these
        # figures come from it is off, and a book never analysed has no statistics
        book = Book.open(db)
        with book.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        book.close()


def prepare(db: str, clients: int) -> list[str]:
    """A user per client; the keys of customers who owe something (the accounts the
    clients open)."""
    book = Book.open(db)
    for n in range(clients):
        users.add_user(book, f"collector{n}", PASSWORD, Role.COLLECTOR, replace=True)
    with book.read() as conn:
        keys = conn.execute(
            text(
                "SELECT c.key FROM customers c WHERE EXISTS (SELECT 1 FROM invoices i "
                "WHERE i.customer_id = c.id AND i.status <> 'paid') ORDER BY c.id LIMIT 5000"
            )
        ).scalars()
        found = [str(k) for k in keys]
    book.close()
    if not found:
        raise SystemExit("the book has no customer who owes anything: make it with --make")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(db: str, port: int, workers: int, day: date = RUN_DAY) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "RECOUP_DATABASE_URL": db,
        "RECOUP_NOW": day.isoformat(),
        "RECOUP_LOGIN_ATTEMPTS_PER_ADDRESS": "10000",  # every client logs in from 127.0.0.1
    }
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"web_load-{port}.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [RECOUP, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=5).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server did not start (see {log.name})")


async def log_in(base: str, n: int) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=120)
    page = await client.get("/login")
    token = TOKEN.search(page.text)
    if token is None:
        raise SystemExit("no CSRF token on the login page")
    done = await client.post(
        "/login",
        data={"username": f"collector{n}", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    if done.status_code != 303:
        raise SystemExit(f"collector{n} could not log in ({done.status_code})")
    return client


async def work(
    client: httpx.AsyncClient,
    keys: list[str],
    until: float,
    seed: int,
    think: float,
    pages: list[str],
    out: dict[str, list[float]],
) -> None:
    pick = random.Random(seed)
    turn = seed % len(pages)
    if think:  # people do not all click at the same instant: the first pages are spread
        await asyncio.sleep(pick.uniform(0, think))
    while time.monotonic() < until:
        page = pages[turn % len(pages)]
        turn += 1
        path = {"dashboard": "/", "worklist": "/worklist"}.get(page) or (
            f"/customers/{pick.choice(keys)}"
        )
        started = time.perf_counter()
        answer = await client.get(path)
        out[page].append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            out["errors"].append(float(answer.status_code))
        if think:
            await asyncio.sleep(think * pick.uniform(0.5, 1.5))


async def load(
    base: str, keys: list[str], clients: int, seconds: float, think: float, pages: list[str]
) -> dict[str, list[float]]:
    sessions = [await log_in(base, n) for n in range(clients)]
    paths = {"dashboard": "/", "worklist": "/worklist", "account": f"/customers/{keys[0]}"}
    # each page from every client, unmeasured: the first requests warm each web process
    # (every client's connection may be taken by another process)
    for s in sessions:
        for page in pages:
            await s.get(paths[page])
    alone = []  # one client, one page at a time: the server's own work per page
    for page in pages:
        times = []
        for key in keys[:5]:
            started = time.perf_counter()
            await sessions[0].get(paths[page] if page != "account" else f"/customers/{key}")
            times.append((time.perf_counter() - started) * 1000)
        alone.append(f"{page} {statistics.median(times):.1f} ms")
    print("one client alone (median of 5): " + ", ".join(alone))
    out: dict[str, list[float]] = defaultdict(list)
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(work(s, keys, until, n, think, pages, out) for n, s in enumerate(sessions))
    )
    for s in sessions:
        await s.aclose()
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(out: dict[str, list[float]], seconds: float, pages: list[str]) -> bool:
    print(f"\n{'page':<10} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target")
    ok = True
    for page in pages:
        times = out.get(page, [])
        if not times:
            print(f"{page:<10} {'0':>8}")
            ok = False
            continue
        p95 = percentile(times, 95)
        met = p95 <= TARGET_MS
        ok &= met
        print(
            f"{page:<10} {len(times):>8} {statistics.median(times):>8.1f} {p95:>8.1f} "
            f"{max(times):>8.1f}  p95 <= {TARGET_MS:.0f} ms: {'met' if met else 'NOT met'}"
        )
    total = sum(len(out.get(p, [])) for p in pages)
    print(f"{total / seconds:.1f} requests a second; errors: {len(out.get('errors', []))}")
    return ok and not out.get("errors")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="a SQLite file or a database URL")
    parser.add_argument("--make", action="store_true", help="make the book when it is empty")
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument(
        "--day",
        type=date.fromisoformat,
        default=RUN_DAY,
        help="the pages' day (default: the first run's); a book run on for some weeks "
        "(`recoup run` day by day) has calls on its worklist by then",
    )
    parser.add_argument(
        "--age-to",
        type=date.fromisoformat,
        default=None,
        help="with --make: after the first run, run every day up to this one (the "
        "fifteenth session's aged book: --age-to 2026-12-18 --day 2026-12-18)",
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds a client waits between pages, on average (0: none, each client asks "
        "again as soon as it has its page)",
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="web processes (`recoup serve --workers`)"
    )
    parser.add_argument(
        "--pages",
        default=",".join(PAGES),
        help=f"the pages the clients ask for in turn (default: {','.join(PAGES)})",
    )
    args = parser.parse_args()
    pages = args.pages.split(",")
    if not pages or not set(pages) <= set(PAGES):
        parser.error(f"--pages: choose from {', '.join(PAGES)}")
    if args.make and is_empty(args.db):
        make_book(args.db, args.customers, args.invoices, args.age_to)
    keys = prepare(args.db, args.clients)
    port = free_port()
    server = serve(args.db, port, args.workers, args.day)
    try:
        load_now = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"{args.clients} clients (think {args.think} s) for {args.seconds:.0f} s on "
            f"{args.db}, {args.workers} web process(es); load average before: {load_now}"
        )
        base = f"http://127.0.0.1:{port}"
        out = asyncio.run(load(base, keys, args.clients, args.seconds, args.think, pages))
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:  # requests still running: stop it now
            server.kill()
            server.wait()
    if not report(out, args.seconds, pages):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
