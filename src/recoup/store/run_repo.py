"""What the daily run reads and writes: cases, actions, the outbox, the review queue."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from recoup.store.bulk import insert_rows
from recoup.store.tables import actions, cases, customers, invoices, outbox, review_queue
from recoup.store.tables_casework import manual_contacts

# a manual contact's kind -> the planner's channel word ("call" is the phone)
_MANUAL_CHANNEL = {"call": "call", "visit": "call", "letter": "letter"}


def _chunks(ids: Sequence[int], size: int = 2000) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def enqueue(conn: Connection, customer_ids: Iterable[int]) -> None:
    """Ask the next daily run to look at these customers (their books changed)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return
    have: set[int] = set()
    if conn.execute(select(exists().select_from(review_queue))).scalar():
        for chunk in _chunks(ids):
            have |= {
                r[0]
                for r in conn.execute(
                    select(review_queue.c.customer_id).where(review_queue.c.customer_id.in_(chunk))
                )
            }
    insert_rows(conn, review_queue, ("customer_id",), [(i,) for i in ids if i not in have])


def candidates(conn: Connection, as_of: date, full: bool) -> list[int]:
    """Customers the run looks at: everyone with something open (full), or those queued
    and those whose case asked to be looked at again by `as_of`."""
    if full:
        q1 = (
            select(invoices.c.customer_id)
            .where(invoices.c.kind == "invoice", invoices.c.settled_on.is_(None))
            .distinct()
        )
        q2 = select(cases.c.customer_id).distinct()
        return sorted({r[0] for r in conn.execute(q1)} | {r[0] for r in conn.execute(q2)})
    q1 = select(review_queue.c.customer_id)
    q2 = select(cases.c.customer_id).where(cases.c.next_review_on <= as_of).distinct()
    return sorted({r[0] for r in conn.execute(q1)} | {r[0] for r in conn.execute(q2)})


@dataclass
class CustomerData:
    id: int
    key: str
    name: str
    country: str
    timezone: str
    tags: tuple[str, ...]
    invoices: list[tuple[str, date, str, int]]  # number, due, currency, open minor
    contacts: list[tuple[date, str]]  # day, kind
    cases: dict[str, tuple[date | None, date | None]]  # currency -> cycle start, next review
    done: dict[str, list[tuple[str, date]]]  # currency -> (stage, day) this cycle
    recorded: set[tuple[str, str, str]] = field(default_factory=set)  # (currency, stage, kind)
    interest_charged: dict[str, int] = field(default_factory=dict)  # currency -> minor, cycle


def load(conn: Connection, ids: Sequence[int], as_of: date) -> list[CustomerData]:
    """Everything the planner needs about these customers, as of `as_of`.

    Open amounts are the invoices' current ones (everything recorded so far); invoices
    issued after `as_of` are left out.
    """
    out: dict[int, CustomerData] = {}
    for chunk in _chunks(list(ids)):
        q = select(
            customers.c.id,
            customers.c.key,
            customers.c.name,
            customers.c.country,
            customers.c.timezone,
            customers.c.tags,
        ).where(customers.c.id.in_(chunk))
        for cid, key, name, country, tz, tags in conn.execute(q):
            out[cid] = CustomerData(
                cid,
                key,
                name,
                country,
                tz,
                tuple(t for t in tags.split(",") if t),
                [],
                [],
                {},
                defaultdict(list),
            )
        q = select(
            invoices.c.customer_id,
            invoices.c.number,
            invoices.c.due_date,
            invoices.c.currency,
            invoices.c.amount_minor - invoices.c.paid_minor,
        ).where(
            invoices.c.customer_id.in_(chunk),
            invoices.c.kind == "invoice",
            invoices.c.settled_on.is_(None),
            invoices.c.issue_date <= as_of,
        )
        for row in conn.execute(q):
            if row[4] > 0:
                out[row[0]].invoices.append((row[1], row[2], row[3], int(row[4])))
        q = select(actions.c.customer_id, actions.c.run_on, actions.c.kind).where(
            actions.c.customer_id.in_(chunk),
            actions.c.kind.in_(("email", "letter", "call")),
            actions.c.run_on <= as_of,
            # the case work's confirmations answer the customer: not collection contacts
            actions.c.stage.not_like("notice:%"),
        )
        for row in conn.execute(q):
            out[row[0]].contacts.append((row[1], row[2]))
        # contacts made by hand count against the same gap and weekly cap
        q = select(
            manual_contacts.c.customer_id, manual_contacts.c.day, manual_contacts.c.kind
        ).where(
            manual_contacts.c.customer_id.in_(chunk),
            manual_contacts.c.kind.in_(tuple(_MANUAL_CHANNEL)),
            manual_contacts.c.day <= as_of,
        )
        for row in conn.execute(q):
            out[row[0]].contacts.append((row[1], _MANUAL_CHANNEL[row[2]]))
        q = select(
            cases.c.customer_id, cases.c.currency, cases.c.cycle_start, cases.c.next_review_on
        ).where(cases.c.customer_id.in_(chunk))
        for row in conn.execute(q):
            out[row[0]].cases[row[1]] = (row[2], row[3])
        q = (
            select(
                actions.c.customer_id,
                actions.c.currency,
                actions.c.stage,
                actions.c.run_on,
                actions.c.kind,
                actions.c.amount_minor,
            )
            .select_from(
                actions.join(
                    cases,
                    and_(
                        cases.c.customer_id == actions.c.customer_id,
                        cases.c.currency == actions.c.currency,
                        cases.c.cycle_start == actions.c.cycle_start,
                    ),
                )
            )
            .where(actions.c.customer_id.in_(chunk))
        )
        for row in conn.execute(q):
            data = out[row[0]]
            data.done[row[1]].append((row[2], row[3]))
            data.recorded.add((row[1], row[2], row[4]))
            if row[4] == "interest":
                data.interest_charged[row[1]] = data.interest_charged.get(row[1], 0) + row[5]
    return [out[i] for i in ids if i in out]


def _insert_ignore(conn: Connection, table: Any, values: dict[str, Any]) -> int | None:
    """Insert unless the unique key exists; the new row's id, or None."""
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    stmt = dialect.insert(table).values(**values).on_conflict_do_nothing()
    row = conn.execute(stmt.returning(table.c.id)).first()
    return None if row is None else int(row[0])


def record_action(conn: Connection, values: dict[str, Any]) -> int | None:
    """Record an action once: a second run of the same day finds it and adds nothing."""
    values = {**values, "invoices": json.dumps(list(values["invoices"]))}
    return _insert_ignore(conn, actions, values)


def add_to_outbox(
    conn: Connection, action_id: int, channel: str, template: str | None, created_on: date
) -> None:
    _insert_ignore(
        conn,
        outbox,
        {
            "action_id": action_id,
            "channel": channel,
            "template": template,
            "state": "pending",
            "created_on": created_on,
        },
    )


def save_case(
    conn: Connection,
    customer_id: int,
    currency: str,
    cycle_start: date | None,
    next_review: date | None,
    existed: bool,
) -> None:
    if cycle_start is None:
        conn.execute(
            delete(cases).where(cases.c.customer_id == customer_id, cases.c.currency == currency)
        )
        return
    values = {"cycle_start": cycle_start, "next_review_on": next_review}
    if existed:
        conn.execute(
            update(cases)
            .where(cases.c.customer_id == customer_id, cases.c.currency == currency)
            .values(**values)
        )
    else:
        conn.execute(cases.insert().values(customer_id=customer_id, currency=currency, **values))


def queued(conn: Connection) -> list[int]:
    return [r[0] for r in conn.execute(select(review_queue.c.customer_id))]


def dequeue(conn: Connection, ids: Sequence[int]) -> None:
    for chunk in _chunks(list(ids)):
        conn.execute(delete(review_queue).where(review_queue.c.customer_id.in_(chunk)))


def list_outbox(conn: Connection, state: str | None = None) -> list[dict[str, Any]]:
    q = (
        select(
            outbox.c.id,
            outbox.c.channel,
            outbox.c.template,
            outbox.c.state,
            outbox.c.created_on,
            actions.c.id.label("action"),
            actions.c.stage,
            actions.c.currency,
            actions.c.amount_minor,
            actions.c.invoices,
            customers.c.key.label("customer"),
        )
        .select_from(
            outbox.join(actions, actions.c.id == outbox.c.action_id).join(
                customers, customers.c.id == actions.c.customer_id
            )
        )
        .order_by(outbox.c.id)
    )
    if state is not None:
        q = q.where(outbox.c.state == state)
    return [dict(r) for r in conn.execute(q).mappings()]


def open_tasks(conn: Connection, as_of: date) -> list[dict[str, Any]]:
    """Call tasks and recommendations of the current cycles, for the worklist."""
    q = (
        select(
            actions.c.id,
            actions.c.kind,
            actions.c.stage,
            actions.c.run_on,
            actions.c.currency,
            actions.c.amount_minor,
            actions.c.reason,
            actions.c.invoices,
            customers.c.key.label("customer"),
            customers.c.name,
            customers.c.tags,
            customers.c.id.label("customer_id"),
        )
        .select_from(
            actions.join(customers, customers.c.id == actions.c.customer_id).join(
                cases,
                and_(
                    cases.c.customer_id == actions.c.customer_id,
                    cases.c.currency == actions.c.currency,
                    cases.c.cycle_start == actions.c.cycle_start,
                ),
            )
        )
        .where(
            actions.c.run_on <= as_of,
            or_(
                actions.c.kind == "call",
                actions.c.kind == "escalate",
                actions.c.kind == "write_off_recommendation",
            ),
        )
    )
    return [dict(r) for r in conn.execute(q).mappings()]


ACTION_KEY = ("customer_id", "currency", "cycle_start", "stage", "kind")


def record_actions(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[int | None]:
    """Record many actions at once; each one's id, or None where the same action (same
    customer, currency, cycle, stage and kind) was already recorded (by an earlier run,
    or by another run at the same time)."""
    if not rows:
        return []
    values = [{**r, "invoices": json.dumps(list(r["invoices"]))} for r in rows]
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    conn.execute(dialect.insert(actions).on_conflict_do_nothing(), values)
    customer_ids = sorted({r["customer_id"] for r in rows})
    run_on = rows[0]["run_on"]
    found: dict[tuple[Any, ...], tuple[int, Any]] = {}
    for chunk in _chunks(customer_ids):
        q = select(actions.c.id, actions.c.run_on, *[actions.c[c] for c in ACTION_KEY]).where(
            actions.c.customer_id.in_(chunk), actions.c.run_on == run_on
        )
        for row in conn.execute(q):
            found[tuple(row[2:])] = (row[0], row[1])
    out: list[int | None] = []
    for r in rows:
        hit = found.get(tuple(r[c] for c in ACTION_KEY))
        out.append(hit[0] if hit is not None else None)
    return out


def add_many_to_outbox(
    conn: Connection, items: Sequence[tuple[int, str, str | None]], created_on: date
) -> None:
    """Outbox entries (action id, channel, template), each once."""
    if not items:
        return
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    conn.execute(
        dialect.insert(outbox).on_conflict_do_nothing(),
        [
            {
                "action_id": a,
                "channel": ch,
                "template": t,
                "state": "pending",
                "created_on": created_on,
            }
            for a, ch, t in items
        ],
    )


def save_cases(
    conn: Connection,
    upserts: Sequence[tuple[int, str, date, date | None]],
    deletes: Sequence[tuple[int, str]],
) -> None:
    """Write many cases' states: (customer, currency, cycle start, next review) rows,
    and the (customer, currency) cases that ended."""
    if upserts:
        dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
        stmt = dialect.insert(cases)
        stmt = stmt.on_conflict_do_update(
            index_elements=[cases.c.customer_id, cases.c.currency],
            set_={
                "cycle_start": stmt.excluded.cycle_start,
                "next_review_on": stmt.excluded.next_review_on,
            },
        )
        conn.execute(
            stmt,
            [
                {"customer_id": c, "currency": cur, "cycle_start": s, "next_review_on": n}
                for c, cur, s, n in upserts
            ],
        )
    for c, cur in deletes:
        conn.execute(delete(cases).where(cases.c.customer_id == c, cases.c.currency == cur))


def customer_ids_of(conn: Connection, keys: Iterable[str]) -> dict[str, int]:
    """key -> id of these customers (unknown keys are left out)."""
    wanted = sorted(set(keys))
    out: dict[str, int] = {}
    for start in range(0, len(wanted), 2000):
        q = select(customers.c.key, customers.c.id).where(
            customers.c.key.in_(wanted[start : start + 2000])
        )
        out.update({r[0]: r[1] for r in conn.execute(q)})
    return out
