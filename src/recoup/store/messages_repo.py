"""Reading and writing for talking to debtors: edited templates, the outbox's delivery
state, and the account data a message needs."""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from recoup.store.tables import actions, contacts, customers, invoices, meta, outbox
from recoup.store.tables_history import history
from recoup.store.tables_messages import message_templates, template_signoffs

# --- the book's id (part of every Message-ID) ------------------------------------------


def book_id(conn: Connection) -> str:
    """A random id made once per book, so two books never make the same Message-ID."""
    found = conn.execute(select(meta.c.value).where(meta.c.key == "book_id")).scalar()
    if found is not None:
        return str(found)
    value = secrets.token_hex(16)
    conn.execute(insert(meta).values(key="book_id", value=value))
    return value


# --- templates ----------------------------------------------------------------------


def get_template(conn: Connection, name: str, language: str) -> dict[str, Any] | None:
    q = select(message_templates).where(
        message_templates.c.name == name, message_templates.c.language == language
    )
    row = conn.execute(q).mappings().first()
    return None if row is None else dict(row)


def list_templates(conn: Connection) -> list[dict[str, Any]]:
    q = select(message_templates).order_by(message_templates.c.name, message_templates.c.language)
    return [dict(r) for r in conn.execute(q).mappings()]


def save_template(
    conn: Connection, name: str, language: str, source: str, at: datetime, by: str
) -> None:
    values = {"source": source, "updated_at": at, "updated_by": by}
    done = conn.execute(
        update(message_templates)
        .where(message_templates.c.name == name, message_templates.c.language == language)
        .values(**values)
    )
    if done.rowcount == 0:
        conn.execute(insert(message_templates).values(name=name, language=language, **values))


def delete_template(conn: Connection, name: str, language: str) -> bool:
    done = conn.execute(
        delete(message_templates).where(
            message_templates.c.name == name, message_templates.c.language == language
        )
    )
    return bool(done.rowcount)


# --- the outbox ---------------------------------------------------------------------


def due_outbox(conn: Connection, now: datetime, limit: int | None) -> list[int]:
    """Messages to deliver now: those left "sending" by a crash first, then pending
    ones whose time has come, oldest first."""
    q = (
        select(outbox.c.id)
        .where(
            or_(
                outbox.c.state == "sending",
                and_(
                    outbox.c.state == "pending",
                    or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
                ),
            )
        )
        .order_by((outbox.c.state == "sending").desc(), outbox.c.id)
    )
    if limit is not None:
        q = q.limit(limit)
    return [r[0] for r in conn.execute(q)]


def outbox_row(conn: Connection, outbox_id: int) -> dict[str, Any] | None:
    q = (
        select(
            outbox,
            actions.c.customer_id,
            actions.c.currency,
            actions.c.cycle_start,
            actions.c.run_on,
            actions.c.stage,
            actions.c.kind,
            actions.c.invoices,
            actions.c.amount_minor,
            actions.c.data.label("notice_data"),
        )
        .select_from(outbox.join(actions, actions.c.id == outbox.c.action_id))
        .where(outbox.c.id == outbox_id)
    )
    if conn.dialect.name == "postgresql":
        q = q.with_for_update(of=outbox)
    row = conn.execute(q).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["invoices"] = json.loads(out["invoices"])
    return out


def set_outbox(conn: Connection, outbox_id: int, **values: Any) -> None:
    conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(**values))


def mark_sending(conn: Connection, outbox_id: int, resend: bool) -> None:
    values: dict[str, Any] = {"state": "sending", "attempts": outbox.c.attempts + 1}
    if resend:
        values["resends"] = outbox.c.resends + 1
    conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(**values))


def count_states(conn: Connection) -> dict[str, int]:
    q = select(outbox.c.state, func.count()).group_by(outbox.c.state)
    return {r[0]: int(r[1]) for r in conn.execute(q)}


def problems(conn: Connection) -> list[dict[str, Any]]:
    """Failed messages and those waiting for a retry, newest first."""
    q = (
        select(
            outbox.c.id,
            outbox.c.channel,
            outbox.c.template,
            outbox.c.state,
            outbox.c.attempts,
            outbox.c.next_attempt_at,
            outbox.c.last_error,
            outbox.c.recipient,
            actions.c.stage,
            actions.c.currency,
            actions.c.amount_minor,
            actions.c.customer_id,
            customers.c.key.label("customer"),
            customers.c.name,
        )
        .select_from(
            outbox.join(actions, actions.c.id == outbox.c.action_id).join(
                customers, customers.c.id == actions.c.customer_id
            )
        )
        .where(
            or_(
                outbox.c.state == "failed",
                and_(outbox.c.state == "pending", outbox.c.last_error.is_not(None)),
            )
        )
        .order_by(outbox.c.id.desc())
    )
    return [dict(r) for r in conn.execute(q).mappings()]


def failure_times(conn: Connection, customer_ids: Collection[int]) -> dict[int, str]:
    """When the history recorded each outbox message's failure (outbox id -> the
    entry's UTC timestamp, the latest if more than one), for these customers."""
    out: dict[int, str] = {}
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 500):
        q = select(history.c.at, history.c.data).where(
            history.c.kind == "message_failed", history.c.customer_id.in_(ids[start : start + 500])
        )
        for at, data in conn.execute(q):
            found = json.loads(data).get("outbox")
            if isinstance(found, int) and at > out.get(found, ""):
                out[found] = str(at)
    return out


# --- what a message says -------------------------------------------------------------


def customer(conn: Connection, customer_id: int) -> dict[str, Any]:
    row = conn.execute(select(customers).where(customers.c.id == customer_id)).mappings().one()
    return dict(row)


def contacts_of(conn: Connection, customer_id: int) -> list[dict[str, Any]]:
    q = select(contacts).where(contacts.c.customer_id == customer_id).order_by(contacts.c.id)
    return [dict(r) for r in conn.execute(q).mappings()]


def open_invoices(
    conn: Connection, customer_id: int, currency: str, numbers: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Open invoices of a customer in a currency (only `numbers`, when given)."""
    q = (
        select(invoices)
        .where(
            invoices.c.customer_id == customer_id,
            invoices.c.currency == currency,
            invoices.c.kind == "invoice",
            invoices.c.amount_minor > invoices.c.paid_minor,
        )
        .order_by(invoices.c.due_date, invoices.c.number)
    )
    if numbers is not None:
        q = q.where(invoices.c.number.in_(list(numbers)))
    return [dict(r) for r in conn.execute(q).mappings()]


def main_currency(conn: Connection, customer_id: int) -> str | None:
    """The currency with the most open on a customer's account."""
    q = (
        select(invoices.c.currency, func.sum(invoices.c.amount_minor - invoices.c.paid_minor))
        .where(invoices.c.customer_id == customer_id, invoices.c.kind == "invoice")
        .group_by(invoices.c.currency)
        .order_by(func.sum(invoices.c.amount_minor - invoices.c.paid_minor).desc())
    )
    row = conn.execute(q).first()
    return None if row is None else str(row[0])


def charges(
    conn: Connection, customer_id: int, currency: str, cycle_start: date | None
) -> dict[str, int]:
    """Fees and interest the daily run charged in a cycle (all cycles: None), in minor units."""
    q = select(actions.c.kind, func.sum(actions.c.amount_minor)).where(
        actions.c.customer_id == customer_id,
        actions.c.currency == currency,
        actions.c.kind.in_(("fee", "interest")),
    )
    if cycle_start is not None:
        q = q.where(actions.c.cycle_start == cycle_start)
    return {r[0]: int(r[1] or 0) for r in conn.execute(q.group_by(actions.c.kind))}


def customer_id_by_key(conn: Connection, key: str) -> int | None:
    found = conn.execute(select(customers.c.id).where(customers.c.key == key)).scalar()
    return None if found is None else int(found)


# --- template sign-offs (the owner's word on a text the tone check flags) -------------


def find_signoff(conn: Connection, name: str, checksum: str) -> dict[str, Any] | None:
    """The sign-off of this exact text (by checksum) of a template, in any language (a
    language without a text of its own uses the English one), or None."""
    q = (
        select(template_signoffs)
        .where(template_signoffs.c.name == name, template_signoffs.c.checksum == checksum)
        .order_by(template_signoffs.c.id)
    )
    row = conn.execute(q).mappings().first()
    return None if row is None else dict(row)


def add_signoff(
    conn: Connection,
    name: str,
    language: str,
    checksum: str,
    findings: str,
    by: str,
    at: datetime,
) -> bool:
    """Record a sign-off; False when this text was signed off in this language before."""
    exists = select(template_signoffs.c.id).where(
        template_signoffs.c.name == name,
        template_signoffs.c.language == language,
        template_signoffs.c.checksum == checksum,
    )
    if conn.execute(exists).first() is not None:
        return False
    row = {"findings": findings, "signed_by": by, "signed_at": at}
    try:
        with conn.begin_nested():  # two owners at once: the second finds the first's row
            conn.execute(
                insert(template_signoffs).values(
                    name=name, language=language, checksum=checksum, **row
                )
            )
    except IntegrityError:
        return False
    return True
