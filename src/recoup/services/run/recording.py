"""Recording a decided batch: case states, the new actions, their outbox entries and
history entries, in a few set-based statements; the batch leaves the queue. And the run's
report of what it added."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from recoup.services import allocation_sync, history
from recoup.services.run.deciding import BatchPlan
from recoup.services.run.history_json import with_id
from recoup.store import run_repo, steps


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


_SENT = frozenset({"email", "letter"})  # kinds of action that go to the outbox
_CHARGES = frozenset({"fee", "interest"})  # kinds that charge the account


def write_batch(
    conn: Any,
    plan: BatchPlan,
    version: int,
    as_of: date,
    report: RunReport,
    queued: Mapping[int, int],
) -> None:
    """Write a planned batch with a few set-based statements: case states, the new
    actions, their outbox entries and history entries; the batch leaves the queue (those
    still queued with the stamp in `queued`, read before the run looked at them).
    Everything but the actions' ids was made while planning (`deciding.Written`)."""
    report.reviewed += plan.reviewed
    report.skipped.extend(entry for _cid, entry in plan.skipped)
    # the case's steps take the new actions with its new state, in one statement
    action_ids = run_repo.record_action_rows(conn, plan.rows)
    to_send: list[tuple[int, str, str | None]] = []
    entries: list[tuple[int, str, str, str]] = []
    charged: set[int] = set()
    added: dict[tuple[int, str], list[str]] = defaultdict(list)
    cycles: dict[tuple[int, str], date] = {}
    for row, made, action_id in zip(plan.rows, plan.written, action_ids, strict=True):
        if action_id is None:
            continue  # another run recorded it meanwhile
        cid, currency, cycle, _on, kind = row[:5]
        added[(cid, currency)].append(made.step)
        cycles[(cid, currency)] = cycle
        if kind in _SENT:
            to_send.append((action_id, kind, row[8]))
        elif kind in _CHARGES:
            charged.add(cid)
        entries.append(
            (cid, made.history_kind, made.history_text, with_id(action_id, made.data_tail))
        )
        made.report["id"] = action_id
        report.actions.append(made.report)
    upserts = [
        (cid, currency, cycle, review, steps.join(*added.pop((cid, currency), ())))
        for cid, currency, cycle, review in plan.upserts
    ]
    run_repo.save_cases(conn, upserts, plan.ended, as_of)
    if added:  # cases whose state stayed as it was
        run_repo.add_steps(
            conn, [(*case, cycles[case], steps.join(*items)) for case, items in added.items()]
        )
    if charged:
        # payments already on account may pay the new charges (in the plan's order)
        allocation_sync.recompute(conn, charged)
    run_repo.add_many_to_outbox(conn, to_send, as_of)
    history.record_same_time(conn, entries, actor="daily run", on=as_of)
    if not plan.past:
        run_repo.dequeue(conn, plan.ids, queued)
