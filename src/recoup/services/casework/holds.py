"""Holds: what stops contact with a customer, from the casework tables.

`holds_for(conn, customer_ids, as_of)` gives, per customer, every hold in force:

- a promise to pay in force (until its date plus grace: `promise_hold`);
- a payment plan that is current (until its last installment plus grace);
- an open dispute (no end: until it is resolved);
- a cease-contact request or insolvency (absolute; until lifted);
- a placement with an agency (absolute; until recalled).

The daily run and the manual-contact check both read them. Flags are set and lifted
with `set_flag` / `lift_flag`, each with a history entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from recoup.domain.casework.errors import CaseworkError
from recoup.domain.contact_rules import Hold, HoldKind, promise_hold
from recoup.domain.money import Money
from recoup.services import history
from recoup.services.book import Book
from recoup.services.casework._case import customer
from recoup.store import casework_repo
from recoup.store.tables_casework import case_flags, plan_installments

FLAG_KINDS = {"cease_contact": HoldKind.CEASE_CONTACT, "insolvency": HoldKind.INSOLVENCY}


def holds_for(
    conn: Connection, customer_ids: Sequence[int], as_of: date, *, past: bool = False
) -> dict[int, list[Hold]]:
    """Every hold in force on `as_of`, per customer id (customers without one are left
    out). `past`: the book has moved past `as_of` (`recoup.store.point_in_time`): holds
    decided, resolved or recalled after it count as they stood on it."""
    found = casework_repo.hold_rows(conn, sorted(set(customer_ids)), as_of, past)
    out: dict[int, list[Hold]] = defaultdict(list)
    for f in found["flags"]:
        out[f["customer_id"]].append(Hold(FLAG_KINDS[f["kind"]], None, f["note"] or ""))
    for p in found["promises"]:
        if p["made_on"] > as_of:
            continue
        hold = promise_hold(
            p["promised_on"],
            p["grace_days"],
            f"{Money(p['amount_minor'], p['currency'])} by {p['promised_on'].isoformat()}",
        )
        if hold.in_force(as_of):
            out[p["customer_id"]].append(hold)
    plan_ids = [p["id"] for p in found["plans"] if p["start_on"] <= as_of]
    last_due: dict[int, date] = {}
    if plan_ids:
        for inst in casework_repo.rows(conn, plan_installments, order="number", plan_id=plan_ids):
            last_due[inst["plan_id"]] = max(
                last_due.get(inst["plan_id"], inst["due_on"]), inst["due_on"]
            )
    for p in found["plans"]:
        if p["id"] not in last_due:
            continue
        until = last_due[p["id"]] + timedelta(days=p["grace_days"])
        if as_of <= until:
            out[p["customer_id"]].append(Hold(HoldKind.PAYMENT_PLAN, until, f"plan {p['id']}"))
    by_customer: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for d in found["disputes"]:
        if d["opened_on"] <= as_of:
            by_customer[d["customer_id"]].append(d)
    for cid, items in by_customer.items():
        parts = ", ".join(
            f"invoice {d['invoice']}: {Money(d['amount_minor'], d['currency'])}" for d in items
        )
        out[cid].append(Hold(HoldKind.DISPUTE, None, parts))
    for p in found["placements"]:
        if p["placed_on"] <= as_of:
            out[p["customer_id"]].append(Hold(HoldKind.AGENCY, None, f"with {p['agency']}"))
    return dict(out)


def disputed_parts(
    conn: Connection, customer_ids: Sequence[int], as_of: date | None = None
) -> dict[int, dict[str, int]]:
    """customer id -> invoice number -> minor units under open dispute (to leave out of
    amounts asked for); with `as_of`, under dispute on that day (for a look at a day
    the book has moved past)."""
    return casework_repo.disputed_by_customer(conn, sorted(set(customer_ids)), as_of)


@dataclass(frozen=True)
class FlagResult:
    id: int
    customer: str
    kind: str
    since: date
    lifted_on: date | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer": self.customer,
            "kind": self.kind,
            "since": self.since.isoformat(),
            "lifted_on": self.lifted_on.isoformat() if self.lifted_on else None,
        }


def set_flag(
    book: Book, customer_key: str, kind: str, *, actor: str, on: date, note: str = ""
) -> FlagResult:
    """Record a cease-contact request or an insolvency: an absolute hold until lifted."""
    if kind not in FLAG_KINDS:
        raise CaseworkError(f"unknown flag {kind!r}; choose one of {', '.join(FLAG_KINDS)}")
    with book.write() as conn:
        row = customer(conn, customer_key)
        cid = int(row["id"])
        active = [
            f
            for f in casework_repo.rows(conn, case_flags, customer_id=cid, kind=kind)
            if f["lifted_on"] is None
        ]
        if active:
            raise CaseworkError(
                f"{customer_key} already has a {kind} flag since {active[0]['since']}"
            )
        fid = casework_repo.add(
            conn,
            case_flags,
            {"customer_id": cid, "kind": kind, "since": on, "note": note, "actor": actor},
        )
        words = "asked us to stop contacting them" if kind == "cease_contact" else "is insolvent"
        history.record(
            conn,
            cid,
            "hold",
            f"{customer_key} {words}; all contact stops" + (f" ({note})" if note else ""),
            actor=actor,
            on=on,
            data={"flag": kind, "id": fid},
        )
    return FlagResult(fid, customer_key, kind, on, None)


def lift_flag(
    book: Book, customer_key: str, kind: str, *, actor: str, on: date, note: str = ""
) -> FlagResult:
    if kind not in FLAG_KINDS:
        raise CaseworkError(f"unknown flag {kind!r}; choose one of {', '.join(FLAG_KINDS)}")
    with book.write() as conn:
        row = customer(conn, customer_key)
        cid = int(row["id"])
        active = [
            f
            for f in casework_repo.rows(conn, case_flags, customer_id=cid, kind=kind)
            if f["lifted_on"] is None
        ]
        if not active:
            raise CaseworkError(f"{customer_key} has no {kind} flag to lift")
        flag = active[0]
        casework_repo.change(conn, case_flags, flag["id"], {"lifted_on": on})
        history.record(
            conn,
            cid,
            "hold",
            f"{kind.replace('_', '-')} hold lifted" + (f" ({note})" if note else ""),
            actor=actor,
            on=on,
            data={"flag": kind, "id": flag["id"], "lifted": True},
        )
    return FlagResult(int(flag["id"]), customer_key, kind, flag["since"], on)


def holds_of(book: Book, customer_key: str, as_of: date) -> list[Hold]:
    """The holds in force for one customer (for the account page)."""
    with book.read() as conn:
        cid = int(customer(conn, customer_key)["id"])
        return holds_for(conn, [cid], as_of).get(cid, [])


def manual_contacts_for(
    conn: Connection, customer_ids: Sequence[int], as_of: date
) -> dict[int, list[tuple[date, str]]]:
    """customer id -> (day, kind) of every call, visit and letter made by hand up to
    `as_of`: contacts the daily run's gap and weekly cap must count too."""
    return casework_repo.manual_contact_days(conn, sorted(set(customer_ids)), as_of)


def broken_promises_for(
    conn: Connection, customer_ids: Sequence[int], as_of: date, days: int = 365
) -> dict[int, int]:
    """customer id -> promises broken in the `days` up to `as_of` (for the priority and
    the escalation rules); customers with none are left out."""
    return casework_repo.broken_promise_counts(
        conn, sorted(set(customer_ids)), as_of - timedelta(days=days), as_of
    )
