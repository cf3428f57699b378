"""Assignment rules and each customer's collector (`tables_assignments`).

An *account* here is a customer with something open (an open invoice): what the rules
look at and what the assignment page lists. Balances are the open amounts as the book
holds them now (every recorded payment counted), per currency, in minor units.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from recoup.store.tables import customers, invoices, users
from recoup.store.tables_assignments import assignment_rules, assignments

IN_CHUNK = 500  # ids per IN (...) list


# --- rules ----------------------------------------------------------------------------


def rules(conn: Connection) -> list[dict[str, Any]]:
    """Every rule with its collector's username, role and state, in the order tried."""
    q = (
        select(
            assignment_rules,
            users.c.username,
            users.c.role,
            users.c.disabled_at,
        )
        .join(users, users.c.id == assignment_rules.c.user_id)
        .order_by(assignment_rules.c.position, assignment_rules.c.id)
    )
    return [dict(r) for r in conn.execute(q).mappings()]


def rule_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(assignment_rules)).scalar_one())


def add_rule(conn: Connection, position: int, values: dict[str, Any]) -> int:
    """Insert a rule at `position` (1 first); those at or after it move down one."""
    conn.execute(
        update(assignment_rules)
        .where(assignment_rules.c.position >= position)
        .values(position=assignment_rules.c.position + 1)
    )
    result = conn.execute(assignment_rules.insert().values(position=position, **values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def remove_rule(conn: Connection, rule_id: int) -> bool:
    """Remove a rule; those after it move up one. Whether it was there."""
    position = conn.execute(
        select(assignment_rules.c.position).where(assignment_rules.c.id == rule_id)
    ).scalar_one_or_none()
    if position is None:
        return False
    conn.execute(delete(assignment_rules).where(assignment_rules.c.id == rule_id))
    conn.execute(
        update(assignment_rules)
        .where(assignment_rules.c.position > position)
        .values(position=assignment_rules.c.position - 1)
    )
    return True


def move_rule(conn: Connection, rule_id: int, to: int) -> bool:
    """Put a rule at position `to` (clamped to the list), the others closing up."""
    count = rule_count(conn)
    position = conn.execute(
        select(assignment_rules.c.position).where(assignment_rules.c.id == rule_id)
    ).scalar_one_or_none()
    if position is None:
        return False
    to = max(1, min(to, count))
    if to == position:
        return True
    if to < position:
        between = and_(assignment_rules.c.position >= to, assignment_rules.c.position < position)
        shift = assignment_rules.c.position + 1
    else:
        between = and_(assignment_rules.c.position > position, assignment_rules.c.position <= to)
        shift = assignment_rules.c.position - 1
    conn.execute(update(assignment_rules).where(between).values(position=shift))
    conn.execute(
        update(assignment_rules).where(assignment_rules.c.id == rule_id).values(position=to)
    )
    return True


# --- accounts -------------------------------------------------------------------------

_OPEN = and_(invoices.c.settled_on.is_(None), invoices.c.kind == "invoice")


def _has_open() -> ColumnElement[bool]:
    return exists().where(invoices.c.customer_id == customers.c.id, _OPEN)


def balances(conn: Connection, ids: Sequence[int] | None = None) -> dict[int, dict[str, int]]:
    """The open balance per currency of each customer with something open (of `ids`
    only, when given)."""
    out: dict[int, dict[str, int]] = {}
    chunks: Iterable[Sequence[int] | None] = (
        [None] if ids is None else [ids[i : i + IN_CHUNK] for i in range(0, len(ids), IN_CHUNK)]
    )
    for chunk in chunks:
        q = (
            select(
                invoices.c.customer_id,
                invoices.c.currency,
                func.sum(invoices.c.amount_minor - invoices.c.paid_minor),
            )
            .where(_OPEN)
            .group_by(invoices.c.customer_id, invoices.c.currency)
        )
        if chunk is not None:
            q = q.where(invoices.c.customer_id.in_(chunk))
        for cid, cur, minor in conn.execute(q):
            if minor and int(minor) > 0:
                out.setdefault(int(cid), {})[str(cur)] = int(minor)
    return out


def accounts(
    conn: Connection, *, unassigned_only: bool = False, ids: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """Every customer with something open: id, key, tags, country, and its assignment
    (`user_id`, `how`, `rule_id`; None when unassigned). With `unassigned_only`, those
    without an assignment; with `ids`, those of them."""
    q = (
        select(
            customers.c.id,
            customers.c.key,
            customers.c.tags,
            customers.c.country,
            assignments.c.user_id,
            assignments.c.how,
            assignments.c.rule_id,
        )
        .select_from(customers.outerjoin(assignments, assignments.c.customer_id == customers.c.id))
        .where(_has_open())
        .order_by(customers.c.id)
    )
    if unassigned_only:
        q = q.where(assignments.c.customer_id.is_(None))
    if ids is None:
        return [dict(r) for r in conn.execute(q).mappings()]
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        out.extend(dict(r) for r in conn.execute(q.where(customers.c.id.in_(chunk))).mappings())
    return out


def _page_filter(collector: int | None, unassigned: bool, q: str) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [_has_open()]
    if collector is not None and unassigned:
        where.append(or_(assignments.c.user_id == collector, assignments.c.user_id.is_(None)))
    elif collector is not None:
        where.append(assignments.c.user_id == collector)
    elif unassigned:
        where.append(assignments.c.user_id.is_(None))
    if q:  # a part of the key or the name, any case; % and _ are themselves
        text = q.lower()
        where.append(
            or_(
                func.lower(customers.c.key).contains(text, autoescape=True),
                func.lower(customers.c.name).contains(text, autoescape=True),
            )
        )
    return where


def account_page(
    conn: Connection,
    *,
    collector: int | None,
    unassigned: bool,
    q: str,
    offset: int,
    limit: int,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the accounts (by customer key) with their collector, and how many
    there are in all."""
    joined = customers.outerjoin(assignments, assignments.c.customer_id == customers.c.id)
    where = _page_filter(collector, unassigned, q)
    total = conn.execute(select(func.count()).select_from(joined).where(*where)).scalar_one()
    page = (
        select(
            customers.c.id,
            customers.c.key,
            customers.c.name,
            customers.c.tags,
            customers.c.country,
            users.c.username,
            assignments.c.how,
            assignments.c.rule_id,
        )
        .select_from(joined.outerjoin(users, users.c.id == assignments.c.user_id))
        .where(*where)
        .order_by(customers.c.key)
        .offset(offset)
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(page).mappings()], int(total)


# --- assignments ----------------------------------------------------------------------


def assignment_of(conn: Connection, customer_id: int) -> dict[str, Any] | None:
    q = (
        select(assignments, users.c.username)
        .join(users, users.c.id == assignments.c.user_id)
        .where(assignments.c.customer_id == customer_id)
    )
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def assign(
    conn: Connection,
    customer_id: int,
    user_id: int,
    how: str,
    rule_id: int | None,
    by: str,
    at: datetime,
) -> None:
    values = {"user_id": user_id, "how": how, "rule_id": rule_id, "assigned_by": by}
    changed = conn.execute(
        update(assignments)
        .where(assignments.c.customer_id == customer_id)
        .values(assigned_at=at, **values)
    ).rowcount
    if not changed:
        conn.execute(assignments.insert().values(customer_id=customer_id, assigned_at=at, **values))


def assign_many(conn: Connection, rows: Sequence[dict[str, Any]], at: datetime) -> None:
    """Insert or replace the assignments of `rows` (customer_id, user_id, how, rule_id,
    assigned_by)."""
    ids = [r["customer_id"] for r in rows]
    unassign(conn, ids)
    if rows:
        conn.execute(assignments.insert(), [{**r, "assigned_at": at} for r in rows])


def unassign(conn: Connection, customer_ids: Sequence[int]) -> None:
    for start in range(0, len(customer_ids), IN_CHUNK):
        chunk = customer_ids[start : start + IN_CHUNK]
        conn.execute(delete(assignments).where(assignments.c.customer_id.in_(chunk)))


def collectors_by_key(conn: Connection, keys: Iterable[str] | None = None) -> dict[str, str]:
    """customer key -> the username of its collector, for the assigned customers (of
    `keys` only, when given)."""
    q = select(customers.c.key, users.c.username).select_from(
        assignments.join(customers, customers.c.id == assignments.c.customer_id).join(
            users, users.c.id == assignments.c.user_id
        )
    )
    if keys is None:
        return {str(k): str(u) for k, u in conn.execute(q)}
    wanted = sorted(set(keys))
    if len(wanted) > IN_CHUNK:
        # many keys (an aged book's worklist asks for 66,000): when fewer customers are
        # assigned than asked for, reading every assignment is the shorter way (none at
        # all, as in a book without collectors: one probe)
        assigned = conn.execute(select(func.count()).select_from(assignments)).scalar_one()
        if assigned <= len(wanted):
            asked = set(wanted)
            return {str(k): str(u) for k, u in conn.execute(q) if k in asked}
    out: dict[str, str] = {}
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = wanted[start : start + IN_CHUNK]
        out.update({str(k): str(u) for k, u in conn.execute(q.where(customers.c.key.in_(chunk)))})
    return out


def counts_by_user(conn: Connection) -> dict[str, dict[str, int]]:
    """username -> {"rule": N, "hand": N}: how many customers each user was given, and
    how."""
    q = (
        select(users.c.username, assignments.c.how, func.count())
        .join(users, users.c.id == assignments.c.user_id)
        .group_by(users.c.username, assignments.c.how)
    )
    out: dict[str, dict[str, int]] = {}
    for name, how, n in conn.execute(q):
        out.setdefault(str(name), {"rule": 0, "hand": 0})[str(how)] = int(n)
    return out


def counts_by_rule(conn: Connection) -> dict[int, int]:
    """rule id -> how many customers it assigned (and still holds)."""
    q = (
        select(assignments.c.rule_id, func.count())
        .where(assignments.c.how == "rule", assignments.c.rule_id.is_not(None))
        .group_by(assignments.c.rule_id)
    )
    return {int(r): int(n) for r, n in conn.execute(q)}


def customer_id(conn: Connection, key: str) -> int | None:
    found = conn.execute(select(customers.c.id).where(customers.c.key == key)).scalar_one_or_none()
    return None if found is None else int(found)


def users_by_name(conn: Connection) -> dict[str, dict[str, Any]]:
    q = select(users.c.id, users.c.username, users.c.role, users.c.disabled_at)
    return {str(r["username"]): dict(r) for r in conn.execute(q).mappings()}
