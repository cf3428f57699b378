"""Working a case (issue 4): one module per kind of action, each action one transaction
that writes its history entry with the change.

- `calls` — record_call, record_visit, record_letter, record_note; call_script.
- `promises` — add_promise, review_promises, cancel_promise, list_promises.
- `plans` — create_plan, approve_plan, default, cancel_plan, get_plan, preview_plan.
- `plan_review` — review_plans (installments against payments), upcoming_installments.
- `settlements` — offer, approve, refuse, accept, settle, review_settlements, compare.
- `disputes` — open_dispute, resolve (a credit note beyond authority waits as a request).
- `credit_requests` — approve, refuse, list_requests: credit notes waiting for an owner.
- `authority` — the one check of the actor's authority for every path that reduces
  what a customer owes (credit notes, settlements, write-offs), by role.
- `agency` — place, export, record_recovery, recall.
- `writeoffs` — write_off, approve_write_off, refuse_write_off, bad_debt_report,
  review_write_offs.
- `holds` — holds_for (for the daily run), set_flag / lift_flag (cease contact,
  insolvency).
- `tasks` — open_followups (for the worklist), done.

`review_all(book, as_of)` runs every review (promises, plans, settlements, write-off
reversals) and returns what changed: the daily run calls it.

Errors: `CaseworkError` (refused, with the reason), `NotFoundError` (no such record).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from recoup.domain.casework.errors import CaseworkError
from recoup.services.book import Book
from recoup.services.errors import NotFoundError

__all__ = ["CaseworkError", "NotFoundError", "Review", "review_all"]


@dataclass
class Review:
    as_of: date
    promises: list[dict[str, Any]] = field(default_factory=list)
    plans: list[dict[str, Any]] = field(default_factory=list)
    settlements: list[dict[str, Any]] = field(default_factory=list)
    write_offs_reversed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.promises or self.plans or self.settlements or self.write_offs_reversed)

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "promises": self.promises,
            "plans": self.plans,
            "settlements": self.settlements,
            "write_offs_reversed": self.write_offs_reversed,
        }


def review_all(book: Book, as_of: date, *, actor: str = "system") -> Review:
    """Review promises, plans, settlements and write-offs as of `as_of` (idempotent:
    a second review of the same day changes nothing)."""
    from recoup.services.casework import plan_review, promises, settlements, writeoffs

    review = Review(as_of)
    review.promises = [c.to_json() for c in promises.review_promises(book, as_of, actor=actor)]
    review.plans = [c.to_json() for c in plan_review.review_plans(book, as_of, actor=actor)]
    review.settlements = [
        c.to_json() for c in settlements.review_settlements(book, as_of, actor=actor)
    ]
    review.write_offs_reversed = writeoffs.review_write_offs(book, as_of, actor=actor)
    return review
