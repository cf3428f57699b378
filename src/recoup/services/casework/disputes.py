"""Disputes on an invoice or part of one: open (collection of the disputed part is held),
resolve by credit note, upheld or rejected — each in the history. A credit note beyond
the resolver's authority waits as a credit request (`credit_requests`) for an owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from recoup.domain.casework.authority import Kind, Reduction
from recoup.domain.casework.disputes import (
    REASON_WORDS,
    Reason,
    Resolution,
    check_disputed_part,
    credit_for,
    parse_reason,
    parse_resolution,
)
from recoup.domain.casework.errors import CaseworkError
from recoup.domain.money import Money
from recoup.domain.words import Term
from recoup.services import history
from recoup.services.accounts import NotFoundError
from recoup.services.book import Book
from recoup.services.casework import authority, notices
from recoup.services.casework._case import customer, locked, money, touch_ledger
from recoup.services.policy import active_policy
from recoup.store import casework_repo
from recoup.store.tables import invoices
from recoup.store.tables_casework import credit_requests, disputes


@dataclass(frozen=True)
class DisputeInfo:
    id: int
    customer: str
    invoice: str
    amount: Money
    reason: str
    text: str
    opened_on: date
    status: str  # open | credit_note | upheld | rejected
    resolved_on: date | None
    credit: Money
    credit_note: str | None
    # a credit note beyond the resolver's authority, waiting for an owner
    request_id: int | None = None
    requested: Money | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer": self.customer,
            "invoice": self.invoice,
            "currency": self.amount.currency,
            "amount": self.amount.to_json(),
            "reason": self.reason,
            "text": self.text,
            "opened_on": self.opened_on.isoformat(),
            "status": self.status,
            "resolved_on": self.resolved_on.isoformat() if self.resolved_on else None,
            "credit": self.credit.to_json(),
            "credit_note": self.credit_note,
            "credit_request": None
            if self.request_id is None or self.requested is None
            else {"id": self.request_id, "amount": self.requested.to_json()},
        }


def _load(conn: Connection, did: int) -> DisputeInfo:
    row = casework_repo.get(conn, disputes, did)
    if row is None:
        raise NotFoundError(f"no dispute {did}")
    inv = casework_repo.get(conn, invoices, row["invoice_id"])
    assert inv is not None
    cur = row["currency"]
    key = casework_repo.customer_keys(conn, [row["customer_id"]])[row["customer_id"]]
    waiting = pending_request(conn, did)
    return DisputeInfo(
        did,
        key,
        inv["number"],
        Money(row["amount_minor"], cur),
        row["reason"],
        row["text"],
        row["opened_on"],
        row["status"],
        row["resolved_on"],
        Money(row["credit_minor"], cur),
        row["credit_note"],
        int(waiting["id"]) if waiting else None,
        Money(waiting["amount_minor"], cur) if waiting else None,
    )


def get_dispute(book: Book, dispute_id: int) -> DisputeInfo:
    with book.read() as conn:
        return _load(conn, dispute_id)


def list_disputes(book: Book, customer_key: str, status: str | None = None) -> list[DisputeInfo]:
    with book.read() as conn:
        where: dict[str, Any] = {"customer_id": int(customer(conn, customer_key)["id"])}
        if status is not None:
            where["status"] = status
        return [_load(conn, int(r["id"])) for r in casework_repo.rows(conn, disputes, **where)]


def open_dispute(
    book: Book,
    customer_key: str,
    invoice_number: str,
    reason: Reason | str,
    *,
    actor: str,
    on: date,
    amount: str | Money | None = None,
    text: str = "",
) -> DisputeInfo:
    """Open a dispute on `invoice_number` for `amount` (default: all that is open and not
    already disputed) with a reason code. Contact about the account is held while open."""
    why = reason if isinstance(reason, Reason) else parse_reason(reason)
    with book.write() as conn:
        authority.require_collector(conn, actor, "open a dispute")
        row = customer(conn, customer_key)
        cid = int(row["id"])
        inv = casework_repo.invoice_by_number(conn, invoice_number)
        if inv is None or inv["customer_id"] != cid or inv["kind"] != "invoice":
            raise NotFoundError(f"{customer_key} has no invoice {invoice_number!r}")
        cur = inv["currency"]
        open_amount = Money(int(inv["amount_minor"] - inv["paid_minor"]), cur)
        already = Money(casework_repo.open_disputed(conn, cid, int(inv["id"])), cur)
        part = open_amount - already if amount is None else money(amount, cur)
        check_disputed_part(part, open_amount, already)
        did = casework_repo.add(
            conn,
            disputes,
            {
                "customer_id": cid,
                "invoice_id": inv["id"],
                "currency": cur,
                "amount_minor": part.minor,
                "reason": why.value,
                "text": text,
                "opened_on": on,
                "status": "open",
                "credit_minor": 0,
                "actor": actor,
            },
        )
        whole = "" if part == open_amount else f" (part of the {open_amount} open)"
        history.record(
            conn,
            cid,
            "dispute",
            f"Dispute on invoice {invoice_number}: {part}{whole}, {REASON_WORDS[why]}"
            + (f": {text}" if text else "")
            + "; collection of it is on hold",
            actor=actor,
            on=on,
            data={
                "dispute_id": did,
                "invoice": invoice_number,
                "amount": part.to_json(),
                "currency": cur,
                "reason": why.value,
            },
        )
        notices.queue(
            conn, cid, cur, "dispute-acknowledgement", f"dispute:{did}", on,
            {"dispute": {"invoice": invoice_number, "received": on,
                         "reason": text or Term("dispute_reason", why.value)}},
            amount=part, invoices=(invoice_number,), actor=actor,
        )  # fmt: skip
        return _load(conn, did)


def resolve(
    book: Book,
    dispute_id: int,
    resolution: Resolution | str,
    *,
    actor: str,
    on: date,
    credit: str | Money | None = None,
    note: str = "",
) -> DisputeInfo:
    """Close an open dispute: `credit_note` (a credit note of `credit`, at most the
    disputed part), `upheld` (a credit note of the whole disputed part) or `rejected`
    (the invoice stands; collection resumes).

    A credit note goes through the actor's authority (`services.casework.authority`):
    within it the credit note is written now; beyond a collector's authority it waits as
    a credit request for an owner (`credit_requests.approve`), the dispute stays open and
    its collection held, and the ledger is unchanged until then. A viewer is refused."""
    how = resolution if isinstance(resolution, Resolution) else parse_resolution(resolution)
    _version, policy = active_policy(book)
    with book.write() as conn:
        row = locked(
            conn,
            disputes,
            dispute_id,
            f"no dispute {dispute_id}",
            ("open",),
            "dispute {id} is closed ({status})",
        )
        waiting = pending_request(conn, dispute_id)
        if waiting is not None:
            raise CaseworkError(
                f"dispute {dispute_id} waits for an owner's decision on credit request "
                f"{waiting['id']} ({Money(waiting['amount_minor'], waiting['currency'])})"
            )
        cur = row["currency"]
        disputed = Money(row["amount_minor"], cur)
        value = credit_for(how, disputed, None if credit in (None, "") else money(credit, cur))
        inv = casework_repo.get(conn, invoices, row["invoice_id"])
        assert inv is not None
        if not value:
            authority.require_collector(conn, actor, "resolve a dispute")
        else:
            check_room(inv, value)
            credited = sum(
                int(d["credit_minor"])
                for d in casework_repo.rows(
                    conn, disputes, invoice_id=inv["id"], status=["credit_note", "upheld"]
                )
            )  # a limit holds for all the invoice's credit notes together
            verdict = authority.check(
                conn,
                actor,
                policy,
                Reduction(
                    Kind(how.value),
                    value,
                    Money(inv["amount_minor"], cur),
                    earlier=Money(credited, cur),
                ),
            )
            if not verdict.allowed:
                request(conn, row, inv, how, value, on=on, actor=actor, note=note,
                        why=verdict.reason)  # fmt: skip
                return _load(conn, dispute_id)
        close(conn, row, inv, how, value, on=on, actor=actor, note=note)
        return _load(conn, dispute_id)


def check_room(inv: dict[str, Any], value: Money) -> None:
    """A credit note of `value` must not be more than the invoice still has open."""
    still_open = int(inv["amount_minor"] - inv["paid_minor"])
    if value.minor > still_open:
        raise CaseworkError(
            f"only {Money(still_open, value.currency)} of invoice {inv['number']} is still "
            f"open; a credit note of {value} would leave a credit"
        )


def close(
    conn: Connection,
    row: dict[str, Any],
    inv: dict[str, Any],
    how: Resolution,
    value: Money,
    *,
    on: date,
    actor: str,
    note: str,
    asked_by: str | None = None,
) -> None:
    """Resolve the dispute `row` in this transaction: the credit note of `value` (none
    for a rejection), the dispute's status and the history entry. `asked_by`: the
    collector whose credit request an owner (`actor`) approved."""
    dispute_id = int(row["id"])
    cur = row["currency"]
    disputed = Money(row["amount_minor"], cur)
    number: str | None = None
    if value:
        number = f"DC-{dispute_id}"
        tax = None
        if inv["tax_minor"]:
            from recoup.domain.casework.writeoff import tax_part

            tax = tax_part(
                value, Money(inv["amount_minor"], cur), Money(inv["tax_minor"], cur)
            ).minor
        casework_repo.add_document(
            conn,
            customer_id=row["customer_id"],
            number=number,
            kind="credit_note",
            on=on,
            due=on,
            currency=cur,
            amount_minor=value.minor,
            tax_minor=tax,
            reference=f"dispute {dispute_id} on {inv['number']} ({how.value})",
            applies_to=inv["number"],
        )
    casework_repo.change(
        conn,
        disputes,
        dispute_id,
        {
            "status": how.value,
            "resolved_on": on,
            "credit_minor": value.minor,
            "credit_note": number,
        },
    )
    if number is not None:
        touch_ledger(conn, row["customer_id"])
    words = {
        Resolution.CREDIT_NOTE: f"resolved by credit note {number} of {value}",
        Resolution.UPHELD: f"upheld: credit note {number} cancels the disputed {disputed}",
        Resolution.REJECTED: f"rejected: the {disputed} is owed; collection resumes",
    }[how]
    approval = f"; asked for by {asked_by}, approved by {actor}" if asked_by else ""
    history.record(
        conn,
        row["customer_id"],
        "dispute_resolved",
        f"Dispute {dispute_id} on invoice {inv['number']} {words}"
        + (f" ({note})" if note else "")
        + approval,
        actor=actor,
        on=on,
        data={
            "dispute_id": dispute_id,
            "resolution": how.value,
            "credit": value.to_json(),
            "credit_note": number,
            **({"asked_by": asked_by} if asked_by else {}),
        },
    )


def pending_request(conn: Connection, dispute_id: int) -> dict[str, Any] | None:
    """The credit request of the dispute that waits for an owner, if any."""
    found = casework_repo.rows(conn, credit_requests, dispute_id=dispute_id, status="pending")
    return found[0] if found else None


def request(
    conn: Connection,
    row: dict[str, Any],
    inv: dict[str, Any],
    how: Resolution,
    value: Money,
    *,
    on: date,
    actor: str,
    note: str,
    why: str,
) -> int:
    """Keep a credit note beyond the actor's authority as a request for an owner; the
    dispute stays open (its collection held) and the ledger unchanged."""
    rid = casework_repo.add(
        conn,
        credit_requests,
        {
            "customer_id": row["customer_id"],
            "dispute_id": row["id"],
            "currency": row["currency"],
            "amount_minor": value.minor,
            "resolution": how.value,
            "note": note,
            "authority_note": why,
            "requested_on": on,
            "requested_by": actor,
            "status": "pending",
            "decision_note": "",
        },
    )
    what = "upheld" if how is Resolution.UPHELD else "resolved by credit note"
    history.record(
        conn,
        row["customer_id"],
        "credit_requested",
        f"Dispute {row['id']} on invoice {inv['number']} to be {what} of {value}"
        + (f" ({note})" if note else "")
        + f": waits for an owner's approval ({why})",
        actor=actor,
        on=on,
        data={
            "credit_request_id": rid,
            "dispute_id": row["id"],
            "resolution": how.value,
            "amount": value.to_json(),
            "currency": row["currency"],
        },
    )
    return rid
