"""Credit notes that wait for an owner: a dispute a collector resolved by credit note, or
upheld, beyond the policy's authority (`disputes.resolve` keeps it as a request). An
owner approves it (the credit note is written then, and the dispute closes) or refuses
it (the dispute stays open; collection of it stays held until it is resolved anew)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from recoup.domain.casework.disputes import Resolution
from recoup.domain.casework.errors import CaseworkError
from recoup.domain.money import Money
from recoup.services import history
from recoup.services.accounts import NotFoundError
from recoup.services.book import Book
from recoup.services.casework import disputes as dispute_service
from recoup.services.casework._case import locked, require_owner, row_filter
from recoup.store import casework_repo
from recoup.store.tables import invoices
from recoup.store.tables_casework import credit_requests, disputes


@dataclass(frozen=True)
class CreditRequestInfo:
    id: int
    customer: str
    dispute_id: int
    invoice: str
    amount: Money
    resolution: str  # credit_note | upheld
    note: str
    authority_note: str  # why it waits for an owner
    requested_on: date
    requested_by: str
    status: str  # pending | approved | refused
    decided_by: str | None
    decided_on: date | None
    decision_note: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer": self.customer,
            "dispute_id": self.dispute_id,
            "invoice": self.invoice,
            "currency": self.amount.currency,
            "amount": self.amount.to_json(),
            "resolution": self.resolution,
            "note": self.note,
            "authority_note": self.authority_note,
            "requested_on": self.requested_on.isoformat(),
            "requested_by": self.requested_by,
            "status": self.status,
            "decided_by": self.decided_by,
            "decided_on": self.decided_on.isoformat() if self.decided_on else None,
            "decision_note": self.decision_note,
        }


def _load(conn: Connection, rid: int) -> CreditRequestInfo:
    row = casework_repo.get(conn, credit_requests, rid)
    if row is None:
        raise NotFoundError(f"no credit request {rid}")
    dispute = casework_repo.get(conn, disputes, row["dispute_id"])
    assert dispute is not None
    inv = casework_repo.get(conn, invoices, dispute["invoice_id"])
    assert inv is not None
    key = casework_repo.customer_keys(conn, [row["customer_id"]])[row["customer_id"]]
    return CreditRequestInfo(
        rid,
        key,
        int(row["dispute_id"]),
        str(inv["number"]),
        Money(row["amount_minor"], row["currency"]),
        row["resolution"],
        row["note"],
        row["authority_note"],
        row["requested_on"],
        row["requested_by"],
        row["status"],
        row["decided_by"],
        row["decided_on"],
        row["decision_note"],
    )


def get_request(book: Book, request_id: int) -> CreditRequestInfo:
    with book.read() as conn:
        return _load(conn, request_id)


def list_requests(
    book: Book, customer_key: str | None = None, status: str | None = None
) -> list[CreditRequestInfo]:
    """Credit requests, oldest first (status="pending" for the owner's queue)."""
    with book.read() as conn:
        where = row_filter(conn, customer_key, status)
        found = casework_repo.rows(conn, credit_requests, **where)
        return [_load(conn, int(r["id"])) for r in found]


def _pending(conn: Connection, request_id: int) -> dict[str, Any]:
    return locked(
        conn,
        credit_requests,
        request_id,
        f"no credit request {request_id}",
        ("pending",),
        "credit request {id} is {status}: nothing to decide",
    )


def approve(book: Book, request_id: int, *, actor: str, on: date) -> CreditRequestInfo:
    """An owner approves a credit request: the credit note is written now and the
    dispute closes as asked (upheld, or resolved by credit note)."""
    with book.write() as conn:
        require_owner(conn, actor, "approve a credit note")
        req = _pending(conn, request_id)
        dispute = locked(
            conn,
            disputes,
            int(req["dispute_id"]),
            f"no dispute {req['dispute_id']}",
            ("open",),
            "dispute {id} is closed ({status})",
        )
        inv = casework_repo.get(conn, invoices, dispute["invoice_id"])
        assert inv is not None
        value = Money(req["amount_minor"], req["currency"])
        dispute_service.check_room(inv, value)
        casework_repo.change(
            conn,
            credit_requests,
            request_id,
            {"status": "approved", "decided_by": actor, "decided_on": on},
        )
        dispute_service.close(
            conn,
            dispute,
            inv,
            Resolution(req["resolution"]),
            value,
            on=on,
            actor=actor,
            note=req["note"],
            asked_by=req["requested_by"],
        )
        return _load(conn, request_id)


def refuse(book: Book, request_id: int, *, actor: str, on: date, reason: str) -> CreditRequestInfo:
    """An owner refuses a credit request (with the reason): no credit note; the dispute
    stays open to be resolved anew."""
    why = reason.strip()
    if not why:
        raise CaseworkError("say why the credit note is refused")
    with book.write() as conn:
        require_owner(conn, actor, "refuse a credit note")
        req = _pending(conn, request_id)
        casework_repo.change(
            conn,
            credit_requests,
            request_id,
            {"status": "refused", "decided_by": actor, "decided_on": on, "decision_note": why},
        )
        value = Money(req["amount_minor"], req["currency"])
        history.record(
            conn,
            req["customer_id"],
            "correction",
            f"Credit note of {value} on dispute {req['dispute_id']} (asked for by "
            f"{req['requested_by']}) refused by {actor}: {why}; the dispute stays open",
            actor=actor,
            on=on,
            data={"credit_request_id": request_id, "status": "refused"},
        )
        return _load(conn, request_id)
