"""The daily run: look at the customers that need it, decide, record, batch by batch.

`run(book, as_of)` looks at the customers that need it (queued because their books
changed, or whose case asked to be looked at again by `as_of`; `full=True`: everyone
with something open), decides each case with the active policy (`deciding`) and records
the actions (`recording`). Customers are handled in batches, each batch one
transaction: its actions, outbox entries, case states and its removal from the queue
commit together. On a SQLite book with more than one batch, planning processes decide
batches ahead while this process writes (`workers`, `store`).

Idempotency: an action has a unique key (customer, currency, cycle start, stage, kind).
A second run of the same date plans the same actions, finds them recorded and adds
nothing; a run killed half way left whole batches behind, and running it again does
the rest. The report lists only the actions this run added.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from recoup.domain.policy import InterestKind
from recoup.services import assignments, casework
from recoup.services.book import Book, Rollback
from recoup.services.policy import active_policy
from recoup.services.run import workers as workers_
from recoup.services.run.deciding import BatchPlan, plan_batch
from recoup.services.run.recording import RunReport, write_batch
from recoup.services.run.sketch_facts import SketchFacts
from recoup.services.run.store import RunStore
from recoup.services.run.worklist import keep as keep_worklist
from recoup.settings import RUN_BATCH
from recoup.store import point_in_time, run_repo, worklist_repo

BATCH = RUN_BATCH  # the CLI's and the web's too (`Settings.run_batch`)


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
    with RunStore(book).paused_collector():
        return _run(book, as_of, dry_run, full, progress, batch_size, workers)


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
        # the worklist's kept lines no longer hold once this run writes; pages make their
        # lines afresh until its last step keeps the new ones (`keep_worklist`)
        with book.write() as conn:
            worklist_repo.forget(conn)
    with book.read() as conn:
        # a day the book has moved past (a replay): the book as known then, everyone
        # with something open then, and the queue left to the next run of today
        past = point_in_time.moved_past(conn, as_of)
        # the queue's stamps, read before anyone is looked at: a customer queued again
        # while the run looks at it stays queued (`run_repo.dequeue`)
        stamps = run_repo.queue_stamps(conn) if not past else {}
        ids = run_repo.candidates(conn, as_of, full, past)
        queued = sorted(stamps) if full else []
    batches = [ids[start : start + batch_size] for start in range(0, len(ids), batch_size)]
    # the decisions by case facts, kept for every batch of the run (`sketch_facts`)
    known = SketchFacts(policy, as_of) if policy.fees.interest is InterestKind.NONE else None

    def decide(conn: Any, ids: list[int]) -> BatchPlan:
        return plan_batch(conn, ids, policy, version, as_of, facts=known, past=past)

    done = 0
    count = _planners(book, len(batches), workers)
    if count:
        done = _run_ahead(
            book, batches, decide, version, as_of, report, dry_run, count, progress, stamps
        )
    for n in range(done, len(batches)):
        try:
            with book.write() as conn:
                write_batch(conn, decide(conn, batches[n]), version, as_of, report, stamps)
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
            run_repo.dequeue(conn, queued, stamps)
    if not dry_run and batches:
        with book.write() as conn:
            run_repo.forget_ended(conn, as_of - timedelta(days=ENDED_KEPT_DAYS))
    if not dry_run:  # accounts new to the rules get their collector (services.assignments)
        assignments.assign_new(book)
        # the day's worklist lines, in order, for the pages (`worklist.keep`)
        keep_worklist(book, as_of)
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
    return asked if workers_.can_fork() else 0


def _run_ahead(
    book: Book,
    batches: list[list[int]],
    decide: Callable[[Any, list[int]], BatchPlan],
    version: int,
    as_of: date,
    report: RunReport,
    dry_run: bool,
    workers: int,
    progress: Callable[[int, int], None] | None,
    stamps: Mapping[int, int],
) -> int:
    """Write the batches as planning processes (`workers`) hand in their plans; the
    number of batches done. All writes go through one connection, so that its
    `data_version` changes only when somebody else commits: from the first such change
    on, a plan made ahead may be stale, and the rest of the run plans in its own write
    transactions (the caller goes on from the batch returned)."""
    total = sum(len(b) for b in batches)
    with RunStore(book).writer() as writer, workers_.ahead(book, batches, decide, workers) as plans:
        for n, made in enumerate(plans):
            with writer.conn.begin() as transaction:
                if writer.others_committed():
                    transaction.rollback()
                    return n  # another connection committed: plan the rest here
                write_batch(writer.conn, made, version, as_of, report, stamps)
                if dry_run:
                    transaction.rollback()
            if progress is not None:
                progress(sum(len(b) for b in batches[: n + 1]), total)
    return len(batches)
