"""The daily run's first, cheap read of a batch of customers: a sketch of each.

Deciding that a case gets nothing today needs far less than planning its actions: the
case's open invoices counted and added up, its oldest due date, what the current cycle
has done and when, the days the customer was contacted. The database puts most of that
together (a row per customer and currency, the cycle's steps and the contacts as text),
so the run reads about one row per case instead of one per action, and the texts serve
as they come as parts of a case's situation (`recoup.domain.shared_plans`). Only when a
situation is met for the first time is a sketch turned into the planner's input
(`Sketch.data`): what `run_repo.load(..., summarize=True)` gives, but for the
summaries' details (`OpenSummary.detailed`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from recoup.domain.collection import OpenSummary
from recoup.store import driver
from recoup.store.run_repo import CONTACT_KINDS, MANUAL_CHANNEL, CustomerData

PART = "\x1f"  # between a step's name and day, or a contact's day and kind
ITEM = "\x1e"  # between two steps or two contacts


@dataclass(slots=True)
class Sketch:
    """One customer as the run's first read sees it. Dates are as the driver gives them
    (ISO text from SQLite, `date` from PostgreSQL) until `data` reads them."""

    id: int
    key: str
    country: str
    timezone: str
    tags: str  # as stored: comma-separated
    # currency -> (count, balance, oldest due date) of the open invoices
    open: dict[str, tuple[int, int, Any]] = field(default_factory=dict)
    cases: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # cycle start, review
    # currency -> the current cycle's steps: "stage PART day PART kind" joined by ITEM
    steps: dict[str, str] = field(default_factory=dict)
    # the contacts made by the run ("day PART kind" joined by ITEM), per currency, and by
    # hand (`MANUAL_CHANNEL`'s words)
    contacts: dict[str, str] = field(default_factory=dict)
    manual: str = ""

    def contact_text(self) -> str:
        """Every contact, as one text (the same contacts give the same text)."""
        if not self.manual and len(self.contacts) < 2:
            return next(iter(self.contacts.values()), "")
        parts = [self.contacts[c] for c in sorted(self.contacts) if self.contacts[c]]
        return ITEM.join([*parts, self.manual] if self.manual else parts)

    def data(self, day: Any) -> CustomerData:
        """The planner's input for this customer as `run_repo.load(..., summarize=True)`
        reads it, with summaries that lack their details (`OpenSummary.detailed`) and
        no name; `day` turns the driver's dates into dates (`driver.date_reader`)."""
        tags = tuple(t for t in self.tags.split(",") if t)
        out = CustomerData(
            self.id, self.key, "", self.country, self.timezone, tags, [], [], {}, defaultdict(list)
        )
        for currency, (count, balance, oldest) in self.open.items():
            out.summaries[currency] = OpenSummary(count, balance, 0, day(oldest), "", "", False)
        for currency, (start, review) in self.cases.items():
            out.cases[currency] = (day(start), None if review is None else day(review))
        for currency, text in self.steps.items():
            for item in text.split(ITEM) if text else ():
                stage, on, kind = item.split(PART)
                out.done[currency].append((stage, date.fromisoformat(on)))
                out.recorded.add((currency, stage, kind))
        for text in self.contact_text().split(ITEM):
            if text:
                on, kind = text.split(PART)
                # a contact by hand in the planner's word (a visit counts as a call)
                out.contacts.append((date.fromisoformat(on), MANUAL_CHANNEL.get(kind, kind)))
        return out


def _text_of(conn: Connection, column: str) -> str:
    """A date column as ISO text (SQLite keeps it so)."""
    return column if conn.dialect.name == "sqlite" else f"to_char({column}, 'YYYY-MM-DD')"


def _joined(conn: Connection, expression: str, separator: str, order: str) -> str:
    if conn.dialect.name == "sqlite":
        # rows are joined in the order the grouping reads them: by the unique index on
        # (customer, currency, cycle start, stage, kind), the same order for the same rows
        return f"group_concat({expression}, char({ord(separator)}))"
    return f"string_agg({expression}, chr({ord(separator)}) ORDER BY {order})"


def sketches(conn: Connection, ids: Sequence[int], as_of: date) -> list[Sketch]:
    """A sketch of each of these customers (in their order), as of `as_of`."""
    out: dict[int, Sketch] = {}
    day = _text_of(conn, "a.run_on")
    order = "a.cycle_start, a.stage, a.kind"
    contact = (
        f"CASE WHEN a.kind IN ({', '.join(repr(k) for k in sorted(CONTACT_KINDS))}) "
        f"AND a.run_on <= ? AND substr(a.stage, 1, 7) <> 'notice:' "
        f"THEN {day} || char(31) || a.kind END"
    )
    step = (
        f"CASE WHEN a.cycle_start = c.cycle_start "
        f"THEN a.stage || char(31) || {day} || char(31) || a.kind END"
    )
    glue = "char(31)" if conn.dialect.name == "sqlite" else "chr(31)"
    contact, step = contact.replace("char(31)", glue), step.replace("char(31)", glue)
    for chunk, where, params in driver.id_ranges(sorted(set(ids)), 2000):
        wanted = set(chunk)
        for cid, key, country, tz, tags in driver.fetch(
            conn,
            "SELECT id, key, country, timezone, tags FROM customers WHERE "
            + where.replace("customer_id", "id"),
            params,
        ):
            if cid in wanted:
                out[cid] = Sketch(cid, key, country, tz, tags)
        for cid, currency, count, balance, oldest in driver.fetch(
            conn,
            "SELECT customer_id, currency, count(*), sum(amount_minor - paid_minor), "
            f"min(due_date) FROM invoices WHERE {where} AND kind = 'invoice' "
            "AND settled_on IS NULL AND issue_date <= ? AND amount_minor > paid_minor "
            "GROUP BY customer_id, currency",
            [*params, as_of],
        ):
            if cid in wanted:
                out[cid].open[currency] = (int(count), int(balance), oldest)
        for cid, currency, start, review in driver.fetch(
            conn,
            f"SELECT customer_id, currency, cycle_start, next_review_on FROM cases WHERE {where}",
            params,
        ):
            if cid in wanted:
                out[cid].cases[currency] = (start, review)
        for cid, currency, contacts, steps in driver.fetch(
            conn,
            f"SELECT a.customer_id, a.currency, {_joined(conn, contact, ITEM, order)}, "
            f"{_joined(conn, step, ITEM, order)} FROM actions a LEFT JOIN cases c "
            "ON c.customer_id = a.customer_id AND c.currency = a.currency "
            f"WHERE a.{where} GROUP BY a.customer_id, a.currency",
            [as_of, *params],
        ):
            if cid in wanted:
                sketch = out[cid]
                if contacts:
                    sketch.contacts[currency] = contacts
                if steps:
                    sketch.steps[currency] = steps
        for cid, text in driver.fetch(
            conn,
            f"SELECT customer_id, {_text_of(conn, 'day')} || {glue} || kind "
            f"FROM manual_contacts WHERE {where} AND kind IN "
            f"({driver.marks(len(MANUAL_CHANNEL))}) AND day <= ? ORDER BY customer_id, id",
            [*params, *MANUAL_CHANNEL, as_of],
        ):
            if cid in wanted:
                sketch = out[cid]
                sketch.manual = f"{sketch.manual}{ITEM}{text}" if sketch.manual else text
    return [out[i] for i in ids if i in out]
