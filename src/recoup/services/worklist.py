"""The worklist as people work it: one line per customer and currency, with all its
tasks (a broken promise and a call, say), most urgent line first, narrowed by collector,
kind of task and currency.

The tasks themselves come from `recoup.services.run.worklist` (one `WorkItem` per task, each with
its priority, reasons and next step); this module groups them and joins each line's
collector (`recoup.services.assignments`).

- A line's priority is its most urgent task's; its tasks are listed most urgent first.
- The kind filter keeps the lines that have a task of that kind, with all their tasks
  (the collector sees everything that waits on the account).
- The collector filter keeps a collector's accounts, the unassigned ones, or both
  (`Filters`); no collector filter keeps everyone's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from recoup.domain.currencies import is_currency
from recoup.domain.money import Money
from recoup.domain.vocabulary import TASK
from recoup.services import assignments
from recoup.services import run as daily_run
from recoup.services.book import Book
from recoup.services.collector import paused_collector
from recoup.services.flights import Flights
from recoup.services.run import WorkItem

_PRIORITY = re.compile(r"(?:^|;\s*)(priority\s+\d+:.*)$", re.S)

KINDS = tuple(k for k in TASK["en"] if k != "follow-up")
"""The kinds of task a line can hold (the words for each: `recoup.domain.words.term`)."""


class FilterError(ValueError):
    """A filter that cannot be: an unknown kind of task, currency or user."""


@dataclass(frozen=True)
class Filters:
    """Which lines to keep. `collector` (a username) and `unassigned` together keep
    that collector's accounts and the unassigned ones; neither keeps all."""

    collector: str | None = None
    unassigned: bool = False
    kind: str | None = None
    currency: str | None = None

    def keeps(self, line: Line) -> bool:
        if self.kind is not None and self.kind not in line.kinds:
            return False
        if self.currency is not None and line.currency != self.currency:
            return False
        if self.collector is None and not self.unassigned:
            return True
        return (self.collector is not None and line.collector == self.collector) or (
            self.unassigned and line.collector is None
        )


def split_why(why: str) -> tuple[str, str]:
    """A task's `why` as its own note (a follow-up's "Promise of ... broken ...", else
    "") and the priority's explanation ("priority 74: ... (+29); ...")."""
    found = _PRIORITY.search(why)
    if found is None:
        return why.strip(), ""
    return why[: found.start()].strip(), found.group(1).strip()


def note(task: WorkItem) -> str:
    """What the task itself says, apart from the priority (often nothing)."""
    return split_why(task.why)[0]


def next_steps(tasks: Sequence[WorkItem]) -> list[str]:
    """The tasks' next steps, each once, most urgent task's first."""
    return list(dict.fromkeys(t.next_step for t in tasks if t.next_step))


@dataclass(frozen=True)
class Line:
    """One customer in one currency, with every task that waits on it."""

    customer: str
    name: str
    currency: str
    amount: Money  # overdue, as the tasks see it
    collector: str | None
    tasks: tuple[WorkItem, ...]  # most urgent first

    @property
    def score(self) -> int:
        return self.tasks[0].score

    @property
    def why(self) -> str:
        """Why the line is this urgent: its most urgent task's priority explanation."""
        return split_why(self.tasks[0].why)[1]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.kind for t in self.tasks))

    def to_json(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "name": self.name,
            "currency": self.currency,
            "amount": self.amount.to_json(),
            "priority": self.score,
            "collector": self.collector,
            "tasks": [
                {k: v for k, v in t.to_json().items() if k not in ("customer", "name", "currency")}
                for t in self.tasks
            ],
        }


@dataclass(frozen=True)
class Worklist:
    """The lines the filters keep, and what the unfiltered list holds (for the choices
    a page offers)."""

    lines: list[Line]
    kinds: tuple[str, ...]  # every kind of task on the list, in order of first urgency
    currencies: tuple[str, ...]
    all_lines: int  # before the filters

    @property
    def tasks(self) -> int:
        return sum(len(line.tasks) for line in self.lines)


def group(items: Sequence[WorkItem], collectors: Mapping[str, str]) -> list[Line]:
    """The tasks as lines, one per customer and currency, the most urgent line first
    (ties: by customer, then currency)."""
    by_line: dict[tuple[str, str], list[WorkItem]] = {}
    for item in items:
        by_line.setdefault((item.customer, item.currency), []).append(item)
    lines = []
    for (customer, currency), tasks in by_line.items():
        ordered = (
            sorted(tasks, key=lambda t: (-t.score, t.kind, t.since)) if len(tasks) > 1 else tasks
        )
        top = ordered[0]
        lines.append(
            Line(customer, top.name, currency, top.amount, collectors.get(customer), tuple(ordered))
        )
    lines.sort(key=lambda line: (-line.score, line.customer, line.currency))
    return lines


def check(book: Book, filters: Filters) -> None:
    """Refuse a filter naming a kind of task, a currency or a user that does not exist."""
    if filters.kind is not None and filters.kind not in KINDS:
        raise FilterError(f"unknown kind of task {filters.kind!r}; one of: {', '.join(KINDS)}")
    if filters.currency is not None and not is_currency(filters.currency):
        raise FilterError(f"unknown currency {filters.currency!r} (an ISO 4217 code such as EUR)")
    if filters.collector is not None and not assignments.is_user(book, filters.collector):
        raise FilterError(f"there is no user {filters.collector!r}")


def worklist(book: Book, as_of: date, filters: Filters | None = None) -> Worklist:
    """Today's worklist (as on `as_of`) as lines, narrowed by `filters`."""
    lines = _flights.share((book.url, as_of), lambda: _lines(book, as_of))
    wanted = filters or Filters()
    kinds = tuple(dict.fromkeys(t.kind for line in lines for t in line.tasks))
    currencies = tuple(sorted({line.currency for line in lines}))
    return Worklist([line for line in lines if wanted.keeps(line)], kinds, currencies, len(lines))


# Collectors who ask at once share one reading of every line, begun after each of them
# asked (`fresh`: one who has just recorded a call sees it). An aged book's 66,000 tasks
# take a second or more to read and score; see bench/RESULTS.md.
_flights: Flights[list[Line]] = Flights(fresh=True)


def _lines(book: Book, as_of: date) -> list[Line]:
    """Every line of the day's worklist, for every collector and filter, read in a
    transaction of its own, begun after every request that shares it asked."""
    with book.reading(anew=True), paused_collector():  # 66,000 tasks' lines: 2.2 -> 1.4 s
        items = daily_run.worklist(book, as_of)
        collectors = assignments.collector_of(book, {i.customer for i in items})
        return group(items, collectors)
