"""The book as it was known on an earlier day: what the daily run's reads use when the
day they look at lies before something the book records (a replay, `--now` in the past,
`explain --as-of` last month).

An invoice's stored figures (`paid_minor`, `settled_on`) hold every payment and credit
note recorded so far, whatever its date. That is exactly the book as of a day on or
after every allocation's date, the ordinary case, and the run's reads use the stored
figures then, as fast as they are (`recoup.store.run_repo`, `recoup.store.sketch_repo`).
For an earlier day those figures come from the future, so:

- `moved_past(conn, as_of)` tells whether the book records anything dated after
  `as_of` that changes what was open or held then: a payment or credit note applied
  after it, or case work decided after it (a promise kept or broken, a plan ended, a
  dispute resolved, a placement recalled). A handful of index lookups (and scans of the
  small case-work tables).
- `invoices_at(as_of)` is a table expression, named `invoices`, that the run's reads
  put in place of the table: the invoices issued by `as_of` and not settled by then,
  each with `paid_minor` = the allocations dated on or before `as_of` (read only for an
  invoice paid partly before and partly after it) and `settled_on` NULL. Statements
  written for the table read it unchanged.
- `steps_until(text, as_of)` leaves out of a cycle's steps (`recoup.store.steps`) the
  actions recorded for later days.

An allocation is dated the later of its payment's (or credit note's) date and its
invoice's issue date (`recoup.domain.allocation`). An allocation after `as_of` to an
invoice issued by `as_of` comes from a payment or credit note dated after the day, or
from one dated by then whose money waited for a later invoice it names and, when that
invoice came, paid older ones with its rest on that later day. Either way the payment
is still not all applied (`ix_payments_unapplied`, by its date) or was all applied
after the day (`ix_payments_applied_on`), and the credit note is not all used
(`ix_invoices_credit_open`, by its date) or was used up after the day
(`ix_invoices_settled_on`); a rest left over once every invoice was paid means those
invoices were settled after the day (`ix_invoices_settled_on` again). So when
`moved_past` is false, the stored figures of every invoice issued by `as_of` are the
day's (`recoup.store.report_repo` relies on it as the run's reads do).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Connection

from recoup.store import driver
from recoup.store.steps import ITEM


def _latest(table: str, column: str) -> str:
    """Rows whose `column` is after the day, found as the latest value read from the
    end of the column's partial index (`... IS NOT NULL`). Written so because a
    PostgreSQL book that has never been analysed has no statistics: asked for `EXISTS
    (... WHERE column > ?)`, its planner guesses that a sequential scan soon finds a
    row, and reads the whole table when none is there (63 ms for 300,000 invoices, on
    every account page); the latest value is one index probe in both databases."""
    return (
        f"SELECT 1 FROM (SELECT {column} AS latest FROM {table} WHERE {column} IS NOT NULL "
        f"ORDER BY {column} DESC LIMIT 1) AS last_one WHERE latest > ?"
    )


_LATER = (
    # settled after the day: an invoice paid, or a credit note used up, later
    _latest("invoices", "settled_on"),
    # a credit note not all used, dated after the day
    "SELECT 1 FROM invoices WHERE settled_on IS NULL AND kind = 'credit_note' AND issue_date > ?",
    # a payment all applied after the day, or not all applied and dated after it
    _latest("payments", "applied_on"),
    "SELECT 1 FROM payments WHERE applied_on IS NULL AND date > ?",
    # case work decided after the day: holds in force then are over now
    "SELECT 1 FROM promises WHERE decided_on > ?",
    "SELECT 1 FROM plans WHERE decided_on > ?",
    "SELECT 1 FROM disputes WHERE resolved_on > ?",
    "SELECT 1 FROM placements WHERE recalled_on > ?",
)
_MOVED_PAST = "SELECT " + " OR ".join(f"EXISTS ({q})" for q in _LATER)


def moved_past(conn: Connection, as_of: date) -> bool:
    """Whether the book records a payment, credit note or case-work decision dated after
    `as_of` (then the stored open amounts are not those of `as_of`)."""
    return bool(driver.fetch(conn, _MOVED_PAST, [as_of] * len(_LATER))[0][0])


def settled_after(conn: Connection, as_of: date) -> bool:
    """Whether an invoice or a credit note was settled after `as_of` (one index probe):
    when none was, a report leaves out its reading of those settled later."""
    return bool(driver.fetch(conn, _latest("invoices", "settled_on"), [as_of]))


def applied_after(conn: Connection, as_of: date) -> bool:
    """Whether a payment was all applied after `as_of` (one index probe)."""
    return bool(driver.fetch(conn, _latest("payments", "applied_on"), [as_of]))


def _day(as_of: date) -> str:
    """`as_of` as an SQL literal both databases compare with a date column (ISO text in
    SQLite; an untyped literal PostgreSQL reads as a date). Made from a `date`, so it
    holds nothing but digits and dashes."""
    return f"'{date.isoformat(as_of)}'"


def invoices_at(as_of: date) -> str:
    """The invoices open at `as_of`, as known then, as a table expression named
    `invoices` (see the module's notes)."""
    d = _day(as_of)
    paid = (
        f"CAST(CASE WHEN i.first_paid_on IS NULL OR i.first_paid_on > {d} THEN 0 "
        f"WHEN i.last_paid_on <= {d} THEN i.paid_minor "
        "ELSE (SELECT coalesce(sum(a.amount_minor), 0) FROM allocations a "
        f"WHERE a.invoice_id = i.id AND a.date <= {d}) END AS BIGINT)"
    )
    return (
        "(SELECT i.id, i.customer_id, i.number, i.kind, i.issue_date, i.due_date, "
        f"i.currency, i.amount_minor, {paid} AS paid_minor, NULL AS settled_on "
        f"FROM invoices i WHERE i.kind = 'invoice' AND i.issue_date <= {d} "
        f"AND (i.settled_on IS NULL OR i.settled_on > {d})) AS invoices"
    )


def invoices_source(as_of: date, past: bool) -> str:
    """What the run's reads select invoices from: the table itself, or for a day the
    book has moved past (`moved_past`) the invoices as known then."""
    return invoices_at(as_of) if past else "invoices"


def steps_until(text: str, as_of: date) -> str:
    """A cycle's steps less those recorded for days after `as_of` (each step starts
    with its day in ISO form)."""
    if not text:
        return text
    day = as_of.isoformat()
    items = text.split(ITEM)
    kept = [item for item in items if item[:10] <= day]
    return text if len(kept) == len(items) else ITEM.join(kept)


def applied_until(
    conn: Connection, customer_id: int, as_of: date
) -> tuple[dict[int, int], dict[int, int]]:
    """One customer's allocations dated on or before `as_of`, added up: (invoice id ->
    minor units paid or credited, credit note id -> minor units of it used)."""
    paid: dict[int, int] = {}
    used: dict[int, int] = {}
    for invoice_id, note_id, minor in driver.fetch(
        conn,
        "SELECT a.invoice_id, a.credit_note_id, a.amount_minor FROM allocations a "
        "JOIN invoices i ON i.id = a.invoice_id WHERE i.customer_id = ? AND a.date <= ?",
        [customer_id, as_of],
    ):
        paid[invoice_id] = paid.get(invoice_id, 0) + int(minor)
        if note_id is not None:
            used[note_id] = used.get(note_id, 0) + int(minor)
    return paid, used
