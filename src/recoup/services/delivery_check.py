"""Delivery's look at the book for one queued message, and what follows from it.

`decide_message` reads what `recoup.domain.delivery.decide` needs at the moment of
sending: the customer's holds in force that day (as the plan honours them), the
contacts actually made (messages delivered and contacts by hand, not messages merely
queued), the message's figures as queued or as built and as the book has them now, and
the policy's contact rules; then asks the domain rule. `withdraw` and `rebuild` record
the outcome: a withdrawn message's action no longer counts as done (the daily run plans
its stage again when the plan says so), a rebuilt one becomes a new revision of the same
action. Each is written in the caller's transaction, with an entry in the account's
history saying why.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from recoup.domain.collection import rules_from_policy
from recoup.domain.contact_rules import Debtor, PastContact
from recoup.domain.delivery import DeliveryDecision, Figures, Message, decide
from recoup.domain.ledger import Channel
from recoup.domain.local_calendar import holiday_code, local_day, resolve_zone
from recoup.domain.policy import OnChange, Policy, TriggerKind
from recoup.services import history
from recoup.services.casework.holds import holds_for
from recoup.settings import Settings
from recoup.store import messages_repo, point_in_time, run_repo

ACTOR = "recoup dispatch"
CONSUMER_TAG = "consumer"
_CHANNEL = {"email": Channel.EMAIL, "letter": Channel.LETTER}


def is_notice(row: dict[str, Any]) -> bool:
    """A case-work notice (promise confirmation, plan confirmation ...), not a stage."""
    return str(row["stage"]).startswith("notice:")


def regulation_f(customer: dict[str, Any], settings: Settings) -> bool:
    tags = str(customer.get("tags") or "").split(",")
    return bool(
        settings.third_party_collector
        and CONSUMER_TAG in tags
        and str(customer.get("country") or "").upper() == "US"
    )


def stated_figures(row: dict[str, Any]) -> Figures:
    """What the message states: the figures it was built with, or those the run queued
    (the action's invoices and amount) while it is not built yet."""
    if row.get("facts"):
        facts = json.loads(row["facts"])
        return Figures(frozenset(facts["open"]), int(facts["balance"]))
    return Figures(frozenset(row["invoices"]), int(row["amount_minor"]))


def current_figures(conn: Connection, row: dict[str, Any], day: date) -> Figures:
    """The message's invoices as the book has them on `day` (the same reading the
    message is built from: a notice lists every open invoice of its currency)."""
    return _figures(_open_named(conn, row, day))


def _open_named(conn: Connection, row: dict[str, Any], day: date) -> list[dict[str, Any]]:
    numbers = None if is_notice(row) else list(row["invoices"])
    return messages_repo.open_invoices(
        conn, row["customer_id"], row["currency"], numbers, as_of=day
    )


def _figures(found: list[dict[str, Any]]) -> Figures:
    return Figures(
        frozenset(r["number"] for r in found),
        sum(int(r["amount_minor"]) - int(r["paid_minor"]) for r in found),
    )


def facts_text(figures: Figures) -> str:
    return json.dumps({"open": sorted(figures.open_numbers), "balance": figures.balance})


def debtor_at(
    conn: Connection, row: dict[str, Any], customer: dict[str, Any], day: date, policy: Policy
) -> Debtor:
    """The customer as the contact rules see them at delivery: the holds the plan
    honours in force on `day`, and the contacts actually made (not this message's step)."""
    wanted = {h.value for h in policy.contact.holds}
    past = point_in_time.moved_past(conn, day)
    found = holds_for(conn, [row["customer_id"]], day, past=past).get(row["customer_id"], [])
    holds = tuple(h for h in found if h.absolute or h.kind.value in wanted)
    made = messages_repo.delivered_contacts(
        conn, row["customer_id"], (row["currency"], _as_date(row["cycle_start"]), row["stage"])
    )
    contacts = tuple(PastContact(at, _CHANNEL.get(channel, Channel.PHONE)) for at, channel in made)
    country = holiday_code(str(customer["country"] or ""), str(customer.get("region") or ""))
    return Debtor(country, str(customer["timezone"] or "UTC"), contacts, holds)


def book_day(row: dict[str, Any], customer: dict[str, Any], at: datetime) -> date:
    """The day whose book a message is checked against when it goes at `at`: the latest
    of the run's day, the customer's own day and the business's (the book's dates are the
    business's: `at` on this machine's calendar, as `clock.local_today`). A payment, a
    dispute or a promise the book holds is counted even when it is dated on a day the
    customer has not reached yet (a customer in Los Angeles, a business in Europe): what
    reaches them must not contradict the book as it is when it goes."""
    customer_day = local_day(at, resolve_zone(str(customer["timezone"] or "UTC")))
    return max(_as_date(row["run_on"]), customer_day, at.astimezone().date())


def decide_message(
    conn: Connection,
    row: dict[str, Any],
    customer: dict[str, Any],
    at: datetime,
    policy: Policy,
    settings: Settings,
    on_change: OnChange,
) -> DeliveryDecision:
    """May this queued message go at `at`? See `recoup.domain.delivery`."""
    day = book_day(row, customer, at)
    found = _open_named(conn, row, day)
    message = Message(
        _CHANNEL.get(str(row["channel"]), Channel.EMAIL),
        str(row["currency"]),
        stated_figures(row),
        notice=is_notice(row),
        regulation_f=regulation_f(customer, settings),
        falls_due=_falls_due(row, policy, found),
        superseded_by=None if is_notice(row) else messages_repo.later_stage(conn, row),
    )
    return decide(
        rules_from_policy(policy),
        debtor_at(conn, row, customer, day, policy),
        message,
        _figures(found),
        at,
        on_change,
    )


def _falls_due(row: dict[str, Any], policy: Policy, found: list[dict[str, Any]]) -> date | None:
    """The first due date of a reminder-before-due's open invoices (None for any other
    message): a stage the plan counts from the due date with a negative number of days."""
    try:
        stage = policy.stage(str(row["stage"]))
    except KeyError:
        return None
    trigger = stage.trigger
    if trigger.kind is not TriggerKind.DAYS_FROM_DUE or trigger.days >= 0 or not found:
        return None
    return min(_as_date(r["due_date"]) for r in found)


def withdraw(conn: Connection, row: dict[str, Any], reason: str, on: date, at: datetime) -> None:
    """The message will not go: its state becomes "withdrawn", its action no longer
    counts as done (taken out of the cycle's steps; the customer is looked at again by
    the next run), and the history says why."""
    messages_repo.set_outbox(
        conn, row["id"], state="withdrawn", last_error=reason, wait_reason=None,
        lease_owner=None, lease_until=None,
    )  # fmt: skip
    if not is_notice(row):
        messages_repo.withdraw_action(conn, row["action_id"], on)
        run_repo.forget_step(
            conn, row["customer_id"], row["currency"], _as_date(row["cycle_start"]),
            _as_date(row["run_on"]), row["kind"], row["stage"],
        )  # fmt: skip
        run_repo.enqueue(conn, {row["customer_id"]})
    _record(conn, row, f"withdrawn: {reason}", on, at, {"reason": reason, "state": "withdrawn"})


def rebuild(
    conn: Connection,
    row: dict[str, Any],
    reason: str,
    on: date,
    at: datetime,
    owner: str,
    lease_until: datetime,
) -> int:
    """The message's figures changed: this version is withdrawn and a new one (the next
    revision of the same action, built with the current figures under a new
    Message-ID) takes its place; the new outbox row's id."""
    new_id = messages_repo.new_revision(conn, row, on, owner, lease_until)
    messages_repo.set_outbox(
        conn, row["id"], state="withdrawn", last_error=f"{reason}; rebuilt as message {new_id}",
        wait_reason=None, lease_owner=None, lease_until=None,
    )  # fmt: skip
    _record(
        conn,
        row,
        f"withdrawn and rebuilt with the current figures: {reason}",
        on,
        at,
        {"reason": reason, "state": "withdrawn", "rebuilt_as": new_id},
    )
    return new_id


def _record(
    conn: Connection, row: dict[str, Any], what: str, on: date, at: datetime, data: dict[str, Any]
) -> None:
    channel = "Letter" if row["channel"] == "letter" else "Email"
    history.record(
        conn,
        row["customer_id"],
        "message_withdrawn",
        f"{channel} {row['template']} ({row['stage']}) {what}",
        actor=ACTOR,
        on=on,
        at=at,
        data={"outbox": row["id"], "action": row["action_id"], **data},
    )


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
