"""The daily run: evaluate -> plan -> record -> outbox, idempotently.

`run(book, as_of)` looks at the customers that need it (queued because their books
changed, or whose case asked to be looked at again by `as_of`; `full=True`: everyone
with something open), plans each case with the active policy (`recoup.domain.collection`;
cases in the same situation share one decision, see `plan_batch`) and records the
actions. Customers are handled in batches, each batch one transaction:
its actions, outbox entries, case states and its removal from the queue commit together.

Idempotency: an action has a unique key (customer, currency, cycle start, stage, kind).
A second run of the same date plans the same actions, finds them recorded and adds
nothing; a run killed half way left whole batches behind, and running it again does
the rest. The report lists only the actions this run added.
"""

from __future__ import annotations

import gc
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache, partial
from operator import itemgetter
from typing import Any

from recoup.domain.accrual import InterestTerms
from recoup.domain.collection import (
    CaseInput,
    CaseShape,
    OpenInvoice,
    OpenSummary,
    PlannedAction,
    fill,
    next_review_with_safety,
    plan_case,
)
from recoup.domain.contact_rules import Debtor, Hold, PastContact
from recoup.domain.interest import InterestError
from recoup.domain.ledger import Channel
from recoup.domain.limitation import LimitationTable, days_to_limitation, time_barred_on
from recoup.domain.money import Money
from recoup.domain.policy import InterestKind, Policy
from recoup.domain.priority import PayerKind, PriorityInput, priority
from recoup.domain.shared_plans import SharedPlans
from recoup.jurisdictions.catalogue import default_catalogue, default_limitations
from recoup.services import allocation_sync, assignments, casework, history, run_workers
from recoup.services.book import Book, Rollback
from recoup.services.casework import holds, tasks
from recoup.services.policy import active_policy
from recoup.store import driver, point_in_time, run_repo, sketch_repo, steps
from recoup.store.run_repo import CustomerData
from recoup.store.sketch_repo import Sketch

BATCH = 4000  # customers per transaction: fewer commits and per-batch reads, short locks
_CHANNEL = {"email": Channel.EMAIL, "letter": Channel.LETTER, "call": Channel.PHONE}


@dataclass
class RunReport:
    as_of: date
    policy_version: int
    dry_run: bool
    reviewed: int = 0
    review: dict[str, Any] = field(default_factory=dict)  # the casework review's changes
    actions: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "policy_version": self.policy_version,
            "dry_run": self.dry_run,
            "reviewed": self.reviewed,
            "actions": self.actions,
            "skipped": self.skipped,
        }


@lru_cache(maxsize=1024)  # a book has a few distinct tag sets
def _kind(tags: tuple[str, ...]) -> PayerKind:
    for tag in tags:
        if tag in PayerKind.__members__.values():
            return PayerKind(tag)
    return PayerKind.UNKNOWN


CONSUMER_TAG = "consumer"  # a customer tagged so gets the consumer limitation period


def _consumer(tags: tuple[str, ...]) -> bool:
    return CONSUMER_TAG in tags


@lru_cache(maxsize=4096)
def _past_contact(day: date, kind: str) -> PastContact:
    """A recorded contact: its day at noon UTC (the run records days), by its channel.
    Remembered: a book's contacts fall on a few hundred days."""
    return PastContact(datetime.combine(day, time(12), UTC), _CHANNEL[kind])


_LIMITATIONS: dict[tuple[date, str, bool], tuple[date | None, str]] = {}
_LIMITATIONS_OF: list[LimitationTable] = []


def _limitation(
    oldest: date, country: str, consumer: bool, table: LimitationTable
) -> tuple[date | None, str]:
    """The day the oldest invoice becomes time-barred, and the rule in words. Remembered
    for the table in use (by identity): a book's oldest due dates, countries and kinds
    of debt repeat from case to case."""
    if not _LIMITATIONS_OF or _LIMITATIONS_OF[0] is not table:
        _LIMITATIONS.clear()
        _LIMITATIONS_OF[:] = [table]
    key = (oldest, country, consumer)
    found = _LIMITATIONS.get(key)
    if found is None:
        limitation = time_barred_on(oldest, country, consumer, table=table)
        rule = table.find(country)
        found = _LIMITATIONS[key] = (
            limitation,
            rule.describe(consumer) if rule and limitation else "",
        )
    return found


def case_inputs(
    data: CustomerData,
    limitations: LimitationTable | None = None,
    holds: Sequence[Hold] = (),
    disputed: Mapping[str, int] | None = None,
    policy: Policy | None = None,
    broken_promises: int = 0,
) -> list[CaseInput]:
    """One planner input per currency the customer has open or a case in.

    The limitation day comes from the customer's country and the oldest open invoice's
    due date (`limitations`: the shipped table unless given). `holds` stop contact (see
    `recoup.services.casework.holds`); `disputed` (invoice number -> minor units under an
    open dispute) is left out of what is asked for.
    """
    table = limitations if limitations is not None else default_limitations()
    consumer = _consumer(data.tags)
    contacts = tuple(_past_contact(day, kind) for day, kind in data.contacts)
    debtor = Debtor(
        country=data.country,
        timezone=data.timezone or "UTC",
        contacts=contacts,
        holds=tuple(holds),
    )
    disputed = disputed or {}
    if disputed and data.summaries:
        raise ValueError("disputed parts are taken off invoice by invoice: load the details")
    out = []
    currencies = {i[2] for i in data.invoices} | set(data.summaries) | set(data.cases)
    for currency in sorted(currencies):
        start, _review = data.cases.get(currency, (None, None))
        invoices = tuple(
            OpenInvoice(n, due, m - disputed.get(n, 0), currency)
            for n, due, cur, m in data.invoices
            if cur == currency and m - disputed.get(n, 0) > 0
        )
        summary = data.summaries.get(currency)
        oldest: date | None = None
        if summary is not None:
            oldest = summary.oldest_due
        elif invoices:
            oldest = min(i.due_date for i in invoices)
        limitation, basis = (
            _limitation(oldest, data.country or "", consumer, table)
            if oldest is not None
            else (None, "")
        )
        out.append(
            CaseInput(
                data.key,
                currency,
                invoices,
                debtor,
                data.tags,
                _kind(data.tags),
                start,
                tuple(data.done.get(currency, ())),
                limitation=limitation,
                limitation_basis=basis,
                interest=interest_terms(policy, consumer) if policy is not None else None,
                interest_charged=data.interest_charged.get(currency, 0),
                compensated=frozenset(data.compensated.get(currency, ())),
                broken_promises=broken_promises,
                summary=summary,
            )
        )
    return out


def run(
    book: Book,
    as_of: date,
    *,
    dry_run: bool = False,
    full: bool = False,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH,
    workers: int | None = None,
) -> RunReport:
    """`workers`: how many processes plan batches ahead of the writes (`_planners`
    decides when None; 0 plans everything in this process)."""
    with _cycle_collector_paused():
        return _run(book, as_of, dry_run, full, progress, batch_size, workers)


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the run. A run makes millions of small objects
    that live until their batch is written; the collector kept walking them (a run of
    the 200,000-customer bench book spent ~20% of its time there, measured by switching
    it off). Nothing the run makes refers to itself, so nothing piles up meanwhile; the
    collector is switched back on (if it was on) when the run ends, however it ends."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _run(
    book: Book,
    as_of: date,
    dry_run: bool,
    full: bool,
    progress: Callable[[int, int], None] | None,
    batch_size: int,
    workers: int | None,
) -> RunReport:
    version, policy = active_policy(book)
    report = RunReport(as_of, version, dry_run)
    if not dry_run:
        # promises kept or broken, plans in default, settlements lapsed: decided first,
        # so that holds end and follow-ups appear before the plan is applied (each change
        # also queues its customer for this run)
        report.review = casework.review_all(book, as_of).to_json()
    with book.read() as conn:
        # a day the book has moved past (a replay): the book as known then, everyone
        # with something open then, and the queue left to the next run of today
        past = point_in_time.moved_past(conn, as_of)
        ids = run_repo.candidates(conn, as_of, full, past)
        queued = run_repo.queued(conn) if full and not past else []
    batches = [ids[start : start + batch_size] for start in range(0, len(ids), batch_size)]
    done = 0
    count = _planners(book, len(batches), workers)
    if count:
        done = _run_ahead(
            book, batches, policy, version, as_of, report, dry_run, count, progress, past
        )
    for n in range(done, len(batches)):
        try:
            with book.write() as conn:
                _run_batch(conn, batches[n], policy, version, as_of, report, past)
                if dry_run:
                    raise Rollback
        except Rollback:
            pass
        if progress is not None:
            progress(min((n + 1) * batch_size, len(ids)), len(ids))
    if queued and not dry_run:
        # a full run has looked at everyone the queue named (those with nothing open
        # needed no look); what was queued while it ran stays for the next run
        with book.write() as conn:
            run_repo.dequeue(conn, queued)
    if not dry_run and batches:
        with book.write() as conn:
            run_repo.forget_ended(conn, as_of - timedelta(days=ENDED_KEPT_DAYS))
    if not dry_run:  # accounts new to the rules get their collector (services.assignments)
        assignments.assign_new(book)
    return report


ENDED_KEPT_DAYS = 400
"""How long an ended cycle's steps are kept: longer than their contacts count
(`run_repo.ENDED_DAYS`), so that a look at an earlier day (`explain --as-of`) sees them."""


WORKERS_VARIABLE = "RECOUP_RUN_WORKERS"  # the number of planning processes; 0: none


def _planners(book: Book, batches: int, asked: int | None) -> int:
    """How many processes plan ahead: none for a single batch (an ordinary day: forking
    would cost more than it saves), for PostgreSQL (no `data_version` to tell a stale
    plan; its server works in parallel anyway); else one per core,
    at most two (the parent writes meanwhile), or as `RECOUP_RUN_WORKERS` says."""
    if asked is None:
        setting = os.environ.get(WORKERS_VARIABLE, "")
        asked = int(setting) if setting.isdigit() else None
    if asked is None:
        if batches < 2:
            return 0
        asked = min(2, os.cpu_count() or 1) if (os.cpu_count() or 1) > 1 else 0
    if not asked or not book.is_sqlite:
        return 0
    return asked if run_workers.can_fork() else 0


def _data_version(conn: Any) -> int:
    """SQLite's count of commits made by other connections (`PRAGMA data_version`)."""
    return int(driver.fetch(conn, "PRAGMA data_version")[0][0])


def _run_ahead(
    book: Book,
    batches: list[list[int]],
    policy: Policy,
    version: int,
    as_of: date,
    report: RunReport,
    dry_run: bool,
    workers: int,
    progress: Callable[[int, int], None] | None,
    past: bool = False,
) -> int:
    """Write the batches as planning processes (`run_workers`) hand in their plans; the
    number of batches done. All writes go through one connection, so that its
    `data_version` changes only when somebody else commits: from the first such change
    on, a plan made ahead may be stale, and the rest of the run plans in its own write
    transactions (the caller goes on from the batch returned)."""
    total = sum(len(b) for b in batches)
    with book.engine.connect() as conn:
        conn = conn.execution_options(immediate=True)
        with conn.begin():
            seen = _data_version(conn)  # before any planner reads
        # the log is moved into the database once, at the end, instead of after every
        # few commits: pages that several batches change are copied once
        pages = int(driver.fetch(conn, "PRAGMA wal_autocheckpoint")[0][0])
        driver.execute(conn, "PRAGMA wal_autocheckpoint=0")

        def plan(read: Any, ids: list[int]) -> BatchPlan:
            return plan_batch(read, ids, policy, version, as_of, past=past)

        try:
            with run_workers.ahead(book, batches, plan, workers) as plans:
                for n, made in enumerate(plans):
                    with conn.begin() as transaction:
                        if _data_version(conn) != seen:
                            transaction.rollback()
                            return n  # another connection committed: plan the rest here
                        _write_batch(conn, made, version, as_of, report)
                        if dry_run:
                            transaction.rollback()
                    if progress is not None:
                        progress(sum(len(b) for b in batches[: n + 1]), total)
        finally:
            # the connection goes back to the pool as it came
            driver.execute(conn, f"PRAGMA wal_autocheckpoint={pages}")
            driver.fetch(conn, "PRAGMA wal_checkpoint(PASSIVE)")
    return len(batches)


@dataclass
class BatchPlan:
    """What planning a batch of customers decided, before anything is written: made in
    the writer's transaction, or ahead of it by a planning process (`parallel`)."""

    ids: list[int]
    reviewed: int = 0
    upserts: list[tuple[int, str, date, date | None]] = field(default_factory=list)
    ended: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # customer id, entry
    # the new actions: (customer id, customer key, currency, action) and each one's row
    planned: list[tuple[int, str, str, PlannedAction]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    past: bool = False  # planned for a day the book has moved past: the queue stays


def _run_batch(
    conn: Any,
    ids: list[int],
    policy: Policy,
    version: int,
    as_of: date,
    report: RunReport,
    past: bool = False,
) -> None:
    plan = plan_batch(conn, ids, policy, version, as_of, past=past)
    _write_batch(conn, plan, version, as_of, report)


def plan_batch(
    conn: Any,
    ids: list[int],
    policy: Policy,
    version: int,
    as_of: date,
    *,
    shared_plans: bool = True,
    past: bool = False,
) -> BatchPlan:
    """Plan every case of these customers as the book stands in `conn`'s transaction;
    nothing is written.

    With a plan that charges no interest, each case is decided by its situation
    (`recoup.domain.shared_plans`) from a sketch of the customer
    (`recoup.store.sketch_repo`), and the actions of those that get any are made from
    their shapes with their own figures (`collection.fill`), read for them alone.
    Customers with disputed parts (read invoice by invoice), and every customer under a
    plan that charges interest or with `shared_plans=False`, are read in full and
    planned case by case (`plan_case`). Both ways decide the same; the tests compare
    them. `past`: `as_of` is a day the book has moved past
    (`recoup.store.point_in_time`); everything is read as it was known then."""
    out = BatchPlan(ids, past=past)
    in_force = holds.holds_for(conn, ids, as_of, past=past)
    disputed = holds.disputed_parts(conn, ids, as_of if past else None)
    broken = holds.broken_promises_for(conn, ids, as_of)
    later: list[int] = ids
    if shared_plans and policy.fees.interest is InterestKind.NONE:
        run = _shared_plans(policy, as_of)
        day = driver.date_reader(conn)
        later = []
        acting: list[tuple[Sketch, list[tuple[str, CaseShape]]]] = []
        overdue = run.plans.overdue_matters
        for sketch in sketch_repo.sketches(conn, ids, as_of, overdue=overdue, past=past):
            if sketch.id in disputed:
                later.append(sketch.id)
                continue
            shapes = _shapes(run, sketch, day, policy, as_of, in_force, broken)
            if any(made.actions for _currency, made in shapes):
                acting.append((sketch, shapes))
            else:
                _add_plans(out, sketch, shapes, {}, day, version, as_of)
        if acting:
            figures = run_repo.open_summaries(conn, [s.id for s, _shapes in acting], as_of, past)
            for sketch, shapes in acting:
                _add_plans(out, sketch, shapes, figures.get(sketch.id, {}), day, version, as_of)
    if later:
        # a plan without interest needs each case's open invoices only added up (the
        # database does that); customers with disputed parts are read invoice by invoice
        summarize = policy.fees.interest is InterestKind.NONE
        for data in run_repo.load(
            conn,
            later,
            as_of,
            summarize=summarize,
            detail_for=set(disputed),
            past=past,
            compensated=charges_compensation(policy),
        ):
            _plan_customer(out, data, policy, version, as_of, in_force, disputed, broken)
    if len(later) < len(ids):
        # in the customers' order, as they came
        out.skipped.sort(key=_FIRST)
        if later and out.planned:
            pairs = sorted(zip(out.planned, out.rows, strict=True), key=lambda p: p[0][0])
            out.planned, out.rows = [p for p, _r in pairs], [r for _p, r in pairs]
    return out


_FIRST = itemgetter(0)


@dataclass
class _SharedRun:
    """The situations met so far under one plan on one day, and the class of each tags
    text met (kept for the run's batches, and in a planning process for all the batches
    it plans)."""

    plans: SharedPlans
    tag_classes: dict[str, Hashable] = field(default_factory=dict)

    def tag_class(self, text: str) -> Hashable:
        found = self.tag_classes.get(text)
        if found is None:
            tags = tuple(t for t in text.split(",") if t)
            found = self.tag_classes[text] = self.plans.tag_class(
                tags, _kind(tags), _consumer(tags)
            )
        return found


_SHARED: list[_SharedRun] = []


def _shared_plans(policy: Policy, as_of: date) -> _SharedRun:
    for known in _SHARED:
        if known.plans.policy is policy and known.plans.as_of == as_of:
            return known
    run = _SharedRun(SharedPlans(policy, as_of))
    _SHARED[:] = [run]
    return run


def _shapes(
    run: _SharedRun,
    sketch: Sketch,
    day: Callable[[Any], date],
    policy: Policy,
    as_of: date,
    in_force: Mapping[int, Sequence[Hold]],
    broken: Mapping[int, int],
) -> list[tuple[str, CaseShape]]:
    """The shape of each of this customer's cases with something open, by situation."""
    shared = run.plans
    mine = applying_holds(policy, in_force.get(sketch.id, ()))
    contacts = sketch.contact_text()
    tag_class = run.tag_class(sketch.tags)
    broken_here = broken.get(sketch.id, 0)
    steps = sketch.steps
    data: list[CustomerData] = []  # made when a situation is new

    def case_of(currency: str) -> CaseInput:
        if not data:
            data.append(sketch.data(day, as_of))
        return _case_of(data[0], currency, mine, policy, broken_here)

    out = []
    for currency, (_count, balance, overdue, oldest) in sorted(sketch.open.items()):
        situation = shared.situation(
            currency, balance, overdue, oldest, steps.get(currency, ""), contacts, mine,
            sketch.country, sketch.timezone, tag_class, broken_here,
        )  # fmt: skip
        out.append((currency, shared.shape(situation, partial(case_of, currency))))
    return out


def _add_plans(
    out: BatchPlan,
    sketch: Sketch,
    shapes: list[tuple[str, CaseShape]],
    figures: Mapping[str, OpenSummary],
    day: Callable[[Any], date],
    version: int,
    as_of: date,
) -> None:
    """What this customer's cases get from their shapes: what waits, the cases' new
    states and (with the cases' `figures`, for those that act) the new actions."""
    out.reviewed += 1
    for currency, made in shapes:
        next_review = next_review_with_safety(made.next_review, sketch.key, as_of)
        for why in made.skipped:
            out.skipped.append(
                (sketch.id, {"customer": sketch.key, "currency": currency, "reason": why})
            )
        known = sketch.cases.get(currency)
        cycle = as_of if known is None else day(known[0])
        stored = None if known is None or known[1] is None else day(known[1])
        if known is None or _look_again(stored, next_review, as_of):
            out.upserts.append((sketch.id, currency, cycle, next_review))
        if not made.actions:
            continue
        recorded = steps.kinds_and_stages(sketch.steps.get(currency, "")) if known else set()
        for action in fill(made, currency, figures[currency], cycle).actions:
            if (action.kind, action.stage) in recorded:
                continue  # recorded by an earlier run of this cycle
            _add_action(out, sketch.id, sketch.key, currency, cycle, action, version, as_of)
    for currency in sketch.cases.keys() - sketch.open.keys():
        out.ended.append((sketch.id, currency))  # nothing open in it any more


def _add_action(
    out: BatchPlan,
    cid: int,
    key: str,
    currency: str,
    cycle: date,
    action: PlannedAction,
    version: int,
    as_of: date,
) -> None:
    out.planned.append((cid, key, currency, action))
    out.rows.append(
        {
            "customer_id": cid,
            "currency": currency,
            "cycle_start": cycle,
            "run_on": as_of,
            "kind": action.kind,
            "stage": action.stage,
            "invoices": _json_list(action.invoices),
            "amount_minor": action.amount.minor,
            "template": action.template,
            "reason": action.reason,
            "policy_version": version,
        }
    )


def _look_again(stored: date | None, found: date | None, as_of: date) -> bool:
    """Whether a case's day to be looked at again is to be written: not when the day it
    has is still to come and no later than the one found now (a look on that day finds
    nothing new, and sets the next). A full run, which looks at every case, thus writes
    only the cases it found something about, instead of moving every case's safety net
    (200,000 writes on a large book)."""
    return stored is None or found is None or stored <= as_of or found < stored


def _case_of(
    data: CustomerData, currency: str, mine: tuple[Hold, ...], policy: Policy, broken: int
) -> CaseInput:
    for case in case_inputs(data, holds=mine, policy=policy, broken_promises=broken):
        if case.currency == currency:
            return case
    raise LookupError(currency)


def _plan_customer(
    out: BatchPlan,
    data: CustomerData,
    policy: Policy,
    version: int,
    as_of: date,
    in_force: Mapping[int, Sequence[Hold]],
    disputed: Mapping[int, Mapping[str, int]],
    broken: Mapping[int, int],
) -> None:
    """Plan this customer's cases one by one (`plan_case`)."""
    out.reviewed += 1
    mine = applying_holds(policy, in_force.get(data.id, ()))
    for case in case_inputs(
        data,
        holds=mine,
        disputed=disputed.get(data.id),
        policy=policy,
        broken_promises=broken.get(data.id, 0),
    ):
        plan = plan_case(case, policy, as_of, with_notes=False)
        cycle = plan.cycle_start if case.invoices or case.summary else None
        for why in plan.skipped:
            out.skipped.append(
                (data.id, {"customer": data.key, "currency": case.currency, "reason": why})
            )
        if cycle is not None:
            start, stored = data.cases.get(case.currency, (None, None))
            if start != cycle or _look_again(stored, plan.next_review, as_of):
                out.upserts.append((data.id, case.currency, cycle, plan.next_review))
        elif case.currency in data.cases:
            out.ended.append((data.id, case.currency))
        for action in plan.actions:
            assert cycle is not None
            if (case.currency, action.stage, action.kind) in data.recorded and data.cases.get(
                case.currency, (None, None)
            )[0] == cycle:
                continue  # recorded by an earlier run of this cycle
            _add_action(out, data.id, data.key, case.currency, cycle, action, version, as_of)


def _write_batch(conn: Any, plan: BatchPlan, version: int, as_of: date, report: RunReport) -> None:
    """Write a planned batch with a few set-based statements: case states, the new
    actions, their outbox entries and history entries; the batch leaves the queue."""
    report.reviewed += plan.reviewed
    report.skipped.extend(entry for _cid, entry in plan.skipped)
    # the case's steps take the new actions with its new state, in one statement
    action_ids = run_repo.record_actions(conn, plan.rows, with_steps=False)
    to_send: list[tuple[int, str, str | None]] = []
    entries: list[tuple[int, str, str, str]] = []
    charged: set[int] = set()
    added: dict[tuple[int, str], list[str]] = defaultdict(list)
    for (cid, key, currency, action), row, action_id in zip(
        plan.planned, plan.rows, action_ids, strict=True
    ):
        if action_id is None:
            continue  # another run recorded it meanwhile
        added[(cid, currency)].append(
            steps.step(as_of, action.kind, action.stage, action.amount.minor)
        )
        if action.kind in ("email", "letter"):
            to_send.append((action_id, action.kind, action.template))
        elif action.kind in ("fee", "interest"):
            charged.add(cid)
        amount = action.amount.to_json()
        kind, words = _HISTORY_KIND.get(action.kind, ("stage", action.kind))
        entries.append(
            (
                cid,
                kind,
                f"{words} (stage {action.stage}, {amount} {currency}): {action.reason}",
                history_data(action_id, action, currency, amount, row["invoices"], version),
            )
        )
        report.actions.append(
            {
                "id": action_id,
                "customer": key,
                "kind": action.kind,
                "stage": action.stage,
                "invoices": list(action.invoices),
                "currency": currency,
                "amount": amount,
                "template": action.template,
                "reason": action.reason,
            }
        )
    upserts = [
        (cid, currency, cycle, review, steps.join(*added.pop((cid, currency), ())))
        for cid, currency, cycle, review in plan.upserts
    ]
    run_repo.save_cases(conn, upserts, plan.ended, as_of)
    if added:  # cases whose state stayed as it was
        cycles = {(r["customer_id"], r["currency"]): r["cycle_start"] for r in plan.rows}
        run_repo.add_steps(
            conn, [(*case, cycles[case], steps.join(*items)) for case, items in added.items()]
        )
    if charged:
        # payments already on account may pay the new charges (in the plan's order)
        allocation_sync.recompute(conn, charged)
    run_repo.add_many_to_outbox(conn, to_send, as_of)
    history.record_same_time(conn, entries, actor="daily run", on=as_of)
    if not plan.past:
        run_repo.dequeue(conn, plan.ids)


_TERMS: list[tuple[Policy, bool, InterestTerms | None]] = []


def interest_terms(policy: Policy, consumer: bool) -> InterestTerms | None:
    """The plan's interest for a business (or consumer) debtor; None when it charges none
    (or when its jurisdiction has no statutory rule for consumers). Remembered for the
    policy object in use (by identity: hashing a whole plan per account costs more than
    the answer)."""
    for known, kind, terms in _TERMS:
        if known is policy and kind == consumer:
            return terms
    terms = _interest_terms(policy, consumer)
    _TERMS[:] = [t for t in _TERMS[-3:] if t[0] is not policy or t[1] != consumer]
    _TERMS.append((policy, consumer, terms))
    return terms


def _interest_terms(policy: Policy, consumer: bool) -> InterestTerms | None:
    fees = policy.fees
    if fees.interest is InterestKind.CONTRACTUAL:
        return InterestTerms(rate_percent=fees.rate_percent, grace_days=fees.grace_days)
    if fees.interest is InterestKind.STATUTORY and policy.jurisdiction:
        try:
            rule = default_catalogue().get(policy.jurisdiction).rule(consumer)
        except InterestError:
            return None
        return InterestTerms(rule=rule, compensation=fees.compensation)
    return None


def charges_compensation(policy: Policy) -> bool:
    """Whether the plan charges the statutory compensation (then the run reads which
    invoices had it in each case's cycle)."""
    return policy.fees.interest is InterestKind.STATUTORY and policy.fees.compensation


def applying_holds(policy: Policy, found: Iterable[Hold]) -> tuple[Hold, ...]:
    """The holds the plan honours: those its `contact.holds` lists, and always the
    absolute ones (cease contact, insolvency, agency), which no plan can switch off."""
    if not found:
        return ()  # most accounts: nothing in force
    wanted = {h.value for h in policy.contact.holds}
    return tuple(h for h in found if h.absolute or h.kind.value in wanted)


# How each kind of action reads in the account's history.
_HISTORY_KIND = {
    "email": ("email", "Reminder email queued"),
    "letter": ("letter", "Letter queued"),
    "call": ("stage", "Call task put on the worklist"),
    "fee": ("fee", "Fee charged"),
    "interest": ("interest", "Interest charged"),
    "escalate": ("escalate", "Escalation recommended"),
    "write_off_recommendation": ("write_off_recommendation", "Write-off recommended"),
}


_TEXT = json.JSONEncoder(ensure_ascii=False).encode
# kinds, stages, templates and currencies repeat from action to action
_WORD = lru_cache(maxsize=4096)(_TEXT)
_LIST = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_ESCAPED = re.compile(r'["\\\x00-\x1f]')  # what JSON writes otherwise than as it is


def _json_list(numbers: Sequence[str]) -> str:
    """The numbers as a JSON list, as `_LIST` writes it (put together by hand when no
    number needs escaping: the common case, and ten times cheaper)."""
    joined = '","'.join(numbers)
    if numbers and _ESCAPED.search(joined) is None:
        return f'["{joined}"]'
    return _LIST(list(numbers))


def history_data(
    action_id: int,
    action: PlannedAction,
    currency: str,
    amount: str,
    invoices_json: str,
    version: int,
) -> str:
    """The history entry's data for a recorded action, written straight in the canonical
    form (`recoup.domain.history.data_text`: keys sorted, no spaces; a test checks the
    two agree): action id and kind, stage, currency, amount, invoices, template, policy
    version."""
    return (
        f'{{"action":{action_id},"action_kind":{_WORD(action.kind)},"amount":{_TEXT(amount)},'
        f'"currency":{_WORD(currency)},"invoices":{invoices_json},'
        f'"policy_version":{version},"stage":{_WORD(action.stage)},'
        f'"template":{_WORD(action.template)}}}'
    )


@dataclass
class Explanation:
    customer: str
    as_of: date
    policy_version: int
    cases: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "as_of": self.as_of.isoformat(),
            "policy_version": self.policy_version,
            "cases": self.cases,
        }


class UnknownCustomerError(LookupError):
    pass


def explain(book: Book, customer_key: str, as_of: date) -> Explanation:
    """Why each action would or would not be taken for this customer on `as_of`."""
    version, policy = active_policy(book)
    with book.read() as conn:
        cid = conn.exec_driver_sql(
            "SELECT id FROM customers WHERE key = ?"
            if book.is_sqlite
            else "SELECT id FROM customers WHERE key = %s",
            (customer_key,),
        ).scalar()
        if cid is None:
            raise UnknownCustomerError(f"no customer {customer_key!r}")
        past = point_in_time.moved_past(conn, as_of)
        data = run_repo.load(
            conn, [cid], as_of, past=past, compensated=charges_compensation(policy)
        )[0]
        mine = applying_holds(policy, holds.holds_for(conn, [cid], as_of, past=past).get(cid, ()))
        disputed = holds.disputed_parts(conn, [cid], as_of if past else None).get(cid)
        broken = holds.broken_promises_for(conn, [cid], as_of).get(cid, 0)
    cases = []
    for case in case_inputs(
        data, holds=mine, disputed=disputed, policy=policy, broken_promises=broken
    ):
        plan = plan_case(case, policy, as_of)
        done = [f"{stage} on {day}" for stage, day in sorted(set(case.done), key=lambda x: x[1])]
        cases.append(
            {
                "currency": case.currency,
                "notes": list(plan.notes),
                "done_this_cycle": done,
                "would_do": [f"{a.kind} ({a.stage}): {a.reason}" for a in plan.actions],
                "waiting": list(plan.skipped),
                "upcoming": [f"{name} not before {day}" for name, day in plan.upcoming],
                "next_review": plan.next_review.isoformat() if plan.next_review else None,
            }
        )
    return Explanation(customer_key, as_of, version, cases)


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
            oldest, d.country or "", as_of, _consumer(d.tags), table=default_limitations()
        )
        p = priority(
            PriorityInput(
                Money(overdue, cur),
                (as_of - oldest).days,
                kind=_kind(d.tags),
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
        oldest, d.country or "", as_of, _consumer(d.tags), table=default_limitations()
    )
    p = priority(
        PriorityInput(
            overdue,
            (as_of - oldest).days,
            kind=_kind(d.tags),
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


def list_outbox(book: Book, state: str | None = None) -> list[dict[str, Any]]:
    with book.read() as conn:
        rows = run_repo.list_outbox(conn, state)
    return [
        {
            "id": r["id"],
            "customer": r["customer"],
            "channel": r["channel"],
            "template": r["template"],
            "state": r["state"],
            "stage": r["stage"],
            "created_on": r["created_on"].isoformat()
            if hasattr(r["created_on"], "isoformat")
            else r["created_on"],
            "action": r["action"],
            "amount": Money(r["amount_minor"], r["currency"]).to_json(),
            "currency": r["currency"],
            "invoices": json.loads(r["invoices"]),
        }
        for r in rows
    ]
