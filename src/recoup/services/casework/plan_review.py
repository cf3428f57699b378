"""Keeping payment plans on track: the daily review of each plan against the payments
(an installment paid, due, missed; a plan completed or in default, with its follow-up),
and the installments falling due soon. Creating and deciding plans is in `plans`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from recoup.domain.casework.plans import (
    InstallmentStatus,
    PlanStatus,
    track,
)
from recoup.domain.money import Money
from recoup.domain.words import count
from recoup.services import history
from recoup.services.book import Book
from recoup.services.casework import notices
from recoup.services.casework.plans import mark_default, schedule_of
from recoup.store import casework_repo
from recoup.store.tables_casework import plan_installments, plans


@dataclass(frozen=True)
class PlanChange:
    plan_id: int
    customer: str
    status: str  # the plan's status after the review
    events: tuple[str, ...]  # what happened, in words

    def to_json(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "customer": self.customer,
            "status": self.status,
            "events": list(self.events),
        }


def review_plans(book: Book, as_of: date, *, actor: str = "system") -> list[PlanChange]:
    """Track every current plan against the payments as of `as_of`: installments paid or
    missed (each a history entry), default after the policy's number of missed ones (a
    follow-up task), completion when the last is paid."""
    with book.read() as conn:
        ids = [int(r["id"]) for r in casework_repo.rows(conn, plans, status="current")]
    out: list[PlanChange] = []
    for pid in ids:
        with book.write() as conn:
            row = casework_repo.get_for_update(conn, plans, pid)
            if row is None or row["status"] != "current":
                continue
            _remind(conn, row, as_of, actor)
            if row["start_on"] > as_of:
                continue
            change = _review_one(conn, row, as_of, actor)
        if change is not None:
            out.append(change)
    return out


def _remind(conn: Connection, row: dict[str, Any], as_of: date, actor: str) -> None:
    """A reminder a few days before each installment still to pay (once each)."""
    upcoming = [
        i
        for i in casework_repo.rows(conn, plan_installments, order="number", plan_id=row["id"])
        if i["status"] in (InstallmentStatus.UPCOMING.value, "due")
    ]
    ahead = timedelta(days=notices.INSTALLMENT_REMINDER_DAYS)
    for i in upcoming:
        if not i["due_on"] - ahead <= as_of <= i["due_on"]:
            continue
        amount = Money(i["principal_minor"] + i["interest_minor"] + i["fee_minor"], row["currency"])
        later = sum(1 for j in upcoming if j["number"] > i["number"])
        notices.queue(
            conn, int(row["customer_id"]), row["currency"], "installment-reminder",
            f"installment:{row['id']}:{i['number']}", as_of,
            {"installment": {"number": i["number"], "due": i["due_on"], "amount": amount,
                             "remaining": later}},
            amount=amount, actor=actor,
        )  # fmt: skip


def _review_one(
    conn: Connection, row: dict[str, Any], as_of: date, actor: str
) -> PlanChange | None:
    sched = schedule_of(conn, row)
    cur = row["currency"]
    pays = casework_repo.payments_between(conn, row["customer_id"], cur, row["start_on"], as_of)
    state = track(
        sched,
        [(d, Money(m, cur)) for d, m in pays],
        as_of,
        grace_days=row["grace_days"],
        default_after_missed=row["default_after_missed"],
    )
    stored = {
        i["number"]: i
        for i in casework_repo.rows(conn, plan_installments, order="number", plan_id=row["id"])
    }
    events: list[str] = []
    cid = int(row["customer_id"])
    for s in state.installments:
        old = stored[s.installment.number]
        if old["status"] == s.status.value and old["paid_on"] == s.paid_on:
            continue
        conn.execute(
            plan_installments.update()
            .where(
                plan_installments.c.plan_id == row["id"],
                plan_installments.c.number == s.installment.number,
            )
            .values(status=s.status.value, paid_on=s.paid_on)
        )
        n = s.installment.number
        if s.status is InstallmentStatus.PAID and old["status"] != "paid":
            text = f"Installment {n} of plan {row['id']} ({s.installment.amount}) paid"
            day = s.paid_on or as_of
        elif s.status is InstallmentStatus.MISSED and old["status"] != "missed":
            text = (
                f"Installment {n} of plan {row['id']} ({s.installment.amount}, due "
                f"{s.installment.due.isoformat()}) missed: {s.paid} paid"
            )
            day = s.installment.due + timedelta(days=row["grace_days"] + 1)
        else:
            continue
        history.record(
            conn,
            cid,
            "plan_installment",
            text,
            actor=actor,
            on=day,
            data={"plan_id": row["id"], "number": n, "status": s.status.value},
        )
        events.append(text)
    if state.status is PlanStatus.DEFAULTED:
        why = f"{count(state.missed, 'installment')} missed"
        mark_default(conn, row, state.decided_on or as_of, actor, why)
        events.append(f"plan {row['id']} in default: {why}")
    elif state.status is PlanStatus.COMPLETED:
        casework_repo.change(
            conn, plans, row["id"], {"status": "completed", "decided_on": state.decided_on}
        )
        history.record(
            conn,
            cid,
            "plan_completed",
            f"Payment plan {row['id']} completed: {state.paid} paid",
            actor=actor,
            on=state.decided_on or as_of,
            data={"plan_id": row["id"]},
        )
        events.append(f"plan {row['id']} completed")
    if not events:
        return None
    key = casework_repo.customer_keys(conn, [cid])[cid]
    return PlanChange(row["id"], key, state.status.value, tuple(events))


@dataclass(frozen=True)
class UpcomingInstallment:
    plan_id: int
    customer: str
    number: int
    due_on: date
    amount: Money

    def to_json(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "customer": self.customer,
            "number": self.number,
            "due_on": self.due_on.isoformat(),
            "currency": self.amount.currency,
            "amount": self.amount.to_json(),
        }


def upcoming_installments(
    book: Book, as_of: date, days_ahead: int = 3
) -> list[UpcomingInstallment]:
    """Installments of current plans falling due in the next `days_ahead` days and not
    yet paid: the reminders before each installment (sent by the messages work)."""
    until = as_of + timedelta(days=days_ahead)
    out: list[UpcomingInstallment] = []
    with book.read() as conn:
        current = casework_repo.rows(conn, plans, status="current")
        if not current:
            return out
        by_id = {p["id"]: p for p in current}
        keys = casework_repo.customer_keys(conn, [p["customer_id"] for p in current])
        for i in casework_repo.rows(conn, plan_installments, order="due_on", plan_id=list(by_id)):
            if i["status"] == "paid" or not as_of <= i["due_on"] <= until:
                continue
            p = by_id[i["plan_id"]]
            cur = p["currency"]
            out.append(
                UpcomingInstallment(
                    p["id"],
                    keys[p["customer_id"]],
                    i["number"],
                    i["due_on"],
                    Money(i["principal_minor"] + i["interest_minor"] + i["fee_minor"], cur),
                )
            )
    return out
