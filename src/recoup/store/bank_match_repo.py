"""What the matching reads and writes (`tables_bank_matching`): the open invoices as
columns, customers' names, learned accounts, a line's candidates and its history."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from recoup.store.tables import customers, invoices
from recoup.store.tables_bank import bank_lines, bank_statements
from recoup.store.tables_bank_matching import bank_candidates, bank_line_log, bank_payers
from recoup.store.tables_casework import placements


def _driver_rows(conn: Connection, q: Any) -> Sequence[Any]:
    """The driver's own rows: no SQLAlchemy row or type processing for a million of them
    (SQLite gives dates as ISO text; the matcher reads either)."""
    result = conn.execute(q)
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    return rows


def open_invoice_columns(
    conn: Connection, currencies: Iterable[str], keys: dict[int, str]
) -> tuple[list[Any], ...]:
    """The open invoices in these currencies, as columns: number, customer key, open
    minor units, currency, due date (a date, or its ISO text), payment reference (else
    the invoice's reference). `keys` gives each customer id's key (`customer_names`): a
    join to the customers for every one of a million invoices costs twice the read."""
    q = select(
        invoices.c.number,
        invoices.c.customer_id,
        invoices.c.amount_minor - invoices.c.paid_minor,
        invoices.c.currency,
        invoices.c.due_date,
        func.coalesce(invoices.c.payment_reference, invoices.c.reference, ""),
    ).where(
        invoices.c.kind == "invoice",
        invoices.c.status.in_(("open", "partial")),
        invoices.c.currency.in_(sorted(set(currencies))),
    )
    rows = _driver_rows(conn, q)
    if not rows:
        return ([], [], [], [], [], [])
    numbers, ids, open_minor, currency, due, refs = (
        list(map(itemgetter(k), rows))
        for k in range(6)  # a third of zip(*rows)'s time
    )
    return numbers, list(map(keys.__getitem__, ids)), open_minor, currency, due, refs


def customer_names(conn: Connection) -> tuple[dict[str, str], dict[int, str]]:
    """Every customer's name by key, and their keys by id."""
    rows = _driver_rows(conn, select(customers.c.id, customers.c.key, customers.c.name))
    return {str(k): str(n) for _, k, n in rows}, {int(i): str(k) for i, k, _ in rows}


def customer_ids(conn: Connection, keys: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    q = select(customers.c.key, customers.c.id).where(customers.c.key.in_(wanted))
    return {k: int(i) for k, i in conn.execute(q)}


def known_ibans(conn: Connection, keys: dict[int, str]) -> dict[str, list[str]]:
    """The accounts learned for each customer (by key; `keys` by id as above)."""
    out: dict[str, list[str]] = {}
    for cid, iban in _driver_rows(conn, select(bank_payers.c.customer_id, bank_payers.c.iban)):
        out.setdefault(keys[cid], []).append(iban)
    return out


def learn_iban(conn: Connection, customer_id: int, iban: str, line_id: int, at: datetime) -> bool:
    """Remember that `customer_id` pays from `iban`; False when it was known."""
    q = select(bank_payers.c.id).where(
        bank_payers.c.customer_id == customer_id, bank_payers.c.iban == iban
    )
    if conn.execute(q).first() is not None:
        return False
    conn.execute(
        bank_payers.insert().values(
            customer_id=customer_id, iban=iban, line_id=line_id, learned_at=at
        )
    )
    return True


def placed(conn: Connection, customer_ids: Iterable[int]) -> set[int]:
    """Which of these customers are placed with an agency now."""
    wanted = sorted(set(customer_ids))
    if not wanted:
        return set()
    q = select(placements.c.customer_id).where(
        placements.c.customer_id.in_(wanted), placements.c.status == "placed"
    )
    return {int(r[0]) for r in conn.execute(q)}


def invoice_rows(conn: Connection, numbers: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Invoices by number: id, customer id and key, currency, open minor units, status."""
    if not numbers:
        return {}
    q = (
        select(
            invoices.c.number,
            invoices.c.id,
            invoices.c.customer_id,
            customers.c.key.label("customer"),
            invoices.c.currency,
            (invoices.c.amount_minor - invoices.c.paid_minor).label("open_minor"),
            invoices.c.kind,
            invoices.c.due_date,
        )
        .join(customers, customers.c.id == invoices.c.customer_id)
        .where(invoices.c.number.in_(sorted(set(numbers))))
    )
    return {r["number"]: dict(r) for r in conn.execute(q).mappings()}


# -- candidates and a line's history ---------------------------------------------------


def add_candidates(conn: Connection, items: Sequence[tuple[int, Sequence[dict[str, Any]]]]) -> None:
    """The candidates of new lines (none stored yet), best first, in one statement."""
    rows = [
        {
            "line_id": line_id,
            "rank": rank,
            "customer_id": row["customer_id"],
            "invoices": json.dumps(row["invoices"]),
            "amounts": json.dumps(row["amounts"]),
            "evidence": json.dumps(row["evidence"]),
            "confident": row["confident"],
        }
        for line_id, found in items
        for rank, row in enumerate(found)
    ]
    if rows:
        conn.execute(bank_candidates.insert(), rows)


def set_states(conn: Connection, line_ids: Sequence[int], state: str, at: datetime) -> None:
    for start in range(0, len(line_ids), 500):
        chunk = list(line_ids[start : start + 500])
        conn.execute(
            update(bank_lines).where(bank_lines.c.id.in_(chunk)).values(state=state, state_at=at)
        )


def logs(conn: Connection, at: datetime, actor: str, items: Sequence[tuple[int, str, str]]) -> None:
    """Entries of several lines' histories (line id, action, text), in one statement."""
    if items:
        conn.execute(
            bank_line_log.insert(),
            [
                {"line_id": i, "at": at, "actor": actor[:64], "action": a, "text": t}
                for i, a, t in items
            ],
        )


def candidates(conn: Connection, line_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """The candidates of these lines, best first, with the customer's key and name."""
    if not line_ids:
        return {}
    q = (
        select(bank_candidates, customers.c.key.label("customer"), customers.c.name)
        .join(customers, customers.c.id == bank_candidates.c.customer_id)
        .where(bank_candidates.c.line_id.in_(sorted(set(line_ids))))
        .order_by(bank_candidates.c.line_id, bank_candidates.c.rank)
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for r in conn.execute(q).mappings():
        row = dict(r)
        for name in ("invoices", "amounts", "evidence"):
            row[name] = json.loads(row[name])
        out.setdefault(int(row["line_id"]), []).append(row)
    return out


def log(conn: Connection, line_id: int, at: datetime, actor: str, action: str, text: str) -> None:
    conn.execute(
        bank_line_log.insert().values(
            line_id=line_id, at=at, actor=actor[:64], action=action, text=text
        )
    )


def history(conn: Connection, line_id: int) -> list[dict[str, Any]]:
    q = select(bank_line_log).where(bank_line_log.c.line_id == line_id).order_by(bank_line_log.c.id)
    return [dict(r) for r in conn.execute(q).mappings()]


def waiting(conn: Connection, limit: int | None = None) -> list[dict[str, Any]]:
    """Credit lines waiting for a person ('suggested' or 'unmatched'), oldest first."""
    q = (
        select(bank_lines, bank_statements.c.file_name)
        .join(bank_statements, bank_statements.c.id == bank_lines.c.statement_id)
        .where(bank_lines.c.state.in_(("suggested", "unmatched")))
        .order_by(bank_lines.c.booking_date, bank_lines.c.id)
    )
    if limit is not None:
        q = q.limit(limit)
    return [dict(r) for r in conn.execute(q).mappings()]


def states(conn: Connection) -> dict[str, int]:
    q = select(bank_lines.c.state, func.count()).group_by(bank_lines.c.state)
    return {s: int(n) for s, n in conn.execute(q)}


def line_day(row: dict[str, Any]) -> date | None:
    day = row.get("booking_date") or row.get("value_date")
    return day if isinstance(day, date) else None
