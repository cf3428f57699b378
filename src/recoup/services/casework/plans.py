"""Payment plans: create one within the policy's limits (else it waits for the owner's
approval), default one by hand (`plan_review` tracks the installments against payments).

Interest and a fee on a plan are booked as one ledger debit (`PLAN-<id>`, due with the
last installment) when the plan starts, so the account's balance and the plan agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.engine import Connection

from recoup.domain.casework.errors import CaseworkError
from recoup.domain.casework.plans import (
    Installment,
    InstallmentStatus,
    Schedule,
    limit_problems,
    schedule,
)
from recoup.domain.money import Money
from recoup.services import history
from recoup.services.accounts import NotFoundError
from recoup.services.book import Book
from recoup.services.casework import notices
from recoup.services.casework._case import (
    customer,
    load_case,
    locked,
    money,
    require_owner,
    touch_ledger,
)
from recoup.services.policy import active_policy
from recoup.store import casework_repo
from recoup.store.tables_casework import plan_installments, plans


@dataclass(frozen=True)
class InstallmentInfo:
    number: int
    due_on: date
    amount: Money
    principal: Money
    interest: Money
    fee: Money
    status: str
    paid_on: date | None

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "due_on": self.due_on.isoformat(),
            "amount": self.amount.to_json(),
            "principal": self.principal.to_json(),
            "interest": self.interest.to_json(),
            "fee": self.fee.to_json(),
            "status": self.status,
            "paid_on": self.paid_on.isoformat() if self.paid_on else None,
        }


@dataclass(frozen=True)
class PlanInfo:
    id: int
    customer: str
    currency: str
    principal: Money
    total: Money
    rate_percent: str | None
    fee: Money
    start_on: date
    every_days: int
    status: str  # needs_approval | current | completed | defaulted | cancelled
    within_authority: bool
    authority_note: str
    approved_by: str | None
    installments: tuple[InstallmentInfo, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer": self.customer,
            "currency": self.currency,
            "principal": self.principal.to_json(),
            "total": self.total.to_json(),
            "rate_percent": self.rate_percent,
            "fee": self.fee.to_json(),
            "start_on": self.start_on.isoformat(),
            "every_days": self.every_days,
            "status": self.status,
            "within_authority": self.within_authority,
            "authority_note": self.authority_note,
            "approved_by": self.approved_by,
            "installments": [i.to_json() for i in self.installments],
        }


def load_plan(conn: Connection, plan_id: int) -> PlanInfo:
    row = casework_repo.get(conn, plans, plan_id)
    if row is None:
        raise NotFoundError(f"no payment plan {plan_id}")
    cur = row["currency"]
    insts = casework_repo.rows(conn, plan_installments, order="number", plan_id=plan_id)
    infos = tuple(
        InstallmentInfo(
            i["number"],
            i["due_on"],
            Money(i["principal_minor"] + i["interest_minor"] + i["fee_minor"], cur),
            Money(i["principal_minor"], cur),
            Money(i["interest_minor"], cur),
            Money(i["fee_minor"], cur),
            i["status"],
            i["paid_on"],
        )
        for i in insts
    )
    key = casework_repo.customer_keys(conn, [row["customer_id"]])[row["customer_id"]]
    return PlanInfo(
        plan_id,
        key,
        cur,
        Money(row["principal_minor"], cur),
        Money(sum(i.amount.minor for i in infos), cur),
        row["rate_percent"],
        Money(row["fee_minor"], cur),
        row["start_on"],
        row["every_days"],
        row["status"],
        bool(row["within_authority"]),
        row["authority_note"],
        row["approved_by"],
        infos,
    )


def schedule_of(conn: Connection, row: dict[str, Any]) -> Schedule:
    cur = row["currency"]
    insts = casework_repo.rows(conn, plan_installments, order="number", plan_id=row["id"])
    return Schedule(
        row["start_on"],
        Money(row["principal_minor"], cur),
        Decimal(row["rate_percent"]) if row["rate_percent"] else None,
        tuple(
            Installment(
                i["number"],
                i["due_on"],
                Money(i["principal_minor"], cur),
                Money(i["interest_minor"], cur),
                Money(i["fee_minor"], cur),
            )
            for i in insts
        ),
    )


def get_plan(book: Book, plan_id: int) -> PlanInfo:
    with book.read() as conn:
        return load_plan(conn, plan_id)


def list_plans(book: Book, customer_key: str) -> list[PlanInfo]:
    with book.read() as conn:
        cid = int(customer(conn, customer_key)["id"])
        return [
            load_plan(conn, int(r["id"])) for r in casework_repo.rows(conn, plans, customer_id=cid)
        ]


def _rate(value: Decimal | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        rate = Decimal(str(value))
    except InvalidOperation:
        raise CaseworkError(f"not a rate: {value!r}") from None
    if not rate.is_finite() or rate < 0 or rate > 100:
        raise CaseworkError(f"a plan's yearly rate is between 0 and 100 percent, not {value}")
    return rate


def preview_plan(
    book: Book,
    customer_key: str,
    installments: int,
    first: date,
    *,
    on: date,
    every_days: int = 30,
    amount: str | Money | None = None,
    currency: str | None = None,
    rate_percent: Decimal | str | None = None,
    fee: str | Money | None = None,
) -> tuple[Schedule, list[str]]:
    """The schedule a plan would have, and why it would need approval (empty: within
    authority). Nothing is stored."""
    _version, policy = active_policy(book)
    with book.read() as conn:
        return _plan_schedule(
            conn,
            policy.authority.payment_plan,
            customer_key,
            installments,
            first,
            on,
            every_days,
            amount,
            currency,
            rate_percent,
            fee,
        )[:2]


def _plan_schedule(
    conn: Connection,
    limits: Any,
    customer_key: str,
    installments: int,
    first: date,
    on: date,
    every_days: int,
    amount: str | Money | None,
    currency: str | None,
    rate_percent: Decimal | str | None,
    fee: str | Money | None,
) -> tuple[Schedule, list[str], Any]:
    if installments < 1 or installments > 120:
        raise CaseworkError(f"a plan has 1 to 120 installments, not {installments}")
    case = load_case(conn, customer_key, currency, on)
    if case.balance.minor <= 0:
        raise CaseworkError(f"{customer_key} owes nothing in {case.currency}")
    principal = case.balance if amount is None else money(amount, case.currency)
    if principal > case.balance:
        raise CaseworkError(f"the plan's {principal} is more than the balance of {case.balance}")
    plan_fee = None if fee is None or fee == "" else money(fee, case.currency)
    sched = schedule(
        principal,
        installments,
        first,
        start=on,
        every_days=every_days,
        rate_percent=_rate(rate_percent),
        fee=plan_fee,
    )
    return sched, limit_problems(sched, limits), case


def create_plan(
    book: Book,
    customer_key: str,
    installments: int,
    first: date,
    *,
    actor: str,
    on: date,
    every_days: int = 30,
    amount: str | Money | None = None,
    currency: str | None = None,
    rate_percent: Decimal | str | None = None,
    fee: str | Money | None = None,
) -> PlanInfo:
    """Agree a payment plan of `installments` from `first`, every `every_days` days, for
    `amount` (default: the whole balance), with optional yearly `rate_percent` and `fee`.

    Within the policy's limits the plan is current at once; outside them it is stored as
    "needs_approval" with the reasons, and starts when an owner approves it."""
    _version, policy = active_policy(book)
    limits = policy.authority.payment_plan
    with book.write() as conn:
        sched, problems, case = _plan_schedule(
            conn,
            limits,
            customer_key,
            installments,
            first,
            on,
            every_days,
            amount,
            currency,
            rate_percent,
            fee,
        )
        for existing in casework_repo.rows(
            conn, plans, customer_id=case.id, currency=case.currency
        ):
            if existing["status"] in ("current", "needs_approval"):
                raise CaseworkError(
                    f"{customer_key} already has a payment plan ({existing['id']}, "
                    f"{existing['status']}); cancel or default it first"
                )
        within = not problems
        note = "within the policy's limits" if within else "; ".join(problems)
        pid = casework_repo.add(
            conn,
            plans,
            {
                "customer_id": case.id,
                "currency": case.currency,
                "principal_minor": sched.principal.minor,
                "rate_percent": str(sched.rate_percent) if sched.rate_percent is not None else None,
                "fee_minor": sched.fee.minor,
                "start_on": on,
                "every_days": every_days,
                "grace_days": limits.grace_days,
                "default_after_missed": limits.default_after_missed,
                "status": "current" if within else "needs_approval",
                "within_authority": within,
                "authority_note": note,
                "actor": actor,
            },
        )
        casework_repo.add_plain(
            conn,
            plan_installments,
            [
                {
                    "plan_id": pid,
                    "number": i.number,
                    "due_on": i.due,
                    "principal_minor": i.principal.minor,
                    "interest_minor": i.interest.minor,
                    "fee_minor": i.fee.minor,
                    "status": InstallmentStatus.UPCOMING.value,
                    "paid_on": None,
                }
                for i in sched.installments
            ],
        )
        lines = ", ".join(f"{i.due.isoformat()} {i.amount}" for i in sched.installments)
        text = (
            f"Payment plan of {sched.total} in {installments} installments ({lines})"
            + (f"; interest {sched.interest}" if sched.interest else "")
            + (f"; fee {sched.fee}" if sched.fee else "")
            + ("" if within else f"; needs the owner's approval: {note}")
        )
        history.record(
            conn,
            case.id,
            "plan",
            text,
            actor=actor,
            on=on,
            data={
                "plan_id": pid,
                "total": sched.total.to_json(),
                "currency": case.currency,
                "within_authority": within,
            },
        )
        if within:
            _book_charges(conn, pid, sched, case.id, on)
            _confirm(conn, pid, sched, case.id, case.currency, on, actor)
        return load_plan(conn, pid)


def _confirm(
    conn: Connection, pid: int, sched: Schedule, cid: int, currency: str, on: date, actor: str
) -> None:
    """The plan in writing for the customer (plan-confirmation)."""
    extras = {
        "plan": {
            "count": len(sched.installments),
            "total": sched.total,
            "installments": [
                {"number": n, "due": i.due, "amount": i.amount}
                for n, i in enumerate(sched.installments, start=1)
            ],
        }
    }
    notices.queue(
        conn, cid, currency, "plan-confirmation", f"plan:{pid}", on, extras,
        amount=sched.total, actor=actor,
    )  # fmt: skip


def _book_charges(
    conn: Connection, plan_id: int, sched: Schedule, customer_id: int, on: date
) -> None:
    charges = sched.interest + sched.fee
    if not charges:
        return
    number = f"PLAN-{plan_id}"
    casework_repo.add_document(
        conn,
        customer_id=customer_id,
        number=number,
        kind="invoice",
        on=on,
        due=sched.installments[-1].due,
        currency=sched.currency,
        amount_minor=charges.minor,
        tax_minor=None,
        reference=f"interest and fee of payment plan {plan_id}",
    )
    casework_repo.change(conn, plans, plan_id, {"charges_document": number})
    touch_ledger(conn, customer_id)


def approve_plan(book: Book, plan_id: int, *, actor: str, on: date) -> PlanInfo:
    """An owner approves a plan outside the policy's limits: it starts now."""
    with book.write() as conn:
        require_owner(conn, actor, "approve a payment plan outside the policy's limits")
        row = locked(
            conn,
            plans,
            plan_id,
            f"no payment plan {plan_id}",
            ("needs_approval",),
            "plan {id} is {status}: nothing to approve",
        )
        casework_repo.change(conn, plans, plan_id, {"status": "current", "approved_by": actor})
        sched = schedule_of(conn, row)
        history.record(
            conn,
            row["customer_id"],
            "plan",
            f"Payment plan {plan_id} approved by {actor} ({row['authority_note']})",
            actor=actor,
            on=on,
            data={"plan_id": plan_id, "approved": True},
        )
        _book_charges(conn, plan_id, sched, row["customer_id"], on)
        _confirm(conn, plan_id, sched, row["customer_id"], row["currency"], on, actor)
        return load_plan(conn, plan_id)


def cancel_plan(book: Book, plan_id: int, *, actor: str, on: date, reason: str) -> PlanInfo:
    """Withdraw a plan that waits for approval or is current (a correction, logged)."""
    if not reason.strip():
        raise CaseworkError("say why the plan is cancelled")
    with book.write() as conn:
        row = locked(
            conn,
            plans,
            plan_id,
            f"no payment plan {plan_id}",
            ("needs_approval", "current"),
            "plan {id} is {status}: it cannot be cancelled",
        )
        casework_repo.change(conn, plans, plan_id, {"status": "cancelled", "decided_on": on})
        history.record(
            conn,
            row["customer_id"],
            "correction",
            f"Payment plan {plan_id} cancelled: {reason.strip()}",
            actor=actor,
            on=on,
            data={"plan_id": plan_id, "status": "cancelled"},
        )
        return load_plan(conn, plan_id)


def default(book: Book, plan_id: int, *, actor: str, on: date, reason: str) -> PlanInfo:
    """Put a current plan in default by hand (the review does it after missed installments)."""
    with book.write() as conn:
        row = locked(
            conn,
            plans,
            plan_id,
            f"no payment plan {plan_id}",
            ("current",),
            "plan {id} is {status}, not current",
        )
        mark_default(conn, row, on, actor, reason or "put in default by hand")
        return load_plan(conn, plan_id)


def mark_default(conn: Connection, row: dict[str, Any], on: date, actor: str, why: str) -> None:
    casework_repo.change(conn, plans, row["id"], {"status": "defaulted", "decided_on": on})
    history.record(
        conn,
        row["customer_id"],
        "plan_default",
        f"Payment plan {row['id']} in default: {why}",
        actor=actor,
        on=on,
        data={"plan_id": row["id"]},
    )
    casework_repo.add_task(
        conn,
        row["customer_id"],
        "plan_default",
        f"plan:{row['id']}",
        on,
        f"Payment plan {row['id']} is in default ({why}): call, then follow the plan's next step",
    )
