"""Messages the case work sends: confirmations and reminders of what was agreed.

When a promise is recorded, a plan agreed, a settlement offered or a dispute received,
the customer gets it in writing (the built-in event templates of `recoup.messages`), and
each installment of a plan a reminder a few days before it falls due. Each notice is an
email action with its outbox entry — delivered by `recoup dispatch` like the plan's
reminders, with a Message-ID of its own — and an entry in the account's history, all in
the caller's transaction. A notice is queued once per
cause (its `ref`: "promise:12", "installment:4:2", ...), so a review run twice queues
nothing new.

Confirmations of what the customer agreed or told us (a promise, a plan and its
installments, a settlement offer, a dispute received) answer the customer: they are not
collection contacts, so holds do not stop them and they do not count against the plan's
gap and weekly cap (their stage reads "notice:...").

A broken promise sends nothing by itself: it ends the promise's hold, so the plan's next
reminder goes out on the next day the contact rules allow, and it leaves a follow-up
call on the worklist — both within the contact rules, which a message queued by the
review could not be. (The "promise-broken" template is there for that call's written
follow-up, sent by hand.)

The event's figures travel with the action as JSON (`encode` / `decode`: Money and dates
keep their types, and a code travels as a `Term`, shown in the customer's language),
for the template to show.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from recoup.domain.money import Money
from recoup.domain.words import Term
from recoup.services import history
from recoup.store import policy_repo, run_repo
from recoup.store.tables import cases

INSTALLMENT_REMINDER_DAYS = 3  # a plan's installment is announced this many days ahead

WORDS = {
    "promise-confirmation": "Promise confirmation",
    "promise-broken": "Broken-promise follow-up",
    "plan-confirmation": "Payment plan confirmation",
    "installment-reminder": "Installment reminder",
    "settlement-offer": "Settlement offer",
    "dispute-acknowledgement": "Dispute acknowledgement",
}


def _plain(value: Any) -> Any:
    if isinstance(value, Money):
        return {"$money": [value.minor, value.currency]}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Term):
        return {"$term": [value.kind, value.code]}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$money"}:
            minor, currency = value["$money"]
            return Money(int(minor), str(currency))
        if set(value) == {"$date"}:
            return date.fromisoformat(value["$date"])
        if set(value) == {"$term"}:
            kind, code = value["$term"]
            return Term(str(kind), str(code))
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return value


def encode(extras: Mapping[str, Any]) -> str:
    return json.dumps(_plain(extras), sort_keys=True)


def decode(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    out = _typed(json.loads(text))
    assert isinstance(out, dict)
    return out


def queue(
    conn: Connection,
    customer_id: int,
    currency: str,
    template: str,
    ref: str,
    on: date,
    extras: Mapping[str, Any],
    *,
    amount: Money | None = None,
    invoices: tuple[str, ...] = (),
    actor: str = "system",
) -> int | None:
    """Queue one notice (an email action and its outbox entry); its action id, or None
    when this cause already had its notice."""
    cycle = conn.execute(
        select(cases.c.cycle_start).where(
            cases.c.customer_id == customer_id, cases.c.currency == currency
        )
    ).scalar()
    active = policy_repo.active_policy(conn)
    words = WORDS.get(template, template)
    [action_id] = run_repo.record_actions(
        conn,
        [
            {
                "customer_id": customer_id,
                "currency": currency,
                "cycle_start": cycle or on,
                "run_on": on,
                "kind": "email",
                "stage": f"notice:{ref}",
                "invoices": invoices,
                "amount_minor": amount.minor if amount is not None else 0,
                "template": template,
                "reason": words,
                "policy_version": active.version if active is not None else 0,
                "data": encode(extras),
            }
        ],
    )
    if action_id is None:
        return None
    run_repo.add_many_to_outbox(conn, [(action_id, "email", template)], on)
    history.record(
        conn,
        customer_id,
        "email",
        f"{words} queued for delivery",
        actor=actor,
        on=on,
        data={"action": action_id, "template": template, "ref": ref},
    )
    return action_id
