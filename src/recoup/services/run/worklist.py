"""The run's tasks for people: today's call tasks, the recommendations that need a
person and the casework review's follow-ups, each scored by priority, most urgent
first. `recoup.services.worklist` groups them into lines per account."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from recoup.domain.limitation import days_to_limitation
from recoup.domain.money import Money
from recoup.domain.priority import PriorityInput, priority, score
from recoup.jurisdictions.catalogue import default_limitations
from recoup.services.book import Book
from recoup.services.casework import holds, tasks
from recoup.services.collector import paused_collector
from recoup.services.run.facts import is_consumer, payer_kind
from recoup.store import point_in_time, run_repo, tasks_repo, worklist_repo
from recoup.store.run_repo import CustomerData
from recoup.store.worklist_repo import KeptLine


class WorkItem:
    """One task on the worklist, scored. Its explanation (`why`) and `next_step` are
    given, or made from its priority's facts when first asked for: the worklist scores
    every task of the book and a page explains the fifty it shows."""

    __slots__ = (
        "_facts", "_next_step", "_note", "_why", "amount", "currency", "customer", "kind",
        "name", "score", "since", "stage",
    )  # fmt: skip

    def __init__(
        self,
        customer: str,
        name: str,
        kind: str,
        stage: str,
        currency: str,
        amount: Money,
        since: date,
        score: int,
        why: str | None = None,
        next_step: str | None = None,
        *,
        facts: PriorityInput | None = None,
        note: str = "",
    ) -> None:
        if facts is None and (why is None or next_step is None):
            raise ValueError("a work item needs its explanation or the facts to make it")
        self.customer, self.name, self.kind, self.stage = customer, name, kind, stage
        self.currency, self.amount, self.since, self.score = currency, amount, since, score
        self._why, self._next_step, self._facts, self._note = why, next_step, facts, note

    def _explained(self) -> tuple[str, str]:
        """(why, next step): as given, or made from the facts the first time asked."""
        why, step = self._why, self._next_step
        if why is None or step is None:
            assert self._facts is not None
            p = priority(self._facts)
            if why is None:
                why = f"{self._note}; {p.explain()}" if self._note else p.explain()
            if step is None:
                step = _next_step(self.kind, self.stage, p.next_step)
            self._why, self._next_step = why, step
        return why, step

    @property
    def why(self) -> str:
        return self._explained()[0]

    @property
    def next_step(self) -> str:
        return self._explained()[1]

    def _values(self) -> tuple[Any, ...]:
        return (
            self.customer, self.name, self.kind, self.stage, self.currency, self.amount,
            self.since, self.score, self.why, self.next_step,
        )  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkItem):
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # equal by value, and not frozen

    def __repr__(self) -> str:
        return f"WorkItem({self.customer!r}, {self.kind!r}, {self.currency}, score={self.score})"

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


def worklist(
    book: Book, as_of: date, customer_ids: Collection[int] | None = None
) -> list[WorkItem]:
    """Today's call tasks and the accounts that need a person, most urgent first (of
    these customers only, when `customer_ids` are given).

    Set-based: the tasks come with their customers in one read and each account's
    figures (the part overdue, the oldest due date) added up by the database, instead of
    every customer's invoices read one by one (66,361 tasks: 3.9 s -> see RESULTS)."""
    with paused_collector():
        return _worklist(book, as_of, customer_ids)


def _worklist(book: Book, as_of: date, customer_ids: Collection[int] | None) -> list[WorkItem]:
    followups = tasks.open_followups(book, as_of)
    with book.read() as conn:
        past = point_in_time.moved_past(conn, as_of)
        ids_of = run_repo.customer_ids_of(conn, {f.customer for f in followups})
        if customer_ids is not None:
            ids_of = {k: i for k, i in ids_of.items() if i in customer_ids}
        loaded = run_repo.load(conn, sorted(set(ids_of.values())), as_of, past=past)
        data = {d.id: d for d in loaded}
        broken = holds.broken_promises_for(conn, sorted(set(ids_of.values())), as_of)
        scored = _scored_tasks(conn, as_of, past, customer_ids)
    items = [
        item
        for f in followups
        if (item := _followup_item(f, data.get(ids_of.get(f.customer, -1)), broken, as_of))
    ]
    items += [item for _cid, item in scored]
    items.sort(key=lambda w: (-w.score, w.customer, w.kind))
    return items


def _scored_tasks(
    conn: Any, as_of: date, past: bool, customer_ids: Collection[int] | None = None
) -> list[tuple[int, WorkItem]]:
    """The run's tasks (not the casework review's follow-ups), each scored, with its
    customer's id."""
    found = tasks_repo.scoring_rows(conn, as_of, customer_ids)
    task_ids = sorted({t.customer_id for t in found})
    figures = tasks_repo.open_figures(conn, task_ids, as_of, past)
    broken = holds.broken_promises_for(conn, task_ids, as_of)
    limitations = default_limitations()
    out = []
    for t in found:
        figure = figures.get((t.customer_id, t.currency))
        if figure is None:  # nothing left to pay in the task's currency
            continue
        overdue, oldest = figure
        cur = t.currency
        left = days_to_limitation(oldest, t.place, as_of, is_consumer(t.tags), table=limitations)
        amount = Money(overdue, cur)
        facts = PriorityInput(
            amount,
            (as_of - oldest).days,
            kind=payer_kind(t.tags),
            days_to_limitation=left,
            broken_promises=broken.get(t.customer_id, 0),
        )
        item = WorkItem(
            t.customer, t.name, t.kind, t.stage, cur, amount, t.run_on, score(facts), facts=facts
        )
        out.append((t.customer_id, item))
    return out


def kept_lines(book: Book, as_of: date) -> list[KeptLine] | None:
    """The worklist's lines of the run's tasks as the run keeps them for `as_of`
    (`recoup.store.worklist_repo`), most urgent first, as `recoup.services.worklist`
    orders its lines; None on a day the book has moved past (nothing is kept for it).
    The casework review's follow-ups are left out: their customers' lines are always
    made afresh."""
    with paused_collector(), book.read() as conn:
        if point_in_time.moved_past(conn, as_of):
            return None
        scored = _scored_tasks(conn, as_of, False)
    lines: dict[tuple[int, str], list[WorkItem]] = {}
    for cid, item in scored:
        lines.setdefault((cid, item.currency), []).append(item)
    out = [
        KeptLine(cid, items[0].customer, cur, max(i.score for i in items),
                 tuple(sorted({i.kind for i in items})), len(items))
        for (cid, cur), items in lines.items()
    ]  # fmt: skip
    out.sort(key=lambda line: (-line.score, line.customer, line.currency))
    return out


def keep(book: Book, as_of: date) -> int:
    """Keep the worklist's lines for `as_of` (the daily run's last step), so that a page
    reads its fifty lines instead of scoring every task; the number kept. On a day the
    book has moved past nothing is kept, and what was is forgotten: a replay may have
    added tasks to later days.

    Read in one transaction and written in the next: whatever changes a customer's book
    in between also queues the customer (`run_repo.enqueue`), and a queued customer's
    lines are made afresh by the page (`recoup.services.worklist_pages`)."""
    lines = kept_lines(book, as_of)
    with book.write() as conn:
        if lines is None:
            worklist_repo.forget(conn)
            return 0
        return worklist_repo.replace(conn, as_of, lines)


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
