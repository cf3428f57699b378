"""Calls, visits, letters by hand and notes: recorded with their outcome, checked against
the contact rules (an override needs a reason, logged; absolute holds refuse), and the
suggested call script."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from recoup.domain.casework.calls import (
    OUTCOME_WORDS,
    Outcome,
    Script,
    Situation,
    parse_outcome,
    script,
)
from recoup.domain.casework.errors import CaseworkError
from recoup.domain.casework.plans import most_installments
from recoup.domain.contact_rules import HoldKind
from recoup.domain.ledger import Channel
from recoup.domain.limitation import time_barred_on
from recoup.domain.local_calendar import holiday_code
from recoup.domain.money import Money
from recoup.jurisdictions.catalogue import default_limitations
from recoup.services import history
from recoup.services.book import Book
from recoup.services.casework._case import (
    check_contact,
    customer,
    load_case,
    moment,
    region,
)
from recoup.services.casework.holds import holds_for
from recoup.services.policy import active_policy
from recoup.store import casework_repo
from recoup.store.tables_casework import manual_contacts, plans, promises

CHANNEL = {"call": Channel.PHONE, "visit": Channel.PHONE, "letter": Channel.LETTER}


@dataclass(frozen=True)
class ContactRecord:
    id: int
    customer: str
    kind: str  # call | visit | letter | note
    on: date
    outcome: str | None
    notes: str
    overridden: tuple[str, ...]  # the rules an override set aside
    history_id: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer": self.customer,
            "kind": self.kind,
            "on": self.on.isoformat(),
            "outcome": self.outcome,
            "notes": self.notes,
            "overridden": list(self.overridden),
            "history_id": self.history_id,
        }


def _record(
    book: Book,
    customer_key: str,
    kind: str,
    *,
    actor: str,
    on: date,
    outcome: Outcome | None,
    notes: str,
    at: datetime | None,
    override_reason: str | None,
) -> ContactRecord:
    _version, policy = active_policy(book)
    with book.write() as conn:
        row = customer(conn, customer_key)
        cid = int(row["id"])
        when = moment(row, on, at)
        overridden: tuple[str, ...] = ()
        # a call that did not reach anyone is still a contact attempt: it is checked too
        if kind != "note":
            decision = check_contact(
                conn,
                row,
                policy,
                CHANNEL[kind],
                when,
                on,
                actor=actor,
                override_reason=override_reason,
                what=f"a {kind}",
            )
            overridden = tuple(r.value for r in decision.overridden_rules)
        contact_id = casework_repo.add(
            conn,
            manual_contacts,
            {
                "customer_id": cid,
                "kind": kind,
                "day": on,
                "at": when,
                "outcome": outcome.value if outcome else None,
                "notes": notes,
                "override_reason": override_reason if overridden else None,
                "actor": actor,
            },
        )
        text = {"call": "Call", "visit": "Visit", "letter": "Letter by hand", "note": "Note"}[kind]
        if outcome is not None:
            text += f": {OUTCOME_WORDS[outcome]}"
        if notes:
            text += f". {notes}" if outcome is not None else f": {notes}"
        hid = history.record(
            conn,
            cid,
            kind,
            text,
            actor=actor,
            on=on,
            at=None,
            data={"contact_id": contact_id, "outcome": outcome.value if outcome else None},
        )
        if outcome is Outcome.STOP_CALLING:
            from recoup.store.tables_casework import case_flags

            have = [
                f
                for f in casework_repo.rows(conn, case_flags, customer_id=cid, kind="cease_contact")
                if f["lifted_on"] is None
            ]
            if not have:
                casework_repo.add(
                    conn,
                    case_flags,
                    {
                        "customer_id": cid,
                        "kind": "cease_contact",
                        "since": on,
                        "note": f"asked on a {kind}",
                        "actor": actor,
                    },
                )
                history.record(
                    conn,
                    cid,
                    "hold",
                    f"{customer_key} asked us to stop contacting them; all contact stops",
                    actor=actor,
                    on=on,
                    data={"flag": "cease_contact", "contact_id": contact_id},
                )
    return ContactRecord(
        contact_id,
        customer_key,
        kind,
        on,
        outcome.value if outcome else None,
        notes,
        overridden,
        hid,
    )


def record_call(
    book: Book,
    customer_key: str,
    outcome: Outcome | str,
    *,
    actor: str,
    on: date,
    notes: str = "",
    at: datetime | None = None,
    override_reason: str | None = None,
) -> ContactRecord:
    """Record a call and its outcome (no answer, left message, spoke: promise, dispute,
    hardship, refused, asked to stop, wrong number). Checked against the contact rules;
    `override_reason` lets a person break an overridable rule (logged). "asked to stop"
    also records a cease-contact hold. A promise or a dispute from the call is recorded
    with `promises.add_promise` / `disputes.open_dispute`."""
    oc = outcome if isinstance(outcome, Outcome) else parse_outcome(outcome)
    return _record(
        book,
        customer_key,
        "call",
        actor=actor,
        on=on,
        outcome=oc,
        notes=notes,
        at=at,
        override_reason=override_reason,
    )


def record_visit(
    book: Book,
    customer_key: str,
    outcome: Outcome | str,
    *,
    actor: str,
    on: date,
    notes: str = "",
    at: datetime | None = None,
    override_reason: str | None = None,
) -> ContactRecord:
    """Record a visit (same outcomes and rules as a call)."""
    oc = outcome if isinstance(outcome, Outcome) else parse_outcome(outcome)
    return _record(
        book,
        customer_key,
        "visit",
        actor=actor,
        on=on,
        outcome=oc,
        notes=notes,
        at=at,
        override_reason=override_reason,
    )


def record_letter(
    book: Book,
    customer_key: str,
    *,
    actor: str,
    on: date,
    notes: str = "",
    at: datetime | None = None,
    override_reason: str | None = None,
) -> ContactRecord:
    """Record a letter written and sent by hand (checked like any contact)."""
    return _record(
        book,
        customer_key,
        "letter",
        actor=actor,
        on=on,
        outcome=None,
        notes=notes,
        at=at,
        override_reason=override_reason,
    )


def record_note(book: Book, customer_key: str, text: str, *, actor: str, on: date) -> ContactRecord:
    """A note on the account: not a contact, so no contact rule applies."""
    if not text.strip():
        raise CaseworkError("a note needs some text")
    return _record(
        book,
        customer_key,
        "note",
        actor=actor,
        on=on,
        outcome=None,
        notes=text.strip(),
        at=None,
        override_reason=None,
    )


@dataclass(frozen=True)
class CallScript:
    customer: str
    currency: str
    script: Script
    holds: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "currency": self.currency,
            "opening": self.script.opening,
            "points": list(self.script.points),
            "may_offer": list(self.script.may_offer),
            "avoid": list(self.script.avoid),
            "holds": list(self.holds),
        }


def call_script(
    book: Book, customer_key: str, as_of: date, currency: str | None = None
) -> CallScript:
    """A suggested script for calling this customer today, from the account's situation
    and kind, with what may be offered within the policy's authority."""
    _version, policy = active_policy(book)
    with book.read() as conn:
        case = load_case(conn, customer_key, currency, as_of)
        cid = case.id
        holds = holds_for(conn, [cid], as_of).get(cid, [])
        broken = len(casework_repo.rows(conn, promises, customer_id=cid, status="broken"))
        open_p = casework_repo.rows(conn, promises, customer_id=cid, status="open")
        plan_rows = [
            p
            for p in casework_repo.rows(conn, plans, customer_id=cid, currency=case.currency)
            if p["status"] in ("current", "defaulted")
        ]
    balance = case.balance if case.balance.minor > 0 else Money.zero(case.currency)
    limits = policy.authority.payment_plan
    oldest = min((i["due_date"] for i in case.invoices), default=None)
    barred_on = (
        time_barred_on(
            oldest,
            holiday_code(str(case.customer["country"] or ""), region(case.customer)),
            "consumer" in case.tags,
            table=default_limitations(),
        )
        if oldest
        else None
    )
    situation = Situation(
        name=str(case.customer["name"]),
        balance=balance,
        overdue=case.overdue,
        days_past_due=case.days_past_due,
        oldest_invoice=case.oldest_invoice,
        kind=case.kind,
        broken_promises=broken,
        open_promise=(
            (Money(open_p[-1]["amount_minor"], open_p[-1]["currency"]), open_p[-1]["promised_on"])
            if open_p
            else None
        ),
        plan_status=plan_rows[-1]["status"] if plan_rows else None,
        disputes_open=sum(1 for h in holds if h.kind is HoldKind.DISPUTE),
        lowest_settlement=(
            policy.authority.lowest_settlement(case.days_past_due, balance) if balance else None
        ),
        max_installments=most_installments(balance, limits),
        min_installment=limits.min_installment_for(case.currency),
        time_barred=barred_on is not None and barred_on <= as_of,
        placed_with_agency=any(h.kind is HoldKind.AGENCY for h in holds),
    )
    return CallScript(
        customer_key, case.currency, script(situation), tuple(h.words() for h in holds)
    )
