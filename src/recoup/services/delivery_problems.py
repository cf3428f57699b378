"""What could not be delivered, for the worklist's "Delivery problems" and
`recoup dispatch problems`: messages that failed for good, those waiting for a retry,
and those held until the set-up is complete (a template to sign off, a detail to set)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from recoup.domain.kinds import OutboxState
from recoup.services.book import Book
from recoup.store import messages_repo


@dataclass(frozen=True)
class OutboxCounts:
    """The outbox in figures: the dashboard, `recoup outbox` and `dispatch` say the same."""

    waiting: int  # pending, or being sent right now
    sent: int
    withdrawn: int
    failed: int

    def to_json(self) -> dict[str, int]:
        return {
            "waiting": self.waiting,
            "sent": self.sent,
            "withdrawn": self.withdrawn,
            "failed": self.failed,
        }


def outbox_counts(book: Book) -> OutboxCounts:
    with book.read() as conn:
        counts = messages_repo.count_states(conn)
    return OutboxCounts(
        counts.get(OutboxState.PENDING, 0) + counts.get(OutboxState.SENDING, 0),
        counts.get(OutboxState.SENT, 0),
        counts.get(OutboxState.WITHDRAWN, 0),
        counts.get(OutboxState.FAILED, 0),
    )


@dataclass(frozen=True)
class DeliveryProblem:
    outbox_id: int
    customer: str
    name: str
    channel: str
    template: str | None
    stage: str
    state: str  # failed, or pending (a retry is planned, or held by the set-up)
    reason: str
    attempts: int
    next_attempt_at: datetime | None
    recipient: str | None
    failed_at: datetime | None = None  # when the history recorded the failure (failed only)

    def to_json(self) -> dict[str, Any]:
        return {
            "outbox": self.outbox_id,
            "customer": self.customer,
            "name": self.name,
            "channel": self.channel,
            "template": self.template,
            "stage": self.stage,
            "state": self.state,
            "reason": self.reason,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
            "recipient": self.recipient,
            "failed_at": self.failed_at.isoformat() if self.failed_at else None,
        }


def problems(book: Book) -> list[DeliveryProblem]:
    """Messages that failed for good, and those waiting to be tried again, newest first."""
    with book.read() as conn:
        rows = messages_repo.problems(conn)
        failed = [r["customer_id"] for r in rows if r["state"] == "failed"]
        times = messages_repo.failure_times(conn, failed)
    return [
        DeliveryProblem(
            r["id"],
            r["customer"],
            r["name"],
            r["channel"],
            r["template"],
            r["stage"],
            r["state"],
            r["wait_reason"] or r["last_error"] or "",
            r["attempts"],
            _aware(r["next_attempt_at"]) if r["next_attempt_at"] is not None else None,
            r["recipient"],
            _timestamp(times.get(r["id"])),
        )
        for r in rows
    ]


def _timestamp(value: str | None) -> datetime | None:
    """A history timestamp (2026-11-23T08:00:00.000000Z) as an aware datetime."""
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
