"""What a customer was actually sent in a cycle: the messages the outbox delivered, on
the day and by the channel the account's history recorded, so that the next message
says no more than that (`recoup.messages.context.Earlier`)."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.engine import Connection

from recoup.store.tables import actions, cases, outbox
from recoup.store.tables_history import history

NOTICE = "notice:"  # the stage of a case-work notice (a confirmation, not a reminder)


def delivered_in_cycle(
    conn: Connection,
    customer_id: int,
    currency: str,
    cycle_start: date | None,
    before: date,
    *,
    besides_stage: str | None = None,
) -> list[tuple[date, str, bool]]:
    """(day, channel, reminder) of every message of the customer's cycle in `currency`
    that was delivered (outbox "sent", with its "message_sent" history entry) on a day
    before `before`, oldest first; `reminder` is False for case-work notices. The cycle
    is the case's current one when `cycle_start` is None; messages of the stage
    `besides_stage` (the other half of a stage's email and letter) are left out."""
    if cycle_start is None:
        cycle_start = conn.execute(
            select(cases.c.cycle_start).where(
                cases.c.customer_id == customer_id, cases.c.currency == currency
            )
        ).scalar()
        if cycle_start is None:
            return []
    q = (
        select(outbox.c.id, actions.c.stage)
        .select_from(outbox.join(actions, actions.c.id == outbox.c.action_id))
        .where(
            actions.c.customer_id == customer_id,
            actions.c.currency == currency,
            actions.c.cycle_start == cycle_start,
            outbox.c.state == "sent",
        )
    )
    sent = {int(i): str(stage) for i, stage in conn.execute(q) if stage != besides_stage}
    if not sent:
        return []
    entries = select(history.c.day, history.c.data).where(
        history.c.customer_id == customer_id, history.c.kind == "message_sent"
    )
    found: dict[int, tuple[date, str, bool]] = {}  # by outbox row: one message, once
    for day_text, data_text in conn.execute(entries):
        data = json.loads(data_text)
        row = data.get("outbox")
        day = date.fromisoformat(str(day_text))
        if isinstance(row, int) and row in sent and day < before and row not in found:
            channel = str(data.get("channel") or "email")
            found[row] = (day, channel, not sent[row].startswith(NOTICE))
    return sorted(found.values())
