"""The worklist's lines as the daily run left them (`tables_worklist`): written whole by
the run (`replace`), read a page and its counts at a time (`first`, `totals`,
`first_of_kind`, `currencies`), narrowed as `recoup.services.worklist.Filters` narrows
the lines. The customers whose lines are made afresh (`Narrowing.live`) are left out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy.engine import Connection

from recoup.store import driver

DAY_KEY = "worklist_day"  # the `meta` row: the day the kept lines are ordered for


class KeptLine(NamedTuple):
    customer_id: int
    customer: str  # the customer's key
    currency: str
    score: int
    kinds: tuple[str, ...]  # in the order a line lists them (by kind: its tasks share a score)
    tasks: int


@dataclass(frozen=True)
class Narrowing:
    """Which kept lines count: not those of `live` customers (made afresh), and as the
    filters say: a kind of task, a currency, a collector's accounts (`user_id`) and/or
    the unassigned ones; no collector condition keeps everyone's."""

    live: frozenset[int] = field(default_factory=frozenset)
    kind: str | None = None
    currency: str | None = None
    user_id: int | None = None
    unassigned: bool = False

    def unfiltered(self) -> Narrowing:
        return Narrowing(self.live)

    def sql(self) -> tuple[str, list[Any]]:
        where = ["l.customer_id NOT IN (SELECT customer_id FROM review_queue)"]
        params: list[Any] = []
        if self.live:  # ids are integers: written into the statement
            where.append(f"l.customer_id NOT IN ({','.join(str(int(i)) for i in self.live)})")
        if self.kind is not None:
            where.append("l.kinds LIKE ?")
            params.append(f"%,{self.kind},%")
        if self.currency is not None:
            where.append("l.currency = ?")
            params.append(self.currency)
        whose = []
        if self.user_id is not None:
            whose.append(
                "EXISTS (SELECT 1 FROM assignments a WHERE a.customer_id = l.customer_id "
                "AND a.user_id = ?)"
            )
            params.append(self.user_id)
        if self.unassigned:
            whose.append(
                "NOT EXISTS (SELECT 1 FROM assignments a WHERE a.customer_id = l.customer_id)"
            )
        if whose:
            where.append("(" + " OR ".join(whose) + ")")
        return " AND ".join(where), params


def kept_day(conn: Connection) -> date | None:
    """The day the kept lines are for; None when no run has kept any."""
    found = driver.fetch(conn, "SELECT value FROM meta WHERE key = ?", [DAY_KEY])
    return date.fromisoformat(found[0][0]) if found else None


def replace(conn: Connection, day: date, lines: Iterable[KeptLine]) -> int:
    """Keep these lines, in this order, as the worklist of `day`, and their sums by
    currency and kinds (what was kept goes)."""
    rows = []
    groups: dict[tuple[str, str], list[int]] = {}
    for rank, line in enumerate(lines):
        kinds = _kinds_text(line.kinds)
        rows.append((line.customer_id, line.currency, rank, line.score, kinds, line.tasks))
        group = groups.setdefault((line.currency, kinds), [0, 0, rank])
        group[0] += 1
        group[1] += line.tasks
    forget(conn)
    for start in range(0, len(rows), 5000):
        driver.execute_many(
            conn,
            "INSERT INTO worklist_lines (customer_id, currency, rank, score, kinds, tasks) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            rows[start : start + 5000],
        )
    driver.execute_many(
        conn,
        "INSERT INTO worklist_groups (currency, kinds, lines, tasks, first_rank) "
        "VALUES (?, ?, ?, ?, ?)",
        [(currency, kinds, *sums) for (currency, kinds), sums in groups.items()],
    )
    driver.execute(conn, "INSERT INTO meta (key, value) VALUES (?, ?)", [DAY_KEY, day.isoformat()])
    return len(rows)


def forget(conn: Connection) -> None:
    """No kept lines any more: every page scores afresh until a run keeps them again."""
    driver.execute(conn, "DELETE FROM worklist_lines")
    driver.execute(conn, "DELETE FROM worklist_groups")
    driver.execute(conn, "DELETE FROM meta WHERE key = ?", [DAY_KEY])


def _kinds_text(kinds: Sequence[str]) -> str:
    return "," + ",".join(kinds) + ","


def _kinds_of(text: str) -> tuple[str, ...]:
    return tuple(k for k in text.split(",") if k)


_LINE = (
    "SELECT l.customer_id, c.key, l.currency, l.score, l.kinds, l.tasks "
    "FROM worklist_lines l JOIN customers c ON c.id = l.customer_id WHERE {where} "
    "ORDER BY l.rank LIMIT ?"
)


def _line(row: tuple[Any, ...]) -> KeptLine:
    cid, key, currency, score, kinds, tasks = row
    return KeptLine(int(cid), str(key), str(currency), int(score), _kinds_of(kinds), int(tasks))


def first(conn: Connection, narrowing: Narrowing, count: int) -> list[KeptLine]:
    """The first `count` lines kept, most urgent first."""
    if count <= 0:
        return []
    where, params = narrowing.sql()
    return [_line(r) for r in driver.fetch(conn, _LINE.format(where=where), [*params, count])]


def _ints(ids: Iterable[int]) -> str:
    return ",".join(str(int(i)) for i in ids)  # integers: written into the statement


Sums = dict[tuple[str, tuple[str, ...]], tuple[int, int]]  # (currency, kinds) -> lines, tasks


class Summary(NamedTuple):
    """What the kept lines hold less those of the customers made afresh: their lines and
    tasks by currency and kinds of task, and the first line of each such group (a kind's
    first line is among them)."""

    sums: Sums
    firsts: tuple[KeptLine, ...]

    @property
    def lines(self) -> int:
        return sum(n for n, _ in self.sums.values())

    @property
    def tasks(self) -> int:
        return sum(t for _, t in self.sums.values())

    @property
    def currencies(self) -> frozenset[str]:
        return frozenset(c for (c, _), (n, _) in self.sums.items() if n)


def summary(conn: Connection, narrowing: Narrowing) -> Summary:
    """The kept sums less the lines of `narrowing.live` and of the queued customers:
    a few rows read, not every kept line (a group whose first line is left out looks
    for its next one)."""
    groups = {
        (str(c), str(k)): [int(n), int(t), int(r)]
        for c, k, n, t, r in driver.fetch(
            conn, "SELECT currency, kinds, lines, tasks, first_rank FROM worklist_groups"
        )
    }
    out = sorted(set(narrowing.live) | {int(r[0]) for r in driver.fetch(conn, _QUEUED)})
    moved: set[tuple[str, str]] = set()
    for start in range(0, len(out), 500):
        sql = (
            "SELECT currency, kinds, tasks, rank FROM worklist_lines "
            f"WHERE customer_id IN ({_ints(out[start : start + 500])})"
        )
        for currency, kinds, tasks, rank in driver.fetch(conn, sql):
            group = groups[(str(currency), str(kinds))]
            group[0] -= 1
            group[1] -= int(tasks)
            if int(rank) == group[2]:
                moved.add((str(currency), str(kinds)))
    where, params = narrowing.unfiltered().sql()
    ranks = []
    for key, (lines, _tasks, rank) in groups.items():
        if not lines:
            continue
        if key in moved:  # its first line is made afresh: the next one kept
            sql = (
                f"SELECT l.rank FROM worklist_lines l WHERE {where} AND l.currency = ? "
                "AND l.kinds = ? ORDER BY l.rank LIMIT 1"
            )
            found = driver.fetch(conn, sql, [*params, *key])
            rank = int(found[0][0])
        ranks.append(rank)
    firsts = [
        _line(r)
        for start in range(0, len(ranks), 500)
        for r in driver.fetch(
            conn, _LINE.format(where=f"l.rank IN ({_ints(ranks[start : start + 500])})"), [500]
        )
    ]
    sums = {(c, _kinds_of(k)): (n, t) for (c, k), (n, t, _r) in groups.items() if n}
    return Summary(sums, tuple(firsts))


_QUEUED = "SELECT customer_id FROM review_queue"


def totals(conn: Connection, narrowing: Narrowing, every: Summary) -> tuple[int, int]:
    """(lines, tasks) kept that `narrowing` keeps; `every` is the `summary` of its
    unfiltered lines. By kind and currency: from the sums. By collector: the lines of
    the assigned customers counted from whichever side is smaller, the assignments or
    the kept lines."""
    sums = every.sums
    if narrowing.user_id is not None or narrowing.unassigned:
        combined: dict[tuple[str, tuple[str, ...]], tuple[int, int]] = {}

        def add(more: Sums, sign: int) -> None:
            for key, (n, t) in more.items():
                was = combined.get(key, (0, 0))
                combined[key] = (was[0] + sign * n, was[1] + sign * t)

        if narrowing.unassigned:  # every line less those of an assigned customer
            add(sums, 1)
            add(_assigned(conn, narrowing, every.lines, None), -1)
        if narrowing.user_id is not None:
            add(_assigned(conn, narrowing, every.lines, narrowing.user_id), 1)
        sums = combined
    kept = [
        v
        for (currency, kinds), v in sums.items()
        if (narrowing.kind is None or narrowing.kind in kinds)
        and (narrowing.currency is None or currency == narrowing.currency)
    ]
    return sum(n for n, _ in kept), sum(t for _, t in kept)


def _assigned(conn: Connection, narrowing: Narrowing, lines: int, user_id: int | None) -> Sums:
    """The kept lines (less the customers made afresh) of the customers assigned to
    `user_id`, or to anyone (None), by currency and kinds."""
    where, params = narrowing.unfiltered().sql()
    whose = "" if user_id is None else " AND a.user_id = ?"
    counted = "SELECT count(*) FROM (SELECT 1 FROM assignments LIMIT ?) a"
    assignments = int(driver.fetch(conn, counted, [lines + 1])[0][0])
    if assignments <= lines:  # from the assignments, each finding its lines
        # (SQLite takes a CROSS JOIN's tables in the order written)
        join = "CROSS JOIN" if conn.dialect.name == "sqlite" else "JOIN"
        sql = (
            f"SELECT l.currency, l.kinds, count(*), sum(l.tasks) FROM assignments a {join} "
            f"worklist_lines l ON l.customer_id = a.customer_id WHERE {where}{whose} "
            "GROUP BY l.currency, l.kinds"
        )
    else:  # from the kept lines, each looking for its assignment
        sql = (
            "SELECT l.currency, l.kinds, count(*), sum(l.tasks) FROM worklist_lines l "
            f"WHERE {where} AND EXISTS (SELECT 1 FROM assignments a "
            f"WHERE a.customer_id = l.customer_id{whose}) GROUP BY l.currency, l.kinds"
        )
    found = driver.fetch(conn, sql, [*params, *([user_id] if user_id is not None else [])])
    return {(str(c), _kinds_of(k)): (int(n), int(t or 0)) for c, k, n, t in found}
