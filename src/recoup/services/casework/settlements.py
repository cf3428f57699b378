"""Settlements: offer (within the policy's authority, else it needs an owner's approval),
approve, accept, and settle when the settled amount is paid (the rest is written off with
the reason "settlement"); and the settlement helper's comparison.

States: needs_approval → offered (approved) → accepted → settled; an offer or an
accepted settlement not paid by its deadline lapses (a follow-up); an owner may refuse
an offer that needs approval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Connection

from recoup.domain.casework.authority import Kind, Reduction
from recoup.domain.casework.errors import CaseworkError
from recoup.domain.casework.options import CompareInput, Comparison
from recoup.domain.casework.options import compare as compare_options
from recoup.domain.casework.settlement import check_offer, percent_of
from recoup.domain.casework.writeoff import tax_part
from recoup.domain.limitation import time_barred_on
from recoup.domain.money import Money
from recoup.jurisdictions import small_claims
from recoup.jurisdictions.catalogue import default_limitations
from recoup.services import history
from recoup.services.accounts import NotFoundError
from recoup.services.book import Book
from recoup.services.casework import authority, notices, writeoffs
from recoup.services.casework._case import (
    load_case,
    locked,
    money,
    require_owner,
    row_filter,
)
from recoup.services.policy import active_policy
from recoup.store import casework_repo
from recoup.store.tables_casework import promises, settlements, write_offs

OPEN_STATES = ("needs_approval", "offered", "accepted")


@dataclass(frozen=True)
class SettlementInfo:
    id: int
    customer: str
    currency: str
    balance: Money
    amount: Money
    percent: Decimal
    offered_on: date
    deadline: date
    status: str
    within_authority: bool
    floor: Money | None
    authority_note: str
    approved_by: str | None
    accepted_on: date | None
    settled_on: date | None
    paid: Money  # payments since the offer

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer": self.customer,
            "currency": self.currency,
            "balance": self.balance.to_json(),
            "amount": self.amount.to_json(),
            "percent": str(self.percent),
            "offered_on": self.offered_on.isoformat(),
            "deadline": self.deadline.isoformat(),
            "status": self.status,
            "within_authority": self.within_authority,
            "floor": self.floor.to_json() if self.floor else None,
            "authority_note": self.authority_note,
            "approved_by": self.approved_by,
            "accepted_on": self.accepted_on.isoformat() if self.accepted_on else None,
            "settled_on": self.settled_on.isoformat() if self.settled_on else None,
            "paid": self.paid.to_json(),
        }


def _paid_since(conn: Connection, row: dict[str, Any], until: date) -> int:
    pays = casework_repo.payments_between(
        conn, row["customer_id"], row["currency"], row["offered_on"], until
    )
    return sum(m for _d, m in pays)


def _load(conn: Connection, sid: int, as_of: date | None = None) -> SettlementInfo:
    row = casework_repo.get(conn, settlements, sid)
    if row is None:
        raise NotFoundError(f"no settlement {sid}")
    cur = row["currency"]
    key = casework_repo.customer_keys(conn, [row["customer_id"]])[row["customer_id"]]
    until = as_of or row["settled_on"] or date.max
    return SettlementInfo(
        sid,
        key,
        cur,
        Money(row["balance_minor"], cur),
        Money(row["amount_minor"], cur),
        percent_of(Money(row["amount_minor"], cur), Money(row["balance_minor"], cur)),
        row["offered_on"],
        row["deadline"],
        row["status"],
        bool(row["within_authority"]),
        Money(row["floor_minor"], cur) if row["floor_minor"] is not None else None,
        row["authority_note"],
        row["approved_by"],
        row["accepted_on"],
        row["settled_on"],
        Money(_paid_since(conn, row, until), cur),
    )


def get_settlement(book: Book, settlement_id: int) -> SettlementInfo:
    with book.read() as conn:
        return _load(conn, settlement_id)


def list_settlements(
    book: Book, customer_key: str | None = None, status: str | None = None
) -> list[SettlementInfo]:
    """Settlements, oldest first (e.g. status="needs_approval" for the owner's queue)."""
    with book.read() as conn:
        where = row_filter(conn, customer_key, status)
        return [_load(conn, int(r["id"])) for r in casework_repo.rows(conn, settlements, **where)]


def offer(
    book: Book,
    customer_key: str,
    amount: str | Money,
    deadline: date,
    *,
    actor: str,
    on: date,
    currency: str | None = None,
) -> SettlementInfo:
    """Offer to settle the account for `amount`, paid by `deadline`. Within the actor's
    authority (`services.casework.authority`: a collector's is the policy's settlement
    floors, an owner's everything) it is "offered" at once; beyond it "needs_approval"
    until an owner approves it; a viewer is refused."""
    _version, policy = active_policy(book)
    with book.write() as conn:
        case = load_case(conn, customer_key, currency, on)
        if case.balance.minor <= 0:
            raise CaseworkError(f"{customer_key} owes nothing in {case.currency}")
        value = money(amount, case.currency)
        if deadline < on:
            raise CaseworkError(f"the deadline {deadline} is before the offer ({on})")
        for s in casework_repo.rows(conn, settlements, customer_id=case.id, currency=case.currency):
            if s["status"] in OPEN_STATES:
                raise CaseworkError(
                    f"{customer_key} already has a settlement in progress "
                    f"({s['id']}, {s['status']})"
                )
        check_offer(value, case.balance)
        verdict = authority.check(
            conn,
            actor,
            policy,
            Reduction(Kind.SETTLEMENT, case.balance - value, case.balance, case.days_past_due),
        )
        check = verdict.settlement
        assert check is not None
        status = "offered" if verdict.allowed else "needs_approval"
        # an owner's own offer below the floors is approved by making it
        approver = actor if verdict.allowed and not check.within else None
        sid = casework_repo.add(
            conn,
            settlements,
            {
                "customer_id": case.id,
                "currency": case.currency,
                "balance_minor": case.balance.minor,
                "amount_minor": value.minor,
                "offered_on": on,
                "deadline": deadline,
                "status": status,
                "within_authority": check.within,
                "floor_minor": check.floor.minor if check.floor else None,
                "authority_note": verdict.reason,
                "approved_by": approver,
                "approved_on": on if approver else None,
                "actor": actor,
            },
        )
        history.record(
            conn,
            case.id,
            "settlement_offer",
            f"Settlement offered: {value} ({check.percent}% of {case.balance}) if paid by "
            f"{deadline.isoformat()}; {verdict.reason}",
            actor=actor,
            on=on,
            data={
                "settlement_id": sid,
                "amount": value.to_json(),
                "currency": case.currency,
                "within_authority": check.within,
                "deadline": deadline.isoformat(),
            },
        )
        if verdict.allowed:
            _offer_in_writing(
                conn, sid, case.id, case.currency, value, case.balance, deadline, on, actor
            )
        return _load(conn, sid, on)


def _offer_in_writing(
    conn: Connection, sid: int, cid: int, currency: str, amount: Money, balance: Money,
    deadline: date, on: date, actor: str,
) -> None:  # fmt: skip
    """The offer in writing for the customer (settlement-offer)."""
    waived = Money(balance.minor - amount.minor, currency)
    notices.queue(
        conn, cid, currency, "settlement-offer", f"settlement:{sid}", on,
        {"settlement": {"amount": amount, "deadline": deadline, "waived": waived}},
        amount=amount, actor=actor,
    )  # fmt: skip


def approve(book: Book, settlement_id: int, *, actor: str, on: date) -> SettlementInfo:
    """An owner approves an offer outside the collector's authority: it is offered now."""
    with book.write() as conn:
        require_owner(conn, actor, "approve a settlement")
        row = locked(
            conn,
            settlements,
            settlement_id,
            f"no settlement {settlement_id}",
            ("needs_approval",),
            "settlement {id} is {status}: nothing to approve",
        )
        casework_repo.change(
            conn,
            settlements,
            settlement_id,
            {"status": "offered", "approved_by": actor, "approved_on": on},
        )
        cur = row["currency"]
        history.record(
            conn,
            row["customer_id"],
            "settlement_approved",
            f"Settlement of {Money(row['amount_minor'], cur)} approved by {actor}",
            actor=actor,
            on=on,
            data={"settlement_id": settlement_id},
        )
        _offer_in_writing(
            conn, settlement_id, row["customer_id"], cur, Money(row["amount_minor"], cur),
            Money(row["balance_minor"], cur), row["deadline"], on, actor,
        )  # fmt: skip
        return _load(conn, settlement_id, on)


def refuse(
    book: Book, settlement_id: int, *, actor: str, on: date, reason: str = ""
) -> SettlementInfo:
    """An owner refuses an offer that needed approval."""
    with book.write() as conn:
        require_owner(conn, actor, "refuse a settlement")
        row = locked(
            conn,
            settlements,
            settlement_id,
            f"no settlement {settlement_id}",
            ("needs_approval",),
            "settlement {id} is {status}: nothing to refuse",
        )
        casework_repo.change(
            conn, settlements, settlement_id, {"status": "refused", "approved_by": actor}
        )
        history.record(
            conn,
            row["customer_id"],
            "settlement_refused",
            f"Settlement of {Money(row['amount_minor'], row['currency'])} refused by {actor}"
            + (f": {reason}" if reason else ""),
            actor=actor,
            on=on,
            data={"settlement_id": settlement_id},
        )
        return _load(conn, settlement_id, on)


def accept(book: Book, settlement_id: int, *, actor: str, on: date) -> SettlementInfo:
    """The customer accepts an offered settlement (by its deadline). Open promises of
    the account are replaced by it."""
    with book.write() as conn:
        authority.require_collector(conn, actor, "record a settlement's acceptance")
        row = casework_repo.get_for_update(conn, settlements, settlement_id)
        if row is None:
            raise NotFoundError(f"no settlement {settlement_id}")
        if row["status"] == "needs_approval":
            raise CaseworkError(
                f"settlement {settlement_id} needs an owner's approval before it can be accepted"
            )
        if row["status"] != "offered":
            raise CaseworkError(f"settlement {settlement_id} is {row['status']}, not offered")
        if on > row["deadline"]:
            raise CaseworkError(f"the offer ran out on {row['deadline']}")
        casework_repo.change(
            conn, settlements, settlement_id, {"status": "accepted", "accepted_on": on}
        )
        cur = row["currency"]
        for p in casework_repo.rows(conn, promises, customer_id=row["customer_id"], status="open"):
            casework_repo.change(conn, promises, p["id"], {"status": "cancelled", "decided_on": on})
        history.record(
            conn,
            row["customer_id"],
            "settlement_accepted",
            f"Settlement accepted: {Money(row['amount_minor'], cur)} in full and final "
            f"settlement, to be paid by {row['deadline'].isoformat()}",
            actor=actor,
            on=on,
            data={"settlement_id": settlement_id},
        )
        return _load(conn, settlement_id, on)


def settle(book: Book, settlement_id: int, *, actor: str, on: date) -> SettlementInfo:
    """Close an accepted settlement whose amount has been paid: the rest of the balance
    is written off with the reason "settlement" (approved by the settlement)."""
    with book.write() as conn:
        authority.require_collector(conn, actor, "close a settlement")
        row = locked(
            conn,
            settlements,
            settlement_id,
            f"no settlement {settlement_id}",
            ("accepted",),
            "settlement {id} is {status}, not accepted",
        )
        paid = _paid_since(conn, row, on)
        if paid < row["amount_minor"]:
            cur = row["currency"]
            raise CaseworkError(
                f"only {Money(paid, cur)} of the settled {Money(row['amount_minor'], cur)} is paid"
            )
        _settle(conn, row, on, actor)
        return _load(conn, settlement_id, on)


def _settle(conn: Connection, row: dict[str, Any], on: date, actor: str) -> None:
    cid, cur = int(row["customer_id"]), row["currency"]
    rest = casework_repo.balances(conn, cid).get(cur, 0)
    casework_repo.change(conn, settlements, row["id"], {"status": "settled", "settled_on": on})
    history.record(
        conn,
        cid,
        "settlement_paid",
        f"Settlement {row['id']} paid: {Money(row['amount_minor'], cur)} received"
        + (f"; the rest, {Money(rest, cur)}, is written off" if rest > 0 else ""),
        actor=actor,
        on=on,
        data={"settlement_id": row["id"]},
    )
    if rest > 0:
        approver = row["approved_by"] or row["actor"]
        wid = casework_repo.add(
            conn,
            write_offs,
            {
                "customer_id": cid,
                "currency": cur,
                "amount_minor": rest,
                "tax_minor": 0,
                "reason": "settlement",
                "note": f"settlement {row['id']}",
                "requested_on": on,
                "requested_by": actor,
                "status": "pending",
                "reversed_minor": 0,
            },
        )
        writeoffs.execute(
            conn, wid, on=on, actor=actor, approved_by=approver, settlement_id=row["id"]
        )


@dataclass(frozen=True)
class SettlementChange:
    settlement_id: int
    customer: str
    status: str

    def to_json(self) -> dict[str, Any]:
        return {
            "settlement_id": self.settlement_id,
            "customer": self.customer,
            "status": self.status,
        }


def review_settlements(book: Book, as_of: date, *, actor: str = "system") -> list[SettlementChange]:
    """Settle accepted settlements whose amount is paid by the deadline (an offer paid in
    time counts as accepted); lapse offers and accepted settlements not paid by their
    deadline (a follow-up each)."""
    with book.read() as conn:
        ids = [
            int(r["id"])
            for r in casework_repo.rows(conn, settlements, status=["offered", "accepted"])
        ]
    out: list[SettlementChange] = []
    for sid in ids:
        with book.write() as conn:
            row = casework_repo.get_for_update(conn, settlements, sid)
            if (
                row is None
                or row["status"] not in ("offered", "accepted")
                or row["offered_on"] > as_of
            ):
                continue
            key = casework_repo.customer_keys(conn, [row["customer_id"]])[row["customer_id"]]
            paid = _paid_since(conn, row, min(as_of, row["deadline"]))
            if paid >= row["amount_minor"]:
                pays = casework_repo.payments_between(
                    conn, row["customer_id"], row["currency"], row["offered_on"], as_of
                )
                running, day = 0, as_of
                for d, m in pays:
                    running += m
                    if running >= row["amount_minor"]:
                        day = d
                        break
                if row["status"] == "offered":  # paying the offer in time accepts it
                    casework_repo.change(
                        conn, settlements, sid, {"status": "accepted", "accepted_on": day}
                    )
                    history.record(
                        conn,
                        row["customer_id"],
                        "settlement_accepted",
                        f"Settlement accepted by paying "
                        f"{Money(row['amount_minor'], row['currency'])} by {row['deadline']}",
                        actor=actor,
                        on=day,
                        data={"settlement_id": sid},
                    )
                _settle(conn, row, day, actor)
                out.append(SettlementChange(sid, key, "settled"))
            elif as_of > row["deadline"]:
                casework_repo.change(conn, settlements, sid, {"status": "lapsed"})
                cur = row["currency"]
                text = (
                    f"Settlement {sid} of {Money(row['amount_minor'], cur)} lapsed: "
                    f"{Money(paid, cur)} paid by {row['deadline'].isoformat()}"
                )
                history.record(
                    conn,
                    row["customer_id"],
                    "settlement_lapsed",
                    text,
                    actor=actor,
                    on=as_of,
                    data={"settlement_id": sid},
                )
                casework_repo.add_task(
                    conn,
                    row["customer_id"],
                    "settlement_lapsed",
                    f"settlement:{sid}",
                    as_of,
                    text + ": call, then decide the next step",
                )
                out.append(SettlementChange(sid, key, "lapsed"))
    return out


@dataclass(frozen=True)
class SettlementComparison:
    customer: str
    as_of: date
    comparison: Comparison
    jurisdiction: str

    def to_json(self) -> dict[str, Any]:
        c = self.comparison
        return {
            "customer": self.customer,
            "as_of": self.as_of.isoformat(),
            "currency": c.balance.currency,
            "balance": c.balance.to_json(),
            "chance_percent": str(c.chance_percent),
            "chance_basis": list(c.chance_basis),
            "jurisdiction": self.jurisdiction,
            "best": c.best.key,
            "options": [
                {
                    "key": o.key,
                    "title": o.title,
                    "available": o.available,
                    "expected": o.expected.to_json(),
                    "low": o.low.to_json(),
                    "figures": [{"label": k, "value": v} for k, v in o.figures],
                    "notes": list(o.notes),
                }
                for o in c.options
            ],
        }


def compare(
    book: Book,
    customer_key: str,
    as_of: date,
    *,
    currency: str | None = None,
    offer_amount: str | Money | None = None,
    court_fee: str | Money | None = None,
    jurisdiction: str | None = None,
) -> SettlementComparison:
    """The settlement helper: keep collecting, settle at X% (the offer, else the policy's
    floor), an agency (25–50% contingency), small claims (the jurisdiction's limit, the
    court fee if given), or write off — with the figures, from the account's kind and
    history. `jurisdiction` defaults to the customer's country (e.g. "GB", "US-CA")."""
    _version, policy = active_policy(book)
    with book.read() as conn:
        case = load_case(conn, customer_key, currency, as_of)
        if case.balance.minor <= 0:
            raise CaseworkError(f"{customer_key} owes nothing in {case.currency}")
        broken = len(casework_repo.rows(conn, promises, customer_id=case.id, status="broken"))
        tax = Money.zero(case.currency)
        for inv in case.invoices:
            if inv["tax_minor"] is not None:
                tax = tax + tax_part(
                    Money(inv["amount_minor"] - inv["paid_minor"], case.currency),
                    Money(inv["amount_minor"], case.currency),
                    Money(inv["tax_minor"], case.currency),
                )
    balance = case.balance
    if offer_amount is not None:
        value = money(offer_amount, case.currency)
        pct = percent_of(value, balance)
        basis = f"the offer of {value}"
    else:
        floor_rule = policy.authority.settlement_floor(case.days_past_due, balance)
        if floor_rule is not None:
            pct = floor_rule.min_percent
            basis = f"the policy's floor from {floor_rule.from_days} days past due"
        else:
            pct, basis = Decimal(50), "an example at 50% (the policy sets no floor here)"
    where = (jurisdiction or str(case.customer["country"] or "")).strip().upper()
    limit = small_claims.find(where) if where else None
    oldest = min((i["due_date"] for i in case.invoices), default=None)
    barred = (
        time_barred_on(
            oldest,
            str(case.customer["country"] or ""),
            "consumer" in case.tags,
            table=default_limitations(),
        )
        if oldest
        else None
    )
    fee = None if court_fee is None or court_fee == "" else money(court_fee, case.currency)
    result = compare_options(
        CompareInput(
            balance=balance,
            days_past_due=case.days_past_due,
            kind=case.kind,
            broken_promises=broken,
            settle_percent=pct,
            settle_basis=basis,
            small_claims=limit,
            jurisdiction=where,
            court_fee=fee,
            tax_part=tax,
            time_barred=barred is not None and barred <= as_of,
        )
    )
    return SettlementComparison(customer_key, as_of, result, where)
