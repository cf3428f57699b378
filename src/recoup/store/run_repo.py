"""What the daily run reads and writes: cases, actions, the outbox, the review queue."""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.engine import Connection

from recoup.domain.accrual import COMPENSATION_SUFFIX
from recoup.domain.collection import NUMBER_SEPARATOR, OpenSummary
from recoup.domain.local_calendar import holiday_code
from recoup.store import driver, steps
from recoup.store.bulk import insert_rows
from recoup.store.point_in_time import invoices_source, steps_until
from recoup.store.tables import actions, cases, customers, ended_cycles, outbox, review_queue

CONTACT_KINDS = frozenset({"email", "letter", "call"})  # the actions that contact the debtor
# a manual contact's kind -> the planner's channel word ("call" is the phone)
MANUAL_CHANNEL = {"call": "call", "visit": "call", "letter": "letter"}


def _chunks(ids: Sequence[int], size: int = 2000) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def enqueue(conn: Connection, customer_ids: Iterable[int]) -> None:
    """Ask the next daily run to look at these customers (their books changed). Each
    call stamps them anew: a run takes a customer off the queue only while the stamp is
    the one it read before it looked (`dequeue`), so a change committed while a run was
    looking at the customer keeps it queued for the next run (and its worklist lines
    made afresh until then)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return
    stamp = secrets.randbits(62) + 1
    have: set[int] = set()
    if conn.execute(select(exists().select_from(review_queue))).scalar():
        for chunk in _chunks(ids):
            have |= {
                r[0]
                for r in conn.execute(
                    select(review_queue.c.customer_id).where(review_queue.c.customer_id.in_(chunk))
                )
            }
    # queued already: stamped again (an upsert, in case a run takes it off meanwhile)
    driver.execute_many(
        conn,
        "INSERT INTO review_queue (customer_id, stamp) VALUES (?, ?) "
        "ON CONFLICT (customer_id) DO UPDATE SET stamp = excluded.stamp",
        [(i, stamp) for i in sorted(have)],
    )
    insert_rows(
        conn, review_queue, ("customer_id", "stamp"), [(i, stamp) for i in ids if i not in have]
    )


def candidates(conn: Connection, as_of: date, full: bool, past: bool = False) -> list[int]:
    """Customers the run looks at: everyone with something open (full), or those queued
    and those whose case asked to be looked at again by `as_of`. On a day the book has
    moved past (`past`, see `recoup.store.point_in_time`) everyone with something open
    that day or a case: the queue names the accounts changed since the last run, not
    those that changed by that day."""
    params: list[Any] = []
    if past:
        first = f"SELECT DISTINCT customer_id FROM {invoices_source(as_of, True)}"
        second = "SELECT DISTINCT customer_id FROM cases"
    elif full:
        first = (
            "SELECT DISTINCT customer_id FROM invoices "
            "WHERE kind = 'invoice' AND settled_on IS NULL"
        )
        second, params = "SELECT DISTINCT customer_id FROM cases", []
    else:
        first = "SELECT customer_id FROM review_queue"
        second = "SELECT DISTINCT customer_id FROM cases WHERE next_review_on <= ?"
        params = [as_of]
    found = {r[0] for r in driver.fetch(conn, first)}
    found.update(r[0] for r in driver.fetch(conn, second, params))
    return sorted(found)


@dataclass(slots=True)
class CustomerData:
    id: int
    key: str
    name: str
    country: str  # with the region, as the holiday calendar takes it ("GB-SCT", "US")
    timezone: str
    tags: tuple[str, ...]
    invoices: list[tuple[str, date, str, int]]  # number, due, currency, open minor
    contacts: list[tuple[date, str]]  # day, kind
    cases: dict[str, tuple[date | None, date | None]]  # currency -> cycle start, next review
    done: dict[str, list[tuple[str, date]]]  # currency -> (stage, day) this cycle
    recorded: set[tuple[str, str, str]] = field(default_factory=set)  # (currency, stage, kind)
    interest_charged: dict[str, int] = field(default_factory=dict)  # currency -> minor, cycle
    # currency -> the open invoices added up (`load(..., summarize=True)`; then `invoices`
    # is empty for this customer)
    summaries: dict[str, OpenSummary] = field(default_factory=dict)
    # currency -> the invoices that had the statutory compensation in the case's cycle
    # (`load(..., compensated=True)`: read only for a plan that charges it)
    compensated: dict[str, set[str]] = field(default_factory=dict)


def _summary_sql(conn: Connection, where: str, source: str = "invoices") -> str:
    """Each (customer, currency)'s open invoices added up by the database: count,
    balance, the part due before the as-of date, the oldest (due date as ISO text, then
    number: compared byte by byte, which is the order Python gives `str`) and the
    numbers joined by `NUMBER_SEPARATOR`. `source`: the invoices table, or the
    invoices as known on an earlier day (`point_in_time.invoices_source`)."""
    sep = f"chr({ord(NUMBER_SEPARATOR)})" if conn.dialect.name != "sqlite" else "char(31)"
    if conn.dialect.name == "sqlite":
        oldest, numbers = "min(due_date || number)", f"group_concat(number, {sep})"
    else:
        oldest = "min(to_char(due_date, 'YYYY-MM-DD') || number COLLATE \"C\")"
        numbers = f"string_agg(number, {sep})"
    return (
        "SELECT customer_id, currency, count(*), sum(amount_minor - paid_minor), "
        "sum(CASE WHEN due_date < ? THEN amount_minor - paid_minor ELSE 0 END), "
        f"{oldest}, {numbers} FROM {source} WHERE {where} AND kind = 'invoice' "
        "AND settled_on IS NULL AND issue_date <= ? AND amount_minor > paid_minor "
        "GROUP BY customer_id, currency"
    )


def _summaries(
    conn: Connection, where: str, params: list[Any], as_of: date, past: bool = False
) -> Iterable[tuple[int, str, OpenSummary]]:
    source = invoices_source(as_of, past)
    for cid, currency, count, balance, overdue, oldest, numbers in driver.fetch(
        conn, _summary_sql(conn, where, source), [as_of, *params, as_of]
    ):
        yield cid, currency, OpenSummary(
            int(count), int(balance), int(overdue),
            date.fromisoformat(oldest[:10]), oldest[10:], numbers,
        )  # fmt: skip


def open_summaries(
    conn: Connection, ids: Sequence[int], as_of: date, past: bool = False
) -> dict[int, dict[str, OpenSummary]]:
    """customer id -> currency -> the open invoices added up, with every detail (`past`:
    as known on `as_of`, see `recoup.store.point_in_time`)."""
    out: dict[int, dict[str, OpenSummary]] = defaultdict(dict)
    for chunk, where, params in driver.id_ranges(sorted(set(ids)), 2000):
        wanted = set(chunk)
        for cid, currency, summary in _summaries(conn, where, params, as_of, past):
            if cid in wanted:
                out[cid][currency] = summary
    return out


def load(
    conn: Connection,
    ids: Sequence[int],
    as_of: date,
    *,
    summarize: bool = False,
    detail_for: frozenset[int] | set[int] = frozenset(),
    past: bool = False,
    compensated: bool = False,
) -> list[CustomerData]:
    """Everything the planner needs about these customers, as of `as_of`.

    Open amounts are the invoices' current ones (everything recorded so far); invoices
    issued after `as_of` are left out. With `past` (the book has moved past `as_of`, see
    `recoup.store.point_in_time`) they are those of `as_of`, and the cycles' actions
    recorded for later days are left out too. With `summarize`, each currency's open invoices
    come added up (`CustomerData.summaries`), except for the customers in `detail_for`,
    whose invoices come one by one as without it. With `compensated` (a plan that
    charges the statutory compensation), the invoices that had it in each case's cycle.
    Plain SQL through the driver (`recoup.store.driver`): this is read for every account
    a run looks at.
    """
    out: dict[int, CustomerData] = {}
    day = driver.date_reader(conn)
    for chunk, where, params in driver.id_ranges(sorted(set(ids)), 2000):
        wanted = set(chunk)
        for cid, key, name, country, tz, tags, region in driver.fetch(
            conn,
            "SELECT id, key, name, country, timezone, tags, region FROM customers WHERE "
            + where.replace("customer_id", "id"),
            params,
        ):
            if cid in wanted:
                out[cid] = CustomerData(
                    cid, key, name, holiday_code(country, region), tz,
                    tuple(t for t in tags.split(",") if t),
                    [], [], {}, defaultdict(list),
                )  # fmt: skip
        one_by_one = wanted & detail_for if summarize else wanted
        if summarize:
            for cid, currency, summary in _summaries(conn, where, params, as_of, past):
                if cid in wanted and cid not in one_by_one:
                    out[cid].summaries[currency] = summary
        if one_by_one:
            inner_where, inner_params = (
                (where, params)
                if one_by_one is wanted
                else (f"customer_id IN ({driver.marks(len(one_by_one))})", sorted(one_by_one))
            )
            for cid, number, due, currency, left in driver.fetch(
                conn,
                "SELECT customer_id, number, due_date, currency, amount_minor - paid_minor "
                f"FROM {invoices_source(as_of, past)} WHERE {inner_where} AND kind = 'invoice' "
                "AND settled_on IS NULL AND issue_date <= ? "
                # the order of ix_invoices_open_by_customer, which the read goes by
                "ORDER BY customer_id, currency, due_date, number",
                [*inner_params, as_of],
            ):
                if left > 0 and cid in one_by_one:
                    out[cid].invoices.append((number, day(due), currency, int(left)))
        found: dict[int, dict[str, str]] = defaultdict(dict)
        for cid, currency, cycle_start, review, text in driver.fetch(
            conn, *cases_sql(where, params)
        ):
            if cid in wanted:
                out[cid].cases[currency] = (
                    day(cycle_start),
                    None if review is None else day(review),
                )
                found[cid][currency] = steps_until(text, as_of) if past else text
        ended: dict[int, list[str]] = defaultdict(list)
        for cid, text in driver.fetch(conn, *ended_sql(where, params, as_of)):
            if cid in wanted:
                ended[cid].append(text)
        for cid, text in driver.fetch(conn, *manual_sql(conn, where, params, as_of)):
            if cid in wanted:
                ended[cid].append(text)
        for cid in wanted:
            if cid in out:
                apply_steps(out[cid], as_of, found.get(cid, {}), ended.get(cid, ()))
        if compensated:
            _add_compensated(conn, out, wanted, where, params, as_of)
    return [out[i] for i in ids if i in out]


def _add_compensated(
    conn: Connection,
    out: Mapping[int, CustomerData],
    wanted: set[int],
    where: str,
    params: list[Any],
    as_of: date,
) -> None:
    """The invoices each case's compensation charges of its current cycle named."""
    day = driver.date_reader(conn)
    for cid, currency, cycle, numbers in driver.fetch(
        conn,
        "SELECT customer_id, currency, cycle_start, invoices FROM actions "
        f"WHERE {where} AND kind = 'fee' AND stage LIKE ? AND run_on <= ?",
        [*params, f"%{COMPENSATION_SUFFIX}", as_of],
    ):
        data = out.get(cid)
        if cid not in wanted or data is None:
            continue
        start = data.cases.get(currency, (None, None))[0]
        if start is not None and day(cycle) == start:
            data.compensated.setdefault(currency, set()).update(json.loads(numbers))


ENDED_DAYS = 100
"""How far back the contacts of ended cycles are read: further than any plan's minimum
gap (90 days at most) or weekly cap can reach (`collection.contact_window`)."""


def cases_sql(where: str, params: list[Any]) -> tuple[str, list[Any]]:
    """The customers' cases (customer id, currency, cycle start, next review, steps)."""
    return (
        "SELECT customer_id, currency, cycle_start, next_review_on, steps FROM cases "
        f"WHERE {where}",
        params,
    )


def ended_sql(where: str, params: list[Any], as_of: date) -> tuple[str, list[Any]]:
    """The steps of the cycles that ended lately (customer id, steps), for their
    contacts."""
    return (
        f"SELECT customer_id, steps FROM ended_cycles WHERE {where} AND ended_on >= ?",
        [*params, as_of - timedelta(days=ENDED_DAYS)],
    )


def manual_sql(
    conn: Connection, where: str, params: list[Any], as_of: date
) -> tuple[str, list[Any]]:
    """The contacts made by hand up to `as_of` (customer id, a step of them: they count
    against the same gap and weekly cap), oldest first."""
    day = "day" if conn.dialect.name == "sqlite" else "to_char(day, 'YYYY-MM-DD')"
    glue = "char(31)" if conn.dialect.name == "sqlite" else "chr(31)"
    channel = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in MANUAL_CHANNEL.items())
    return (
        f"SELECT customer_id, {day} || {glue} || CASE kind {channel} END || {glue} "
        f"|| 'by hand' || {glue} || '0' FROM manual_contacts WHERE {where} "
        f"AND kind IN ({driver.marks(len(MANUAL_CHANNEL))}) AND day <= ? "
        "ORDER BY customer_id, day, id",
        [*params, *MANUAL_CHANNEL, as_of],
    )


def apply_steps(
    data: CustomerData, as_of: date, current: Mapping[str, str], others: Iterable[str]
) -> None:
    """What the planner needs of the actions: from each case's steps (`current`:
    currency -> the steps of its cycle) what was done in the cycle, recorded and charged
    as interest; from those and the `others` (ended cycles, contacts by hand) the
    contacts up to `as_of`. The case work's notices answer the customer: they are not
    contacts."""
    contacts = data.contacts
    for currency, text in current.items():
        if not text:
            continue
        done, recorded = data.done[currency], data.recorded
        for on, kind, stage, minor in steps.read(text):
            done.append((stage, on))
            recorded.add((currency, stage, kind))
            if kind == "interest":
                data.interest_charged[currency] = data.interest_charged.get(currency, 0) + minor
            if kind in CONTACT_KINDS and on <= as_of and not stage.startswith("notice:"):
                contacts.append((on, kind))
    for text in others:
        for on, kind, stage, _minor in steps.read(text):
            if kind in CONTACT_KINDS and on <= as_of and not stage.startswith("notice:"):
                contacts.append((on, kind))


def cycles_at(conn: Connection, customer_id: int, as_of: date) -> dict[str, date]:
    """currency -> the first day of the customer's case cycle that ran on `as_of` (the
    current one, or an ended one that held that day)."""
    out: dict[str, date] = {}
    for currency, start in conn.execute(
        select(cases.c.currency, cases.c.cycle_start).where(
            cases.c.customer_id == customer_id, cases.c.cycle_start <= as_of
        )
    ):
        out[currency] = start
    for currency, start in conn.execute(
        select(ended_cycles.c.currency, ended_cycles.c.cycle_start).where(
            ended_cycles.c.customer_id == customer_id,
            ended_cycles.c.cycle_start <= as_of,
            ended_cycles.c.ended_on >= as_of,
        )
    ):
        if currency not in out or start > out[currency]:
            out[currency] = start
    return out


def queued(conn: Connection) -> list[int]:
    return [r[0] for r in driver.fetch(conn, "SELECT customer_id FROM review_queue")]


def queue_stamps(conn: Connection) -> dict[int, int]:
    """The queued customers with their stamps, read before a run looks at them."""
    found = driver.fetch(conn, "SELECT customer_id, stamp FROM review_queue")
    return {int(cid): int(stamp) for cid, stamp in found}


def dequeue(conn: Connection, ids: Iterable[int], stamps: Mapping[int, int]) -> None:
    """Take these customers off the queue, each only if still queued with the stamp in
    `stamps` (read before the run looked at them); those not in `stamps` were not
    queued then and stay as they are."""
    driver.execute_many(
        conn,
        "DELETE FROM review_queue WHERE customer_id = ? AND stamp = ?",
        [(i, stamps[i]) for i in ids if i in stamps],
    )


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


ACTION_KEY = ("customer_id", "currency", "cycle_start", "stage", "kind")


ACTION_COLUMNS = (
    "customer_id", "currency", "cycle_start", "run_on", "kind", "stage", "invoices",
    "amount_minor", "template", "reason", "policy_version", "data",
)  # fmt: skip  # "data": a case-work notice's figures (None for the run's own actions)


def _invoices_json(numbers: Sequence[str] | str) -> str:
    """The invoice numbers as a JSON list (text already in that form is kept)."""
    return numbers if isinstance(numbers, str) else json.dumps(list(numbers))


def record_actions(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[int | None]:
    """Record many actions at once; each one's id, or None where the same action (same
    customer, currency, cycle, stage and kind) was already recorded (by an earlier run,
    or by another run at the same time). The steps of the case whose cycle an action
    belongs to (`cases.steps`) take it on; an action for a cycle without a case (a
    notice before the first run looked at the account) is kept in the actions only."""
    values = [
        tuple(_invoices_json(r[c]) if c == "invoices" else r.get(c) for c in ACTION_COLUMNS)
        for r in rows
    ]
    ids = record_action_rows(conn, values)
    added: dict[tuple[int, str, date], list[str]] = defaultdict(list)
    for row, action_id in zip(rows, ids, strict=True):
        if action_id is not None:
            added[(row["customer_id"], row["currency"], row["cycle_start"])].append(
                steps.step(row["run_on"], row["kind"], row["stage"], row["amount_minor"])
            )
    add_steps(conn, [(*key, steps.join(*items)) for key, items in added.items()])
    return ids


def add_steps(conn: Connection, added: Sequence[tuple[int, str, date, str]]) -> None:
    """Steps for the cases (customer, currency, cycle start) to take on, after theirs."""
    sep = "char(30)" if conn.dialect.name == "sqlite" else "chr(30)"
    driver.execute_many(
        conn,
        f"UPDATE cases SET steps = CASE WHEN steps = '' THEN ? ELSE steps || {sep} || ? END "
        "WHERE customer_id = ? AND currency = ? AND cycle_start = ?",
        [(text, text, cid, currency, start) for cid, currency, start, text in added],
    )


_KEY_AT = tuple(ACTION_COLUMNS.index(c) for c in ACTION_KEY)


def record_action_rows(conn: Connection, values: Sequence[tuple[Any, ...]]) -> list[int | None]:
    """`record_actions` for rows given as tuples in `ACTION_COLUMNS` order (the invoices
    as JSON text), without the steps: each one's id, or None where it was there."""
    if not values:
        return []
    keys = [tuple(v[i] for i in _KEY_AT) for v in values]
    if conn.dialect.name != "sqlite":
        # only the rows this statement inserted come back
        mine: dict[tuple[Any, ...], int] = {}
        columns = ", ".join(ACTION_COLUMNS)
        for start in range(0, len(values), 500):
            part = values[start : start + 500]
            one = f"({driver.marks(len(ACTION_COLUMNS))})"
            for found_id, *key in driver.fetch(
                conn,
                f"INSERT INTO actions ({columns}) VALUES {', '.join([one] * len(part))} "
                f"ON CONFLICT DO NOTHING RETURNING id, {', '.join(ACTION_KEY)}",
                [v for row in part for v in row],
            ):
                mine[tuple(key)] = found_id
        return [mine.get(k) for k in keys]
    # a SQLite writer holds the write lock from its first statement (BEGIN IMMEDIATE):
    # nobody else adds actions meanwhile, so the ids can be handed out here; when the
    # insert changed fewer rows than it was given, some were there already: those rows
    # are found under another id and get None
    top = driver.fetch(conn, "SELECT coalesce(max(id), 0) FROM actions")[0][0]
    ids = list(range(top + 1, top + 1 + len(values)))
    added = driver.insert_many(
        conn,
        f"INSERT INTO actions (id, {', '.join(ACTION_COLUMNS)})",
        len(ACTION_COLUMNS) + 1,
        [(i, *v) for i, v in zip(ids, values, strict=True)],
        "ON CONFLICT DO NOTHING",
    )
    if added == len(values):
        return list(ids)
    day = driver.date_reader(conn)
    found: dict[tuple[Any, ...], int] = {}
    for _chunk, where, params in driver.id_ranges(sorted({v[0] for v in values}), 2000):
        for row in driver.fetch(
            conn, f"SELECT id, {', '.join(ACTION_KEY)} FROM actions WHERE {where}", params
        ):
            found[(row[1], row[2], day(row[3]), row[4], row[5])] = row[0]
    return [i if found.get(k) == i else None for i, k in zip(ids, keys, strict=True)]


def add_many_to_outbox(
    conn: Connection, items: Sequence[tuple[int, str, str | None]], created_on: date
) -> None:
    """Outbox entries (action id, channel, template), each once."""
    driver.insert_many(
        conn,
        "INSERT INTO outbox (action_id, channel, template, state, created_on)",
        5,
        [(a, ch, t, "pending", created_on) for a, ch, t in items],
        "ON CONFLICT DO NOTHING",
    )


def save_cases(
    conn: Connection,
    upserts: Sequence[tuple[int, str, date, date | None, str]],
    deletes: Sequence[tuple[int, str]],
    on: date,
) -> None:
    """Write many cases' states: (customer, currency, cycle start, next review, steps
    to add) rows, and the (customer, currency) cases that ended `on`, whose steps go to
    `ended_cycles`. (A case whose cycle start changed would start its steps afresh; the
    run never changes one: a cycle ends, and a new case begins.)"""
    sep = "char(30)" if conn.dialect.name == "sqlite" else "chr(30)"
    driver.insert_many(
        conn,
        "INSERT INTO cases (customer_id, currency, cycle_start, next_review_on, steps)",
        5,
        upserts,
        "ON CONFLICT (customer_id, currency) DO UPDATE SET steps = CASE "
        "WHEN cases.cycle_start <> excluded.cycle_start OR cases.steps = '' "
        "THEN excluded.steps WHEN excluded.steps = '' THEN cases.steps "
        f"ELSE cases.steps || {sep} || excluded.steps END, "
        "cycle_start = excluded.cycle_start, next_review_on = excluded.next_review_on",
    )
    if not deletes:
        return
    driver.execute_many(
        conn,
        "INSERT INTO ended_cycles (customer_id, currency, cycle_start, ended_on, steps) "
        "SELECT customer_id, currency, cycle_start, ?, steps FROM cases "
        "WHERE customer_id = ? AND currency = ? AND steps <> '' "
        "ON CONFLICT (customer_id, currency, cycle_start) DO UPDATE SET "
        f"ended_on = excluded.ended_on, steps = ended_cycles.steps || {sep} || excluded.steps",
        [(on, cid, currency) for cid, currency in deletes],
    )
    driver.execute_many(conn, "DELETE FROM cases WHERE customer_id = ? AND currency = ?", deletes)


def forget_ended(conn: Connection, before: date) -> None:
    """Ended cycles whose contacts no plan can count any more (`ENDED_DAYS`)."""
    driver.execute(conn, "DELETE FROM ended_cycles WHERE ended_on < ?", [before])


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


def forget_step(
    conn: Connection,
    customer_id: int,
    currency: str,
    cycle_start: date,
    day: date,
    kind: str,
    stage: str,
) -> None:
    """Take a withdrawn action out of its cycle's steps (the case's, or the ended
    cycle's), so the planner sees the stage as not done and the contact as not made."""
    for table in (cases, ended_cycles):
        where = (
            (table.c.customer_id == customer_id)
            & (table.c.currency == currency)
            & (table.c.cycle_start == cycle_start)
        )
        found = conn.execute(select(table.c.steps).where(where)).scalar()
        if found:
            conn.execute(
                update(table).where(where).values(steps=steps.without(found, day, kind, stage))
            )
