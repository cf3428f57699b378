"""What `recoup doctor` reads: the details a book carries, the languages its customers
read, and the messages waiting for the set-up."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.engine import Connection

from recoup.store.tables import meta, outbox

SETTING_PREFIX = "setting."  # meta keys of the settings a book carries


def book_settings(conn: Connection) -> dict[str, str]:
    """The settings the book carries (`meta` rows `setting.<field>`), by field."""
    rows = conn.execute(
        select(meta.c.key, meta.c.value).where(meta.c.key.like(SETTING_PREFIX + "%"))
    )
    return {key.removeprefix(SETTING_PREFIX): value for key, value in rows}


def set_book_settings(conn: Connection, values: Mapping[str, str]) -> None:
    keys = [SETTING_PREFIX + name for name in values]
    conn.execute(delete(meta).where(meta.c.key.in_(keys)))
    if values:
        conn.execute(
            insert(meta),
            [{"key": SETTING_PREFIX + name, "value": value} for name, value in values.items()],
        )


def customer_languages(conn: Connection) -> list[str]:
    """The languages customers are written to in (as stored, e.g. "de" or "de-AT").

    Read one language after the other along `ix_customers_language` (each the least
    after the last), a few index probes where DISTINCT would read every customer."""
    q = text(
        "WITH RECURSIVE seen(language) AS ("
        " SELECT MIN(language) FROM customers"
        " UNION ALL"
        " SELECT (SELECT MIN(language) FROM customers WHERE language > seen.language)"
        " FROM seen WHERE seen.language IS NOT NULL"
        ") SELECT language FROM seen WHERE language IS NOT NULL"
    )
    return [str(x) for x in conn.execute(q).scalars() if x]


def waiting_by_reason(conn: Connection) -> list[tuple[str, int]]:
    """Messages not yet sent that carry a reason for waiting: (reason, how many)."""
    q = (
        select(outbox.c.wait_reason, func.count())
        .where(outbox.c.state.in_(("pending", "sending")), outbox.c.wait_reason.is_not(None))
        .group_by(outbox.c.wait_reason)
        .order_by(outbox.c.wait_reason)
    )
    return [(str(reason), int(n)) for reason, n in conn.execute(q) if reason]
