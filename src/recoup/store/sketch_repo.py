"""The daily run's first, cheap read of a batch of customers: a sketch of each.

Deciding that a case gets nothing today needs far less than planning its actions: the
case's open invoices counted and added up, its oldest due date, what the current cycle
has done and when (`cases.steps`, see `recoup.store.steps`), the days the customer was
contacted. The run reads about one row per case and makes the planning rule's facts
of it (`recoup.services.run.sketch_facts`, which reads each distinct text once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from recoup.domain.local_calendar import holiday_code
from recoup.store import driver, steps
from recoup.store.point_in_time import invoices_source, steps_until
from recoup.store.run_repo import cases_sql, ended_sql, manual_sql


@dataclass(slots=True)
class Sketch:
    """One customer as the run's first read sees it. Dates are as the driver gives them
    (ISO text from SQLite, `date` from PostgreSQL) until `data` reads them."""

    id: int
    key: str
    country: str  # with the region, as the holiday calendar takes it ("GB-SCT", "US")
    timezone: str
    tags: str  # as stored: comma-separated
    # currency -> (count, balance, overdue part (0 unless asked for), oldest due date) of
    # the open invoices
    open: dict[str, tuple[int, int, int, Any]] = field(default_factory=dict)
    cases: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # cycle start, review
    steps: dict[str, str] = field(default_factory=dict)  # currency -> its cycle's steps
    others: list[str] = field(default_factory=list)  # ended cycles' steps, contacts by hand

    def contact_text(self) -> str:
        """Every step that may be a contact, as one text (the same steps give the same
        text): those of the cases, of cycles that ended lately and by hand."""
        if not self.others and len(self.steps) < 2:
            return next(iter(self.steps.values()), "")
        return steps.join(*(self.steps[c] for c in sorted(self.steps)), *self.others)


def sketches(
    conn: Connection, ids: Sequence[int], as_of: date, *, overdue: bool = False, past: bool = False
) -> list[Sketch]:
    """A sketch of each of these customers (in their order), as of `as_of`; with
    `overdue`, their open invoices' overdue parts are added up too. With `past` (the
    book has moved past `as_of`, see `recoup.store.point_in_time`) the invoices and the
    cycles' steps are those known on `as_of`."""
    part = "sum(CASE WHEN due_date < ? THEN amount_minor - paid_minor ELSE 0 END)"
    out: dict[int, Sketch] = {}
    for chunk, where, params in driver.id_ranges(sorted(set(ids)), 2000):
        wanted = set(chunk)
        for cid, key, country, tz, tags, region in driver.fetch(
            conn,
            "SELECT id, key, country, timezone, tags, region FROM customers WHERE "
            + where.replace("customer_id", "id"),
            params,
        ):
            if cid in wanted:
                out[cid] = Sketch(cid, key, holiday_code(country, region), tz, tags)
        for cid, currency, count, balance, due, oldest in driver.fetch(
            conn,
            "SELECT customer_id, currency, count(*), sum(amount_minor - paid_minor), "
            f"{part if overdue else '0'}, min(due_date) FROM {invoices_source(as_of, past)} "
            f"WHERE {where} "
            "AND kind = 'invoice' AND settled_on IS NULL AND issue_date <= ? "
            "AND amount_minor > paid_minor GROUP BY customer_id, currency",
            [*([as_of] if overdue else []), *params, as_of],
        ):
            if cid in wanted:
                out[cid].open[currency] = (int(count), int(balance), int(due), oldest)
        for cid, currency, start, review, text in driver.fetch(conn, *cases_sql(where, params)):
            if cid in wanted:
                sketch = out[cid]
                sketch.cases[currency] = (start, review)
                if text and past:
                    text = steps_until(text, as_of)
                if text:
                    sketch.steps[currency] = text
        for cid, text in [
            *driver.fetch(conn, *ended_sql(where, params, as_of)),
            *driver.fetch(conn, *manual_sql(conn, where, params, as_of)),
        ]:
            if cid in wanted:
                out[cid].others.append(text)
    return [out[i] for i in ids if i in out]
