"""The run's tasks for people: today's call tasks, the recommendations that need a
person and the casework review's follow-ups, each scored by priority, most urgent
first. `recoup.services.worklist` groups them into lines per account."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from recoup.domain.limitation import days_to_limitation
from recoup.domain.money import Money
from recoup.domain.priority import PriorityInput, priority
from recoup.jurisdictions.catalogue import default_limitations
from recoup.services.book import Book
from recoup.services.casework import holds, tasks
from recoup.services.run.facts import is_consumer, payer_kind
from recoup.store import point_in_time, run_repo, tasks_repo
from recoup.store.run_repo import CustomerData


@dataclass
class WorkItem:
    customer: str
    name: str
    kind: str
    stage: str
    currency: str
    amount: Money
    since: date
    score: int
    why: str
    next_step: str

    def to_json(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "name": self.name,
            "kind": self.kind,
            "stage": self.stage,
            "currency": self.currency,
            "amount": self.amount.to_json(),
            "since": self.since.isoformat(),
            "priority": self.score,
            "why": self.why,
            "next_step": self.next_step,
        }


def worklist(book: Book, as_of: date) -> list[WorkItem]:
    """Today's call tasks and the accounts that need a person, most urgent first."""
    followups = tasks.open_followups(book, as_of)
    with book.read() as conn:
        found = run_repo.open_tasks(conn, as_of)
        ids_of = run_repo.customer_ids_of(conn, {f.customer for f in followups})
        wanted = {t["customer_id"] for t in found} | set(ids_of.values())
        past = point_in_time.moved_past(conn, as_of)
        data = {d.id: d for d in run_repo.load(conn, sorted(wanted), as_of, past=past)}
        broken = holds.broken_promises_for(conn, sorted(wanted), as_of)
    items = [
        item
        for f in followups
        if (item := _followup_item(f, data.get(ids_of.get(f.customer, -1)), broken, as_of))
    ]
    for t in found:
        d = data.get(t["customer_id"])
        if d is None:
            continue
        cur = t["currency"]
        open_here = [(n, due, m) for n, due, c, m in d.invoices if c == cur]
        if not open_here:
            continue
        overdue = sum(m for _n, due, m in open_here if due < as_of)
        oldest = min(due for _n, due, _m in open_here)
        left = days_to_limitation(
            oldest, d.country or "", as_of, is_consumer(d.tags), table=default_limitations()
        )
        p = priority(
            PriorityInput(
                Money(overdue, cur),
                (as_of - oldest).days,
                kind=payer_kind(d.tags),
                days_to_limitation=left,
                broken_promises=broken.get(d.id, 0),
            )
        )
        items.append(
            WorkItem(
                t["customer"],
                t["name"],
                t["kind"],
                t["stage"],
                cur,
                Money(overdue, cur),
                t["run_on"],
                p.score,
                p.explain(),
                _next_step(t["kind"], t["stage"], p.next_step),
            )
        )
    items.sort(key=lambda w: (-w.score, w.customer, w.kind))
    return items


def task_count(book: Book, as_of: date) -> int:
    """How many items `worklist` has on `as_of` (the dashboard's figure), without
    scoring each: the run's tasks counted by the database, the casework review's
    follow-ups (a few) made as the worklist makes them. A day the book has moved past
    is read as the worklist reads it."""
    followups = tasks.open_followups(book, as_of)
    with book.read() as conn:
        if point_in_time.moved_past(conn, as_of):
            counted = None
        else:
            counted = tasks_repo.open_task_count(conn, as_of)
            ids_of = run_repo.customer_ids_of(conn, {f.customer for f in followups})
            data = {d.id: d for d in run_repo.load(conn, sorted(set(ids_of.values())), as_of)}
    if counted is None:
        return len(worklist(book, as_of))
    return counted + sum(
        1
        for f in followups
        if _followup_item(f, data.get(ids_of.get(f.customer, -1)), {}, as_of) is not None
    )


def _followup_item(
    f: tasks.Followup, d: CustomerData | None, broken: Mapping[int, int], as_of: date
) -> WorkItem | None:
    """A follow-up left by the casework review (a broken promise, a plan in default, a
    lapsed settlement) as a worklist item, scored like the run's own tasks."""
    if d is None:
        return None
    open_all = [(due, cur, m) for _n, due, cur, m in d.invoices]
    if not open_all:
        return None
    currency = max(
        {c for _d, c, _m in open_all}, key=lambda c: sum(m for _d, cc, m in open_all if cc == c)
    )
    here = [(due, m) for due, c, m in open_all if c == currency]
    overdue = Money(sum(m for due, m in here if due < as_of), currency)
    oldest = min(due for due, _m in here)
    left = days_to_limitation(
        oldest, d.country or "", as_of, is_consumer(d.tags), table=default_limitations()
    )
    p = priority(
        PriorityInput(
            overdue,
            (as_of - oldest).days,
            kind=payer_kind(d.tags),
            days_to_limitation=left,
            broken_promises=max(broken.get(d.id, 0), 1 if f.kind == "broken_promise" else 0),
        )
    )
    return WorkItem(
        d.key, d.name, f.kind, "follow-up", currency, overdue, f.due_on, p.score,
        f"{f.text}; {p.explain()}", p.next_step,
    )  # fmt: skip


def _next_step(kind: str, stage: str, suggested: str) -> str:
    """The step a task calls for: a recommendation says what the plan recommends."""
    if kind == "escalate":
        step = stage.removeprefix("recommend:")
        return (
            f"the final notice went unanswered: review the file and decide on the "
            f"{step} step the plan recommends"
        )
    if kind == "write_off_recommendation":
        return "the plan recommends writing this off: the owner decides, with a reason"
    return suggested
