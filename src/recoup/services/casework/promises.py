"""Promises to pay: add one, review them (kept or broken from the payments), cancel one.

A promise in force holds reminders (see `holds.holds_for`). `review_promises` decides
every open promise as of a day; a broken one writes its history entry and leaves a
follow-up task for the worklist (`tasks.open_followups`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from recoup.domain.casework.errors import CaseworkError
from recoup.domain.casework.promises import PromiseStatus, check_new_promise, outcome
from recoup.domain.money import Money
from recoup.services import history
from recoup.services.book import Book
from recoup.services.casework import notices
from recoup.services.casework._case import customer, load_case, locked, money
from recoup.services.policy import active_policy
from recoup.store import casework_repo, run_repo
from recoup.store.tables_casework import manual_contacts, promises


@dataclass(frozen=True)
class PromiseInfo:
    id: int
    customer: str
    amount: Money
    made_on: date
    promised_on: date
    grace_days: int
    status: str
    paid: Money
    decided_on: date | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer": self.customer,
            "currency": self.amount.currency,
            "amount": self.amount.to_json(),
            "made_on": self.made_on.isoformat(),
            "promised_on": self.promised_on.isoformat(),
            "grace_days": self.grace_days,
            "status": self.status,
            "paid": self.paid.to_json(),
            "decided_on": self.decided_on.isoformat() if self.decided_on else None,
        }


def _info(row: dict[str, Any], key: str) -> PromiseInfo:
    return PromiseInfo(
        int(row["id"]),
        key,
        Money(row["amount_minor"], row["currency"]),
        row["made_on"],
        row["promised_on"],
        int(row["grace_days"]),
        str(row["status"]),
        Money(row["paid_minor"], row["currency"]),
        row["decided_on"],
    )


def add_promise(
    book: Book,
    customer_key: str,
    amount: str | Money,
    promised_on: date,
    *,
    actor: str,
    on: date,
    currency: str | None = None,
    contact_id: int | None = None,
) -> PromiseInfo:
    """Record a promise to pay `amount` by `promised_on`, made on `on` (e.g. on a call,
    `contact_id`). The policy's promise grace days apply. Reminders pause while it holds."""
    _version, policy = active_policy(book)
    grace = policy.authority.promise_grace_days
    with book.write() as conn:
        case = load_case(
            conn,
            customer_key,
            currency if currency else (amount.currency if isinstance(amount, Money) else None),
            on,
        )
        value = money(amount, case.currency)
        check_new_promise(value, on, promised_on, case.balance)
        if contact_id is not None:
            contact = casework_repo.get(conn, manual_contacts, contact_id)
            if contact is None or contact["customer_id"] != case.id:
                raise CaseworkError(f"contact {contact_id} is not one of {customer_key}'s")
        pid = casework_repo.add(
            conn,
            promises,
            {
                "customer_id": case.id,
                "currency": case.currency,
                "amount_minor": value.minor,
                "made_on": on,
                "promised_on": promised_on,
                "grace_days": grace,
                "status": PromiseStatus.OPEN.value,
                "paid_minor": 0,
                "contact_id": contact_id,
                "actor": actor,
            },
        )
        history.record(
            conn,
            case.id,
            "promise",
            f"Promise to pay {value} by {promised_on.isoformat()} (grace {grace} days)",
            actor=actor,
            on=on,
            data={
                "promise_id": pid,
                "amount": value.to_json(),
                "currency": value.currency,
                "promised_on": promised_on.isoformat(),
            },
        )
        notices.queue(
            conn, case.id, case.currency, "promise-confirmation", f"promise:{pid}", on,
            {"promise": {"amount": value, "date": promised_on}}, amount=value, actor=actor,
        )  # fmt: skip
        row = casework_repo.get(conn, promises, pid)
    assert row is not None
    return _info(row, customer_key)


def list_promises(book: Book, customer_key: str) -> list[PromiseInfo]:
    """A customer's promises, oldest first."""
    with book.read() as conn:
        cid = int(customer(conn, customer_key)["id"])
        found = casework_repo.rows(conn, promises, customer_id=cid)
    return [_info(r, customer_key) for r in found]


def cancel_promise(
    book: Book, promise_id: int, *, actor: str, on: date, reason: str
) -> PromiseInfo:
    """Withdraw an open promise (replaced by a plan or a settlement, or a mistake)."""
    if not reason.strip():
        raise CaseworkError("say why the promise is cancelled")
    with book.write() as conn:
        row = locked(
            conn,
            promises,
            promise_id,
            f"no promise {promise_id}",
            (PromiseStatus.OPEN.value,),
            "promise {id} is {status}, not open",
        )
        casework_repo.change(conn, promises, promise_id, {"status": "cancelled", "decided_on": on})
        keys = casework_repo.customer_keys(conn, [row["customer_id"]])
        history.record(
            conn,
            row["customer_id"],
            "correction",
            f"Promise of {Money(row['amount_minor'], row['currency'])} by "
            f"{row['promised_on'].isoformat()} cancelled: {reason.strip()}",
            actor=actor,
            on=on,
            data={"promise_id": promise_id, "status": "cancelled"},
        )
        updated = casework_repo.get(conn, promises, promise_id)
    assert updated is not None
    return _info(updated, keys[updated["customer_id"]])


@dataclass(frozen=True)
class PromiseChange:
    promise: PromiseInfo
    status: str  # kept | broken

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, **self.promise.to_json()}


def review_promises(book: Book, as_of: date, *, actor: str = "system") -> list[PromiseChange]:
    """Decide every open promise as of `as_of` from the payments: kept, broken or still
    open. Each decision writes its history entry; a broken one leaves a follow-up."""
    with book.read() as conn:
        open_ids = [int(r["id"]) for r in casework_repo.rows(conn, promises, status="open")]
    changes: list[PromiseChange] = []
    for pid in open_ids:
        with book.write() as conn:
            row = casework_repo.get_for_update(conn, promises, pid)
            if row is None or row["status"] != "open":
                continue
            change = _review_one(conn, row, as_of, actor)
        if change is not None:
            changes.append(change)
    return changes


def _review_one(conn: Any, row: dict[str, Any], as_of: date, actor: str) -> PromiseChange | None:
    amount = Money(row["amount_minor"], row["currency"])
    pays = casework_repo.payments_between(
        conn, row["customer_id"], row["currency"], row["made_on"], as_of
    )
    result = outcome(
        amount,
        row["made_on"],
        row["promised_on"],
        [(d, Money(m, row["currency"])) for d, m in pays],
        as_of,
        int(row["grace_days"]),
    )
    if result.status is PromiseStatus.OPEN:
        if result.paid.minor != row["paid_minor"]:
            casework_repo.change(conn, promises, row["id"], {"paid_minor": result.paid.minor})
        return None
    assert result.decided_on is not None
    casework_repo.change(
        conn,
        promises,
        row["id"],
        {
            "status": result.status.value,
            "decided_on": result.decided_on,
            "paid_minor": result.paid.minor,
        },
    )
    cid = int(row["customer_id"])
    # kept or broken, the next run looks again (a hold ends; broken promises count in
    # the priority and the escalation), and the worklist scores it afresh until then
    run_repo.enqueue(conn, {cid})
    key = casework_repo.customer_keys(conn, [cid])[cid]
    kind = "promise_kept" if result.status is PromiseStatus.KEPT else "promise_broken"
    history.record(
        conn,
        cid,
        kind,
        result.words(amount, row["promised_on"]),
        actor=actor,
        on=result.decided_on,
        data={"promise_id": row["id"], "paid": result.paid.to_json()},
    )
    if result.status is PromiseStatus.BROKEN:
        casework_repo.add_task(
            conn,
            cid,
            "broken_promise",
            f"promise:{row['id']}",
            result.decided_on,
            f"Promise of {amount} by {row['promised_on'].isoformat()} broken ({result.paid} "
            "paid): call, ask what happened, agree a new, smaller, firm date",
        )

    updated = casework_repo.get(conn, promises, row["id"])
    assert updated is not None
    return PromiseChange(_info(updated, key), result.status.value)
