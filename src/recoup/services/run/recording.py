"""Recording a decided batch: case states, the new actions, their outbox entries and
history entries, in a few set-based statements; the batch leaves the queue. And the run's
report of what it added."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from recoup.services import allocation_sync, history
from recoup.services.run.deciding import BatchPlan
from recoup.services.run.history_json import history_data
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


def write_batch(conn: Any, plan: BatchPlan, version: int, as_of: date, report: RunReport) -> None:
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
