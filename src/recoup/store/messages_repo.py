"""Reading and writing for talking to debtors: edited templates, the outbox's delivery
state, and the account data a message needs."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from recoup.domain.kinds import OutboxState
from recoup.store import driver, point_in_time
from recoup.store.tables import (
    PROBLEMS_SQL,
    actions,
    contacts,
    customers,
    invoices,
    meta,
    outbox,
)
from recoup.store.tables_casework import manual_contacts
from recoup.store.tables_history import history
from recoup.store.tables_messages import message_templates, template_signoffs

# --- the book's id (part of every Message-ID) ------------------------------------------


def book_id(conn: Connection) -> str:
    """A random id made once per book, so two books never make the same Message-ID."""
    found = conn.execute(select(meta.c.value).where(meta.c.key == "book_id")).scalar()
    if found is not None:
        return str(found)
    try:
        with conn.begin_nested():  # two deliveries may make it at once: one wins
            conn.execute(insert(meta).values(key="book_id", value=secrets.token_hex(16)))
    except IntegrityError:
        pass
    return str(conn.execute(select(meta.c.value).where(meta.c.key == "book_id")).scalar_one())


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


def claim(
    conn: Connection,
    owner: str,
    wall: datetime,
    lease_until: datetime,
    at: datetime,
    limit: int,
    stale: Callable[[str], bool],
) -> list[int]:
    """Lease up to `limit` messages to `owner` and return their ids: those left
    "sending" by a delivery whose lease ran out first (crash recovery), then pending ones
    whose time has come (`at`), oldest first. A message under a live lease (another
    delivery is working on it) is never taken; a lease has run out when its time has
    passed by the wall clock (`wall`) or `stale(owner)` says its holder is gone.

    PostgreSQL: the rows are read `FOR UPDATE SKIP LOCKED`, so concurrent claims pass
    each other by; SQLite: the caller holds the write lock (BEGIN IMMEDIATE)."""
    free = or_(
        outbox.c.lease_owner.is_(None),
        outbox.c.lease_until < wall,
        outbox.c.lease_owner.like(owner.split(":", 1)[0] + ":%"),  # same host: ask `stale`
    )
    q = (
        select(outbox.c.id, outbox.c.lease_owner, outbox.c.lease_until)
        .where(_due(at), free)
        .order_by((outbox.c.state == "sending").desc(), outbox.c.id)
        .limit(limit * 4)
    )
    if conn.dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True, of=outbox)
    taken: list[int] = []
    for row_id, holder, until in conn.execute(q):
        if len(taken) >= limit:
            break
        if holder == owner:
            continue  # already ours: being delivered, or waiting until this delivery ends
        expired = until is not None and _utc(until) < wall
        if holder is not None and not expired and not stale(holder):
            continue  # a live delivery on this host holds it
        conn.execute(
            update(outbox)
            .where(outbox.c.id == row_id)
            .values(lease_owner=owner, lease_until=lease_until)
        )
        taken.append(int(row_id))
    return taken


def _due(at: datetime) -> ColumnElement[bool]:
    """Messages a delivery at `at` takes on: left "sending", or pending and due."""
    return or_(
        outbox.c.state == "sending",
        and_(
            outbox.c.state == "pending",
            or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= at),
        ),
    )


def count_due(conn: Connection, at: datetime) -> int:
    """How many messages a delivery at `at` would take on (leased by others or not)."""
    return int(conn.execute(select(func.count()).select_from(outbox).where(_due(at))).scalar_one())


def release(conn: Connection, owner: str, ids: Collection[int] | None = None) -> None:
    """End `owner`'s leases (of `ids` only, when given) on messages not being sent."""
    q = update(outbox).where(outbox.c.lease_owner == owner, outbox.c.state != "sending")
    if ids is not None:
        q = q.where(outbox.c.id.in_(sorted(ids)))
    conn.execute(q.values(lease_owner=None, lease_until=None))


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def new_revision(
    conn: Connection, row: dict[str, Any], on: date, owner: str, until: datetime
) -> int:
    """A new outbox row for the same action (the next revision), pending, leased to
    `owner`; its id."""
    top = conn.execute(
        select(func.max(outbox.c.revision)).where(outbox.c.action_id == row["action_id"])
    ).scalar()
    done = conn.execute(
        insert(outbox)
        .values(
            action_id=row["action_id"],
            revision=int(top or 0) + 1,
            channel=row["channel"],
            template=row["template"],
            state="pending",
            created_on=on,
            lease_owner=owner,
            lease_until=until,
        )
        .returning(outbox.c.id)
    )
    return int(done.scalar_one())


def later_stage(conn: Connection, row: dict[str, Any]) -> str | None:
    """The stage of a later message of the same case and cycle (not a notice, not
    withdrawn) queued after this one's step, if any."""
    q = (
        select(actions.c.stage)
        .select_from(outbox.join(actions, actions.c.id == outbox.c.action_id))
        .where(
            actions.c.customer_id == row["customer_id"],
            actions.c.currency == row["currency"],
            actions.c.cycle_start == row["cycle_start"],
            actions.c.run_on > row["run_on"],
            actions.c.withdrawn_on.is_(None),
            ~actions.c.stage.like("notice:%"),
            outbox.c.state != "withdrawn",
        )
        .order_by(actions.c.run_on.desc())
        .limit(1)
    )
    found = conn.execute(q).scalar()
    return None if found is None else str(found)


def withdraw_action(conn: Connection, action_id: int, on: date) -> None:
    conn.execute(update(actions).where(actions.c.id == action_id).values(withdrawn_on=on))


def delivered_contacts(
    conn: Connection, customer_id: int, besides: tuple[str, date, str]
) -> list[tuple[datetime, str]]:
    """(moment, channel) of every contact actually made with the customer: messages
    delivered (not case-work notices, which answer the customer, and not the other
    messages of the step `besides` = (currency, cycle start, stage): a stage's email and
    letter are one contact) and contacts by hand (calls, visits, letters; not notes)."""
    currency, cycle_start, stage = besides
    q = (
        select(outbox.c.sent_at, outbox.c.channel)
        .select_from(outbox.join(actions, actions.c.id == outbox.c.action_id))
        .where(
            actions.c.customer_id == customer_id,
            outbox.c.state == "sent",
            ~actions.c.stage.like("notice:%"),
            ~and_(
                actions.c.currency == currency,
                actions.c.cycle_start == cycle_start,
                actions.c.stage == stage,
            ),
        )
    )
    out = [(_utc(at), str(channel)) for at, channel in conn.execute(q) if at is not None]
    q2 = select(manual_contacts.c.at, manual_contacts.c.kind).where(
        manual_contacts.c.customer_id == customer_id, manual_contacts.c.kind != "note"
    )
    out += [(_utc(at), str(kind)) for at, kind in conn.execute(q2)]
    return out


def waiting(conn: Connection) -> list[dict[str, Any]]:
    """Messages still waiting (pending or being sent), with why and until when."""
    q = (
        select(
            outbox.c.id,
            outbox.c.state,
            outbox.c.channel,
            outbox.c.template,
            outbox.c.next_attempt_at,
            outbox.c.wait_reason,
            outbox.c.last_error,
            customers.c.key.label("customer"),
        )
        .select_from(
            outbox.join(actions, actions.c.id == outbox.c.action_id).join(
                customers, customers.c.id == actions.c.customer_id
            )
        )
        .where(outbox.c.state.in_(("pending", "sending")))
        .order_by(outbox.c.id)
    )
    return [dict(r) for r in conn.execute(q).mappings()]


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
            actions.c.withdrawn_on,
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


STATE_COUNT_CAP = 20_000


def count_states(conn: Connection) -> dict[str, int]:
    """The messages by state (the states with none left out).

    SQLite counts a whole table without reading its rows (about a millisecond for
    200,000 messages) but reads every entry of a range of an index (about 12 ms for
    the same): grouping the outbox by state read every message on each dashboard. So
    each state is counted up to `STATE_COUNT_CAP` messages, and the one state that has
    more (the sent messages of a book run for years, or those waiting in a book never
    delivered) is what the whole count leaves; when two or more have more, those are
    counted in full. Exact either way: every message has one of `OutboxState`'s states
    (the only ones written)."""
    states = [state.value for state in OutboxState]
    capped = "(SELECT count(*) FROM (SELECT 1 FROM outbox WHERE state = ? LIMIT ?) o)"
    sql = "SELECT (SELECT count(*) FROM outbox), " + ", ".join([capped] * len(states))
    params = [p for state in states for p in (state, STATE_COUNT_CAP + 1)]
    total, *found = (int(n) for n in driver.fetch(conn, sql, params)[0])  # one round trip
    counts: dict[str, int] = {}
    many: list[str] = []
    for state, n in zip(states, found, strict=True):
        if n > STATE_COUNT_CAP:
            many.append(state)
        elif n:
            counts[state] = n
    if len(many) == 1:
        counts[many[0]] = total - sum(counts.values())
    else:
        for name in many:
            full = "SELECT count(*) FROM outbox WHERE state = ?"
            counts[name] = int(driver.fetch(conn, full, [name])[0][0])
    return counts


def problems(conn: Connection) -> list[dict[str, Any]]:
    """Failed messages, those waiting for a retry and those held by the set-up, newest
    first."""
    q = (
        select(
            outbox.c.id,
            outbox.c.channel,
            outbox.c.template,
            outbox.c.state,
            outbox.c.attempts,
            outbox.c.next_attempt_at,
            outbox.c.last_error,
            outbox.c.wait_reason,
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
        .where(outbox.c.id.in_(_problem_ids(conn)))
        .order_by(outbox.c.id.desc())
    )
    return [dict(r) for r in conn.execute(q).mappings()]


def _problem_ids(conn: Connection) -> Any:
    """The messages failed, waiting after an error, or held until the set-up is complete
    (a deferral has its time instead), from their partial index: SQLite, which has no
    statistics on a book never analysed, would rather read every waiting message along
    `ix_outbox_state` unless told which index to use."""
    hint = " INDEXED BY ix_outbox_problems" if conn.dialect.name == "sqlite" else ""
    return text(f"SELECT id FROM outbox{hint} WHERE {PROBLEMS_SQL}").columns(outbox.c.id)


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
    conn: Connection,
    customer_id: int,
    currency: str,
    numbers: Sequence[str] | None = None,
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    """Open invoices of a customer in a currency (only `numbers`, when given), as the
    book stands now, or as it stood on `as_of` when the book records payments, credit
    notes or case work dated after that day (`recoup.store.point_in_time`)."""
    if as_of is not None and point_in_time.moved_past(conn, as_of):
        where = ["customer_id = ?", "currency = ?", "amount_minor > paid_minor"]
        params: list[Any] = [customer_id, currency]
        if numbers is not None:
            where.append(f"number IN ({driver.marks(len(numbers))})" if numbers else "1 = 0")
            params += list(numbers)
        sql = (
            "SELECT id, number, issue_date, due_date, currency, amount_minor, paid_minor "
            f"FROM {point_in_time.invoices_at(as_of)} WHERE {' AND '.join(where)} "
            "ORDER BY due_date, number"
        )
        day = driver.date_reader(conn)
        return [
            {
                "id": r[0], "number": r[1], "issue_date": day(r[2]), "due_date": day(r[3]),
                "currency": r[4], "amount_minor": int(r[5]), "paid_minor": int(r[6]),
            }
            for r in driver.fetch(conn, sql, params)
        ]  # fmt: skip
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
