"""Follow-ups for a person: a broken promise, a plan in default, a lapsed settlement.

Reviews leave a task once per cause (`source`, e.g. "promise:12"); the worklist shows
the open ones that are due (`open_followups`); `done` closes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from recoup.domain.casework.errors import CaseworkError
from recoup.services.book import Book
from recoup.services.errors import NotFoundError
from recoup.store import casework_repo
from recoup.store.tables_casework import casework_tasks


@dataclass(frozen=True)
class Followup:
    id: int
    customer: str
    name: str
    kind: str  # broken_promise | plan_default | settlement_lapsed | approval ...
    due_on: date
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer": self.customer,
            "name": self.name,
            "kind": self.kind,
            "due_on": self.due_on.isoformat(),
            "text": self.text,
        }


def open_followups(book: Book, as_of: date) -> list[Followup]:
    """The follow-ups due by `as_of` and not yet done, oldest first."""
    with book.read() as conn:
        found = casework_repo.open_tasks(conn, as_of)
    return [
        Followup(t["id"], t["customer"], t["name"], t["kind"], t["due_on"], t["text"])
        for t in found
    ]


def done(book: Book, task_id: int, *, actor: str, on: date) -> None:
    """Close a follow-up."""
    with book.write() as conn:
        task = casework_repo.get(conn, casework_tasks, task_id)
        if task is None:
            raise NotFoundError(f"no follow-up {task_id}")
        if task["done_on"] is not None:
            raise CaseworkError(f"follow-up {task_id} was done on {task['done_on']}")
        casework_repo.change(conn, casework_tasks, task_id, {"done_on": on, "done_by": actor})
