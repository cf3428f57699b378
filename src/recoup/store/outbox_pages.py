"""The outbox a page at a time, for the web's outbox page: messages by state with their
customer, why they wait and when they went; and customers' names by key."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from recoup.domain.kinds import OutboxState
from recoup.store.tables import actions, customers, outbox

# the outbox's states by the page's sections
SECTION_STATES: dict[str, tuple[OutboxState, ...]] = {
    "waiting": (OutboxState.PENDING, OutboxState.SENDING),
    "delivered": (OutboxState.SENT,),
    "withdrawn": (OutboxState.WITHDRAWN,),
}


def count(conn: Connection, states: Collection[str]) -> int:
    q = select(func.count()).select_from(outbox).where(outbox.c.state.in_(tuple(states)))
    return int(conn.execute(q).scalar() or 0)


def page(conn: Connection, section: str, offset: int, limit: int) -> list[dict[str, Any]]:
    """Rows of one section: waiting oldest first (as delivery takes them), delivered
    most recent first, withdrawn newest first."""
    states = SECTION_STATES[section]
    order = {
        "waiting": (outbox.c.created_on, outbox.c.id),
        "delivered": (outbox.c.sent_at.desc(), outbox.c.id.desc()),
        "withdrawn": (outbox.c.id.desc(),),
    }[section]
    q = (
        select(
            outbox.c.id,
            outbox.c.state,
            outbox.c.channel,
            outbox.c.template,
            outbox.c.created_on,
            outbox.c.recipient,
            outbox.c.attempts,
            outbox.c.next_attempt_at,
            outbox.c.last_error,
            outbox.c.wait_reason,
            outbox.c.sent_at,
            actions.c.stage,
            actions.c.currency,
            actions.c.amount_minor,
            actions.c.withdrawn_on,
            customers.c.key.label("customer"),
            customers.c.name,
        )
        .select_from(
            outbox.join(actions, actions.c.id == outbox.c.action_id).join(
                customers, customers.c.id == actions.c.customer_id
            )
        )
        .where(outbox.c.state.in_(states))
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(q).mappings()]


def names(conn: Connection, keys: Collection[str]) -> dict[str, str]:
    """Customer key -> name, for the keys that exist."""
    wanted = sorted(set(keys))
    out: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        q = select(customers.c.key, customers.c.name).where(customers.c.key.in_(part))
        out.update({str(k): str(n) for k, n in conn.execute(q)})
    return out
